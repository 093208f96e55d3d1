//! `--jq EXPR`: a jq filter over the JSON output, run in-process (jaq), so
//! CI steps need no jq binary. Strings come out raw, as `jq -r` prints them;
//! other values as compact JSON, one per line.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

type Filter = jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>;

/// A compiled filter, checked before any request is sent.
pub(crate) struct Jq {
    filter: Filter,
}

impl std::fmt::Debug for Jq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jq")
    }
}

impl Jq {
    /// Parses and compiles `code`; the error says what is wrong and where.
    pub(crate) fn compile(code: &str) -> Result<Jq, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                let reasons: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, e)| load_error(code, e))
                    .collect();
                format!("--jq `{code}`: {}", reasons.join("; "))
            })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let reasons: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, errs)| errs)
                    .map(|(name, undefined)| format!("undefined {} `{name}`", undefined.as_str()))
                    .collect();
                format!("--jq `{code}`: {}", reasons.join("; "))
            })?;
        Ok(Jq { filter })
    }

    /// Runs the filter on `value`: the lines to print, or the error that
    /// stopped it.
    pub(crate) fn run(&self, value: &Value) -> Result<Vec<String>, String> {
        let text = value.to_string();
        let input = jaq_json::read::parse_single(text.as_bytes())
            .map_err(|e| format!("--jq: cannot read the output as JSON: {e}"))?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        let mut lines = Vec::new();
        for out in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            match out {
                Ok(Val::TStr(s)) => lines.push(String::from_utf8_lossy(&s).into_owned()),
                Ok(v) => lines.push(compact(&v)),
                Err(e) => return Err(format!("--jq: {e}")),
            }
        }
        Ok(lines)
    }
}

/// `v` as one line of JSON.
fn compact(v: &Val) -> String {
    // jaq writes JSON; reading it back through serde_json normalises the
    // spacing to the same compact form as the rest of the output.
    let text = v.to_string();
    serde_json::from_str::<Value>(&text).map_or(text, |v| v.to_string())
}

/// Where in `code` the slice `at` starts, as a 1-based column.
fn column(code: &str, at: &str) -> usize {
    let start = code.as_ptr() as usize;
    let here = at.as_ptr() as usize;
    here.checked_sub(start)
        .filter(|off| *off <= code.len())
        .map_or(1, |off| code[..off].chars().count() + 1)
}

fn load_error(code: &str, e: jaq_core::load::Error<&str>) -> Vec<String> {
    use jaq_core::load::Error;
    match e {
        Error::Io(errs) => errs
            .into_iter()
            .map(|(path, why)| format!("cannot load `{path}`: {why}"))
            .collect(),
        Error::Lex(errs) => errs
            .into_iter()
            .map(|(expect, at)| {
                format!(
                    "expected {} at column {}",
                    expect.as_str(),
                    column(code, at)
                )
            })
            .collect(),
        Error::Parse(errs) => errs
            .into_iter()
            .map(|(expect, at)| {
                let found = if at.is_empty() {
                    "the end".to_owned()
                } else {
                    format!("`{}`", at.chars().take(12).collect::<String>())
                };
                format!(
                    "expected {} at column {}, found {found}",
                    expect.as_str(),
                    column(code, at)
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_come_out_raw_and_other_values_as_compact_json() {
        let jq = Jq::compile(".result.summary, .result.entities, .progress_percent").unwrap();
        let lines = jq
            .run(&json!({"result": {"summary": "Revenue up", "entities": ["Acme", "Q3"]}, "progress_percent": 100}))
            .unwrap();
        assert_eq!(lines, ["Revenue up", r#"["Acme","Q3"]"#, "100"]);
    }

    #[test]
    fn the_standard_library_is_there() {
        let jq = Jq::compile("[.[] | select(.ok)] | length").unwrap();
        assert_eq!(
            jq.run(&json!([{"ok": true}, {"ok": false}])).unwrap(),
            ["1"]
        );
    }

    #[test]
    fn a_bad_filter_says_what_and_where() {
        let err = Jq::compile(".result |").unwrap_err();
        assert!(err.contains("--jq `.result |`"), "{err}");
        assert!(err.contains("column"), "{err}");
        let err = Jq::compile("nosuchfn(1)").unwrap_err();
        assert!(err.contains("undefined"), "{err}");
        assert!(err.contains("nosuchfn"), "{err}");
    }

    #[test]
    fn a_failing_filter_is_an_error_at_run_time() {
        let jq = Jq::compile(".a | tonumber").unwrap();
        let err = jq.run(&json!({"a": "x"})).unwrap_err();
        assert!(err.starts_with("--jq: "), "{err}");
    }
}

//! Labels: `key=value` pairs a submit attaches to its task, to find it again
//! (`list`, `cancel_matching`) and to tell tasks apart at a glance.
//!
//! They travel in the [`LABELS_HEADER`] header, not in the body: the body
//! is the action's own (`{"document_url": …}`), and a server that knows only
//! the contract ignores a header it does not know, so a labelled submit
//! still works there. The header's value is the W3C Baggage list syntax —
//! `key=value` members separated by commas, each value percent-encoded as
//! UTF-8 — so spaces, `=`, `,`, quotes and any script survive the trip.

use std::collections::BTreeMap;
use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};

/// The request header a submit's labels travel in.
pub const LABELS_HEADER: &str = "task-labels";

/// What a label value's percent-encoding escapes: everything but visible
/// ASCII that cannot end or split a member (`,` `;` `=` `%` `"` `\`).
const VALUE_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'%')
    .add(b',')
    .add(b';')
    .add(b'=')
    .add(b'\\');

/// A task's labels: at most [`Labels::MAX`] `key=value` pairs, keys of
/// lowercase letters, digits, `_`, `.` and `-` (at most
/// [`Labels::MAX_KEY_LEN`]), values of any text up to
/// [`Labels::MAX_VALUE_LEN`] characters. Ordered by key.
///
/// ```
/// use orchestrator::Labels;
///
/// let mut labels = Labels::new();
/// labels.insert("run", "42").unwrap();
/// labels.insert("team", "docs & search").unwrap();
/// assert_eq!(labels.get("run"), Some("42"));
/// assert!(labels.insert("Run", "1").is_err());
/// assert_eq!(labels.to_header_value(), "run=42,team=docs%20&%20search");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Labels(BTreeMap<String, String>);

/// Why a label was refused; [`label`](LabelError::label) names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    label: String,
    reason: String,
}

impl LabelError {
    fn new(label: impl Into<String>, reason: impl Into<String>) -> LabelError {
        LabelError {
            label: label.into(),
            reason: reason.into(),
        }
    }

    /// The label at fault, as it was given (cut to 80 characters).
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "label `{}`: {}", self.label, self.reason)
    }
}

impl std::error::Error for LabelError {}

fn shown(text: &str) -> String {
    text.chars().take(80).collect()
}

impl Labels {
    /// The most labels a task may carry.
    pub const MAX: usize = 16;
    /// The longest key.
    pub const MAX_KEY_LEN: usize = 63;
    /// The longest value, in characters.
    pub const MAX_VALUE_LEN: usize = 255;

    /// No labels.
    pub fn new() -> Labels {
        Labels::default()
    }

    /// Checks a key: 1 to 63 of `a-z 0-9 _ . -`.
    ///
    /// ```
    /// assert!(orchestrator::Labels::check_key("batch.run-id_2").is_ok());
    /// assert!(orchestrator::Labels::check_key("Run").is_err());
    /// ```
    pub fn check_key(key: &str) -> Result<(), LabelError> {
        if key.is_empty() {
            return Err(LabelError::new(key, "a label needs a key before `=`"));
        }
        if key.len() > Labels::MAX_KEY_LEN {
            return Err(LabelError::new(
                shown(key),
                format!("a key is at most {} characters", Labels::MAX_KEY_LEN),
            ));
        }
        if let Some(c) = key
            .chars()
            .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '_' | '.' | '-'))
        {
            return Err(LabelError::new(
                shown(key),
                format!(
                    "a key is lowercase letters, digits, `_`, `.` and `-`; `{}` is not allowed",
                    c.escape_debug()
                ),
            ));
        }
        Ok(())
    }

    fn check_value(key: &str, value: &str) -> Result<(), LabelError> {
        if value.chars().count() > Labels::MAX_VALUE_LEN {
            return Err(LabelError::new(
                key,
                format!("a value is at most {} characters", Labels::MAX_VALUE_LEN),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(LabelError::new(
                key,
                "a value may not hold control characters",
            ));
        }
        Ok(())
    }

    /// Adds (or replaces) a label, checking its key and value and the
    /// count.
    pub fn insert(
        &mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), LabelError> {
        let (key, value) = (key.into(), value.into());
        Labels::check_key(&key)?;
        Labels::check_value(&key, &value)?;
        if !self.0.contains_key(&key) && self.0.len() >= Labels::MAX {
            return Err(LabelError::new(
                key,
                format!("a task carries at most {} labels", Labels::MAX),
            ));
        }
        self.0.insert(key, value);
        Ok(())
    }

    /// Splits `key=value` at its first `=` and checks both halves: how a
    /// command line or a query string gives one label.
    ///
    /// ```
    /// let (key, value) = orchestrator::Labels::parse_pair("note=a=b c").unwrap();
    /// assert_eq!((key.as_str(), value.as_str()), ("note", "a=b c"));
    /// assert!(orchestrator::Labels::parse_pair("no-equals-sign").is_err());
    /// ```
    pub fn parse_pair(pair: &str) -> Result<(String, String), LabelError> {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(LabelError::new(
                shown(pair),
                "a label is KEY=VALUE (no `=` found)",
            ));
        };
        Labels::check_key(key)?;
        Labels::check_value(key, value)?;
        Ok((key.to_owned(), value.to_owned()))
    }

    /// A label's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The labels, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The [`LABELS_HEADER`] value that carries them.
    pub fn to_header_value(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, VALUE_ESCAPES)))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads labels from the [`LABELS_HEADER`] values of a request (the
    /// header may be sent more than once; its lists are joined). A key
    /// given twice, a malformed member or a value that is not UTF-8 once
    /// decoded is refused, naming the label.
    ///
    /// ```
    /// let labels = orchestrator::Labels::from_header_values(["run=42, note=caf%C3%A9%2C%20ol%C3%A9"]).unwrap();
    /// assert_eq!(labels.get("note"), Some("café, olé"));
    /// assert!(orchestrator::Labels::from_header_values(["run=1,run=2"]).is_err());
    /// ```
    pub fn from_header_values<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Labels, LabelError> {
        let mut labels = Labels::new();
        for member in values
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            // Baggage members may carry `;properties`: none are defined here.
            let (pair, properties) = member.split_once(';').unwrap_or((member, ""));
            if !properties.trim().is_empty() {
                return Err(LabelError::new(
                    shown(member),
                    "label properties (`;…`) are not supported",
                ));
            }
            let Some((key, raw)) = pair.split_once('=') else {
                return Err(LabelError::new(
                    shown(pair),
                    "a label is KEY=VALUE (no `=` found)",
                ));
            };
            let key = key.trim();
            let value = percent_decode_str(raw.trim())
                .decode_utf8()
                .map_err(|_| LabelError::new(shown(key), "the value is not UTF-8 once decoded"))?;
            if labels.0.contains_key(key) {
                return Err(LabelError::new(key, "the key is given twice"));
            }
            labels.insert(key, value.into_owned())?;
        }
        Ok(labels)
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_spaces_equals_quotes_commas_and_any_script_survive_the_header() {
        let mut labels = Labels::new();
        for (k, v) in [
            ("a", "two words"),
            ("b", "x=y=z"),
            ("c", "\"quoted\" and 'single'"),
            ("d", "a,b;c%d\\e"),
            ("e", "日本語 — ça va ✓"),
            ("f", ""),
        ] {
            labels.insert(k, v).unwrap();
        }
        let header = labels.to_header_value();
        assert!(header.is_ascii(), "{header}");
        assert!(
            http_safe(&header),
            "header value has bytes a header cannot: {header}"
        );
        assert_eq!(
            Labels::from_header_values([header.as_str()]).unwrap(),
            labels
        );
    }

    fn http_safe(v: &str) -> bool {
        v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
    }

    #[test]
    fn keys_outside_the_rules_and_a_seventeenth_label_are_refused_naming_the_label() {
        for bad in ["", "Upper", "sp ace", "ü", "a/b", &"k".repeat(64)] {
            assert!(Labels::check_key(bad).is_err(), "{bad:?} accepted");
        }
        let mut labels = Labels::new();
        for i in 0..Labels::MAX {
            labels.insert(format!("k{i}"), "v").unwrap();
        }
        let err = labels.insert("k16", "v").unwrap_err();
        assert_eq!(err.label(), "k16");
        // Replacing one is not adding one.
        labels.insert("k3", "w").unwrap();
        let long = "é".repeat(Labels::MAX_VALUE_LEN);
        labels.insert("k0", long.as_str()).unwrap();
        let err = labels.insert("k0", format!("{long}x")).unwrap_err();
        assert!(err.to_string().contains("at most 255"), "{err}");
    }

    #[test]
    fn several_header_lines_join_and_a_repeated_key_or_bad_escape_is_refused() {
        let labels = Labels::from_header_values(["run=1", " team=x , "]).unwrap();
        assert_eq!(labels.len(), 2);
        assert_eq!(
            Labels::from_header_values(["run=1", "run=2"])
                .unwrap_err()
                .label(),
            "run"
        );
        assert!(Labels::from_header_values(["bad=%FF"]).is_err());
        assert!(Labels::from_header_values(["k=v;prop=1"]).is_err());
        assert!(Labels::from_header_values(["novalue"]).is_err());
    }
}

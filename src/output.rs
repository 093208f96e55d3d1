//! What goes to stdout (results) and stderr (errors), in each format.
//! Writes to stdout report a broken pipe instead of panicking, so
//! `orchestrator-cli … | head -1` ends quietly.

use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;

use console::Style;
use orchestrator::{
    Accepted, AnalyzeDocumentResult, Error, ErrorKind, Outcome, TaskRef, TaskStatus,
};
use serde_json::{Value, json};

use crate::args::Output;
use crate::exit::Exit;
use crate::jq::Jq;

/// What to tell someone whose key was refused or missing.
pub(crate) const AUTH_HINT: &str =
    "  set ORCHESTRATOR_API_KEY (or ADMIN_API_KEY), or pass --api-key-file";

/// What to tell someone whose TLS handshake failed.
pub(crate) const TLS_HINT: &str = "  if the server's certificate comes from a private CA, trust it with \
     --cacert FILE (PEM); otherwise check the host name in --api-url";

/// The hint that goes with an error, if any.
pub(crate) fn hint(e: &Error) -> Option<&'static str> {
    match e.kind() {
        ErrorKind::Auth => Some(AUTH_HINT),
        ErrorKind::Tls => Some(TLS_HINT),
        _ => None,
    }
}

/// How a wait for one task ended.
#[derive(Debug)]
pub(crate) enum Ended {
    /// The task finished.
    Finished(Outcome),
    /// The wait stopped: the error, and the last status seen, if any.
    Stopped(Error, Option<TaskStatus>),
    /// Ctrl-C.
    Interrupted(Option<TaskStatus>),
    /// The status stream ended without a verdict (a guard; the SDK does not do this).
    Unfinished(Option<TaskStatus>),
    /// An item of a batch whose submit failed: what the user gave, and why.
    NotSubmitted(String, Error),
}

impl Ended {
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Ended::Finished(o) => Exit::for_outcome(o),
            Ended::Stopped(e, _) => Exit::for_error(e),
            Ended::Interrupted(_) => Exit::Interrupted,
            Ended::Unfinished(_) => Exit::Protocol,
            Ended::NotSubmitted(_, e) => Exit::for_error(e),
        }
    }

    fn last_status(&self) -> Option<&TaskStatus> {
        match self {
            Ended::Finished(o) => Some(o.status()),
            Ended::Stopped(_, s) | Ended::Interrupted(s) | Ended::Unfinished(s) => s.as_ref(),
            Ended::NotSubmitted(..) => None,
        }
    }
}

/// Prints results in the chosen format.
#[derive(Debug, Clone)]
pub(crate) struct Printer {
    pub format: Output,
    pub color: bool,
    /// `--jq`: every JSON output goes through it.
    pub jq: Option<Rc<Jq>>,
    /// Set when the `--jq` filter failed on some output (exit 2).
    pub jq_failed: Rc<Cell<bool>>,
}

impl Printer {
    /// A JSON value on stdout, one line, or what `--jq` makes of it.
    pub(crate) fn json(&self, value: &Value) -> io::Result<()> {
        let Some(jq) = &self.jq else {
            return self.out(&value.to_string());
        };
        match jq.run(value) {
            Ok(lines) => {
                for line in lines {
                    self.out(&line)?;
                }
                Ok(())
            }
            Err(e) => {
                self.jq_failed.set(true);
                self.err(&format!("orchestrator-cli: {e}"));
                Ok(())
            }
        }
    }

    /// Says on stderr why a submit failed; the JSON object for stdout (in
    /// `json`/`jsonl`, so each item of a batch has its line).
    pub(crate) fn not_submitted(&self, label: &str, e: &Error, several: bool) -> Value {
        let exit = Exit::for_error(e);
        if several {
            self.err(&format!("orchestrator-cli: could not submit {label}: {e}"));
        } else {
            self.err(&format!("orchestrator-cli: {e}"));
        }
        if let Some(hint) = hint(e) {
            self.err(hint);
        }
        let mut o =
            json!({"outcome": "error", "exit_code": exit.code(), "error_detail": error_object(e)});
        if several {
            o["input"] = json!(label);
        }
        o
    }

    fn style(&self, style: Style) -> Style {
        if self.color {
            style.force_styling(true)
        } else {
            style.force_styling(false)
        }
    }

    /// A line on stdout.
    pub(crate) fn out(&self, line: &str) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()
    }

    /// A message on stderr (never fails the run).
    pub(crate) fn err(&self, line: &str) {
        let _ = writeln!(io::stderr().lock(), "{line}");
    }

    /// After a submit without `--wait`.
    pub(crate) fn accepted(&self, accepted: &Accepted) -> io::Result<()> {
        match self.format {
            // The id alone, so `id=$(orchestrator-cli submit …)` works; the
            // status URL when the id alone would not lead back to the task
            // (`wait` takes either).
            Output::Text => match accepted.task_id() {
                Some(id) if accepted.has_standard_location() => self.out(id.as_str()),
                _ => self.out(accepted.status_url().as_str()),
            },
            Output::Json | Output::Jsonl => self.json(&accepted_object(accepted)),
        }
    }

    /// Every status, in `jsonl`.
    pub(crate) fn update(&self, status: &TaskStatus) -> io::Result<()> {
        if self.format == Output::Jsonl {
            self.json(status.as_json())?;
        }
        Ok(())
    }

    /// The end of one or more waits.
    pub(crate) fn ended(
        &self,
        results: &[(TaskRef, Ended)],
        timeout: Option<std::time::Duration>,
    ) -> io::Result<()> {
        match self.format {
            Output::Json => {
                let objects: Vec<Value> = results.iter().map(|(t, e)| final_object(t, e)).collect();
                let value = match objects.as_slice() {
                    [one] => one.clone(),
                    _ => Value::Array(objects),
                };
                self.json(&value)?;
            }
            Output::Jsonl => {
                for (task, ended) in results {
                    // The terminal status was already printed; add the verdict.
                    let mut line = json!({"outcome": ended.exit().outcome_word(), "exit_code": ended.exit().code()});
                    match ended {
                        Ended::NotSubmitted(label, e) => {
                            line["input"] = json!(label);
                            line["error"] = error_object(e);
                        }
                        Ended::Stopped(e, _) => {
                            line["task_id"] = json!(task.to_string());
                            line["error"] = error_object(e);
                        }
                        _ => line["task_id"] = json!(task.to_string()),
                    }
                    self.json(&line)?;
                }
            }
            Output::Text if results.len() == 1 => self.text_result(&results[0].0, &results[0].1)?,
            Output::Text => {
                for (task, ended) in results {
                    let state = ended
                        .last_status()
                        .map_or("?", |s| s.state().as_str())
                        .to_owned();
                    let name = match ended {
                        Ended::NotSubmitted(label, _) => label.clone(),
                        _ => task.to_string(),
                    };
                    self.out(&format!("{name}\t{state}\t{}", ended.exit().outcome_word()))?;
                }
            }
        }
        for (task, ended) in results {
            self.explain(task, ended, timeout);
        }
        Ok(())
    }

    fn text_result(&self, _task: &TaskRef, ended: &Ended) -> io::Result<()> {
        let Ended::Finished(Outcome::Completed(status)) = ended else {
            return Ok(());
        };
        let Some(result) = status.result() else {
            return self.out("(completed without a result)");
        };
        match status.analyze_document_result() {
            Ok(analysis) => self.analysis(&analysis),
            Err(_) => self
                .out(&serde_json::to_string_pretty(result).unwrap_or_else(|_| result.to_string())),
        }
    }

    fn analysis(&self, a: &AnalyzeDocumentResult) -> io::Result<()> {
        let label = self.style(Style::new().bold());
        let sentiment = match a.sentiment.as_str() {
            "POSITIVE" => self.style(Style::new().green()),
            "NEGATIVE" => self.style(Style::new().red()),
            _ => self.style(Style::new().yellow()),
        };
        let score = a
            .sentiment_score
            .map(|s| format!(" ({s:+.2})"))
            .unwrap_or_default();
        self.out(&format!("{} {}", label.apply_to("Summary:  "), a.summary))?;
        self.out(&format!(
            "{} {}{score}",
            label.apply_to("Sentiment:"),
            sentiment.apply_to(&a.sentiment)
        ))?;
        self.out(&format!(
            "{} {}",
            label.apply_to("Entities: "),
            a.entities.join(", ")
        ))?;
        if let Some(words) = a.word_count {
            self.out(&format!("{} {words}", label.apply_to("Words:    ")))?;
        }
        Ok(())
    }

    /// The stderr side of an ending: why it failed and how to go on.
    fn explain(&self, task: &TaskRef, ended: &Ended, timeout: Option<std::time::Duration>) {
        let bad = self.style(Style::new().red().bold());
        let resume = format!("orchestrator-cli wait {task}");
        match ended {
            Ended::Finished(Outcome::Failed(status)) => {
                let why = status
                    .error()
                    .map_or_else(|| "no error details given".to_owned(), ToString::to_string);
                self.err(&format!(
                    "{} task {task} failed: {why}",
                    bad.apply_to("error:")
                ));
            }
            Ended::Finished(Outcome::Cancelled(_)) => {
                self.err(&format!("task {task} was cancelled"))
            }
            Ended::Finished(_) => {}
            Ended::Stopped(e, last) if e.kind() == ErrorKind::TimedOut => {
                let state = last
                    .as_ref()
                    .map_or_else(|| "not seen yet".to_owned(), describe);
                let after = timeout
                    .map(|t| format!(" after {}", humantime::format_duration(t)))
                    .unwrap_or_default();
                self.err(&format!(
                    "{} gave up waiting{after}; task {task} is {state} and keeps running.",
                    bad.apply_to("timeout:")
                ));
                self.err(&format!("  resume with: {resume}"));
            }
            Ended::Stopped(e, _) => {
                self.err(&format!("{} {e}", bad.apply_to("error:")));
                if let Some(hint) = hint(e) {
                    self.err(hint);
                }
            }
            Ended::NotSubmitted(label, e) => {
                self.err(&format!(
                    "{} could not submit {label}: {e}",
                    bad.apply_to("error:")
                ));
                if let Some(hint) = hint(e) {
                    self.err(hint);
                }
            }
            Ended::Unfinished(_) => {
                self.err(&format!(
                    "{} the status of task {task} stopped arriving before it finished",
                    bad.apply_to("error:")
                ));
            }
            Ended::Interrupted(_) => {
                self.err(&format!(
                    "interrupted; task {task} keeps running on the server."
                ));
                self.err(&format!("  resume with: {resume}"));
            }
        }
    }
}

/// What `json` output says of an accepted task: the acceptance body, its
/// id and status URL, `"outcome": "accepted"`.
pub(crate) fn accepted_object(accepted: &Accepted) -> Value {
    let mut body = accepted
        .status()
        .map_or_else(|| json!({}), |s| s.as_json().clone());
    body["task_id"] = json!(accepted.task_id().map(ToString::to_string));
    body["status_url"] = json!(accepted.status_url().as_str());
    body["outcome"] = json!("accepted");
    body
}

/// `RUNNING (45%)`.
pub(crate) fn describe(status: &TaskStatus) -> String {
    match status.progress_percent() {
        Some(p) => format!("{} ({p:.0}%)", status.state()),
        None => status.state().to_string(),
    }
}

fn error_object(e: &Error) -> Value {
    let mut o = json!({"kind": format!("{:?}", e.kind()), "message": e.to_string()});
    if let Some(status) = e.status() {
        o["http_status"] = json!(status.as_u16());
    }
    if let Some(problem) = e.problem() {
        o["problem"] = serde_json::to_value(problem).unwrap_or(Value::Null);
    }
    o
}

/// The `json` output for one task: its last status as the server sent it,
/// plus `outcome` and `exit_code` (and `error` when the wait itself failed).
fn final_object(task: &TaskRef, ended: &Ended) -> Value {
    let mut o = match ended.last_status().map(TaskStatus::as_json) {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        _ => json!({}),
    };
    if let Ended::NotSubmitted(label, e) = ended {
        o["input"] = json!(label);
        o["outcome"] = json!(ended.exit().outcome_word());
        o["exit_code"] = json!(ended.exit().code());
        o["error_detail"] = error_object(e);
        return o;
    }
    if o.get("task_id").is_none() {
        o["task_id"] = json!(task.to_string());
    }
    o["outcome"] = json!(ended.exit().outcome_word());
    o["exit_code"] = json!(ended.exit().code());
    if let Ended::Stopped(e, _) = ended {
        o["error_detail"] = error_object(e);
    }
    o
}

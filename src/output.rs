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
use crate::describe::{describe, state_word};
use crate::exit::Exit;
use crate::jq::Jq;

/// What to tell someone whose key was refused or missing.
pub(crate) const AUTH_HINT: &str =
    "set ORCHESTRATOR_API_KEY (or ADMIN_API_KEY), or pass --api-key-file";

/// What to tell someone whose key was known but not allowed (`403`): a
/// read-only key, say. Setting the same key again would not help.
const FORBIDDEN_HINT: &str =
    "this key may not do that (a read-only key only reads): use a key whose role allows it";

/// What to tell someone whose TLS handshake failed on a certificate.
pub(crate) const TLS_HINT: &str = "if the server's certificate comes from a private CA, trust it with \
     --cacert FILE (PEM); otherwise check the host name in --api-url";

/// What to tell someone whose `https://` API answered in plain HTTP.
const PLAIN_HTTP_HINT: &str = "the server seems to speak plain HTTP: give --api-url as http://…";

/// What to tell someone whose server handed out a URL elsewhere.
const CROSS_ORIGIN_HINT: &str = "orchestrator-cli follows status URLs on the API's own origin only, \
     so that the key goes nowhere else; ask the server's operator about that URL";

/// The CLI's own advice for an SDK error (never the SDK's, which names
/// builder methods a CLI user has no use for); `api_url` is the one in use.
pub(crate) fn hint(e: &Error, api_url: &str) -> Option<String> {
    match e.kind() {
        ErrorKind::Auth if e.status().is_some_and(|s| s.as_u16() == 403) => {
            Some(FORBIDDEN_HINT.to_owned())
        }
        ErrorKind::Auth => Some(AUTH_HINT.to_owned()),
        ErrorKind::Tls if e.message().contains("did not answer in TLS") => {
            Some(PLAIN_HTTP_HINT.to_owned())
        }
        ErrorKind::Tls => Some(TLS_HINT.to_owned()),
        ErrorKind::CrossOrigin => Some(CROSS_ORIGIN_HINT.to_owned()),
        ErrorKind::Transport if e.message().contains("no answer from the server") => Some(format!(
            "is the server running, and is --api-url right? (it is {api_url})"
        )),
        _ => None,
    }
}

/// An SDK error as one line, in the CLI's words: its kind and what
/// happened, without the SDK's advice (the CLI gives its own, [`hint`]).
pub(crate) fn error_text(e: &Error) -> String {
    format!("{}: {}", e.kind(), e.message())
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
    /// Ctrl-C with `--cancel-on-interrupt`: the task was cancelled (the
    /// status the cancel answered with, else the last seen).
    CancelledOnInterrupt(Option<TaskStatus>),
    /// Ctrl-C with `--cancel-on-interrupt`, and the cancel failed.
    NotCancelledOnInterrupt(Error, Option<TaskStatus>),
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
            Ended::Interrupted(_)
            | Ended::CancelledOnInterrupt(_)
            | Ended::NotCancelledOnInterrupt(..) => Exit::Interrupted,
            Ended::Unfinished(_) => Exit::Protocol,
            Ended::NotSubmitted(_, e) => Exit::for_error(e),
        }
    }

    /// What `outcome` says in JSON: what happened to the task (a
    /// cancel-on-interrupt cancelled it, whatever the exit code says of
    /// the run).
    pub(crate) fn outcome_word(&self) -> &'static str {
        match self {
            Ended::CancelledOnInterrupt(_) => "cancelled",
            other => other.exit().outcome_word(),
        }
    }

    fn last_status(&self) -> Option<&TaskStatus> {
        match self {
            Ended::Finished(o) => Some(o.status()),
            Ended::Stopped(_, s)
            | Ended::Interrupted(s)
            | Ended::CancelledOnInterrupt(s)
            | Ended::NotCancelledOnInterrupt(_, s)
            | Ended::Unfinished(s) => s.as_ref(),
            Ended::NotSubmitted(..) => None,
        }
    }
}

/// What a command's JSON output is: one object for one named task, an
/// array for `-`, several tasks or a batch — fixed by the command's form,
/// never by how many tasks came in, so `--jq .result` does not break when
/// a list grows a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    One,
    Many,
}

impl Shape {
    /// The shape of a command that names `tasks` (`-` reads a list).
    pub(crate) fn of(tasks: &[String]) -> Shape {
        if tasks.len() == 1 && tasks[0] != "-" {
            Shape::One
        } else {
            Shape::Many
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
    /// The API URL in use, for advice.
    pub api_url: String,
    /// Columns of the terminal stdout is, when it is one: a task's line is
    /// cut to fit, so several tasks make as many lines. `None` in a pipe,
    /// where lines are whole.
    pub width: Option<usize>,
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
                self.error(&e.to_string());
                Ok(())
            }
        }
    }

    /// Says on stderr why a submit failed; the JSON object for stdout (in
    /// `json`/`jsonl`, so each item of a batch has its line).
    pub(crate) fn not_submitted(&self, label: &str, e: &Error, several: bool) -> Value {
        let exit = Exit::for_error(e);
        if several {
            self.error(&format!("could not submit {label}: {}", error_text(e)));
        } else {
            self.error(&error_text(e));
        }
        if let Some(hint) = hint(e, &self.api_url) {
            self.hint(&hint);
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

    /// A message on stderr (never fails the run), above any progress bars.
    pub(crate) fn err(&self, line: &str) {
        crate::progress::above_bars(|| {
            let _ = writeln!(io::stderr().lock(), "{line}");
        });
    }

    /// An error on stderr: every one starts with `error:`.
    pub(crate) fn error(&self, message: &str) {
        let label = self.err_style(Style::new().red().bold());
        self.err(&format!("{} {message}", label.apply_to("error:")));
    }

    /// Advice under an error, indented.
    pub(crate) fn hint(&self, text: &str) {
        self.err(&format!("  {text}"));
    }

    /// An SDK error, with the CLI's advice.
    pub(crate) fn sdk_error(&self, e: &Error) {
        self.error(&error_text(e));
        if let Some(hint) = hint(e, &self.api_url) {
            self.hint(&hint);
        }
    }

    /// A style for stderr, coloured only where stderr takes colour.
    fn err_style(&self, style: Style) -> Style {
        style.force_styling(console::colors_enabled_stderr())
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

    /// The end of one or more waits, in the shape the command's form asks.
    pub(crate) fn ended(
        &self,
        results: &[Done],
        shape: Shape,
        timeout: Option<std::time::Duration>,
    ) -> io::Result<()> {
        match self.format {
            Output::Json => {
                let mut objects: Vec<Value> = results.iter().map(final_object).collect();
                let value = match shape {
                    Shape::One if objects.len() == 1 => objects.remove(0),
                    _ => Value::Array(objects),
                };
                self.json(&value)?;
            }
            Output::Jsonl => {
                for done in results {
                    // The terminal status was already printed; add the verdict.
                    let ended = &done.ended;
                    let mut line =
                        json!({"outcome": ended.outcome_word(), "exit_code": ended.exit().code()});
                    if let Some(input) = &done.input {
                        line["input"] = json!(input);
                    }
                    match ended {
                        Ended::NotSubmitted(_, e) => line["error"] = error_object(e),
                        Ended::Stopped(e, _) | Ended::NotCancelledOnInterrupt(e, _) => {
                            line["task_id"] = json!(done.task.to_string());
                            line["error"] = error_object(e);
                        }
                        _ => line["task_id"] = json!(done.task.to_string()),
                    }
                    self.json(&line)?;
                }
            }
            Output::Text if shape == Shape::One && results.len() == 1 => {
                self.text_result(&results[0].ended)?;
            }
            Output::Text => {
                for done in results {
                    self.out(&fit(&text_line(done), self.width))?;
                }
            }
        }
        for done in results {
            self.explain(&done.task, &done.ended, timeout);
        }
        Ok(())
    }

    fn text_result(&self, ended: &Ended) -> io::Result<()> {
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

    /// The stderr side of an ending: why it failed and how to go on, said
    /// once.
    fn explain(&self, task: &TaskRef, ended: &Ended, timeout: Option<std::time::Duration>) {
        let resume = format!("resume with: orchestrator-cli wait {task}");
        match ended {
            Ended::Finished(Outcome::Failed(status)) => {
                let why = status
                    .error()
                    .map_or_else(|| "no error details given".to_owned(), ToString::to_string);
                self.error(&format!("task {task} failed: {why}"));
            }
            Ended::Finished(Outcome::Cancelled(_)) => {
                self.error(&format!("task {task} was cancelled"));
            }
            Ended::Finished(_) => {}
            Ended::Stopped(e, last) if e.kind() == ErrorKind::TimedOut => {
                let after = timeout
                    .map(|t| format!(" after {}", humantime::format_duration(t)))
                    .unwrap_or_default();
                match last {
                    Some(status) => self.error(&format!(
                        "gave up waiting{after}; task {task} is {} and keeps running",
                        describe(status)
                    )),
                    // Nothing was read: claim nothing about the task, say
                    // what the polls met instead.
                    None => self.error(&format!(
                        "gave up waiting{after} without reading a status of task {task}: {}",
                        e.message()
                    )),
                }
                self.hint(&resume);
            }
            Ended::Stopped(e, _) => self.sdk_error(e),
            Ended::NotSubmitted(label, e) => {
                self.error(&format!("could not submit {label}: {}", error_text(e)));
                if let Some(hint) = hint(e, &self.api_url) {
                    self.hint(&hint);
                }
            }
            Ended::Unfinished(_) => {
                self.error(&format!(
                    "the status of task {task} stopped arriving before it finished"
                ));
            }
            Ended::Interrupted(_) => {
                self.error(&format!(
                    "interrupted; task {task} keeps running on the server"
                ));
                self.hint(&resume);
            }
            Ended::CancelledOnInterrupt(_) => {
                self.error(&format!("interrupted; task {task} was cancelled"));
            }
            Ended::NotCancelledOnInterrupt(e, _) => {
                self.error(&format!(
                    "interrupted, and task {task} could not be cancelled ({}); it keeps running on the server",
                    error_text(e)
                ));
                self.hint(&resume);
            }
        }
    }
}

/// One task's ending, with what the user gave for it when that was not the
/// task itself (a batch's document URL or line).
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) task: TaskRef,
    pub(crate) ended: Ended,
    pub(crate) input: Option<String>,
}

/// The text line of one of several endings: the input (for a batch), the
/// task, its state and what it came to.
fn text_line(done: &Done) -> String {
    let state = done
        .ended
        .last_status()
        .map_or_else(|| "-".to_owned(), state_word);
    let detail = match &done.ended {
        Ended::Finished(Outcome::Completed(status)) => result_excerpt(status),
        Ended::Finished(Outcome::Failed(status)) => status
            .error()
            .map_or_else(|| "failed".to_owned(), ToString::to_string),
        Ended::NotSubmitted(_, e) | Ended::Stopped(e, _) => error_text(e),
        other => other.outcome_word().replace('_', " "),
    };
    let task = match &done.ended {
        Ended::NotSubmitted(..) => "-".to_owned(),
        _ => done.task.to_string(),
    };
    match &done.input {
        Some(input) => format!("{input}\t{task}\t{state}\t{detail}"),
        None => format!("{task}\t{state}\t{detail}"),
    }
}

/// `line` cut with `…` to `width` columns as a terminal shows it (tabs
/// stopping every 8 columns); whole when there is no width.
pub(crate) fn fit(line: &str, width: Option<usize>) -> String {
    let Some(width) = width else {
        return line.to_owned();
    };
    // Keep the last column free: some terminals wrap on reaching it.
    let room = width.saturating_sub(1);
    let mut ends = Vec::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        column = if c == '\t' {
            (column / 8 + 1) * 8
        } else {
            column + console::measure_text_width(c.encode_utf8(&mut [0; 4]))
        };
        ends.push((c, column));
    }
    if column <= room {
        return line.to_owned();
    }
    // Room for the text and the `…`.
    let mut kept: String = ends
        .iter()
        .take_while(|(_, end)| *end < room)
        .map(|(c, _)| *c)
        .collect();
    kept.push('…');
    kept
}

/// A completed task's result in a few words: an analysis's summary, else
/// its JSON, cut to one line.
fn result_excerpt(status: &TaskStatus) -> String {
    let text = match status.analyze_document_result() {
        Ok(analysis) => analysis.summary,
        Err(_) => status
            .result()
            .map_or_else(|| "completed".to_owned(), ToString::to_string),
    };
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 80 {
        format!("{}…", flat.chars().take(80).collect::<String>())
    } else {
        flat
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

/// An SDK error as JSON (`error_detail`): its kind, the CLI's one-line
/// message, and the HTTP status and problem document when there were some.
pub(crate) fn error_object(e: &Error) -> Value {
    let mut o = json!({"kind": format!("{:?}", e.kind()), "message": error_text(e)});
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
fn final_object(done: &Done) -> Value {
    let (task, ended) = (&done.task, &done.ended);
    let mut o = match ended.last_status().map(TaskStatus::as_json) {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        _ => json!({}),
    };
    if let Some(input) = &done.input {
        o["input"] = json!(input);
    }
    if let Ended::NotSubmitted(_, e) = ended {
        o["outcome"] = json!(ended.outcome_word());
        o["exit_code"] = json!(ended.exit().code());
        o["error_detail"] = error_object(e);
        return o;
    }
    if o.get("task_id").is_none() {
        o["task_id"] = json!(task.to_string());
    }
    o["outcome"] = json!(ended.outcome_word());
    o["exit_code"] = json!(ended.exit().code());
    if let Ended::Stopped(e, _) | Ended::NotCancelledOnInterrupt(e, _) = ended {
        o["error_detail"] = error_object(e);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn a_line_is_cut_to_the_terminal_counting_tab_stops() {
        let line = "input\ttask-1\tCOMPLETED\tMarket trends in 2025 show strong growth";
        // "input" and its tab reach column 8, "task-1" 16, "COMPLETED" 32;
        // the text and its `…` end at 39, the last column left free.
        assert_eq!(fit(line, Some(40)), "input\ttask-1\tCOMPLETED\tMarket…");
        assert_eq!(fit(line, None), line);
        assert_eq!(fit("short", Some(40)), "short");
    }
}

//! `submit`, `wait`, `status`, `cancel`.

use std::io;
use std::io::Read;

use orchestrator::{AnalyzeDocument, Client, PollOptions, TaskRef};
use serde_json::Value;

use crate::args::{Global, One, Output, SubmitArgs, Wait};
use crate::exit::Exit;
use crate::key;
use crate::output::{AUTH_HINT, Printer, describe};
use crate::waiting::wait_all;

/// The SDK client for these options, or the exit to take.
pub(crate) fn client(global: &Global, printer: &Printer) -> Result<Client, Exit> {
    let key = key::load(global.api_key_file.as_deref()).map_err(|e| {
        printer.err(&format!("orchestrator-cli: {e}"));
        Exit::Auth
    })?;
    let mut builder = Client::builder(&global.api_url)
        .user_agent(concat!("orchestrator-cli/", env!("CARGO_PKG_VERSION")))
        .poll_options(poll_options(global));
    if let Some(key) = key {
        builder = builder.bearer_token(key);
    }
    builder.build().map_err(|e| {
        printer.err(&format!("orchestrator-cli: {e}"));
        Exit::Usage
    })
}

/// The waiting flags as SDK settings.
pub(crate) fn poll_options(global: &Global) -> PollOptions {
    let defaults = PollOptions::default();
    let long_poll = if global.no_long_poll {
        None
    } else {
        defaults.long_poll_wait
    };
    defaults
        .with_timeout(global.timeout)
        .with_min_interval(global.min_interval)
        .with_max_interval(global.max_interval)
        .with_max_retry_after(global.max_retry_after)
        .with_long_poll_wait(long_poll)
}

fn fail(printer: &Printer, error: &orchestrator::Error) -> Exit {
    printer.err(&format!("orchestrator-cli: {error}"));
    let exit = Exit::for_error(error);
    if exit == Exit::Auth {
        printer.err(AUTH_HINT);
    }
    exit
}

pub(crate) async fn submit(
    client: &Client,
    global: &Global,
    args: SubmitArgs,
    printer: &Printer,
) -> io::Result<Exit> {
    let submit = match (&args.document_url, &args.action, &args.data) {
        (Some(url), _, _) => client.analyze_document(&args.bot_id, &AnalyzeDocument::new(url)),
        (None, Some(action), Some(data)) => match read_data(data) {
            Ok(body) => client.submit(&args.bot_id, action, &body),
            Err(e) => {
                printer.err(&format!("orchestrator-cli: --data: {e}"));
                return Ok(Exit::Usage);
            }
        },
        _ => {
            printer.err("orchestrator-cli: give --document-url, or --action with --data");
            return Ok(Exit::Usage);
        }
    };
    let submit = match &args.idempotency_key {
        Some(key) => submit.idempotency_key(key),
        None => submit,
    };
    let accepted = match submit.await {
        Ok(a) => a,
        Err(e) => {
            if global.output != Output::Text {
                printer.out(&serde_json::json!({"outcome": "error", "exit_code": Exit::for_error(&e).code(), "error_detail": {"message": e.to_string()}}).to_string())?;
            }
            return Ok(fail(printer, &e));
        }
    };
    if !args.wait {
        printer.accepted(&accepted)?;
        return Ok(Exit::Success);
    }
    if global.output == Output::Text && !global.quiet {
        match accepted.task_id() {
            Some(id) if accepted.has_standard_location() => {
                printer.err(&format!("submitted {id}"));
            }
            // The id alone would not find this task again: say how to.
            _ => printer.err(&format!(
                "submitted {}; resume with: orchestrator-cli wait '{}'",
                accepted
                    .task_id()
                    .map_or_else(|| "a task".to_owned(), ToString::to_string),
                accepted.status_url()
            )),
        }
    }
    wait_all(client, global, vec![TaskRef::from(accepted)], printer).await
}

/// `--data`: inline JSON, `@FILE`, or `-` (stdin).
fn read_data(data: &str) -> Result<Value, String> {
    let text = if data == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else if let Some(path) = data.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
    } else {
        data.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))
}

pub(crate) async fn wait(
    client: &Client,
    global: &Global,
    args: Wait,
    printer: &Printer,
) -> io::Result<Exit> {
    let tasks = args.tasks.iter().map(TaskRef::from).collect();
    wait_all(client, global, tasks, printer).await
}

pub(crate) async fn status(
    client: &Client,
    global: &Global,
    args: One,
    printer: &Printer,
) -> io::Result<Exit> {
    let task = TaskRef::from(args.task.as_str());
    match client.status(&task).await {
        Ok(status) => {
            match global.output {
                Output::Text => printer.out(&format!("{task}\t{}", describe(&status)))?,
                Output::Json | Output::Jsonl => printer.out(&status.as_json().to_string())?,
            }
            Ok(Exit::Success)
        }
        Err(e) => Ok(fail(printer, &e)),
    }
}

pub(crate) async fn cancel(
    client: &Client,
    global: &Global,
    args: One,
    printer: &Printer,
) -> io::Result<Exit> {
    let task = TaskRef::from(args.task.as_str());
    match client.cancel(&task).await {
        Ok(status) => {
            match (global.output, status) {
                (Output::Text, Some(s)) => printer.out(&format!("{task}\t{}", describe(&s)))?,
                (Output::Text, None) => printer.out(&format!("{task}\tcancel requested"))?,
                (_, Some(s)) => printer.out(&s.as_json().to_string())?,
                (_, None) => printer.out(&serde_json::json!({"task_id": task.to_string(), "outcome": "cancel_requested"}).to_string())?,
            }
            Ok(Exit::Success)
        }
        Err(e) => Ok(fail(printer, &e)),
    }
}

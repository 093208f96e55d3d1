//! `submit`, `wait`, `status`, `cancel`.

use std::io;
use std::io::Read;

use futures_util::StreamExt;
use orchestrator::{Accepted, Client, PollOptions, TaskRef};
use serde_json::Value;

use crate::args::{Global, One, Output, Status, SubmitArgs, Wait};
use crate::batch;
use crate::exit::Exit;
use crate::key;
use crate::output::{Printer, accepted_object, describe, hint};
use crate::progress::Summary;
use crate::task_list::task_refs;
use crate::waiting::{Pending, wait_all};

/// The SDK client for these options, or the exit to take.
pub(crate) fn client(global: &Global, printer: &Printer) -> Result<Client, Exit> {
    let key = key::load(
        global.api_key_file.as_deref(),
        global.api_key_command.as_deref(),
    )
    .map_err(|e| {
        printer.err(&format!("orchestrator-cli: {e}"));
        Exit::Auth
    })?;
    let mut builder = Client::builder(&global.api_url)
        .user_agent(concat!("orchestrator-cli/", env!("CARGO_PKG_VERSION")))
        .poll_options(poll_options(global));
    if let Some(key) = key {
        builder = builder.bearer_token(key);
    }
    if let Some(path) = &global.cacert {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            printer.err(&format!(
                "orchestrator-cli: cannot read --cacert {}: {e}",
                path.display()
            ));
            Exit::Usage
        })?;
        builder = builder.add_root_certificate(pem);
    }
    if let Some(proxy) = &global.proxy {
        builder = builder.proxy(proxy);
    } else if global.no_proxy {
        builder = builder.no_proxy();
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
    if let Some(hint) = hint(error) {
        printer.err(hint);
    }
    Exit::for_error(error)
}

pub(crate) async fn submit(
    client: &Client,
    global: &Global,
    args: SubmitArgs,
    printer: &Printer,
) -> io::Result<Exit> {
    if args.action.is_some() && args.data.is_none() && args.from.is_none() {
        printer.err("orchestrator-cli: --action needs --data or --from");
        return Ok(Exit::Usage);
    }
    let data = match args.data.as_deref().map(read_data).transpose() {
        Ok(data) => data,
        Err(e) => {
            printer.err(&format!("orchestrator-cli: --data: {e}"));
            return Ok(Exit::Usage);
        }
    };
    let items = match batch::items(&args, data) {
        Ok(items) => items,
        Err(e) => {
            printer.err(&format!("orchestrator-cli: {e}"));
            return Ok(Exit::Usage);
        }
    };
    let several = items.len() > 1 || args.from.is_some();
    let action = args.action.clone();
    let summary = Summary::new(global, items.len(), "submitted");
    // Bounded and in input order: `buffered` keeps the order of its input.
    let mut results = futures_util::stream::iter(items)
        .map(|item| {
            let submit = match &action {
                Some(action) => client.submit(&args.bot_id, action, &item.body),
                None => client.submit(&args.bot_id, "analyze-document", &item.body),
            };
            let submit = match &item.key {
                Some(key) => submit.idempotency_key(key),
                None => submit,
            };
            async move { (item.label, submit.await) }
        })
        .buffered(usize::from(args.parallel));
    let mut pending = Vec::new();
    let mut exit = Exit::Success;
    // `-o json` for several items: one array at the end, as `wait` does.
    let mut array = (several && global.output == Output::Json).then(Vec::new);
    while let Some((label, result)) = results.next().await {
        match result {
            Ok(accepted) if args.wait => {
                summary.step(false);
                announce(global, printer, &accepted, several);
                pending.push(Pending::Task(TaskRef::from(accepted)));
            }
            Ok(accepted) => {
                summary.step(false);
                match &mut array {
                    Some(all) => all.push(accepted_object(&accepted)),
                    None => printer.accepted(&accepted)?,
                }
            }
            Err(e) if args.wait => {
                summary.step(true);
                pending.push(Pending::NotSubmitted(label, e));
            }
            Err(e) => {
                summary.step(true);
                exit = exit.worst(Exit::for_error(&e));
                let object = printer.not_submitted(&label, &e, several);
                match &mut array {
                    Some(all) => all.push(object),
                    None if global.output != Output::Text => printer.json(&object)?,
                    None => {}
                }
            }
        }
    }
    drop(results);
    summary.finish();
    if !args.wait {
        if let Some(all) = array {
            printer.json(&Value::Array(all))?;
        }
        return Ok(exit);
    }
    wait_all(client, global, pending, printer).await
}

/// The stderr line after a submit that will be waited for.
fn announce(global: &Global, printer: &Printer, accepted: &Accepted, several: bool) {
    if global.output != Output::Text || global.quiet || several {
        return;
    }
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
    let tasks = match task_refs(&args.tasks, |note| {
        printer.err(&format!("orchestrator-cli: {note}"))
    }) {
        Ok(tasks) => tasks,
        Err(e) => {
            printer.err(&format!("orchestrator-cli: {e}"));
            return Ok(Exit::Usage);
        }
    };
    wait_all(
        client,
        global,
        tasks.into_iter().map(Pending::Task).collect(),
        printer,
    )
    .await
}

pub(crate) async fn status(
    client: &Client,
    global: &Global,
    args: Status,
    printer: &Printer,
) -> io::Result<Exit> {
    let tasks = match task_refs(&args.tasks, |note| {
        printer.err(&format!("orchestrator-cli: {note}"))
    }) {
        Ok(tasks) => tasks,
        Err(e) => {
            printer.err(&format!("orchestrator-cli: {e}"));
            return Ok(Exit::Usage);
        }
    };
    let several = tasks.len() > 1;
    let mut answers = futures_util::stream::iter(tasks)
        .map(|task| async move {
            let answer = client.status(&task).await;
            (task, answer)
        })
        .buffered(8);
    let mut exit = Exit::Success;
    let mut all = Vec::new();
    while let Some((task, answer)) = answers.next().await {
        match answer {
            Ok(status) => match global.output {
                Output::Text => printer.out(&format!("{task}\t{}", describe(&status)))?,
                Output::Jsonl => printer.json(status.as_json())?,
                Output::Json if several => all.push(status.as_json().clone()),
                Output::Json => printer.json(status.as_json())?,
            },
            Err(e) => {
                exit = exit.worst(fail(printer, &e));
                if global.output != Output::Text {
                    let object = serde_json::json!({"task_id": task.to_string(), "outcome": "error", "exit_code": Exit::for_error(&e).code(), "error_detail": {"message": e.to_string()}});
                    if several && global.output == Output::Json {
                        all.push(object);
                    } else {
                        printer.json(&object)?;
                    }
                }
            }
        }
    }
    if several && global.output == Output::Json {
        printer.json(&Value::Array(all))?;
    }
    Ok(exit)
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
                (_, Some(s)) => printer.json(s.as_json())?,
                (_, None) => printer.json(&serde_json::json!({"task_id": task.to_string(), "outcome": "cancel_requested"}))?,
            }
            Ok(Exit::Success)
        }
        Err(e) => Ok(fail(printer, &e)),
    }
}

//! `submit`, `wait`, `status`, `cancel`.

use std::io;
use std::io::Read;

use futures_util::StreamExt;
use orchestrator::{Accepted, Client, PollOptions, TaskRef};
use serde_json::Value;

use crate::args::{Cancel, Global, Output, Status, SubmitArgs, Wait};
use crate::batch;
use crate::describe::{describe, describe_webhook};
use crate::exit::Exit;
use crate::key;
use crate::output::{Printer, Shape, accepted_object, error_object, error_text};
use crate::progress::{Display, Summary};
use crate::task_list::task_refs;
use crate::waiting::{Pending, wait_all};

/// The SDK client for these options, or the exit to take.
pub(crate) fn client(global: &Global, printer: &Printer) -> Result<Client, Exit> {
    let key = key::load(
        global.api_key_file.as_deref(),
        global.api_key_command.as_deref(),
    )
    .map_err(|e| {
        printer.error(&e);
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
            printer.error(&format!("cannot read --cacert {}: {e}", path.display()));
            Exit::Usage
        })?;
        builder = builder.add_root_certificate(pem);
    }
    if let Some(proxy) = &global.proxy {
        builder = builder.proxy(proxy);
    } else if global.no_proxy {
        builder = builder.no_proxy();
    }
    let client = builder.build().map_err(|e| {
        printer.error(&error_text(&e));
        Exit::Usage
    })?;
    let base = client.base_url();
    if let Some(mistake) = api_path_in_base(
        &global.api_url,
        &base.origin().ascii_serialization(),
        base.path(),
    ) {
        printer.error(&mistake);
        return Err(Exit::Usage);
    }
    Ok(client)
}

/// What is wrong with a base URL that already ends in the API's own path
/// (`…/v1`, `…/v1/tasks`): the client adds that path itself, so every
/// request would go to `…/v1/v1/…` and every task would look unknown.
fn api_path_in_base(api_url: &str, origin: &str, path: &str) -> Option<String> {
    let path = path.trim_end_matches('/');
    let (root, tail) = ["/v1/tasks", "/v1/bots", "/v1"]
        .iter()
        .find_map(|tail| path.strip_suffix(tail).map(|root| (root, *tail)))?;
    Some(format!(
        "--api-url {api_url} ends in {tail}, the API's own path, which orchestrator-cli adds \
         itself; give the server's address: --api-url {origin}{root}"
    ))
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

pub(crate) fn fail(printer: &Printer, error: &orchestrator::Error) -> Exit {
    printer.sdk_error(error);
    Exit::for_error(error)
}

pub(crate) async fn submit(
    client: &Client,
    global: &Global,
    args: SubmitArgs,
    printer: &Printer,
) -> io::Result<Exit> {
    if args.action.is_some() && args.data.is_none() && args.from.is_none() {
        printer.error("--action needs --data (the action's JSON body) or --from");
        return Ok(Exit::Usage);
    }
    if let Some(bad) = bad_name(&args.bot_id) {
        printer.error(&format!("`{}` is not a bot id: {bad}", args.bot_id));
        return Ok(Exit::Usage);
    }
    let data = match args.data.as_deref().map(read_data).transpose() {
        Ok(data) => data,
        Err(e) => {
            printer.error(&format!("--data: {e}"));
            return Ok(Exit::Usage);
        }
    };
    let items = match batch::items(&args, data) {
        Ok(items) => items,
        Err(e) => {
            printer.error(&e);
            return Ok(Exit::Usage);
        }
    };
    let several = items.len() > 1 || args.from.is_some();
    let shape = if several { Shape::Many } else { Shape::One };
    let action = args.action.clone();
    let display = Display::new(global.progress, global.quiet);
    let summary = Summary::new(&display, items.len(), "submitted");
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
            let submit = args
                .labels
                .iter()
                .fold(submit, |submit, (k, v)| submit.label(k, v));
            let submit = match &args.webhook {
                Some(url) => submit.webhook(url),
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
                let task = TaskRef::from(accepted);
                pending.push(if several {
                    Pending::Submitted(label, task)
                } else {
                    Pending::Task(task)
                });
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
    // Waiting shows its own summary; a batch only submitted keeps this one.
    summary.finish(!args.wait);
    if !args.wait {
        display.finish();
        if let Some(all) = array {
            printer.json(&Value::Array(all))?;
        }
        return Ok(exit);
    }
    wait_all(client, global, &display, pending, shape, printer).await
}

/// Why `name` cannot be a bot id, if it cannot: it would not stay one
/// segment of the API's path (`..` would climb out of it).
fn bad_name(name: &str) -> Option<&'static str> {
    match name.trim() {
        "" => Some("it is empty"),
        "." | ".." => Some("`.` and `..` are not names"),
        n if n.contains('/') => Some("a bot id has no `/` (to wait on a status URL, use `wait`)"),
        _ => None,
    }
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

/// `--data`: inline JSON, `@FILE`, or `-` (stdin; `@-` too, as curl reads it).
fn read_data(data: &str) -> Result<Value, String> {
    let text = if data == "-" || data == "@-" {
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
    let Some(tasks) = named_tasks(&args.tasks, printer) else {
        return Ok(Exit::Usage);
    };
    let display = Display::new(global.progress, global.quiet);
    wait_all(
        client,
        global,
        &display,
        tasks.into_iter().map(Pending::Task).collect(),
        Shape::of(&args.tasks),
        printer,
    )
    .await
}

/// The tasks named on the command line (`-`: read from stdin), or `None`
/// once the reason they cannot be read is said.
pub(crate) fn named_tasks(args: &[String], printer: &Printer) -> Option<Vec<TaskRef>> {
    match task_refs(args, |note| printer.err(&format!("note: {note}"))) {
        Ok(tasks) => Some(tasks),
        Err(e) => {
            printer.error(&e);
            None
        }
    }
}

pub(crate) async fn status(
    client: &Client,
    global: &Global,
    args: Status,
    printer: &Printer,
) -> io::Result<Exit> {
    let Some(tasks) = named_tasks(&args.tasks, printer) else {
        return Ok(Exit::Usage);
    };
    let several = Shape::of(&args.tasks) == Shape::Many;
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
                Output::Text => match status.webhook() {
                    // A third column, only for a task with a webhook.
                    Some(webhook) => printer.out(&format!(
                        "{task}\t{}\t{}",
                        describe(&status),
                        describe_webhook(&webhook)
                    ))?,
                    None => printer.out(&format!("{task}\t{}", describe(&status)))?,
                },
                Output::Jsonl => printer.json(status.as_json())?,
                Output::Json if several => all.push(status.as_json().clone()),
                Output::Json => printer.json(status.as_json())?,
            },
            Err(e) => {
                exit = exit.worst(fail(printer, &e));
                if global.output != Output::Text {
                    let object = serde_json::json!({"task_id": task.to_string(), "outcome": "error", "exit_code": Exit::for_error(&e).code(), "error_detail": error_object(&e)});
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
    args: Cancel,
    printer: &Printer,
) -> io::Result<Exit> {
    let Some(tasks) = named_tasks(&args.tasks, printer) else {
        return Ok(Exit::Usage);
    };
    let several = Shape::of(&args.tasks) == Shape::Many;
    let mut answers = futures_util::stream::iter(tasks)
        .map(|task| async move {
            let answer = client.cancel(&task).await;
            (task, answer)
        })
        .buffered(8);
    let mut exit = Exit::Success;
    let mut all = Vec::new();
    while let Some((task, answer)) = answers.next().await {
        let object = match answer {
            Ok(status) => {
                if global.output == Output::Text {
                    let what = status
                        .as_ref()
                        .map_or_else(|| "cancel requested".to_owned(), describe);
                    printer.out(&format!("{task}\t{what}"))?;
                }
                let mut o = status.map_or_else(|| serde_json::json!({}), |s| s.as_json().clone());
                o["task_id"] = serde_json::json!(task.to_string());
                o["outcome"] = serde_json::json!("cancelled");
                o["exit_code"] = serde_json::json!(Exit::Success.code());
                o
            }
            // Already finished: said once, and with --ignore-finished no fault.
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 409) => {
                let mut o = serde_json::json!({"task_id": task.to_string(), "outcome": "already_finished", "exit_code": Exit::Success.code()});
                if args.ignore_finished {
                    if global.output == Output::Text {
                        printer.out(&format!("{task}\talready finished"))?;
                    }
                } else {
                    printer.error(&format!(
                        "task {task} has already finished; nothing to cancel"
                    ));
                    printer.hint("--ignore-finished makes that no error (exit 0)");
                    exit = exit.worst(Exit::Rejected);
                    o["exit_code"] = serde_json::json!(Exit::Rejected.code());
                }
                o
            }
            Err(e) => {
                exit = exit.worst(fail(printer, &e));
                serde_json::json!({"task_id": task.to_string(), "outcome": "error", "exit_code": Exit::for_error(&e).code(), "error_detail": error_object(&e)})
            }
        };
        match global.output {
            Output::Text => {}
            Output::Json if several => all.push(object),
            _ => printer.json(&object)?,
        }
    }
    if several && global.output == Output::Json {
        printer.json(&Value::Array(all))?;
    }
    Ok(exit)
}

//! `orchestrator-cli events`: tails the tenant's event stream until
//! interrupted — one tab-separated line per event, or one JSON object per
//! line — resuming by itself after a dropped connection.

use std::io;

use futures_util::StreamExt;
use orchestrator::{Client, StreamEvent, TaskEvent, TaskFilter};
use serde_json::{Value, json};

use crate::args::{Events, Global, Output};
use crate::commands::fail;
use crate::describe::state_word;
use crate::exit::Exit;
use crate::output::Printer;

fn filter_of(args: &Events) -> TaskFilter {
    args.tasks
        .iter()
        .fold(args.selection.task_filter(), |filter, id| filter.task(id))
}

/// One event as a line: id, kind, task, state, progress, what it is doing.
fn plain_line(event: &TaskEvent) -> String {
    let s = event.status();
    [
        event.id().to_string(),
        event.kind().to_string(),
        s.task_id().map(|id| id.to_string()).unwrap_or_default(),
        state_word(s),
        s.progress_percent()
            .map(|p| format!("{p:.0}"))
            .unwrap_or_else(|| "-".into()),
        s.progress_message().unwrap_or("-").to_owned(),
    ]
    .join("\t")
}

/// One event as JSON: its id, its kind and the status it carried.
fn json_object(event: &TaskEvent) -> Value {
    json!({
        "id": event.id(),
        "event": event.kind().as_str(),
        "status": event.status().as_json(),
    })
}

pub(crate) async fn tail(
    client: &Client,
    global: &Global,
    args: Events,
    printer: &Printer,
) -> io::Result<Exit> {
    let filter = filter_of(&args);
    let mut stream = std::pin::pin!(client.events_after(&filter, args.since_id));
    let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            _ = &mut interrupted => return Ok(Exit::Interrupted),
        };
        match item {
            None => return Ok(Exit::Success),
            Some(Err(e)) => return Ok(fail(printer, &e)),
            Some(Ok(StreamEvent::Gap {
                after,
                swept_through,
            })) => printer.err(&format!(
                "note: events after {after} up to {swept_through} were deleted with their tasks \
                 (list the tasks to see where they are now)"
            )),
            Some(Ok(StreamEvent::Task(event))) => match global.output {
                // A stream that never ends has no final array: JSON is one
                // object per line, as with -o jsonl.
                Output::Json | Output::Jsonl => printer.json(&json_object(&event))?,
                _ => printer.out(&plain_line(&event))?,
            },
            Some(Ok(_)) => {}
        }
    }
}

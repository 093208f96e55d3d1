//! Waiting for tasks with progress, heartbeats and Ctrl-C.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use orchestrator::{Client, Outcome, TaskRef, TaskStatus};
use tokio::sync::watch;

use crate::args::Global;
use crate::exit::Exit;
use crate::output::{Done, Ended, Printer, Shape};
use crate::progress::{Display, Summary};

/// A task to wait for, or an item of a batch that never became one.
#[derive(Debug)]
pub(crate) enum Pending {
    /// A task named on the command line.
    Task(TaskRef),
    /// A batch's item, submitted: what the user gave for it, and its task.
    Submitted(String, TaskRef),
    /// The submit failed: what the user gave, and why.
    NotSubmitted(String, orchestrator::Error),
}

/// How often waits check whether a heartbeat line is due.
const TICK: Duration = Duration::from_secs(1);

/// Waits for all `tasks` concurrently; prints each ending (in the order
/// given, in `shape`); returns the worst exit.
pub(crate) async fn wait_all(
    client: &Client,
    global: &Global,
    display: &Display,
    tasks: Vec<Pending>,
    shape: Shape,
    printer: &Printer,
) -> io::Result<Exit> {
    let summary = Summary::new(display, tasks.len(), "done");
    let bars = if summary.replaces_bars() {
        Display::None
    } else {
        display.clone()
    };
    let (interrupt_tx, interrupt) = watch::channel(false);
    let interrupt_tx = Arc::new(interrupt_tx);
    let listener = tokio::spawn({
        let tx = interrupt_tx.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                tx.send_replace(true);
            }
        }
    });
    let waits = tasks.into_iter().map(|pending| {
        let (client, display, printer, interrupt, summary) = (
            client.clone(),
            bars.clone(),
            printer.clone(),
            interrupt.clone(),
            summary.clone(),
        );
        let cancel = global.cancel_on_interrupt;
        async move {
            let result = match pending {
                Pending::Task(task) => wait_one(client, task, display, printer, interrupt, cancel)
                    .await
                    .map(|(task, ended)| Done {
                        task,
                        ended,
                        input: None,
                    }),
                Pending::Submitted(input, task) => {
                    wait_one(client, task, display, printer, interrupt, cancel)
                        .await
                        .map(|(task, ended)| Done {
                            task,
                            ended,
                            input: Some(input),
                        })
                }
                Pending::NotSubmitted(label, e) => Ok(Done {
                    task: TaskRef::from(label.as_str()),
                    ended: Ended::NotSubmitted(label.clone(), e),
                    input: Some(label),
                }),
            };
            if let Ok(done) = &result {
                summary.step(done.ended.exit() != Exit::Success);
            }
            result
        }
    });
    let results = futures_util::future::join_all(waits).await;
    listener.abort();
    let results: Vec<Done> = results.into_iter().collect::<io::Result<_>>()?;
    summary.finish(true);
    display.finish();
    printer.ended(&results, shape, global.timeout)?;
    Ok(results
        .iter()
        .map(|d| d.ended.exit())
        .fold(Exit::Success, Exit::worst))
}

async fn wait_one(
    client: Client,
    task: TaskRef,
    display: Display,
    printer: Printer,
    mut interrupt: watch::Receiver<bool>,
    cancel_on_interrupt: bool,
) -> io::Result<(TaskRef, Ended)> {
    let mut progress = display.task(task.to_string());
    let mut poller = client.poll(&task);
    let mut last: Option<TaskStatus> = None;
    let mut tick = tokio::time::interval(TICK);
    let ended = loop {
        tokio::select! {
            item = poller.next() => match item {
                Some(Ok(update)) => {
                    progress.observe(update.status());
                    printer.update(update.status())?;
                    if let Some(outcome) = Outcome::from_status(update.status().clone()) {
                        break Ended::Finished(outcome);
                    }
                    last = Some(update.into_status());
                }
                Some(Err(e)) => break Ended::Stopped(e, last),
                // The SDK ends its stream only after a terminal status or an error.
                None => break Ended::Unfinished(last),
            },
            _ = tick.tick() => progress.heartbeat(),
            _ = interrupt.changed() => {
                drop(poller);
                if !cancel_on_interrupt {
                    break Ended::Interrupted(last);
                }
                // What happened is said once, with the other endings.
                break match client.cancel(&task).await {
                    Ok(status) => Ended::CancelledOnInterrupt(status.or(last)),
                    Err(e) => Ended::NotCancelledOnInterrupt(e, last),
                };
            }
        }
    };
    progress.finish();
    Ok((task, ended))
}

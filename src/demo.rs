//! `orchestrator-cli demo`: the bundled server in-process on an ephemeral
//! loopback port, a sample document, the real poller and a moving bar.

use std::io;
use std::sync::Arc;

use orchestrator::{AnalyzeDocument, Client, TaskRef};
use orchestrator_server::{MemoryStore, Server, ServerConfig};

use crate::args::{Demo, Global};
use crate::commands::poll_options;
use crate::exit::Exit;
use crate::output::{Printer, Shape};
use crate::progress::Display;
use crate::waiting::{Pending, wait_all};

/// The sample: a short market report in Markdown.
const SAMPLE: &str = include_str!("sample-report.md");

pub(crate) async fn run(global: &Global, args: Demo, printer: &Printer) -> io::Result<Exit> {
    let key = format!("demo-{}", uuid::Uuid::new_v4());
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("a literal socket address"),
        api_key: Some(key.clone()),
        work_delay: args.work_time,
        workers: 1,
        ..ServerConfig::default()
    };
    // The in-memory store: the demo keeps nothing, and needs no SQLite.
    let server = match Server::with_store(config, Arc::new(MemoryStore::new())).await {
        Ok(s) => s.spawn(),
        Err(e) => {
            printer.error(&format!("could not start the demo server: {e:#}"));
            return Ok(Exit::Unavailable);
        }
    };
    printer.err(&format!(
        "demo: reference server listening on {} (in-memory, throwaway key)",
        server.url()
    ));
    let client = match Client::builder(server.url())
        .bearer_token(key)
        .poll_options(poll_options(global))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            printer.sdk_error(&e);
            return Ok(Exit::Usage);
        }
    };
    let document = format!(
        "data:text/markdown;charset=utf-8,{}",
        percent_encode(SAMPLE)
    );
    let accepted = match client
        .analyze_document("demo-bot", &AnalyzeDocument::new(document))
        .await
    {
        Ok(a) => a,
        Err(e) => {
            printer.sdk_error(&e);
            return Ok(Exit::for_error(&e));
        }
    };
    printer.err(&format!(
        "demo: submitted the sample report as task {}",
        accepted
            .task_id()
            .map(ToString::to_string)
            .unwrap_or_default()
    ));
    let display = Display::new(global.progress, global.quiet);
    let exit = wait_all(
        &client,
        global,
        &display,
        vec![Pending::Task(TaskRef::from(accepted))],
        Shape::One,
        printer,
    )
    .await;
    if let Err(e) = server.shutdown().await {
        printer.err(&format!("demo: the server did not stop cleanly: {e:#}"));
    }
    exit
}

fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

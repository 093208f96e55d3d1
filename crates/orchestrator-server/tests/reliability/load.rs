//! A thousand waits held at once by long polling against one server.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use orchestrator::{AnalyzeDocument, Client, PollOptions};

use crate::{KEY, REPORT, data_url, server_bin};
use orchestrator_testkit::{ServerProcess, figure, usage};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_long_polling_waits_all_complete() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("load.db"),
        "127.0.0.1:0",
        KEY,
        &[
            "--workers",
            "100",
            "--work-delay-ms",
            "500",
            "--max-queued",
            "2000",
        ],
    );
    let mut options = PollOptions::default();
    options.timeout = Some(Duration::from_secs(120));
    let client = Client::builder(&server.url)
        .bearer_token(KEY)
        .poll_options(options)
        .build()
        .unwrap();

    let started = Instant::now();
    let waits = (0..1000).map(|i| {
        let client = client.clone();
        async move {
            let accepted = client
                .analyze_document(
                    "bot-1",
                    &AnalyzeDocument::new(data_url(&format!("{REPORT} Run {i}."))),
                )
                .await?;
            client.poll(&accepted).await
        }
    });
    let outcomes = join_all(waits).await;
    let elapsed = started.elapsed();
    let completed = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|o| o.is_completed()))
        .count();
    let (server_peak, server_cpu) = usage(server.pid());
    let (client_peak, client_cpu) = usage(std::process::id());
    assert_eq!(
        completed,
        1000,
        "{:?}",
        outcomes.iter().find(|o| o.is_err())
    );
    figure(
        "load",
        &format!(
            "1000 concurrent long-polling waits: all completed in {elapsed:.1?}; server peak RSS {server_peak} KiB, CPU {server_cpu:.2} s; \
             client (this test process) peak RSS {client_peak} KiB, CPU {client_cpu:.2} s"
        ),
    );
    server.kill();
}

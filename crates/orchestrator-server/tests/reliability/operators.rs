//! The operator flags on the real binary: a task past `--task-ttl` is swept
//! and answers 404, and `--metrics-listen` serves the counts of what happened.

use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, ErrorKind, PollOptions};
use orchestrator_testkit::{ServerProcess, free_port};

use crate::{KEY, REPORT, data_url, server_bin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_sweeps_expired_tasks_and_serves_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("ops.db"),
        "127.0.0.1:0",
        KEY,
        &[
            "--task-ttl",
            "1s",
            "--sweep-every",
            "100ms",
            "--metrics-listen",
            &metrics,
        ],
    );
    let client = Client::builder(&server.url)
        .bearer_token(KEY)
        .poll_options(PollOptions::default().with_min_interval(Duration::from_millis(20)))
        .build()
        .unwrap();
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    assert!(client.poll(&accepted).await.unwrap().is_completed());

    let scrape = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scrape.contains(r#"orchestrator_tasks_submitted_total{tenant="default"} 1"#),
        "{scrape}"
    );
    assert!(scrape.contains(r#"outcome="completed"} 1"#), "{scrape}");

    // Past its time to live, the sweep deletes it.
    let mut gone = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if client
            .status(&accepted)
            .await
            .is_err_and(|e| e.kind() == ErrorKind::NotFound)
        {
            gone = true;
            break;
        }
    }
    assert!(gone, "the task outlived --task-ttl 1s");
}

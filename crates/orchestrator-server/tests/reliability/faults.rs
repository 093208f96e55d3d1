//! With 30% of requests failing (half of the submit faults after the task was
//! created), every task still completes exactly once.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use orchestrator::{AnalyzeDocument, Client, PollOptions};

use crate::{KEY, REPORT, data_url, server_bin};
use orchestrator_testkit::{ServerProcess, figure};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_tasks_through_a_30_percent_fault_rate_all_complete_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faults.db");
    let server = ServerProcess::start(
        server_bin(),
        &db,
        "127.0.0.1:0",
        KEY,
        &[
            "--fault-rate",
            "0.3",
            "--fault-seed",
            "42",
            "--workers",
            "4",
        ],
    );
    let mut options = PollOptions::default();
    options.min_interval = Duration::from_millis(10);
    options.max_interval = Duration::from_millis(100);
    options.max_retry_after = Duration::from_millis(100); // the faults say "Retry-After: 1"
    options.timeout = Some(Duration::from_secs(120));
    // At 30%, ten failures in a row happen once in 170,000 tries.
    let client = Client::builder(&server.url)
        .bearer_token(KEY)
        .submit_retries(12)
        .poll_options(options)
        .build()
        .unwrap();

    let started = Instant::now();
    let runs = (0..200).map(|i| {
        let client = client.clone();
        async move {
            let accepted = client
                .analyze_document(
                    "bot-1",
                    &AnalyzeDocument::new(data_url(&format!("{REPORT} Number {i}."))),
                )
                .await?;
            client.poll(&accepted).await
        }
    });
    let outcomes = join_all(runs).await;
    let elapsed = started.elapsed();
    let completed = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|o| o.is_completed()))
        .count();
    let errors: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().err().map(ToString::to_string))
        .collect();
    assert_eq!(completed, 200, "errors: {errors:?}");
    let (peak_kib, cpu) = orchestrator_testkit::usage(server.pid());
    server.kill();

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (tasks, done): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(status = 'COMPLETED') FROM tasks",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((tasks, done), (200, 200), "no duplicate and no lost task");
    figure(
        "faults",
        &format!(
            "200/200 tasks completed through a 30% fault rate in {elapsed:.1?}; database holds exactly {tasks}; server peak RSS {peak_kib} KiB, CPU {cpu:.2} s"
        ),
    );
}

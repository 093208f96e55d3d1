//! SIGKILL mid-work: after a restart on the same database every task
//! completes, and a CLI wait running across the crash rides it out.

use std::future::IntoFuture;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use orchestrator::{AnalyzeDocument, Client, PollOptions, TaskState};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::server_bin;
use crate::support::{KEY, REPORT, data_url};
use orchestrator_testkit::{ServerProcess, figure, free_port};

fn client(url: &str) -> Client {
    let mut options = PollOptions::default();
    options.min_interval = Duration::from_millis(20);
    options.max_interval = Duration::from_millis(250);
    options.timeout = Some(Duration::from_secs(60));
    Client::builder(url)
        .bearer_token(KEY)
        .poll_options(options)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_killed_mid_work_all_complete_after_a_restart_and_a_cli_wait_rides_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let listen = format!("127.0.0.1:{}", free_port());
    let first = ServerProcess::start(
        server_bin(),
        &db,
        &listen,
        KEY,
        &["--workers", "25", "--work-delay-ms", "4000"],
    );
    let sdk = client(&first.url);
    let ids: Vec<String> = join_all((0..50).map(|i| {
        let sdk = sdk.clone();
        async move {
            sdk.analyze_document(
                "bot-1",
                &AnalyzeDocument::new(data_url(&format!("{REPORT} Item {i}."))),
            )
            .await
            .unwrap()
            .task_id()
            .unwrap()
            .to_string()
        }
    }))
    .await;

    // A CLI wait on one of the running tasks, across the crash.
    let watched = ids[0].clone();
    let cli = Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
        .env("ORCHESTRATOR_API_URL", &first.url)
        .env("ORCHESTRATOR_API_KEY", KEY)
        .env_remove("CI")
        .args([
            "-o",
            "json",
            "--min-interval",
            "50ms",
            "--max-interval",
            "500ms",
            "wait",
            &watched,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Kill once work is under way: the first 25 are RUNNING with progress.
    loop {
        let s = sdk.status(watched.as_str()).await.unwrap();
        if s.state() == &TaskState::Running && s.progress_percent() > Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed_at = Instant::now();
    first.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = ServerProcess::start(
        server_bin(),
        &db,
        &listen,
        KEY,
        &["--workers", "25", "--work-delay-ms", "300"],
    );
    let restarted_in = killed_at.elapsed();

    let sdk = client(&second.url);
    let outcomes = join_all(ids.iter().map(|id| sdk.poll(id.as_str()).into_future())).await;
    let completed = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|o| o.is_completed()))
        .count();
    assert_eq!(
        completed,
        50,
        "{:?}",
        outcomes.iter().filter(|o| o.is_err()).collect::<Vec<_>>()
    );

    let out = tokio::task::spawn_blocking(move || cli.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["status"], "COMPLETED");
    assert_eq!(result["task_id"], watched.as_str());
    assert_eq!(result["result"]["sentiment"], "POSITIVE");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (tasks, rerun): (i64, i64) = conn
        .query_row("SELECT COUNT(*), SUM(attempts > 1) FROM tasks", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(tasks, 50);
    assert!(rerun >= 1, "some tasks were interrupted and ran again");
    figure(
        "crash",
        &format!(
            "SIGKILL with 50 tasks in flight; restarted in {restarted_in:.1?}; 50/50 completed, {rerun} ran twice (at-least-once); the CLI wait across the crash exited 0"
        ),
    );
    second.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_vanishes_mid_wait_ends_the_cli_with_exit_5_not_a_hang() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"task_id": "t-1", "status": "RUNNING", "progress_percent": 10}),
        ))
        .up_to_n_times(2)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&mock)
        .await;
    let url = mock.uri();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_orchestrator-cli"))
            .env("ORCHESTRATOR_API_URL", url)
            .env("ORCHESTRATOR_API_KEY", KEY)
            .args(["--min-interval", "10ms", "wait", "t-1"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("task `t-1` was not found"), "{stderr}");
}

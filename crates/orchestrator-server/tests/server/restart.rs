//! The real binary: killed with SIGKILL mid-task and restarted on the same
//! database, the task still completes; SIGTERM shuts it down promptly.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, TaskState};

use crate::server_bin;
use crate::support::*;

use orchestrator_testkit::ServerProcess;

fn spawn(db: &Path, extra: &[&str]) -> ServerProcess {
    ServerProcess::start(server_bin(), db, "127.0.0.1:0", KEY, extra)
}

/// A client for `url`, polling briskly, to configure further.
fn sdk_builder(url: &str) -> orchestrator::ClientBuilder {
    let mut options = orchestrator::PollOptions::default();
    options.min_interval = Duration::from_millis(20);
    options.max_interval = Duration::from_millis(200);
    options.timeout = Some(Duration::from_secs(20));
    Client::builder(url).bearer_token(KEY).poll_options(options)
}

fn sdk(url: &str) -> Client {
    sdk_builder(url).build().unwrap()
}

pub(crate) async fn a_task_interrupted_by_sigkill_completes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tasks.db");
    let first = spawn(&db, &["--work-delay-ms", "20000", "--workers", "1"]);
    let client = sdk(&first.url);
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    loop {
        let status = client.status(&accepted).await.unwrap();
        if status.state() == &TaskState::Running && status.progress_percent() > Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill();

    let second = spawn(&db, &["--workers", "1"]);
    let outcome = sdk(&second.url)
        .poll(accepted.task_id().unwrap())
        .await
        .unwrap();
    assert!(outcome.is_completed(), "{outcome:?}");
    second.kill();

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (count, attempts): (i64, i64) = conn
        .query_row("SELECT COUNT(*), MAX(attempts) FROM tasks", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (count, attempts),
        (1, 2),
        "one task, run twice (at-least-once)"
    );
}

pub(crate) async fn a_wait_with_prior_knowledge_carries_on_over_a_new_connection_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tasks.db");
    let listen = format!("127.0.0.1:{}", orchestrator_testkit::free_port());
    let first = ServerProcess::start(
        server_bin(),
        &db,
        &listen,
        KEY,
        &["--work-delay-ms", "3000"],
    );
    let client = sdk_builder(&first.url)
        .http2_prior_knowledge(true)
        .build()
        .unwrap();
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let wait = tokio::spawn({
        let client = client.clone();
        let accepted = accepted.clone();
        async move { client.poll(&accepted).await }
    });
    // The wait's long poll is held on the first server's connection when
    // that server dies; the second one listens on the same address.
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill();
    let second = ServerProcess::start(server_bin(), &db, &listen, KEY, &[]);

    let outcome = wait.await.unwrap().unwrap();
    assert!(outcome.is_completed(), "{outcome:?}");
    second.kill();
}

#[cfg(unix)]
pub(crate) async fn sigterm_stops_the_server_promptly_and_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = spawn(&dir.path().join("tasks.db"), &["--work-delay-ms", "30000"]);
    let client = sdk(&server.url);
    let accepted = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    while client.status(&accepted).await.unwrap().state() != &TaskState::Running {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    let conn = rusqlite::Connection::open(dir.path().join("tasks.db")).unwrap();
    let state: String = conn
        .query_row("SELECT status FROM tasks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        state, "PENDING",
        "a graceful stop puts running work back in the queue"
    );
}

pub(crate) async fn the_server_refuses_to_start_without_a_key() {
    let output = Command::new(env!("CARGO_BIN_EXE_orchestrator-server"))
        .args(["--listen", "127.0.0.1:0", "--db", ":memory:"])
        .env_remove("ORCHESTRATOR_API_KEY")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--insecure-no-auth"), "{stderr}");
}

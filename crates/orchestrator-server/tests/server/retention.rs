//! Retention: finished tasks are deleted once past `task_ttl` (a GET then
//! answers 404), unfinished ones never; idempotency keys outlive their task
//! until they are 24 h old. Time is a virtual clock moved by the test.

use std::time::{Duration, SystemTime};

use orchestrator::clock::VirtualClock;
use orchestrator::{AnalyzeDocument, ErrorKind};
use orchestrator_server::{Database, ServerConfig};

use crate::support::*;

/// Polls until `$check` holds, for up to 5 s of real time.
macro_rules! eventually {
    ($check:expr) => {{
        let mut held = false;
        for _ in 0..250 {
            if $check {
                held = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        held
    }};
}

pub(crate) async fn finished_tasks_go_after_their_time_to_live_and_their_keys_a_day_after_they_were_made()
 {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("retention.db");
    let clock = VirtualClock::new(SystemTime::now());
    let config = ServerConfig {
        database: Database::File(db.clone()),
        clock: std::sync::Arc::new(clock.clone()),
        task_ttl: Duration::from_secs(3600),
        sweep_every: Duration::from_millis(20),
        ..config()
    };
    let server = start(config).await;
    let client = client(&server);
    let done = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .idempotency_key("report-1")
        .await
        .unwrap();
    assert!(client.poll(&done).await.unwrap().is_completed());
    let keys = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM idempotency_keys", [], |r| r.get(0))
            .unwrap()
    };

    // Within its time to live, it stays.
    clock.advance(Duration::from_secs(1800));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(client.status(&done).await.is_ok());

    // Past it, the sweep deletes it: 404, which the SDK reports as gone.
    clock.advance(Duration::from_secs(3600));
    assert!(
        eventually!(
            client
                .status(&done)
                .await
                .is_err_and(|e| e.kind() == ErrorKind::NotFound)
        ),
        "the finished task was not deleted"
    );
    // The key is younger than a day: it stays, though its task is gone.
    assert_eq!(keys(&db), 1);
    clock.advance(Duration::from_secs(24 * 3600));
    assert!(
        eventually!(keys(&db) == 0),
        "the key outlived a day without its task"
    );
    server.shutdown().await.unwrap();
}

pub(crate) async fn unfinished_tasks_are_never_swept() {
    let clock = VirtualClock::new(SystemTime::now());
    let config = ServerConfig {
        clock: std::sync::Arc::new(clock.clone()),
        task_ttl: Duration::from_secs(60),
        sweep_every: Duration::from_millis(20),
        work_delay: Duration::from_secs(600),
        workers: 1,
        ..config()
    };
    let server = start(config).await;
    let client = client(&server);
    let running = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let pending = client
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url("Second one.")))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(30 * 24 * 3600));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!client.status(&running).await.unwrap().is_terminal());
    assert!(!client.status(&pending).await.unwrap().is_terminal());
    server.shutdown().await.unwrap();
}

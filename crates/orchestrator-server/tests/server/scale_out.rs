//! Several `orchestrator-server` binaries over one PostgreSQL database:
//! nothing lost, nothing run twice, wake-ups and cancels across instances.
//! Each test gets a database of its own (see `support`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::join_all;
use orchestrator::{AnalyzeDocument, Client, PollOptions};
use orchestrator_server::Database;
use orchestrator_testkit::{ServerProcess, figure};

use crate::support::*;
use crate::{Test, server_bin, test};

pub(crate) fn tests() -> Vec<Test> {
    vec![
        test!(
            postgres_only,
            scale_out::two_instances_share_the_work_and_run_each_task_once
        ),
        test!(
            postgres_only,
            scale_out::a_killed_instances_tasks_finish_on_the_survivor_after_the_lease
        ),
        test!(
            postgres_only,
            scale_out::a_long_poll_on_one_instance_answers_when_another_completes_the_task
        ),
        test!(
            postgres_only,
            scale_out::a_cancel_on_one_instance_stops_the_run_on_another
        ),
        test!(
            postgres_only,
            scale_out::one_idempotency_key_sent_to_two_instances_at_once_makes_one_task
        ),
        test!(
            postgres_only,
            scale_out::instances_started_together_all_come_up_and_a_lost_listener_recovers
        ),
    ]
}

/// The trial's database, as a URL for `--db`.
fn url() -> String {
    match database() {
        Database::Postgres(url) => url.expose().to_owned(),
        other => panic!("a scale-out test needs PostgreSQL, not {other:?}"),
    }
}

/// An instance on the trial's database, logging at info (to count its work).
fn instance(extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--log", "orchestrator_server=info,warn"];
    args.extend_from_slice(extra);
    ServerProcess::start(
        server_bin(),
        std::path::Path::new(&url()),
        "127.0.0.1:0",
        KEY,
        &args,
    )
}

fn sdk(server: &ServerProcess) -> Client {
    Client::builder(&server.url)
        .bearer_token(KEY)
        .poll_options(
            PollOptions::default()
                .with_min_interval(Duration::from_millis(20))
                .with_max_interval(Duration::from_millis(250))
                .with_timeout(Some(Duration::from_secs(90))),
        )
        .build()
        .unwrap()
}

async fn pg() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// How many times an instance's log says `needle`.
fn said(server: &ServerProcess, needle: &str) -> usize {
    server.log.lock().unwrap().matches(needle).count()
}

pub(crate) async fn two_instances_share_the_work_and_run_each_task_once() {
    let a = instance(&["--workers", "4"]);
    let b = instance(&["--workers", "4"]);
    let clients = [sdk(&a), sdk(&b)];
    let started = Instant::now();
    let outcomes = join_all((0..500).map(|i| {
        let client = clients[i % 2].clone();
        async move {
            let accepted = client
                .analyze_document(
                    "bot-1",
                    &AnalyzeDocument::new(data_url(&format!("{REPORT} {i}."))),
                )
                .await?;
            client.poll(&accepted).await
        }
    }))
    .await;
    let took = started.elapsed();
    let completed = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|o| o.is_completed()))
        .count();
    assert_eq!(completed, 500, "{:?}", outcomes.iter().find(|o| o.is_err()));
    let db = pg().await;
    let row = db
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE status = 'COMPLETED'), max(attempts), min(attempts) FROM tasks",
            &[],
        )
        .await
        .unwrap();
    let (rows, done, max, min): (i64, i64, i32, i32) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!((rows, done, max, min), (500, 500, 1, 1));
    let (by_a, by_b) = (said(&a, "task finished"), said(&b, "task finished"));
    assert_eq!(by_a + by_b, 500);
    assert!(
        by_a > 0 && by_b > 0,
        "one instance did all the work: {by_a} / {by_b}"
    );
    figure(
        "scale-out",
        &format!(
            "two instances, 500 tasks round-robin: all COMPLETED in {took:.1?}, 500 rows, every attempt count 1; instance A ran {by_a}, B ran {by_b}"
        ),
    );
}

pub(crate) async fn a_killed_instances_tasks_finish_on_the_survivor_after_the_lease() {
    // The victim claims five slow tasks; the survivor starts once they are
    // all running there, and gets them only when the victim's leases expire.
    let victim = instance(&[
        "--workers",
        "5",
        "--work-delay-ms",
        "60000",
        "--lease",
        "2s",
    ]);
    let client = sdk(&victim);
    let mut ids = Vec::new();
    for i in 0..5 {
        let accepted = client
            .analyze_document(
                "bot-1",
                &AnalyzeDocument::new(data_url(&format!("{REPORT} {i}."))),
            )
            .await
            .unwrap();
        ids.push(accepted.task_id().unwrap().to_string());
    }
    let db = pg().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let running: i64 = db
            .query_one("SELECT count(*) FROM tasks WHERE status = 'RUNNING'", &[])
            .await
            .unwrap()
            .get(0);
        if running == 5 {
            break;
        }
        assert!(Instant::now() < deadline, "the victim never ran all five");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let survivor = instance(&["--workers", "5", "--lease", "2s"]);
    let killed_at = Instant::now();
    victim.kill();

    // A CLI wait pointed at the survivor rides it out.
    let cli = orchestrator_testkit::cli_binary_beside(server_bin());
    let watched = ids[0].clone();
    let survivor_url = survivor.url.clone();
    let wait = tokio::task::spawn_blocking(move || {
        std::process::Command::new(cli)
            .env_clear()
            .env("ORCHESTRATOR_API_URL", survivor_url)
            .env("ORCHESTRATOR_API_KEY", KEY)
            .args(["wait", &watched, "-o", "json", "--timeout", "60s"])
            .output()
            .unwrap()
    });
    let survivor_client = sdk(&survivor);
    for id in &ids {
        let outcome = survivor_client.poll(id.as_str()).await.unwrap();
        assert!(outcome.is_completed(), "{id}: {outcome:?}");
    }
    let recovered_in = killed_at.elapsed();
    let out = wait.await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["status"], "COMPLETED");
    let attempts: Vec<i32> = db
        .query("SELECT attempts FROM tasks ORDER BY seq", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        attempts,
        vec![2; 5],
        "each ran once on each instance, and no more"
    );
    figure(
        "scale-out",
        &format!(
            "SIGKILL of an instance with 5 tasks RUNNING (lease 2 s): the survivor finished all 5 within {recovered_in:.1?}, attempts 2 each; a CLI wait on the survivor exited 0"
        ),
    );
}

pub(crate) async fn a_long_poll_on_one_instance_answers_when_another_completes_the_task() {
    // A only serves the API; B does the work, slowly enough to long-poll.
    let a = instance(&["--workers", "0"]);
    let b = instance(&["--workers", "4", "--work-delay-ms", "400"]);
    let http = reqwest::Client::new();
    let mut lags = Vec::new();
    for i in 0..20 {
        let accepted = sdk(&a)
            .analyze_document(
                "bot-1",
                &AnalyzeDocument::new(data_url(&format!("{REPORT} {i}."))),
            )
            .await
            .unwrap();
        let task = format!("{}{}", a.url, accepted.status_url().path());
        // Hold on A until the task finishes on B.
        let finished = hold_until_completed(&http, &task).await;
        let completed_at =
            humantime::parse_rfc3339(finished.0["completed_at"].as_str().unwrap()).unwrap();
        lags.push(finished.1.duration_since(completed_at).unwrap_or_default());
    }
    lags.sort();
    assert!(
        lags.iter().all(|l| *l < Duration::from_millis(250)),
        "{lags:?}"
    );
    assert!(said(&b, "task finished") == 20);
    figure(
        "scale-out",
        &format!(
            "a long poll on instance A answered after B completed the task: p50 {:.1?}, worst {:.1?} (20 tasks)",
            lags[lags.len() / 2],
            lags[lags.len() - 1]
        ),
    );
}

pub(crate) async fn a_cancel_on_one_instance_stops_the_run_on_another() {
    let a = instance(&["--workers", "0"]);
    let b = instance(&["--workers", "1", "--work-delay-ms", "20000"]);
    let client_a = sdk(&a);
    let accepted = client_a
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    loop {
        let status = client_a.status(&accepted).await.unwrap();
        if status.progress_percent().is_some_and(|p| p >= 10.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cancelled = Instant::now();
    client_a.cancel(&accepted).await.unwrap();
    // B stops at its next checkpoint (one every ~465 ms at this pace).
    let deadline = Instant::now() + Duration::from_secs(5);
    while said(&b, "no longer owns the task") == 0 {
        assert!(
            Instant::now() < deadline,
            "B kept working: {}",
            b.log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stopped_in = cancelled.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status = client_a.status(&accepted).await.unwrap();
    assert!(status.is_cancelled(), "{status:?}");
    assert_eq!(said(&b, "task finished"), 0);
    figure(
        "scale-out",
        &format!(
            "a cancel on A stopped the run on B {stopped_in:.1?} later (checkpoints ~465 ms apart); the task stayed CANCELLED"
        ),
    );
}

pub(crate) async fn one_idempotency_key_sent_to_two_instances_at_once_makes_one_task() {
    let a = instance(&["--workers", "0"]);
    let b = instance(&["--workers", "0"]);
    let (ca, cb) = (sdk(&a), sdk(&b));
    let pairs = join_all((0..20).map(|i| {
        let (ca, cb) = (ca.clone(), cb.clone());
        async move {
            let body = AnalyzeDocument::new(data_url(&format!("{REPORT} pair {i}.")));
            let key = format!("pair-{i}");
            let (x, y) = tokio::join!(
                ca.analyze_document("bot-1", &body).idempotency_key(&key),
                cb.analyze_document("bot-1", &body).idempotency_key(&key)
            );
            (x.unwrap().task_id().cloned(), y.unwrap().task_id().cloned())
        }
    }))
    .await;
    for (x, y) in &pairs {
        assert_eq!(x, y);
    }
    let distinct: HashSet<_> = pairs.iter().map(|p| p.0.clone()).collect();
    assert_eq!(distinct.len(), 20);
    let rows: i64 = pg()
        .await
        .query_one("SELECT count(*) FROM tasks", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 20);
    // The same key with another body, on the other instance: refused.
    let err = cb
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url("Another body.")))
        .idempotency_key("pair-0")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
}

pub(crate) async fn instances_started_together_all_come_up_and_a_lost_listener_recovers() {
    // Four instances on an empty database at once: each migrates under the
    // advisory lock, and all come up.
    let database = Arc::new(url());
    let starts = join_all((0..4).map(|_| {
        let database = database.clone();
        tokio::task::spawn_blocking(move || {
            ServerProcess::start(
                server_bin(),
                std::path::Path::new(database.as_str()),
                "127.0.0.1:0",
                KEY,
                &["--workers", "1", "--work-delay-ms", "1500"],
            )
        })
    }))
    .await;
    let instances: Vec<ServerProcess> = starts.into_iter().map(Result::unwrap).collect();
    for server in &instances {
        let health = reqwest::get(format!("{}/healthz", server.url))
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
    }
    let db = pg().await;
    let migrations: i64 = db
        .query_one("SELECT count(*) FROM orchestrator_migrations", &[])
        .await
        .unwrap()
        .get(0);
    // Every schema step once (tasks and keys, the readiness row, progress
    // messages, labels and the listing's indexes, label states, the event
    // log, webhooks, the console), however many instances raced to apply
    // them.
    assert_eq!(migrations, 8);

    // Cut every LISTEN connection; a long poll held on the first instance
    // still answers within a second of the task finishing elsewhere.
    let watcher = &instances[0];
    let accepted = sdk(watcher)
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let task = format!("{}{}", watcher.url, accepted.status_url().path());
    let http = reqwest::Client::new();
    let held = tokio::spawn({
        let (http, task) = (http.clone(), task.clone());
        async move { hold_until_completed(&http, &task).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cut: i64 = db
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE query LIKE 'LISTEN%' OR query = 'SELECT 1') t",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(cut >= 1, "no LISTEN connection found to cut");
    let (body, arrived) = tokio::time::timeout(Duration::from_secs(30), held)
        .await
        .expect("the long poll answered")
        .unwrap();
    let completed_at = humantime::parse_rfc3339(body["completed_at"].as_str().unwrap()).unwrap();
    let lag = arrived.duration_since(completed_at).unwrap_or_default();
    assert!(
        lag < Duration::from_secs(1),
        "answered {lag:?} after completion"
    );
    figure(
        "scale-out",
        &format!(
            "4 instances started at once on an empty database: all up, one migration; {cut} LISTEN connections cut, a held long poll still answered {lag:.1?} after the task completed"
        ),
    );
}

/// Long-polls `task` until it is COMPLETED: its last body, and when that
/// answer arrived.
async fn hold_until_completed(
    http: &reqwest::Client,
    task: &str,
) -> (serde_json::Value, SystemTime) {
    loop {
        let response = http
            .get(task)
            .bearer_auth(KEY)
            .header("prefer", "wait=20")
            .send()
            .await
            .unwrap();
        let arrived = SystemTime::now();
        let body: serde_json::Value = response.json().await.unwrap();
        if body["status"] == "COMPLETED" {
            return (body, arrived);
        }
    }
}

//! A filtered page of the listing from a million tasks: `GET /v1/tasks?
//! status=FAILED&label=batch%3Db&limit=50` (10 % of the tasks match), its
//! first page and the pages after it, while 100 submits a second go on, on
//! SQLite and on PostgreSQL (when `ORCHESTRATOR_TEST_DATABASE_URL` names a
//! server). The tasks are written in bulk with SQL (a million submits one
//! by one would take most of the run); the server then serves them.
//!
//! With `--console-loads N`, the same page is then opened N times in the
//! operator console, in Debian's Chromium (`scripts/browser.sh`): each a
//! full navigation, timed from its start to the 50 rows on screen (the
//! page, its script, the session, the list and the tab counts, rendered),
//! for the whole table, one state, and one state and a label; every
//! tenant's view (the single key is the operator) and one tenant's.
//!
//! ```sh
//! eval "$(bash scripts/postgres.sh start)"
//! cargo bench -p orchestrator-server --features postgres --bench list_page -- --tasks 1000000 --console-loads 30
//! ```
//!
//! Not a test: it asserts nothing, it prints figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use orchestrator_server::{Database, Server, ServerConfig};

const KEY: &str = "bench-key";
const QUERY: &str = "status=FAILED&label=batch%3Db&limit=50";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Task `i`: FAILED when `i % 5 == 1`, else COMPLETED; labelled `batch=a`
/// or `batch=b` by parity, so `FAILED` and `batch=b` is every tenth task.
fn sqlite_fill(path: &std::path::Path, n: u64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch("PRAGMA synchronous = OFF;")
        .expect("pragma");
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < {n})
         INSERT INTO tasks (id, tenant, bot_id, action, input, status, created_at, updated_at,
                            completed_at, error_code, error_message, labels)
         SELECT printf('task-%08d', i), 'default', 'bot-1', 'analyze-document',
                '{{\"document_url\":\"data:text/plain,x\"}}',
                CASE WHEN i % 5 = 1 THEN 'FAILED' ELSE 'COMPLETED' END,
                1700000000000 + i, 1700000000000 + i, 1700000000000 + i,
                CASE WHEN i % 5 = 1 THEN 'X' END, CASE WHEN i % 5 = 1 THEN 'x' END,
                CASE WHEN i % 2 = 1 THEN '{{\"batch\":\"b\"}}' ELSE '{{\"batch\":\"a\"}}' END
         FROM s;
         INSERT INTO task_labels (task_id, tenant, key, value, created_at, status)
         SELECT id, tenant, 'batch', json_extract(labels, '$.batch'), created_at, status FROM tasks;
         COMMIT;
         ANALYZE;"
    ))
    .expect("bulk insert");
}

#[cfg(feature = "postgres")]
async fn postgres_fill(url: &str, n: u64) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "INSERT INTO tasks (id, tenant, bot_id, action, input, status, created_at, updated_at,
                                completed_at, error_code, error_message, labels)
             SELECT format('task-%s', lpad(i::text, 8, '0')), 'default', 'bot-1', 'analyze-document',
                    '{{\"document_url\":\"data:text/plain,x\"}}',
                    CASE WHEN i % 5 = 1 THEN 'FAILED' ELSE 'COMPLETED' END,
                    1700000000000 + i, 1700000000000 + i, 1700000000000 + i,
                    CASE WHEN i % 5 = 1 THEN 'X' END, CASE WHEN i % 5 = 1 THEN 'x' END,
                    CASE WHEN i % 2 = 1 THEN '{{\"batch\":\"b\"}}' ELSE '{{\"batch\":\"a\"}}' END
             FROM generate_series(0, {n} - 1) AS i;
             INSERT INTO task_labels (task_id, tenant, key, value, created_at, status)
             SELECT id, tenant, 'batch', labels::json->>'batch', created_at, status FROM tasks;
             ANALYZE;"
        ))
        .await
        .expect("bulk insert");
}

/// Pages of the filtered listing, 20 deep and again, for `requests`
/// requests, while 100 submits a second run; the latencies, sorted.
async fn measure(url: &str, requests: usize) -> (Vec<Duration>, u64) {
    let http = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let submitted = Arc::new(AtomicU64::new(0));
    let submitter = {
        let (http, url, stop, submitted) = (
            http.clone(),
            url.to_owned(),
            stop.clone(),
            submitted.clone(),
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                // Each on its own, so a slow durable commit does not hold
                // back the next: 100 a second is the arrival rate.
                let (http, url, submitted) = (http.clone(), url.clone(), submitted.clone());
                tokio::spawn(async move {
                    let sent = http
                        .post(format!("{url}/v1/bots/bot-1/actions/analyze-document"))
                        .bearer_auth(KEY)
                        .header("task-labels", "batch=b")
                        .header("content-type", "application/json")
                        .body(r#"{"document_url": "data:text/plain,More."}"#)
                        .send()
                        .await;
                    if sent.is_ok_and(|r| r.status().as_u16() == 202) {
                        submitted.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        })
    };
    let mut latencies = Vec::with_capacity(requests);
    let mut cursor: Option<String> = None;
    let mut depth = 0;
    for _ in 0..requests {
        let mut target = format!("{url}/v1/tasks?{QUERY}");
        if let Some(c) = &cursor {
            target.push_str(&format!("&cursor={c}"));
        }
        let started = Instant::now();
        let response = http
            .get(&target)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("list");
        assert_eq!(response.status().as_u16(), 200);
        let page: serde_json::Value = response.json().await.expect("json");
        latencies.push(started.elapsed());
        depth += 1;
        cursor = page["next_cursor"]
            .as_str()
            .map(str::to_owned)
            .filter(|_| depth < 20);
        if cursor.is_none() {
            depth = 0;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = submitter.await;
    latencies.sort();
    (latencies, submitted.load(Ordering::Relaxed))
}

/// The console's list opened `loads` times for each filter, each a full
/// navigation: milliseconds from its start to the rows on screen, sorted,
/// per filter.
async fn console_loads(name: &str, url: &str, loads: usize) {
    if let Some(why) = orchestrator_testkit::missing_browser() {
        println!("skipped: list_page {name} console, because {why}");
        return;
    }
    let browser = orchestrator_testkit::Browser::start(1280, 800).await;
    browser.goto(&format!("{url}/console/")).await;
    let input = browser.wait_for("#api-key", Duration::from_secs(20)).await;
    browser
        .wait_until(
            "return !document.getElementById('sign-in-view').hidden;",
            Duration::from_secs(20),
        )
        .await;
    browser.type_into(&input, KEY).await;
    browser.type_into(&input, "\u{E007}").await;
    browser
        .wait_until(
            "return document.body.hasAttribute('data-list-rendered');",
            Duration::from_secs(60),
        )
        .await;
    for (label, filter) in [
        ("every tenant, all", ""),
        ("every tenant, FAILED", "status=FAILED"),
        (
            "every tenant, FAILED + label",
            "status=FAILED&label=batch%3Db",
        ),
        ("one tenant, all", "tenant=default"),
        (
            "one tenant, FAILED + label",
            "tenant=default&status=FAILED&label=batch%3Db",
        ),
    ] {
        let mut times = Vec::with_capacity(loads);
        let mut rows = 0;
        for i in 0..loads {
            browser
                .goto(&format!("{url}/console/?load={i}#/tasks?{filter}"))
                .await;
            let rendered = browser
                .wait_until(
                    "return document.body.getAttribute('data-list-rendered');",
                    Duration::from_secs(60),
                )
                .await;
            rows = browser
                .execute(
                    "return document.querySelectorAll('#task-rows tr').length;",
                    serde_json::json!([]),
                )
                .await
                .as_u64()
                .unwrap_or(0);
            let ms: f64 = rendered
                .as_str()
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN);
            times.push(Duration::from_secs_f64(ms / 1e3));
        }
        times.sort();
        println!(
            "[figure] list_page {name} console, {label}: {rows} rows on screen after p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms from navigation ({loads} loads)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
    }
}

async fn run(name: &str, database: Database, requests: usize, loads: usize) {
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database,
        api_key: Some(KEY.into()),
        workers: 0,
        max_queued: 10_000_000,
        // The filled tasks finished long ago: the sweep must not delete
        // them while they are measured.
        task_ttl: Duration::from_secs(10 * 365 * 86_400),
        console: loads > 0,
        ..ServerConfig::default()
    };
    let server = Server::bind(config).await.expect("server").spawn();
    let started = Instant::now();
    let (latencies, submitted) = measure(&server.url(), requests).await;
    let rate = submitted as f64 / started.elapsed().as_secs_f64();
    println!(
        "[figure] list_page {name}: {} pages of `{QUERY}`: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         ({rate:.0} submits/s meanwhile)",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    if loads > 0 {
        console_loads(name, &server.url(), loads).await;
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::main]
async fn main() {
    let mut tasks: u64 = 1_000_000;
    let mut requests = 1_000;
    let mut loads = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tasks" => tasks = args.next().and_then(|v| v.parse().ok()).expect("--tasks N"),
            "--requests" => {
                requests = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--requests N")
            }
            "--console-loads" => {
                loads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--console-loads N")
            }
            _ => {}
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("list.db");
    // The store makes the schema; the fill writes the rows; the server serves them.
    drop(orchestrator_server::SqliteStore::open(&Database::File(path.clone())).expect("schema"));
    let filled = Instant::now();
    sqlite_fill(&path, tasks);
    println!(
        "[figure] list_page sqlite: {tasks} tasks written in {:.1?}",
        filled.elapsed()
    );
    run("sqlite", Database::File(path), requests, loads).await;

    #[cfg(feature = "postgres")]
    match std::env::var("ORCHESTRATOR_TEST_DATABASE_URL") {
        Ok(url) => {
            let store = orchestrator_server::PostgresStore::connect(
                &orchestrator_server::DatabaseUrl::new(&url),
            )
            .await
            .expect("schema");
            drop(store);
            let filled = Instant::now();
            postgres_fill(&url, tasks).await;
            println!(
                "[figure] list_page postgres: {tasks} tasks written in {:.1?}",
                filled.elapsed()
            );
            run(
                "postgres",
                Database::Postgres(orchestrator_server::DatabaseUrl::new(&url)),
                requests,
                loads,
            )
            .await;
        }
        Err(_) => println!(
            "skipped: list_page postgres, because ORCHESTRATOR_TEST_DATABASE_URL is not set"
        ),
    }
}

//! A filtered page of the listing from a million tasks: `GET /v1/tasks?
//! status=FAILED&label=batch%3Db&limit=50` (10 % of the tasks match), its
//! first page and the pages after it, while 100 submits a second go on, on
//! SQLite and on PostgreSQL (when `ORCHESTRATOR_TEST_DATABASE_URL` names a
//! server). The tasks are written in bulk with SQL (a million submits one
//! by one would take most of the run); the server then serves them.
//!
//! ```sh
//! eval "$(bash scripts/postgres.sh start)"
//! cargo bench -p orchestrator-server --features postgres --bench list_page -- --tasks 1000000
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

async fn run(name: &str, database: Database, requests: usize) {
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database,
        api_key: Some(KEY.into()),
        workers: 0,
        max_queued: 10_000_000,
        // The filled tasks finished long ago: the sweep must not delete
        // them while they are measured.
        task_ttl: Duration::from_secs(10 * 365 * 86_400),
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
    server.shutdown().await.expect("shutdown");
}

#[tokio::main]
async fn main() {
    let mut tasks: u64 = 1_000_000;
    let mut requests = 1_000;
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
    run("sqlite", Database::File(path), requests).await;

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
            )
            .await;
        }
        Err(_) => println!(
            "skipped: list_page postgres, because ORCHESTRATOR_TEST_DATABASE_URL is not set"
        ),
    }
}

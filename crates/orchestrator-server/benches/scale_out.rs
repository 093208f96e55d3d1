//! One instance against two over the same PostgreSQL database, in one run,
//! on the same machine: submits per second, completed tasks per second
//! (`--work-delay-ms 0`), status `GET`s per second, and how long a long poll
//! held on one instance takes to answer a change made by another.
//!
//! ```sh
//! eval "$(bash scripts/postgres.sh start)"
//! cargo bench -p orchestrator-server --features postgres --bench scale_out -- --seconds 5
//! ```
//!
//! Not a test: it asserts nothing, it prints figures.

use std::time::{Duration, Instant, SystemTime};

use orchestrator_testkit::ServerProcess;

const KEY: &str = "bench-key";

fn server_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn fresh_database(server: &str, name: &str) -> String {
    let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("the database server answers");
    tokio::spawn(connection);
    for statement in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        client
            .batch_execute(&statement)
            .await
            .expect("a fresh database");
    }
    let mut url = url::Url::parse(server).expect("a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

async fn count(url: &str, sql: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client.query_one(sql, &[]).await.expect("count").get(0)
}

const BODY: &str = r#"{"document_url": "data:text/plain,Scale%20out%20with%20care."}"#;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5u64);
    let Ok(server) = std::env::var("ORCHESTRATOR_TEST_DATABASE_URL") else {
        eprintln!(
            "skipped: set ORCHESTRATOR_TEST_DATABASE_URL (eval \"$(bash scripts/postgres.sh start)\")"
        );
        return;
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("client");
    println!("instances over one PostgreSQL database, 32 connections, {seconds} s per phase");
    for n in [1usize, 2] {
        let url = fresh_database(&server, &format!("orch_bench_{n}")).await;
        let instances: Vec<ServerProcess> = (0..n)
            .map(|_| {
                ServerProcess::start(
                    server_bin(),
                    std::path::Path::new(&url),
                    "127.0.0.1:0",
                    KEY,
                    &["--workers", "4", "--max-queued", "100000000"],
                )
            })
            .collect();
        let urls: Vec<String> = instances.iter().map(|i| i.url.clone()).collect();

        // Submits, round-robin; the workers complete them meanwhile.
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let clients: Vec<_> = (0..32)
            .map(|c| {
                let (http, urls) = (http.clone(), urls.clone());
                tokio::spawn(async move {
                    let mut accepted = 0u64;
                    let mut i = c;
                    while Instant::now() < deadline {
                        let url = &urls[i % urls.len()];
                        i += 1;
                        if let Ok(r) = http
                            .post(format!("{url}/v1/bots/bench/actions/analyze-document"))
                            .bearer_auth(KEY)
                            .header("content-type", "application/json")
                            .body(BODY)
                            .send()
                            .await
                            && r.status() == 202
                        {
                            accepted += 1;
                        }
                    }
                    accepted
                })
            })
            .collect();
        let mut submitted = 0;
        for c in clients {
            submitted += c.await.expect("client");
        }
        let submit_secs = started.elapsed().as_secs_f64();
        // Wait for the queue to drain.
        loop {
            let open = count(
                &url,
                "SELECT count(*) FROM tasks WHERE status IN ('PENDING', 'RUNNING')",
            )
            .await;
            if open == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let all_done = started.elapsed().as_secs_f64();
        let completed = count(
            &url,
            "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'",
        )
        .await;

        // Status GETs of one task, round-robin.
        let task = {
            let r = http
                .post(format!(
                    "{}/v1/bots/bench/actions/analyze-document",
                    urls[0]
                ))
                .bearer_auth(KEY)
                .header("content-type", "application/json")
                .body(BODY)
                .send()
                .await
                .expect("submit");
            r.headers()["location"]
                .to_str()
                .expect("location")
                .to_owned()
        };
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let got = Instant::now();
        let clients: Vec<_> = (0..32)
            .map(|c| {
                let (http, urls, task) = (http.clone(), urls.clone(), task.clone());
                tokio::spawn(async move {
                    let mut n = 0u64;
                    let mut i = c;
                    while Instant::now() < deadline {
                        let url = &urls[i % urls.len()];
                        i += 1;
                        if let Ok(r) = http
                            .get(format!("{url}{task}"))
                            .bearer_auth(KEY)
                            .send()
                            .await
                        {
                            let _ = r.bytes().await;
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        let mut gets = 0;
        for c in clients {
            gets += c.await.expect("client");
        }
        let get_secs = got.elapsed().as_secs_f64();

        // Wake latency: long-poll on the last instance, for tasks submitted
        // to it; with two instances the first one may run them.
        let mut lags = Vec::new();
        let watch = &urls[n - 1];
        for _ in 0..30 {
            let r = http
                .post(format!("{watch}/v1/bots/bench/actions/analyze-document"))
                .bearer_auth(KEY)
                .header("content-type", "application/json")
                .body(BODY)
                .send()
                .await
                .expect("submit");
            let location = r.headers()["location"]
                .to_str()
                .expect("location")
                .to_owned();
            loop {
                let r = http
                    .get(format!("{watch}{location}"))
                    .bearer_auth(KEY)
                    .header("prefer", "wait=10")
                    .send()
                    .await
                    .expect("long poll");
                let arrived = SystemTime::now();
                let body: serde_json::Value = r.json().await.expect("json");
                if body["status"] == "COMPLETED" {
                    let done =
                        humantime::parse_rfc3339(body["completed_at"].as_str().unwrap_or(""))
                            .unwrap_or(arrived);
                    lags.push(arrived.duration_since(done).unwrap_or_default());
                    break;
                }
            }
        }
        lags.sort();
        println!(
            "  {n} instance{}: submits {:>6.0}/s  completed {:>6.0}/s ({completed} tasks)  GETs {:>6.0}/s  long-poll wake p50 {:.1} ms p99 {:.1} ms",
            if n == 1 { " " } else { "s" },
            submitted as f64 / submit_secs,
            completed as f64 / all_done,
            gets as f64 / get_secs,
            percentile(&lags, 0.5).as_secs_f64() * 1e3,
            percentile(&lags, 0.99).as_secs_f64() * 1e3,
        );
        drop(instances);
    }
}

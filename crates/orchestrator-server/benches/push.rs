//! Push, measured: events per second through `GET /v1/events` to many
//! consumers at once, and how soon a webhook arrives after its task
//! finished. One release server in process on SQLite (a file), tasks that
//! finish at once, consumers and a webhook receiver on loopback.
//!
//! ```sh
//! cargo bench -p orchestrator-server --bench push -- [--consumers 100] [--tasks 2000] [--webhooks 500]
//! ```
//!
//! Not a test: it asserts nothing, it prints figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use futures_util::StreamExt;
use orchestrator_server::{Database, Server, ServerConfig, parse_webhook_secrets};
use tokio::sync::Mutex;

const KEY: &str = "bench-key";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted
        .get(((sorted.len().max(1) - 1) as f64 * p).round() as usize)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// How long ago an RFC 3339 time was.
fn since(rfc3339: &str) -> Option<Duration> {
    let at = humantime::parse_rfc3339_weak(rfc3339).ok()?;
    SystemTime::now().duration_since(at).ok()
}

#[tokio::main]
async fn main() {
    let consumers = arg("--consumers", 100);
    let tasks = arg("--tasks", 2000);
    let webhooks = arg("--webhooks", 500);
    let dir = tempfile::tempdir().expect("temp dir");

    // The webhook receiver: notes how long after its task's finish each
    // delivery came.
    let lags: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let receiver = listener.local_addr().expect("addr");
    let app = axum::Router::new().fallback(axum::routing::post({
        let lags = lags.clone();
        move |body: Bytes| async move {
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(lag) = value["data"]["completed_at"].as_str().and_then(since) {
                lags.lock().await.push(lag);
            }
            axum::http::StatusCode::NO_CONTENT
        }
    }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database: Database::File(dir.path().join("push.db")),
        api_key: Some(KEY.into()),
        workers: 8,
        max_queued: 1_000_000,
        webhooks: parse_webhook_secrets(&format!("default {SECRET}")).expect("secrets"),
        allow_private_origins: vec![receiver],
        connections: orchestrator_server::ConnectionLimits {
            max_connections: 10_000,
            ..Default::default()
        },
        ..ServerConfig::default()
    })
    .await
    .expect("bind")
    .spawn();
    let base = server.url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");

    // The consumers: each follows the tenant's stream and counts events.
    let received = Arc::new(AtomicU64::new(0));
    let completed_lags: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut opened = Vec::new();
    for _ in 0..consumers {
        let response = http
            .get(format!("{base}/v1/events"))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("stream");
        opened.push(response);
    }
    let mut followers = Vec::new();
    for response in opened {
        let received = received.clone();
        let completed_lags = completed_lags.clone();
        followers.push(tokio::spawn(async move {
            let mut response = response;
            let mut pending = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find("\n\n") {
                    let message: String = pending.drain(..end + 2).collect();
                    if message.contains("\nevent: ") || message.starts_with("event: ") {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                    if message.contains("event: completed")
                        && let Some(data) = message.lines().find_map(|l| l.strip_prefix("data: "))
                    {
                        let value: serde_json::Value =
                            serde_json::from_str(data).unwrap_or_default();
                        if let Some(lag) = value["completed_at"].as_str().and_then(since) {
                            completed_lags.lock().await.push(lag);
                        }
                    }
                }
            }
        }));
    }

    let submit = |webhook: bool| {
        let http = http.clone();
        let base = base.clone();
        let hook = format!("http://{receiver}/hook");
        async move {
            let mut request = http
                .post(format!("{base}/v1/bots/b/actions/analyze-document"))
                .bearer_auth(KEY)
                .json(&serde_json::json!({"document_url": "data:text/plain,Pushed%20growth."}));
            if webhook {
                request = request.header("task-webhook", hook);
            }
            request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };

    // Events to the consumers.
    let started = Instant::now();
    let accepted = futures_util::stream::iter(0..tasks)
        .map(|_| submit(false))
        .buffer_unordered(32)
        .filter(|s| std::future::ready(*s == 202))
        .count()
        .await;
    // Every consumer has every completed event: all tasks are done and seen.
    let expected_completed = (accepted * consumers) as usize;
    while completed_lags.lock().await.len() < expected_completed
        && started.elapsed() < Duration::from_secs(300)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    let events = received.load(Ordering::Relaxed);
    let mut lag = completed_lags.lock().await.clone();
    lag.sort();
    println!(
        "{consumers} consumers of GET /v1/events, {accepted} tasks submitted 32 at a time (8 workers, SQLite):"
    );
    println!(
        "  delivered       {events} events in {:.2} s: {:.0} events/s in all, {:.0} per consumer",
        took.as_secs_f64(),
        events as f64 / took.as_secs_f64(),
        events as f64 / took.as_secs_f64() / consumers.max(1) as f64
    );
    println!(
        "  completed seen  {}/{} ; lag after completed_at p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lag.len(),
        expected_completed,
        percentile(&lag, 0.5),
        percentile(&lag, 0.99),
        percentile(&lag, 1.0)
    );
    for f in &followers {
        f.abort();
    }

    // Webhooks.
    let started = Instant::now();
    let accepted = futures_util::stream::iter(0..webhooks)
        .map(|_| submit(true))
        .buffer_unordered(32)
        .filter(|s| std::future::ready(*s == 202))
        .count()
        .await;
    while lags.lock().await.len() < accepted && started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lag = lags.lock().await.clone();
    lag.sort();
    println!("{accepted} tasks with a webhook to a loopback receiver:");
    println!(
        "  delivered       {}/{accepted} in {:.2} s; lag after completed_at p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lag.len(),
        started.elapsed().as_secs_f64(),
        percentile(&lag, 0.5),
        percentile(&lag, 0.99),
        percentile(&lag, 1.0)
    );
    let _ = server.shutdown().await;
}

//! The SDK awaiting many tasks concurrently from one process against one
//! release server on loopback: wall time, client peak RSS, requests/s and
//! server CPU.
//!
//! ```sh
//! cargo bench --bench sdk_scale -- --tasks 10000 [--no-long-poll] [--submit-concurrency N]
//! ```
//!
//! Not a test: it prints figures.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use orchestrator::{AnalyzeDocument, Client, PollOptions};

use orchestrator_testkit::ServerProcess;

const KEY: &str = "scale-key";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let tasks: usize = args
        .iter()
        .position(|a| a == "--tasks")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("orchestrator-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let server = ServerProcess::start_with_env(
        &orchestrator_testkit::server_binary_beside(std::path::Path::new(env!(
            "CARGO_BIN_EXE_orchestrator-cli"
        ))),
        &dir.join("scale.db"),
        "127.0.0.1:0",
        KEY,
        &[
            "--workers",
            "500",
            "--work-delay-ms",
            "2000",
            "--max-queued",
            "1000000",
        ],
        &[("RUST_LOG", "orchestrator=debug,warn")],
    );
    let pid = server.pid();
    let long_poll = !args.iter().any(|a| a == "--no-long-poll");
    // Submits in flight at once (default: all). Fewer submits in flight means
    // fewer connections opened at once, which separates the cost of
    // connections from the cost of the waits themselves.
    let submit_concurrency: usize = args
        .iter()
        .position(|a| a == "--submit-concurrency")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(tasks)
        .max(1);
    let submits = std::sync::Arc::new(tokio::sync::Semaphore::new(submit_concurrency));
    let mut options = PollOptions::default();
    options.timeout = Some(Duration::from_secs(600));
    if !long_poll {
        options.long_poll_wait = None;
    }
    let client = Client::builder(&server.url)
        .bearer_token(KEY)
        .poll_options(options)
        .build()
        .expect("client");
    let (_, cpu_before) = orchestrator_testkit::usage(pid);
    let started = Instant::now();
    let outcomes: Vec<_> = futures_util::stream::iter(0..tasks)
        .map(|i| {
            let client = client.clone();
            let submits = submits.clone();
            async move {
                let doc = format!("data:text/plain,Task%20{i}%20shows%20strong%20growth.");
                let permit = submits.acquire_owned().await.expect("never closed");
                let accepted = client
                    .analyze_document("scale", &AnalyzeDocument::new(doc))
                    .await?;
                drop(permit);
                client.poll(&accepted).await
            }
        })
        .buffer_unordered(tasks)
        .collect()
        .await;
    let wall = started.elapsed();
    let completed = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|o| o.is_completed()))
        .count();
    let (server_peak, cpu_after) = orchestrator_testkit::usage(pid);
    let (client_peak, client_cpu) = orchestrator_testkit::usage(std::process::id());
    let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
    drop(server);
    let requests = log
        .lines()
        .filter(|l| l.contains(" request ") || l.contains("request method="))
        .count();
    if let Some(Err(e)) = outcomes.iter().find(|o| o.is_err()) {
        println!("first error: {e}");
    }
    let mode = if long_poll {
        "long polling"
    } else {
        "plain polling"
    };
    println!(
        "SDK awaiting {tasks} tasks concurrently ({mode}, {submit_concurrency} submits at a time; 2 s each, 500 server workers):"
    );
    println!("  completed         {completed}/{tasks}");
    println!("  wall time         {:.1} s", wall.as_secs_f64());
    println!(
        "  client peak RSS   {:.1} MiB, CPU {:.1} s",
        client_peak as f64 / 1024.0,
        client_cpu
    );
    println!(
        "  server peak RSS   {:.1} MiB, CPU {:.1} s",
        server_peak as f64 / 1024.0,
        cpu_after - cpu_before
    );
    println!(
        "  requests          {requests} ({:.0}/s, {:.1} per task)",
        requests as f64 / wall.as_secs_f64(),
        requests as f64 / tasks.max(1) as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! Load figures for the reference server, measured against its release binary
//! on loopback:
//!
//! 1. status `GET`s per second (and p50/p99 latency) from `--connections`
//!    concurrent keep-alive clients for `--seconds`;
//! 2. `--held` long polls held at once: the server's resident memory and CPU
//!    while they wait, and how long until all of them answer once the task changes.
//!
//! ```sh
//! cargo bench --bench server_load -- --seconds 5 --connections 32 --held 2000
//! ```
//!
//! Not a test: it asserts nothing, it prints figures.

use std::time::{Duration, Instant};

const KEY: &str = "bench-key";

struct Options {
    seconds: u64,
    connections: usize,
    held: usize,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 5,
        connections: 32,
        held: 2000,
    };
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let Some(v) = value("--seconds") {
        o.seconds = v;
    }
    if let Some(v) = value("--connections") {
        o.connections = v as usize;
    }
    if let Some(v) = value("--held") {
        o.held = v as usize;
    }
    o
}

use orchestrator_testkit::ServerProcess;

/// (resident KiB, CPU seconds) of a process.
fn usage(pid: u32) -> (u64, f64) {
    (
        orchestrator_testkit::status_kib(pid, "VmRSS:"),
        orchestrator_testkit::usage(pid).1,
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn submit(http: &reqwest::Client, url: &str) -> String {
    let response = http
        .post(format!("{url}/v1/bots/bench/actions/analyze-document"))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body(r#"{"document_url": "data:text/plain,Benchmarks%20measure%20things."}"#)
        .send()
        .await
        .expect("submit");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    format!("{url}{location}")
}

#[tokio::main]
async fn main() {
    let o = options();
    let dir = std::env::temp_dir().join(format!("orchestrator-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let server = ServerProcess::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server")),
        &dir.join("bench.db"),
        "127.0.0.1:0",
        KEY,
        &["--workers", "1", "--work-delay-ms", "3600000"],
    );
    let pid = server.pid();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("client");

    // One task occupies the only worker; the second stays PENDING.
    let _busy = submit(&http, &server.url).await;
    let task = submit(&http, &server.url).await;
    let (rss_idle, _) = usage(pid);

    // 1. Status GETs per second.
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let (cpu_before, started) = (usage(pid).1, Instant::now());
    let clients: Vec<_> = (0..o.connections)
        .map(|_| {
            let (http, task) = (http.clone(), task.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match http.get(&task).bearer_auth(KEY).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            latencies.push(t.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for c in clients {
        let (l, e) = c.await.expect("client task");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = usage(pid).1 - cpu_before;
    latencies.sort();
    println!(
        "status GETs: {} connections for {:.1} s",
        o.connections, elapsed
    );
    println!("  requests/s  {:.0}", latencies.len() as f64 / elapsed);
    println!(
        "  p50         {:.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3
    );
    println!(
        "  p99         {:.2} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    println!("  errors      {errors}");
    println!("  server CPU  {:.0}% of one core", cpu / elapsed * 100.0);

    // 2. Held long polls.
    let (rss_before, cpu_before) = usage(pid);
    let held: Vec<_> = (0..o.held)
        .map(|_| {
            let http = reqwest::Client::new(); // one connection each
            let task = task.clone();
            tokio::spawn(async move {
                let r = http
                    .get(&task)
                    .bearer_auth(KEY)
                    .header("prefer", "wait=30")
                    .send()
                    .await;
                let answered = Instant::now();
                (
                    r.map(|r| r.status().is_success()).unwrap_or(false),
                    answered,
                )
            })
        })
        .collect();
    // Let every request arrive, then measure the cost of holding them.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, cpu_settled) = usage(pid);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss_held, cpu_held) = usage(pid);
    let changed = Instant::now();
    http.delete(&task)
        .bearer_auth(KEY)
        .send()
        .await
        .expect("cancel");
    let mut last = changed;
    let mut ok = 0;
    for h in held {
        let (success, at) = h.await.expect("held task");
        ok += usize::from(success);
        last = last.max(at);
    }
    println!("held long polls: {} at once (Prefer: wait=30)", o.held);
    println!(
        "  server RSS idle {} KiB, before {} KiB, holding {} KiB ({:.1} KiB per held request)",
        rss_idle,
        rss_before,
        rss_held,
        (rss_held.saturating_sub(rss_before)) as f64 / o.held.max(1) as f64
    );
    println!(
        "  server CPU to accept them: {:.2} s; to hold them for 3 s: {:.2} s",
        cpu_settled - cpu_before,
        cpu_held - cpu_settled
    );
    println!(
        "  all {ok}/{} answered {:.1} ms after the change",
        o.held,
        last.duration_since(changed).as_secs_f64() * 1e3
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

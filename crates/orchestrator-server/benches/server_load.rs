//! Load figures for the reference server, measured against its release binary
//! on loopback:
//!
//! 1. status `GET`s per second (and p50/p99 latency) from `--connections`
//!    concurrent keep-alive clients for `--seconds` — against a server
//!    without metrics and one with `--metrics-listen`, alternately, in the
//!    same run, so the cost of recording metrics shows;
//! 2. `--held` long polls held at once: the server's resident memory and CPU
//!    while they wait, and how long until all of them answer once the task
//!    changes — `--rounds` times (median, best, worst), from bare sockets
//!    (the cheapest client, so the figure is the server's) and then from
//!    reqwest, each connection kept open as a long-polling client keeps it;
//! 3. `--accepts`: durable accepts per second (`POST` → `202`) with the
//!    default durable commits and with `--relaxed-commits`, same run;
//! 4. `--sweep N`: the retention sweep of N finished rows: how long it
//!    takes, and status `GET` latency while it runs;
//! 5. `--floor`: phase 2 against a bare hyper server that does nothing but
//!    hold and answer (`server_load/floor.rs`), the floor for any server
//!    built on hyper and tokio on the same machine;
//! 6. `--consoles N`: phase 1 against one server with `--console`, rounds
//!    without consoles and with N open ones alternating: each open console
//!    makes the page's own requests (signed in, its live event stream open,
//!    the overview and the state counts read every 5 s, as the overview
//!    page does), from this process rather than N browsers, which on a
//!    small machine would measure Chromium instead of the server.
//!
//! ```sh
//! cargo bench -p orchestrator-server --bench server_load -- --seconds 5 --connections 32 --held 2000
//! cargo bench -p orchestrator-server --bench server_load -- --accepts --sweep 1000000 --held 0
//! # before/after: phases 1 and 2 against this build, then another one
//! cargo bench -p orchestrator-server --bench server_load -- --baseline /path/to/orchestrator-server
//! # this build's wake-up beside the floor
//! cargo bench -p orchestrator-server --bench server_load -- --seconds 0 --held 2000 --rounds 9 --floor
//! # what 20 open consoles cost status GETs
//! cargo bench -p orchestrator-server --bench server_load -- --seconds 20 --held 0 --consoles 20
//! ```
//!
//! Not a test: it asserts nothing, it prints figures.

#[path = "server_load/floor.rs"]
mod floor;

use std::path::PathBuf;
use std::time::{Duration, Instant};

const KEY: &str = "bench-key";

struct Options {
    seconds: u64,
    connections: usize,
    held: usize,
    /// Times the held long polls are set up and woken, per client kind.
    rounds: usize,
    accepts: bool,
    sweep: u64,
    /// Another server binary to measure the same way, after this build's.
    baseline: Option<PathBuf>,
    /// Phase 2 against the bare floor server as well.
    floor: bool,
    /// Open consoles to measure status GETs beside (0: not measured).
    consoles: usize,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 5,
        connections: 32,
        held: 2000,
        rounds: 5,
        accepts: false,
        sweep: 0,
        baseline: None,
        floor: false,
        consoles: 0,
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
    if let Some(v) = value("--rounds") {
        o.rounds = (v as usize).max(1);
    }
    if let Some(v) = value("--sweep") {
        o.sweep = v;
    }
    if let Some(v) = value("--consoles") {
        o.consoles = v as usize;
    }
    o.accepts = args.iter().any(|a| a == "--accepts");
    o.floor = args.iter().any(|a| a == "--floor");
    o.baseline = args
        .iter()
        .position(|a| a == "--baseline")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    o
}

/// This build's server binary (`--baseline` names another one).
fn server_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
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

/// Status GETs of one task from `connections` clients until `deadline`:
/// (latencies, errors).
async fn hammer(
    http: &reqwest::Client,
    task: &str,
    connections: usize,
    deadline: Instant,
) -> (Vec<Duration>, u64) {
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let (http, task) = (http.clone(), task.to_owned());
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
    latencies.sort();
    (latencies, errors)
}

/// A server with one task busy on its only worker and one left PENDING:
/// (server, the pending task's URL).
async fn busy_server(
    binary: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
    extra: &[&str],
) -> (ServerProcess, String) {
    let mut args = vec!["--workers", "1", "--work-delay-ms", "3600000"];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(binary, &dir.join(name), "127.0.0.1:0", KEY, &args);
    let http = reqwest::Client::new();
    let _busy = submit(&http, &server.url).await;
    let task = submit(&http, &server.url).await;
    (server, task)
}

#[tokio::main]
async fn main() {
    if floor::requested() {
        return floor::serve().await;
    }
    let o = options();
    let dir = std::env::temp_dir().join(format!("orchestrator-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("client");
    // This build, then (given `--baseline PATH`, another build of the
    // server, say the previous commit's) the same phases against that one.
    let mut servers = vec![("this build", server_bin())];
    if let Some(baseline) = &o.baseline {
        servers.push(("baseline", baseline.as_path()));
    }
    for (label, binary) in servers {
        if o.baseline.is_some() {
            println!("== {label}: {}", binary.display());
        }
        let dir = dir.join(label.replace(' ', "-"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        if o.seconds > 0 && o.connections > 0 {
            status_gets(&o, binary, &dir, &http).await;
        }
        if o.held > 0 {
            for waiter in [Waiter::RawSocket, Waiter::Reqwest] {
                held_long_polls(&o, binary, &[], &dir, &http, waiter).await;
            }
        }
    }
    if o.floor && o.held > 0 {
        let this = std::env::current_exe().expect("this bench's path");
        println!(
            "== floor: a bare hyper server ({} --floor-server)",
            this.display()
        );
        let dir = dir.join("floor");
        std::fs::create_dir_all(&dir).expect("temp dir");
        for waiter in [Waiter::RawSocket, Waiter::Reqwest] {
            held_long_polls(&o, &this, &["--floor-server"], &dir, &http, waiter).await;
        }
    }
    if o.consoles > 0 && o.seconds > 0 {
        beside_consoles(&o, &dir, &http).await;
    }
    if o.accepts {
        accepts(&o, &dir).await;
    }
    if o.sweep > 0 {
        sweep(&o, &dir, &http).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// 1. Status GETs per second, without and with metrics, alternating.
async fn status_gets(
    o: &Options,
    binary: &std::path::Path,
    dir: &std::path::Path,
    http: &reqwest::Client,
) {
    let (plain, plain_task) = busy_server(binary, dir, "plain.db", &[]).await;
    let (metered, metered_task) = busy_server(
        binary,
        dir,
        "metered.db",
        &["--metrics-listen", "127.0.0.1:0"],
    )
    .await;
    let half = Duration::from_secs(o.seconds).div_f64(2.0);
    let mut rows = Vec::new();
    for (label, server, task) in [
        ("without metrics", &plain, &plain_task),
        ("with metrics", &metered, &metered_task),
        ("without metrics", &plain, &plain_task),
        ("with metrics", &metered, &metered_task),
    ] {
        let pid = server.pid();
        let (cpu_before, started) = (usage(pid).1, Instant::now());
        let (latencies, errors) = hammer(http, task, o.connections, Instant::now() + half).await;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = usage(pid).1 - cpu_before;
        rows.push((label, latencies, errors, elapsed, cpu));
    }
    println!(
        "status GETs: {} connections, {:.1} s per round, two rounds each",
        o.connections,
        half.as_secs_f64()
    );
    for label in ["without metrics", "with metrics"] {
        let mine: Vec<_> = rows.iter().filter(|r| r.0 == label).collect();
        let mut all: Vec<Duration> = mine.iter().flat_map(|r| r.1.iter().copied()).collect();
        all.sort();
        let elapsed: f64 = mine.iter().map(|r| r.3).sum();
        let cpu: f64 = mine.iter().map(|r| r.4).sum();
        let errors: u64 = mine.iter().map(|r| r.2).sum();
        println!(
            "  {label:<16} {:>7.0} requests/s  p50 {:.2} ms  p99 {:.2} ms  errors {errors}  server CPU {:.0}% of one core",
            all.len() as f64 / elapsed,
            percentile(&all, 0.50).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3,
            cpu / elapsed * 100.0
        );
    }
}

/// One open console's requests against `url`, until aborted: sign-in, the
/// live stream held open and read, the overview and the counts every 5 s.
async fn console(http: reqwest::Client, url: String) {
    let signed_in = http
        .post(format!("{url}/console/api/session"))
        .json(&serde_json::json!({ "key": KEY }))
        .send()
        .await
        .expect("sign-in");
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let stream = {
        let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
        tokio::spawn(async move {
            let mut events = http
                .get(format!("{url}/console/api/events"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("events");
            while let Ok(Some(_)) = events.chunk().await {}
        })
    };
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        for path in ["/console/api/overview", "/console/api/counts"] {
            if let Ok(r) = http
                .get(format!("{url}{path}"))
                .header("cookie", &cookie)
                .send()
                .await
            {
                let _ = r.bytes().await;
            }
        }
        if stream.is_finished() {
            return;
        }
    }
}

/// Phase 6: status GETs beside `--consoles` open consoles, and beside
/// none, alternating on one server.
async fn beside_consoles(o: &Options, dir: &std::path::Path, http: &reqwest::Client) {
    let (server, task) = busy_server(server_bin(), dir, "consoles.db", &["--console"]).await;
    let rounds = 6;
    let half = Duration::from_secs(o.seconds).div_f64(f64::from(rounds));
    let mut rows = Vec::new();
    for round in 0..rounds {
        let open = round % 2 == 1;
        let consoles: Vec<_> = if open {
            (0..o.consoles)
                .map(|_| tokio::spawn(console(reqwest::Client::new(), server.url.clone())))
                .collect()
        } else {
            Vec::new()
        };
        // Signed in and streaming before the clock starts.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pid = server.pid();
        let (cpu_before, started) = (usage(pid).1, Instant::now());
        let (latencies, errors) = hammer(http, &task, o.connections, Instant::now() + half).await;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = usage(pid).1 - cpu_before;
        for c in consoles {
            c.abort();
        }
        rows.push((open, latencies, errors, elapsed, cpu));
    }
    println!(
        "status GETs beside open consoles: {} connections, {:.1} s per round, three rounds each, alternating",
        o.connections,
        half.as_secs_f64()
    );
    // Each round on its own, so the spread between rounds of one kind (the
    // noise) shows beside the difference between the kinds.
    for (i, (open, latencies, _, elapsed, _)) in rows.iter().enumerate() {
        println!(
            "  round {}: {:<12} {:>7.0} status GETs/s",
            i + 1,
            if *open { "consoles" } else { "no console" },
            latencies.len() as f64 / elapsed
        );
    }
    for open in [false, true] {
        let mine: Vec<_> = rows.iter().filter(|r| r.0 == open).collect();
        let mut all: Vec<Duration> = mine.iter().flat_map(|r| r.1.iter().copied()).collect();
        all.sort();
        let elapsed: f64 = mine.iter().map(|r| r.3).sum();
        let cpu: f64 = mine.iter().map(|r| r.4).sum();
        let errors: u64 = mine.iter().map(|r| r.2).sum();
        let label = if open {
            format!("{} consoles", o.consoles)
        } else {
            "no console".to_owned()
        };
        println!(
            "[figure] server_load {label:<12} {:>7.0} status GETs/s  p50 {:.2} ms  p99 {:.2} ms  errors {errors}  server CPU {:.0}% of one core",
            all.len() as f64 / elapsed,
            percentile(&all, 0.50).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3,
            cpu / elapsed * 100.0
        );
    }
}

/// 3. Accepts per second with durable and relaxed commits.
async fn accepts(o: &Options, dir: &std::path::Path) {
    println!(
        "accepts (POST → 202): {} connections, {} s each, workers 0 (API only)",
        o.connections, o.seconds
    );
    for (label, extra) in [
        ("relaxed commits", vec!["--relaxed-commits"]),
        ("durable commits", vec![]),
    ] {
        let mut args = vec!["--workers", "0", "--max-queued", "100000000"];
        args.extend(extra);
        let name = format!("accepts-{}.db", label.replace(' ', "-"));
        let server = ServerProcess::start(server_bin(), &dir.join(name), "127.0.0.1:0", KEY, &args);
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(usize::MAX)
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(o.seconds);
        let started = Instant::now();
        let clients: Vec<_> = (0..o.connections)
            .map(|_| {
                let (http, url) = (http.clone(), server.url.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut other = 0u64;
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        match http
                            .post(format!("{url}/v1/bots/bench/actions/analyze-document"))
                            .bearer_auth(KEY)
                            .header("content-type", "application/json")
                            .body(r#"{"document_url": "data:text/plain,Accepted%20quickly."}"#)
                            .send()
                            .await
                        {
                            Ok(r) if r.status() == 202 => {
                                let _ = r.bytes().await;
                                latencies.push(t.elapsed());
                            }
                            _ => other += 1,
                        }
                    }
                    (latencies, other)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        let mut other = 0;
        for c in clients {
            let (l, e) = c.await.expect("client task");
            latencies.extend(l);
            other += e;
        }
        latencies.sort();
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "  {label:<16} {:>7.0} accepts/s  p50 {:.2} ms  p99 {:.2} ms  not 202: {other}",
            latencies.len() as f64 / elapsed,
            percentile(&latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
}

/// 4. The retention sweep of `o.sweep` finished rows, and GET latency meanwhile.
async fn sweep(o: &Options, dir: &std::path::Path, http: &reqwest::Client) {
    let db = dir.join("sweep.db");
    // The schema, by the server's own migrations; then the rows, in bulk.
    drop(
        orchestrator_server::SqliteStore::open(&orchestrator_server::Database::File(db.clone()))
            .expect("schema"),
    );
    let filled = Instant::now();
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.execute_batch("PRAGMA synchronous = OFF;")
            .expect("pragma");
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO tasks (id, tenant, bot_id, action, input, status, progress, result,
                                created_at, started_at, completed_at, updated_at, attempts)
             SELECT 'old-' || i, 'default', 'bot', 'analyze-document', '{}', 'COMPLETED', 100,
                    '{\"summary\":\"old\"}', 1000, 1000, 1000 + i, 1000 + i, 1
             FROM n",
            [o.sweep as i64],
        )
        .expect("fill");
    }
    println!(
        "sweep: {} finished rows older than the time to live (filled in {:.1?})",
        o.sweep,
        filled.elapsed()
    );
    let server = ServerProcess::start(
        server_bin(),
        &db,
        "127.0.0.1:0",
        KEY,
        &[
            "--workers",
            "1",
            "--work-delay-ms",
            "3600000",
            "--task-ttl",
            "1h",
            "--log",
            "info",
        ],
    );
    let started = Instant::now();
    let task = submit(http, &server.url).await;
    // GETs until the sweep says it is done.
    let log = server.log.clone();
    let done = tokio::spawn(async move {
        loop {
            if let Some(line) = log
                .lock()
                .expect("log")
                .lines()
                .find(|l| l.contains("deleted finished tasks"))
            {
                return (Instant::now(), line.to_owned());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut latencies = Vec::new();
    while !done.is_finished() && started.elapsed() < Duration::from_secs(600) {
        let t = Instant::now();
        if let Ok(r) = http.get(&task).bearer_auth(KEY).send().await {
            let _ = r.bytes().await;
            latencies.push(t.elapsed());
        }
    }
    let (finished, line) = done.await.expect("sweep watcher");
    latencies.sort();
    println!(
        "  swept in {:.1} s (from the server's start): {}",
        finished.duration_since(started).as_secs_f64(),
        line.trim()
    );
    println!(
        "  status GETs meanwhile: {}  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        latencies.len(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

/// How the held long polls are sent.
#[derive(Clone, Copy, PartialEq)]
enum Waiter {
    /// One request written on a bare socket, read up to the status line: the
    /// cheapest possible client, so the figure is the server's.
    RawSocket,
    /// reqwest, as a program would send them (over HTTP/1.1, a connection
    /// each), on the same two cores as the server.
    Reqwest,
}

impl Waiter {
    fn label(self) -> &'static str {
        match self {
            Waiter::RawSocket => "raw sockets",
            Waiter::Reqwest => "reqwest",
        }
    }
}

/// One long poll held on `task`: (answered 200, when the status line came,
/// the connection). Connections stay open until the figures are taken, as a
/// long-polling client's would for its next poll: closing them would add
/// teardown work to the wake-up being measured.
async fn held_request(
    waiter: Waiter,
    http: reqwest::Client,
    task: String,
) -> (bool, Instant, Option<tokio::net::TcpStream>) {
    match waiter {
        Waiter::Reqwest => {
            let response = http
                .get(&task)
                .bearer_auth(KEY)
                .header("prefer", "wait=30")
                .send()
                .await;
            let answered = Instant::now();
            let success = match response {
                // Read to the end, so the connection goes back to the pool.
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            (success, answered, None)
        }
        Waiter::RawSocket => match raw_long_poll(&task).await {
            Ok((success, answered, socket)) => (success, answered, Some(socket)),
            Err(_) => (false, Instant::now(), None),
        },
    }
}

/// `GET task` with `Prefer: wait=30` over a fresh TCP connection: whether
/// the status line says 200, when it came, and the connection.
async fn raw_long_poll(task: &str) -> std::io::Result<(bool, Instant, tokio::net::TcpStream)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = task.strip_prefix("http://").unwrap_or(task);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut socket = tokio::net::TcpStream::connect(authority).await?;
    socket.set_nodelay(true)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nhost: {authority}\r\nauthorization: Bearer {KEY}\r\nprefer: wait=30\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await?;
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match socket.read(&mut head[read..]).await? {
            0 => break,
            n => read += n,
        }
    }
    Ok((
        head[..read].starts_with(b"HTTP/1.1 200"),
        Instant::now(),
        socket,
    ))
}

/// 2. Held long polls: memory, CPU, and the wake-up of all of them.
async fn held_long_polls(
    o: &Options,
    binary: &std::path::Path,
    extra: &[&str],
    dir: &std::path::Path,
    http: &reqwest::Client,
    waiter: Waiter,
) {
    let client = waiter.label();
    let name = format!("held-{}.db", client.replace(' ', "-"));
    let (server, mut task) = busy_server(binary, dir, &name, extra).await;
    let pid = server.pid();
    println!(
        "held long polls: {} at once (Prefer: wait=30; {client}), {} rounds",
        o.held, o.rounds
    );
    let mut wakes = Vec::new();
    for round in 1..=o.rounds {
        if round > 1 {
            task = submit(http, &server.url).await;
        }
        let (rss_before, cpu_before) = usage(pid);
        let held: Vec<_> = (0..o.held)
            .map(|_| tokio::spawn(held_request(waiter, http.clone(), task.clone())))
            .collect();
        // Let every request arrive, then measure the cost of holding them.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (_, cpu_settled) = usage(pid);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (rss_held, cpu_held) = usage(pid);
        let client_cpu_before = orchestrator_testkit::usage(std::process::id()).1;
        let changed = Instant::now();
        http.delete(&task)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("cancel");
        let mut ok = 0;
        let mut arrivals = Vec::with_capacity(o.held);
        let mut connections = Vec::with_capacity(o.held);
        for h in held {
            let (success, at, connection) = h.await.expect("held task");
            connections.push(connection);
            ok += usize::from(success);
            arrivals.push(at.saturating_duration_since(changed));
        }
        arrivals.sort();
        let cpu_wake = usage(pid).1 - cpu_held;
        let client_cpu_wake = orchestrator_testkit::usage(std::process::id()).1 - client_cpu_before;
        drop(connections);
        if round == 1 {
            println!(
                "  server RSS before {} KiB, holding {} KiB ({:.1} KiB per held request)",
                rss_before,
                rss_held,
                (rss_held.saturating_sub(rss_before)) as f64 / o.held.max(1) as f64
            );
            println!(
                "  server CPU to accept them: {:.2} s; to hold them for 1 s: {:.2} s",
                cpu_settled - cpu_before,
                cpu_held - cpu_settled
            );
        }
        let last = percentile(&arrivals, 1.0);
        let first = percentile(&arrivals, 0.0);
        println!(
            "  round {round}: all {ok}/{} answered {:.1} ms after the change (first {:.1} ms, \
             median {:.1} ms); CPU to answer them: server {cpu_wake:.2} s, this client \
             {client_cpu_wake:.2} s",
            o.held,
            last.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3,
            percentile(&arrivals, 0.5).as_secs_f64() * 1e3,
        );
        wakes.push(last);
        // Let the closed connections go before the next round.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    wakes.sort();
    println!(
        "  all answered after the change: median of {} rounds {:.1} ms (best {:.1}, worst {:.1})",
        o.rounds,
        percentile(&wakes, 0.5).as_secs_f64() * 1e3,
        percentile(&wakes, 0.0).as_secs_f64() * 1e3,
        percentile(&wakes, 1.0).as_secs_f64() * 1e3,
    );
}

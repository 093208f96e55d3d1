//! The SDK awaiting many tasks concurrently from one process against one
//! release server on loopback: wall time, client peak RSS, requests/s and
//! server CPU.
//!
//! ```sh
//! cargo bench --bench sdk_scale -- --tasks 10000 [--http2] [--no-long-poll]
//!     [--submit-concurrency N] [--max-submits N] [--max-idle N] [--keep-results]
//!     [--tls] [--bare-h2] [--no-event-stream]
//! ```
//!
//! By default the waits share the server's event stream (one
//! `GET /v1/events` for all of them, no request held per wait);
//! `--no-event-stream` makes each wait long poll (or poll) instead.
//!
//! `--hold` measures what a waiting task costs the server: with no
//! workers, every task stays PENDING; the bench submits them all, reads the
//! server's RSS, starts a wait on each, reads it again 10 s later and
//! prints the difference per wait.
//!
//! `--http2` speaks h2c with prior knowledge, so every wait shares one
//! connection; without it each wait in flight holds an HTTP/1.1 connection.
//! `--max-idle N` sets the SDK's idle-connection cap (default 32), and
//! `--max-submits N` its cap on submits on the wire at once (default 256):
//! `--submit-concurrency` only limits how many the bench starts together.
//! Each wait keeps only whether it completed and its lag, unless
//! `--keep-results` keeps every outcome until the end.
//!
//! `--tls` serves HTTPS (a throwaway CA the client trusts), so HTTP/2 is
//! negotiated by ALPN as with a server in the wild.
//!
//! `--bare-h2` is the floor to compare the SDK with: the submits still go
//! through the SDK, but each wait is a loop of long polls sent on one
//! HTTP/2 connection driven by hyper's connection API, with no client
//! library, retries, redirects or pacing on top.
//!
//! Not a test: it prints figures.

use std::future::IntoFuture;
use std::time::{Duration, Instant, SystemTime};

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
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse::<usize>().ok())
    };
    let http2 = flag("--http2");
    let tls = flag("--tls");
    let keep_results = flag("--keep-results");
    let dir = std::env::temp_dir().join(format!("orchestrator-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // `--tls`: HTTPS with a throwaway CA; HTTP/2 is then negotiated by ALPN.
    let ca = tls.then(orchestrator_testkit::TestCa::new);
    let tls_args: Vec<String> = match &ca {
        Some(ca) => {
            let cert = ca.server_cert(&["localhost"], &dir);
            vec![
                "--tls-cert".into(),
                cert.cert.display().to_string(),
                "--tls-key".into(),
                cert.key.display().to_string(),
            ]
        }
        None => Vec::new(),
    };
    let hold = flag("--hold");
    let mut server_args = vec![
        "--workers",
        if hold { "0" } else { "500" },
        "--work-delay-ms",
        "2000",
        "--max-queued",
        "1000000",
        "--max-connections",
        "200000",
        "--http2-max-streams",
        "100000",
        // Requests are counted from the server's metrics, not from a debug
        // log: a log of every request would pile up in this process (it
        // reads the server's stderr) and be counted as the waits' memory.
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    server_args.extend(tls_args.iter().map(String::as_str));
    let server = ServerProcess::start_with_env(
        &orchestrator_testkit::server_binary_beside(std::path::Path::new(env!(
            "CARGO_BIN_EXE_orchestrator-cli"
        ))),
        &dir.join("scale.db"),
        "127.0.0.1:0",
        KEY,
        &server_args,
        &[],
    );
    let metrics_url = metrics_url(&server);
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
    let event_stream = !flag("--no-event-stream");
    options.event_stream = event_stream;
    // The certificate names `localhost`, not the address the server prints.
    let base = server.url.replace("127.0.0.1", "localhost");
    let mut builder = Client::builder(&base)
        .bearer_token(KEY)
        .poll_options(options)
        .http2_prior_knowledge(http2 && !tls);
    if let Some(ca) = &ca {
        builder = builder.add_root_certificate(ca.pem());
    }
    if let Some(idle) = value("--max-idle") {
        builder = builder.max_idle_connections(idle);
    }
    let max_submits = value("--max-submits");
    if let Some(submits) = max_submits {
        builder = builder.max_concurrent_submits(submits);
    }
    let client = builder.build().expect("client");
    assert!(
        !(tls && flag("--bare-h2")),
        "--bare-h2 speaks h2c, not HTTPS"
    );
    let bare = if flag("--bare-h2") {
        Some(BareH2::connect(&server.url).await)
    } else {
        None
    };
    if hold {
        hold_waits(&client, tasks, pid, flag("--no-event-stream")).await;
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let (_, cpu_before) = orchestrator_testkit::usage(pid);
    let started = Instant::now();
    let outcomes: Vec<_> = futures_util::stream::iter(0..tasks)
        .map(|i| {
            // Borrowed, not cloned: a program's own state per wait is
            // counted in the figures too, and should be what it needs.
            let (client, submits, bare) = (&client, &submits, &bare);
            async move {
                let doc = format!("data:text/plain,Task%20{i}%20shows%20strong%20growth.");
                let permit = submits.acquire().await.expect("never closed");
                let accepted = client
                    .analyze_document("scale", &AnalyzeDocument::new(doc))
                    .await?;
                drop(permit);
                if let Some(bare) = &bare {
                    // Boxed: unboxed, its state would be room in every
                    // wait's future, the SDK's too.
                    return Ok(Box::pin(bare.wait(&accepted)).await);
                }
                let outcome = client.poll(&accepted).await?;
                let lag = lag_since(outcome.status().completed_at());
                // Only what the figures need is kept: a program that held
                // on to every result would measure its results, not its
                // waits (`--keep-results` keeps them).
                // Boxed: the results vector holds an element per task,
                // and room for a whole outcome in each would be the figure.
                let kept = keep_results.then(|| Box::new(outcome.clone()));
                Ok::<_, orchestrator::Error>((outcome.is_completed(), lag, kept))
            }
        })
        .buffer_unordered(tasks)
        .collect()
        .await;
    let wall = started.elapsed();
    let completed = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|(done, _, _)| *done))
        .count();
    let mut lags: Vec<Duration> = outcomes.iter().filter_map(|o| o.as_ref().ok()?.1).collect();
    lags.sort();
    let pct = |p: f64| {
        lags.get(((lags.len() as f64 - 1.0) * p).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let (server_peak, cpu_after) = orchestrator_testkit::usage(pid);
    let (client_peak, client_cpu) = orchestrator_testkit::usage(std::process::id());
    let requests = requests_served(&metrics_url);
    drop(server);
    if let Some(Err(e)) = outcomes.iter().find(|o| o.is_err()) {
        println!("first error: {e}");
    }
    let mode = match (event_stream && bare.is_none(), long_poll) {
        (true, _) => "over the event stream",
        (false, true) => "long polling",
        (false, false) => "plain polling",
    };
    let protocol = match (bare.is_some(), tls, http2) {
        (true, _, _) => "waits on bare hyper HTTP/2 (h2c), submits through the SDK",
        (false, true, _) => "HTTPS, HTTP/2 by ALPN",
        (false, false, true) => "HTTP/2 (h2c)",
        (false, false, false) => "HTTP/1.1",
    };
    let on_the_wire = max_submits.map_or("the SDK's default cap".to_owned(), |n| n.to_string());
    println!(
        "SDK awaiting {tasks} tasks concurrently ({protocol}, {mode}, {submit_concurrency} submits started at a time, at most {on_the_wire} on the wire; 2 s each, 500 server workers{}):",
        if keep_results {
            "; every outcome kept"
        } else {
            ""
        }
    );
    println!("  completed         {completed}/{tasks}");
    println!(
        "  lag               p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (seen after completed_at)",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
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

/// `--hold`: the server's memory per waiting task.
async fn hold_waits(client: &Client, tasks: usize, pid: u32, polling: bool) {
    let accepted: Vec<_> = futures_util::stream::iter(0..tasks)
        .map(|i| {
            let client = client.clone();
            async move {
                let doc = format!("data:text/plain,Held%20task%20{i}.");
                client
                    .analyze_document("scale", &AnalyzeDocument::new(doc))
                    .await
                    .expect("submit")
            }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = orchestrator_testkit::status_kib(pid, "VmRSS:");
    let waits: Vec<_> = accepted
        .into_iter()
        .map(|a| tokio::spawn(IntoFuture::into_future(client.poll(a))))
        .collect();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = orchestrator_testkit::status_kib(pid, "VmRSS:");
    let how = if polling {
        "long polls"
    } else {
        "the event stream"
    };
    println!(
        "{tasks} PENDING tasks waited for over {how}: server RSS {:.1} MiB before the waits, {:.1} MiB with them: {:.2} KiB per waiting task",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after as f64 - before as f64) / tasks as f64
    );
    for w in waits {
        w.abort();
    }
}

/// How long after the server finished a task (its `completed_at`) it was
/// seen here.
fn lag_since(completed_at: Option<&str>) -> Option<Duration> {
    let at = humantime::parse_rfc3339_weak(completed_at?).ok()?;
    SystemTime::now().duration_since(at).ok()
}

/// Where the server serves its metrics, from the line it prints at start.
fn metrics_url(server: &ServerProcess) -> String {
    let prefix = "orchestrator-server metrics on ";
    let started = Instant::now();
    loop {
        let log = server.log.lock().map(|l| l.clone()).unwrap_or_default();
        if let Some(url) = log.lines().find_map(|l| l.strip_prefix(prefix)) {
            return url.trim().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not say where its metrics are: {log}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every API request the server answered, from its `http_requests` counter
/// (one plain HTTP/1.0 GET; the bench needs no HTTP client of its own).
fn requests_served(metrics_url: &str) -> u64 {
    use std::io::{Read, Write};
    let Some((addr, path)) = metrics_url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once('/'))
    else {
        println!("metrics URL not understood: {metrics_url}");
        return 0;
    };
    let mut text = String::new();
    let read = std::net::TcpStream::connect(addr).and_then(|mut stream| {
        write!(stream, "GET /{path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
        stream.read_to_string(&mut text)
    });
    if let Err(e) = read {
        println!("metrics unreadable: {e}");
    }
    text.lines()
        .filter(|l| l.starts_with("orchestrator_http_requests_total{"))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// Long polls on one HTTP/2 connection with nothing but hyper: what a wait
/// costs without a client library.
#[derive(Clone)]
struct BareH2 {
    sender: hyper::client::conn::http2::SendRequest<http_body_util::Empty<hyper::body::Bytes>>,
}

impl BareH2 {
    async fn connect(base: &str) -> BareH2 {
        let addr = base.trim_start_matches("http://").trim_end_matches('/');
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (sender, connection) =
            hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .initial_connection_window_size(16 << 20)
                .handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("HTTP/2 handshake");
        tokio::spawn(connection);
        BareH2 { sender }
    }

    /// Polls until the task ends: whether it completed, its lag, no outcome.
    async fn wait(
        &self,
        accepted: &orchestrator::Accepted,
    ) -> (bool, Option<Duration>, Option<Box<orchestrator::Outcome>>) {
        use http_body_util::BodyExt;
        loop {
            let request = hyper::Request::get(accepted.status_url().as_str())
                .header("authorization", format!("Bearer {KEY}"))
                .header("prefer", "wait=20")
                .body(http_body_util::Empty::new())
                .expect("a valid request");
            let mut sender = self.sender.clone();
            let Ok(response) = sender.send_request(request).await else {
                return (false, None, None);
            };
            let Ok(body) = response.into_body().collect().await else {
                return (false, None, None);
            };
            let status: serde_json::Value =
                serde_json::from_slice(&body.to_bytes()).unwrap_or_default();
            match status["status"].as_str() {
                Some("PENDING" | "RUNNING") => continue,
                Some("COMPLETED") => {
                    return (true, lag_since(status["completed_at"].as_str()), None);
                }
                _ => return (false, None, None),
            }
        }
    }
}

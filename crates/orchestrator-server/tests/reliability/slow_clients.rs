//! Slow and idle clients against the real binary: thousands of connections
//! that send half a request line and stop are closed within the header-read
//! timeout while normal requests keep their latency; an idle keep-alive
//! connection is closed after the idle timeout; a held long poll longer
//! than both is never cut.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{KEY, server_bin};
use orchestrator_testkit::{ServerProcess, figure, status_kib};

/// How many half-open connections to stage.
const FLOOD: usize = 3_000;

/// Median and worst of `n` sequential health checks, in ms.
async fn latency(http: &reqwest::Client, url: &str, n: usize) -> (f64, f64) {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let r = http.get(format!("{url}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        took.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    took.sort_by(f64::total_cmp);
    (took[n / 2], took[n - 1])
}

/// Whether the server closed `stream` within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue, // a 408 or the like before the close
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_are_closed_in_time_and_normal_requests_keep_their_latency() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("slow.db"),
        "127.0.0.1:0",
        KEY,
        &[
            "--header-read-timeout",
            "2s",
            "--idle-timeout",
            "3s",
            "--max-connections",
            "8000",
        ],
    );
    let addr = server.url.trim_start_matches("http://").to_owned();
    let http = reqwest::Client::new();
    let before = latency(&http, &server.url, 50).await;
    let rss_before = status_kib(server.pid(), "VmRSS:");

    let opened = Instant::now();
    let mut flood: Vec<TcpStream> = join_all((0..FLOOD).map(|_| {
        let addr = addr.clone();
        async move {
            let mut s = TcpStream::connect(&addr).await.unwrap();
            s.write_all(b"GET /healthz HT").await.unwrap();
            s
        }
    }))
    .await;
    let staged_in = opened.elapsed();
    let during = latency(&http, &server.url, 50).await;
    let rss_during = status_kib(server.pid(), "VmRSS:");

    let closed = join_all(
        flood
            .iter_mut()
            .map(|s| closed_within(s, Duration::from_secs(6))),
    )
    .await;
    let all_closed_in = opened.elapsed();
    let open = closed.iter().filter(|c| !**c).count();
    assert_eq!(
        open, 0,
        "{open} of {FLOOD} half-open connections still open"
    );
    assert!(
        all_closed_in < Duration::from_secs(8),
        "took {all_closed_in:?}"
    );
    // Normal requests stayed fast while the flood was held.
    assert!(during.0 < before.0 * 5.0 + 5.0, "{before:?} → {during:?}");
    figure(
        "slow clients",
        &format!(
            "{FLOOD} half-open connections (staged in {staged_in:.1?}) all closed {all_closed_in:.1?} after opening (header-read timeout 2 s); \
             /healthz p50/max {:.2}/{:.2} ms before, {:.2}/{:.2} ms during; server RSS {} → {} KiB",
            before.0, before.1, during.0, during.1, rss_before, rss_during
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_but_a_long_poll_is_never_cut() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("idle.db"),
        "127.0.0.1:0",
        KEY,
        &[
            "--header-read-timeout",
            "1s",
            "--idle-timeout",
            "2s",
            "--work-delay-ms",
            "600000",
        ],
    );
    let addr = server.url.trim_start_matches("http://").to_owned();

    // One request, then silence on the same connection.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let started = Instant::now();
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await);
    let idle_for = started.elapsed();
    assert!(
        idle_for >= Duration::from_millis(1900) && idle_for < Duration::from_secs(4),
        "{idle_for:?}"
    );

    // A long poll held for 4 s, past both timeouts, answers normally.
    let http = reqwest::Client::new();
    let submit = http
        .post(format!("{}/v1/bots/b/actions/analyze-document", server.url))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body(r#"{"document_url": "data:text/plain,Slow%20work."}"#)
        .send()
        .await
        .unwrap();
    let task = submit.headers()["location"].to_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await; // let progress settle
    let started = Instant::now();
    let held = http
        .get(format!("{}{task}", server.url))
        .bearer_auth(KEY)
        .header("prefer", "wait=4")
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    figure(
        "idle clients",
        &format!(
            "an idle keep-alive connection closed after {idle_for:.1?} (idle timeout 2 s); a long poll held {:.1?} answered 200",
            started.elapsed()
        ),
    );
}

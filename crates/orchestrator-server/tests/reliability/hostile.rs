//! Hostile input: nobody gets in without the key, the key never reaches the
//! logs, and malformed requests get clear 4xx answers while the server stays up.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::StatusCode;

use crate::{KEY, REPORT, data_url, server_bin};
use orchestrator_testkit::{ServerProcess, figure};

async fn healthy(http: &reqwest::Client, url: &str) {
    let r = http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .expect("the server is still up");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_but_health_refuses_a_missing_or_wrong_key_and_the_key_never_reaches_the_logs()
 {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_with_env(
        server_bin(),
        &dir.path().join("auth.db"),
        "127.0.0.1:0",
        KEY,
        &[],
        &[("RUST_LOG", "trace")],
    );
    let http = reqwest::Client::new();
    let url = &server.url;
    let body = serde_json::json!({"document_url": data_url(REPORT)}).to_string();

    let submit = http
        .post(format!("{url}/v1/bots/bot-1/actions/analyze-document"))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(submit.status(), StatusCode::ACCEPTED);
    let task = format!("{url}{}", submit.headers()["location"].to_str().unwrap());

    let endpoints: Vec<(reqwest::Method, String)> = vec![
        (
            reqwest::Method::POST,
            format!("{url}/v1/bots/bot-1/actions/analyze-document"),
        ),
        (reqwest::Method::GET, task.clone()),
        (reqwest::Method::DELETE, task.clone()),
        (reqwest::Method::GET, format!("{url}/openapi.json")),
    ];
    let mut refused = 0;
    for (method, endpoint) in &endpoints {
        for key in [None, Some("wrong-key-91b3"), Some("")] {
            let mut request = http
                .request(method.clone(), endpoint)
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(key) = key {
                request = request.header("authorization", format!("Bearer {key}"));
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {endpoint} with {key:?}"
            );
            assert!(response.headers().contains_key("www-authenticate"));
            refused += 1;
        }
    }
    let ok = http.get(&task).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    healthy(&http, url).await;

    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.lines().filter(|l| l.contains("request")).count() >= 13,
        "every request is logged: {log}"
    );
    assert!(!log.contains(KEY), "the key reached the server log");
    assert!(
        !log.contains("wrong-key-91b3"),
        "a presented key reached the server log"
    );
    figure(
        "auth",
        &format!(
            "{refused} unauthenticated requests to {} endpoints refused with 401; key absent from {} lines of trace log",
            endpoints.len(),
            log.lines().count()
        ),
    );
}

/// Sends raw bytes and returns the status line (or what happened).
fn raw(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    text.lines()
        .next()
        .unwrap_or("connection closed without a response")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_deep_requests_get_clear_4xx_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("hostile.db"),
        "127.0.0.1:0",
        KEY,
        &[],
    );
    // No connection reuse: the server may close a connection after refusing
    // a body it did not read, and that must not look like a crash.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let url = server.url.clone();
    let submit = format!("{url}/v1/bots/bot-1/actions/analyze-document");
    let post = |body: Vec<u8>| {
        http.post(&submit)
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "oversized body",
            format!("{{\"document_url\": \"data:,{}\"}}", "a".repeat(2 << 20)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "truncated JSON",
            b"{\"document_url\": ".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "deep JSON",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "deep JSON under the size limit",
            format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)).into_bytes(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "invalid UTF-8",
            b"{\"document_url\": \"\xff\xfe\"}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        ("empty body", Vec::new(), StatusCode::BAD_REQUEST),
        ("null", b"null".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "huge string field",
            format!(
                "{{\"document_url\": {}}}",
                serde_json::to_string(&"x".repeat(60_000)).unwrap()
            )
            .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, body, expected) in cases {
        let response = post(body).await.unwrap();
        assert_eq!(response.status(), expected, "{what}");
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{what}"
        );
        let problem: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}"
        );
        healthy(&http, &url).await;
    }

    let addr = url.trim_start_matches("http://").to_owned();
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(256 * 1024)
    );
    let line = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || raw(&addr, huge_header.as_bytes())
    })
    .await
    .unwrap();
    assert!(line.contains("431"), "{line}");
    let garbage = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || raw(&addr, b"\x16\x03\x01\x02\x00 not http at all\r\n\r\n")
    })
    .await
    .unwrap();
    assert!(
        garbage.contains("400") || garbage.starts_with("connection closed"),
        "{garbage}"
    );
    let odd_path = http
        .get(format!("{url}/v1/tasks/%FF%00..%2F.."))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(odd_path.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        odd_path.headers()["content-type"],
        "application/problem+json"
    );
    healthy(&http, &url).await;
    figure(
        "hostile",
        &format!(
            "8 malformed bodies, a 256 KiB header ({line}), raw garbage ({garbage}) and an odd path: all 4xx, server healthy after each"
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_announced_past_the_limit_is_refused_413_at_once_without_waiting_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        server_bin(),
        &dir.path().join("announced.db"),
        "127.0.0.1:0",
        KEY,
        &[],
    );
    let addr = server.url.trim_start_matches("http://").to_owned();
    let request = format!(
        "POST /v1/bots/bot-1/actions/analyze-document HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n\
         Content-Length: 10000000000\r\n\r\n"
    );
    let started = std::time::Instant::now();
    let status = tokio::task::spawn_blocking(move || raw(&addr, request.as_bytes()))
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(status.contains(" 413 "), "{status}");
    // Not the body-read timeout (30 s by default) followed by a 408.
    assert!(took < Duration::from_secs(2), "{took:?}");
    orchestrator_testkit::figure(
        "hostile",
        &format!(
            "Content-Length: 10000000000 with no body: 413 in {:.1} ms",
            took.as_secs_f64() * 1000.0
        ),
    );
}

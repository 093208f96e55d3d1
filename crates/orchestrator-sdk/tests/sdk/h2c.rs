//! Status `GET`s with `http2_prior_knowledge` to a plaintext API take a
//! direct HTTP/2 path instead of reqwest's; a program must not be able to
//! tell the two apart: same headers, redirects, timeouts, caps and errors.

use std::time::Duration;

use orchestrator::{Client, ErrorKind};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn h2c(base: &str) -> Client {
    Client::builder(base)
        .bearer_token(TOKEN)
        .http2_prior_knowledge(true)
        .build()
        .unwrap()
}

/// The path and the sorted headers (but `host`) of every request `server`
/// received.
async fn received(server: &MockServer) -> Vec<(String, Vec<(String, String)>)> {
    let mut requests = server.received_requests().await.unwrap_or_default();
    requests
        .drain(..)
        .map(|r| {
            let mut headers: Vec<(String, String)> = r
                .headers
                .iter()
                .filter(|(name, _)| name.as_str() != "host")
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        value.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            headers.sort();
            (r.url.path().to_owned(), headers)
        })
        .collect()
}

#[tokio::test]
async fn a_status_get_over_h2c_sends_the_same_headers_as_over_http1() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(ok(status_json("t-1", "RUNNING", Some(10))))
        .mount(&server)
        .await;

    let status = h2c(&server.uri()).status("t-1").await.unwrap();
    assert_eq!(status.progress_percent(), Some(10.0));
    let http1 = Client::builder(server.uri())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    http1.status("t-1").await.unwrap();

    let seen = received(&server).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].1, seen[1].1, "headers differ between the two paths");
    let auth = seen[0].1.iter().find(|(name, _)| name == "authorization");
    assert_eq!(
        auth.map(|(_, v)| v.as_str()),
        Some(&*format!("Bearer {TOKEN}"))
    );
}

#[tokio::test]
async fn a_redirected_status_get_over_h2c_is_followed_under_the_clients_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/v2/tasks/t-1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/tasks/t-1"))
        .respond_with(ok(status_json("t-1", "COMPLETED", None)))
        .mount(&server)
        .await;

    let outcome = h2c(&server.uri()).poll("t-1").await.unwrap();
    assert!(outcome.is_completed(), "{outcome:?}");
    // The direct path hands the redirect to reqwest, which asks again and
    // follows it (so the first URL is asked twice); the token went along,
    // since the origin is the same.
    let seen = received(&server).await;
    let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["/v1/tasks/t-1", "/v1/tasks/t-1", "/v2/tasks/t-1"]);
    assert!(
        seen.iter()
            .all(|(_, h)| h.iter().any(|(name, _)| name == "authorization"))
    );
}

#[tokio::test]
async fn a_status_get_over_h2c_that_gets_no_answer_times_out_as_a_transient_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(status_json("t-1", "RUNNING", None)).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .http2_prior_knowledge(true)
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let err = client.status("t-1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_transient());
    assert!(
        err.to_string().contains("the request timed out (GET "),
        "{err}"
    );
}

#[tokio::test]
async fn an_oversized_status_body_over_h2c_is_refused_without_being_buffered() {
    let server = MockServer::start().await;
    let huge = json!({"task_id": "t-1", "status": "RUNNING", "pad": "x".repeat(64 * 1024)});
    Mock::given(method("GET"))
        .respond_with(ok(huge))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .http2_prior_knowledge(true)
        .max_body_bytes(16 * 1024)
        .build()
        .unwrap();

    let err = client.status("t-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(
        err.to_string().contains("exceeds the 16384-byte limit"),
        "{err}"
    );
}

#[tokio::test]
async fn a_dead_server_over_h2c_is_a_transient_connection_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = h2c(&format!("http://127.0.0.1:{port}"));

    let err = client.status("t-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_transient());
    assert!(err.to_string().contains("could not connect (GET "), "{err}");
    assert!(!format!("{err:?}").contains(TOKEN));
}

//! Reaching the server: one that never answered is reported in seconds,
//! one that answered once is ridden out; a spent deadline still gets one
//! look; a name that would leave the API's path is refused unsent.

use std::time::Duration;

use orchestrator::{AnalyzeDocument, ErrorKind, Outcome};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A loopback URL nothing listens on.
fn dead_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn a_server_that_never_answered_ends_the_wait_after_the_first_answer_timeout() {
    let clock = virtual_clock();
    let client = client(&dead_url(), &clock);
    let err = client.poll("task-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(
        err.to_string().contains("no answer from the server in"),
        "{err}"
    );
    assert_eq!(
        err.advice(),
        Some("check that the server is running and that the client's base URL is right")
    );
    assert!(!err.message().contains("check that"), "{err}");
    // At the first-answer timeout (5 s of virtual time), not a backoff step
    // past it nor after every retry the options allow.
    let waited: Duration = clock.sleeps().iter().sum();
    assert_eq!(waited, Duration::from_secs(5), "{:?}", clock.sleeps());
    assert!(clock.sleeps().len() < 10, "{:?}", clock.sleeps());
}

/// A server on a port of its own that accepts one submit and then stops
/// listening: every later connection to that port is refused.
async fn accepts_once_then_goes_away() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        drop(listener);
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // The head, then the body its Content-Length announces.
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let body = r#"{"task_id":"task-1","status":"PENDING"}"#;
        let answer = format!(
            "HTTP/1.1 202 Accepted\r\nlocation: /v1/tasks/task-1\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
    });
    url
}

#[tokio::test]
async fn a_server_that_answered_once_is_ridden_out_as_max_consecutive_errors_allow() {
    let url = accepts_once_then_goes_away().await;
    let clock = virtual_clock();
    let client = client(&url, &clock);
    let handle = client
        .analyze_document("bot-1", &AnalyzeDocument::new("https://example.com/a.txt"))
        .await
        .unwrap();
    let err = client.poll(&handle).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(
        err.to_string().contains("gave up after 10 failed polls"),
        "{err}"
    );
    assert!(
        !err.to_string().contains("no answer from the server"),
        "{err}"
    );
}

#[tokio::test]
async fn a_deadline_of_zero_looks_once_and_reports_what_it_saw() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(
            json!({"task_id": "done", "status": "COMPLETED", "result": {"ok": true}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let clock = virtual_clock();
    let client = client(&server.uri(), &clock);
    let outcome = client
        .poll("done")
        .timeout(Duration::ZERO)
        .await
        .expect("one look at a finished task is its outcome");
    assert!(matches!(outcome, Outcome::Completed(_)), "{outcome:?}");

    let running = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(status_json("busy", "RUNNING", Some(40))))
        .expect(1)
        .mount(&running)
        .await;
    let client = super::support::client(&running.uri(), &clock);
    let err = client
        .poll("busy")
        .timeout(Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    assert!(err.to_string().contains("still RUNNING (40%)"), "{err}");
}

#[tokio::test]
async fn a_bot_id_or_task_id_that_would_leave_the_apis_path_is_refused_unsent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let clock = virtual_clock();
    let client = client(&server.uri(), &clock);
    for bot in ["..", ".", "bots/b", "/v1/tasks/t"] {
        let err = client
            .analyze_document(bot, &AnalyzeDocument::new("https://example.com/a.txt"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bot}: {err}");
    }
    for task in ["..", "."] {
        let err = client.status(task).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{task}: {err}");
        let err = client.cancel(task).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{task}: {err}");
    }
}

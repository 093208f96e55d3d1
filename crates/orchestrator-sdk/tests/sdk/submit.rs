//! Submits: acceptances read from every shape of `202`, and retries only
//! where they are safe.

use std::time::Duration;

use orchestrator::{AnalyzeDocument, ErrorKind, Outcome, Sentiment, TaskState};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn the_seed_walkthrough_submits_polls_and_decodes_the_analysis() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let id = "task-f4b5c6d7-e8f9-1234-5678-90abcdef1234";
    Mock::given(method("POST"))
        .and(path("/v1/bots/bot-abc-123/actions/analyze-document"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"document_url": "https://example.com/large-report.pdf"}),
        ))
        .respond_with(accepted(id))
        .expect(1)
        .mount(&server)
        .await;
    let polls = Script::new(
        &clock,
        vec![
            ok(status_json(id, "RUNNING", Some(45))),
            ok(json!({
                "task_id": id,
                "status": "COMPLETED",
                "completed_at": "2025-09-16T02:30:00Z",
                "result": {
                    "summary": "The document discusses market trends...",
                    "sentiment": "POSITIVE",
                    "entities": ["market", "growth", "revenue"]
                }
            })),
        ],
    );
    Mock::given(method("GET"))
        .and(path(format!("/v1/tasks/{id}")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(polls.clone())
        .mount(&server)
        .await;

    let client = client(&server.uri(), &clock);
    let accepted = client
        .analyze_document(
            "bot-abc-123",
            &AnalyzeDocument::new("https://example.com/large-report.pdf"),
        )
        .await
        .unwrap();
    assert_eq!(accepted.task_id().unwrap().as_str(), id);
    assert_eq!(
        accepted.status_url().as_str(),
        format!("{}/v1/tasks/{id}", server.uri())
    );
    assert_eq!(accepted.status().unwrap().state(), &TaskState::Pending);
    assert_eq!(accepted.http_status(), 202);

    let outcome = client.poll(&accepted).await.unwrap();
    let Outcome::Completed(status) = &outcome else {
        panic!("expected completion, got {outcome:?}")
    };
    assert_eq!(status.completed_at(), Some("2025-09-16T02:30:00Z"));
    let analysis = outcome.analyze_document_result().unwrap();
    assert_eq!(analysis.summary, "The document discusses market trends...");
    assert_eq!(analysis.sentiment, Sentiment::Positive);
    assert_eq!(analysis.entities, ["market", "growth", "revenue"]);
    assert_eq!(polls.seen().len(), 2);
}

#[tokio::test]
async fn a_202_without_location_falls_back_to_the_task_id_in_the_body() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"task_id": "t-9", "status": "PENDING"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-9"))
        .respond_with(ok(status_json("t-9", "COMPLETED", None)))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server.uri(), &clock);
    let accepted = client
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap();
    assert_eq!(accepted.status_url().path(), "/v1/tasks/t-9");
    assert!(client.poll(accepted).await.unwrap().is_completed());
}

#[tokio::test]
async fn the_fallback_status_url_keeps_the_base_url_path_prefix() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    Mock::given(method("POST"))
        .and(path(
            "/gateway/orchestrator/v1/bots/b/actions/analyze-document",
        ))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"task_id": "t-1", "status": "PENDING"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&format!("{}/gateway/orchestrator", server.uri()), &clock);
    let accepted = client
        .analyze_document("b", &AnalyzeDocument::new("https://example.com/a.pdf"))
        .await
        .unwrap();
    assert_eq!(
        accepted.status_url().path(),
        "/gateway/orchestrator/v1/tasks/t-1"
    );
}

#[tokio::test]
async fn absolute_and_relative_locations_resolve_against_the_request_url() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let absolute = format!("{}/elsewhere/tasks/abs-1", server.uri());
    let cases = [
        (absolute.as_str(), "/elsewhere/tasks/abs-1", "abs-1"),
        ("/v1/tasks/rel-1", "/v1/tasks/rel-1", "rel-1"),
        // A relative-path reference resolves against the POST URL (RFC 3986 §5.2).
        ("../../../tasks/rel-2", "/v1/tasks/rel-2", "rel-2"),
    ];
    for (location, want_path, want_id) in cases {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(202).insert_header("location", location))
            .mount(&server)
            .await;
        let accepted = client(&server.uri(), &clock)
            .submit("bot-1", "analyze-document", &json!({}))
            .await
            .unwrap();
        assert_eq!(
            accepted.status_url().path(),
            want_path,
            "Location {location}"
        );
        // No body: the id is read off the Location path.
        assert_eq!(accepted.task_id().unwrap().as_str(), want_id);
    }
}

#[tokio::test]
async fn a_202_with_neither_location_nor_task_id_is_a_protocol_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"status": "PENDING"})))
        .mount(&server)
        .await;
    let err = client(&server.uri(), &virtual_clock())
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(
        err.to_string()
            .contains("neither a `Location` header nor a `task_id`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_200_carrying_a_finished_task_needs_no_polling() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(
            json!({"task_id": "t-2", "status": "COMPLETED", "result": {"n": 1}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;

    let client = client(&server.uri(), &virtual_clock());
    let accepted = client.submit("bot-1", "count", &json!({})).await.unwrap();
    assert!(accepted.is_finished());
    let outcome = client.poll(&accepted).await.unwrap();
    assert_eq!(outcome.status().result().unwrap()["n"], 1);
}

#[tokio::test]
async fn a_resubmit_answered_with_a_bare_finished_state_reads_the_result_once() {
    // A replayed Idempotency-Key: the task ended long ago, and the reply
    // names its state without the result.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            accepted("t-3").set_body_json(json!({"task_id": "t-3", "status": "COMPLETED"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ok(
            json!({"task_id": "t-3", "status": "COMPLETED", "result": {"n": 3}}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let clock = virtual_clock();
    let client = client(&server.uri(), &clock);
    let accepted = client.submit("bot-1", "count", &json!({})).await.unwrap();
    let outcome = client.poll(&accepted).await.unwrap();
    assert_eq!(outcome.status().result().unwrap()["n"], 3);
    // Read at once, not after a pause.
    assert_eq!(clock.sleeps(), Vec::<std::time::Duration>::new());
}

#[tokio::test]
async fn a_submit_is_retried_on_503_and_429_with_the_same_idempotency_key() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let script = Script::new(
        &clock,
        vec![
            ResponseTemplate::new(503).insert_header("retry-after", "4"),
            ResponseTemplate::new(429).insert_header("retry-after", "2"),
            accepted("t-3"),
        ],
    );
    Mock::given(method("POST"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let accepted = client(&server.uri(), &clock)
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap();
    let seen = script.seen();
    assert_eq!(seen.len(), 3);
    let keys: Vec<_> = seen
        .iter()
        .map(|s| s.header("idempotency-key").unwrap().to_owned())
        .collect();
    assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
    assert_eq!(accepted.idempotency_key(), keys[0]);
    assert_eq!(uuid_version(&keys[0]), Some(4));
    // The server's Retry-After is a floor on each pause.
    let gaps = script.gaps();
    assert!(gaps[0] >= Duration::from_secs(4), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_secs(2), "{gaps:?}");
}

fn uuid_version(s: &str) -> Option<u32> {
    let parts: Vec<_> = s.split('-').collect();
    (parts.len() == 5).then(|| parts[2].chars().next()?.to_digit(16))?
}

#[tokio::test]
async fn a_caller_chosen_idempotency_key_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("idempotency-key", "nightly-42"))
        .respond_with(accepted("t-4"))
        .expect(1)
        .mount(&server)
        .await;
    let accepted = client(&server.uri(), &virtual_clock())
        .submit("bot-1", "analyze-document", &json!({}))
        .idempotency_key("nightly-42")
        .await
        .unwrap();
    assert_eq!(accepted.idempotency_key(), "nightly-42");
}

#[tokio::test]
async fn a_500_or_a_timeout_after_sending_is_retried_with_the_same_key_so_no_task_is_doubled() {
    let server = MockServer::start().await;
    // The first answer of each bot fails (the slow one after the client's
    // timeout, when the task may exist); the repeat is accepted.
    Mock::given(method("POST"))
        .and(path("/v1/bots/slow/actions/a"))
        .respond_with(accepted("t-5").set_delay(Duration::from_millis(500)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    for (bot, status) in [
        ("broken", 500),
        ("gateway", 502),
        ("restarting", 503),
        ("proxy", 504),
    ] {
        Mock::given(method("POST"))
            .and(path(format!("/v1/bots/{bot}/actions/a")))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .respond_with(accepted("t-6"))
        .mount(&server)
        .await;
    let client = builder(&server.uri(), &virtual_clock())
        .request_timeout(Duration::from_millis(100))
        .build()
        .unwrap();

    for bot in ["slow", "broken", "gateway", "restarting", "proxy"] {
        let accepted = client
            .submit(bot, "a", &json!({}))
            .idempotency_key(format!("k-{bot}"))
            .await
            .unwrap_or_else(|e| panic!("{bot}: {e}"));
        assert_eq!(accepted.idempotency_key(), format!("k-{bot}"));
    }
    let requests = server.received_requests().await.unwrap();
    for bot in ["slow", "broken", "gateway", "restarting", "proxy"] {
        let keys: Vec<&str> = requests
            .iter()
            .filter(|r| r.url.path() == format!("/v1/bots/{bot}/actions/a"))
            .map(|r| r.headers["idempotency-key"].to_str().unwrap())
            .collect();
        let expected = format!("k-{bot}");
        assert_eq!(keys, [expected.as_str(), expected.as_str()], "{bot}");
    }
}

#[tokio::test]
async fn a_server_that_keeps_failing_a_submit_is_given_up_on_with_its_status_and_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(3)
        .mount(&server)
        .await;
    let clock = virtual_clock();
    let err = builder(&server.uri(), &clock)
        .submit_retries(2)
        .build()
        .unwrap()
        .submit("broken", "a", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.to_string().contains("gave up after 3 attempts"),
        "{err}"
    );
    assert_eq!(clock.sleeps().len(), 2);

    // With retries off, a timeout after sending says a resubmit is safe.
    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("t-7").set_delay(Duration::from_millis(500)))
        .expect(1)
        .mount(&slow)
        .await;
    let err = builder(&slow.uri(), &virtual_clock())
        .request_timeout(Duration::from_millis(100))
        .submit_retries(0)
        .build()
        .unwrap()
        .submit("slow", "a", &json!({}))
        .idempotency_key("k-1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(
        err.to_string().contains("idempotency key `k-1` is safe"),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_as_transport() {
    // Bind and drop: the port is (almost certainly) closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = virtual_clock();
    let err = builder(&format!("http://127.0.0.1:{port}"), &clock)
        .submit_retries(2)
        .build()
        .unwrap()
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_transient());
    assert!(
        err.to_string().contains("gave up after 3 attempts"),
        "{err}"
    );
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn a_validation_error_carries_the_problem_details() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(422)
                .insert_header("content-type", "application/problem+json")
                .set_body_json(json!({
                    "type": "https://orchestrator.example.com/problems/invalid-field",
                    "title": "Invalid request body",
                    "status": 422,
                    "detail": "document_url: scheme must be http or https",
                    "field": "document_url"
                })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri(), &virtual_clock())
        .analyze_document("bot-1", &AnalyzeDocument::new("ftp://x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(!err.is_transient());
    let problem = err.problem().unwrap();
    assert_eq!(problem.extensions["field"], "document_url");
    assert!(
        err.to_string()
            .contains("document_url: scheme must be http or https"),
        "{err}"
    );
}

#[tokio::test]
async fn a_rate_limited_submit_follows_retry_after_beyond_the_retry_count_with_one_key() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    let mut answers: Vec<_> = (0..6)
        .map(|_| ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .collect();
    answers.push(accepted("t-limited"));
    let script = Script::new(&clock, answers);
    Mock::given(method("POST"))
        .respond_with(script.clone())
        .mount(&server)
        .await;

    let accepted = builder(&server.uri(), &clock)
        .submit_retries(2)
        .build()
        .unwrap()
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap();
    assert_eq!(accepted.task_id().unwrap().as_str(), "t-limited");
    let seen = script.seen();
    assert_eq!(seen.len(), 7);
    let key = accepted.idempotency_key();
    assert!(
        seen.iter()
            .all(|s| s.header("idempotency-key") == Some(key))
    );
    // Each pause honours the hint, with at most a quarter on top.
    for gap in script.gaps() {
        assert!(
            gap >= Duration::from_secs(1) && gap <= Duration::from_millis(1250),
            "{gap:?}"
        );
    }
}

#[tokio::test]
async fn a_server_that_keeps_saying_later_is_given_up_on_after_the_submit_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let clock = virtual_clock();
    let err = builder(&server.uri(), &clock)
        .submit_timeout(Duration::from_secs(100))
        .build()
        .unwrap()
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.to_string().contains("kept asking"), "{err}");
    let slept: Duration = clock.sleeps().iter().sum();
    assert!(slept <= Duration::from_secs(100), "{slept:?}");
    assert!(clock.sleeps().len() >= 2, "{:?}", clock.sleeps());
}

/// Reads one HTTP/1.1 request (headers and a `content-length` body) from a
/// fresh connection on `listener`, and returns the connection unanswered.
async fn accept_request(listener: &tokio::net::TcpListener) -> tokio::net::TcpStream {
    use tokio::io::AsyncReadExt;
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client closed before sending a whole request");
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if seen.len() >= end + 4 + length {
                return socket;
            }
        }
    }
}

/// Answers a held request with a `202` for `task-{n}`.
async fn accept_task(mut socket: tokio::net::TcpStream, n: usize) {
    use tokio::io::AsyncWriteExt;
    let body = format!(r#"{{"task_id":"task-{n}","status":"PENDING"}}"#);
    let reply = format!(
        "HTTP/1.1 202 Accepted\r\nlocation: /v1/tasks/task-{n}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(reply.as_bytes()).await.unwrap();
}

#[tokio::test]
async fn no_more_submits_than_the_limit_are_on_the_wire_and_the_rest_wait_their_turn() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let client = builder(&base, &virtual_clock())
        .max_concurrent_submits(2)
        .build()
        .unwrap();
    let submits: Vec<_> = (0..5)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .submit("bot-1", "analyze-document", &json!({ "n": i }))
                    .await
            })
        })
        .collect();
    let mut answered = 0;
    while answered < 5 {
        // Up to two requests arrive, and no third while they are held.
        let mut held = vec![accept_request(&listener).await];
        if answered + 1 < 5 {
            held.push(accept_request(&listener).await);
        }
        let third =
            tokio::time::timeout(Duration::from_millis(300), accept_request(&listener)).await;
        assert!(
            third.is_err(),
            "a third submit was sent while two were in flight"
        );
        for socket in held {
            answered += 1;
            accept_task(socket, answered).await;
        }
    }
    let mut ids: Vec<String> = Vec::new();
    for submit in submits {
        ids.push(
            submit
                .await
                .unwrap()
                .unwrap()
                .task_id()
                .unwrap()
                .as_str()
                .to_owned(),
        );
    }
    ids.sort();
    assert_eq!(ids, ["task-1", "task-2", "task-3", "task-4", "task-5"]);
}

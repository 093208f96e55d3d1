//! What errors say, and what they never show: bad settings, refused
//! tokens, error bodies.

use std::time::Duration;

use orchestrator::{Client, ErrorKind, PollOptions};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[test]
fn bad_configuration_is_reported_by_build_never_a_panic() {
    let cases: Vec<(orchestrator::ClientBuilder, &str)> = vec![
        (Client::builder("not a url"), "not an absolute URL"),
        (Client::builder("ftp://example.com"), "http or https"),
        (Client::builder("http://example.com/?k=v"), "query"),
        (
            Client::builder("http://127.0.0.1:8000").bearer_token("line\nbreak"),
            "cannot be sent",
        ),
        (
            Client::builder("http://127.0.0.1:8000").user_agent("bad\u{7f}agent"),
            "user agent",
        ),
        (
            Client::builder("http://127.0.0.1:8000").request_timeout(Duration::ZERO),
            "timeouts",
        ),
        (
            Client::builder("http://127.0.0.1:8000").max_body_bytes(0),
            "max_body_bytes",
        ),
    ];
    for (builder, needle) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string().contains(needle),
            "{err} should mention {needle}"
        );
    }
    let mut options = PollOptions::default();
    options.min_interval = Duration::ZERO;
    let err = Client::builder("http://127.0.0.1:8000")
        .poll_options(options)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("min_interval"), "{err}");
}

#[test]
fn the_token_never_shows_in_debug_output_or_errors() {
    let builder = Client::builder("http://127.0.0.1:8000").bearer_token(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains(TOKEN));
    assert!(format!("{client:?}").contains("<redacted>"));

    let err = Client::builder("http://user:hunter2@[::1")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn a_401_says_the_token_was_refused_without_showing_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;

    let err = client(&server.uri(), &virtual_clock())
        .status("t-1")
        .await
        .unwrap_err();
    assert!(err.is_auth());
    assert!(
        err.to_string().contains("refused the bearer token"),
        "{err}"
    );
    assert!(!format!("{err} {err:?}").contains(TOKEN));

    let anonymous = Client::builder(server.uri()).build().unwrap();
    let err = anonymous.status("t-1").await.unwrap_err();
    assert!(
        err.to_string().contains("no bearer token is configured"),
        "{err}"
    );
}

#[tokio::test]
async fn a_403_says_the_token_may_not_do_that_not_that_it_was_refused() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("content-type", "application/problem+json")
                .set_body_string(
                    r#"{"type": "https://orchestrator.dev/problems/read-only", "title": "Read-only key", "status": 403, "detail": "this key may only read"}"#,
                ),
        )
        .mount(&server)
        .await;
    let err = client(&server.uri(), &virtual_clock())
        .cancel("t-1")
        .await
        .unwrap_err();
    assert!(err.is_auth());
    let said = err.to_string();
    assert!(
        said.contains("does not let this bearer token do that"),
        "{said}"
    );
    assert!(said.contains("this key may only read"), "{said}");
    assert!(!said.contains("refused the bearer token"), "{said}");
}

#[tokio::test]
async fn an_empty_task_id_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let err = client(&server.uri(), &virtual_clock())
        .status("  ")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_plain_text_error_body_is_kept_and_shown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_string("bad task id syntax"))
        .mount(&server)
        .await;
    let err = client(&server.uri(), &virtual_clock())
        .status("t-1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.body(), Some("bad task id syntax"));
    assert!(err.problem().is_none());
    assert!(err.to_string().contains("bad task id syntax"), "{err}");
}

#[test]
fn error_is_send_sync_and_small() {
    fn assert_traits<T: Send + Sync + std::error::Error + 'static>() {}
    assert_traits::<orchestrator::Error>();
    assert!(std::mem::size_of::<orchestrator::Error>() <= 8);
}

#[tokio::test]
async fn the_advice_in_the_crates_terms_is_apart_from_the_message() {
    let base = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).insert_header(
            "location",
            format!("{}/v1/tasks/t-1", elsewhere.uri()).as_str(),
        ))
        .mount(&base)
        .await;
    let client = Client::builder(base.uri()).build().unwrap();
    let err = client
        .analyze_document(
            "bot-1",
            &orchestrator::AnalyzeDocument::new("https://example.com/a"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrossOrigin);
    let advice = err
        .advice()
        .expect("a cross-origin refusal says what to change");
    assert!(advice.contains("follow_cross_origin"), "{advice}");
    assert!(
        !err.message().contains("follow_cross_origin"),
        "{}",
        err.message()
    );
    assert_eq!(
        err.to_string(),
        format!("{}: {}; {advice}", err.kind(), err.message())
    );
}

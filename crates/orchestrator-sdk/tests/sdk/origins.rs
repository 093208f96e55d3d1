//! The origin rule: the token and the wait stay on the API's origin.

use orchestrator::ErrorKind;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// The API on one loopback origin, and another origin a `Location` points to.
async fn two_origins() -> (MockServer, MockServer) {
    let api = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", format!("{}/v1/tasks/t-x", other.uri()).as_str())
                .set_body_json(json!({"task_id": "t-x", "status": "PENDING"})),
        )
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .respond_with(ok(status_json("t-x", "COMPLETED", None)))
        .mount(&other)
        .await;
    (api, other)
}

#[tokio::test]
async fn a_location_on_another_origin_is_refused_and_nothing_is_sent_there() {
    let (api, other) = two_origins().await;
    let client = client(&api.uri(), &virtual_clock());

    let err = client
        .submit("b", "analyze-document", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrossOrigin);
    assert!(err.to_string().contains(&other.uri()), "{err}");
    assert!(err.to_string().contains("task t-x was created"), "{err}");
    // The task is not lost: the error names it.
    assert_eq!(err.task().unwrap().task_id().unwrap().as_str(), "t-x");
    assert!(other.received_requests().await.unwrap().is_empty());

    // Handing the foreign URL to poll/status directly is refused the same way.
    let foreign = format!("{}/v1/tasks/t-x", other.uri());
    assert_eq!(
        client.status(foreign.as_str()).await.unwrap_err().kind(),
        ErrorKind::CrossOrigin
    );
    assert_eq!(
        client.poll(foreign.as_str()).await.unwrap_err().kind(),
        ErrorKind::CrossOrigin
    );
    assert!(other.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_port_change_is_another_origin_too() {
    let api = MockServer::start().await;
    let other = MockServer::start().await;
    let client = client(&api.uri(), &virtual_clock());
    // Same scheme and host (127.0.0.1), different port.
    let err = client
        .status(format!("{}/v1/tasks/t", other.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrossOrigin);
}

#[tokio::test]
async fn when_allowed_a_foreign_location_is_followed_without_the_token() {
    let (api, other) = two_origins().await;
    let client = builder(&api.uri(), &virtual_clock())
        .follow_cross_origin(true)
        .build()
        .unwrap();

    let accepted = client
        .submit("b", "analyze-document", &json!({}))
        .await
        .unwrap();
    assert!(client.poll(&accepted).await.unwrap().is_completed());

    let to_other = other.received_requests().await.unwrap();
    assert_eq!(to_other.len(), 1);
    assert!(to_other[0].headers.get("authorization").is_none());
    let to_api = api.received_requests().await.unwrap();
    assert_eq!(
        to_api[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("Bearer {TOKEN}")
    );
}

/// The API, whose status GET for `t-x` redirects to `to` (a path on the
/// API, or a full URL elsewhere).
async fn redirecting_api(to: &str) -> MockServer {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/v1/tasks/t-x"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", to))
        .mount(&api)
        .await;
    api
}

#[tokio::test]
async fn a_redirect_of_a_status_get_to_another_origin_is_refused_like_a_location() {
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(status_json("t-x", "COMPLETED", None)))
        .mount(&other)
        .await;
    let api = redirecting_api(&format!("{}/v1/tasks/t-x", other.uri())).await;
    let client = client(&api.uri(), &virtual_clock());

    let err = client.status("t-x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrossOrigin, "{err}");
    assert!(err.to_string().contains("was redirected to"), "{err}");
    let err = client.poll("t-x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CrossOrigin, "{err}");
    // Nothing reached the other origin, with or without the token.
    assert!(other.received_requests().await.unwrap().is_empty());

    // Allowed, it is followed, without the token.
    let client = builder(&api.uri(), &virtual_clock())
        .follow_cross_origin(true)
        .build()
        .unwrap();
    assert!(client.poll("t-x").await.unwrap().is_completed());
    let reached = other.received_requests().await.unwrap();
    assert!(
        reached
            .iter()
            .all(|r| r.headers.get("authorization").is_none())
    );
}

#[tokio::test]
async fn a_redirect_on_the_apis_own_origin_is_followed() {
    let api = redirecting_api("/v1/tasks/t-x-moved").await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/v1/tasks/t-x-moved"))
        .respond_with(ok(status_json("t-x", "COMPLETED", None)))
        .mount(&api)
        .await;
    let client = client(&api.uri(), &virtual_clock());
    assert!(client.poll("t-x").await.unwrap().is_completed());
}

#[tokio::test]
async fn a_redirect_loop_is_a_protocol_error_that_says_so_at_once() {
    let api = redirecting_api("/v1/tasks/t-x").await;
    let clock = virtual_clock();
    let err = client(&api.uri(), &clock).poll("t-x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.to_string().contains("a redirect loop"), "{err}");
    assert!(!err.is_transient());
    assert!(clock.sleeps().is_empty(), "retried: {:?}", clock.sleeps());
}

#[tokio::test]
async fn an_html_page_or_another_tasks_status_is_a_protocol_error_naming_what_came() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/v1/tasks/t-html"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<html><body>Sign in</body></html>",
            "text/html; charset=utf-8",
        ))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/v1/tasks/t-mine"))
        .respond_with(ok(status_json("t-someone-else", "COMPLETED", None)))
        .mount(&api)
        .await;
    let client = client(&api.uri(), &virtual_clock());

    // (A wait retries it, as a proxy's error page; the error, when the
    // tries run out, says the same.)
    let err = client.status("t-html").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(
        err.to_string().contains(
            "an HTML page (text/html; charset=utf-8) where a JSON task status was expected"
        ),
        "{err}"
    );
    let err = client.poll("t-mine").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(!err.is_transient());
    assert!(
        err.to_string()
            .contains("the status of task `t-someone-else`, not of `t-mine`"),
        "{err}"
    );
}

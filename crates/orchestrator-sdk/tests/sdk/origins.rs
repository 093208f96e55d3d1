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

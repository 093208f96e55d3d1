//! Listing, retrying and cancelling by filter against servers the real one
//! cannot play: one that knows only the contract, one that fails a page for
//! a moment, one that sends labels it should not.

use futures_util::TryStreamExt;
use orchestrator::{ErrorKind, TaskFilter, TaskState};
use serde_json::json;
use wiremock::matchers::{header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn a_server_that_knows_only_the_contract_is_reported_as_unsupported_not_as_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks"))
        .respond_with(ResponseTemplate::new(404).set_body_string("Not Found"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/tasks/cancel"))
        .respond_with(ResponseTemplate::new(405))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/tasks/t-1/retry"))
        .respond_with(ResponseTemplate::new(405))
        .mount(&server)
        .await;
    let client = client(&server.uri(), &virtual_clock());
    let err = client
        .list(&TaskFilter::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("cannot list tasks"), "{err}");
    let err = client
        .cancel_matching(&TaskFilter::new().status(TaskState::Pending))
        .await
        .unwrap_err();
    assert!(err.is_unsupported(), "{err}");
    let err = client.retry("t-1").await.unwrap_err();
    assert!(err.is_unsupported(), "{err}");
}

#[tokio::test]
async fn pages_are_fetched_one_after_another_and_a_failed_page_is_tried_again() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks"))
        .and(query_param("cursor", "c2"))
        .respond_with(ok(
            json!({"tasks": [status_json("t-1", "FAILED", None)], "next_cursor": null}),
        ))
        .mount(&server)
        .await;
    // The second page fails once with a 503 before it is served.
    Mock::given(method("GET"))
        .and(path("/v1/tasks"))
        .and(query_param("cursor", "c1"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks"))
        .and(query_param("cursor", "c1"))
        .respond_with(ok(
            json!({"tasks": [status_json("t-2", "FAILED", None)], "next_cursor": "c2"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks"))
        .and(query_param("status", "FAILED"))
        .and(query_param("label", "run=42"))
        .respond_with(ok(json!({
            "tasks": [
                {"task_id": "t-3", "status": "FAILED", "labels": {"run": "42", "odd": 7}},
            ],
            "next_cursor": "c1"
        })))
        .mount(&server)
        .await;
    let client = client(&server.uri(), &virtual_clock());
    let filter = TaskFilter::new()
        .status(TaskState::Failed)
        .label("run", "42");
    let all: Vec<_> = client.list(&filter).try_collect().await.unwrap();
    let ids: Vec<_> = all.iter().map(|s| s.task_id().unwrap().as_str()).collect();
    assert_eq!(ids, ["t-3", "t-2", "t-1"]);
    // An odd label value is dropped, the rest kept.
    assert_eq!(all[0].labels().get("run"), Some("42"));
    assert_eq!(all[0].labels().len(), 1);
}

#[tokio::test]
async fn labels_travel_in_one_header_and_a_retry_posts_to_the_tasks_retry_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/bots/b/actions/analyze-document"))
        .and(header_exists("task-labels"))
        .respond_with(accepted("t-1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/tasks/t-1/retry"))
        .respond_with(accepted("t-2"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), &virtual_clock());
    client
        .submit("b", "analyze-document", &json!({"document_url": "x"}))
        .label("run", "42")
        .label("note", "a=b, café")
        .await
        .unwrap();
    // One header line (wiremock's own matcher would split it at commas).
    let sent = server.received_requests().await.unwrap();
    let labels: Vec<_> = sent[0].headers.get_all("task-labels").iter().collect();
    assert_eq!(labels, ["note=a%3Db%2C%20caf%C3%A9,run=42"]);
    let again = client.retry("t-1").await.unwrap();
    assert_eq!(again.task_id().unwrap().as_str(), "t-2");
    let err = client.retry("t-1").label("run", "1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

//! One-request operations: `status` and `cancel`, by id, URL or handle.

use orchestrator::{ErrorKind, Outcome, TaskState};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn status_is_one_get_by_id_by_url_or_by_handle() {
    let server = MockServer::start().await;
    let clock = virtual_clock();
    Mock::given(method("GET"))
        .and(path("/v1/tasks/t-1"))
        .and(header(
            "user-agent",
            concat!("orchestrator/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(ok(status_json("t-1", "RUNNING", Some(45))))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(accepted("t-1"))
        .mount(&server)
        .await;
    let client = client(&server.uri(), &clock);

    let by_id = client.status("t-1").await.unwrap();
    let by_url = client
        .status(format!("{}/v1/tasks/t-1", server.uri()))
        .await
        .unwrap();
    let handle = client
        .submit("b", "analyze-document", &json!({}))
        .await
        .unwrap();
    let by_handle = client.status(&handle).await.unwrap();
    for s in [by_id, by_url, by_handle] {
        assert_eq!(s.state(), &TaskState::Running);
        assert_eq!(s.progress_percent(), Some(45.0));
    }
}

#[tokio::test]
async fn task_ids_are_percent_encoded_as_one_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/a%2Fb%20c"))
        .respond_with(ok(status_json("a/b c", "PENDING", None)))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server.uri(), &virtual_clock())
        .status("a/b c")
        .await
        .unwrap();
    assert_eq!(s.task_id().unwrap().as_str(), "a/b c");
}

#[tokio::test]
async fn cancel_sends_delete_and_returns_the_new_status() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v1/tasks/t-1"))
        .respond_with(ok(status_json("t-1", "CANCELLED", None)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v1/tasks/t-2"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server.uri(), &virtual_clock());
    let status = client.cancel("t-1").await.unwrap().unwrap();
    assert_eq!(status.state(), &TaskState::Cancelled);
    assert_eq!(client.cancel("t-2").await.unwrap(), None);
}

#[tokio::test]
async fn cancel_explains_unsupported_finished_and_unknown_tasks() {
    let server = MockServer::start().await;
    for (id, code) in [("t-405", 405), ("t-409", 409), ("t-404", 404)] {
        Mock::given(method("DELETE"))
            .and(path(format!("/v1/tasks/{id}")))
            .respond_with(ResponseTemplate::new(code))
            .mount(&server)
            .await;
    }
    let client = client(&server.uri(), &virtual_clock());

    let err = client.cancel("t-405").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.to_string().contains("does not support cancelling"),
        "{err}"
    );

    let err = client.cancel("t-409").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err.to_string().contains("already finished"), "{err}");

    let err = client.cancel("t-404").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[tokio::test]
async fn a_cancelled_task_is_outcome_cancelled_whether_failed_with_code_cancelled_or_a_state_of_its_own()
 {
    let server = MockServer::start().await;
    let bodies = [
        (
            "t-ours",
            json!({"task_id": "t-ours", "status": "FAILED",
                "error": {"code": "CANCELLED", "message": "cancelled by a client"}}),
        ),
        ("t-state", status_json("t-state", "CANCELLED", None)),
        ("t-us", status_json("t-us", "CANCELED", None)),
        (
            "t-failed",
            json!({"task_id": "t-failed", "status": "FAILED",
                "error": {"code": "DOCUMENT_EMPTY", "message": "nothing to read"}}),
        ),
    ];
    for (id, body) in &bodies {
        Mock::given(method("GET"))
            .and(path(format!("/v1/tasks/{id}")))
            .respond_with(ok(body.clone()))
            .mount(&server)
            .await;
    }
    let client = client(&server.uri(), &virtual_clock());
    for id in ["t-ours", "t-state", "t-us"] {
        let outcome = client.poll(id).await.unwrap();
        assert!(
            matches!(outcome, Outcome::Cancelled(_)),
            "{id}: {outcome:?}"
        );
        assert!(outcome.status().is_cancelled());
    }
    let outcome = client.poll("t-failed").await.unwrap();
    assert!(matches!(outcome, Outcome::Failed(_)), "{outcome:?}");
}

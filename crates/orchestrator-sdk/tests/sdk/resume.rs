//! A wait saved in one place and continued in another, through the
//! serialised `TaskRef`.

use orchestrator::{Outcome, TaskRef};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn a_saved_reference_resumes_the_wait_at_a_non_standard_status_url() {
    let server = MockServer::start().await;
    // This server keeps its operations elsewhere, with a signed query.
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "/ops/7f?sig=abc")
                .set_body_json(json!({"task_id": "t-7", "status": "PENDING"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ops/7f"))
        .and(query_param("sig", "abc"))
        .respond_with(ok(
            json!({"task_id": "t-7", "status": "COMPLETED", "result": {}}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let first = client(&server.uri(), &virtual_clock());
    let accepted = first
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap();
    assert!(!accepted.has_standard_location());
    let saved = serde_json::to_string(&TaskRef::from(&accepted)).unwrap();
    assert_eq!(
        saved,
        format!(
            r#"{{"task_id":"t-7","status_url":"{}/ops/7f?sig=abc"}}"#,
            server.uri()
        )
    );
    drop(first);

    // Another client, as another process would build it, from the token alone.
    let task: TaskRef = serde_json::from_str(&saved).unwrap();
    assert_eq!(task.task_id().unwrap().as_str(), "t-7");
    let outcome = client(&server.uri(), &virtual_clock())
        .poll(task)
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)));
}

#[tokio::test]
async fn the_standard_location_is_recognised_so_the_id_alone_resumes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("t-8"))
        .mount(&server)
        .await;
    let accepted = client(&server.uri(), &virtual_clock())
        .submit("bot-1", "analyze-document", &json!({}))
        .await
        .unwrap();
    assert!(accepted.has_standard_location());
    assert_eq!(
        TaskRef::from(&accepted).status_url(),
        Some(format!("{}/v1/tasks/t-8", server.uri()).as_str())
    );
}

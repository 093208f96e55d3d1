//! The README's quickstart, run for real against a mock server (the README
//! itself is compiled as a doctest but cannot reach a server).

use orchestrator::{AnalyzeDocument, Client, Outcome};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_readme_quickstart_submits_waits_and_reads_the_analysis() {
    let server = MockServer::start().await;
    let document = "data:text/plain,Markets%20grew%20strongly%20this%20quarter.";
    Mock::given(method("POST"))
        .and(path("/v1/bots/bot-abc-123/actions/analyze-document"))
        .and(header("authorization", "Bearer secret-key"))
        .and(body_json(json!({ "document_url": document })))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "/v1/tasks/task-1")
                .set_body_json(json!({"task_id": "task-1", "status": "PENDING"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tasks/task-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "task_id": "task-1", "status": "COMPLETED",
            "result": {"summary": "Markets grew strongly this quarter.", "sentiment": "POSITIVE", "entities": ["market"]}
        })))
        .mount(&server)
        .await;

    let client = Client::builder(server.uri())
        .bearer_token("secret-key")
        .build()
        .expect("a valid client");
    let request = AnalyzeDocument::new(document);
    let accepted = client
        .analyze_document("bot-abc-123", &request)
        .await
        .expect("the submit is accepted");
    let outcome = client
        .poll(&accepted)
        .timeout(std::time::Duration::from_secs(600))
        .await
        .expect("the wait ends");
    let Outcome::Completed(status) = outcome else {
        panic!("expected a completed task, got {outcome:?}");
    };
    let analysis = status.analyze_document_result().expect("a typed result");
    assert_eq!(analysis.summary, "Markets grew strongly this quarter.");
    assert_eq!(analysis.sentiment.to_string(), "POSITIVE");
}

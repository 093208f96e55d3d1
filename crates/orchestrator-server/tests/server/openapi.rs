//! The OpenAPI document, the router and the SDK's wire types agree: every
//! route is documented with the statuses it answers, every schema names
//! exactly the fields the SDK's types send, and what the server sends
//! validates against its schema and decodes with the SDK field for field.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use orchestrator::{
    AnalyzeDocument, AnalyzeDocumentResult, Outcome, Problem, Sentiment, TaskError, TaskState,
    TaskStatus,
};
use orchestrator_server::app;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::*;

async fn document() -> Value {
    let router = app(state(&config()));
    let request = Request::get("/openapi.json")
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Validates `instance` against `#/components/schemas/{name}` of `document`.
fn validate(document: &Value, name: &str, instance: &Value) {
    let mut root = document.clone();
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    let validator = jsonschema::validator_for(&root).expect("the document's schemas compile");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{instance} does not match {name}: {errors:?}"
    );
}

fn properties(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .expect("an object schema")
        .keys()
        .cloned()
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// An analysis with every field the type has set.
fn full_analysis() -> AnalyzeDocumentResult {
    let mut result =
        AnalyzeDocumentResult::new("Markets grow.", Sentiment::Positive, vec!["market".into()]);
    result.sentiment_score = Some(0.5);
    result.word_count = Some(2);
    result.sentence_count = Some(1);
    result.media_type = Some("text/plain".into());
    result
}

/// A status with every field of the contract (and its extensions) set.
fn full_status() -> TaskStatus {
    TaskStatus::new("task-1", TaskState::Completed)
        .with_progress_percent(100.0)
        .with_progress_message("writing the result")
        .with_result(serde_json::to_value(full_analysis()).unwrap())
        .with_error(TaskError::new("E", "m"))
        .with_created_at("2026-11-28T10:00:00.000Z")
        .with_completed_at("2026-11-28T10:00:01.000Z")
        .with_origin("bot-1", "analyze-document")
        .with_labels({
            let mut labels = orchestrator::Labels::new();
            labels.insert("run", "42").unwrap();
            labels
        })
        .with_retry_of("task-0")
        .with_webhook(&{
            let mut webhook = orchestrator::WebhookDelivery::new("https://hooks.example.com/");
            webhook.state = Some("pending".into());
            webhook.attempts = 2;
            webhook.last_error = Some("HTTP 500".into());
            webhook.delivered_at = Some("2026-11-28T10:00:02.000Z".into());
            webhook.next_attempt_at = Some("2026-11-28T10:00:07.000Z".into());
            webhook
        })
}

pub(crate) async fn every_schema_names_exactly_the_fields_the_sdk_types_send() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];

    let status = serde_json::to_value(full_status()).unwrap();
    assert_eq!(properties(&schemas["TaskStatus"]), keys(&status));
    validate(&doc, "TaskStatus", &status);

    let analysis = serde_json::to_value(full_analysis()).unwrap();
    assert_eq!(properties(&schemas["Analysis"]), keys(&analysis));
    validate(&doc, "Analysis", &analysis);

    let error = serde_json::to_value(TaskError::new("DOCUMENT_EMPTY", "no text")).unwrap();
    assert_eq!(
        properties(&schemas["TaskStatus"]["properties"]["error"]),
        keys(&error)
    );

    let request = serde_json::to_value(AnalyzeDocument::new("https://example.com/a.pdf")).unwrap();
    assert_eq!(properties(&schemas["AnalyzeDocument"]), keys(&request));
    validate(&doc, "AnalyzeDocument", &request);

    let accepted = serde_json::to_value(TaskStatus::new("task-1", TaskState::Pending)).unwrap();
    assert_eq!(properties(&schemas["Accepted"]), keys(&accepted));
    validate(&doc, "Accepted", &accepted);

    // Problem details as the server builds them: the RFC 9457 members it
    // uses, the `field` extension, and the request id it adds to each.
    let problem = serde_json::to_value(
        Problem::new(422, "Invalid request field")
            .with_type("https://orchestrator.dev/problems/invalid-field")
            .with_detail("document_url is required")
            .with_extension("field", "document_url")
            .with_extension("request_id", "0b6f2c1e-7d3a-4c55-9f0e-2a8d4b1c6e90"),
    )
    .unwrap();
    assert_eq!(properties(&schemas["Problem"]), keys(&problem));
    validate(&doc, "Problem", &problem);

    // Enumerations: the states the server sends — every one the SDK knows
    // but `CANCELLED`, which goes out as `FAILED` with that error code (the
    // SDK decodes the state too, from other servers) — and sentiments it
    // can decode.
    let states: Vec<&str> = TaskState::KNOWN
        .iter()
        .filter(|s| **s != TaskState::Cancelled)
        .map(TaskState::as_str)
        .collect();
    assert_eq!(schemas["State"]["enum"], json!(states));
    let known: Vec<&str> = Sentiment::KNOWN.iter().map(Sentiment::as_str).collect();
    for sentiment in schemas["Analysis"]["properties"]["sentiment"]["enum"]
        .as_array()
        .unwrap()
    {
        let s = sentiment.as_str().unwrap();
        assert!(known.contains(&s), "{s} is not a sentiment the SDK knows");
    }
}

pub(crate) async fn what_the_server_sends_validates_and_decodes_field_for_field() {
    let doc = document().await;
    let server = start(config()).await;
    let client = client(&server);
    let http = reqwest::Client::new();
    let auth = format!("Bearer {KEY}");

    let accepted = http
        .post(format!(
            "{}/v1/bots/bot-1/actions/analyze-document",
            server.url()
        ))
        .header("authorization", &auth)
        .json(&AnalyzeDocument::new(data_url(REPORT)))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let accepted: Value = accepted.json().await.unwrap();
    validate(&doc, "Accepted", &accepted);
    let id = accepted["task_id"].as_str().unwrap().to_owned();

    let outcome = client.poll(id.as_str()).await.unwrap();
    assert!(matches!(outcome, Outcome::Completed(_)));
    let raw: Value = http
        .get(format!("{}/v1/tasks/{id}", server.url()))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    validate(&doc, "TaskStatus", &raw);
    let status = TaskStatus::from_json(raw.clone()).unwrap();
    assert_eq!(status.task_id().unwrap().as_str(), raw["task_id"]);
    assert_eq!(status.state().as_str(), raw["status"]);
    assert_eq!(status.progress_percent(), raw["progress_percent"].as_f64());
    assert_eq!(status.created_at(), raw["created_at"].as_str());
    assert_eq!(status.completed_at(), raw["completed_at"].as_str());
    assert!(
        status.extra().is_empty(),
        "fields outside the contract: {:?}",
        status.extra()
    );
    let analysis = status.analyze_document_result().unwrap();
    let r = &raw["result"];
    assert_eq!(analysis.summary, r["summary"]);
    assert_eq!(analysis.sentiment.as_str(), r["sentiment"]);
    assert_eq!(json!(analysis.entities), r["entities"]);
    assert_eq!(analysis.sentiment_score, r["sentiment_score"].as_f64());
    assert_eq!(analysis.word_count, r["word_count"].as_u64());
    assert_eq!(analysis.sentence_count, r["sentence_count"].as_u64());
    assert_eq!(analysis.media_type.as_deref(), r["media_type"].as_str());
    assert!(analysis.extra.is_empty(), "{:?}", analysis.extra);

    // A failed task's error, and problem details.
    let failed = client
        .analyze_document("bot-1", &AnalyzeDocument::new("data:text/plain,%20"))
        .await
        .unwrap();
    let outcome = client.poll(&failed).await.unwrap();
    let raw = outcome.status().as_json().clone();
    validate(&doc, "TaskStatus", &raw);
    let error = outcome.error().unwrap();
    assert_eq!(error.code, raw["error"]["code"]);
    assert_eq!(error.message, raw["error"]["message"]);

    for (request, status) in [
        (
            http.get(format!("{}/v1/tasks/task-missing", server.url())),
            404,
        ),
        (
            http.post(format!(
                "{}/v1/bots/bot-1/actions/analyze-document",
                server.url()
            ))
            .json(&json!({"document_url": 7})),
            422,
        ),
    ] {
        let response = request.header("authorization", &auth).send().await.unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        validate(&doc, "Problem", &body);
        let problem: Problem = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(problem.status, Some(status));
        assert_eq!(problem.detail.as_deref(), body["detail"].as_str());
    }
    server.shutdown().await.unwrap();
}

pub(crate) async fn the_openapi_document_lists_every_route_the_router_serves() {
    let document = document().await;
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let router = app(state(&config()));
    for (path, item) in paths {
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|m| *m != "parameters")
        {
            let concrete = path
                .replace("{bot_id}", "bot-1")
                .replace("{action}", "analyze-document")
                .replace("{task_id}", "task-x");
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let status = router.clone().oneshot(request).await.unwrap().status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            let documented = item[method]["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(status.as_str()),
                "{method} {path} answered {status}, undocumented"
            );
        }
    }
}

//! Tenants: each key sees only its own tasks (another tenant's task answers
//! exactly like an unknown one), idempotency keys are per tenant, and each
//! tenant has its own submit rate.

use std::num::NonZeroU32;
use std::time::Duration;

use orchestrator::{AnalyzeDocument, Client, ErrorKind, PollOptions};
use orchestrator_server::{RateLimit, ServerConfig, TenantKey};
use serde_json::Value;

use crate::support::*;

pub(crate) const ACME_KEY: &str = "acme-key-7f1c2e9a";
pub(crate) const GLOBEX_KEY: &str = "globex-key-0b3d8c41";

pub(crate) fn tenants_config() -> ServerConfig {
    ServerConfig {
        api_key: None,
        tenants: vec![
            TenantKey::new("acme", ACME_KEY).unwrap(),
            TenantKey::new("globex", GLOBEX_KEY).unwrap(),
        ],
        ..config()
    }
}

pub(crate) fn client_for(url: &str, key: &str) -> Client {
    let options = PollOptions::default()
        .with_min_interval(Duration::from_millis(20))
        .with_timeout(Some(Duration::from_secs(20)));
    Client::builder(url)
        .bearer_token(key)
        .poll_options(options)
        .submit_retries(0)
        .build()
        .unwrap()
}

/// Status and problem body of a raw request, for comparing answers.
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, body)
}

pub(crate) async fn another_tenants_task_answers_exactly_like_an_unknown_one() {
    let server = start(tenants_config()).await;
    let acme = client_for(&server.url(), ACME_KEY);
    let accepted = acme
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url(REPORT)))
        .await
        .unwrap();
    let id = accepted.task_id().unwrap().to_string();
    assert!(acme.poll(&accepted).await.unwrap().is_completed());

    let http = reqwest::Client::new();
    let url = |id: &str| format!("{}/v1/tasks/{id}", server.url());
    let unknown = "task-00000000-0000-4000-8000-000000000000";
    for (method, label) in [
        (reqwest::Method::GET, "GET"),
        (reqwest::Method::DELETE, "DELETE"),
    ] {
        let (theirs, mut theirs_body) = answer(
            http.request(method.clone(), url(&id))
                .bearer_auth(GLOBEX_KEY),
        )
        .await;
        let (missing, mut missing_body) =
            answer(http.request(method, url(unknown)).bearer_auth(GLOBEX_KEY)).await;
        assert_eq!((theirs, missing), (404, 404), "{label}");
        // Identical but for the id named in the detail and the request id.
        for body in [&mut theirs_body, &mut missing_body] {
            body.as_object_mut().unwrap().remove("request_id");
            let detail = body["detail"]
                .as_str()
                .unwrap()
                .replace(&id, "ID")
                .replace(unknown, "ID");
            body["detail"] = detail.into();
        }
        assert_eq!(theirs_body, missing_body, "{label}");
    }
    // The owner still sees it, untouched by the other tenant's DELETE.
    assert!(acme.status(id.as_str()).await.unwrap().is_terminal());
    server.shutdown().await.unwrap();
}

pub(crate) async fn idempotency_keys_belong_to_their_tenant() {
    let server = start(tenants_config()).await;
    let acme = client_for(&server.url(), ACME_KEY);
    let globex = client_for(&server.url(), GLOBEX_KEY);
    let request = AnalyzeDocument::new(data_url(REPORT));
    let a1 = acme
        .analyze_document("bot-1", &request)
        .idempotency_key("nightly-1")
        .await
        .unwrap();
    let a2 = acme
        .analyze_document("bot-1", &request)
        .idempotency_key("nightly-1")
        .await
        .unwrap();
    let g1 = globex
        .analyze_document("bot-1", &request)
        .idempotency_key("nightly-1")
        .await
        .unwrap();
    assert_eq!(a1.task_id(), a2.task_id());
    assert_ne!(a1.task_id(), g1.task_id());
    // The same key with another body is refused for acme only.
    let err = acme
        .analyze_document("bot-1", &AnalyzeDocument::new(data_url("Other text.")))
        .idempotency_key("nightly-1")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    server.shutdown().await.unwrap();
}

pub(crate) async fn a_wrong_key_is_refused_and_each_tenant_has_its_own_rate() {
    let config = ServerConfig {
        rate_limit: Some(RateLimit {
            requests: NonZeroU32::new(1).unwrap(),
            per: Duration::from_secs(3600),
            burst: NonZeroU32::new(2).unwrap(),
        }),
        ..tenants_config()
    };
    let server = start(config).await;
    let err = client_for(&server.url(), "not-a-key")
        .status("task-1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);

    let acme = client_for(&server.url(), ACME_KEY);
    let request = AnalyzeDocument::new(data_url(REPORT));
    for _ in 0..2 {
        acme.analyze_document("bot-1", &request).await.unwrap();
    }
    // The third in the hour is over acme's limit: 429 with Retry-After.
    let http = reqwest::Client::new();
    let response = http
        .post(format!(
            "{}/v1/bots/bot-1/actions/analyze-document",
            server.url()
        ))
        .bearer_auth(ACME_KEY)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&request).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1700..=3600).contains(&wait), "{wait}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    // globex's bucket is its own.
    let globex = client_for(&server.url(), GLOBEX_KEY);
    globex.analyze_document("bot-1", &request).await.unwrap();
    server.shutdown().await.unwrap();
}

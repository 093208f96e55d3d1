//! Every status code and header of the API, through the router alone.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use orchestrator_server::Faults;
use orchestrator_server::app;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::*;

const SUBMIT: &str = "/v1/bots/bot-abc-123/actions/analyze-document";

fn post(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .body(Body::empty())
        .unwrap()
}

async fn json_of(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn submit_body() -> String {
    json!({"document_url": data_url(REPORT)}).to_string()
}

pub(crate) async fn a_valid_submit_is_accepted_with_location_retry_after_and_the_seed_body() {
    let router = app(state(&config()));
    let response = router.oneshot(post(SUBMIT, &submit_body())).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(response.headers()[header::RETRY_AFTER], "0");
    let body = json_of(response).await;
    let id = body["task_id"].as_str().unwrap();
    assert!(id.starts_with("task-") && id.len() == 41, "{id}");
    assert_eq!(body["status"], "PENDING");
    assert_eq!(location, format!("/v1/tasks/{id}"));
}

pub(crate) async fn the_status_of_a_pending_task_carries_timestamps_and_retry_after() {
    let router = app(state(&config()));
    let accepted = json_of(
        router
            .clone()
            .oneshot(post(SUBMIT, &submit_body()))
            .await
            .unwrap(),
    )
    .await;
    let id = accepted["task_id"].as_str().unwrap();
    let response = router
        .oneshot(get(&format!("/v1/tasks/{id}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert!(response.headers().get("preference-applied").is_none());
    let body = json_of(response).await;
    assert_eq!(body["status"], "PENDING");
    let created = body["created_at"].as_str().unwrap();
    // RFC 3339, UTC, milliseconds: 2026-11-28T13:31:44.344Z
    assert_eq!(created.len(), 24, "{created}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[19] == b'.',
        "{created}"
    );
    assert!(body.get("result").is_none() && body.get("completed_at").is_none());
}

pub(crate) async fn bad_requests_get_problem_details_naming_the_field() {
    let router = app(state(&config()));
    let cases = [
        (SUBMIT, "{\"document_url\": ", StatusCode::BAD_REQUEST, None),
        (
            SUBMIT,
            "[1, 2]",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("body"),
        ),
        (
            SUBMIT,
            "{}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_url"),
        ),
        (
            SUBMIT,
            "{\"document_url\": 7}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_url"),
        ),
        (
            SUBMIT,
            "{\"document_url\": \"not a url\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_url"),
        ),
        (
            SUBMIT,
            "{\"document_url\": \"ftp://example.com/a.pdf\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_url"),
        ),
        (
            SUBMIT,
            "{\"document_url\": \"file:///etc/passwd\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_url"),
        ),
        (
            "/v1/bots/bad%20bot!/actions/analyze-document",
            "{}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("bot_id"),
        ),
        (
            "/v1/bots/bot-1/actions/summon-demon",
            "{}",
            StatusCode::NOT_FOUND,
            None,
        ),
    ];
    for (uri, body, status, field) in cases {
        let response = router.clone().oneshot(post(uri, body)).await.unwrap();
        assert_eq!(response.status(), status, "{uri} {body}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let problem = json_of(response).await;
        assert_eq!(problem["status"], status.as_u16());
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(
            problem.get("field").and_then(Value::as_str),
            field,
            "{body}"
        );
    }
}

pub(crate) async fn a_non_json_content_type_is_415_and_a_huge_body_is_413() {
    let router = app(state(&config()));
    let form = Request::post(SUBMIT)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("document_url=x"))
        .unwrap();
    assert_eq!(
        router.clone().oneshot(form).await.unwrap().status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let huge =
        json!({"document_url": format!("data:text/plain,{}", "a".repeat(200_000))}).to_string();
    let response = router.oneshot(post(SUBMIT, &huge)).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
}

pub(crate) async fn missing_or_wrong_keys_get_401_with_a_bearer_challenge() {
    let router = app(state(&config()));
    let anonymous = Request::get("/v1/tasks/task-1")
        .body(Body::empty())
        .unwrap();
    let wrong = Request::get("/v1/tasks/task-1")
        .header(header::AUTHORIZATION, "Bearer not-the-key")
        .body(Body::empty())
        .unwrap();
    let basic = Request::get("/v1/tasks/task-1")
        .header(header::AUTHORIZATION, format!("Basic {KEY}"))
        .body(Body::empty())
        .unwrap();
    for request in [anonymous, wrong, basic] {
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response.headers()[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let body = json_of(response).await.to_string();
        assert!(!body.contains(KEY));
    }
    // Only health needs no key.
    let health = Request::get("/healthz").body(Body::empty()).unwrap();
    assert_eq!(
        router.clone().oneshot(health).await.unwrap().status(),
        StatusCode::OK
    );
    let anonymous = Request::get("/openapi.json").body(Body::empty()).unwrap();
    assert_eq!(
        router.clone().oneshot(anonymous).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        router.oneshot(get("/openapi.json")).await.unwrap().status(),
        StatusCode::OK
    );
}

pub(crate) async fn unknown_tasks_routes_and_methods_are_404_and_405_problems() {
    let router = app(state(&config()));
    for (request, status) in [
        (get("/v1/tasks/task-nope"), StatusCode::NOT_FOUND),
        (
            Request::delete("/v1/tasks/task-nope")
                .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
                .body(Body::empty())
                .unwrap(),
            StatusCode::NOT_FOUND,
        ),
        (get("/v2/whatever"), StatusCode::NOT_FOUND),
        (
            Request::put("/healthz").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}

pub(crate) async fn cancelling_works_once_and_then_conflicts() {
    let router = app(state(&config()));
    let accepted = json_of(
        router
            .clone()
            .oneshot(post(SUBMIT, &submit_body()))
            .await
            .unwrap(),
    )
    .await;
    let uri = format!("/v1/tasks/{}", accepted["task_id"].as_str().unwrap());
    let delete = || {
        Request::delete(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
            .body(Body::empty())
            .unwrap()
    };

    let response = router.clone().oneshot(delete()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    // On the wire a cancelled task is FAILED with the code CANCELLED, so
    // that clients knowing only the contract's states stop waiting.
    assert_eq!(body["status"], "FAILED");
    assert_eq!(body["error"]["code"], "CANCELLED");
    assert!(body["completed_at"].is_string());

    let response = router.clone().oneshot(delete()).await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // A finished task gets no Retry-After.
    let response = router.oneshot(get(&uri)).await.unwrap();
    assert!(response.headers().get(header::RETRY_AFTER).is_none());
}

pub(crate) async fn idempotency_keys_return_the_same_task_or_refuse_a_different_body() {
    let router = app(state(&config()));
    let keyed = |body: &str| {
        let mut r = post(SUBMIT, body);
        r.headers_mut()
            .insert("idempotency-key", "nightly-7".parse().unwrap());
        r
    };
    let first = router.clone().oneshot(keyed(&submit_body())).await.unwrap();
    let second = router.clone().oneshot(keyed(&submit_body())).await.unwrap();
    assert_eq!(second.status(), StatusCode::ACCEPTED);
    assert_eq!(
        first.headers()[header::LOCATION],
        second.headers()[header::LOCATION]
    );

    let other = json!({"document_url": data_url("something else")}).to_string();
    let third = router.clone().oneshot(keyed(&other)).await.unwrap();
    assert_eq!(third.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_of(third).await["field"], "Idempotency-Key");

    let health = json_of(
        router
            .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(health["pending_tasks"], 1, "exactly one task was created");
}

pub(crate) async fn a_full_queue_answers_503_with_retry_after() {
    let mut config = config();
    config.max_queued = 2;
    let router = app(state(&config));
    for _ in 0..2 {
        assert_eq!(
            router
                .clone()
                .oneshot(post(SUBMIT, &submit_body()))
                .await
                .unwrap()
                .status(),
            StatusCode::ACCEPTED
        );
    }
    let response = router.oneshot(post(SUBMIT, &submit_body())).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "5");
}

pub(crate) async fn injected_faults_lose_some_submits_after_creating_them_and_keys_prevent_duplicates()
 {
    let mut config = config();
    config.faults = Some(Faults { rate: 0.5, seed: 7 });
    let router = app(state(&config));
    let health = |router: axum::Router| async move {
        let response = router
            .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
            .await
            .unwrap();
        json_of(response).await["pending_tasks"].as_u64().unwrap()
    };
    let keyed = |key: usize| {
        let mut r = post(SUBMIT, &submit_body());
        r.headers_mut()
            .insert("idempotency-key", format!("key-{key}").parse().unwrap());
        r
    };
    let mut lost = Vec::new();
    for key in 0..40 {
        let response = router.clone().oneshot(keyed(key)).await.unwrap();
        match response.status() {
            StatusCode::ACCEPTED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(response.headers().contains_key(header::RETRY_AFTER));
                lost.push(key);
            }
            other => panic!("unexpected {other}"),
        }
    }
    let accepted = 40 - lost.len() as u64;
    let created = health(router.clone()).await;
    assert!(lost.len() > 5, "{} faults", lost.len());
    // Some faults struck after the task was created...
    assert!(
        created > accepted,
        "{created} created, {accepted} acknowledged"
    );
    // ...and retrying with the same keys creates nothing twice.
    for key in lost {
        loop {
            let status = router.clone().oneshot(keyed(key)).await.unwrap().status();
            if status == StatusCode::ACCEPTED {
                break;
            }
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        }
    }
    assert_eq!(health(router).await, 40);
}

pub(crate) async fn a_long_poll_on_a_quiet_task_waits_the_requested_time_and_says_so() {
    let router = app(state(&config()));
    let accepted = json_of(
        router
            .clone()
            .oneshot(post(SUBMIT, &submit_body()))
            .await
            .unwrap(),
    )
    .await;
    let mut request = get(&format!(
        "/v1/tasks/{}",
        accepted["task_id"].as_str().unwrap()
    ));
    request
        .headers_mut()
        .insert("prefer", "wait=1".parse().unwrap());
    let started = std::time::Instant::now();
    let response = router.oneshot(request).await.unwrap();
    let took = started.elapsed();
    assert_eq!(response.headers()["preference-applied"], "wait=1");
    assert!(
        response.headers().get(header::RETRY_AFTER).is_none(),
        "the wait already happened here"
    );
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

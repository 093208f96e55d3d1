//! The HTTP API: `fn app(state) -> Router`, testable with `oneshot`.

mod actions;
mod auth;
mod body_size;
mod console;
mod cursor;
mod event_feed;
mod events;
mod extract;
mod faults;
mod header_size;
mod health;
mod listing;
mod long_poll;
mod observe;
mod openapi;
mod problem;
mod rate_limit;
mod retry;
mod retry_after;
mod state;
mod tasks;
mod webhook;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower::util::MapRequestLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_http::validate_request::ValidateRequestHeaderLayer;

pub(crate) use problem::ApiError;
pub use state::AppState;
pub(crate) use tasks::status_body;

/// The router of the whole API, to serve with axum or test with `oneshot`.
///
/// ```
/// use std::sync::Arc;
/// use orchestrator_server::{AppState, Database, ServerConfig, SqliteStore, app};
///
/// let config = ServerConfig { api_key: Some("k".into()), ..ServerConfig::default() };
/// let store = Arc::new(SqliteStore::open(&Database::Memory).unwrap());
/// let router: axum::Router = app(AppState::new(&config, store).unwrap());
/// ```
pub fn app(state: AppState) -> Router {
    let auth = auth::RequireBearer(state.shared.auth.clone());
    let mut api = Router::new()
        .route("/v1/bots/{bot_id}/actions/{action}", post(actions::submit))
        .route("/v1/tasks", get(listing::list_tasks))
        .route("/v1/tasks/cancel", post(listing::cancel_matching))
        .route(
            "/v1/tasks/{task_id}",
            get(tasks::get_task).delete(tasks::cancel_task),
        )
        .route("/v1/tasks/{task_id}/retry", post(retry::retry_task))
        .route("/v1/tasks/{task_id}/events", get(events::task_events))
        .route("/v1/events", get(events::tenant_events))
        .route("/openapi.json", get(openapi::serve))
        .route_layer(ValidateRequestHeaderLayer::custom(auth));
    if let Some(faults) = state.shared.faults.clone() {
        api = api.layer(middleware::from_fn_with_state(
            faults,
            faults::inject_faults,
        ));
    }
    // One stack, outermost first, applied to the routes in one go: each
    // `Router::layer` call would box the routes again, and every layer of
    // boxing is cloned and freed once per request. The request id is
    // settled first, then the span that carries it into every log line,
    // then the rest.
    let trusted = state.shared.trust_request_id;
    let layers = ServiceBuilder::new()
        .layer(MapRequestLayer::new(move |request| {
            observe::screen_request_id(trusted, request)
        }))
        .layer(SetRequestIdLayer::new(observe::REQUEST_ID, MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(observe::REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(observe::request_span)
                .on_request(())
                .on_response(observe::log_response)
                .on_failure(()),
        )
        .layer(ValidateRequestHeaderLayer::custom(
            header_size::HeaderSizeLimit,
        ))
        .layer(ValidateRequestHeaderLayer::custom(
            body_size::BodySizeLimit {
                max: state.shared.limits.max_body_bytes,
            },
        ))
        .layer(RequestBodyTimeoutLayer::new(
            state.shared.limits.body_read_timeout,
        ))
        .layer(DefaultBodyLimit::max(state.shared.limits.max_body_bytes))
        .layer(observe::RecordLayer::new(state.shared.metrics.clone()));
    let mut router = Router::new().merge(api);
    if state.shared.console.is_some() {
        router = router.merge(console::routes());
    }
    router
        .route("/healthz", get(health::health))
        .route("/readyz", get(health::ready))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(layers)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such resource; see /openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

//! The HTTP API: `fn app(state) -> Router`, testable with `oneshot`.

mod auth;
mod faults;
mod guards;
mod openapi;
mod problem;
mod submit;
mod tasks;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tokio::sync::{Notify, watch};

pub use auth::ApiKey;
pub use faults::FaultInjector;
pub use openapi::openapi_document;
pub use problem::ApiError;
pub use tasks::retry_after_seconds;

use super::config::ServerConfig;
use super::document::{Fetcher, FetcherConfig};
use super::hub::Hub;
use super::store::TaskStore;

/// What the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Task storage.
    pub store: Arc<dyn TaskStore>,
    /// Long-poll wake-ups.
    pub hub: Arc<Hub>,
    /// For checking document URLs at submit time.
    pub fetcher: Fetcher,
    /// Wakes a worker when a task is queued.
    pub queued: Arc<Notify>,
    /// Becomes `true` at shutdown, releasing held long polls.
    pub shutdown: watch::Receiver<bool>,
    /// The bearer key.
    pub api_key: ApiKey,
    /// Fault injection, if on.
    pub faults: Option<FaultInjector>,
    /// Limits.
    pub limits: Limits,
}

/// The API's limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Pending tasks before submits get `503`.
    pub max_queued: u64,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Longest long poll.
    pub max_long_poll: Duration,
}

impl AppState {
    /// The state for `config` over `store`, and the switch that signals
    /// shutdown to held requests and workers.
    pub fn new(
        config: &ServerConfig,
        store: Arc<dyn TaskStore>,
    ) -> Result<(AppState, watch::Sender<bool>), String> {
        let fetcher = Fetcher::new(FetcherConfig {
            max_bytes: config.max_document_bytes,
            timeout: config.fetch_timeout,
            documents_dir: config.documents_dir.clone(),
            allow_private_networks: config.allow_private_networks,
        })?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let state = AppState {
            store,
            hub: Arc::new(Hub::default()),
            fetcher,
            queued: Arc::new(Notify::new()),
            shutdown: shutdown_rx,
            api_key: ApiKey(config.api_key.as_deref().map(Arc::from)),
            faults: config.faults.map(|f| FaultInjector::new(f.rate, f.seed)),
            limits: Limits {
                max_queued: config.max_queued,
                max_body_bytes: config.max_body_bytes,
                max_long_poll: config.max_long_poll,
            },
        };
        Ok((state, shutdown))
    }
}

/// The router of the whole API.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/bots/{bot_id}/actions/{action}", post(submit::submit))
        .route(
            "/v1/tasks/{task_id}",
            get(tasks::get_task).delete(tasks::cancel_task),
        )
        .route("/openapi.json", get(openapi::serve))
        .route_layer(middleware::from_fn_with_state(
            state.api_key.clone(),
            auth::require_bearer,
        ))
        .layer(middleware::from_fn_with_state(
            state.faults.clone(),
            faults::inject_faults,
        ));
    Router::new()
        .merge(api)
        .route("/healthz", get(tasks::health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(middleware::from_fn(guards::limit_header_size))
        .layer(middleware::from_fn(guards::log_request))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such resource; see /openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

//! The HTTP API: `fn app(state) -> Router`, testable with `oneshot`.

mod actions;
mod auth;
mod faults;
mod gate;
mod guards;
mod observe;
mod openapi;
mod problem;
mod rate_limit;
mod tasks;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use orchestrator::clock::Clock;
use tokio::sync::{Notify, watch};
use tower::ServiceBuilder;
use tower::util::MapRequestLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use faults::FaultInjector;
pub(crate) use problem::ApiError;
use rate_limit::SubmitLimiter;

use crate::config::ServerConfig;
use crate::document::{Fetcher, FetcherConfig};
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::server::StartError;
use crate::store::TaskStore;
use crate::tenants::{Authenticator, DEFAULT_TENANT, TenantKey};

/// What the handlers share: the store, the long-poll hub, the settings.
/// Cheap to clone (one reference count: every request clones it, and a held
/// long poll keeps its clone). Build it with [`AppState::new`] and serve it
/// with [`app`].
#[derive(Clone)]
pub struct AppState {
    pub(crate) shared: Arc<Shared>,
}

/// The fields behind an [`AppState`], shared by all its clones.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) hub: Arc<Hub>,
    /// For checking document URLs at submit time, and for the workers.
    pub(crate) fetcher: Fetcher,
    /// Wakes a worker when a task is queued.
    pub(crate) queued: Arc<Notify>,
    /// Becomes `true` at shutdown, releasing held long polls.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// The switch behind `shutdown`; held here so that a state alive means
    /// "not shutting down".
    pub(crate) shutdown_switch: Arc<watch::Sender<bool>>,
    pub(crate) auth: Arc<Authenticator>,
    pub(crate) limiter: Option<Arc<SubmitLimiter>>,
    pub(crate) faults: Option<FaultInjector>,
    pub(crate) limits: Limits,
    pub(crate) metrics: Metrics,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) trust_request_id: bool,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("limits", &self.shared.limits)
            .field("faults", &self.shared.faults.is_some())
            .field("metrics", &self.shared.metrics)
            .finish_non_exhaustive()
    }
}

/// The API's limits.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Pending tasks before submits get `503`.
    pub(crate) max_queued: u64,
    /// Largest request body.
    pub(crate) max_body_bytes: usize,
    /// How long a client may take to send a body.
    pub(crate) body_read_timeout: Duration,
    /// Longest long poll.
    pub(crate) max_long_poll: Duration,
}

impl AppState {
    /// The state for `config` over `store` (for [`app`]; [`Server`](crate::Server)
    /// builds its own). Metrics are recorded when `config.metrics_listen` is set.
    pub fn new(config: &ServerConfig, store: Arc<dyn TaskStore>) -> Result<AppState, StartError> {
        config.validate()?;
        let fetcher = Fetcher::new(FetcherConfig {
            max_bytes: config.max_document_bytes,
            timeout: config.fetch_timeout,
            documents_dir: config.documents_dir.clone(),
            allow_private_networks: config.allow_private_networks,
            allow_private_origins: config.allow_private_origins.clone(),
            proxy: config.fetch_proxy.clone(),
        })?;
        let mut keys = config.tenants.clone();
        if let Some(key) = &config.api_key {
            keys.push(
                TenantKey::new(DEFAULT_TENANT, key)
                    .map_err(|_| StartError::Config(crate::config::ConfigError::EmptyApiKey))?,
            );
        }
        let auth = if keys.is_empty() {
            Authenticator::Off
        } else {
            Authenticator::Keys(keys)
        };
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Shared {
            store,
            hub: Arc::new(Hub::default()),
            fetcher,
            queued: Arc::new(Notify::new()),
            shutdown: shutdown_rx,
            shutdown_switch: Arc::new(shutdown),
            auth: Arc::new(auth),
            limiter: config.rate_limit.map(|r| Arc::new(SubmitLimiter::new(r))),
            faults: config.faults.map(|f| FaultInjector::new(f.rate, f.seed)),
            limits: Limits {
                max_queued: config.max_queued,
                max_body_bytes: config.max_body_bytes,
                body_read_timeout: config.connections.body_read_timeout,
                max_long_poll: config.max_long_poll,
            },
            metrics: if config.metrics_listen.is_some() {
                Metrics::enabled()
            } else {
                Metrics::default()
            },
            clock: config.clock.clone(),
            trust_request_id: config.trust_request_id,
        };
        Ok(AppState {
            shared: Arc::new(shared),
        })
    }
}

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
    let auth = state.shared.auth.clone();
    let mut api = Router::new()
        .route("/v1/bots/{bot_id}/actions/{action}", post(actions::submit))
        .route(
            "/v1/tasks/{task_id}",
            get(tasks::get_task).delete(tasks::cancel_task),
        )
        .route("/openapi.json", get(openapi::serve))
        .route_layer(gate::gate(move |request: &mut axum::extract::Request| {
            auth::require_bearer(&auth, request)
        }));
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
        .layer(gate::gate(guards::limit_header_size))
        .layer(RequestBodyTimeoutLayer::new(
            state.shared.limits.body_read_timeout,
        ))
        .layer(DefaultBodyLimit::max(state.shared.limits.max_body_bytes))
        .layer(observe::RecordLayer::new(state.shared.metrics.clone()));
    Router::new()
        .merge(api)
        .route("/healthz", get(tasks::health))
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

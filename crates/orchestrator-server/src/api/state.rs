//! The state every handler shares, made once from the server's settings.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use orchestrator::clock::Clock;
use tokio::sync::watch;

use super::event_feed::Feeds;
use super::faults::FaultInjector;
use super::rate_limit::SubmitLimiter;
use crate::config::ServerConfig;
use crate::document::{Fetcher, FetcherConfig, Guard};
use crate::error::StartError;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::store::TaskStore;
use crate::tenants::{Authenticator, DEFAULT_TENANT, Role, TenantKey};
use crate::webhooks::TenantWebhooks;

/// What the handlers share: the tasks (through their `Lifecycle`), the
/// fetcher, the keys, the limits, the settings.
/// Cheap to clone (one reference count: every request clones it, and a held
/// long poll keeps its clone). Build it with [`AppState::new`] and serve it
/// with [`app`](crate::app).
#[derive(Clone)]
pub struct AppState {
    pub(crate) shared: Arc<Shared>,
}

/// The fields behind an [`AppState`], shared by all its clones.
pub(crate) struct Shared {
    /// Every read and change of a task, each change published.
    pub(crate) lifecycle: Arc<Lifecycle>,
    /// For checking document URLs at submit time, and for the workers.
    pub(crate) fetcher: Fetcher,
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
    /// Each tenant's webhook secrets and default endpoint.
    pub(crate) webhooks: HashMap<String, TenantWebhooks>,
    /// Where a webhook may point (the rule documents follow too).
    pub(crate) guard: Guard,
    /// One reader of the event log per tenant with streams.
    pub(crate) feeds: Arc<Feeds>,
    /// The operator console, when it is served.
    pub(crate) console: Option<ConsoleSettings>,
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

/// How the console is served.
#[derive(Debug, Clone)]
pub(crate) struct ConsoleSettings {
    /// How long a session lasts after sign-in.
    pub(crate) session_ttl: Duration,
    /// Whether the session cookie is `Secure` (the server speaks TLS).
    pub(crate) secure_cookie: bool,
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
    /// An event stream's buffer, in events.
    pub(crate) event_buffer: usize,
    /// How long a full event stream waits for its consumer.
    pub(crate) event_stall: Duration,
}

impl AppState {
    /// The state for `config` over `store` (for [`app`](crate::app); [`Server`](crate::Server)
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
            // The one shared key sees the one tenant there is; in the
            // console it is the operator's.
            keys.push(
                TenantKey::new(DEFAULT_TENANT, key)
                    .map_err(|_| StartError::Config(crate::config::ConfigError::EmptyApiKey))?
                    .with_role(Role::TENANT.operator()),
            );
        }
        let auth = if keys.is_empty() {
            Authenticator::Off
        } else {
            Authenticator::Keys(keys)
        };
        let (shutdown, shutdown_rx) = watch::channel(false);
        let metrics = if config.metrics_listen.is_some() {
            Metrics::enabled()
        } else {
            Metrics::default()
        };
        let guard = Guard {
            allow_private: config.allow_private_networks,
            allow_origins: config.allow_private_origins.clone(),
        };
        let webhooks = config
            .webhooks
            .iter()
            .map(|t| (t.tenant.clone(), t.clone()))
            .collect();
        let lifecycle = Arc::new(Lifecycle::new(store, metrics.clone()));
        let shared = Shared {
            feeds: Arc::new(Feeds::new(lifecycle.clone(), shutdown_rx.clone())),
            webhooks,
            guard,
            lifecycle,
            fetcher,
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
                event_buffer: config.event_buffer.max(1),
                event_stall: config.event_stall,
            },
            metrics,
            clock: config.clock.clone(),
            trust_request_id: config.trust_request_id,
            console: config.console.then(|| ConsoleSettings {
                session_ttl: config.console_session_ttl,
                secure_cookie: config.tls.is_some(),
            }),
        };
        Ok(AppState {
            shared: Arc::new(shared),
        })
    }
}

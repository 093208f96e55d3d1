//! The reference server (feature `server`): a durable implementation of the
//! asynchronous task API on SQLite, with long polling, idempotent submits,
//! backpressure, cancellation and graceful shutdown.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use orchestrator::server::{Server, ServerConfig, config::Database};
//!
//! let config = ServerConfig {
//!     listen: "127.0.0.1:0".parse()?,
//!     database: Database::Memory,
//!     api_key: Some("secret-key".into()),
//!     ..ServerConfig::default()
//! };
//! let server = Server::bind(config).await?;
//! println!("listening on http://{}", server.local_addr());
//! server.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
//! # Ok(()) }
//! ```

pub mod api;
mod clock;
pub mod config;
pub mod document;
pub mod hub;
pub mod store;
mod worker;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::ServerConfig;

use api::AppState;
use store::{SqliteStore, TaskStore};
use worker::WorkerContext;

/// How often expired idempotency keys are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// How long shutdown waits for workers to reach a checkpoint.
const WORKER_GRACE: Duration = Duration::from_secs(10);

/// A bound, ready-to-run server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    workers: usize,
    work_delay: Duration,
    idempotency_ttl: Duration,
    shutdown: watch::Sender<bool>,
}

impl Server {
    /// Opens the database (re-queuing tasks a previous process left running),
    /// and binds the listening socket.
    pub async fn bind(config: ServerConfig) -> anyhow::Result<Server> {
        config.validate().map_err(anyhow::Error::msg)?;
        let store = SqliteStore::open(&config.database).map_err(anyhow::Error::msg)?;
        let store: Arc<dyn TaskStore> = Arc::new(store);
        let requeued = store
            .requeue_interrupted(clock::now_ms())
            .await
            .map_err(anyhow::Error::msg)?;
        if requeued > 0 {
            tracing::warn!(
                requeued,
                "re-queued tasks interrupted by the previous shutdown or crash"
            );
        }
        let (state, shutdown) = AppState::new(&config, store).map_err(anyhow::Error::msg)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        Ok(Server {
            listener,
            state,
            workers: config.workers,
            work_delay: config.work_delay,
            idempotency_ttl: config.idempotency_ttl,
            shutdown,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `signal` resolves, then stops accepting, releases held
    /// long polls, and lets workers reach a checkpoint (their tasks go back
    /// in the queue for the next start).
    pub async fn run(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Server {
            listener,
            state,
            workers,
            work_delay,
            idempotency_ttl,
            shutdown,
        } = self;
        let ctx = Arc::new(WorkerContext {
            store: state.store.clone(),
            hub: state.hub.clone(),
            fetcher: state.fetcher.clone(),
            queued: state.queued.clone(),
            shutdown: state.shutdown.clone(),
            work_delay,
        });
        let worker_handles: Vec<JoinHandle<()>> = (0..workers)
            .map(|i| tokio::spawn(worker::run_worker(ctx.clone(), i)))
            .collect();
        let purge = tokio::spawn(purge_keys(state.store.clone(), idempotency_ttl));

        let shutdown = Arc::new(shutdown);
        let trigger = shutdown.clone();
        let app = api::app(state);
        tracing::info!(addr = %listener.local_addr()?, workers, "serving");
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                signal.await;
                tracing::info!(
                    "shutting down: no new requests; workers stop at their next checkpoint"
                );
                // Releases held long polls and tells workers to stop.
                trigger.send_replace(true);
            })
            .await;
        shutdown.send_replace(true);
        purge.abort();
        let all_workers = futures_util::future::join_all(worker_handles);
        if tokio::time::timeout(WORKER_GRACE, all_workers)
            .await
            .is_err()
        {
            tracing::warn!(
                "workers did not stop in time; their tasks will be re-queued at the next start"
            );
        }
        served.context("the HTTP server failed")
    }

    /// Runs in the background; the handle stops it. For tests and the CLI's demo.
    pub fn spawn(self) -> RunningServer {
        let addr = self.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(self.run(async move {
            stopped.await.ok();
        }));
        RunningServer { addr, stop, handle }
    }
}

async fn purge_keys(store: Arc<dyn TaskStore>, ttl: Duration) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        match store
            .purge_idempotency_keys(clock::now_ms().saturating_sub(ttl_ms))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "forgot expired idempotency keys"),
            Err(e) => tracing::warn!(error = %e, "could not purge idempotency keys"),
        }
    }
}

/// A server running in the background.
pub struct RunningServer {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: JoinHandle<anyhow::Result<()>>,
}

impl RunningServer {
    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts down gracefully and waits for it.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.handle.await.context("the server task panicked")?
    }
}

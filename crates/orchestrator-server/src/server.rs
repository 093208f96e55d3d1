//! Binding, running and stopping the server: the socket, the workers, the
//! housekeeping, and a graceful shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::{self, AppState};
use crate::config::{ConfigError, Database, ServerConfig};
use crate::store::{StoreError, TaskStore};
use crate::timestamps::now_ms;
use crate::worker::{self, WorkerContext};

/// How often expired idempotency keys are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// How long shutdown waits for workers to reach a checkpoint.
const WORKER_GRACE: Duration = Duration::from_secs(10);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A setting cannot work.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The task store could not be opened or prepared.
    #[error("cannot open the task store")]
    Store(#[from] StoreError),
    /// This build has no backend for the configured database.
    #[error("{0}")]
    Unsupported(&'static str),
    /// `documents_dir` is missing or unreadable.
    #[error("--documents-dir {}", .path.display())]
    DocumentsDir {
        /// The directory configured.
        path: std::path::PathBuf,
        /// Why it cannot be used.
        #[source]
        source: io::Error,
    },
    /// The HTTP client that fetches documents could not be set up.
    #[error("cannot set up the document fetcher")]
    Fetcher(#[source] reqwest::Error),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        #[source]
        source: io::Error,
    },
}

/// A bound, ready-to-run server.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    state: AppState,
    workers: usize,
    work_delay: Duration,
    idempotency_ttl: Duration,
}

impl Server {
    /// Opens the configured database (re-queuing tasks a previous process
    /// left running) and binds the listening socket.
    pub async fn bind(config: ServerConfig) -> Result<Server, StartError> {
        config.validate()?;
        let store = open_store(&config.database)?;
        Server::with_store(config, store).await
    }

    /// Like [`bind`](Self::bind), over a store you opened yourself (another
    /// backend, or a shared one); `config.database` is not used.
    pub async fn with_store(
        config: ServerConfig,
        store: Arc<dyn TaskStore>,
    ) -> Result<Server, StartError> {
        config.validate()?;
        let requeued = store.requeue_interrupted(now_ms()).await?;
        if requeued > 0 {
            tracing::warn!(
                requeued,
                "re-queued tasks interrupted by the previous shutdown or crash"
            );
        }
        let state = AppState::new(&config, store)?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Listen {
                    addr: config.listen,
                    source,
                })?;
        Ok(Server {
            listener,
            state,
            workers: config.workers,
            work_delay: config.work_delay,
            idempotency_ttl: config.idempotency_ttl,
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
    pub async fn run(self, signal: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let Server {
            listener,
            state,
            workers,
            work_delay,
            idempotency_ttl,
        } = self;
        let shutdown = state.shutdown_switch.clone();
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
        served
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

#[cfg(feature = "sqlite")]
fn open_store(database: &Database) -> Result<Arc<dyn TaskStore>, StartError> {
    Ok(Arc::new(crate::store::SqliteStore::open(database)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_store(_: &Database) -> Result<Arc<dyn TaskStore>, StartError> {
    Err(StartError::Unsupported(
        "this build has no SQLite backend (feature `sqlite`); use Server::with_store",
    ))
}

async fn purge_keys(store: Arc<dyn TaskStore>, ttl: Duration) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        match store
            .purge_idempotency_keys(now_ms().saturating_sub(ttl_ms))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "forgot expired idempotency keys"),
            Err(e) => tracing::warn!(error = %e, "could not purge idempotency keys"),
        }
    }
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: JoinHandle<io::Result<()>>,
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
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.handle.await.map_err(io::Error::other)?
    }
}

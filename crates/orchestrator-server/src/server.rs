//! Binding, running and stopping the server: the socket, the workers, the
//! maintenance services, and a graceful shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::{self, AppState};
use crate::config::{Database, ServerConfig};
use crate::error::StartError;
use crate::store::TaskStore;
use crate::timestamps::millis;
use crate::worker::{self, ActiveRuns, WorkerContext};
use crate::{connections, hub, maintenance, metrics, webhooks};

/// How long shutdown waits for workers to reach a checkpoint.
const WORKER_GRACE: Duration = Duration::from_secs(10);

/// A bound, ready-to-run server.
pub struct Server {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
    config: ServerConfig,
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// The pair `tls` serves, watched for renewal while running.
    certificates: Option<Arc<crate::tls::Certificates>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.local_addr())
            .field("tls", &self.tls.is_some())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens the configured database (recovering what a previous process
    /// left running, where the backend allows) and binds the listening
    /// socket(s).
    pub async fn bind(config: ServerConfig) -> Result<Server, StartError> {
        config.validate()?;
        let store =
            open_store(&config.database, config.durable_commits, config.db_timeouts).await?;
        Server::with_store(config, store).await
    }

    /// Like [`bind`](Self::bind), over a store you opened yourself (another
    /// backend, or a shared one); `config.database` is not used.
    pub async fn with_store(
        config: ServerConfig,
        store: Arc<dyn TaskStore>,
    ) -> Result<Server, StartError> {
        config.validate()?;
        let state = AppState::new(&config, store)?;
        // A database that cannot take writes now (a full disk, say) is no
        // reason not to serve reads: say so, and answer writes with 503
        // until it can. A fault that will not pass still stops the start.
        let lifecycle = &state.shared.lifecycle;
        if let Err(e) = lifecycle.check_ready(millis(&*config.clock)).await {
            if !e.is_transient() {
                return Err(e.into());
            }
            tracing::warn!(kind = e.kind().as_str(), error = %e, "the database cannot take writes now; serving reads, and answering writes with 503 until it can");
        }
        let recovered = match lifecycle
            .recover_at_start(config.max_attempts, millis(&*config.clock))
            .await
        {
            Ok(recovered) => recovered,
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "could not take back what a previous process left running; its leases will expire and the tasks run again");
                Default::default()
            }
            Err(e) => return Err(e.into()),
        };
        if !recovered.requeued.is_empty() || !recovered.failed.is_empty() {
            tracing::warn!(
                requeued = recovered.requeued.len(),
                failed = recovered.failed.len(),
                "took back tasks a previous process left running"
            );
        }
        let certificates = config
            .tls
            .as_ref()
            .map(|files| crate::tls::Certificates::load(files).map(Arc::new))
            .transpose()?;
        let tls = certificates.clone().map(crate::tls::acceptor).transpose()?;
        let listener = bind(config.listen)?;
        let metrics_listener = match config.metrics_listen {
            Some(addr) => Some(bind(addr)?),
            None => None,
        };
        Ok(Server {
            listener,
            metrics_listener,
            state,
            config,
            tls,
            certificates,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The metrics listener's address, when metrics are served.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Serves until `signal` resolves, then stops accepting, releases held
    /// long polls, and lets workers reach a checkpoint (their tasks go back
    /// in the queue).
    pub async fn run(self, signal: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let Server {
            listener,
            metrics_listener,
            state,
            config,
            tls,
            certificates,
        } = self;
        let shutdown = state.shared.shutdown_switch.clone();
        let lifecycle = state.shared.lifecycle.clone();
        let ctx = Arc::new(WorkerContext {
            lifecycle: lifecycle.clone(),
            fetcher: state.shared.fetcher.clone(),
            shutdown: state.shared.shutdown.clone(),
            work_delay: config.work_delay,
            instance: format!("inst-{}", uuid::Uuid::new_v4()),
            lease: config.lease,
            clock: config.clock.clone(),
            metrics: state.shared.metrics.clone(),
            active: ActiveRuns::default(),
        });
        let deliverer = webhooks::Deliverer::new(
            lifecycle.clone(),
            config.clock.clone(),
            state.shared.metrics.clone(),
            ctx.instance.clone(),
            &config.webhooks,
            config.webhook_retry_delays.clone(),
            config.webhook_timeout,
            config.webhook_endpoint_concurrency,
            state.shared.guard.clone(),
        )
        .map_err(io::Error::other)?;
        let worker_handles: Vec<JoinHandle<()>> = (0..config.workers)
            .map(|i| tokio::spawn(worker::run_worker(ctx.clone(), i)))
            .collect();
        let changes = lifecycle.store().changes().map(|feed| {
            tokio::spawn(hub::follow_changes(
                feed,
                lifecycle.hub().clone(),
                lifecycle.queued().clone(),
            ))
        });
        let certificate_watch = certificates
            .filter(|_| !config.tls_reload_every.is_zero())
            .map(|c| tokio::spawn(c.watch(config.tls_reload_every)));
        let maintenance = [
            tokio::spawn(maintenance::sweep(
                lifecycle.clone(),
                config.clock.clone(),
                config.sweep_every,
                config.task_ttl,
                config.idempotency_ttl,
            )),
            tokio::spawn(maintenance::heartbeat(ctx.clone())),
            tokio::spawn(maintenance::announce(
                lifecycle.clone(),
                config.clock.clone(),
                ctx.instance.clone(),
                config.workers,
            )),
            tokio::spawn(maintenance::reap(ctx.clone(), config.max_attempts)),
            tokio::spawn(webhooks::run(Arc::new(deliverer))),
        ];
        let metrics_server = metrics_listener.map(|listener| {
            let app = metrics::router(state.shared.metrics.clone(), lifecycle.clone());
            let mut stop = state.shared.shutdown.clone();
            tokio::spawn(async move {
                let served = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|down| *down).await;
                    })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the metrics listener failed");
                }
            })
        });

        let trigger = shutdown.clone();
        let app = api::app(state);
        tracing::info!(addr = %listener.local_addr()?, workers = config.workers, "serving");
        let served = connections::serve(listener, tls, app, config.connections, async move {
            signal.await;
            tracing::info!("shutting down: no new requests; workers stop at their next checkpoint");
            // Releases held long polls and tells workers to stop.
            trigger.send_replace(true);
        })
        .await;
        shutdown.send_replace(true);
        // Aborted, then awaited: an aborted task drops what it holds (the
        // store among it) only when the runtime next polls it.
        for task in maintenance
            .into_iter()
            .chain(changes)
            .chain(certificate_watch)
        {
            task.abort();
            let _ = task.await;
        }
        if let Some(task) = metrics_server {
            let _ = task.await;
        }
        let all_workers = futures_util::future::join_all(worker_handles);
        if tokio::time::timeout(WORKER_GRACE, all_workers)
            .await
            .is_err()
        {
            tracing::warn!(
                "workers did not stop in time; their tasks will run again once their leases expire"
            );
        }
        let store = Arc::downgrade(lifecycle.store());
        drop((ctx, lifecycle));
        released(store).await;
        served
    }

    /// Runs in the background; the handle stops it. For tests and the CLI's demo.
    pub fn spawn(self) -> RunningServer {
        let addr = self.local_addr();
        let metrics_addr = self.metrics_addr();
        let tls = self.tls.is_some();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(self.run(async move {
            stopped.await.ok();
        }));
        RunningServer {
            addr,
            tls,
            metrics_addr,
            stop,
            handle,
        }
    }
}

/// How long `run` waits, once everything it started has stopped, for the
/// last read still on a blocking thread to let go of the store.
const STORE_RELEASE_GRACE: Duration = Duration::from_secs(2);

/// Resolves once nothing holds the store any more (or after
/// [`STORE_RELEASE_GRACE`]), so that a server started next in the same
/// process finds a SQLite file's lock free.
async fn released(store: std::sync::Weak<dyn TaskStore>) {
    let deadline = tokio::time::Instant::now() + STORE_RELEASE_GRACE;
    while store.strong_count() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if store.strong_count() > 0 {
        tracing::debug!("the store is still held after shutdown");
    }
}

/// Connections the kernel may complete before the server accepts them.
/// tokio's default (1,024) overflows when a few thousand clients connect at
/// once — 2,000 long polls, a batch of HTTP/1.1 waits — and each dropped
/// connect costs its client a SYN retransmission: 1 s, then 3 s, then 7 s.
/// The kernel caps it at `net.core.somaxconn` (4,096 on current Linux).
const LISTEN_BACKLOG: u32 = 4096;

fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    let listen = || {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        // As `TcpListener::bind` does: a restarted server can take its port
        // back while old connections linger in TIME_WAIT.
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(LISTEN_BACKLOG)
    };
    listen().map_err(|source| StartError::Listen { addr, source })
}

/// What a build without the `postgres` feature says of a PostgreSQL URL.
#[cfg_attr(feature = "postgres", allow(dead_code))]
fn no_postgres(url: &crate::config::DatabaseUrl) -> StartError {
    StartError::Unsupported(format!(
        "{url}: this build has no PostgreSQL backend (build orchestrator-server with `--features postgres`)"
    ))
}

async fn open_store(
    database: &Database,
    // Only SQLite chooses its commit durability per server.
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))] durable_commits: bool,
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        allow(unused_variables)
    )]
    timeouts: crate::config::DatabaseTimeouts,
) -> Result<Arc<dyn TaskStore>, StartError> {
    match database {
        #[cfg(feature = "postgres")]
        Database::Postgres(url) => Ok(Arc::new(
            crate::store::PostgresStore::connect_with(url, timeouts).await?,
        )),
        #[cfg(not(feature = "postgres"))]
        Database::Postgres(url) => Err(no_postgres(url)),
        #[cfg(feature = "sqlite")]
        other => Ok(Arc::new(crate::store::SqliteStore::open_with(
            other,
            durable_commits,
            timeouts.busy,
        )?)),
        #[cfg(not(feature = "sqlite"))]
        _ => Err(StartError::Unsupported(
            "this build has no SQLite backend (feature `sqlite`); use Server::with_store".into(),
        )),
    }
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    tls: bool,
    metrics_addr: Option<SocketAddr>,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: JoinHandle<io::Result<()>>,
}

impl RunningServer {
    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (`https://` when serving TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Where `/metrics` is served, when it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Shuts down gracefully and waits for it.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.handle.await.map_err(io::Error::other)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_without_postgres_says_so_and_hides_the_password() {
        let url = crate::config::DatabaseUrl::new("postgres://app:s3cret@db.internal/tasks");
        let message = no_postgres(&url).to_string();
        assert!(message.contains("--features postgres"), "{message}");
        assert!(message.contains("db.internal"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
    }
}

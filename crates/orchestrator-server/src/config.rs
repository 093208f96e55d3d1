//! The reference server's settings, independent of how they were given
//! (flags, environment, or code in tests).

use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use orchestrator::clock::{Clock, SystemClock};

use crate::tenants::TenantKey;

/// Where tasks are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created if missing (its directory too, but only at
    /// the default location: a mistyped path is an error, not a new folder).
    File(PathBuf),
    /// A throwaway in-memory database (`--db :memory:`).
    Memory,
    /// A PostgreSQL database (`--db postgres://…`), shared by several
    /// instances; needs the `postgres` feature.
    Postgres(DatabaseUrl),
}

/// A database URL whose password never shows: `Debug` and `Display` print
/// `postgres://user:<redacted>@host/db`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The URL itself, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("<redacted>"));
                }
                // Query parameters may carry a password too.
                if url.query().is_some() {
                    url.set_query(Some("<redacted>"));
                }
                f.write_str(url.as_str())
            }
            Err(_) => f.write_str("<an unparsable database URL>"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl Database {
    /// Parses a `--db` value: `:memory:`, a `postgres://` or
    /// `postgresql://` URL, or a path.
    ///
    /// ```
    /// use orchestrator_server::Database;
    /// let db = Database::parse("postgres://app:s3cret@db.internal/tasks");
    /// assert_eq!(format!("{db:?}"), "Postgres(DatabaseUrl(postgres://app:%3Credacted%3E@db.internal/tasks))");
    /// ```
    pub fn parse(value: &str) -> Database {
        if value == ":memory:" {
            Database::Memory
        } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Database::Postgres(DatabaseUrl::new(value))
        } else {
            Database::File(PathBuf::from(value))
        }
    }

    /// The default database file: `<data dir>/orchestrator/orchestrator.db`
    /// (e.g. `~/.local/share/orchestrator/orchestrator.db` on Linux), or
    /// `./orchestrator.db` where the platform has no data directory.
    pub fn default_file() -> Database {
        let dir = dirs::data_local_dir()
            .map(|d| d.join("orchestrator"))
            .unwrap_or_else(|| PathBuf::from("."));
        Database::File(dir.join("orchestrator.db"))
    }

    /// Whether this is [`default_file`](Self::default_file)'s location, the
    /// one place whose missing directory is created.
    pub fn is_default_location(&self) -> bool {
        *self == Database::default_file()
    }
}

/// What a database is, as the server announces it at start: the file, the
/// URL without its password, or `:memory:`.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::File(path) => write!(f, "{} (SQLite)", path.display()),
            Database::Memory => {
                f.write_str(":memory: (SQLite, kept in memory: nothing survives a restart)")
            }
            Database::Postgres(url) => write!(f, "{url} (PostgreSQL)"),
        }
    }
}

/// How long the server waits on its database, so that a database that
/// stopped answering makes requests fail in seconds (a `503` with
/// `Retry-After`) instead of hanging them, `/healthz` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseTimeouts {
    /// Opening a PostgreSQL connection.
    pub connect: Duration,
    /// Waiting for a free connection of the PostgreSQL pool.
    pub acquire: Duration,
    /// One store operation (a statement or a transaction) on PostgreSQL:
    /// PostgreSQL's own `statement_timeout`, and the server's deadline on the
    /// answer, which also holds when the database's processes are stopped.
    pub statement: Duration,
    /// SQLite: how long a write waits for a lock held by another connection.
    pub busy: Duration,
}

impl Default for DatabaseTimeouts {
    fn default() -> Self {
        DatabaseTimeouts {
            connect: Duration::from_secs(5),
            acquire: Duration::from_secs(5),
            statement: Duration::from_secs(5),
            busy: Duration::from_secs(5),
        }
    }
}

/// Fault injection for resilience tests: answer a fraction of API requests
/// with `503 Service Unavailable` and a `Retry-After`, before they do anything.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// The fraction of requests to fail, `0.0..=1.0`.
    pub rate: f64,
    /// The seed of the random choice, so a run can be repeated.
    pub seed: u64,
}

/// A request rate: at most `requests` per `per`, with bursts of up to
/// `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per `per`.
    pub requests: NonZeroU32,
    /// The period.
    pub per: Duration,
    /// How many may arrive at once after a quiet spell.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// Parses `N/s`, `N/min` or `N/h`; the burst starts as `N` (change
    /// the field to allow more or fewer at once).
    ///
    /// ```
    /// use std::time::Duration;
    /// let r = orchestrator_server::RateLimit::parse("2/s").unwrap();
    /// assert_eq!((r.requests.get(), r.per, r.burst.get()), (2, Duration::from_secs(1), 2));
    /// assert!(orchestrator_server::RateLimit::parse("0/s").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<RateLimit, String> {
        let (n, unit) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a rate like 10/s, 600/min or 1000/h"))?;
        let requests: NonZeroU32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a positive whole number of requests"))?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            other => return Err(format!("`{other}` is not a period: use s, min or h")),
        };
        Ok(RateLimit {
            requests,
            per,
            burst: requests,
        })
    }
}

/// The certificate and key the server serves HTTPS with (PEM files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// How the server treats connections, so slow or idle clients cannot hold
/// its memory and descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's headers, from its
    /// first byte (and, for a new connection, from the connect).
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may sit with no request in flight.
    /// A held long poll is a request in flight, so this never cuts it short.
    pub idle_timeout: Duration,
    /// How long a client may take to send a request's body.
    pub body_read_timeout: Duration,
    /// The most connections open at once; further ones wait in the
    /// listen backlog until one closes.
    pub max_connections: usize,
    /// The most requests one HTTP/2 connection may have in flight: held
    /// long polls count, so a client waiting on thousands of tasks over one
    /// connection needs this many.
    pub http2_max_streams: u32,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            http2_max_streams: 20_000,
        }
    }
}

/// Everything the server needs to run.
///
/// # Default
///
/// | setting | default |
/// |---|---|
/// | `listen` | `127.0.0.1:8000` |
/// | `database` | [`Database::default_file`] |
/// | `api_key` | none (the server refuses to start without a key or `tenants`, unless `insecure_no_auth`) |
/// | `tenants` | none |
/// | `rate_limit` | none |
/// | `workers` | 2 |
/// | `max_queued` | 1000 |
/// | `max_body_bytes` | 64 KiB |
/// | `max_document_bytes` | 20 MiB |
/// | `fetch_timeout` | 30 s |
/// | `documents_dir` | none (`file://` URLs refused) |
/// | `allow_private_networks` | false |
/// | `work_delay` | 0 |
/// | `max_long_poll` | 30 s |
/// | `event_buffer` | 256 events |
/// | `event_stall` | 10 s |
/// | `idempotency_ttl` | 24 h |
/// | `task_ttl` | 7 days |
/// | `sweep_every` | 1 min |
/// | `metrics_listen` | none |
/// | `trust_request_id` | false |
/// | `console` | false (no `/console/`) |
/// | `console_session_ttl` | 8 h |
/// | `fetch_proxy` | none (the environment's proxy variables are ignored) |
/// | `allow_private_origins` | none |
/// | `connections` | [`ConnectionLimits::default`] |
/// | `tls` | none (plaintext) |
/// | `lease` | 30 s |
/// | `max_attempts` | 3 |
/// | `durable_commits` | true |
/// | `faults` | none |
/// | `webhooks` | none (a submit naming a webhook is refused) |
/// | `webhook_retry_delays` | [`DEFAULT_RETRY_DELAYS`](crate::DEFAULT_RETRY_DELAYS) (over 31 h) |
/// | `webhook_timeout` | 10 s |
/// | `webhook_endpoint_concurrency` | 4 |
/// | `clock` | [`SystemClock`] |
#[derive(Clone)]
pub struct ServerConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The task database.
    pub database: Database,
    /// The one bearer key clients must send (tenant `default`): the simple
    /// case. Kept in memory as its SHA-256 only.
    pub api_key: Option<String>,
    /// Tenants with their own keys (hashed), from `--api-keys-file`.
    pub tenants: Vec<TenantKey>,
    /// Run without authentication (only with no key and no tenants).
    pub insecure_no_auth: bool,
    /// Each tenant's submit rate; beyond it, `429` with `Retry-After`.
    pub rate_limit: Option<RateLimit>,
    /// How many tasks run at once.
    pub workers: usize,
    /// How many tasks may wait for a worker before submits get `503`.
    pub max_queued: u64,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// The largest document fetched.
    pub max_document_bytes: u64,
    /// How long fetching a document may take.
    pub fetch_timeout: Duration,
    /// The only directory `file://` document URLs may point into.
    pub documents_dir: Option<PathBuf>,
    /// Let `document_url` reach loopback, private and link-local addresses.
    pub allow_private_networks: bool,
    /// Extra time each task takes, spread evenly over its progress steps.
    pub work_delay: Duration,
    /// The longest a status request may be held for long polling.
    pub max_long_poll: Duration,
    /// Events an event stream holds for a consumer that has not taken
    /// them yet.
    pub event_buffer: usize,
    /// How long an event stream waits, its buffer full, for a consumer to
    /// take an event before it ends the stream with an `overflow` event
    /// saying where to resume.
    pub event_stall: Duration,
    /// How long idempotency keys are remembered (at least; a key lives as
    /// long as its task).
    pub idempotency_ttl: Duration,
    /// How long a finished task is kept before the sweep deletes it.
    pub task_ttl: Duration,
    /// How often the retention sweep runs.
    pub sweep_every: Duration,
    /// Where to serve Prometheus metrics (`/metrics`), on a listener of its
    /// own so they are never public by accident.
    pub metrics_listen: Option<SocketAddr>,
    /// Take a well-formed `X-Request-Id` from the client (a trusted proxy)
    /// instead of always making a new one.
    pub trust_request_id: bool,
    /// Serve the operator console at `/console/` on the API's listener.
    pub console: bool,
    /// How long a console session lasts after sign-in.
    pub console_session_ttl: Duration,
    /// Fetch documents through this proxy. The SSRF guard then sees only
    /// the URL: literal addresses and the scheme are checked, names are
    /// resolved by the proxy.
    pub fetch_proxy: Option<url::Url>,
    /// Exact private socket addresses documents may still be fetched from
    /// (an internal document server; tests staging an origin on loopback).
    pub allow_private_origins: Vec<SocketAddr>,
    /// Timeouts and a cap for client connections.
    pub connections: ConnectionLimits,
    /// Serve HTTPS (HTTP/2 negotiated by ALPN, HTTP/1.1 otherwise) with
    /// this certificate; plaintext HTTP/1.1 and h2c without.
    pub tls: Option<TlsFiles>,
    /// How often the TLS files are looked at; a renewed pair is served from
    /// the next handshake on. Zero: never (the pair read at start stays).
    pub tls_reload_every: Duration,
    /// How long requests and workers wait on the database.
    pub db_timeouts: DatabaseTimeouts,
    /// How long a worker's claim on a task holds without progress or a
    /// heartbeat; a dead instance's tasks run again after it.
    pub lease: Duration,
    /// A task whose worker died this many times ends `FAILED`
    /// (`WORKER_LOST`) instead of running again.
    pub max_attempts: u32,
    /// Whether a `202 Accepted` (and a finish, a cancel) waits for the disk
    /// (SQLite `synchronous = FULL` on those commits), so it survives a
    /// power cut. Off trades that for throughput.
    pub durable_commits: bool,
    /// Fault injection, for tests.
    pub faults: Option<Faults>,
    /// Each tenant's webhook signing secrets and default endpoint, from
    /// `--webhook-secrets-file`; a tenant without is refused webhooks.
    pub webhooks: Vec<crate::webhooks::TenantWebhooks>,
    /// The pauses between the tries of a webhook delivery; after the last
    /// one it is given up.
    pub webhook_retry_delays: Vec<Duration>,
    /// How long one try of a delivery may take.
    pub webhook_timeout: Duration,
    /// Tries in flight at once to one endpoint (scheme, host and port).
    pub webhook_endpoint_concurrency: usize,
    /// The source of wall-clock time (a `VirtualClock` in tests).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("database", &self.database)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("tenants", &self.tenants)
            .field("insecure_no_auth", &self.insecure_no_auth)
            .field("rate_limit", &self.rate_limit)
            .field("workers", &self.workers)
            .field("max_queued", &self.max_queued)
            .field("documents_dir", &self.documents_dir)
            .field("allow_private_networks", &self.allow_private_networks)
            .field("work_delay", &self.work_delay)
            .field("task_ttl", &self.task_ttl)
            .field("metrics_listen", &self.metrics_listen)
            .field("console", &self.console)
            .field(
                "fetch_proxy",
                &self
                    .fetch_proxy
                    .as_ref()
                    .map(|u| u.origin().ascii_serialization()),
            )
            .field("connections", &self.connections)
            .field("lease", &self.lease)
            .field("faults", &self.faults)
            .field("webhooks", &self.webhooks)
            .finish_non_exhaustive()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            database: Database::default_file(),
            api_key: None,
            tenants: Vec::new(),
            insecure_no_auth: false,
            rate_limit: None,
            workers: 2,
            max_queued: 1000,
            max_body_bytes: 64 * 1024,
            max_document_bytes: 20 * 1024 * 1024,
            fetch_timeout: Duration::from_secs(30),
            documents_dir: None,
            allow_private_networks: false,
            work_delay: Duration::ZERO,
            max_long_poll: Duration::from_secs(30),
            event_buffer: 256,
            event_stall: Duration::from_secs(10),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            task_ttl: Duration::from_secs(7 * 24 * 3600),
            sweep_every: Duration::from_secs(60),
            metrics_listen: None,
            trust_request_id: false,
            console: false,
            console_session_ttl: Duration::from_secs(8 * 3600),
            fetch_proxy: None,
            allow_private_origins: Vec::new(),
            connections: ConnectionLimits::default(),
            tls: None,
            tls_reload_every: Duration::from_secs(10),
            db_timeouts: DatabaseTimeouts::default(),
            lease: Duration::from_secs(30),
            max_attempts: 3,
            durable_commits: true,
            faults: None,
            webhooks: Vec::new(),
            webhook_retry_delays: crate::webhooks::DEFAULT_RETRY_DELAYS.to_vec(),
            webhook_timeout: Duration::from_secs(10),
            webhook_endpoint_concurrency: 4,
            clock: Arc::new(SystemClock::new()),
        }
    }
}

/// A setting that cannot work, found before the server starts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither a key, nor tenants, nor `insecure_no_auth`.
    #[error(
        "no API key configured: set ORCHESTRATOR_API_KEY, --api-key-file or --api-keys-file, \
         or pass --insecure-no-auth to run without authentication"
    )]
    NoApiKey,
    /// `insecure_no_auth` together with keys.
    #[error("--insecure-no-auth cannot be combined with API keys")]
    AuthConflict,
    /// A lease too short to be renewed in time, or no attempt allowed.
    #[error("the lease must be at least 1 s and max_attempts at least 1")]
    Lease,
    /// The key is empty or blank.
    #[error("the API key is empty")]
    EmptyApiKey,
    /// The fault rate is not a fraction.
    #[error("--fault-rate must be between 0 and 1, not {0}")]
    FaultRate(f64),
}

impl ServerConfig {
    /// Checks the settings that cannot be expressed in types.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let has_keys = self.api_key.is_some() || !self.tenants.is_empty();
        if !has_keys && !self.insecure_no_auth {
            return Err(ConfigError::NoApiKey);
        }
        if has_keys && self.insecure_no_auth {
            return Err(ConfigError::AuthConflict);
        }
        if self.lease < Duration::from_secs(1) || self.max_attempts == 0 {
            return Err(ConfigError::Lease);
        }
        if self.api_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
            return Err(ConfigError::EmptyApiKey);
        }
        if let Some(f) = self.faults
            && !(0.0..=1.0).contains(&f.rate)
        {
            return Err(ConfigError::FaultRate(f.rate));
        }
        Ok(())
    }
}

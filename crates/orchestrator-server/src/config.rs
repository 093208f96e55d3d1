//! The reference server's settings, independent of how they were given
//! (flags, environment, or code in tests).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where tasks are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (created if missing).
    File(PathBuf),
    /// A throwaway in-memory database (`--db :memory:`).
    Memory,
}

impl Database {
    /// Parses a `--db` value: `:memory:` or a path.
    pub fn parse(value: &str) -> Database {
        if value == ":memory:" {
            Database::Memory
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

/// Everything the server needs to run.
///
/// # Default
///
/// | setting | default |
/// |---|---|
/// | `listen` | `127.0.0.1:8000` |
/// | `database` | [`Database::default_file`] |
/// | `api_key` | none (the server refuses to start unless `insecure_no_auth`) |
/// | `workers` | 2 |
/// | `max_queued` | 1000 |
/// | `max_body_bytes` | 64 KiB |
/// | `max_document_bytes` | 20 MiB |
/// | `fetch_timeout` | 30 s |
/// | `documents_dir` | none (`file://` URLs refused) |
/// | `allow_private_networks` | false |
/// | `work_delay` | 0 |
/// | `max_long_poll` | 30 s |
/// | `idempotency_ttl` | 24 h |
/// | `faults` | none |
#[derive(Clone)]
pub struct ServerConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The task database.
    pub database: Database,
    /// The bearer key clients must send.
    pub api_key: Option<String>,
    /// Run without authentication (only with no `api_key`).
    pub insecure_no_auth: bool,
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
    /// How long idempotency keys are remembered.
    pub idempotency_ttl: Duration,
    /// Fault injection, for tests.
    pub faults: Option<Faults>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("database", &self.database)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("insecure_no_auth", &self.insecure_no_auth)
            .field("workers", &self.workers)
            .field("max_queued", &self.max_queued)
            .field("documents_dir", &self.documents_dir)
            .field("allow_private_networks", &self.allow_private_networks)
            .field("work_delay", &self.work_delay)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            database: Database::default_file(),
            api_key: None,
            insecure_no_auth: false,
            workers: 2,
            max_queued: 1000,
            max_body_bytes: 64 * 1024,
            max_document_bytes: 20 * 1024 * 1024,
            fetch_timeout: Duration::from_secs(30),
            documents_dir: None,
            allow_private_networks: false,
            work_delay: Duration::ZERO,
            max_long_poll: Duration::from_secs(30),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            faults: None,
        }
    }
}

/// A setting that cannot work, found before the server starts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither a key nor `insecure_no_auth`.
    #[error(
        "no API key configured: set ORCHESTRATOR_API_KEY or --api-key-file, \
         or pass --insecure-no-auth to run without authentication"
    )]
    NoApiKey,
    /// The key is empty or blank.
    #[error("the API key is empty")]
    EmptyApiKey,
    /// `workers` is zero.
    #[error("--workers must be at least 1")]
    NoWorkers,
    /// The fault rate is not a fraction.
    #[error("--fault-rate must be between 0 and 1, not {0}")]
    FaultRate(f64),
}

impl ServerConfig {
    /// Checks the settings that cannot be expressed in types.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.api_key.is_none() && !self.insecure_no_auth {
            return Err(ConfigError::NoApiKey);
        }
        if self.api_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
            return Err(ConfigError::EmptyApiKey);
        }
        if self.workers == 0 {
            return Err(ConfigError::NoWorkers);
        }
        if let Some(f) = self.faults
            && !(0.0..=1.0).contains(&f.rate)
        {
            return Err(ConfigError::FaultRate(f.rate));
        }
        Ok(())
    }
}

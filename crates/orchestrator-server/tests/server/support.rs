//! Starting servers for tests, on the backend the running trial chose.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use orchestrator::{Client, PollOptions};
use orchestrator_server::Database;
use orchestrator_server::{AppState, MemoryStore, SqliteStore, TaskStore};
use orchestrator_server::{RunningServer, Server, ServerConfig};

pub(crate) const KEY: &str = "test-key-0123456789";

/// The backends a trial can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
    /// The in-memory store (`MemoryStore`), which no `Database` names.
    Memory,
}

tokio::task_local! {
    /// The database of the running trial.
    static DATABASE: Database;
    /// The backend of the running trial.
    static BACKEND: Backend;
}

/// The PostgreSQL server the `postgres::*` trials use, if any.
pub(crate) fn postgres_url() -> Option<String> {
    std::env::var("ORCHESTRATOR_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// Runs one trial: a runtime, a database of its own on `backend`, the test.
pub(crate) fn run(
    backend: Backend,
    test: fn() -> Pin<Box<dyn Future<Output = ()> + Send>>,
) -> Result<(), libtest_mimic::Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async move {
        let database = match backend {
            Backend::Sqlite | Backend::Memory => TestDatabase::memory(),
            Backend::Postgres => TestDatabase::postgres().await,
        };
        let trial = BACKEND.scope(backend, DATABASE.scope(database.database(), test()));
        let outcome = tokio::spawn(trial).await;
        database.drop().await;
        outcome.map_err(|e| match e.try_into_panic() {
            Ok(panic) => panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the test panicked".to_owned())
                .into(),
            Err(e) => format!("the test was cancelled: {e}").into(),
        })
    })
}

/// A trial's database, and how to throw it away.
pub(crate) enum TestDatabase {
    Memory,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres {
        server: String,
        name: String,
    },
}

impl TestDatabase {
    fn memory() -> TestDatabase {
        TestDatabase::Memory
    }

    /// A fresh database `orch_<uuid>` on the test server.
    pub(crate) async fn postgres() -> TestDatabase {
        #[cfg(feature = "postgres")]
        {
            let server = postgres_url().expect("a postgres trial runs only with a URL");
            let name = format!("orch_{}", uuid::Uuid::new_v4().simple());
            let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                .await
                .expect("the test database server answers");
            tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .expect("CREATE DATABASE");
            TestDatabase::Postgres { server, name }
        }
        #[cfg(not(feature = "postgres"))]
        unreachable!("postgres trials need the postgres feature")
    }

    /// The `Database` a server config names.
    pub(crate) fn database(&self) -> Database {
        match self {
            TestDatabase::Memory => Database::Memory,
            TestDatabase::Postgres { server, name } => Database::Postgres(
                orchestrator_server::DatabaseUrl::new(database_url(server, name)),
            ),
        }
    }

    /// The URL of this database, for a server binary's `--db`.
    #[allow(dead_code)]
    pub(crate) fn url(&self) -> String {
        match self {
            TestDatabase::Memory => ":memory:".to_owned(),
            TestDatabase::Postgres { server, name } => database_url(server, name),
        }
    }

    pub(crate) async fn drop(self) {
        #[cfg(feature = "postgres")]
        if let TestDatabase::Postgres { server, name } = self
            && let Ok((client, connection)) =
                tokio_postgres::connect(&server, tokio_postgres::NoTls).await
        {
            tokio::spawn(connection);
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// `server` with its database path replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("a database URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// The running trial's database.
pub(crate) fn database() -> Database {
    DATABASE.try_with(Clone::clone).unwrap_or(Database::Memory)
}

/// Whether the running trial is on the in-memory store.
pub(crate) fn on_memory_store() -> bool {
    BACKEND.try_with(|b| *b == Backend::Memory).unwrap_or(false)
}

/// A config on an ephemeral loopback port, on the trial's database, with a key.
pub(crate) fn config() -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: database(),
        api_key: Some(KEY.into()),
        ..ServerConfig::default()
    }
}

/// The trial's server for `config`, on its backend.
pub(crate) async fn start(config: ServerConfig) -> RunningServer {
    let server = if on_memory_store() {
        Server::with_store(config, Arc::new(MemoryStore::new())).await
    } else {
        Server::bind(config).await
    };
    server.expect("server binds").spawn()
}

/// An SDK client for `server`, polling briskly.
pub(crate) fn client(server: &RunningServer) -> Client {
    let mut options = PollOptions::default();
    options.min_interval = Duration::from_millis(20);
    options.max_interval = Duration::from_millis(200);
    options.timeout = Some(Duration::from_secs(20));
    Client::builder(server.url())
        .bearer_token(KEY)
        .poll_options(options)
        .build()
        .unwrap()
}

/// Router state without workers or a socket, for `oneshot` tests.
pub(crate) fn state(config: &ServerConfig) -> AppState {
    let store: Arc<dyn TaskStore> = match &config.database {
        #[cfg(feature = "postgres")]
        Database::Postgres(url) => tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                Arc::new(
                    orchestrator_server::PostgresStore::connect(url)
                        .await
                        .unwrap(),
                ) as Arc<dyn TaskStore>
            })
        }),
        _ if on_memory_store() => Arc::new(MemoryStore::new()),
        other => Arc::new(SqliteStore::open(other).unwrap()),
    };
    AppState::new(config, store).unwrap()
}

/// A `data:` URL holding `text` as text/plain.
pub(crate) fn data_url(text: &str) -> String {
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("data:text/plain;charset=utf-8,{encoded}")
}

pub(crate) const REPORT: &str = "Market trends in 2025 show strong growth. Acme Corp reported record revenue \
    and higher margins. Analysts at Globex expect market growth to continue. The weather was mild. \
    Revenue from the market grew in every region, and growth beat forecasts.";

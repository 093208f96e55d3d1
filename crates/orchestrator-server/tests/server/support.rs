//! Starting servers for tests.

use std::sync::Arc;
use std::time::Duration;

use orchestrator::{Client, PollOptions};
use orchestrator_server::Database;
use orchestrator_server::{AppState, SqliteStore, TaskStore};
use orchestrator_server::{RunningServer, Server, ServerConfig};

pub(crate) const KEY: &str = "test-key-0123456789";

/// A config on an ephemeral loopback port, in memory, with a key.
pub(crate) fn config() -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Memory,
        api_key: Some(KEY.into()),
        ..ServerConfig::default()
    }
}

pub(crate) async fn start(config: ServerConfig) -> RunningServer {
    Server::bind(config).await.expect("server binds").spawn()
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
    let store: Arc<dyn TaskStore> = Arc::new(SqliteStore::open(&config.database).unwrap());
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

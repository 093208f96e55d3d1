//! # orchestrator-server
//!
//! The reference server of the asynchronous task API: a durable queue with
//! long polling (`Prefer: wait=N`), idempotent submits, backpressure,
//! cancellation, graceful shutdown and a document-analysis worker. The
//! `orchestrator-server` binary is a thin command line over this library;
//! embed it to run the API inside your own process.
//!
//! ```no_run
//! use orchestrator_server::{Database, Server, ServerConfig};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
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
//!
//! The wire types (status, problem details, the analyze-document request and
//! result) are the SDK's own ([`orchestrator`]), so what this server sends
//! is what the SDK decodes.
//!
//! ## Features
//!
//! * `sqlite` (default): the embedded SQLite store and the binary.
//! * `postgres`: [`PostgresStore`], one database several instances share
//!   (`--db postgres://…`).
//! * `pdf`, `html` (default): reading PDF and HTML documents.
//!
//! [`MemoryStore`] needs no feature: tasks in the process's memory, for
//! demos and tests (through [`Server::with_store`]).
//!
//! Other storage backends implement [`TaskStore`] and run through
//! [`Server::with_store`].

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod config;
mod connections;
mod document;
mod error;
mod hub;
mod lifecycle;
mod maintenance;
mod metrics;
mod server;
mod store;
mod tenants;
mod timestamps;
mod tls;
mod webhooks;
mod worker;

pub use api::{AppState, app};
pub use config::{
    ConfigError, ConnectionLimits, Database, DatabaseTimeouts, DatabaseUrl, Faults, RateLimit,
    ServerConfig, TlsFiles,
};
pub use error::StartError;
pub use server::{RunningServer, Server};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use store::PostgresStore;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use store::SqliteStore;
pub use store::{
    ActivityBucket, Cancelled, Change, ChangeFeed, Claim, Counts, Cursor, Delivery, DeliveryClaim,
    DeliveryReport, DeliveryResult, DeliveryState, EventPage, EventQuery, EventRecord, Finish,
    InstanceBeat, MemoryStore, NewTask, Reaped, RunRef, Scope, SessionRecord, StateCount,
    StoreError, StoreErrorKind, StoreFuture, Submitted, TaskQuery, TaskRecord, TaskStore,
    WORKER_LOST,
};
pub use tenants::{KeysFileError, Role, TenantKey};
pub use webhooks::{
    DEFAULT_RETRY_DELAYS, TenantWebhooks, WebhookSecretsError, parse_webhook_secrets,
};

//! # orchestrator
//!
//! A client for the **asynchronous task API**: the Asynchronous
//! Request-Reply pattern over HTTP. You `POST` work, the server answers
//! `202 Accepted` with a `Location`, and you watch that status resource until
//! the task is `COMPLETED`, `FAILED` or `CANCELLED`.
//!
//! This crate does the watching well:
//!
//! * **[`Poller`]** is both a `Stream` of every status observed (for progress
//!   bars) and a future of the final [`Outcome`]. It honours the server's
//!   `Retry-After` (seconds, HTTP-date, `retry-after-ms`) as a floor, capped
//!   so an absurd value cannot park you; backs off exponentially with jitter
//!   otherwise; long-polls with `Prefer: wait` (RFC 7240) when the server
//!   supports it; rides out transient failures; and never sleeps past your
//!   deadline.
//! * **Submits are safe to retry**: each carries an `Idempotency-Key`, reused on
//!   every attempt, and only failures that cannot have created a task are retried.
//! * **Credentials stay home**: the bearer token is sent only to the base URL's
//!   origin, never printed by `Debug`, never part of an error message.
//! * **Bad servers get clear errors**: undecodable payloads name the JSON path,
//!   bodies are size-capped, unknown task states are kept and waited through.
//!
//! ## Quickstart
//!
//! ```
//! use orchestrator::{AnalyzeDocument, Client, Outcome};
//! # use wiremock::{Mock, MockServer, ResponseTemplate, matchers::{method, path}};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), orchestrator::Error> {
//! # let server = MockServer::start().await;
//! # Mock::given(method("POST")).and(path("/v1/bots/bot-abc-123/actions/analyze-document"))
//! #     .respond_with(ResponseTemplate::new(202)
//! #         .insert_header("location", "/v1/tasks/task-1")
//! #         .set_body_json(serde_json::json!({"task_id": "task-1", "status": "PENDING"})))
//! #     .mount(&server).await;
//! # Mock::given(method("GET")).and(path("/v1/tasks/task-1"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
//! #         "task_id": "task-1", "status": "COMPLETED",
//! #         "result": {"summary": "Markets grow.", "sentiment": "POSITIVE", "entities": ["market"]}
//! #     })))
//! #     .mount(&server).await;
//! # let base_url = server.uri();
//! let client = Client::builder(base_url) // e.g. "https://api.orchestrator.example.com"
//!     .bearer_token("secret-key")
//!     .build()?;
//!
//! let accepted = client
//!     .analyze_document("bot-abc-123", &AnalyzeDocument::new("https://example.com/report.pdf"))
//!     .await?;
//!
//! match client.poll(&accepted).await? {
//!     Outcome::Completed(status) => {
//!         let analysis = status.analyze_document_result()?;
//!         println!("{} ({})", analysis.summary, analysis.sentiment);
//!     }
//!     Outcome::Failed(status) => eprintln!("failed: {:?}", status.error()),
//!     other => eprintln!("ended as {}", other.status().state()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Progress as it happens — the poller is a `Stream`:
//!
//! ```no_run
//! # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
//! use futures_util::StreamExt;
//!
//! let mut updates = client.poll("task-f4b5c6d7");
//! while let Some(update) = updates.next().await {
//!     let update = update?;
//!     println!("{} {:?}", update.status().state(), update.status().progress_percent());
//! }
//! # Ok(()) }
//! ```
//!
//! ## Installing
//!
//! ```toml
//! [dependencies]
//! orchestrator-sdk = "0.2"
//! ```
//!
//! The package is `orchestrator-sdk`; the library is `orchestrator`. It has
//! no default features and pulls in nothing of the command-line client or the
//! reference server (those are the `orchestrator-task-cli` and
//! `orchestrator-server` packages, built on this one).

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod accepted;
mod backoff;
mod builder;
mod client;
pub mod clock;
mod error;
mod models;
mod poll;
mod retry_after;
mod submit;
mod task_ref;
mod transport;

pub use accepted::Accepted;
pub use builder::ClientBuilder;
pub use client::Client;
pub use error::{Error, ErrorKind, Result};
pub use models::{
    AnalyzeDocument, AnalyzeDocumentResult, Problem, Sentiment, TaskError, TaskId, TaskState,
    TaskStatus,
};
pub use poll::{DelaySource, NextPoll, Outcome, PollOptions, PollUpdate, Poller};
pub use retry_after::{parse_retry_after, retry_after};
pub use submit::Submit;
pub use task_ref::TaskRef;

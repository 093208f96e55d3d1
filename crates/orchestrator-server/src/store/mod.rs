//! Task storage: the one interface the handlers and workers use.
//!
//! The database *is* the queue: a `PENDING` row is a queued task and a worker
//! claims one by flipping it to `RUNNING` in a single statement. That is what
//! lets a PostgreSQL backend (`SELECT … FOR UPDATE SKIP LOCKED`) serve several
//! server instances later without touching the handlers.

#[cfg(feature = "sqlite")]
mod sqlite;

use std::future::Future;
use std::pin::Pin;

use orchestrator::{TaskError, TaskState};
use serde_json::Value;

#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// A boxed future, so the trait stays object-safe.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A storage failure: always a server-side problem, never the client's. Its
/// message is logged; clients only ever see an incident id.
#[derive(Debug, thiserror::Error)]
#[error("storage error: {message}")]
pub struct StoreError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            source: None,
        }
    }

    /// A failure of `what`, caused by `source`.
    pub fn caused_by(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        let source = source.into();
        StoreError {
            message: format!("{}: {source}", what.into()),
            source: Some(source),
        }
    }
}

/// A stored task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// `task-<uuid>`.
    pub id: String,
    /// The bot the task was submitted to.
    pub bot_id: String,
    /// The action, e.g. `analyze-document`.
    pub action: String,
    /// The request body.
    pub input: Value,
    /// Where it is in its life (never [`TaskState::Unknown`]).
    pub state: TaskState,
    /// Progress in whole percent, once running.
    pub progress: Option<u8>,
    /// The result of a completed task.
    pub result: Option<Value>,
    /// Why a failed task failed.
    pub error: Option<TaskError>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When a worker last claimed it.
    pub started_at: Option<i64>,
    /// When it finished.
    pub completed_at: Option<i64>,
    /// How many times a worker has claimed it (more than 1 after a restart).
    pub attempts: u32,
}

/// A task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// The id to give it.
    pub id: String,
    /// The bot.
    pub bot_id: String,
    /// The action.
    pub action: String,
    /// The request body.
    pub input: Value,
    /// The client's `Idempotency-Key`, if any.
    pub idempotency_key: Option<String>,
    /// What makes two submits "the same request" for that key.
    pub fingerprint: String,
    /// Now, in milliseconds since the Unix epoch.
    pub now: i64,
}

/// What a submit did.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// A new task was queued.
    Created(TaskRecord),
    /// The idempotency key was seen before with the same request: this is that task.
    Existing(TaskRecord),
    /// The idempotency key was seen before with a different request.
    KeyReused,
    /// The queue is full.
    QueueFull,
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    /// With a result.
    Completed(Value),
    /// With an error (a code such as `DOCUMENT_UNREACHABLE` and a message).
    Failed(TaskError),
}

/// What a cancel did.
#[derive(Debug, Clone, PartialEq)]
pub enum Cancelled {
    /// The task is now cancelled.
    Now(TaskRecord),
    /// The task had already finished.
    AlreadyFinished(TaskRecord),
    /// No such task.
    NotFound,
}

/// Task storage. Every method is one atomic step.
pub trait TaskStore: Send + Sync + 'static {
    /// Creates a task unless the idempotency key says it exists, or the
    /// queue already holds `max_queued` pending tasks.
    fn submit(&self, task: NewTask, max_queued: u64) -> StoreFuture<'_, Submitted>;
    /// Reads a task.
    fn get(&self, id: &str) -> StoreFuture<'_, Option<TaskRecord>>;
    /// Claims the oldest pending task for a worker (`PENDING` → `RUNNING`).
    fn claim_next(&self, now: i64) -> StoreFuture<'_, Option<TaskRecord>>;
    /// Records progress; `false` when the task is no longer running (cancelled).
    fn set_progress(&self, id: &str, percent: u8, now: i64) -> StoreFuture<'_, bool>;
    /// Ends a running task; `false` when it was no longer running.
    fn finish(&self, id: &str, finish: Finish, now: i64) -> StoreFuture<'_, bool>;
    /// Cancels a task that has not finished.
    fn cancel(&self, id: &str, now: i64) -> StoreFuture<'_, Cancelled>;
    /// Puts a running task back in the queue (a worker stopping for shutdown).
    fn release(&self, id: &str, now: i64) -> StoreFuture<'_, ()>;
    /// At start-up: re-queues every task left `RUNNING` by a previous process.
    fn requeue_interrupted(&self, now: i64) -> StoreFuture<'_, u64>;
    /// Forgets idempotency keys older than `before`.
    fn purge_idempotency_keys(&self, before: i64) -> StoreFuture<'_, u64>;
    /// How many tasks are pending.
    fn pending_count(&self) -> StoreFuture<'_, u64>;
}

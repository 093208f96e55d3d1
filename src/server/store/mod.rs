//! Task storage: the one interface the handlers and workers use.
//!
//! The database *is* the queue: a `PENDING` row is a queued task and a worker
//! claims one by flipping it to `RUNNING` in a single statement. That is what
//! lets a PostgreSQL backend (`SELECT … FOR UPDATE SKIP LOCKED`) serve several
//! server instances later without touching the handlers.

mod sqlite;

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

pub use sqlite::SqliteStore;

/// A boxed future, so the trait stays object-safe.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A storage failure: always a server-side problem, never the client's.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// The server's view of a task's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Queued.
    Pending,
    /// Claimed by a worker.
    Running,
    /// Finished with a result.
    Completed,
    /// Finished with an error.
    Failed,
    /// Stopped on request.
    Cancelled,
}

impl State {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "PENDING",
            State::Running => "RUNNING",
            State::Completed => "COMPLETED",
            State::Failed => "FAILED",
            State::Cancelled => "CANCELLED",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "PENDING" => State::Pending,
            "RUNNING" => State::Running,
            "COMPLETED" => State::Completed,
            "FAILED" => State::Failed,
            "CANCELLED" => State::Cancelled,
            _ => return None,
        })
    }

    /// Whether the task has finished.
    pub fn is_terminal(self) -> bool {
        matches!(self, State::Completed | State::Failed | State::Cancelled)
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
    /// Where it is in its life.
    pub state: State,
    /// Progress in whole percent, once running.
    pub progress: Option<u8>,
    /// The result of a completed task.
    pub result: Option<Value>,
    /// `(code, message)` of a failed task.
    pub error: Option<(String, String)>,
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
    /// With an error code and message.
    Failed {
        /// e.g. `DOCUMENT_UNREACHABLE`.
        code: String,
        /// For people.
        message: String,
    },
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

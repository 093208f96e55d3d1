//! Task storage: the one interface the handlers and workers use.
//!
//! The database *is* the queue: a `PENDING` row is a queued task and a worker
//! claims one by flipping it to `RUNNING` in a single statement, taking a
//! lease in the same write. Every later write of that run is fenced on its
//! attempt number, so a run whose lease was taken back (its instance died,
//! or stalled past the lease) can no longer overwrite the new run's work.
//! Tasks belong to a tenant; every read or change made on a client's behalf
//! names it, so another tenant's task looks exactly like a missing one.

/// The task columns both backends select, in the order their row readers
/// take them (a macro, so statements can be built with `concat!` at compile
/// time and prepared once). Defined before the backend modules so that they
/// see it.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! task_columns {
    () => {
        "id, tenant, bot_id, action, input, status, progress, result, error_code, \
         error_message, created_at, started_at, completed_at, attempts, progress_message, \
         labels, retry_of, webhook_url"
    };
}

/// How many columns `task_columns!` names: a join's own columns follow.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) const TASK_COLUMN_COUNT: usize = 18;

mod console;
mod deliveries;
mod events;
mod listing;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use orchestrator::{Labels, TaskError, TaskState};
use serde_json::Value;

pub use console::{ActivityBucket, InstanceBeat, SessionRecord, StateCount};
pub use deliveries::{Delivery, DeliveryClaim, DeliveryReport, DeliveryResult, DeliveryState};
pub use events::{EventPage, EventQuery, EventRecord};
pub use listing::{Cursor, Scope, TaskQuery};

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// A boxed future, so the trait stays object-safe.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A storage failure: always a server-side problem, never the client's. Its
/// message is logged; clients only ever see an incident id, and from
/// [`kind`](Self::kind) whether to try again.
#[derive(Debug, thiserror::Error)]
#[error("storage error: {message}")]
pub struct StoreError {
    kind: StoreErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What kind of storage failure it is: whether it can pass by itself (the
/// database restarting, busy, out of space) or not (a bug, bad data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The database cannot be reached or the connection broke (refused,
    /// reset, shutting down, starting up, read-only after a failover).
    Unavailable,
    /// A connection, a pool slot or a statement took longer than its
    /// timeout.
    Timeout,
    /// Busy or locked, a serialization failure or a deadlock: the same
    /// request can succeed a moment later.
    Contention,
    /// No space left for the write.
    DiskFull,
    /// Anything else: a bug or data the server cannot read. Not transient.
    Other,
}

impl StoreErrorKind {
    /// Whether a retry a moment later can succeed: everything but `Other`.
    pub fn is_transient(self) -> bool {
        self != StoreErrorKind::Other
    }

    /// The kind's name in metrics and logs: `unavailable`, `timeout`,
    /// `contention`, `disk_full`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreErrorKind::Unavailable => "unavailable",
            StoreErrorKind::Timeout => "timeout",
            StoreErrorKind::Contention => "contention",
            StoreErrorKind::DiskFull => "disk_full",
            StoreErrorKind::Other => "other",
        }
    }

    /// Every kind, for metrics that show each one from the start.
    pub const ALL: [StoreErrorKind; 5] = [
        StoreErrorKind::Unavailable,
        StoreErrorKind::Timeout,
        StoreErrorKind::Contention,
        StoreErrorKind::DiskFull,
        StoreErrorKind::Other,
    ];
}

impl StoreError {
    /// A failure described by `message`, of kind [`StoreErrorKind::Other`].
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            kind: StoreErrorKind::Other,
            message: message.into(),
            source: None,
        }
    }

    /// A failure of `what`, caused by `source`, of kind
    /// [`StoreErrorKind::Other`].
    pub fn caused_by(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        let source = source.into();
        StoreError {
            kind: StoreErrorKind::Other,
            message: format!("{}: {source}", what.into()),
            source: Some(source),
        }
    }

    /// The same failure, its message prefixed with `what` was being done.
    pub fn context(mut self, what: impl std::fmt::Display) -> StoreError {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// The same failure, of `kind`.
    pub fn with_kind(mut self, kind: StoreErrorKind) -> StoreError {
        self.kind = kind;
        self
    }

    /// A timeout of `what` after `limit`.
    pub fn timed_out(what: impl std::fmt::Display, limit: Duration) -> StoreError {
        StoreError::new(format!("{what} took longer than {limit:?}"))
            .with_kind(StoreErrorKind::Timeout)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// Whether a retry a moment later can succeed.
    pub fn is_transient(&self) -> bool {
        self.kind.is_transient()
    }
}

/// A SQLite failure, as every part of that backend reports it: busy or
/// locked is contention, a full disk is [`StoreErrorKind::DiskFull`], an I/O
/// failure or a file that cannot be opened is unavailability.
#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let kind = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreErrorKind::Contention,
            Some(ErrorCode::DiskFull) => StoreErrorKind::DiskFull,
            Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen) => StoreErrorKind::Unavailable,
            _ => StoreErrorKind::Other,
        };
        StoreError::caused_by("SQLite", e).with_kind(kind)
    }
}

/// A stored task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// `task-<uuid>`.
    pub id: String,
    /// The tenant that created it; only that tenant can see it.
    pub tenant: String,
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
    /// What the run said it was doing with its last progress ("fetching
    /// the document"), while it runs.
    pub progress_message: Option<String>,
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
    /// How many times a worker has claimed it (more than 1 after a crash);
    /// the current run's fencing token.
    pub attempts: u32,
    /// The labels it was submitted with.
    pub labels: Labels,
    /// The task it was submitted again from, when it is a retry.
    pub retry_of: Option<String>,
    /// Where its finish is posted (a webhook), if anywhere.
    pub webhook_url: Option<String>,
}

impl TaskRecord {
    /// The run a worker holds after claiming this task.
    pub fn run(&self) -> RunRef {
        RunRef {
            id: self.id.clone(),
            attempt: self.attempts,
        }
    }
}

/// One run of a task: its id and the attempt number its claim produced.
/// Writes through a `RunRef` succeed only while that attempt still owns
/// the task.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunRef {
    /// The task.
    pub id: String,
    /// The attempt that claimed it.
    pub attempt: u32,
}

/// A task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// The id to give it.
    pub id: String,
    /// The tenant creating it.
    pub tenant: String,
    /// The bot.
    pub bot_id: String,
    /// The action.
    pub action: String,
    /// The request body.
    pub input: Value,
    /// Its labels.
    pub labels: Labels,
    /// The task it retries, if it is a retry.
    pub retry_of: Option<String>,
    /// Where its finish is to be posted, if anywhere.
    pub webhook_url: Option<String>,
    /// The client's `Idempotency-Key`, if any (scoped to the tenant).
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

/// A worker's claim on the next task.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The claiming server instance (`inst-<uuid>`), recorded on the task.
    pub instance: String,
    /// How long the claim holds without a heartbeat or progress.
    pub lease: Duration,
    /// Now, in milliseconds since the Unix epoch.
    pub now: i64,
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
    /// No such task (for this tenant).
    NotFound,
}

/// What taking back expired leases did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reaped {
    /// Tasks put back in the queue.
    pub requeued: Vec<String>,
    /// Tasks that had used up their attempts and ended `FAILED`
    /// ([`WORKER_LOST`]).
    pub failed: Vec<String>,
}

/// The error code of a task whose runs kept dying: it is not tried again.
pub const WORKER_LOST: &str = "WORKER_LOST";

/// A change another instance made to a shared store, for waking this
/// instance's held long polls and idle workers. A change is only a hint to
/// look again: every reader re-reads the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// This task changed.
    Task(String),
    /// A task was queued (or put back in the queue).
    Queue,
    /// Changes may have been missed (the listener reconnected): look at
    /// everything again.
    Resync,
}

/// The stream of [`Change`]s of a shared store.
pub type ChangeFeed = tokio::sync::mpsc::Receiver<Change>;

/// How many tasks wait and run, for health checks and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `PENDING` tasks.
    pub pending: u64,
    /// `RUNNING` tasks.
    pub running: u64,
}

/// Task storage. Every method is one atomic step.
pub trait TaskStore: Send + Sync + 'static {
    /// Creates a task unless the tenant's idempotency key says it exists,
    /// or the queue already holds `max_queued` pending tasks.
    fn submit(&self, task: NewTask, max_queued: u64) -> StoreFuture<'_, Submitted>;
    /// Reads a tenant's task; another tenant's task is `None`, exactly like
    /// a missing one.
    fn get(&self, tenant: &str, id: &str) -> StoreFuture<'_, Option<TaskRecord>>;
    /// Claims the oldest pending task (`PENDING` → `RUNNING`, attempts + 1)
    /// with a lease.
    fn claim_next(&self, claim: &Claim) -> StoreFuture<'_, Option<TaskRecord>>;
    /// Records progress (the percentage, and what the run is doing now in a
    /// few words) and renews the run's lease; `false` when the run no
    /// longer owns the task (cancelled, or its lease was taken back).
    fn set_progress(
        &self,
        run: &RunRef,
        percent: u8,
        message: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, bool>;
    /// Ends the run's task and returns it as it now stands (its long polls
    /// answer from it); `None` when the run no longer owns it.
    fn finish(&self, run: &RunRef, finish: Finish, now: i64)
    -> StoreFuture<'_, Option<TaskRecord>>;
    /// Puts the run's task back in the queue (a worker stopping for shutdown).
    fn release(&self, run: &RunRef, now: i64) -> StoreFuture<'_, ()>;
    /// Renews the leases of `runs` (all claimed by `instance`); returns the
    /// ones the instance no longer owns, whose workers should stop.
    fn heartbeat(
        &self,
        instance: &str,
        runs: &[RunRef],
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Vec<RunRef>>;
    /// Takes back up to `limit` runs whose lease expired: the task goes back
    /// in the queue, or ends `FAILED` with [`WORKER_LOST`] once it has had
    /// `max_attempts` runs.
    fn reap_expired(&self, max_attempts: u32, limit: u32, now: i64) -> StoreFuture<'_, Reaped>;
    /// At start-up: recovers what a previous process of a single-instance
    /// backend left running (as [`reap_expired`](Self::reap_expired) would,
    /// without waiting for leases). Shared backends, where other instances
    /// may be alive, do nothing here and rely on leases.
    fn recover_at_start(&self, max_attempts: u32, now: i64) -> StoreFuture<'_, Reaped>;
    /// Cancels a tenant's task that has not finished.
    fn cancel(&self, tenant: &str, id: &str, now: i64) -> StoreFuture<'_, Cancelled>;
    /// A page of the tasks in `scope` that `query` selects, newest first
    /// (`created_at`, then `id`, both descending), from after its cursor:
    /// at most `query.limit` of them.
    fn list(&self, scope: Scope<'_>, query: &TaskQuery) -> StoreFuture<'_, Vec<TaskRecord>>;
    /// Cancels every unfinished task in `scope` that `query` selects (its
    /// cursor and limit are not used), in one step; returns their ids.
    fn cancel_matching(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
        now: i64,
    ) -> StoreFuture<'_, Vec<String>>;
    /// How many tasks in `scope` that `query` selects are in each of
    /// `states` (its cursor and limit are not used), each counted up to
    /// `cap` and no further.
    fn count_states(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
        states: &[TaskState],
        cap: u32,
    ) -> StoreFuture<'_, Vec<StateCount>>;
    /// The tasks in `scope` that finished since `since`, by state, in
    /// `buckets` stretches of `bucket_ms` each, oldest first.
    fn activity(
        &self,
        scope: Scope<'_>,
        since: i64,
        bucket_ms: i64,
        buckets: u32,
    ) -> StoreFuture<'_, Vec<ActivityBucket>>;
    /// Records that an instance is alive (its workers, its start), for the
    /// console's overview.
    fn record_instance(&self, beat: &InstanceBeat) -> StoreFuture<'_, ()>;
    /// The instances heard from since `since`, the most recent first; older
    /// ones are forgotten.
    fn instances(&self, since: i64) -> StoreFuture<'_, Vec<InstanceBeat>>;
    /// Stores a new console session.
    fn create_session(&self, session: &SessionRecord) -> StoreFuture<'_, ()>;
    /// The session whose token hashes to `token_sha256`, if it has not
    /// expired by `now`.
    fn session(&self, token_sha256: &str, now: i64) -> StoreFuture<'_, Option<SessionRecord>>;
    /// Ends a session (sign-out); whether there was one.
    fn end_session(&self, token_sha256: &str) -> StoreFuture<'_, bool>;
    /// Deletes the sessions that expired before `now`; how many.
    fn purge_sessions(&self, now: i64) -> StoreFuture<'_, u64>;
    /// A tenant's events after `query.after` that `query` selects, oldest
    /// first, at most `query.limit`, and how far the sweep has deleted.
    fn events(&self, tenant: &str, query: &EventQuery) -> StoreFuture<'_, EventPage>;
    /// The id of a tenant's newest event (0: none yet).
    fn newest_event(&self, tenant: &str) -> StoreFuture<'_, i64>;
    /// The id of a tenant's task's newest event (`None`: no such task).
    fn last_event(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<i64>>;
    /// Leases up to `claim.limit` webhook deliveries that are due and not
    /// leased by a live lease, oldest due first; on a shared database
    /// each is leased by one instance at a time.
    fn claim_deliveries(&self, claim: &DeliveryClaim) -> StoreFuture<'_, Vec<Delivery>>;
    /// Records a try of a delivery this instance leased (and ends the lease).
    fn record_delivery(&self, report: &DeliveryReport) -> StoreFuture<'_, ()>;
    /// The newest delivery of a task of `tenant`.
    fn delivery_of(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<DeliveryState>>;
    /// Deletes up to `limit` tasks that finished before `before`, with their
    /// events; returns how many went.
    fn delete_finished(&self, before: i64, limit: u32) -> StoreFuture<'_, u64>;
    /// Forgets idempotency keys created before `before` whose task is gone
    /// (a key lives as long as its task, and at least until `before`).
    fn purge_idempotency_keys(&self, before: i64) -> StoreFuture<'_, u64>;
    /// How many tasks wait and run.
    fn counts(&self) -> StoreFuture<'_, Counts>;
    /// Whether the store can serve requests now, for `/readyz`: a read (the
    /// counts, returned) and, where the backend can, a write of one small
    /// row, within the store's timeouts. The default only reads.
    fn check_ready(&self, now: i64) -> StoreFuture<'_, Counts> {
        let _ = now;
        self.counts()
    }
    /// Changes made by *other* instances sharing this store (this
    /// instance's own changes wake its waiters directly). `None` for a store
    /// only this process writes. Called once, when the server starts.
    fn changes(&self) -> Option<ChangeFeed> {
        None
    }
}

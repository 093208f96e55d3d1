//! Every change of a task goes through here: the store's write, then its
//! publication — the long polls it wakes (the hub), the idle workers it
//! wakes (the queue), the metrics it counts — so no caller has to remember
//! them. Reads pass through, and every failed store call is counted once.
//!
//! The handlers, the workers and the maintenance services hold a
//! [`Lifecycle`], never the store itself; a new listener of task changes
//! (an event stream, webhooks) hangs on [`Lifecycle::publish`].

use std::sync::Arc;
use std::time::Duration;

use orchestrator::TaskState;
use tokio::sync::Notify;

use crate::hub::{Hub, SharedRecord};
use crate::metrics::Metrics;
use crate::store::{
    Cancelled, Claim, Counts, EventPage, EventQuery, Finish, NewTask, Reaped, RunRef, Scope,
    StoreError, Submitted, TaskQuery, TaskRecord, TaskStore,
};

/// The store as the rest of the server sees it: see the module docs.
pub(crate) struct Lifecycle {
    store: Arc<dyn TaskStore>,
    hub: Arc<Hub>,
    /// Woken when a task is queued, to wake an idle worker.
    queued: Arc<Notify>,
    metrics: Metrics,
}

/// What changed, as published once the store has committed it.
enum Published<'a> {
    /// A new task is queued.
    Submitted(&'a TaskRecord),
    /// A worker claimed a task.
    Claimed(&'a TaskRecord),
    /// A run recorded progress.
    Progressed(&'a RunRef),
    /// A run ended its task, which is now this record (`None`: the run had
    /// lost the task, which may have changed meanwhile).
    Finished(&'a RunRef, Option<Arc<SharedRecord>>),
    /// A worker gave its task back to the queue (shutting down).
    Released(&'a RunRef),
    /// A client cancelled a task, which is now this record.
    Cancelled(Arc<SharedRecord>),
    /// A cancel by filter cancelled these tasks.
    CancelledMany(&'a [String]),
    /// Runs whose lease expired were taken back.
    Reaped(&'a Reaped),
}

/// What a cancel did, with the cancelled task as its waiters were handed it.
pub(crate) enum CancelOutcome {
    /// The task is now cancelled; its long polls answer from this record.
    Now(Arc<SharedRecord>),
    /// The task had already finished, in this state.
    AlreadyFinished(TaskState),
    /// No such task (for this tenant).
    NotFound,
}

impl Lifecycle {
    pub(crate) fn new(store: Arc<dyn TaskStore>, metrics: Metrics) -> Lifecycle {
        Lifecycle {
            store,
            hub: Arc::new(Hub::default()),
            queued: Arc::new(Notify::new()),
            metrics,
        }
    }

    /// The long-poll hub, to subscribe to a task's changes.
    pub(crate) fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Woken when a task is queued (idle workers wait on it).
    pub(crate) fn queued(&self) -> &Arc<Notify> {
        &self.queued
    }

    /// The store, for what only reads it or watches it (the change feed).
    pub(crate) fn store(&self) -> &Arc<dyn TaskStore> {
        &self.store
    }

    /// Creates a task unless its idempotency key says it exists or the
    /// queue is full.
    pub(crate) async fn submit(
        &self,
        task: NewTask,
        max_queued: u64,
    ) -> Result<Submitted, StoreError> {
        let submitted = self.counted("submit", self.store.submit(task, max_queued).await)?;
        if let Submitted::Created(task) = &submitted {
            self.publish(Published::Submitted(task));
        }
        Ok(submitted)
    }

    /// A tenant's task; another tenant's is `None`, like a missing one.
    pub(crate) async fn get(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<TaskRecord>, StoreError> {
        self.counted("get", self.store.get(tenant, id).await)
    }

    /// A page of the tasks in `scope`.
    pub(crate) async fn list(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
    ) -> Result<Vec<TaskRecord>, StoreError> {
        self.counted("list", self.store.list(scope, query).await)
    }

    /// Cancels every unfinished task in `scope` that `query` selects;
    /// returns how many.
    pub(crate) async fn cancel_matching(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
        now: i64,
    ) -> Result<u64, StoreError> {
        let ids = self.counted(
            "cancel_matching",
            self.store.cancel_matching(scope, query, now).await,
        )?;
        self.publish(Published::CancelledMany(&ids));
        Ok(ids.len() as u64)
    }

    /// How many tasks wait and run.
    pub(crate) async fn counts(&self) -> Result<Counts, StoreError> {
        self.counted("counts", self.store.counts().await)
    }

    /// Whether the store can serve now (a read and a write), for `/readyz`.
    pub(crate) async fn check_ready(&self, now: i64) -> Result<Counts, StoreError> {
        self.counted("check_ready", self.store.check_ready(now).await)
    }

    /// Claims the oldest pending task for a worker.
    pub(crate) async fn claim(&self, claim: &Claim) -> Result<Option<TaskRecord>, StoreError> {
        let claimed = self.counted("claim", self.store.claim_next(claim).await)?;
        if let Some(task) = &claimed {
            self.publish(Published::Claimed(task));
        }
        Ok(claimed)
    }

    /// Records a run's progress and renews its lease; `false` when the run
    /// no longer owns the task.
    pub(crate) async fn progress(
        &self,
        run: &RunRef,
        percent: u8,
        message: &str,
        lease: Duration,
        now: i64,
    ) -> Result<bool, StoreError> {
        let owned = self.counted(
            "set_progress",
            self.store
                .set_progress(run, percent, message, lease, now)
                .await,
        )?;
        if owned {
            self.publish(Published::Progressed(run));
        }
        Ok(owned)
    }

    /// Ends a run's task; `false` when the run had lost it.
    pub(crate) async fn finish(
        &self,
        run: &RunRef,
        finish: Finish,
        now: i64,
    ) -> Result<bool, StoreError> {
        let finished = self.counted("finish", self.store.finish(run, finish, now).await);
        // Even a failed write is published: the task may have changed
        // meanwhile (a cancel), and its waiters read it again.
        let finished = match finished {
            Ok(finished) => finished,
            Err(e) => {
                self.publish(Published::Finished(run, None));
                return Err(e);
            }
        };
        let owned = finished.is_some();
        let shared = finished.map(|task| Arc::new(SharedRecord::new(task)));
        self.publish(Published::Finished(run, shared));
        Ok(owned)
    }

    /// Puts a run's task back in the queue (its worker is shutting down).
    pub(crate) async fn release(&self, run: &RunRef, now: i64) -> Result<(), StoreError> {
        let released = self.counted("release", self.store.release(run, now).await);
        self.publish(Published::Released(run));
        released
    }

    /// Cancels a tenant's unfinished task.
    pub(crate) async fn cancel(
        &self,
        tenant: &str,
        id: &str,
        now: i64,
    ) -> Result<CancelOutcome, StoreError> {
        Ok(
            match self.counted("cancel", self.store.cancel(tenant, id, now).await)? {
                Cancelled::Now(task) => {
                    let shared = Arc::new(SharedRecord::new(task));
                    self.publish(Published::Cancelled(shared.clone()));
                    CancelOutcome::Now(shared)
                }
                Cancelled::AlreadyFinished(task) => CancelOutcome::AlreadyFinished(task.state),
                Cancelled::NotFound => CancelOutcome::NotFound,
            },
        )
    }

    /// Renews the leases of this instance's runs; returns those it lost.
    pub(crate) async fn heartbeat(
        &self,
        instance: &str,
        runs: &[RunRef],
        lease: Duration,
        now: i64,
    ) -> Result<Vec<RunRef>, StoreError> {
        self.counted(
            "heartbeat",
            self.store.heartbeat(instance, runs, lease, now).await,
        )
    }

    /// Takes back up to `limit` runs whose lease expired.
    pub(crate) async fn reap_expired(
        &self,
        max_attempts: u32,
        limit: u32,
        now: i64,
    ) -> Result<Reaped, StoreError> {
        let reaped = self.counted(
            "reap",
            self.store.reap_expired(max_attempts, limit, now).await,
        )?;
        self.publish(Published::Reaped(&reaped));
        Ok(reaped)
    }

    /// At start-up: takes back what a previous process of a single-instance
    /// store left running.
    pub(crate) async fn recover_at_start(
        &self,
        max_attempts: u32,
        now: i64,
    ) -> Result<Reaped, StoreError> {
        let reaped = self.counted(
            "recover",
            self.store.recover_at_start(max_attempts, now).await,
        )?;
        self.publish(Published::Reaped(&reaped));
        Ok(reaped)
    }

    /// A tenant's events after `query.after`, oldest first.
    pub(crate) async fn events(
        &self,
        tenant: &str,
        query: &EventQuery,
    ) -> Result<EventPage, StoreError> {
        self.counted("events", self.store.events(tenant, query).await)
    }

    /// The id of a tenant's newest event (0: none).
    pub(crate) async fn newest_event(&self, tenant: &str) -> Result<i64, StoreError> {
        self.counted("newest_event", self.store.newest_event(tenant).await)
    }

    /// The id of a tenant's task's newest event.
    pub(crate) async fn last_event(
        &self,
        tenant: &str,
        task_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        self.counted("last_event", self.store.last_event(tenant, task_id).await)
    }

    /// Deletes up to `limit` tasks that finished before `before` (nobody
    /// waits on a finished task, so there is nothing to publish).
    pub(crate) async fn delete_finished(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        self.counted("sweep", self.store.delete_finished(before, limit).await)
    }

    /// Forgets idempotency keys older than `before` whose task is gone.
    pub(crate) async fn purge_idempotency_keys(&self, before: i64) -> Result<u64, StoreError> {
        self.counted(
            "purge_keys",
            self.store.purge_idempotency_keys(before).await,
        )
    }

    /// Tells everyone who follows task changes here about one: the one
    /// place a listener is added.
    fn publish(&self, change: Published<'_>) {
        match change {
            Published::Submitted(task) => {
                self.hub.notify_streams();
                self.queued.notify_one();
                self.metrics.task_submitted(&task.tenant);
            }
            Published::Claimed(task) => {
                if let Some(at) = task.started_at {
                    self.metrics.task_started(elapsed(task.created_at, at));
                }
                self.hub.notify(&task.id);
            }
            Published::Progressed(run) | Published::Released(run) => self.hub.notify(&run.id),
            // Its long polls answer from the finished record itself.
            Published::Finished(_, Some(shared)) => {
                let task = &shared.record;
                let outcome = match task.state {
                    TaskState::Completed => "completed",
                    _ => "failed",
                };
                // The run began when it claimed the task.
                let started = task.started_at.unwrap_or(task.created_at);
                let ran = elapsed(started, task.completed_at.unwrap_or(started));
                self.metrics.task_finished(&task.tenant, outcome, ran);
                self.hub.publish_final(shared);
            }
            Published::Finished(run, None) => self.hub.notify(&run.id),
            Published::Cancelled(shared) => self.hub.publish_final(shared),
            // Their long polls read them again; their runs stop at their
            // next checkpoint, which no longer owns the task.
            Published::CancelledMany(ids) => {
                for id in ids {
                    self.hub.notify(id);
                }
            }
            Published::Reaped(reaped) => {
                for id in reaped.requeued.iter().chain(&reaped.failed) {
                    self.hub.notify(id);
                }
                if !reaped.requeued.is_empty() {
                    self.queued.notify_waiters();
                }
            }
        }
    }

    /// `result`, with a failure counted in the metrics under `operation`.
    fn counted<T>(&self, operation: &str, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(e) = &result {
            self.metrics.store_error(operation, e.kind());
        }
        result
    }
}

/// The time from `from` to `to` (milliseconds since the epoch), never negative.
fn elapsed(from: i64, to: i64) -> Duration {
    Duration::from_millis(u64::try_from(to.saturating_sub(from)).unwrap_or(0))
}

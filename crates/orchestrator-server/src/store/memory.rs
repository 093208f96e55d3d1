//! Tasks in this process's memory: nothing survives it, and nothing needs a
//! C compiler or a database to build. The CLI's in-process demo runs on it;
//! an embedder's tests may too. It keeps the same contract as the other
//! backends — first-in-first-out claims, leases, writes fenced on the
//! attempt, tenant-scoped idempotency keys — and the server suite's storage
//! tests hold it to that contract.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use orchestrator::TaskState;

use super::{
    Cancelled, Claim, Counts, Finish, NewTask, Reaped, RunRef, StoreFuture, Submitted, TaskQuery,
    TaskRecord, TaskStore, WORKER_LOST,
};

/// Tasks in memory. One process owns them, so a start-up finds none to
/// recover.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    tasks: HashMap<String, Stored>,
    /// The queue: pending tasks by the order they were first submitted
    /// (a task put back keeps its place, as a row keeps its rowid).
    pending: BTreeSet<(u64, String)>,
    next_seq: u64,
    /// `(tenant, key)` → the request's fingerprint, its task, when made.
    keys: HashMap<(String, String), Key>,
}

#[derive(Debug)]
struct Stored {
    record: TaskRecord,
    seq: u64,
    claimed_by: Option<String>,
    lease_expires_at: Option<i64>,
}

#[derive(Debug)]
struct Key {
    fingerprint: String,
    task_id: String,
    created_at: i64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every change below is made whole before the lock is released, so
        // a panic elsewhere cannot leave a half-made one behind.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state, as a store call that cannot block.
    fn with<T: Send + 'static>(&self, f: impl FnOnce(&mut State) -> T) -> StoreFuture<'_, T> {
        let out = f(&mut self.state());
        Box::pin(std::future::ready(Ok(out)))
    }
}

fn lease_until(now: i64, lease: Duration) -> i64 {
    now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
}

impl State {
    /// The run's task, if that attempt still owns it (`RUNNING`, same attempt).
    fn owned(&mut self, run: &RunRef) -> Option<&mut Stored> {
        self.tasks
            .get_mut(&run.id)
            .filter(|t| t.record.state == TaskState::Running && t.record.attempts == run.attempt)
    }

    /// Puts a running task back in the queue, or fails it once it has had
    /// `max_attempts` runs.
    fn take_back(&mut self, id: &str, max_attempts: u32, now: i64, reaped: &mut Reaped) {
        let Some(task) = self.tasks.get_mut(id) else {
            return;
        };
        task.claimed_by = None;
        task.lease_expires_at = None;
        if task.record.attempts >= max_attempts {
            let attempts = task.record.attempts;
            task.record.state = TaskState::Failed;
            task.record.error = Some(orchestrator::TaskError::new(
                WORKER_LOST,
                format!("the task's worker was lost {attempts} times; it is not tried again"),
            ));
            task.record.completed_at = Some(now);
            reaped.failed.push(id.to_owned());
        } else {
            task.record.state = TaskState::Pending;
            task.record.progress = None;
            task.record.progress_message = None;
            self.pending.insert((task.seq, id.to_owned()));
            reaped.requeued.push(id.to_owned());
        }
    }

    /// Takes back the running tasks `expired` selects, at most `limit`.
    fn take_back_where(
        &mut self,
        expired: impl Fn(&Stored) -> bool,
        max_attempts: u32,
        limit: u32,
        now: i64,
    ) -> Reaped {
        let mut ids: Vec<(u64, String)> = self
            .tasks
            .values()
            .filter(|t| t.record.state == TaskState::Running && expired(t))
            .map(|t| (t.seq, t.record.id.clone()))
            .collect();
        ids.sort();
        let mut reaped = Reaped::default();
        for (_, id) in ids.into_iter().take(limit as usize) {
            self.take_back(&id, max_attempts, now, &mut reaped);
        }
        reaped
    }
}

impl TaskStore for MemoryStore {
    fn submit(&self, task: NewTask, max_queued: u64) -> StoreFuture<'_, Submitted> {
        self.with(move |s| {
            if let Some(key) = &task.idempotency_key
                && let Some(seen) = s.keys.get(&(task.tenant.clone(), key.clone()))
            {
                if seen.fingerprint != task.fingerprint {
                    return Submitted::KeyReused;
                }
                if let Some(existing) = s.tasks.get(&seen.task_id) {
                    return Submitted::Existing(existing.record.clone());
                }
                // The task expired before its key: the key starts over.
            }
            if s.pending.len() as u64 >= max_queued {
                return Submitted::QueueFull;
            }
            let record = TaskRecord {
                id: task.id.clone(),
                tenant: task.tenant.clone(),
                bot_id: task.bot_id,
                action: task.action,
                input: task.input,
                state: TaskState::Pending,
                progress: None,
                progress_message: None,
                result: None,
                error: None,
                created_at: task.now,
                started_at: None,
                completed_at: None,
                attempts: 0,
                labels: task.labels,
                retry_of: task.retry_of,
            };
            let seq = s.next_seq;
            s.next_seq += 1;
            s.pending.insert((seq, task.id.clone()));
            s.tasks.insert(
                task.id.clone(),
                Stored {
                    record: record.clone(),
                    seq,
                    claimed_by: None,
                    lease_expires_at: None,
                },
            );
            if let Some(key) = task.idempotency_key {
                s.keys.insert(
                    (task.tenant, key),
                    Key {
                        fingerprint: task.fingerprint,
                        task_id: task.id,
                        created_at: task.now,
                    },
                );
            }
            Submitted::Created(record)
        })
    }

    fn get(&self, tenant: &str, id: &str) -> StoreFuture<'_, Option<TaskRecord>> {
        self.with(|s| {
            s.tasks
                .get(id)
                .filter(|t| t.record.tenant == tenant)
                .map(|t| t.record.clone())
        })
    }

    fn claim_next(&self, claim: &Claim) -> StoreFuture<'_, Option<TaskRecord>> {
        self.with(|s| {
            let (_, id) = s.pending.pop_first()?;
            let task = s.tasks.get_mut(&id)?;
            task.record.state = TaskState::Running;
            task.record.progress = Some(0);
            task.record.progress_message = None;
            task.record.started_at = Some(claim.now);
            task.record.attempts += 1;
            task.claimed_by = Some(claim.instance.clone());
            task.lease_expires_at = Some(lease_until(claim.now, claim.lease));
            Some(task.record.clone())
        })
    }

    fn set_progress(
        &self,
        run: &RunRef,
        percent: u8,
        message: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, bool> {
        self.with(|s| match s.owned(run) {
            Some(task) => {
                task.record.progress = Some(percent);
                task.record.progress_message = Some(message.to_owned());
                task.lease_expires_at = Some(lease_until(now, lease));
                true
            }
            None => false,
        })
    }

    fn finish(
        &self,
        run: &RunRef,
        finish: Finish,
        now: i64,
    ) -> StoreFuture<'_, Option<TaskRecord>> {
        self.with(|s| {
            let task = s.owned(run)?;
            match finish {
                Finish::Completed(result) => {
                    task.record.state = TaskState::Completed;
                    task.record.progress = Some(100);
                    task.record.result = Some(result);
                }
                Finish::Failed(error) => {
                    task.record.state = TaskState::Failed;
                    task.record.error = Some(error);
                }
            }
            task.record.completed_at = Some(now);
            task.claimed_by = None;
            task.lease_expires_at = None;
            Some(task.record.clone())
        })
    }

    fn release(&self, run: &RunRef, _now: i64) -> StoreFuture<'_, ()> {
        self.with(|s| {
            let Some(task) = s.owned(run) else { return };
            task.record.state = TaskState::Pending;
            task.record.progress = None;
            task.record.progress_message = None;
            task.claimed_by = None;
            task.lease_expires_at = None;
            let entry = (task.seq, task.record.id.clone());
            s.pending.insert(entry);
        })
    }

    fn heartbeat(
        &self,
        instance: &str,
        runs: &[RunRef],
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Vec<RunRef>> {
        self.with(|s| {
            let mut lost = Vec::new();
            for run in runs {
                match s.owned(run) {
                    Some(task) if task.claimed_by.as_deref() == Some(instance) => {
                        task.lease_expires_at = Some(lease_until(now, lease));
                    }
                    _ => lost.push(run.clone()),
                }
            }
            lost
        })
    }

    fn reap_expired(&self, max_attempts: u32, limit: u32, now: i64) -> StoreFuture<'_, Reaped> {
        self.with(|s| {
            s.take_back_where(
                |t| t.lease_expires_at.is_some_and(|at| at < now),
                max_attempts,
                limit,
                now,
            )
        })
    }

    fn recover_at_start(&self, max_attempts: u32, now: i64) -> StoreFuture<'_, Reaped> {
        self.with(|s| s.take_back_where(|_| true, max_attempts, u32::MAX, now))
    }

    fn cancel(&self, tenant: &str, id: &str, now: i64) -> StoreFuture<'_, Cancelled> {
        self.with(|s| {
            let Some(task) = s.tasks.get_mut(id).filter(|t| t.record.tenant == tenant) else {
                return Cancelled::NotFound;
            };
            if task.record.state.is_terminal() {
                return Cancelled::AlreadyFinished(task.record.clone());
            }
            task.record.state = TaskState::Cancelled;
            task.record.completed_at = Some(now);
            task.claimed_by = None;
            task.lease_expires_at = None;
            let (seq, record) = (task.seq, task.record.clone());
            s.pending.remove(&(seq, id.to_owned()));
            Cancelled::Now(record)
        })
    }

    fn list(&self, tenant: &str, query: &TaskQuery) -> StoreFuture<'_, Vec<TaskRecord>> {
        self.with(|s| {
            let mut page: Vec<&TaskRecord> = s
                .tasks
                .values()
                .map(|t| &t.record)
                .filter(|t| t.tenant == tenant && query.matches(t))
                .collect();
            page.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
            page.into_iter()
                .take(query.limit as usize)
                .cloned()
                .collect()
        })
    }

    fn cancel_matching(
        &self,
        tenant: &str,
        query: &TaskQuery,
        now: i64,
    ) -> StoreFuture<'_, Vec<String>> {
        self.with(|s| {
            let Some(query) = query.unfinished() else {
                return Vec::new();
            };
            let mut cancelled = Vec::new();
            for task in s.tasks.values_mut() {
                if task.record.tenant == tenant && query.matches(&task.record) {
                    task.record.state = TaskState::Cancelled;
                    task.record.completed_at = Some(now);
                    task.claimed_by = None;
                    task.lease_expires_at = None;
                    cancelled.push((task.seq, task.record.id.clone()));
                }
            }
            for entry in &cancelled {
                s.pending.remove(entry);
            }
            cancelled.into_iter().map(|(_, id)| id).collect()
        })
    }

    fn delete_finished(&self, before: i64, limit: u32) -> StoreFuture<'_, u64> {
        self.with(|s| {
            let mut old: Vec<(u64, String)> = s
                .tasks
                .values()
                .filter(|t| t.record.completed_at.is_some_and(|at| at < before))
                .map(|t| (t.seq, t.record.id.clone()))
                .collect();
            old.sort();
            old.truncate(limit as usize);
            for (_, id) in &old {
                s.tasks.remove(id);
            }
            old.len() as u64
        })
    }

    fn purge_idempotency_keys(&self, before: i64) -> StoreFuture<'_, u64> {
        self.with(|s| {
            let State { tasks, keys, .. } = s;
            let count = keys.len();
            keys.retain(|_, k| k.created_at >= before || tasks.contains_key(&k.task_id));
            (count - keys.len()) as u64
        })
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        self.with(|s| Counts {
            pending: s.pending.len() as u64,
            running: s
                .tasks
                .values()
                .filter(|t| t.record.state == TaskState::Running)
                .count() as u64,
        })
    }
}

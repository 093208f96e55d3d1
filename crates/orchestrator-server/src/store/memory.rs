//! Tasks in this process's memory: nothing survives it, and nothing needs a
//! C compiler or a database to build. The CLI's in-process demo runs on it;
//! an embedder's tests may too. It keeps the same contract as the other
//! backends — first-in-first-out claims, leases, writes fenced on the
//! attempt, tenant-scoped idempotency keys — and the server suite's storage
//! tests hold it to that contract.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use orchestrator::{TaskEventKind, TaskState};

use super::console::fold_activity;
use super::events::{EventPage, EventQuery, EventRecord, as_of, kind_of_change};
use super::{
    ActivityBucket, Cancelled, Claim, Counts, Delivery, DeliveryClaim, DeliveryReport,
    DeliveryResult, DeliveryState, Finish, InstanceBeat, NewTask, Reaped, RunRef, Scope,
    SessionRecord, StateCount, StoreFuture, Submitted, TaskQuery, TaskRecord, TaskStore,
    WORKER_LOST,
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
    /// The event log, oldest first; ids from 1, never reused.
    events: Vec<Event>,
    next_event: i64,
    /// Per tenant, the newest event the sweep deleted.
    horizons: HashMap<String, i64>,
    /// Webhook deliveries by event id.
    deliveries: std::collections::BTreeMap<i64, StoredDelivery>,
    /// Instances by id (only this one, in a store one process owns).
    instances: HashMap<String, InstanceBeat>,
    /// Console sessions by the hash of their token.
    sessions: HashMap<String, SessionRecord>,
}

/// A delivery, as the database's `webhook_deliveries` row.
#[derive(Debug)]
struct StoredDelivery {
    tenant: String,
    task_id: String,
    kind: String,
    url: String,
    at: i64,
    state: &'static str,
    attempts: u32,
    next_attempt_at: i64,
    last_error: Option<String>,
    delivered_at: Option<i64>,
    lease: Option<(String, i64)>,
}

/// What the database triggers write: the event, and the task's state and
/// progress it left.
#[derive(Debug)]
struct Event {
    id: i64,
    tenant: String,
    task_id: String,
    kind: TaskEventKind,
    at: i64,
    state: TaskState,
    progress: Option<u8>,
    progress_message: Option<String>,
    attempt: u32,
    instance: Option<String>,
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
    /// Appends the event of task `id`'s change from `before`, as the
    /// database triggers do.
    fn changed(&mut self, id: &str, before: Option<&TaskState>, at: i64) {
        if let Some(task) = self.tasks.get(id) {
            let kind = kind_of_change(before, &task.record.state);
            self.append(id, kind, at);
        }
    }

    fn append(&mut self, id: &str, kind: TaskEventKind, at: i64) {
        let Some(task) = self.tasks.get(id) else {
            return;
        };
        self.next_event += 1;
        let r = &task.record;
        // The database's trigger: a terminal event of a task with a
        // webhook is a delivery.
        if kind.is_terminal()
            && let Some(url) = &r.webhook_url
        {
            self.deliveries.insert(
                self.next_event,
                StoredDelivery {
                    tenant: r.tenant.clone(),
                    task_id: r.id.clone(),
                    kind: kind.as_str().to_owned(),
                    url: url.clone(),
                    at,
                    state: "pending",
                    attempts: 0,
                    next_attempt_at: at,
                    last_error: None,
                    delivered_at: None,
                    lease: None,
                },
            );
        }
        self.events.push(Event {
            id: self.next_event,
            tenant: r.tenant.clone(),
            task_id: r.id.clone(),
            kind,
            at,
            state: r.state.clone(),
            progress: r.progress,
            progress_message: r.progress_message.clone(),
            attempt: r.attempts,
            instance: task.claimed_by.clone(),
        });
    }

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
        self.changed(id, Some(&TaskState::Running), now);
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
                webhook_url: task.webhook_url,
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
            s.changed(&task.id, None, task.now);
            if let Some(of) = &record.retry_of
                && s.tasks
                    .get(of)
                    .is_some_and(|t| t.record.tenant == task.tenant)
            {
                s.append(of, TaskEventKind::Retried, task.now);
            }
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
            let record = task.record.clone();
            s.changed(&id, Some(&TaskState::Pending), claim.now);
            Some(record)
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
                let moved = task.record.progress != Some(percent)
                    || task.record.progress_message.as_deref() != Some(message);
                task.record.progress = Some(percent);
                task.record.progress_message = Some(message.to_owned());
                task.lease_expires_at = Some(lease_until(now, lease));
                if moved {
                    s.changed(&run.id, Some(&TaskState::Running), now);
                }
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
            let record = task.record.clone();
            s.changed(&run.id, Some(&TaskState::Running), now);
            Some(record)
        })
    }

    fn release(&self, run: &RunRef, now: i64) -> StoreFuture<'_, ()> {
        self.with(|s| {
            let Some(task) = s.owned(run) else { return };
            task.record.state = TaskState::Pending;
            task.record.progress = None;
            task.record.progress_message = None;
            task.claimed_by = None;
            task.lease_expires_at = None;
            let entry = (task.seq, task.record.id.clone());
            s.pending.insert(entry);
            s.changed(&run.id, Some(&TaskState::Running), now);
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
            let before = std::mem::replace(&mut task.record.state, TaskState::Cancelled);
            task.record.completed_at = Some(now);
            task.claimed_by = None;
            task.lease_expires_at = None;
            let (seq, record) = (task.seq, task.record.clone());
            s.pending.remove(&(seq, id.to_owned()));
            s.changed(id, Some(&before), now);
            Cancelled::Now(record)
        })
    }

    fn list(&self, scope: Scope<'_>, query: &TaskQuery) -> StoreFuture<'_, Vec<TaskRecord>> {
        self.with(|s| {
            let mut page: Vec<&TaskRecord> = s
                .tasks
                .values()
                .map(|t| &t.record)
                .filter(|t| scope.covers(&t.tenant) && query.matches(t))
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
        scope: Scope<'_>,
        query: &TaskQuery,
        now: i64,
    ) -> StoreFuture<'_, Vec<String>> {
        self.with(|s| {
            let Some(query) = query.unfinished() else {
                return Vec::new();
            };
            let mut cancelled = Vec::new();
            for task in s.tasks.values_mut() {
                if scope.covers(&task.record.tenant) && query.matches(&task.record) {
                    let before = std::mem::replace(&mut task.record.state, TaskState::Cancelled);
                    task.record.completed_at = Some(now);
                    task.claimed_by = None;
                    task.lease_expires_at = None;
                    cancelled.push((task.seq, task.record.id.clone(), before));
                }
            }
            cancelled.sort_by_key(|(seq, _, _)| *seq);
            for (seq, id, before) in &cancelled {
                s.pending.remove(&(*seq, id.clone()));
                s.changed(id, Some(before), now);
            }
            cancelled.into_iter().map(|(_, id, _)| id).collect()
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
            let gone: std::collections::HashSet<&str> =
                old.iter().map(|(_, id)| id.as_str()).collect();
            s.deliveries
                .retain(|_, d| !gone.contains(d.task_id.as_str()));
            let State {
                events, horizons, ..
            } = s;
            events.retain(|e| {
                if gone.contains(e.task_id.as_str()) {
                    let h = horizons.entry(e.tenant.clone()).or_default();
                    *h = (*h).max(e.id);
                    false
                } else {
                    true
                }
            });
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

    fn events(&self, tenant: &str, query: &EventQuery) -> StoreFuture<'_, EventPage> {
        self.with(|s| {
            // The log is in id order: start at the first event after the position.
            let start = s.events.partition_point(|e| e.id <= query.after);
            let f = &query.filter;
            // The task's side of the filter; the states are the events'.
            let of_tasks = TaskQuery {
                statuses: Vec::new(),
                after: None,
                created_after: None,
                created_before: None,
                ..f.clone()
            };
            let events = s.events[start..]
                .iter()
                .filter(|e| e.tenant == tenant)
                .filter(|e| f.statuses.is_empty() || f.statuses.contains(&e.state))
                .filter_map(|e| {
                    let task = &s.tasks.get(&e.task_id)?.record;
                    of_tasks.matches(task).then(|| EventRecord {
                        id: e.id,
                        kind: e.kind.clone(),
                        at: e.at,
                        attempt: e.attempt,
                        instance: e.instance.clone(),
                        task: as_of(
                            task.clone(),
                            e.state.clone(),
                            e.progress,
                            e.progress_message.clone(),
                        ),
                    })
                })
                .take(query.limit as usize)
                .collect();
            EventPage {
                events,
                swept_through: s.horizons.get(tenant).copied().unwrap_or(0),
            }
        })
    }

    fn newest_event(&self, tenant: &str) -> StoreFuture<'_, i64> {
        self.with(|s| {
            s.events
                .iter()
                .rev()
                .find(|e| e.tenant == tenant)
                .map_or(0, |e| e.id)
        })
    }

    fn last_event(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<i64>> {
        self.with(|s| {
            s.tasks.get(task_id).filter(|t| t.record.tenant == tenant)?;
            s.events
                .iter()
                .rev()
                .find(|e| e.task_id == task_id)
                .map(|e| e.id)
        })
    }

    fn claim_deliveries(&self, claim: &DeliveryClaim) -> StoreFuture<'_, Vec<Delivery>> {
        let claim = claim.clone();
        self.with(move |s| {
            let mut due: Vec<(i64, i64)> = s
                .deliveries
                .iter()
                .filter(|(_, d)| {
                    d.state == "pending"
                        && d.next_attempt_at <= claim.now
                        && d.lease.as_ref().is_none_or(|(_, until)| *until < claim.now)
                })
                .map(|(id, d)| (d.next_attempt_at, *id))
                .collect();
            due.sort();
            due.truncate(claim.limit as usize);
            let mut out = Vec::with_capacity(due.len());
            for (_, id) in due {
                let Some(d) = s.deliveries.get_mut(&id) else {
                    continue;
                };
                let Some(task) = s.tasks.get(&d.task_id) else {
                    continue;
                };
                d.lease = Some((claim.instance.clone(), claim.lease_until));
                out.push(Delivery {
                    event_id: id,
                    tenant: d.tenant.clone(),
                    kind: d.kind.clone(),
                    url: d.url.clone(),
                    at: d.at,
                    attempts: d.attempts,
                    task: task.record.clone(),
                });
            }
            out
        })
    }

    fn record_delivery(&self, report: &DeliveryReport) -> StoreFuture<'_, ()> {
        let report = report.clone();
        self.with(move |s| {
            let Some(d) = s.deliveries.get_mut(&report.event_id) else {
                return;
            };
            if d.lease
                .as_ref()
                .is_none_or(|(by, _)| *by != report.instance)
            {
                return;
            }
            d.lease = None;
            d.attempts = report.attempts;
            d.state = report.result.state();
            d.last_error.clone_from(&report.error);
            match report.result {
                DeliveryResult::Delivered => d.delivered_at = Some(report.now),
                DeliveryResult::Retry { next_at } => d.next_attempt_at = next_at,
                DeliveryResult::GaveUp | DeliveryResult::Stopped => {}
            }
        })
    }

    fn delivery_of(&self, tenant: &str, task_id: &str) -> StoreFuture<'_, Option<DeliveryState>> {
        let (tenant, task_id) = (tenant.to_owned(), task_id.to_owned());
        self.with(move |s| {
            s.deliveries
                .values()
                .rev()
                .find(|d| d.tenant == tenant && d.task_id == task_id)
                .map(|d| DeliveryState {
                    state: d.state.to_owned(),
                    attempts: d.attempts,
                    last_error: d.last_error.clone(),
                    delivered_at: d.delivered_at,
                    next_attempt_at: (d.state == "pending").then_some(d.next_attempt_at),
                })
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

    fn count_states(
        &self,
        scope: Scope<'_>,
        query: &TaskQuery,
        states: &[TaskState],
        cap: u32,
    ) -> StoreFuture<'_, Vec<StateCount>> {
        let query = TaskQuery {
            statuses: Vec::new(),
            after: None,
            ..query.clone()
        };
        self.with(|s| {
            states
                .iter()
                .map(|state| StateCount {
                    state: state.clone(),
                    count: s
                        .tasks
                        .values()
                        .filter(|t| {
                            t.record.state == *state
                                && scope.covers(&t.record.tenant)
                                && query.matches(&t.record)
                        })
                        .take(cap as usize)
                        .count() as u64,
                })
                .collect()
        })
    }

    fn activity(
        &self,
        scope: Scope<'_>,
        since: i64,
        bucket_ms: i64,
        buckets: u32,
    ) -> StoreFuture<'_, Vec<ActivityBucket>> {
        self.with(|s| {
            let rows = s.tasks.values().filter_map(|t| {
                let at = t.record.completed_at.filter(|at| *at >= since)?;
                scope
                    .covers(&t.record.tenant)
                    .then(|| ((at - since) / bucket_ms.max(1), t.record.state.clone(), 1))
            });
            fold_activity(rows, buckets)
        })
    }

    fn record_instance(&self, beat: &InstanceBeat) -> StoreFuture<'_, ()> {
        self.with(|s| {
            s.instances.insert(beat.id.clone(), beat.clone());
        })
    }

    fn instances(&self, since: i64) -> StoreFuture<'_, Vec<InstanceBeat>> {
        self.with(|s| {
            s.instances.retain(|_, i| i.heartbeat_at >= since);
            let mut all: Vec<InstanceBeat> = s.instances.values().cloned().collect();
            all.sort_by(|a, b| (b.heartbeat_at, &a.id).cmp(&(a.heartbeat_at, &b.id)));
            all
        })
    }

    fn create_session(&self, session: &SessionRecord) -> StoreFuture<'_, ()> {
        self.with(|s| {
            s.sessions
                .insert(session.token_sha256.clone(), session.clone());
        })
    }

    fn session(&self, token_sha256: &str, now: i64) -> StoreFuture<'_, Option<SessionRecord>> {
        self.with(|s| {
            s.sessions
                .get(token_sha256)
                .filter(|session| session.expires_at > now)
                .cloned()
        })
    }

    fn end_session(&self, token_sha256: &str) -> StoreFuture<'_, bool> {
        self.with(|s| s.sessions.remove(token_sha256).is_some())
    }

    fn purge_sessions(&self, now: i64) -> StoreFuture<'_, u64> {
        self.with(|s| {
            let before = s.sessions.len();
            s.sessions.retain(|_, session| session.expires_at > now);
            (before - s.sessions.len()) as u64
        })
    }
}

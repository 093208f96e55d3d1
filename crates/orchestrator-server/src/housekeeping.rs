//! The background chores of a server instance: the retention sweep, the
//! heartbeat that keeps this instance's leases, and the reaper that takes
//! back the leases of instances that died.

use std::sync::Arc;
use std::time::Duration;

use orchestrator::clock::Clock;
use tokio::sync::Notify;

use crate::hub::Hub;
use crate::store::{Change, ChangeFeed, TaskStore};
use crate::timestamps::{duration_ms, millis};
use crate::worker::WorkerContext;

/// How many finished tasks one statement of the sweep deletes: small enough
/// that a sweep of a million rows never holds the database for long.
const SWEEP_BATCH: u32 = 1_000;

/// Deletes finished tasks older than `task_ttl`, in batches with a pause
/// between them so requests keep flowing, then the idempotency keys that
/// have outlived both their task and `key_ttl`. Runs at start and then
/// every `every`.
pub(crate) async fn sweep(
    store: Arc<dyn TaskStore>,
    clock: Arc<dyn Clock>,
    every: Duration,
    task_ttl: Duration,
    key_ttl: Duration,
) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(10)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = millis(&*clock);
        let before = now.saturating_sub(duration_ms(task_ttl));
        let mut deleted = 0u64;
        loop {
            match store.delete_finished(before, SWEEP_BATCH).await {
                Ok(n) => {
                    deleted += n;
                    if n < u64::from(SWEEP_BATCH) {
                        break;
                    }
                    // Let waiting requests at the database in between.
                    tokio::task::yield_now().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retention sweep failed; trying again later");
                    break;
                }
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, "deleted finished tasks past their time to live");
        }
        match store
            .purge_idempotency_keys(now.saturating_sub(duration_ms(key_ttl)))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "forgot expired idempotency keys"),
            Err(e) => tracing::warn!(error = %e, "could not purge idempotency keys"),
        }
    }
}

/// Renews the leases of the runs in progress here, a third of a lease
/// apart; a run whose task this instance no longer owns is told to stop.
pub(crate) async fn heartbeat(ctx: Arc<WorkerContext>) {
    let every = (ctx.lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        let runs = ctx.active.runs();
        if runs.is_empty() {
            continue;
        }
        match ctx
            .store
            .heartbeat(&ctx.instance, &runs, ctx.lease, millis(&*ctx.clock))
            .await
        {
            Ok(lost) => {
                for run in lost {
                    tracing::warn!(task = %run.id, attempt = run.attempt, "lease lost; the run stops at its next checkpoint");
                    ctx.active.lost(&run);
                }
            }
            Err(e) => {
                ctx.metrics.store_error("heartbeat");
                tracing::warn!(error = %e, "heartbeat failed; leases may lapse");
            }
        }
    }
}

/// Takes back the tasks of runs whose lease expired (their instance died
/// or stalled): every instance does it, a few at a time, with jitter so
/// instances do not all look at once.
pub(crate) async fn reap(ctx: Arc<WorkerContext>, max_attempts: u32) {
    let base = (ctx.lease / 6).max(Duration::from_millis(100));
    loop {
        let jitter = base.mul_f64(fastrand::f64() * 0.5);
        tokio::time::sleep(base + jitter).await;
        match ctx
            .store
            .reap_expired(max_attempts, 100, millis(&*ctx.clock))
            .await
        {
            Ok(reaped) => {
                for id in reaped.requeued.iter().chain(&reaped.failed) {
                    ctx.hub.notify(id);
                }
                if !reaped.requeued.is_empty() {
                    tracing::warn!(tasks = ?reaped.requeued, "took back tasks whose lease expired");
                    ctx.queued.notify_waiters();
                }
                if !reaped.failed.is_empty() {
                    tracing::warn!(tasks = ?reaped.failed, "tasks failed: their worker was lost too many times");
                }
            }
            Err(e) => {
                ctx.metrics.store_error("reap");
                tracing::warn!(error = %e, "could not reap expired leases");
            }
        }
    }
}

/// Turns other instances' changes into wake-ups here: held long polls on a
/// task that changed, and idle workers when a task was queued.
pub(crate) async fn follow_changes(mut feed: ChangeFeed, hub: Arc<Hub>, queued: Arc<Notify>) {
    while let Some(change) = feed.recv().await {
        match change {
            Change::Task(id) => hub.notify(&id),
            Change::Queue => queued.notify_waiters(),
            Change::Resync => {
                hub.notify_all();
                queued.notify_waiters();
            }
        }
    }
}

//! Leases: the heartbeat that keeps this instance's runs' leases, and the
//! reaper that takes back the tasks of runs whose lease expired (their
//! instance died or stalled).

use std::sync::Arc;
use std::time::Duration;

use crate::timestamps::millis;
use crate::worker::WorkerContext;

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
            .lifecycle
            .heartbeat(&ctx.instance, &runs, ctx.lease, millis(&*ctx.clock))
            .await
        {
            Ok(lost) => {
                for run in lost {
                    tracing::warn!(task = %run.id, attempt = run.attempt, "lease lost; the run stops at its next checkpoint");
                    ctx.active.lost(&run);
                }
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat failed; leases may lapse"),
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
            .lifecycle
            .reap_expired(max_attempts, 100, millis(&*ctx.clock))
            .await
        {
            Ok(reaped) => {
                if !reaped.requeued.is_empty() {
                    tracing::warn!(tasks = ?reaped.requeued, "took back tasks whose lease expired");
                }
                if !reaped.failed.is_empty() {
                    tracing::warn!(tasks = ?reaped.failed, "tasks failed: their worker was lost too many times");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not reap expired leases"),
        }
    }
}

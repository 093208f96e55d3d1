//! The retention sweep: finished tasks are deleted once they are older than
//! their time to live, a batch at a time, and then the idempotency keys
//! that outlived their task and the console sessions that expired.

use std::sync::Arc;
use std::time::Duration;

use orchestrator::clock::Clock;

use crate::lifecycle::Lifecycle;
use crate::timestamps::{duration_ms, millis};

/// How many finished tasks one statement of the sweep deletes: small enough
/// that a sweep of a million rows never holds the database for long.
const SWEEP_BATCH: u32 = 1_000;

/// Deletes finished tasks older than `task_ttl`, in batches with a pause
/// between them so requests keep flowing, then the idempotency keys that
/// have outlived both their task and `key_ttl`. Runs at start and then
/// every `every`.
pub(crate) async fn sweep(
    tasks: Arc<Lifecycle>,
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
            match tasks.delete_finished(before, SWEEP_BATCH).await {
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
        match tasks
            .purge_idempotency_keys(now.saturating_sub(duration_ms(key_ttl)))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "forgot expired idempotency keys"),
            Err(e) => tracing::warn!(error = %e, "could not purge idempotency keys"),
        }
        match tasks.store().purge_sessions(now).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(purged = n, "forgot expired console sessions"),
            Err(e) => tracing::warn!(error = %e, "could not purge console sessions"),
        }
    }
}

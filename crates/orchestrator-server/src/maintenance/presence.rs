//! Presence: this instance records that it is alive — its id, its workers,
//! when it started — every few seconds, for the console's overview of the
//! instances serving the database. Instances not heard from for an hour are
//! forgotten when the overview is read.

use std::sync::Arc;
use std::time::Duration;

use orchestrator::clock::Clock;

use crate::lifecycle::Lifecycle;
use crate::store::InstanceBeat;
use crate::timestamps::millis;

/// How often an instance says it is alive; one silent for three of these
/// is shown as gone.
pub(crate) const PRESENCE_EVERY: Duration = Duration::from_secs(5);
/// An instance not heard from for this long is forgotten.
pub(crate) const INSTANCE_FORGOTTEN_AFTER: Duration = Duration::from_secs(3600);

/// Records `instance` as alive at start and every [`PRESENCE_EVERY`].
pub(crate) async fn announce(
    lifecycle: Arc<Lifecycle>,
    clock: Arc<dyn Clock>,
    instance: String,
    workers: usize,
) {
    let started_at = millis(&*clock);
    let mut ticks = tokio::time::interval(PRESENCE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let beat = InstanceBeat {
            id: instance.clone(),
            workers: u32::try_from(workers).unwrap_or(u32::MAX),
            started_at,
            heartbeat_at: millis(&*clock),
        };
        if let Err(e) = lifecycle.store().record_instance(&beat).await {
            tracing::debug!(error = %e, "could not record this instance as alive");
        }
    }
}

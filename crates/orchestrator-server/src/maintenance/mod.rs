//! The background services of a server instance, one file each: the
//! retention sweep, the leases (heartbeat and reaper) and the instance's
//! presence.

mod leases;
mod presence;
mod retention;

pub(crate) use leases::{heartbeat, reap};
pub(crate) use presence::{INSTANCE_FORGOTTEN_AFTER, PRESENCE_EVERY, announce};
pub(crate) use retention::sweep;

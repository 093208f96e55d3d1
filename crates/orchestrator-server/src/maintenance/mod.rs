//! The background services of a server instance, one file each: the
//! retention sweep and the leases (heartbeat and reaper).

mod leases;
mod retention;

pub(crate) use leases::{heartbeat, reap};
pub(crate) use retention::sweep;

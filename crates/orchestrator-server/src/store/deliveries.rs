//! Webhook deliveries as the store keeps them: one per terminal event of a
//! task that names a webhook, made in the transaction that logged the
//! event, leased by the instance sending it, and recorded after each try.

use super::TaskRecord;

/// A delivery due now, leased to the caller, with its task as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The terminal event it delivers: the `webhook-id`.
    pub event_id: i64,
    /// The task's tenant (whose secrets sign it).
    pub tenant: String,
    /// `completed`, `failed` or `cancelled`.
    pub kind: String,
    /// Where it goes.
    pub url: String,
    /// When the event happened, in milliseconds since the Unix epoch.
    pub at: i64,
    /// Tries made before this one.
    pub attempts: u32,
    /// The task.
    pub task: TaskRecord,
}

/// What to lease.
#[derive(Debug, Clone)]
pub struct DeliveryClaim {
    /// This instance, which the lease names.
    pub instance: String,
    /// Now, in milliseconds since the Unix epoch.
    pub now: i64,
    /// When the lease runs out if this instance never reports back.
    pub lease_until: i64,
    /// The most deliveries to lease.
    pub limit: u32,
}

/// How one try ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    /// `2xx`: done.
    Delivered,
    /// Anything else: try again at `next_at`.
    Retry {
        /// When, in milliseconds since the Unix epoch.
        next_at: i64,
    },
    /// The schedule is spent: no more tries.
    GaveUp,
    /// `410 Gone`: the receiver asked for no more.
    Stopped,
}

impl DeliveryResult {
    /// The state the delivery is left in.
    pub fn state(&self) -> &'static str {
        match self {
            DeliveryResult::Delivered => "delivered",
            DeliveryResult::Retry { .. } => "pending",
            DeliveryResult::GaveUp => "failed",
            DeliveryResult::Stopped => "stopped",
        }
    }
}

/// A try's report, fenced on the lease.
#[derive(Debug, Clone)]
pub struct DeliveryReport {
    /// The delivery.
    pub event_id: i64,
    /// The instance that held the lease; a report from another is ignored.
    pub instance: String,
    /// Tries made, this one included.
    pub attempts: u32,
    /// How it ended.
    pub result: DeliveryResult,
    /// What went wrong, for anything but `Delivered`.
    pub error: Option<String>,
    /// When the try ended, in milliseconds since the Unix epoch.
    pub now: i64,
}

/// A task's delivery, as its status shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryState {
    /// `pending`, `delivered`, `failed` or `stopped`.
    pub state: String,
    /// Tries made.
    pub attempts: u32,
    /// What the last failed try met.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
    /// When the next try is due, while pending.
    pub next_attempt_at: Option<i64>,
}

/// The columns of a delivery, before its task's, in the backends' claim.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) const DELIVERY_COLUMNS: &str = "d.event_id, d.tenant, d.type, d.url, d.at, d.attempts";

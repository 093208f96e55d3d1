//! Where a task's webhook stands, as its status shows it (`"webhook"`):
//! an extension outside the contract, in the status's extra fields.

use serde::{Deserialize, Serialize};

/// A task's webhook: where its finish is posted and how that went.
///
/// ```
/// use orchestrator::{TaskState, TaskStatus, WebhookDelivery};
///
/// let mut delivery = WebhookDelivery::new("https://hooks.example.com/done");
/// delivery.state = Some("delivered".into());
/// delivery.attempts = 2;
/// let status = TaskStatus::new("task-1", TaskState::Completed).with_webhook(&delivery);
/// assert_eq!(status.webhook(), Some(delivery));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Where the finish is posted.
    pub url: String,
    /// `pending` (being tried), `delivered`, `failed` (the retry schedule
    /// ran out) or `stopped` (the receiver answered `410 Gone`); absent
    /// while the task has not finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Tries made so far.
    #[serde(default)]
    pub attempts: u32,
    /// What the last failed try met (`HTTP 500`, `timed out after 10 s`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When a `2xx` answered it (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// When the next try is due, while pending (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
}

impl WebhookDelivery {
    /// A webhook to `url` with nothing tried yet.
    pub fn new(url: impl Into<String>) -> WebhookDelivery {
        WebhookDelivery {
            url: url.into(),
            state: None,
            attempts: 0,
            last_error: None,
            delivered_at: None,
            next_attempt_at: None,
        }
    }
}

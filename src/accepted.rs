//! What a successful submit returns.

use std::time::Duration;

use url::Url;

use crate::models::{TaskId, TaskStatus};

/// The server's acknowledgement of a submitted task: where to watch it and
/// how long it asked the client to wait before the first look.
///
/// Pass it (or a reference to it) to [`Client::poll`](crate::Client::poll),
/// [`Client::status`](crate::Client::status) or
/// [`Client::cancel`](crate::Client::cancel).
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub(crate) task_id: Option<TaskId>,
    pub(crate) status_url: Url,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) idempotency_key: String,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) http_status: u16,
}

impl Accepted {
    /// The task's id, from the body or the `Location` path.
    pub fn task_id(&self) -> Option<&TaskId> {
        self.task_id.as_ref()
    }

    /// The absolute URL of the task's status resource.
    pub fn status_url(&self) -> &Url {
        &self.status_url
    }

    /// The server's `Retry-After` on the acceptance: the poller waits this
    /// long (capped by `max_retry_after`) before its first request.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The `Idempotency-Key` the submit was sent with; submitting again with
    /// the same key returns the same task instead of creating another.
    pub fn idempotency_key(&self) -> &str {
        &self.idempotency_key
    }

    /// The status in the acceptance body (usually `PENDING`), when it had one.
    pub fn status(&self) -> Option<&TaskStatus> {
        self.status.as_ref()
    }

    /// Whether the server finished the task before answering (a `200`/`201`
    /// carrying `COMPLETED`, `FAILED` or `CANCELLED`): waiting returns at once.
    pub fn is_finished(&self) -> bool {
        self.status.as_ref().is_some_and(TaskStatus::is_terminal)
    }

    /// The HTTP status code of the acceptance (`202`, or `200`/`201`).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }
}

//! What a successful submit returns: the handle to watch the task by (read
//! from the `202` in [`submit`](crate::Submit)).

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use url::Url;

use crate::models::{TaskId, TaskStatus};

/// The server's acknowledgement of a submitted task: where to watch it and
/// how long it asked the client to wait before the first look.
///
/// Pass it (or a reference to it) to [`Client::poll`](crate::Client::poll),
/// [`Client::status`](crate::Client::status) or
/// [`Client::cancel`](crate::Client::cancel).
///
/// Cloning it is cheap (the acceptance is shared, not copied), so a wait
/// started from `&accepted` keeps no second copy of it.
#[derive(Clone, PartialEq)]
pub struct Accepted {
    data: Arc<Acceptance>,
}

/// What the acceptance said, shared by every clone of its [`Accepted`] and
/// by the [`TaskRef`](crate::TaskRef)s and waits made from it.
#[derive(Debug, PartialEq)]
pub(crate) struct Acceptance {
    pub(crate) task_id: Option<TaskId>,
    pub(crate) status_url: Url,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) idempotency_key: String,
    pub(crate) status: Option<KeptStatus>,
    pub(crate) http_status: u16,
    /// When the acceptance arrived, on the client's clock: the start of the
    /// task's progress trend, and what a late first poll subtracts from the
    /// server's `Retry-After`.
    pub(crate) accepted_at: Duration,
    /// Whether `status_url` is the contract's `{base}/v1/tasks/{id}`.
    pub(crate) standard_location: bool,
}

/// The acceptance body's status, kept as its JSON text and decoded when
/// asked for. A program may hold thousands of acceptances while it waits,
/// and a decoded status costs about a kilobyte where the text of
/// `{"task_id": …, "status": "PENDING"}` costs a few dozen bytes — and that
/// usual body, which the acceptance's task id says whole, costs nothing.
pub(crate) struct KeptStatus {
    /// `None`: exactly `{"task_id": <the acceptance's id>, "status": "PENDING"}`.
    json: Option<Box<str>>,
    finished: bool,
    decoded: OnceLock<Option<Box<TaskStatus>>>,
}

impl KeptStatus {
    /// Keeps `status`, decoded from `body`.
    pub(crate) fn new(body: &serde_json::Value, status: &TaskStatus) -> KeptStatus {
        let json = match status.task_id() {
            Some(id) if *body == plain_pending(id) => None,
            _ => Some(body.to_string().into_boxed_str()),
        };
        KeptStatus {
            json,
            finished: status.is_terminal(),
            decoded: OnceLock::new(),
        }
    }

    /// The status, decoded once and kept from then on (for callers of
    /// [`Accepted::status`], who borrow it). `id` is the acceptance's task id.
    fn get(&self, id: Option<&TaskId>) -> Option<&TaskStatus> {
        self.decoded
            .get_or_init(|| self.decode(id).map(Box::new))
            .as_deref()
    }

    /// A fresh copy, without keeping one. The text was written from a body
    /// that decoded, so it decodes again.
    fn decode(&self, id: Option<&TaskId>) -> Option<TaskStatus> {
        if let Some(kept) = self.decoded.get() {
            return kept.as_deref().cloned();
        }
        let body = match (&self.json, id) {
            (Some(json), _) => serde_json::from_str(json).ok()?,
            (None, Some(id)) => plain_pending(id),
            (None, None) => return None,
        };
        TaskStatus::from_json(body).ok()
    }
}

/// The body most acceptances carry.
fn plain_pending(id: &TaskId) -> serde_json::Value {
    serde_json::json!({"task_id": id.as_str(), "status": "PENDING"})
}

/// Two kept statuses are equal when their bodies are.
impl PartialEq for KeptStatus {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json && self.finished == other.finished
    }
}

impl fmt::Debug for KeptStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.json {
            Some(json) => f.write_str(json),
            None => f.write_str(r#"{"task_id": <the task id>, "status": "PENDING"}"#),
        }
    }
}

/// What the acceptance said, field by field: the sharing behind it is not
/// the caller's concern.
impl fmt::Debug for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.data, f)
    }
}

impl Accepted {
    /// The handle for what a submit's answer said.
    pub(crate) fn new(acceptance: Acceptance) -> Accepted {
        Accepted {
            data: Arc::new(acceptance),
        }
    }

    /// The task's id, from the body or the `Location` path.
    pub fn task_id(&self) -> Option<&TaskId> {
        self.data.task_id.as_ref()
    }

    /// The absolute URL of the task's status resource.
    pub fn status_url(&self) -> &Url {
        &self.data.status_url
    }

    /// The server's `Retry-After` on the acceptance: the poller waits this
    /// long (capped by `max_retry_after`) before its first request.
    pub fn retry_after(&self) -> Option<Duration> {
        self.data.retry_after
    }

    /// The `Idempotency-Key` the submit was sent with; submitting again with
    /// the same key returns the same task instead of creating another.
    pub fn idempotency_key(&self) -> &str {
        &self.data.idempotency_key
    }

    /// The status in the acceptance body (usually `PENDING`), when it had one.
    pub fn status(&self) -> Option<&TaskStatus> {
        self.data
            .status
            .as_ref()
            .and_then(|s| s.get(self.task_id()))
    }

    /// A copy of the acceptance body's status, for a wait to report first;
    /// unlike [`status`](Self::status) it leaves no decoded copy behind.
    pub(crate) fn status_copy(&self) -> Option<TaskStatus> {
        self.data
            .status
            .as_ref()
            .and_then(|s| s.decode(self.task_id()))
    }

    /// Whether the acceptance body carried a status.
    pub(crate) fn has_status(&self) -> bool {
        self.data.status.is_some()
    }

    /// Whether the server finished the task before answering (a `200`/`201`
    /// carrying `COMPLETED`, `FAILED` or `CANCELLED`): waiting returns at once.
    pub fn is_finished(&self) -> bool {
        self.data.status.as_ref().is_some_and(|s| s.finished)
    }

    /// Whether the status URL is the contract's `{base}/v1/tasks/{id}`. When
    /// it is not, the id alone does not lead back to the task: resume a wait
    /// from the status URL, or from this handle turned into a serialised
    /// [`TaskRef`](crate::TaskRef).
    pub fn has_standard_location(&self) -> bool {
        self.data.standard_location
    }

    /// The HTTP status code of the acceptance (`202`, or `200`/`201`).
    pub fn http_status(&self) -> u16 {
        self.data.http_status
    }

    /// When the acceptance arrived, on the client's clock.
    pub(crate) fn accepted_at(&self) -> Duration {
        self.data.accepted_at
    }

    /// How long a poller waits before its first request, if the server
    /// said: its `Retry-After`, bounded so an absurd value cannot park the
    /// caller.
    pub(crate) fn first_poll_delay(&self, max_retry_after: Duration) -> Option<Duration> {
        self.data.retry_after.map(|d| d.min(max_retry_after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_status_decodes_to_exactly_what_the_body_said() {
        let body = serde_json::json!({
            "task_id": "t-1",
            "status": "COMPLETED",
            "progress_percent": "45%",
            "result": {"score": 0.1 + 0.2, "big": 12345678901234567_u64},
            "queue": {"name": "gpu", "depth": 3.25}
        });
        let status = TaskStatus::from_json(body.clone()).unwrap();
        let kept = KeptStatus::new(&body, &status);
        let id = status.task_id();
        assert!(kept.finished);
        assert_eq!(kept.decode(id).as_ref(), Some(&status));
        assert_eq!(kept.get(id), Some(&status));
        assert_eq!(kept.get(id).map(TaskStatus::as_json), Some(&body));
        // Once decoded for a borrower, a copy comes from that decoding.
        assert_eq!(kept.decode(id).as_ref(), Some(&status));
    }

    #[test]
    fn the_usual_pending_body_is_kept_as_a_fact_and_any_other_as_text() {
        let id = TaskId::from("t-7");
        let plain = serde_json::json!({"status": "PENDING", "task_id": "t-7"});
        let status = TaskStatus::from_json(plain.clone()).unwrap();
        let kept = KeptStatus::new(&plain, &status);
        assert!(kept.json.is_none());
        assert_eq!(
            kept.decode(Some(&id)).map(TaskStatus::into_json),
            Some(plain)
        );
        // A number for an id, a field more: not the usual body, kept whole.
        for body in [
            serde_json::json!({"task_id": 7, "status": "PENDING"}),
            serde_json::json!({"task_id": "t-7", "status": "PENDING", "queue": "gpu"}),
            serde_json::json!({"task_id": "t-7", "status": "RUNNING"}),
        ] {
            let status = TaskStatus::from_json(body.clone()).unwrap();
            let kept = KeptStatus::new(&body, &status);
            assert!(kept.json.is_some(), "{body}");
            assert_eq!(
                kept.decode(status.task_id()).map(TaskStatus::into_json),
                Some(body)
            );
        }
    }

    #[test]
    fn an_absurd_retry_after_on_acceptance_is_capped() {
        let a = Accepted {
            data: Arc::new(Acceptance {
                task_id: None,
                status_url: Url::parse("http://h/v1/tasks/t").unwrap(),
                retry_after: Some(Duration::MAX),
                idempotency_key: "k".into(),
                status: None,
                http_status: 202,
                accepted_at: Duration::ZERO,
                standard_location: false,
            }),
        };
        assert_eq!(
            a.first_poll_delay(Duration::from_secs(300)),
            Some(Duration::from_secs(300))
        );
    }
}

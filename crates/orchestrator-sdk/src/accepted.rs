//! What a successful submit returns.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::{TaskId, TaskStatus};
use crate::retry_after::retry_after;
use crate::task_ref::{TaskRef, task_id_from_url};
use crate::transport::Reply;

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
/// by the [`TaskRef`]s and waits made from it.
#[derive(Debug, PartialEq)]
struct Acceptance {
    task_id: Option<TaskId>,
    status_url: Url,
    retry_after: Option<Duration>,
    idempotency_key: String,
    status: Option<TaskStatus>,
    http_status: u16,
    /// When the acceptance arrived, on the client's clock: the start of the
    /// task's progress trend, and what a late first poll subtracts from the
    /// server's `Retry-After`.
    accepted_at: Duration,
    /// Whether `status_url` is the contract's `{base}/v1/tasks/{id}`.
    standard_location: bool,
}

/// What the acceptance said, field by field: the sharing behind it is not
/// the caller's concern.
impl fmt::Debug for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.data, f)
    }
}

impl Accepted {
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
        self.data.status.as_ref()
    }

    /// Whether the server finished the task before answering (a `200`/`201`
    /// carrying `COMPLETED`, `FAILED` or `CANCELLED`): waiting returns at once.
    pub fn is_finished(&self) -> bool {
        self.data
            .status
            .as_ref()
            .is_some_and(TaskStatus::is_terminal)
    }

    /// Whether the status URL is the contract's `{base}/v1/tasks/{id}`. When
    /// it is not, the id alone does not lead back to the task: resume a wait
    /// from the status URL, or from this handle turned into a serialised
    /// [`TaskRef`].
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

impl Accepted {
    /// Reads an acceptance (`202`, or `200`/`201`) of the submit sent to
    /// `post_url` with idempotency key `key`.
    pub(crate) fn from_reply(
        client: &Client,
        post_url: &Url,
        reply: &Reply,
        key: String,
    ) -> Result<Accepted> {
        let body: Option<serde_json::Value> = if reply.body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            serde_json::from_slice(&reply.body).ok()
        };
        let status = body
            .as_ref()
            .filter(|v| v.get("status").is_some())
            .map(|v| TaskStatus::from_json(v.clone()))
            .transpose();
        let status = match status {
            Ok(status) => status,
            // A 202 may be lax about its body as long as it says where to look.
            Err(_) if reply.status == StatusCode::ACCEPTED => None,
            Err(e) => return Err(e.context(format!("the {} answer to the submit", reply.status))),
        };
        let body_id = status
            .as_ref()
            .and_then(|s| s.task_id().cloned())
            .or_else(|| {
                body.as_ref()
                    .and_then(|v| v.get("task_id"))
                    .and_then(TaskId::from_json)
                    .filter(|id| !id.as_str().is_empty())
            });

        let location = match reply.headers.get(LOCATION) {
            None => None,
            Some(raw) => {
                let raw = raw.to_str().map_err(|_| {
                    Error::protocol(
                        "the `Location` header of the submit response is not ASCII text",
                    )
                })?;
                // RFC 9110 §10.2.2: a relative Location is resolved against
                // the request's URL (RFC 3986 §5). Absolute paths — the
                // contract's `/v1/tasks/{id}` — replace the base URL's path.
                Some(post_url.join(raw.trim()).map_err(|e| {
                    Error::protocol(format!(
                        "the `Location` header `{raw}` is not a valid URL reference ({e})"
                    ))
                })?)
            }
        };
        let status_url = match (location, &body_id) {
            (Some(url), _) => url,
            (None, Some(id)) => client.task_url(id)?,
            (None, None) => {
                return Err(Error::protocol(format!(
                    "the server answered the submit with {} but sent neither a `Location` header \
                     nor a `task_id`, so there is no way to follow the task",
                    reply.status
                ))
                .with_status(reply.status));
            }
        };
        let task_id = body_id.or_else(|| task_id_from_url(status_url.as_str()));
        let data = Acceptance {
            task_id,
            retry_after: retry_after(&reply.headers, client.inner.clock.now()),
            idempotency_key: key,
            status,
            http_status: reply.status.as_u16(),
            status_url,
            accepted_at: client.inner.clock.elapsed(),
            standard_location: false,
        };
        let accepted = Accepted {
            data: Arc::new(Acceptance {
                standard_location: data
                    .task_id
                    .as_ref()
                    .and_then(|id| client.task_url(id).ok())
                    .is_some_and(|standard| standard == data.status_url),
                ..data
            }),
        };
        if let Err(e) = client
            .inner
            .transport
            .check_origin(accepted.status_url(), "the `Location` of the new task")
        {
            // The task exists now; keep its identity in the error so it is not lost.
            let e = e.context(format!(
                "task {} was created",
                accepted.task_id().map_or("(id unknown)", |id| id.as_str())
            ));
            return Err(e.with_task(TaskRef::from(accepted)));
        }
        if matches!(reply.status, StatusCode::OK | StatusCode::CREATED)
            && accepted.status().is_none()
        {
            tracing::debug!(status = %reply.status, "submit answered without a status body; will poll");
        }
        Ok(accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_and_references_share_the_acceptance_instead_of_copying_it() {
        let client = Client::builder("http://api.example.com/").build().unwrap();
        let post = client
            .endpoint(&["v1", "bots", "b", "actions", "a"])
            .unwrap();
        let reply = Reply {
            status: StatusCode::ACCEPTED,
            headers: Default::default(),
            body: br#"{"task_id": "t-1", "status": "PENDING"}"#.to_vec(),
            elapsed: Duration::ZERO,
            span: tracing::Span::none(),
        };
        let accepted = Accepted::from_reply(&client, &post, &reply, "k".into()).unwrap();
        let status = accepted.status().unwrap();
        let clone = accepted.clone();
        let task = TaskRef::from(&accepted);
        // Thousands of waits started from `&accepted` hold one acceptance.
        assert!(std::ptr::eq(status, clone.status().unwrap()));
        assert!(std::ptr::eq(
            status,
            task.accepted().unwrap().status().unwrap()
        ));
        assert_eq!(clone, accepted);
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

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use reqwest::header::{HeaderMap, HeaderValue};

        fn reply(location: HeaderValue) -> Reply {
            let mut headers = HeaderMap::new();
            headers.insert(LOCATION, location);
            Reply {
                status: StatusCode::ACCEPTED,
                headers,
                body: br#"{"task_id": "t-1", "status": "PENDING"}"#.to_vec(),
                elapsed: Duration::ZERO,
                span: tracing::Span::none(),
            }
        }

        fn location() -> impl Strategy<Value = String> {
            prop_oneof![
                "[ -~]{0,40}",
                "(https?|ftp|file|data|javascript)://[a-z0-9.:@\\[\\]-]{0,20}/[ -~]{0,20}",
                "//[a-z0-9.:@-]{0,20}/v1/tasks/[a-z0-9-]{1,8}",
                "/v1/tasks/[ -~]{0,20}",
                "(\\.\\./){0,6}[ -~]{0,20}",
            ]
        }

        proptest! {
            #[test]
            fn a_location_never_silently_moves_the_task_to_another_origin(raw in location()) {
                let Ok(value) = HeaderValue::from_str(&raw) else { return Ok(()); };
                let client = Client::builder("http://api.example.com:8080/base/").build().unwrap();
                let post = client.endpoint(&["v1", "bots", "b", "actions", "a"]).unwrap();
                match Accepted::from_reply(&client, &post, &reply(value), "k".into()) {
                    Ok(accepted) => prop_assert_eq!(
                        accepted.status_url().origin(),
                        client.base_url().origin(),
                        "Location {:?} resolved to {}", raw, accepted.status_url()
                    ),
                    Err(e) => prop_assert!(
                        matches!(e.kind(), crate::ErrorKind::CrossOrigin | crate::ErrorKind::Protocol),
                        "{e}"
                    ),
                }
            }
        }
    }
}

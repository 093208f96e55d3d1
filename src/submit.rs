//! Submitting a task, safely: one `Idempotency-Key` for every attempt, and
//! retries only where the server cannot have created a task or says it did not.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::accepted::Accepted;
use crate::client::Client;
use crate::delay::Backoff;
use crate::error::{Error, Result};
use crate::models::{TaskId, TaskStatus};
use crate::retry_after::retry_after;
use crate::task_ref::{TaskRef, task_id_from_url};
use crate::transport::{Outgoing, Reply};

/// The header that makes a resubmission return the original task.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A pending submit. Await it to send the request.
///
/// Every attempt carries the same `Idempotency-Key` (a fresh UUID v4 unless
/// you set one). Attempts are repeated only when the connection could not be
/// made, or the server answered `429` or `503` (after its `Retry-After`,
/// capped by `max_retry_after`) — cases where no task was created or the key
/// makes a repeat harmless. A timeout after the request was sent is *not*
/// retried: the error says so, and resubmitting with
/// [`Accepted::idempotency_key`]'s key (or the one you chose) is safe.
#[must_use = "a submit does nothing until it is awaited"]
#[derive(Debug)]
pub struct Submit {
    client: Client,
    bot_id: String,
    action: String,
    body: std::result::Result<Vec<u8>, serde_json::Error>,
    idempotency_key: Option<String>,
}

impl Submit {
    pub(crate) fn new(
        client: Client,
        bot_id: String,
        action: String,
        body: std::result::Result<Vec<u8>, serde_json::Error>,
    ) -> Self {
        Submit {
            client,
            bot_id,
            action,
            body,
            idempotency_key: None,
        }
    }

    /// Sends this `Idempotency-Key` instead of a random one, so that running
    /// the same script twice returns the same task instead of creating two.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use orchestrator::AnalyzeDocument;
    /// let accepted = client
    ///     .analyze_document("bot-abc-123", &AnalyzeDocument::new("https://example.com/q3.pdf"))
    ///     .idempotency_key("nightly-2026-11-28-q3")
    ///     .await?;
    /// assert_eq!(accepted.idempotency_key(), "nightly-2026-11-28-q3");
    /// # Ok(()) }
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    async fn send(self) -> Result<Accepted> {
        let Submit {
            client,
            bot_id,
            action,
            body,
            idempotency_key,
        } = self;
        if bot_id.trim().is_empty() || action.trim().is_empty() {
            return Err(Error::invalid_input(
                "the bot id and the action must not be empty",
            ));
        }
        let body = body.map_err(|e| {
            Error::invalid_input(format!(
                "the request body cannot be serialized as JSON: {e}"
            ))
            .with_source(e)
        })?;
        let key = idempotency_key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let key_header = HeaderValue::from_str(&key).map_err(|_| {
            Error::invalid_input("the idempotency key contains characters not allowed in a header")
        })?;
        let url = client.endpoint(&["v1", "bots", &bot_id, "actions", &action])?;
        let inner = &client.inner;
        let options = &inner.poll_options;
        let mut backoff = Backoff::new(options.min_interval, options.max_interval);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut headers = HeaderMap::new();
            headers.insert(IDEMPOTENCY_KEY, key_header.clone());
            let outgoing = Outgoing {
                headers,
                json_body: Some(body.clone()),
                timeout: None,
            };
            let (error, hint) = match inner.send(Method::POST, &url, outgoing).await {
                Ok(reply) if is_accepted(reply.status) => {
                    return client.accepted_from(&url, &reply, key);
                }
                Ok(reply)
                    if matches!(
                        reply.status,
                        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                    ) =>
                {
                    let hint = retry_after(&reply.headers, inner.clock.now());
                    (client.reply_error(&Method::POST, &url, &reply), hint)
                }
                Ok(reply) => return Err(client.reply_error(&Method::POST, &url, &reply)),
                Err(failure) if failure.connect => (failure.error, None),
                Err(failure) => {
                    return Err(failure.error.context(format!(
                        "the submit may or may not have reached the server; resubmitting with \
                         idempotency key `{key}` is safe"
                    )));
                }
            };
            if attempt > inner.submit_retries {
                return Err(error.context(format!("gave up after {attempt} attempts")));
            }
            let delay = hint
                .map(|h| h.min(options.max_retry_after))
                .unwrap_or_default()
                .max(backoff.next_delay());
            tracing::warn!(attempt, ?delay, error = %error, "submit failed; retrying with the same idempotency key");
            inner.clock.sleep(delay).await;
        }
    }

    fn into_send(self) -> Pin<Box<dyn Future<Output = Result<Accepted>> + Send>> {
        Box::pin(self.send())
    }
}

impl IntoFuture for Submit {
    type Output = Result<Accepted>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Accepted>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        self.into_send()
    }
}

fn is_accepted(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::ACCEPTED | StatusCode::OK | StatusCode::CREATED
    )
}

impl Client {
    /// Reads an acceptance (`202`, or `200`/`201`) into an [`Accepted`].
    fn accepted_from(&self, post_url: &Url, reply: &Reply, key: String) -> Result<Accepted> {
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
            (None, Some(id)) => self.task_url(id)?,
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
        let accepted = Accepted {
            task_id,
            retry_after: retry_after(&reply.headers, self.inner.clock.now()),
            idempotency_key: key,
            status,
            http_status: reply.status.as_u16(),
            status_url,
        };
        if let Err(e) = self
            .inner
            .check_origin(&accepted.status_url, "the `Location` of the new task")
        {
            // The task exists now; keep its identity in the error so it is not lost.
            let e = e.context(format!(
                "task {} was created",
                accepted
                    .task_id
                    .as_ref()
                    .map_or("(id unknown)", |id| id.as_str())
            ));
            return Err(e.with_task(TaskRef::from(accepted)));
        }
        if matches!(reply.status, StatusCode::OK | StatusCode::CREATED) && accepted.status.is_none()
        {
            tracing::debug!(status = %reply.status, "submit answered without a status body; will poll");
        }
        Ok(accepted)
    }
}

/// Bounds how long a caller waits before the first poll when the server's
/// `Retry-After` on the acceptance is absurd.
pub(crate) fn first_delay(accepted: &Accepted, max_retry_after: Duration) -> Duration {
    accepted
        .retry_after
        .unwrap_or_default()
        .min(max_retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_202_200_and_201_are_acceptances() {
        assert!(is_accepted(StatusCode::ACCEPTED));
        assert!(is_accepted(StatusCode::CREATED));
        assert!(is_accepted(StatusCode::OK));
        assert!(!is_accepted(StatusCode::NO_CONTENT));
        assert!(!is_accepted(StatusCode::SEE_OTHER));
    }

    #[test]
    fn an_absurd_retry_after_on_acceptance_is_capped() {
        let a = Accepted {
            task_id: None,
            status_url: Url::parse("http://h/v1/tasks/t").unwrap(),
            retry_after: Some(Duration::MAX),
            idempotency_key: "k".into(),
            status: None,
            http_status: 202,
        };
        assert_eq!(
            first_delay(&a, Duration::from_secs(300)),
            Duration::from_secs(300)
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use reqwest::header::HeaderValue;

        fn reply(location: HeaderValue) -> Reply {
            let mut headers = HeaderMap::new();
            headers.insert(LOCATION, location);
            Reply {
                status: StatusCode::ACCEPTED,
                headers,
                body: br#"{"task_id": "t-1", "status": "PENDING"}"#.to_vec(),
                elapsed: Duration::ZERO,
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
                match client.accepted_from(&post, &reply(value), "k".into()) {
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

//! Submitting a task, safely — one `Idempotency-Key` for every attempt, so
//! that every failure that can pass is retried without ever making a second
//! task — and reading the `202` into an [`Accepted`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use tokio::sync::SemaphorePermit;
use url::Url;

use crate::accepted::{Acceptance, Accepted, KeptStatus};
use crate::backoff::Backoff;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::{LABELS_HEADER, Labels, TaskId, TaskStatus};
use crate::poll::{DelaySource, NextPoll};
use crate::retry_after::retry_after;
use crate::task_ref::{TaskRef, task_id_from_url};
use crate::transport::{Outgoing, Reply, error_for_reply, record_next};
use crate::webhooks::WEBHOOK_HEADER;

/// The header that makes a resubmission return the original task.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A pending submit. Await it to send the request.
///
/// Every attempt carries the same `Idempotency-Key` (a fresh UUID v4 unless
/// you set one), so a repeat can never create a second task: the server
/// answers it with the task the first attempt made, if it made one.
/// Attempts are therefore repeated on every failure that can pass: the
/// connection could not be made or broke after the request was sent (reset,
/// timeout), or the server answered `429`, `500`, `502`, `503` or `504` (a
/// rate limit, a restarting database, a proxy in front of a restarting
/// server). A `Retry-After` is followed (each pause capped by
/// `max_retry_after`, plus a little jitter) for up to the client's
/// `submit_timeout` in all, however many attempts that takes: a rate limit
/// shared by many clients may turn one away several times. Failures without
/// such guidance are retried `submit_retries` times, with backoff. With
/// `submit_retries(0)` nothing is retried, and an error after the request
/// was sent says that resubmitting with [`Accepted::idempotency_key`]'s key
/// (or the one you chose) is safe.
#[must_use = "a submit does nothing until it is awaited"]
#[derive(Debug)]
pub struct Submit {
    client: Client,
    target: Target,
    idempotency_key: Option<String>,
    labels: Labels,
    /// The first label refused, reported when the submit is awaited.
    bad_label: Option<Error>,
    /// Where the server is to post the task's finish.
    webhook: Option<String>,
}

/// What a submit asks for.
#[derive(Debug)]
enum Target {
    /// A new task of `action` on `bot_id`, with this body.
    Action {
        bot_id: String,
        action: String,
        body: std::result::Result<Vec<u8>, serde_json::Error>,
    },
    /// The same work as a finished task, again (`POST …/retry`).
    Retry(TaskRef),
}

impl Submit {
    pub(crate) fn new(
        client: Client,
        bot_id: String,
        action: String,
        body: std::result::Result<Vec<u8>, serde_json::Error>,
    ) -> Self {
        Submit::to(
            client,
            Target::Action {
                bot_id,
                action,
                body,
            },
        )
    }

    pub(crate) fn retry(client: Client, task: TaskRef) -> Self {
        Submit::to(client, Target::Retry(task))
    }

    fn to(client: Client, target: Target) -> Self {
        Submit {
            client,
            target,
            idempotency_key: None,
            labels: Labels::new(),
            bad_label: None,
            webhook: None,
        }
    }

    /// Attaches a label (`key=value`) to the task, to find it again with
    /// [`Client::list`] and [`TaskFilter::label`](crate::TaskFilter::label).
    /// A key is 1 to 63 of `a-z 0-9 _ . -`, a value up to 255 characters of
    /// any text; at most 16 labels. A label outside those rules fails the
    /// submit when it is awaited, before anything is sent
    /// ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)).
    /// Labels travel in the `Task-Labels` header, so a server that does not
    /// keep them still accepts the submit. A retry keeps the original's
    /// labels and takes none of its own.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use orchestrator::AnalyzeDocument;
    /// let accepted = client
    ///     .analyze_document("bot-abc-123", &AnalyzeDocument::new("https://example.com/q3.pdf"))
    ///     .label("run", "42")
    ///     .label("quarter", "Q3 2026")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        if let Err(e) = self.labels.insert(key, value)
            && self.bad_label.is_none()
        {
            self.bad_label = Some(Error::invalid_input(e.to_string()));
        }
        self
    }

    /// Attaches every label of `labels` (see [`label`](Self::label)).
    pub fn labels(mut self, labels: &Labels) -> Self {
        for (k, v) in labels.iter() {
            self = self.label(k, v);
        }
        self
    }

    /// Asks the server to post the task's finish (`task.completed`,
    /// `task.failed` or `task.cancelled`) to `url`, signed as
    /// [`webhooks`](crate::webhooks) describes. It travels in the
    /// `Task-Webhook` header, outside the action's body; the server refuses
    /// a URL it may not reach (a private address, say) with `400`. A URL
    /// that is not absolute `http`/`https` fails the submit when it is
    /// awaited, before anything is sent. A retry keeps the original's
    /// webhook and takes none of its own.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use orchestrator::AnalyzeDocument;
    /// let accepted = client
    ///     .analyze_document("bot-abc-123", &AnalyzeDocument::new("https://example.com/q3.pdf"))
    ///     .webhook("https://hooks.example.com/orchestrator")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook = Some(url.into());
        self
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

    async fn send(mut self) -> Result<Accepted> {
        if let Some(e) = self.bad_label.take() {
            return Err(e);
        }
        // Thousands of submits started at once wait for a slot here as
        // little more than their arguments; the request, and the room to
        // send it, come after.
        let client = self.client.clone();
        let slot = client.inner.submit_slots.acquire().await.ok();
        Box::pin(self.send_from(slot)).await
    }

    /// Sends the submit, on `first_slot` for the first attempt, retrying
    /// as the client allows.
    async fn send_from(self, mut first_slot: Option<SemaphorePermit<'_>>) -> Result<Accepted> {
        let Submit {
            client,
            target,
            idempotency_key,
            labels,
            // Reported by `send`, before a slot was taken.
            bad_label: _,
            webhook,
        } = self;
        let webhook_header = webhook.as_deref().map(webhook_value).transpose()?;
        let (url, body) = match target {
            Target::Action {
                bot_id,
                action,
                body,
            } => (
                action_url(&client, &bot_id, &action)?,
                Some(body.map_err(|e| {
                    Error::invalid_input(format!(
                        "the request body cannot be serialized as JSON: {e}"
                    ))
                    .with_source(e)
                })?),
            ),
            Target::Retry(task) => {
                if !labels.is_empty() {
                    return Err(Error::invalid_input(
                        "a retry keeps the labels of the task it retries; it takes none of its own",
                    ));
                }
                if webhook_header.is_some() {
                    return Err(Error::invalid_input(
                        "a retry keeps the webhook of the task it retries; it takes none of its own",
                    ));
                }
                let mut url = client.status_url(&task)?;
                url.path_segments_mut()
                    .map_err(|()| Error::invalid_input("the status URL cannot have a path"))?
                    .push("retry");
                (url, None)
            }
        };
        let labels_header = if labels.is_empty() {
            None
        } else {
            Some(
                HeaderValue::from_str(&labels.to_header_value())
                    .map_err(|_| Error::invalid_input("the labels cannot be sent in a header"))?,
            )
        };
        let key = idempotency_key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let key_header = HeaderValue::from_str(&key).map_err(|_| {
            Error::invalid_input("the idempotency key contains characters not allowed in a header")
        })?;
        let inner = &client.inner;
        let transport = &inner.transport;
        let options = &inner.poll_options;
        let mut backoff = Backoff::doubling();
        let started = inner.clock.elapsed();
        let (mut attempt, mut unguided) = (0u32, 0u32);
        loop {
            attempt += 1;
            // A slot for the request's time on the wire only: not while it
            // waits to be retried. (The semaphore is never closed.)
            let slot = match first_slot.take() {
                Some(slot) => Some(slot),
                None => inner.submit_slots.acquire().await.ok(),
            };
            let mut headers = HeaderMap::new();
            headers.insert(IDEMPOTENCY_KEY, key_header.clone());
            if let Some(labels) = &labels_header {
                headers.insert(LABELS_HEADER, labels.clone());
            }
            if let Some(webhook) = &webhook_header {
                headers.insert(WEBHOOK_HEADER, webhook.clone());
            }
            let outgoing = Outgoing {
                headers,
                json_body: body.clone(),
                timeout: None,
                resend_count: attempt - 1,
            };
            let sent = transport.send(Method::POST, &url, outgoing).await;
            drop(slot);
            let (error, hint, span) = match sent {
                Ok(reply) if is_accepted(reply.status) => {
                    return read_acceptance(&client, &url, &reply, key);
                }
                Ok(reply) if is_worth_repeating(reply.status) => {
                    let hint = retry_after(&reply.headers, inner.clock.now());
                    (
                        error_for_reply(&Method::POST, &url, &reply),
                        hint,
                        reply.span,
                    )
                }
                Ok(reply) if body.is_none() => return Err(retry_refused(&url, &reply)),
                Ok(reply) => return Err(error_for_reply(&Method::POST, &url, &reply)),
                // A certificate problem (and any failure that cannot pass)
                // does not heal by repeating.
                Err(failure) if !failure.error.is_transient() => return Err(failure.error),
                Err(failure) if failure.connect => (failure.error, None, failure.span),
                // Sent, then lost (reset, timed out): the key makes a repeat
                // harmless, and says so if the repeats run out.
                Err(failure) => (
                    failure.error.context(format!(
                        "the submit may or may not have reached the server; resubmitting with \
                         idempotency key `{key}` is safe"
                    )),
                    None,
                    failure.span,
                ),
            };
            if inner.submit_retries == 0 {
                return Err(error);
            }
            let delay = match hint {
                // The server said when to come back (a rate limit, a full
                // queue): follow it for as long as `max_retry_after` allows
                // in all, with a little jitter so clients turned away
                // together do not all return together.
                Some(hint) => {
                    let spent = inner.clock.elapsed().saturating_sub(started);
                    let hint = hint.min(options.max_retry_after);
                    // `Retry-After: 0` must not turn into a busy loop.
                    let delay = (hint + jitter(hint)).max(options.min_interval);
                    if spent + delay > inner.submit_timeout {
                        return Err(error.context(format!(
                            "gave up after {attempt} attempts over {spent:?}; the server kept \
                             asking to come back later"
                        )));
                    }
                    delay
                }
                None => {
                    unguided += 1;
                    if unguided > inner.submit_retries {
                        return Err(error.context(format!("gave up after {attempt} attempts")));
                    }
                    backoff.next_delay(options.min_interval, options.max_interval)
                }
            };
            let source = if hint.is_some() {
                DelaySource::RetryAfter
            } else {
                DelaySource::Backoff
            };
            record_next(&span, Some(NextPoll { delay, source }));
            // One warning per submit; its further retries are for `debug`.
            if attempt == 1 {
                tracing::warn!(?delay, error = %error, "submit failed; retrying with the same idempotency key");
            } else {
                tracing::debug!(attempt, ?delay, error = %error, "submit failed again; retrying");
            }
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

/// `{base}/v1/bots/{bot_id}/actions/{action}`, once both names are checked.
fn action_url(client: &Client, bot_id: &str, action: &str) -> Result<Url> {
    if bot_id.trim().is_empty() || action.trim().is_empty() {
        return Err(Error::invalid_input(
            "the bot id and the action must not be empty",
        ));
    }
    // A bot id or an action is one name: `/` in one is a mistake (a
    // status URL pasted as a bot id, say), and nothing is sent.
    if let Some(bad) = [bot_id, action]
        .into_iter()
        .find(|s| s.contains('/') || matches!(s.trim(), "." | ".."))
    {
        return Err(Error::invalid_input(format!(
            "`{bad}` is not a bot id or an action name (no `/`, not `.` or `..`)"
        )));
    }
    client.endpoint(&["v1", "bots", bot_id, "actions", action])
}

/// Why a retry was refused: `409` (the task has not failed), `404`, or a
/// server without retries (`405`, `501`).
fn retry_refused(url: &Url, reply: &Reply) -> Error {
    let error = error_for_reply(&Method::POST, url, reply);
    match reply.status {
        StatusCode::CONFLICT => error.context("only a FAILED or CANCELLED task can be retried"),
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED => {
            Error::unsupported("this server does not support retrying tasks").with_source(error)
        }
        _ => error,
    }
}

/// Up to a quarter of `delay` (at most a second), at random.
fn jitter(delay: Duration) -> Duration {
    (delay / 4)
        .min(Duration::from_secs(1))
        .mul_f64(fastrand::f64())
}

/// Reads an acceptance (`202`, or `200`/`201`) of the submit sent to
/// `post_url` with idempotency key `key`.
fn read_acceptance(
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
        .map(|v| TaskStatus::from_json(v.clone()).map(|s| (KeptStatus::new(v, &s), s)))
        .transpose();
    let status = match status {
        Ok(status) => status,
        // A 202 may be lax about its body as long as it says where to look.
        Err(_) if reply.status == StatusCode::ACCEPTED => None,
        Err(e) => return Err(e.context(format!("the {} answer to the submit", reply.status))),
    };
    let body_id = status
        .as_ref()
        .and_then(|(_, s)| s.task_id().cloned())
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
                Error::protocol("the `Location` header of the submit response is not ASCII text")
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
        status: status.map(|(kept, _)| kept),
        http_status: reply.status.as_u16(),
        status_url,
        accepted_at: client.inner.clock.elapsed(),
        standard_location: false,
    };
    let accepted = Accepted::new(Acceptance {
        standard_location: data
            .task_id
            .as_ref()
            .and_then(|id| client.task_url(id).ok())
            .is_some_and(|standard| standard == data.status_url),
        ..data
    });
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
    client.inner.hubs.note_links(&reply.headers);
    if matches!(reply.status, StatusCode::OK | StatusCode::CREATED) && !accepted.has_status() {
        tracing::debug!(status = %reply.status, "submit answered without a status body; will poll");
    }
    Ok(accepted)
}

/// The answers to a submit that can pass and that a repeat with the same
/// key cannot make worse: a rate limit, and a server or gateway failing for
/// the moment.
fn is_worth_repeating(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

fn is_accepted(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::ACCEPTED | StatusCode::OK | StatusCode::CREATED
    )
}

/// A webhook URL as the `Task-Webhook` header carries it: absolute
/// `http` or `https` with a host.
fn webhook_value(url: &str) -> Result<HeaderValue> {
    let parsed = Url::parse(url.trim()).map_err(|e| {
        Error::invalid_input(format!("the webhook `{url}` is not an absolute URL ({e})"))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid_input(format!(
            "the webhook `{url}` is not an http or https URL with a host"
        )));
    }
    HeaderValue::from_str(parsed.as_str())
        .map_err(|_| Error::invalid_input("the webhook URL cannot be sent in a header"))
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
    fn clones_and_references_share_the_acceptance_instead_of_copying_it() {
        let client = Client::builder("http://api.example.com/").build().unwrap();
        let post = client
            .endpoint(&["v1", "bots", "b", "actions", "a"])
            .unwrap();
        let reply = Reply {
            status: StatusCode::ACCEPTED,
            headers: Default::default(),
            body: hyper::body::Bytes::from_static(br#"{"task_id": "t-1", "status": "PENDING"}"#),
            elapsed: Duration::ZERO,
            credentials_sent: false,
            span: tracing::Span::none(),
        };
        let accepted = read_acceptance(&client, &post, &reply, "k".into()).unwrap();
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
                body: hyper::body::Bytes::from_static(
                    br#"{"task_id": "t-1", "status": "PENDING"}"#,
                ),
                elapsed: Duration::ZERO,
                credentials_sent: false,
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
                match read_acceptance(&client, &post, &reply(value), "k".into()) {
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

//! Submitting a task, safely: one `Idempotency-Key` for every attempt, and
//! retries only where the server cannot have created a task or says it did not.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::accepted::Accepted;
use crate::client::Client;
use crate::delay::{Backoff, DelaySource, NextPoll};
use crate::error::{Error, Result};
use crate::retry_after::retry_after;
use crate::transport::{Outgoing, record_next};

/// The header that makes a resubmission return the original task.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A pending submit. Await it to send the request.
///
/// Every attempt carries the same `Idempotency-Key` (a fresh UUID v4 unless
/// you set one). Attempts are repeated only when the connection could not be
/// made, or the server answered `429` or `503` — cases where no task was
/// created or the key makes a repeat harmless. A `429`/`503` with a
/// `Retry-After` is followed (each pause capped by `max_retry_after`, plus
/// a little jitter) for up to the client's `submit_timeout` in all, however
/// many attempts that takes: a rate limit shared by many clients may turn
/// one away several times. Failures without such guidance are retried
/// `submit_retries` times, with backoff. With `submit_retries(0)` nothing is
/// retried. A timeout after the request was sent is *not*
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
        let transport = &inner.transport;
        let options = &inner.poll_options;
        let mut backoff = Backoff::new(options.min_interval, options.max_interval);
        let started = inner.clock.elapsed();
        let (mut attempt, mut unguided) = (0u32, 0u32);
        loop {
            attempt += 1;
            let mut headers = HeaderMap::new();
            headers.insert(IDEMPOTENCY_KEY, key_header.clone());
            let outgoing = Outgoing {
                headers,
                json_body: Some(body.clone()),
                timeout: None,
                resend_count: attempt - 1,
            };
            // A slot for the request's time on the wire only: not while it
            // waits to be retried. (The semaphore is never closed.)
            let slot = inner.submit_slots.acquire().await.ok();
            let sent = transport.send(Method::POST, &url, outgoing).await;
            drop(slot);
            let (error, hint, span) = match sent {
                Ok(reply) if is_accepted(reply.status) => {
                    return Accepted::from_reply(&client, &url, &reply, key);
                }
                Ok(reply)
                    if matches!(
                        reply.status,
                        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                    ) =>
                {
                    let hint = retry_after(&reply.headers, inner.clock.now());
                    (
                        client.reply_error(&Method::POST, &url, &reply),
                        hint,
                        reply.span,
                    )
                }
                Ok(reply) => return Err(client.reply_error(&Method::POST, &url, &reply)),
                Err(failure) if failure.connect => (failure.error, None, failure.span),
                Err(failure) => {
                    return Err(failure.error.context(format!(
                        "the submit may or may not have reached the server; resubmitting with \
                         idempotency key `{key}` is safe"
                    )));
                }
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
                    backoff.next_delay()
                }
            };
            let source = if hint.is_some() {
                DelaySource::RetryAfter
            } else {
                DelaySource::Backoff
            };
            record_next(&span, Some(NextPoll { delay, source }));
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

/// Up to a quarter of `delay` (at most a second), at random.
fn jitter(delay: Duration) -> Duration {
    (delay / 4)
        .min(Duration::from_secs(1))
        .mul_f64(fastrand::f64())
}

fn is_accepted(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::ACCEPTED | StatusCode::OK | StatusCode::CREATED
    )
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
}

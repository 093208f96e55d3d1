//! One followed stream: its connection, its parser and its position. It
//! reconnects after a dropped connection with `Last-Event-ID`, so that
//! nothing is lost or repeated while the server keeps the events, and
//! classifies refusals as every other request's are. It holds the
//! client's transport, not the client, so that the stream the client's
//! waits share can be followed by a part the client owns.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use super::sse;
use crate::error::{Error, ErrorKind, Result};
use crate::models::{StreamEvent, TaskEvent};
use crate::transport::{Reply, Transport, absent, error_for_reply, redacted, transport_error};

/// A stream sends a comment at least every 15 s; this long without a byte
/// means the connection is dead, and the stream reconnects.
const IDLE: Duration = Duration::from_secs(45);
/// Connection attempts in a row that may fail before the stream gives up.
const MAX_FAILURES: u32 = 8;
/// The longest pause between attempts.
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// What a stream's connection brings: an event, or the position the
/// server started it at (before any event came).
pub(crate) enum Delivery {
    Event(StreamEvent),
    /// The stream is open and will carry every event after the position
    /// it was given.
    Positioned,
}

/// A stream's position and connection.
pub(crate) struct Follow {
    transport: Arc<Transport>,
    url: Url,
    /// The last event id seen: where a reconnect resumes.
    last_id: Option<u64>,
    body: Option<reqwest::Response>,
    parser: sse::Parser,
    queue: VecDeque<Result<Delivery>>,
    /// One task's stream, which ends after its terminal event.
    one_task: bool,
    done: bool,
    failures: u32,
    /// Connections in a row that the server ended within a second: a
    /// server that closes every stream at once is not asked again at once.
    quick_ends: u32,
    opened_at: Option<std::time::Instant>,
}

impl Follow {
    pub(crate) fn new(
        transport: Arc<Transport>,
        url: Url,
        after: Option<u64>,
        one_task: bool,
    ) -> Follow {
        Follow {
            transport,
            url,
            last_id: after,
            body: None,
            parser: sse::Parser::default(),
            queue: VecDeque::new(),
            one_task,
            done: false,
            failures: 0,
            quick_ends: 0,
            opened_at: None,
        }
    }

    pub(crate) async fn next(&mut self) -> Option<Result<Delivery>> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            let Some(body) = &mut self.body else {
                if self.quick_ends > 0 {
                    tokio::time::sleep(pause_after(self.quick_ends)).await;
                }
                match self.connect().await {
                    Ok(Some(body)) => self.body = Some(body),
                    Ok(None) => self.done = true,
                    Err(e) if e.is_transient() && self.failures < MAX_FAILURES => {
                        self.pause(&e).await;
                    }
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
                continue;
            };
            match tokio::time::timeout(IDLE, body.chunk()).await {
                Ok(Ok(Some(bytes))) => {
                    self.failures = 0;
                    let limit = self.transport.body_limit;
                    match self.parser.feed(&bytes, limit) {
                        Ok(messages) => {
                            for message in messages {
                                self.take(message);
                            }
                        }
                        Err(sse::TooLong) => {
                            self.done = true;
                            return Some(Err(Error::protocol(format!(
                                "an event of the stream at {} is over the {limit}-byte body cap",
                                redacted(&self.url)
                            ))));
                        }
                    }
                }
                // The server ended the stream (it shuts down, or the
                // consumer fell behind): resume.
                Ok(Ok(None)) => {
                    let quick = self
                        .opened_at
                        .is_some_and(|at| at.elapsed() < Duration::from_secs(1));
                    self.quick_ends = if quick { self.quick_ends + 1 } else { 0 };
                    self.reset();
                }
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "the event stream broke; resuming");
                    self.reset();
                    self.failures += 1;
                }
                Err(_) => {
                    tracing::debug!("the event stream went quiet past its keep-alive; resuming");
                    self.reset();
                    self.failures += 1;
                }
            }
        }
    }

    fn reset(&mut self) {
        self.body = None;
        self.parser = sse::Parser::default();
    }

    async fn pause(&mut self, error: &Error) {
        self.failures += 1;
        let pause = pause_after(self.failures);
        tracing::warn!(error = %error, ?pause, "could not reach the event stream; trying again");
        tokio::time::sleep(pause).await;
    }

    /// One message of the stream.
    fn take(&mut self, message: sse::Message) {
        let Some(data) = message.data else {
            // An id alone: where the server started (or moved) the stream.
            if let Some(id) = message.id.as_deref().and_then(|i| i.trim().parse().ok()) {
                self.last_id = Some(id);
                self.queue.push_back(Ok(Delivery::Positioned));
            }
            return;
        };
        match message.event.as_str() {
            "overflow" => {
                // The server cut us off for falling behind; resume where it says.
                if let Some(at) = resume_point(&data) {
                    self.last_id = Some(at);
                }
                self.reset();
            }
            "gap" => {
                let value: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
                let field = |name: &str| value[name].as_u64().unwrap_or(0);
                self.queue.push_back(Ok(Delivery::Event(StreamEvent::Gap {
                    after: field("after"),
                    swept_through: field("swept_through"),
                })));
            }
            kind => {
                let Some(id) = message
                    .id
                    .as_deref()
                    .and_then(|i| i.trim().parse::<u64>().ok())
                else {
                    self.queue.push_back(Err(Error::protocol(format!(
                        "an event (`{kind}`) of the stream has no numeric id"
                    ))));
                    return;
                };
                self.last_id = Some(id);
                match TaskEvent::from_parts(id, kind, &data) {
                    Ok(event) => {
                        if self.one_task && event.kind().is_terminal() {
                            self.done = true;
                            self.body = None;
                        }
                        self.queue
                            .push_back(Ok(Delivery::Event(StreamEvent::Task(Box::new(event)))));
                    }
                    Err(e) => self.queue.push_back(Err(e)),
                }
            }
        }
    }

    /// Opens the stream; `None` when the server says there is nothing more
    /// (`204`). Failures are classified as every other request's are.
    async fn connect(&mut self) -> Result<Option<reqwest::Response>> {
        let transport = &self.transport;
        let mut extra = HeaderMap::new();
        extra.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(id) = self.last_id {
            extra.insert("last-event-id", HeaderValue::from(id));
        }
        let headers = transport.request_headers(&self.url, &extra);
        let shown = redacted(&self.url);
        let sent = transport.http.get(self.url.clone()).headers(headers).send();
        // The answer's head within the request timeout; the body then runs
        // as long as the stream does.
        let response = match tokio::time::timeout(transport.request_timeout, sent).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return Err(transport_error(&Method::GET, &shown, e)),
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::Transport,
                    format!(
                        "no answer to GET {shown} in {:?}",
                        transport.request_timeout
                    ),
                )
                .transient(true));
            }
        };
        let status = response.status();
        let is_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
        match status {
            StatusCode::OK if is_stream => {
                self.failures = 0;
                self.opened_at = Some(std::time::Instant::now());
                return Ok(Some(response));
            }
            StatusCode::NO_CONTENT => return Ok(None),
            _ => {}
        }
        // A task this server does not know is our problem document; a route
        // it does not have is any other 404.
        let unknown_task = self.one_task && is_problem(&response);
        let reply = Reply {
            status,
            headers: response.headers().clone(),
            body: head_of(response).await,
            elapsed: Duration::ZERO,
            credentials_sent: transport.authorization.is_some() && transport.same_origin(&self.url),
            span: tracing::Span::none(),
        };
        let error = error_for_reply(&Method::GET, &shown, &reply);
        if status == StatusCode::OK || (absent(status) && !unknown_task) {
            return Err(Error::unsupported("this server has no event stream").with_source(error));
        }
        Err(error)
    }
}

/// The pause before the next attempt after `n` failed (or cut short) in a row.
fn pause_after(n: u32) -> Duration {
    (Duration::from_millis(125) * 2u32.saturating_pow(n.min(16))).min(MAX_PAUSE)
}

/// The first 8 KiB of a refusal's body, enough for its problem document.
async fn head_of(mut response: reqwest::Response) -> Bytes {
    let mut body = Vec::new();
    while body.len() < 8192 {
        match response.chunk().await {
            Ok(Some(bytes)) => body.extend_from_slice(&bytes),
            _ => break,
        }
    }
    Bytes::from(body)
}

/// Whether an answer is one of our problem documents (a task the server
/// does not know), not a route it does not have.
fn is_problem(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

/// The id an `overflow` event says to resume after.
fn resume_point(data: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(data).ok()?["resume_after"].as_u64()
}

//! Following the event log: `client.events(&filter)` (the tenant's events)
//! and `client.task_events(id)` (one task's, to its end), as `Stream`s that
//! resume by themselves after a dropped connection, with `Last-Event-ID`,
//! so that nothing is lost or repeated while the server keeps the events.
//! An extension of the contract, reported as
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) by a server
//! without it.

mod sse;

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::Stream;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use url::Url;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::models::{StreamEvent, TaskEvent, TaskFilter};

/// A stream sends a comment at least every 15 s; this long without a byte
/// means the connection is dead, and the stream reconnects.
const IDLE: Duration = Duration::from_secs(45);
/// Connection attempts in a row that may fail before the stream gives up.
const MAX_FAILURES: u32 = 8;
/// The longest pause between attempts.
const MAX_PAUSE: Duration = Duration::from_secs(5);

impl Client {
    /// The caller's tenant's events that `filter` selects (its states,
    /// bot, action, labels and task ids; not its times or page size), from
    /// now on, as a `Stream` that runs until dropped. A dropped connection
    /// is resumed after the last event seen; an event the server no longer
    /// keeps is reported as a [`StreamEvent::Gap`]. After 8 failed attempts
    /// in a row to reconnect, the stream yields the error and ends.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use futures_util::StreamExt;
    /// use orchestrator::{StreamEvent, TaskFilter};
    ///
    /// let mut events = std::pin::pin!(client.events(&TaskFilter::new().label("run", "42")));
    /// while let Some(item) = events.next().await {
    ///     if let StreamEvent::Task(event) = item? {
    ///         println!("{} {} {}", event.id(), event.kind(), event.status().state());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events(
        &self,
        filter: &TaskFilter,
    ) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
        self.events_after(filter, None)
    }

    /// As [`events`](Self::events), from after event `after` (`Some(0)`:
    /// every event the server keeps) instead of from now.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) {
    /// let replay = client.events_after(&orchestrator::TaskFilter::new(), Some(0));
    /// # }
    /// ```
    pub fn events_after(
        &self,
        filter: &TaskFilter,
        after: Option<u64>,
    ) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
        let url = self.endpoint(&["v1", "events"]).map(|mut url| {
            let query = filter.to_query();
            url.set_query(Some(&query).filter(|q| !q.is_empty()).map(String::as_str));
            url
        });
        follow(self.clone(), url, after, false)
    }

    /// One task's events: from its current status (its newest event) to
    /// its terminal event, after which the stream ends.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use futures_util::TryStreamExt;
    ///
    /// let events: Vec<_> = client.task_events("task-1").try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn task_events(
        &self,
        task_id: &str,
    ) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
        let url = self.endpoint(&["v1", "tasks", task_id, "events"]);
        follow(self.clone(), url, None, true)
    }
}

fn follow(
    client: Client,
    url: Result<Url>,
    after: Option<u64>,
    one_task: bool,
) -> impl Stream<Item = Result<StreamEvent>> + Send + 'static {
    let state = match url {
        Ok(url) => Follow {
            client,
            url,
            last_id: after,
            body: None,
            parser: sse::Parser::default(),
            queue: VecDeque::new(),
            one_task,
            done: false,
            failures: 0,
        },
        Err(e) => Follow {
            client,
            url: Url::parse("http://invalid./").unwrap_or_else(|_| unreachable!()),
            last_id: None,
            body: None,
            parser: sse::Parser::default(),
            queue: VecDeque::from([Err(e)]),
            one_task,
            done: true,
            failures: 0,
        },
    };
    futures_util::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
}

/// A stream's position and connection.
struct Follow {
    client: Client,
    url: Url,
    /// The last event id seen: where a reconnect resumes.
    last_id: Option<u64>,
    body: Option<reqwest::Response>,
    parser: sse::Parser,
    queue: VecDeque<Result<StreamEvent>>,
    /// One task's stream, which ends after its terminal event.
    one_task: bool,
    done: bool,
    failures: u32,
}

impl Follow {
    async fn next(&mut self) -> Option<Result<StreamEvent>> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            let Some(body) = &mut self.body else {
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
                    let limit = self.client.inner.transport.body_limit;
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
                                crate::transport::redacted(&self.url)
                            ))));
                        }
                    }
                }
                // The server ended the stream (it shuts down, or the
                // consumer fell behind): resume.
                Ok(Ok(None)) => self.reset(),
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
        let pause =
            (Duration::from_millis(125) * 2u32.saturating_pow(self.failures)).min(MAX_PAUSE);
        tracing::warn!(error = %error, ?pause, "could not reach the event stream; trying again");
        tokio::time::sleep(pause).await;
    }

    /// One message of the stream.
    fn take(&mut self, message: sse::Message) {
        match message.event.as_str() {
            "overflow" => {
                // The server cut us off for falling behind; resume where it says.
                if let Some(at) = resume_point(&message.data) {
                    self.last_id = Some(at);
                }
                self.reset();
            }
            "gap" => {
                let value: serde_json::Value =
                    serde_json::from_str(&message.data).unwrap_or_default();
                let field = |name: &str| value[name].as_u64().unwrap_or(0);
                self.queue.push_back(Ok(StreamEvent::Gap {
                    after: field("after"),
                    swept_through: field("swept_through"),
                }));
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
                match TaskEvent::from_parts(id, kind, &message.data) {
                    Ok(event) => {
                        if self.one_task && event.kind().is_terminal() {
                            self.done = true;
                            self.body = None;
                        }
                        self.queue.push_back(Ok(StreamEvent::Task(Box::new(event))));
                    }
                    Err(e) => self.queue.push_back(Err(e)),
                }
            }
        }
    }

    /// Opens the stream; `None` when the server says there is nothing more
    /// (`204`).
    async fn connect(&mut self) -> Result<Option<reqwest::Response>> {
        let transport = &self.client.inner.transport;
        let mut extra = HeaderMap::new();
        extra.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(id) = self.last_id {
            extra.insert("last-event-id", HeaderValue::from(id));
        }
        let headers = transport.request_headers(&self.url, &extra);
        let shown = crate::transport::redacted(&self.url);
        let response = transport
            .http
            .get(self.url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("could not reach the event stream at {shown}"),
                )
                .with_source(e)
                .transient(true)
            })?;
        let status = response.status();
        let is_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
        match status {
            StatusCode::OK if is_stream => {
                self.failures = 0;
                Ok(Some(response))
            }
            StatusCode::NO_CONTENT => Ok(None),
            StatusCode::OK => Err(Error::unsupported(format!(
                "{shown} answered without an event stream: this server has no events"
            ))),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::new(
                ErrorKind::Auth,
                format!("the server refused the credentials for {shown}"),
            )
            .with_status(status)),
            StatusCode::NOT_FOUND if self.one_task && is_problem(&response) => Err(Error::new(
                ErrorKind::NotFound,
                format!("there is no such task ({shown})"),
            )
            .with_status(status)),
            StatusCode::NOT_FOUND
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::NOT_IMPLEMENTED => Err(Error::unsupported(format!(
                "this server has no event stream ({status} from {shown})"
            ))
            .with_status(status)),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => Err(Error::new(
                ErrorKind::Server,
                format!("the event stream at {shown} answered {status}"),
            )
            .with_status(status)
            .transient(true)),
            _ => {
                let detail = detail_of(response).await;
                Err(Error::new(
                    ErrorKind::Rejected,
                    format!("the event stream at {shown} answered {status}{detail}"),
                )
                .with_status(status))
            }
        }
    }
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

/// `: <the problem's detail>` of a refusal, read from at most 8 KiB of
/// its body; empty when it has none.
async fn detail_of(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < 8192 {
        match response.chunk().await {
            Ok(Some(bytes)) => body.extend_from_slice(&bytes),
            _ => break,
        }
    }
    serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(|d| format!(": {d}")))
        .unwrap_or_default()
}

/// The id an `overflow` event says to resume after.
fn resume_point(data: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(data).ok()?["resume_after"].as_u64()
}

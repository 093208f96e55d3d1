//! The client: configuration, and the one-request operations (`status`, `cancel`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use url::Url;

use crate::builder::ClientBuilder;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::events::Hubs;
use crate::models::{AnalyzeDocument, TaskId, TaskStatus};
use crate::poll::{PollOptions, Poller};
use crate::submit::Submit;
use crate::task_ref::{Repr, TaskRef};
use crate::transport::{Outgoing, Transport, decode_status, error_for_reply};

/// A client of the asynchronous task API.
///
/// Cheap to clone (one `Arc`): clone it into every task that needs it rather
/// than wrapping it in another `Arc`. Its `Debug` output never shows the token.
///
/// ```
/// let client = orchestrator::Client::builder("https://api.orchestrator.example.com")
///     .bearer_token("secret-key")
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("secret-key"));
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    /// Shared with the event stream the client's waits follow.
    pub(crate) transport: Arc<Transport>,
    pub(crate) submit_retries: u32,
    pub(crate) submit_timeout: Duration,
    /// One permit per submit request on the wire.
    pub(crate) submit_slots: tokio::sync::Semaphore,
    /// Shared with every wait that keeps them.
    pub(crate) poll_options: Arc<PollOptions>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The stream the client's waits share, when the server has one.
    pub(crate) hubs: Arc<Hubs>,
    /// One permit per status read of a wait on the event stream: thousands
    /// of waits starting together read their statuses a few hundred at a
    /// time, not all at once (on the client and on the server alike).
    pub(crate) read_slots: tokio::sync::Semaphore,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let t = &i.transport;
        f.debug_struct("Client")
            .field("base_url", &t.base_url.as_str())
            .field(
                "bearer_token",
                &t.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("user_agent", &t.user_agent)
            .field("request_timeout", &t.request_timeout)
            .field("body_limit", &t.body_limit)
            .field("follow_cross_origin", &t.follow_cross_origin)
            .field("submit_retries", &i.submit_retries)
            .field("submit_timeout", &i.submit_timeout)
            .field("free_submit_slots", &i.submit_slots.available_permits())
            .field("poll_options", &i.poll_options)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client for the API at `base_url`
    /// (e.g. `https://api.orchestrator.example.com`; a path prefix such as
    /// `https://gateway.example.com/orchestrator/` is kept).
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000").build().unwrap();
    /// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8000/");
    /// ```
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url.into())
    }

    /// Starts configuring a client from the variables `orchestrator-cli`
    /// reads: the base URL from `ORCHESTRATOR_API_URL` (default
    /// `http://127.0.0.1:8000`), the bearer token from
    /// `ORCHESTRATOR_API_KEY`, else `ADMIN_API_KEY` (none when neither is
    /// set; a key file's trailing newline dropped). A variable that is set
    /// but empty makes [`build`](ClientBuilder::build) fail
    /// ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), naming
    /// it) rather than quietly send no token. Other settings chain on as
    /// for [`builder`](Self::builder).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = orchestrator::Client::from_env()
    ///     .request_timeout(Duration::from_secs(10))
    ///     .build();
    /// ```
    pub fn from_env() -> ClientBuilder {
        match crate::from_env::read(|name| std::env::var(name).ok()) {
            Ok(found) => {
                let builder = ClientBuilder::new(found.base_url);
                match found.token {
                    Some(token) => builder.bearer_token(token),
                    None => builder,
                }
            }
            Err(e) => ClientBuilder::new(String::new()).fail_with(e),
        }
    }

    /// The API's base URL (always ending in `/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.transport.base_url
    }

    /// The client's default polling settings.
    pub fn poll_options(&self) -> &PollOptions {
        &self.inner.poll_options
    }

    /// Submits `body` to `POST /v1/bots/{bot_id}/actions/{action}`.
    ///
    /// Returns a [`Submit`]: `.await` it, optionally after setting an
    /// [`idempotency_key`](Submit::idempotency_key). See [`Submit`] for the
    /// retry rules.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// let accepted = client
    ///     .submit("bot-abc-123", "translate", &serde_json::json!({"text": "hallo", "to": "en"}))
    ///     .await?;
    /// println!("watch it at {}", accepted.status_url());
    /// # Ok(()) }
    /// ```
    pub fn submit(
        &self,
        bot_id: impl Into<String>,
        action: impl Into<String>,
        body: &impl serde::Serialize,
    ) -> Submit {
        Submit::new(
            self.clone(),
            bot_id.into(),
            action.into(),
            serde_json::to_vec(body),
        )
    }

    /// Submits an `analyze-document` task.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use orchestrator::AnalyzeDocument;
    ///
    /// let accepted = client
    ///     .analyze_document("bot-abc-123", &AnalyzeDocument::new("https://example.com/large-report.pdf"))
    ///     .await?;
    /// let outcome = client.poll(&accepted).await?;
    /// println!("{:?}", outcome.status().analyze_document_result()?);
    /// # Ok(()) }
    /// ```
    pub fn analyze_document(&self, bot_id: impl Into<String>, request: &AnalyzeDocument) -> Submit {
        self.submit(bot_id, "analyze-document", request)
    }

    /// Waits for a task: a [`Poller`] that is a `Stream` of every status
    /// observed and, when awaited, the final [`Outcome`](crate::Outcome).
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use std::time::Duration;
    ///
    /// let outcome = client.poll("task-123").timeout(Duration::from_secs(600)).await?;
    /// println!("{}", outcome.status().state());
    /// # Ok(()) }
    /// ```
    pub fn poll(&self, task: impl Into<TaskRef>) -> Poller {
        Poller::new(self.clone(), task.into())
    }

    /// Fetches a task's status once (`GET`, no waiting, no retries).
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// let status = client.status("task-123").await?;
    /// println!("{} {:?}", status.state(), status.progress_percent());
    /// # Ok(()) }
    /// ```
    pub async fn status(&self, task: impl Into<TaskRef>) -> Result<TaskStatus> {
        let task = task.into();
        let url = self.status_url(&task)?;
        let reply = self
            .inner
            .transport
            .send(Method::GET, &url, Outgoing::default())
            .await
            .map_err(|f| f.error.with_task(task.clone()))?;
        decode_status(&Method::GET, &url, &task, &reply)
    }

    /// Asks the server to cancel a task (`DELETE` on its status URL).
    ///
    /// Returns the status the server answered with, if it sent one. A task
    /// that does not exist is a [`NotFound`](crate::ErrorKind::NotFound) error; a
    /// server that does not support cancelling (`405`) or a task that has
    /// already finished (`409`) is a [`Rejected`](crate::ErrorKind::Rejected) error
    /// saying so.
    ///
    /// ```no_run
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// client.cancel("task-123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self, task: impl Into<TaskRef>) -> Result<Option<TaskStatus>> {
        let task = task.into();
        let url = self.status_url(&task)?;
        let method = Method::DELETE;
        let reply = self
            .inner
            .transport
            .send(method.clone(), &url, Outgoing::default())
            .await
            .map_err(|f| f.error.with_task(task.clone()))?;
        match reply.status {
            s if s.is_success() => {
                if reply.body_is_blank() {
                    return Ok(None);
                }
                let value: serde_json::Value =
                    serde_json::from_slice(&reply.body).map_err(|e| {
                        Error::protocol(format!("the cancel response is not JSON: {e}"))
                    })?;
                if value.get("status").is_none() {
                    return Ok(None);
                }
                TaskStatus::from_json(value).map(Some)
            }
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED => {
                Err(error_for_reply(&method, &url, &reply)
                    .context("this server does not support cancelling tasks")
                    .with_task(task))
            }
            StatusCode::CONFLICT => Err(error_for_reply(&method, &url, &reply)
                .context(format!(
                    "task `{task}` has already finished and cannot be cancelled"
                ))
                .with_task(task)),
            StatusCode::NOT_FOUND | StatusCode::GONE => Err(error_for_reply(&method, &url, &reply)
                .context(format!("task `{task}` does not exist (or has expired)"))
                .with_task(task)),
            _ => Err(error_for_reply(&method, &url, &reply).with_task(task)),
        }
    }

    /// The absolute status URL of a task, checked against the origin rule.
    pub(crate) fn status_url(&self, task: &TaskRef) -> Result<Url> {
        let url = match task.repr() {
            Repr::Accepted(a) => a.status_url().clone(),
            Repr::Id(id) => self.task_url(id)?,
            Repr::Url(raw, _) => self.inner.transport.base_url.join(raw).map_err(|e| {
                Error::invalid_input(format!("`{raw}` is not a valid status URL: {e}"))
            })?,
        };
        self.inner.transport.check_origin(&url, "the status URL")?;
        Ok(url)
    }

    /// `{base}/v1/tasks/{id}`, with the id percent-encoded as one path segment.
    pub(crate) fn task_url(&self, id: &TaskId) -> Result<Url> {
        if id.as_str().trim().is_empty() {
            return Err(Error::invalid_input("the task id is empty"));
        }
        self.endpoint(&["v1", "tasks", id.as_str()])
    }

    /// The base URL with `segments` appended, each percent-encoded (a `/`
    /// in one becomes `%2F`). An empty segment, `.` or `..` is refused
    /// before anything is sent: the URL would not keep it as one (`..`
    /// climbs out of the API's path).
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Result<Url> {
        if let Some(bad) = segments
            .iter()
            .find(|s| matches!(s.trim(), "" | "." | ".."))
        {
            return Err(Error::invalid_input(format!(
                "`{bad}` cannot name a resource of the API (not empty, `.` or `..`)"
            )));
        }
        let mut url = self.inner.transport.base_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::invalid_input("the base URL cannot have a path"))?;
            path.pop_if_empty();
            path.extend(segments);
        }
        Ok(url)
    }
}

//! The client: configuration, and the one-request operations (`status`, `cancel`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::models::TaskStatus;
use crate::options::PollOptions;
use crate::poller::Poller;
use crate::submit::Submit;
use crate::task_ref::{Repr, TaskRef};
use crate::transport::{Outgoing, Reply, Transport};
use crate::{AnalyzeDocument, TaskId};

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
    pub(crate) transport: Transport,
    pub(crate) submit_retries: u32,
    pub(crate) submit_timeout: Duration,
    pub(crate) poll_options: PollOptions,
    pub(crate) clock: Arc<dyn Clock>,
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
            .field("poll_options", &i.poll_options)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Nothing is checked until [`build`](Self::build),
/// which reports every invalid setting as an error rather than panicking.
///
/// # Default
///
/// | setting | default |
/// |---|---|
/// | bearer token | none |
/// | user agent | `orchestrator/<crate version>` |
/// | request timeout | 30 s (long polls add their wait on top) |
/// | connect timeout | 10 s |
/// | body size cap | 16 MiB |
/// | submit retries | 3 (connection failures, `429`/`503` without `Retry-After`) |
/// | submit timeout | 5 min (how long `429`/`503` with `Retry-After` are followed) |
/// | cross-origin status URLs | refused |
/// | polling | [`PollOptions::default`] |
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ClientBuilder {
    base_url: String,
    bearer_token: Option<String>,
    user_agent: String,
    request_timeout: Duration,
    connect_timeout: Duration,
    http: Option<reqwest::Client>,
    body_limit: usize,
    follow_cross_origin: bool,
    submit_retries: u32,
    submit_timeout: Duration,
    poll_options: PollOptions,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

impl ClientBuilder {
    /// The bearer token sent as `Authorization: Bearer <token>`, only to the
    /// base URL's origin.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .bearer_token(std::env::var("ORCHESTRATOR_API_KEY").unwrap_or_default())
    ///     .build();
    /// ```
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.bearer_token = Some(token).filter(|t| !t.is_empty());
        self
    }

    /// The `User-Agent` header.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .user_agent("nightly-reports/2.1")
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long one request may take, end to end. Long polls get their
    /// server-side wait added on top.
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .request_timeout(Duration::from_secs(10))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long establishing a connection may take. Ignored when an
    /// [`http_client`](Self::http_client) is injected (configure it there).
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .connect_timeout(Duration::from_secs(3))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Uses your own `reqwest::Client` (proxies, custom roots, connection
    /// pool settings). The user agent, timeouts and token are still applied
    /// per request.
    ///
    /// ```
    /// let http = reqwest::Client::builder().pool_max_idle_per_host(4).build().unwrap();
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .http_client(http)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The most bytes any response body may have; a bigger body is a
    /// [`Protocol`](ErrorKind::Protocol) error instead of an out-of-memory.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .max_body_bytes(1024 * 1024)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// Follow status URLs on other origins than the base URL's. They are
    /// fetched **without** the bearer token. Off by default: a `Location`
    /// elsewhere is refused with a [`CrossOrigin`](ErrorKind::CrossOrigin) error.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("https://api.example.com")
    ///     .follow_cross_origin(true)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn follow_cross_origin(mut self, follow: bool) -> Self {
        self.follow_cross_origin = follow;
        self
    }

    /// How many times a submit is retried after a failure that says nothing
    /// about when to come back: a refused connection, or a `429`/`503`
    /// without `Retry-After`. A `429`/`503` *with* `Retry-After` is followed
    /// for up to [`submit_timeout`](Self::submit_timeout) in all, whatever
    /// this count — unless it is 0, which retries nothing. Every retry
    /// carries the same `Idempotency-Key`.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .submit_retries(0) // fail fast
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn submit_retries(mut self, retries: u32) -> Self {
        self.submit_retries = retries;
        self
    }

    /// How long a submit may keep coming back while the server answers
    /// `429` or `503` with a `Retry-After` (a rate limit, a full queue).
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .submit_timeout(Duration::from_secs(60))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn submit_timeout(mut self, timeout: Duration) -> Self {
        self.submit_timeout = timeout;
        self
    }

    /// The polling settings every [`Poller`] of this client starts with.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut options = orchestrator::PollOptions::default();
    /// options.timeout = Some(Duration::from_secs(300));
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .poll_options(options)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn poll_options(mut self, options: PollOptions) -> Self {
        self.poll_options = options;
        self
    }

    /// The source of time for delays and deadlines (a [`VirtualClock`](crate::VirtualClock)
    /// in tests).
    ///
    /// ```
    /// use std::time::SystemTime;
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .clock(orchestrator::VirtualClock::new(SystemTime::now()))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Errors (all [`ErrorKind::InvalidInput`]): a base URL that is not an
    /// absolute `http`/`https` URL, or that carries credentials, a query or a
    /// fragment; a token or user agent that cannot be sent in a header; zero
    /// timeouts or body limit; invalid [`PollOptions`].
    ///
    /// ```
    /// let err = orchestrator::Client::builder("http://user:pw@example.com").build().unwrap_err();
    /// assert!(err.to_string().contains("credentials"));
    /// assert!(!err.to_string().contains("pw"));
    /// ```
    pub fn build(self) -> Result<Client> {
        let base_url = parse_base_url(&self.base_url)?;
        let authorization = match &self.bearer_token {
            None => None,
            Some(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                    Error::invalid_input(
                        "the bearer token contains characters that cannot be sent in an HTTP header \
                         (a stray newline from a key file?)",
                    )
                })?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::invalid_input("the user agent contains characters not allowed in an HTTP header")
        })?;
        if self.request_timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::invalid_input("timeouts must be longer than zero"));
        }
        if self.body_limit == 0 {
            return Err(Error::invalid_input("max_body_bytes must be at least 1"));
        }
        self.poll_options.validate()?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                // reqwest strips `Authorization` on cross-host redirects.
                .redirect(reqwest::redirect::Policy::limited(5))
                .build()
                .map_err(|e| {
                    Error::invalid_input("could not set up the HTTP client").with_source(e)
                })?,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: Transport {
                    http,
                    base_url,
                    authorization,
                    user_agent,
                    request_timeout: self.request_timeout,
                    body_limit: self.body_limit,
                    follow_cross_origin: self.follow_cross_origin,
                },
                submit_retries: self.submit_retries,
                submit_timeout: self.submit_timeout,
                poll_options: self.poll_options,
                clock: self.clock,
            }),
        })
    }
}

fn parse_base_url(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw.trim()).map_err(|e| {
        Error::invalid_input(format!(
            "the base URL `{}` is not an absolute URL ({e}); expected e.g. http://127.0.0.1:8000",
            redact_userinfo(raw)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_input(format!(
            "the base URL must use http or https, not `{}`",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "the base URL must not contain credentials; pass the token with `bearer_token`",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            "the base URL must not have a query or fragment",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Hides `user:password@` in a string that failed to parse as a URL.
fn redact_userinfo(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://<redacted>@{}", &raw[..scheme_end], &raw[at + 1..])
        }
        _ => raw.to_owned(),
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
        ClientBuilder {
            base_url: base_url.into(),
            bearer_token: None,
            user_agent: concat!("orchestrator/", env!("CARGO_PKG_VERSION")).to_owned(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            http: None,
            body_limit: DEFAULT_BODY_LIMIT,
            follow_cross_origin: false,
            submit_retries: 3,
            submit_timeout: Duration::from_secs(300),
            poll_options: PollOptions::default(),
            clock: Arc::new(SystemClock::new()),
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
        self.decode_status(&Method::GET, &url, &task, &reply)
    }

    /// Asks the server to cancel a task (`DELETE` on its status URL).
    ///
    /// Returns the status the server answered with, if it sent one. A task
    /// that does not exist is a [`NotFound`](ErrorKind::NotFound) error; a
    /// server that does not support cancelling (`405`) or a task that has
    /// already finished (`409`) is a [`Rejected`](ErrorKind::Rejected) error
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
                if reply.body.iter().all(u8::is_ascii_whitespace) {
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
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED => Err(self
                .reply_error(&method, &url, &reply)
                .context("this server does not support cancelling tasks")
                .with_task(task)),
            StatusCode::CONFLICT => Err(self
                .reply_error(&method, &url, &reply)
                .context(format!(
                    "task `{task}` has already finished and cannot be cancelled"
                ))
                .with_task(task)),
            StatusCode::NOT_FOUND | StatusCode::GONE => Err(self
                .reply_error(&method, &url, &reply)
                .context(format!("task `{task}` does not exist (or has expired)"))
                .with_task(task)),
            _ => Err(self.reply_error(&method, &url, &reply).with_task(task)),
        }
    }

    /// The absolute status URL of a task, checked against the origin rule.
    pub(crate) fn status_url(&self, task: &TaskRef) -> Result<Url> {
        let url = match task.repr() {
            Repr::Accepted(a) => a.status_url().clone(),
            Repr::Id(id) => self.task_url(id)?,
            Repr::Url(raw) => self.inner.transport.base_url.join(raw).map_err(|e| {
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

    /// The base URL with `segments` appended, each percent-encoded.
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Result<Url> {
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

    pub(crate) fn reply_error(&self, method: &Method, url: &Url, reply: &Reply) -> Error {
        self.inner.transport.reply_error(method, url, reply)
    }

    /// Classifies a status reply: a decoded status, or an error that says
    /// whether retrying makes sense.
    pub(crate) fn decode_status(
        &self,
        method: &Method,
        url: &Url,
        task: &TaskRef,
        reply: &Reply,
    ) -> Result<TaskStatus> {
        if !reply.status.is_success() {
            let err = self.reply_error(method, url, reply);
            let err = if err.kind() == ErrorKind::NotFound {
                err.context(format!(
                    "task `{task}` was not found: it never existed, or it has expired"
                ))
            } else {
                err
            };
            return Err(err.with_task(task.clone()));
        }
        // A body that is not JSON at all is typically an HTML error page from
        // a proxy or load balancer: worth another try. JSON of the wrong shape
        // is the server breaking the contract: not.
        let value: serde_json::Value = serde_json::from_slice(&reply.body).map_err(|e| {
            Error::protocol(format!(
                "{} for {method} {url} has a body that is not JSON ({e})",
                reply.status
            ))
            .transient(true)
            .with_task(task.clone())
        })?;
        TaskStatus::from_json(value).map_err(|e| e.with_task(task.clone()))
    }
}

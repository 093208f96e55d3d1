//! Configuring a [`Client`]: every setting, checked once by `build()`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::Url;

use crate::client::{Client, ClientInner};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::poll::PollOptions;
use crate::transport::{H2c, Transport};

/// Status reads of waits on the event stream in flight at once.
const MAX_STREAM_READS: usize = 256;

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
/// | submit retries | 3 (connection failures, `429`/`500`/`502`/`503`/`504` without `Retry-After`) |
/// | submit timeout | 5 min (how long answers with `Retry-After` are followed) |
/// | cross-origin status URLs | refused |
/// | extra root certificates | none (the system's roots) |
/// | HTTP/2 | negotiated over HTTPS; h2c only with `http2_prior_knowledge` |
/// | idle connections kept per host | 32 |
/// | submits in flight at once | 256 (more wait their turn in the client) |
/// | proxy | the environment's (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) |
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
    root_certificates: Vec<Vec<u8>>,
    http2_prior_knowledge: bool,
    max_idle_connections: usize,
    max_concurrent_submits: usize,
    proxy: ProxySetting,
    /// A mistake found before `build()` (an empty variable read by
    /// `Client::from_env`), reported by it.
    deferred: Option<Error>,
}

/// Where requests go on their way to the API.
#[derive(Clone)]
enum ProxySetting {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, as reqwest
    /// reads them.
    Environment,
    /// Straight to the API, whatever the environment says.
    Direct,
    /// Through this proxy.
    Url(String),
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::Environment => f.write_str("Environment"),
            ProxySetting::Direct => f.write_str("Direct"),
            // A proxy URL may carry credentials.
            ProxySetting::Url(u) => write!(f, "Url({})", redact_userinfo(u)),
        }
    }
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
            .field("root_certificates", &self.root_certificates.len())
            .field("http2_prior_knowledge", &self.http2_prior_knowledge)
            .field("max_idle_connections", &self.max_idle_connections)
            .field("max_concurrent_submits", &self.max_concurrent_submits)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Idle HTTP/1.1 connections kept per host, by default.
const DEFAULT_MAX_IDLE: usize = 32;
/// Submits on the wire at once, by default: enough to keep a server's
/// workers fed, few enough not to look like a flood.
const DEFAULT_MAX_CONCURRENT_SUBMITS: usize = 256;

impl ClientBuilder {
    /// The bearer token sent as `Authorization: Bearer <token>`, only to the
    /// base URL's origin.
    ///
    /// An empty token is no token. To read the key the CLI reads (and be
    /// told when its variable is empty), use [`Client::from_env`].
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .bearer_token("secret-key")
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
    /// [`Protocol`](crate::ErrorKind::Protocol) error instead of an out-of-memory.
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
    /// elsewhere is refused with a [`CrossOrigin`](crate::ErrorKind::CrossOrigin) error.
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
    /// about when to come back: a connection refused, reset or timed out, or
    /// a `429`, `500`, `502`, `503` or `504` without `Retry-After`. One *with*
    /// `Retry-After` is followed
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

    /// How many submit requests this client (and its clones) has on the wire
    /// at once; further submits wait in the client for a slot, and the wait
    /// does not count towards `request_timeout`. Waits (status polls) are not
    /// limited.
    ///
    /// Firing thousands of submits at once otherwise puts them all on the
    /// wire together: over HTTP/1.1 that is a connection each, and over
    /// HTTP/2 a burst of streams whose bodies outrun the connection's
    /// flow-control window, which servers may treat as a flood and answer by
    /// closing the connection — failing every request on it. Must be at
    /// least 1.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .max_concurrent_submits(64)
    ///     .build()
    ///     .unwrap();
    /// assert!(orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .max_concurrent_submits(0)
    ///     .build()
    ///     .is_err());
    /// ```
    pub fn max_concurrent_submits(mut self, submits: usize) -> Self {
        self.max_concurrent_submits = submits;
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

    /// The polling settings every [`Poller`](crate::Poller) of this client starts with.
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

    /// The source of time for delays and deadlines: in tests, a
    /// `clock::VirtualClock` (feature `test-util`), whose sleeps return at
    /// once.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .clock(orchestrator::clock::VirtualClock::new(SystemTime::now()))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Trusts the certificate authority (or authorities) in `pem` for HTTPS,
    /// beside the system's roots: for servers whose certificate comes from
    /// a private CA. Checked by [`build`](Self::build). Ignored with an
    /// injected [`http_client`](Self::http_client).
    ///
    /// ```no_run
    /// let pem = std::fs::read("/etc/orchestrator/ca.pem").unwrap();
    /// let client = orchestrator::Client::builder("https://tasks.internal.example")
    ///     .add_root_certificate(pem)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn add_root_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Speak HTTP/2 without negotiating it first (h2c, for plaintext servers
    /// known to speak it, such as the reference server). Over HTTPS, HTTP/2
    /// is negotiated (ALPN) whenever the server offers it, without this.
    /// One HTTP/2 connection carries every concurrent wait, instead of one
    /// connection each: what makes ten thousand waits cheap.
    ///
    /// When no proxy applies to the API (none set with [`proxy`](Self::proxy),
    /// none in the environment for its host), status `GET`s go on that
    /// connection through hyper's HTTP/2 client directly rather than through
    /// reqwest, so a long poll holds a few hundred bytes for its wait rather
    /// than several kilobytes. Nothing else differs: the same headers, token,
    /// timeouts, body cap and errors; a redirect is followed by reqwest, under
    /// the same policy; the connection is closed after 90 s unused, as
    /// reqwest's pool closes its own, and reopened when needed.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .http2_prior_knowledge(true)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn http2_prior_knowledge(mut self, enabled: bool) -> Self {
        self.http2_prior_knowledge = enabled;
        self
    }

    /// The most idle HTTP/1.1 connections kept per host for reuse. Waits
    /// that poll (rather than long-poll) share these; without a cap, a
    /// burst of polls leaves one idle connection per wait behind.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .max_idle_connections(8)
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn max_idle_connections(mut self, max: usize) -> Self {
        self.max_idle_connections = max;
        self
    }

    /// Sends every request through this proxy (`http://`, `https://` or
    /// `socks5://`; credentials in the URL are never shown). HTTPS requests
    /// go through a `CONNECT` tunnel, so the proxy sees neither them nor
    /// the bearer token. Without this, the environment's `HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` apply.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("https://api.orchestrator.example.com")
    ///     .proxy("http://proxy.corp.example:3128")
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// Connects straight to the API, ignoring the environment's proxy
    /// variables.
    ///
    /// ```
    /// let client = orchestrator::Client::builder("http://127.0.0.1:8000")
    ///     .no_proxy()
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Direct;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Errors (all [`crate::ErrorKind::InvalidInput`]): a base URL that is not an
    /// absolute `http`/`https` URL, or that carries credentials, a query or a
    /// fragment; a token or user agent that cannot be sent in a header; zero
    /// timeouts or body limit; invalid [`PollOptions`].
    ///
    /// ```
    /// let err = orchestrator::Client::builder("http://user:pw@example.com").build().unwrap_err();
    /// assert!(err.to_string().contains("credentials"));
    /// assert!(!err.to_string().contains("pw"));
    /// ```
    pub fn build(mut self) -> Result<Client> {
        if let Some(error) = self.deferred.take() {
            return Err(error);
        }
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
        if self.max_concurrent_submits == 0 {
            return Err(Error::invalid_input(
                "max_concurrent_submits must be at least 1",
            ));
        }
        self.poll_options.validate()?;
        // With prior knowledge and no proxy, status GETs skip reqwest's
        // per-request layers (an injected client is always used as it is).
        let direct = |proxies| H2c::direct_to(&base_url, self.connect_timeout, proxies);
        let h2c = match &self.proxy {
            _ if self.http.is_some() || !self.http2_prior_knowledge => None,
            ProxySetting::Url(_) => None,
            ProxySetting::Direct => direct(None),
            ProxySetting::Environment => direct(Some(
                &hyper_util::client::proxy::matcher::Matcher::from_system(),
            )),
        };
        let http = match self.http {
            Some(http) => http,
            None => self.http_client_for(&base_url)?,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: Arc::new(Transport {
                    http,
                    base_url,
                    authorization,
                    user_agent,
                    request_timeout: self.request_timeout,
                    body_limit: self.body_limit,
                    follow_cross_origin: self.follow_cross_origin,
                    h2c,
                }),
                submit_retries: self.submit_retries,
                submit_timeout: self.submit_timeout,
                submit_slots: tokio::sync::Semaphore::new(
                    self.max_concurrent_submits
                        .min(tokio::sync::Semaphore::MAX_PERMITS),
                ),
                poll_options: Arc::new(self.poll_options),
                clock: self.clock,
                hubs: Arc::default(),
                read_slots: tokio::sync::Semaphore::new(MAX_STREAM_READS),
            }),
        })
    }
}

impl ClientBuilder {
    /// The HTTP client these settings describe.
    fn http_client_for(&self, base_url: &Url) -> Result<reqwest::Client> {
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .redirect(crate::transport::redirect_policy(
                base_url,
                self.follow_cross_origin,
            ))
            .pool_max_idle_per_host(self.max_idle_connections);
        for pem in &self.root_certificates {
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    Error::invalid_input(
                        "a root certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)",
                    )
                })?;
            http = http.tls_certs_merge(certificates);
        }
        if self.http2_prior_knowledge {
            http = http.http2_prior_knowledge();
        }
        http = match &self.proxy {
            ProxySetting::Environment => http,
            ProxySetting::Direct => http.no_proxy(),
            ProxySetting::Url(url) => {
                http.proxy(reqwest::Proxy::all(url.as_str()).map_err(|_| {
                    Error::invalid_input(format!(
                        "`{}` is not a proxy URL (http://, https:// or socks5://)",
                        redact_userinfo(url)
                    ))
                })?)
            }
        };
        http.build()
            .map_err(|e| Error::invalid_input("could not set up the HTTP client").with_source(e))
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

impl ClientBuilder {
    pub(crate) fn new(base_url: String) -> ClientBuilder {
        ClientBuilder {
            base_url,
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
            root_certificates: Vec::new(),
            http2_prior_knowledge: false,
            max_idle_connections: DEFAULT_MAX_IDLE,
            max_concurrent_submits: DEFAULT_MAX_CONCURRENT_SUBMITS,
            proxy: ProxySetting::Environment,
            deferred: None,
        }
    }

    /// Makes `build()` fail with `error` (the first such error wins).
    pub(crate) fn fail_with(mut self, error: Error) -> ClientBuilder {
        self.deferred.get_or_insert(error);
        self
    }
}

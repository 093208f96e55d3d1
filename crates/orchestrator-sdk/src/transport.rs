//! The one place requests go out: credentials are attached here (and only for
//! the base URL's origin), bodies are read here (and only up to the cap), and
//! HTTP failures become [`Error`]s here.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::FutureExt;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode, Version};
use tracing::field::Empty;
use tracing::{Instrument, Span};
use url::Url;

use crate::error::{BoxError, Error, ErrorKind, causes};
use crate::h2c::{H2c, H2cFailure};
use crate::http_body::{self, CappedReadError};
use crate::models::Problem;

/// An HTTP answer, whatever its status, with the body read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// How long the request took, in real time.
    pub elapsed: Duration,
    /// The request's span, still open so the caller can record what it
    /// decided next ([`record_next`]).
    pub span: Span,
}

/// A request that got no HTTP answer.
#[derive(Debug)]
pub(crate) struct SendFailure {
    pub error: Error,
    /// The connection was never established, so the server cannot have acted
    /// on the request: the only transport failure a submit may retry blindly.
    pub connect: bool,
    /// The request's span, as in [`Reply::span`].
    pub span: Span,
}

impl From<SendFailure> for Error {
    fn from(f: SendFailure) -> Self {
        f.error
    }
}

/// What to send besides method and URL.
#[derive(Debug, Default)]
pub(crate) struct Outgoing {
    pub headers: HeaderMap,
    pub json_body: Option<Vec<u8>>,
    /// Overrides the client's request timeout (long polls need longer).
    pub timeout: Option<Duration>,
    /// How many times this request was sent before (a retried submit, a
    /// poll after failed ones): OpenTelemetry's `http.request.resend_count`.
    pub resend_count: u32,
}

/// How many bytes of a non-problem error body are kept for messages.
const ERROR_BODY_EXCERPT: usize = 4096;

/// The HTTP side of a client: where it may send requests, with which
/// credentials, and how much it will read back.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    /// Always ends in `/`, so joining relative paths keeps any prefix.
    pub(crate) base_url: Url,
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) request_timeout: Duration,
    pub(crate) body_limit: usize,
    pub(crate) follow_cross_origin: bool,
    /// Status `GET`s straight over h2c, where that behaves as reqwest would.
    pub(crate) h2c: Option<H2c>,
}

impl Transport {
    /// Whether `url` may receive the bearer token: same scheme, host and port
    /// as the base URL.
    pub(crate) fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.base_url.origin()
    }

    /// Refuses a URL on another origin unless the caller opted in.
    pub(crate) fn check_origin(&self, url: &Url, what: &str) -> Result<(), Error> {
        if self.same_origin(url) || self.follow_cross_origin {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::CrossOrigin,
            format!(
                "{what} `{url}` is on {}, not on the API's origin {}; refusing to follow it \
                 (enable `follow_cross_origin` on the client builder to follow it without credentials)",
                url.origin().ascii_serialization(),
                self.base_url.origin().ascii_serialization()
            ),
        ))
    }

    /// Turns a non-success reply into an error, telling an unauthorised
    /// request apart from one whose credentials were refused.
    pub(crate) fn reply_error(&self, method: &Method, url: &Url, reply: &Reply) -> Error {
        let has_credentials = self.authorization.is_some() && self.same_origin(url);
        error_for_reply(method, url, reply, has_credentials)
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        outgoing: Outgoing,
    ) -> Result<Reply, SendFailure> {
        // Field names follow OpenTelemetry's HTTP client conventions, so a
        // `tracing-opentelemetry` layer exports them as they are. No header
        // is ever recorded, and the URL loses its query and credentials.
        let span = tracing::info_span!(
            "HTTP request",
            otel.name = %method,
            otel.kind = "client",
            http.request.method = %method,
            url.full = %redacted(url),
            server.address = url.host_str().unwrap_or_default(),
            server.port = url.port_or_known_default(),
            http.request.resend_count = outgoing.resend_count,
            http.response.status_code = Empty,
            network.protocol.version = Empty,
            error.type = Empty,
            orchestrator.next_delay_ms = Empty,
            orchestrator.delay_source = Empty,
        );
        let result = self
            .send_in_span(method, url, outgoing, &span)
            .instrument(span.clone())
            .await;
        match result {
            Ok((status, headers, body, elapsed)) => Ok(Reply {
                status,
                headers,
                body,
                elapsed,
                span,
            }),
            Err((error, connect)) => {
                span.record("error.type", tracing::field::debug(error.kind()));
                Err(SendFailure {
                    error,
                    connect,
                    span,
                })
            }
        }
    }

    async fn send_in_span(
        &self,
        method: Method,
        url: &Url,
        outgoing: Outgoing,
        span: &Span,
    ) -> Result<Answered, (Error, bool)> {
        self.check_origin(url, "URL").map_err(|e| (e, false))?;
        let sending = Sending {
            method: &method,
            url,
            span,
            started: Instant::now(),
            timeout: outgoing.timeout.unwrap_or(self.request_timeout),
        };
        // Each way out is boxed, so that a wait holds only the one it took,
        // and only while its request lasts, rather than room for both. The
        // full set of headers is made for each way and handed over, so a
        // long poll does not keep it for its whole wait.
        if method == Method::GET
            && outgoing.json_body.is_none()
            && let Some(h2c) = &self.h2c
            && let Some(target) = h2c.target(url)
        {
            let headers = self.request_headers(url, &outgoing.headers);
            let answer = Box::pin(self.send_direct(h2c, target, headers, sending)).await?;
            // Redirects are followed by reqwest, under the client's policy.
            if !answer.0.is_redirection() {
                return Ok(answer);
            }
        }
        let headers = self.request_headers(url, &outgoing.headers);
        Box::pin(self.send_with_reqwest(headers, outgoing.json_body, sending)).await
    }

    /// `extra` and the headers every request carries: the user agent, and
    /// the token, for the origin it was configured for alone.
    fn request_headers(&self, url: &Url, extra: &HeaderMap) -> HeaderMap {
        // Room for the two below and the `Accept` the direct path adds.
        let mut headers = HeaderMap::with_capacity(extra.len() + 3);
        for (name, value) in extra {
            headers.append(name, value.clone());
        }
        headers.insert(USER_AGENT, self.user_agent.clone());
        if let Some(auth) = &self.authorization
            && self.same_origin(url)
        {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        headers
    }

    /// Sends a status `GET` on the direct h2c path. Not an `async fn` (nor
    /// is the next): the request is made at once, so the future holds it
    /// once, not also as its arguments, for as long as a long poll lasts.
    fn send_direct<'a>(
        &'a self,
        h2c: &'a H2c,
        target: hyper::Uri,
        headers: HeaderMap,
        sending: Sending<'a>,
    ) -> impl Future<Output = Result<Answered, (Error, bool)>> + 'a {
        let Sending { method, url, .. } = sending;
        let request = H2c::request(target, headers);
        let exchange = async move {
            let response = h2c
                .send(request)
                .await
                .map_err(|f| h2c_error(method, url, f))?;
            let (parts, body) = response.into_parts();
            let head = (parts.status, parts.version, parts.headers);
            self.received(head, body, sending).await
        };
        tokio::time::timeout(sending.timeout, exchange)
            .map(move |r| r.unwrap_or_else(|_| Err((no_answer(method, url, TIMED_OUT), false))))
    }

    fn send_with_reqwest<'a>(
        &'a self,
        headers: HeaderMap,
        json_body: Option<Vec<u8>>,
        sending: Sending<'a>,
    ) -> impl Future<Output = Result<Answered, (Error, bool)>> + 'a {
        let Sending { method, url, .. } = sending;
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .timeout(sending.timeout)
            .headers(headers);
        if let Some(body) = json_body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body);
        }
        let sent = request.send();
        async move {
            let mut response = sent.await.map_err(|e| {
                let connect = e.is_connect();
                let error = transport_error(method, url, e);
                // A TLS failure happens while connecting, but retrying
                // cannot fix a certificate.
                let connect = connect && error.kind() == ErrorKind::Transport;
                (error, connect)
            })?;
            let head = (
                response.status(),
                response.version(),
                std::mem::take(response.headers_mut()),
            );
            self.received(head, reqwest::Body::from(response), sending)
                .await
        }
    }

    /// Records a response on its request's span and reads its body (not an
    /// `async fn`, for the reason [`send_direct`](Self::send_direct) gives).
    fn received<'a, B>(
        &self,
        (status, version, headers): (StatusCode, Version, HeaderMap),
        body: B,
        sending: Sending<'a>,
    ) -> impl Future<Output = Result<Answered, (Error, bool)>> + 'a
    where
        B: hyper::body::Body<Data = hyper::body::Bytes> + Unpin + 'a,
        B::Error: Into<BoxError>,
    {
        let Sending {
            method, url, span, ..
        } = sending;
        span.record("http.response.status_code", status.as_u16());
        span.record("network.protocol.version", protocol_version(version));
        if status.is_client_error() || status.is_server_error() {
            span.record("error.type", status.as_u16());
        }
        read_capped(body, self.body_limit).map(move |read| {
            let body = read.map_err(|error| (error.context(format!("{method} {url}")), false))?;
            let elapsed = sending.started.elapsed();
            tracing::debug!(bytes = body.len(), ?elapsed, "received response");
            Ok((status, headers, body, elapsed))
        })
    }
}

/// A full answer: status, headers, body, how long it took.
type Answered = (StatusCode, HeaderMap, Vec<u8>, Duration);

/// The request being sent, as the ways out of [`Transport::send_in_span`]
/// need it.
#[derive(Clone, Copy)]
struct Sending<'a> {
    method: &'a Method,
    url: &'a Url,
    /// The request's span, to record the answer on.
    span: &'a Span,
    started: Instant,
    /// For the whole exchange, body included.
    timeout: Duration,
}

/// Records on a request's span the pause chosen after it, and why.
pub(crate) fn record_next(span: &Span, next: Option<crate::delay::NextPoll>) {
    if let Some(next) = next {
        span.record(
            "orchestrator.next_delay_ms",
            u64::try_from(next.delay.as_millis()).unwrap_or(u64::MAX),
        );
        span.record(
            "orchestrator.delay_source",
            tracing::field::debug(next.source),
        );
    }
}

/// `url` as it may be shown: without credentials, query or fragment (a
/// signed status URL carries its signature in the query).
pub(crate) fn redacted(url: &Url) -> Url {
    let mut url = url.clone();
    // Only fails for URLs that cannot have credentials, which have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// OpenTelemetry's `network.protocol.version`: `1.1`, `2`, …
fn protocol_version(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_11 => "1.1",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "unknown",
    }
}

fn transport_error(method: &Method, url: &Url, e: reqwest::Error) -> Error {
    if let Some(why) = tls_failure(&e) {
        let host = url.host_str().unwrap_or("the server");
        return Error::new(
            ErrorKind::Tls,
            format!(
                "the TLS handshake with {host} failed ({method} {url}): {why}; \
                 if the server uses a private CA, trust it with `add_root_certificate`"
            ),
        )
        .with_source(e.without_url());
    }
    let what = if e.is_timeout() {
        TIMED_OUT
    } else if e.is_connect() {
        NO_CONNECTION
    } else if e.is_builder() {
        return Error::invalid_input(format!("could not build {method} {url}")).with_source(e);
    } else {
        CONNECTION_FAILED
    };
    no_answer(method, url, what).with_source(e.without_url())
}

/// What [`no_answer`] says happened: the same words on both paths.
const TIMED_OUT: &str = "the request timed out";
const NO_CONNECTION: &str = "could not connect";
const CONNECTION_FAILED: &str = "the connection failed";

/// A request that got no HTTP answer, worth trying again.
fn no_answer(method: &Method, url: &Url, what: &str) -> Error {
    Error::new(ErrorKind::Transport, format!("{what} ({method} {url})")).transient(true)
}

/// A failure on the direct h2c path, as reqwest's would read; `true` when
/// no connection was made.
fn h2c_error(method: &Method, url: &Url, failure: H2cFailure) -> (Error, bool) {
    match failure {
        H2cFailure::Connect(e) => (no_answer(method, url, NO_CONNECTION).with_source(e), true),
        H2cFailure::ConnectTimeout => (no_answer(method, url, TIMED_OUT), true),
        H2cFailure::Exchange(e) if e.is_timeout() => {
            (no_answer(method, url, TIMED_OUT).with_source(e), false)
        }
        H2cFailure::Exchange(e) => (
            no_answer(method, url, CONNECTION_FAILED).with_source(e),
            false,
        ),
    }
}

/// The TLS error somewhere in `e`'s causes, if the failure was one: a
/// certificate that is not trusted, for another name, or expired, or a
/// handshake the server broke off.
fn tls_failure(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    causes(e)
        .find_map(|c| c.downcast_ref::<rustls::Error>())
        .map(ToString::to_string)
}

/// Reads a body up to the client's cap, as an SDK error.
fn read_capped<B>(body: B, limit: usize) -> impl Future<Output = Result<Vec<u8>, Error>>
where
    B: hyper::body::Body<Data = hyper::body::Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    http_body::read_capped(body, limit as u64).map(|read| {
        read.map_err(|e| match e {
            CappedReadError::TooLarge { limit, declared } => {
                let size = declared.map_or_else(|| format!("more than {limit}"), |n| n.to_string());
                Error::protocol(format!(
                    "the response body ({size} bytes) exceeds the {limit}-byte limit; \
                     raise `max_body_bytes` if this is expected"
                ))
            }
            CappedReadError::Broken(e) => Error::new(
                ErrorKind::Transport,
                "the connection broke while reading the response body",
            )
            .with_source(without_url(e.into()))
            .transient(true),
        })
    })
}

/// `e` without the URL reqwest puts in its errors (a signed status URL
/// carries its signature in the query).
fn without_url(e: BoxError) -> BoxError {
    match e.downcast::<reqwest::Error>() {
        Ok(e) => Box::new(e.without_url()),
        Err(e) => e,
    }
}

/// Whether a status is worth retrying: the server or something in between is
/// overloaded or briefly broken.
pub(crate) fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Turns a non-success reply into an error that says what happened.
fn error_for_reply(method: &Method, url: &Url, reply: &Reply, has_credentials: bool) -> Error {
    let status = reply.status;
    let (problem, raw) = problem_or_excerpt(reply);
    let because = problem
        .as_ref()
        .map(|p| format!(": {p}"))
        .or_else(|| {
            raw.as_ref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!(": {}", one_line(r, 300)))
        })
        .unwrap_or_default();
    let (kind, message) = match status.as_u16() {
        401 | 403 if !has_credentials => (
            ErrorKind::Auth,
            format!("{status} for {method} {url}: no bearer token is configured{because}"),
        ),
        401 | 403 => (
            ErrorKind::Auth,
            format!("{status} for {method} {url}: the server refused the bearer token{because}"),
        ),
        404 | 410 => (
            ErrorKind::NotFound,
            format!("{status} for {method} {url}{because}"),
        ),
        400..=499 => (
            ErrorKind::Rejected,
            format!("{status} for {method} {url}{because}"),
        ),
        500..=599 => (
            ErrorKind::Server,
            format!("{status} for {method} {url}{because}"),
        ),
        _ => (
            ErrorKind::Protocol,
            format!("unexpected {status} for {method} {url}{because}"),
        ),
    };
    Error::new(kind, message)
        .with_status(status)
        .with_problem(problem, raw)
        .transient(is_transient_status(status))
}

/// RFC 9457 problem details when the body has them; otherwise the start of the
/// raw body.
fn problem_or_excerpt(reply: &Reply) -> (Option<Problem>, Option<String>) {
    let looks_like_problem = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .filter(|v| {
            v.as_object().is_some_and(|o| {
                ["type", "title", "detail"]
                    .iter()
                    .any(|k| o.get(*k).is_some_and(|v| v.is_string()))
            })
        })
        .and_then(|v| serde_json::from_value::<Problem>(v).ok());
    if looks_like_problem.is_some() {
        return (looks_like_problem, None);
    }
    if reply.body.is_empty() {
        return (None, None);
    }
    let end = reply.body.len().min(ERROR_BODY_EXCERPT);
    (
        None,
        Some(String::from_utf8_lossy(&reply.body[..end]).into_owned()),
    )
}

fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max_chars {
        let cut: String = flat.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

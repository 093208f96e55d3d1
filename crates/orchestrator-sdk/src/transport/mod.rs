//! The one place requests go out: credentials are attached here (and only
//! for the base URL's origin), each request gets its span, the path is
//! chosen here once — the direct HTTP/2 connection or reqwest — and bodies
//! are read here, only up to the cap.

mod body;
mod exchange;
mod h2c;
mod redirect;
mod reply;
mod via_reqwest;

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use tracing::field::Empty;
use tracing::{Instrument, Span};
use url::Url;

pub(crate) use h2c::H2c;
pub(crate) use redirect::{RedirectStop, redirect_policy};
pub(crate) use reply::{Reply, absent, decode_status, error_for_reply, is_transient_status};
pub(crate) use via_reqwest::transport_error;

use crate::error::{Error, ErrorKind};
use crate::poll::NextPoll;
use exchange::{Answered, Sending, Unanswered};

/// A request that got no HTTP answer.
#[derive(Debug)]
pub(crate) struct SendFailure {
    pub(crate) error: Error,
    /// The connection was never established, so the server cannot have acted
    /// on the request: the only transport failure a submit may retry blindly.
    pub(crate) connect: bool,
    /// The request's span, as in [`Reply::span`].
    pub(crate) span: Span,
}

/// What to send besides method and URL.
#[derive(Debug, Default)]
pub(crate) struct Outgoing {
    pub(crate) headers: HeaderMap,
    pub(crate) json_body: Option<Vec<u8>>,
    /// Overrides the client's request timeout (long polls need longer).
    pub(crate) timeout: Option<Duration>,
    /// How many times this request was sent before (a retried submit, a
    /// poll after failed ones): OpenTelemetry's `http.request.resend_count`.
    pub(crate) resend_count: u32,
}

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
                "{what} `{url}` is on {}, not on the API's origin {}; refusing to follow it",
                url.origin().ascii_serialization(),
                self.base_url.origin().ascii_serialization()
            ),
        )
        .with_advice(
            "enable `follow_cross_origin` on the client builder to follow it without credentials",
        ))
    }

    /// Sends one request and reads its answer, whatever its status.
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
        let credentials_sent = self.authorization.is_some() && self.same_origin(url);
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
                credentials_sent,
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

    /// Chooses the path, once: a bodiless `GET` to an origin the direct
    /// HTTP/2 connection serves goes there (a redirect is handed back, to
    /// be followed by reqwest under the client's policy); everything else
    /// goes through reqwest.
    async fn send_in_span(
        &self,
        method: Method,
        url: &Url,
        outgoing: Outgoing,
        span: &Span,
    ) -> Result<Answered, Unanswered> {
        self.check_origin(url, "URL").map_err(|e| (e, false))?;
        let sending = Sending {
            method: &method,
            url,
            span,
            started: Instant::now(),
            timeout: outgoing.timeout.unwrap_or(self.request_timeout),
            body_limit: self.body_limit,
        };
        let direct = self
            .h2c
            .as_ref()
            .filter(|h2c| method == Method::GET && outgoing.json_body.is_none() && h2c.serves(url));
        // Each way out is boxed, so that a wait holds only the one it took,
        // and only while its request lasts, rather than room for both. The
        // full set of headers is made for each way and handed over, so a
        // long poll does not keep it for its whole wait.
        if let Some(h2c) = direct {
            let headers = self.request_headers(url, &outgoing.headers);
            let answer = Box::pin(h2c.send(headers, sending)).await?;
            if !answer.0.is_redirection() {
                return Ok(answer);
            }
        }
        let headers = self.request_headers(url, &outgoing.headers);
        Box::pin(via_reqwest::send(
            &self.http,
            headers,
            outgoing.json_body,
            sending,
        ))
        .await
    }

    /// `extra` and the headers every request carries: the user agent, and
    /// the token, for the origin it was configured for alone.
    pub(crate) fn request_headers(&self, url: &Url, extra: &HeaderMap) -> HeaderMap {
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
}

/// Records on a request's span the pause chosen after it, and why.
pub(crate) fn record_next(span: &Span, next: Option<NextPoll>) {
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

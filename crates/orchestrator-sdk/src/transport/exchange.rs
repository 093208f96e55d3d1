//! One exchange as both paths out see it: what is being sent, what comes
//! back, how the answer is recorded on the request's span and its body read,
//! and the words for a request that got no answer.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Version};
use tracing::Span;
use url::Url;

use super::body;
use crate::error::{BoxError, Error, ErrorKind};

/// A full answer: status, headers, body, how long it took.
pub(super) type Answered = (StatusCode, HeaderMap, hyper::body::Bytes, Duration);

/// A request that got no answer, and whether it never reached a
/// connection (see [`SendFailure::connect`]).
pub(super) type Unanswered = (Error, bool);

/// The request being sent, as both paths need it.
#[derive(Clone, Copy)]
pub(super) struct Sending<'a> {
    pub(super) method: &'a Method,
    pub(super) url: &'a Url,
    /// The request's span, to record the answer on.
    pub(super) span: &'a Span,
    pub(super) started: Instant,
    /// For the whole exchange, body included.
    pub(super) timeout: Duration,
    pub(super) body_limit: usize,
}

/// Records a response on its request's span and reads its body, on
/// either path (not an `async fn`: the future holds what it reads once,
/// not also as its arguments, for as long as a long poll lasts).
pub(super) fn received<'a, B>(
    (status, version, headers): (StatusCode, Version, HeaderMap),
    body: B,
    sending: Sending<'a>,
) -> impl Future<Output = Result<Answered, Unanswered>> + 'a
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
    body::read_capped(body, sending.body_limit).map(move |read| {
        let body = read.map_err(|error| (error.context(format!("{method} {url}")), false))?;
        let elapsed = sending.started.elapsed();
        tracing::debug!(bytes = body.len(), ?elapsed, "received response");
        Ok((status, headers, body, elapsed))
    })
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

/// What [`no_answer`] says happened: the same words on both paths.
pub(super) const TIMED_OUT: &str = "the request timed out";
pub(super) const NO_CONNECTION: &str = "could not connect";
pub(super) const CONNECTION_FAILED: &str = "the connection failed";

/// A request that got no HTTP answer, worth trying again.
pub(super) fn no_answer(method: &Method, url: &Url, what: &str) -> Error {
    Error::new(ErrorKind::Transport, format!("{what} ({method} {url})")).transient(true)
}

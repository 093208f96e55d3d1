//! What an operator sees of each request: an id (a trusted proxy's
//! well-formed `X-Request-Id`, else a new one) echoed on the response, put
//! in problem bodies and in every log line of the request (tower-http's
//! request-id and trace layers); and the request counted in the metrics by
//! method, route and status. Headers are never logged, so neither is a key.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, Response, StatusCode, header};
use tower::{Layer, Service};
use tower_http::request_id::RequestId;
use tracing::Span;

use crate::metrics::Metrics;

/// `X-Request-Id`.
pub(super) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
const MAX_REQUEST_ID: usize = 128;

/// A request id a proxy may hand us: 1 to 128 letters, digits, `-`, `_`,
/// `.` or `:`. Anything else is replaced, so log lines stay parseable.
fn well_formed(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Drops a client's `X-Request-Id` unless the server trusts the proxy in
/// front of it and the id is well-formed; the request-id layer then makes
/// a new one.
pub(super) fn screen_request_id(trusted: bool, mut request: Request) -> Request {
    let keep = trusted && request.headers().get(&REQUEST_ID).is_some_and(well_formed);
    if !keep {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// The request's span: every log line of the request carries its id, its
/// method, its route (the template it matched: `/v1/tasks/{task_id}`, or
/// `-` when none did) and path; the tenant is filled in once authenticated.
pub(super) fn request_span(request: &Request) -> Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        route,
        path = %request.uri().path(),
        tenant = tracing::field::Empty,
    )
}

/// Logs the end of every request, one line at `info` (the span carries
/// who and what): a refused key or an unknown task leaves a trace at the
/// default level. A server-side failure is a warning (a `503` is the
/// server shedding load on purpose, not failing).
pub(super) fn log_response(response: &Response<Body>, latency: Duration, _: &Span) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_secs_f64() * 1000.0;
    if response.status().is_server_error() && response.status() != StatusCode::SERVICE_UNAVAILABLE {
        tracing::warn!(status, latency_ms, "request failed");
    } else {
        tracing::info!(status, latency_ms, "request");
    }
}

/// Counts each request in the metrics, and writes its id into problem
/// details (as `request_id`), so a user's error report leads to its logs.
///
/// A hand-made service rather than `from_fn`: a held long poll keeps this
/// layer's state for as long as it is held, so it keeps only what it needs.
#[derive(Clone)]
pub(super) struct RecordLayer {
    metrics: Metrics,
}

impl RecordLayer {
    pub(super) fn new(metrics: Metrics) -> RecordLayer {
        RecordLayer { metrics }
    }
}

impl<S> Layer<S> for RecordLayer {
    type Service = Record<S>;

    fn layer(&self, inner: S) -> Record<S> {
        Record {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service made by [`RecordLayer`].
#[derive(Clone)]
pub(super) struct Record<S> {
    inner: S,
    metrics: Metrics,
}

impl<S, B> Service<axum::http::Request<B>> for Record<S>
where
    S: Service<axum::http::Request<B>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Recorded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let seen = Seen {
            method: request.method().clone(),
            route: request.extensions().get::<MatchedPath>().cloned(),
            id: request.extensions().get::<RequestId>().cloned(),
            started: Instant::now(),
            metrics: self.metrics.clone(),
        };
        Recorded {
            inner: self.inner.call(request),
            seen,
            rewriting: None,
        }
    }
}

/// What [`Record`] keeps of a request until its response.
struct Seen {
    method: Method,
    route: Option<MatchedPath>,
    id: Option<RequestId>,
    started: Instant,
    metrics: Metrics,
}

pin_project_lite::pin_project! {
    /// The response of [`Record`]: counted when it comes, and rewritten
    /// (a boxed step only problem responses take) when it is a problem.
    pub(super) struct Recorded<F> {
        #[pin]
        inner: F,
        seen: Seen,
        rewriting: Option<Pin<Box<dyn Future<Output = Response<Body>> + Send>>>,
    }
}

impl<F> Future for Recorded<F>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(rewriting) = this.rewriting {
            return rewriting.as_mut().poll(cx).map(Ok);
        }
        let Ok(response) = ready!(this.inner.poll(cx));
        let seen = &*this.seen;
        seen.metrics.request(
            seen.method.as_str(),
            seen.route.as_ref().map_or("unmatched", MatchedPath::as_str),
            response.status().as_u16(),
            seen.started.elapsed(),
        );
        match &seen.id {
            Some(id) if is_problem(&response) => {
                let rewriting = this
                    .rewriting
                    .insert(Box::pin(with_request_id(response, id.clone())));
                rewriting.as_mut().poll(cx).map(Ok)
            }
            _ => Poll::Ready(Ok(response)),
        }
    }
}

fn is_problem(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

/// Problem bodies are small and made by this server; one that cannot be
/// read back is passed on as it was.
async fn with_request_id(response: Response<Body>, id: RequestId) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let rewritten = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|mut problem| {
            let id = id.header_value().to_str().ok()?;
            problem
                .as_object_mut()?
                .insert("request_id".into(), id.into());
            serde_json::to_vec(&problem).ok()
        });
    let body = rewritten.map_or(bytes, Bytes::from);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_taken_from_a_proxy() {
        let ok = |s: &str| well_formed(&HeaderValue::from_str(s).unwrap());
        assert!(ok("req-7f3a_9.b:1"));
        assert!(ok(&"a".repeat(128)));
        assert!(!ok(&"a".repeat(129)));
        assert!(!ok(""));
        assert!(!ok("two words"));
        assert!(!well_formed(&HeaderValue::from_bytes(b"line\xff").unwrap()));
        assert!(!ok("{\"json\":1}"));
    }
}

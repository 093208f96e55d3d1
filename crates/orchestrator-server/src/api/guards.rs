//! Cross-cutting request handling: a cap on header size, and a log line per
//! request (method, path, status, time — never headers, so never the key).

use std::time::Instant;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;

/// The most header bytes (names and values) a request may carry. hyper's own
/// limit is far larger (hundreds of KiB); nothing this API takes needs more
/// than a few hundred bytes.
pub(super) const MAX_HEADER_BYTES: usize = 32 * 1024;

pub(super) async fn limit_header_size(request: Request, next: Next) -> Response {
    let size: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > MAX_HEADER_BYTES {
        return ApiError::headers_too_large(MAX_HEADER_BYTES).into_response();
    }
    next.run(request).await
}

pub(super) async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // The path only: a query string could carry anything.
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status();
    let elapsed = started.elapsed();
    if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        tracing::warn!(%method, %path, status = status.as_u16(), ?elapsed, "request failed");
    } else {
        tracing::debug!(%method, %path, status = status.as_u16(), ?elapsed, "request");
    }
    response
}

//! A cap on the size of a request's headers.

use axum::extract::Request;
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

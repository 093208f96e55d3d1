//! A cap on the size of a request's headers.

use axum::extract::Request;

use super::problem::ApiError;

/// The most header bytes (names and values) a request may carry. hyper's own
/// limit is far larger (hundreds of KiB); nothing this API takes needs more
/// than a few hundred bytes.
pub(super) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses a request whose headers exceed [`MAX_HEADER_BYTES`] (a
/// [`gate`](super::gate::gate) check).
pub(super) fn limit_header_size(request: &mut Request) -> Result<(), ApiError> {
    let size: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > MAX_HEADER_BYTES {
        return Err(ApiError::headers_too_large(MAX_HEADER_BYTES));
    }
    Ok(())
}

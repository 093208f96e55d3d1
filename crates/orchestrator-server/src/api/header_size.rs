//! A cap on the size of a request's headers, checked before anything else
//! reads them.

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tower_http::validate_request::ValidateRequest;

use super::problem::ApiError;

/// The most header bytes (names and values) a request may carry. hyper's own
/// limit is far larger (hundreds of KiB); nothing this API takes needs more
/// than a few hundred bytes.
pub(super) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses a request whose headers exceed [`MAX_HEADER_BYTES`] (a check
/// for tower-http's validate-request layer).
#[derive(Clone, Copy)]
pub(super) struct HeaderSizeLimit;

impl ValidateRequest<Body> for HeaderSizeLimit {
    type ResponseBody = Body;

    fn validate(&mut self, request: &mut Request) -> Result<(), Response> {
        let size: usize = request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        if size > MAX_HEADER_BYTES {
            return Err(ApiError::headers_too_large(MAX_HEADER_BYTES).into_response());
        }
        Ok(())
    }
}

//! A request whose `Content-Length` announces more than the body limit is
//! refused with `413` from its headers, at once: reading (or waiting for)
//! a body only to refuse it would hold the connection for nothing.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};
use tower_http::validate_request::ValidateRequest;

use super::problem::ApiError;

/// Refuses a request that announces a body over `max` bytes (a check for
/// tower-http's validate-request layer). A body without a length, or one
/// that lies about it, is still cut at `max` as it is read.
#[derive(Clone, Copy)]
pub(super) struct BodySizeLimit {
    pub(super) max: usize,
}

impl ValidateRequest<Body> for BodySizeLimit {
    type ResponseBody = Body;

    fn validate(&mut self, request: &mut Request) -> Result<(), Response> {
        let announced = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match announced {
            Some(length) if length > self.max as u64 => {
                Err(ApiError::too_large(self.max).into_response())
            }
            _ => Ok(()),
        }
    }
}

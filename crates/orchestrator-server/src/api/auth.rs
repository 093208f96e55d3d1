//! Bearer-key authentication, compared in constant time.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

use super::problem::ApiError;

/// The key clients must present; `None` means authentication is off
/// (`--insecure-no-auth`).
#[derive(Clone)]
pub(crate) struct ApiKey(pub Option<Arc<str>>);

/// Rejects requests without the right `Authorization: Bearer <key>`.
pub(super) async fn require_bearer(
    State(key): State<ApiKey>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(expected) = &key.0 else {
        return Ok(next.run(request).await);
    };
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    match presented {
        None => Err(ApiError::unauthorized(
            "send the API key as `Authorization: Bearer <key>`",
        )),
        // Constant time in the key's content (only the length can leak).
        Some(token) if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) => {
            Ok(next.run(request).await)
        }
        Some(_) => Err(ApiError::unauthorized("the API key is not valid")),
    }
}

//! Bearer-key authentication: finds the tenant a key belongs to (hashes
//! compared in constant time) and hands it to the handlers. The tenant's
//! name — never the key — goes into the request's log span.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;

use super::problem::ApiError;
use crate::tenants::Authenticator;

/// Rejects requests without a known `Authorization: Bearer <key>`; marks
/// the others with their tenant.
pub(super) async fn require_bearer(
    State(auth): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let tenant = match (presented, auth.required()) {
        (None, true) => {
            return Err(ApiError::unauthorized(
                "send the API key as `Authorization: Bearer <key>`",
            ));
        }
        (presented, _) => auth
            .authenticate(presented.unwrap_or_default())
            .ok_or_else(|| ApiError::unauthorized("the API key is not valid"))?,
    };
    tracing::Span::current().record("tenant", tenant.0.as_str());
    request.extensions_mut().insert(tenant);
    Ok(next.run(request).await)
}

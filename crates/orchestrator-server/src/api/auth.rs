//! Bearer-key authentication: finds the tenant a key belongs to (hashes
//! compared in constant time) and hands it, with the key's role, to the
//! handlers. The tenant's name — never the key — goes into the request's
//! log span. A read-only key is refused every method that changes
//! something, here, once for every route.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use tower_http::validate_request::ValidateRequest;

use super::problem::ApiError;
use crate::tenants::{Authenticator, Role, Tenant};

/// Refuses requests without a known `Authorization: Bearer <key>`; marks
/// the others with their tenant. A check for tower-http's validate-request
/// layer: synchronous, so a request carries nothing of it once through.
#[derive(Clone)]
pub(super) struct RequireBearer(pub(super) Arc<Authenticator>);

impl ValidateRequest<Body> for RequireBearer {
    type ResponseBody = Body;

    fn validate(&mut self, request: &mut Request) -> Result<(), Response> {
        let (tenant, role) = authenticate(&self.0, request).map_err(IntoResponse::into_response)?;
        tracing::Span::current().record("tenant", tenant.0.as_str());
        if role.is_read_only() && !request.method().is_safe() {
            return Err(ApiError::read_only().into_response());
        }
        request.extensions_mut().insert(tenant);
        request.extensions_mut().insert(role);
        Ok(())
    }
}

fn authenticate(auth: &Authenticator, request: &Request) -> Result<(Tenant, Role), ApiError> {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    match (presented, auth.required()) {
        (None, true) => Err(ApiError::unauthorized(
            "send the API key as `Authorization: Bearer <key>`",
        )),
        (presented, _) => auth
            .authenticate(presented.unwrap_or_default())
            .ok_or_else(|| ApiError::unauthorized("the API key is not valid")),
    }
}

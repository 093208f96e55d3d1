//! Every error response: RFC 9457 problem details, never internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orchestrator::Problem;

use crate::store::StoreError;

/// Where the problem types are documented (in the OpenAPI document).
const TYPE_BASE: &str = "https://orchestrator.dev/problems/";

/// An API error, rendered as `application/problem+json` (the SDK's
/// [`Problem`]). Handlers return it with `?`; it never carries internals.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    field: Option<String>,
    retry_after: Option<u64>,
    challenge: bool,
}

impl ApiError {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            kind,
            title,
            detail: detail.into(),
            field: None,
            retry_after: None,
            challenge: false,
        }
    }

    /// `400`: the body is not what the endpoint takes at all.
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Malformed request",
            detail,
        )
    }

    /// `422`: a field is invalid.
    pub(crate) fn invalid_field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "Invalid request field",
            detail,
        );
        e.field = Some(field.into());
        e
    }

    /// `401` with a `WWW-Authenticate: Bearer` challenge.
    pub(crate) fn unauthorized(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        );
        e.challenge = true;
        e
    }

    /// `404`.
    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// `405`.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "this resource does not support that method",
        )
    }

    /// `409`.
    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    /// `413`.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            format!("request bodies are limited to {limit} bytes"),
        )
    }

    /// `431`.
    pub(crate) fn headers_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            "Request headers too large",
            format!("request headers are limited to {limit} bytes in all"),
        )
    }

    /// `415`.
    pub(crate) fn unsupported_media_type(got: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("send the body as application/json, not `{got}`"),
        )
    }

    /// `422` for a reused idempotency key.
    pub(crate) fn idempotency_key_reused() -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was already used with a different request; use a new key for a new request",
        );
        e.field = Some("Idempotency-Key".to_owned());
        e
    }

    /// `429` with `Retry-After` (whole seconds, rounded up): over the
    /// tenant's rate limit.
    pub(crate) fn too_many_requests(wait: std::time::Duration) -> Self {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("this tenant's submit rate limit is reached; try again in {secs} s"),
        );
        e.retry_after = Some(secs.max(1));
        e
    }

    /// `408`: the client sent the body too slowly.
    pub(crate) fn body_timeout(limit: std::time::Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request body too slow",
            format!("the request body did not arrive within {limit:?}"),
        )
    }

    /// `503` with `Retry-After`.
    pub(crate) fn unavailable(detail: impl Into<String>, retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail,
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// `500`. The cause is logged with an id that the response carries; the
    /// cause itself never leaves the server.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        let incident = uuid::Uuid::new_v4();
        tracing::error!(%incident, %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            format!("the server failed to handle the request (incident {incident})"),
        )
    }

    /// The request field at fault, if one is.
    #[cfg(test)]
    pub(crate) fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut problem = Problem::new(self.status.as_u16(), self.title)
            .with_type(format!("{TYPE_BASE}{}", self.kind))
            .with_detail(self.detail);
        if let Some(field) = self.field {
            problem = problem.with_extension("field", field);
        }
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"orchestrator\""),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A store failure is the server's fault: a `500` whose cause stays in the
/// log (the failure is counted by the [`Lifecycle`](crate::lifecycle::Lifecycle)
/// that met it).
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

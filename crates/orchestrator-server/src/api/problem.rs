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

    /// `400` naming the query parameter or header at fault.
    pub(crate) fn bad_parameter(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "Invalid request parameter",
            detail,
        );
        e.field = Some(parameter.into());
        e
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

    /// `403`: the key may only read.
    pub(crate) fn read_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "read-only",
            "Read-only key",
            "this key may only read: it cannot submit, cancel or retry tasks",
        )
    }

    /// `403`: the session may not do this (another tenant's task, or a
    /// state-changing request without its CSRF token).
    pub(crate) fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
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

    /// Whether this is a `401`.
    pub(crate) fn is_unauthorized(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
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

/// A store failure is the server's fault. One that can pass (the database
/// restarting, stopped, busy, out of space) is a `503` with `Retry-After`
/// and its own problem type, so clients try again — safely, with an
/// `Idempotency-Key` — rather than give up; anything else is a `500`. Either
/// way the cause stays in the log under an incident id (the failure is
/// counted by the [`Lifecycle`](crate::lifecycle::Lifecycle) that met it).
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if !e.is_transient() {
            return ApiError::internal(e);
        }
        let incident = uuid::Uuid::new_v4();
        let kind = e.kind().as_str();
        tracing::warn!(%incident, kind, cause = %e, "storage unavailable; answered 503");
        let mut answer = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage-unavailable",
            "Storage unavailable",
            format!(
                "the server's database cannot serve this request right now ({}); \
                 try again, with the same Idempotency-Key for a submit (incident {incident})",
                storage_reason(e.kind())
            ),
        );
        answer.retry_after = Some(STORAGE_RETRY_AFTER_SECS);
        answer
    }
}

/// What a client is told a passing storage fault was, in a few words.
fn storage_reason(kind: crate::store::StoreErrorKind) -> &'static str {
    use crate::store::StoreErrorKind;
    match kind {
        StoreErrorKind::Unavailable => "it is unreachable or restarting",
        StoreErrorKind::Timeout => "it did not answer in time",
        StoreErrorKind::Contention => "it is busy",
        StoreErrorKind::DiskFull => "it is out of disk space",
        _ => "a passing fault",
    }
}

/// The `Retry-After` of a `503` for a passing storage fault: a restart
/// takes about a second.
const STORAGE_RETRY_AFTER_SECS: u64 = 1;

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;
    use crate::store::StoreErrorKind;

    #[test]
    fn a_storage_fault_that_can_pass_is_a_503_with_retry_after_and_one_that_cannot_a_500() {
        for kind in StoreErrorKind::ALL {
            let error = StoreError::new("connection reset by peer at 10.0.0.7").with_kind(kind);
            let response = ApiError::from(error).into_response();
            if kind.is_transient() {
                assert_eq!(
                    response.status(),
                    StatusCode::SERVICE_UNAVAILABLE,
                    "{kind:?}"
                );
                assert_eq!(response.headers()[header::RETRY_AFTER], "1", "{kind:?}");
            } else {
                assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
                assert!(!response.headers().contains_key(header::RETRY_AFTER));
            }
        }
    }
}

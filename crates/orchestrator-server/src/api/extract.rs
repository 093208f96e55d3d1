//! Extractors whose rejections are the API's own problem responses, so
//! handlers take plain values and answer with `?`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppState;
use super::problem::ApiError;
use super::state::Limits;

/// A path parameter; a path that cannot be decoded (invalid
/// percent-encoding or UTF-8) is a `400` problem.
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "the URL path is invalid: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// A request body, read within the server's limits. Its failure is kept
/// for the handler to answer with when its turn comes (`?` on
/// [`bytes`](Self::bytes)), so cheaper checks — the rate limit, the
/// route — still answer first.
pub(crate) struct RequestBody(Result<Bytes, ApiError>);

impl RequestBody {
    /// The body, or why it could not be read: too large (`413`), too slow
    /// (`408`) or broken off (`400`).
    pub(crate) fn bytes(self) -> Result<Bytes, ApiError> {
        self.0
    }
}

impl FromRequest<AppState> for RequestBody {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let read = Bytes::from_request(request, state).await;
        Ok(RequestBody(read.map_err(|rejection| {
            body_rejection(&rejection, &state.shared.limits)
        })))
    }
}

/// What a body that could not be read is answered with.
fn body_rejection(rejection: &BytesRejection, limits: &Limits) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large(limits.max_body_bytes);
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::body_timeout(limits.body_read_timeout);
        }
        cause = e.source();
    }
    ApiError::bad_request(format!("could not read the request body: {rejection}"))
}

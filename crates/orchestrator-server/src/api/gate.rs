//! A synchronous check in front of the routes: it may adjust a request or
//! answer it at once; otherwise it hands the request on untouched.
//!
//! `axum::middleware::from_fn` would do the same, but it clones the whole
//! service stack below it and boxes a future for every request. A held long
//! poll carries all of that until it is answered, and a change that wakes
//! thousands of them frees it all at once; a gate carries nothing.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::{Either, Ready, ready};
use tower::{Layer, Service};

/// Wraps services in a [`Gate`] running `check`.
#[derive(Clone)]
pub(super) struct GateLayer<C> {
    check: C,
}

/// `check` in front of every request: `Err(refusal)` answers the request
/// with that refusal without calling the service below.
pub(super) fn gate<C, E>(check: C) -> GateLayer<C>
where
    C: Fn(&mut Request) -> Result<(), E> + Clone,
    E: IntoResponse,
{
    GateLayer { check }
}

impl<S, C: Clone> Layer<S> for GateLayer<C> {
    type Service = Gate<S, C>;

    fn layer(&self, inner: S) -> Gate<S, C> {
        Gate {
            inner,
            check: self.check.clone(),
        }
    }
}

/// The service made by [`gate`].
#[derive(Clone)]
pub(super) struct Gate<S, C> {
    inner: S,
    check: C,
}

impl<S, C, E> Service<Request> for Gate<S, C>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    C: Fn(&mut Request) -> Result<(), E>,
    E: IntoResponse,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match (self.check)(&mut request) {
            Ok(()) => Either::Right(self.inner.call(request)),
            Err(refused) => Either::Left(ready(Ok(refused.into_response()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_passed_request_reaches_the_service_as_the_check_left_it_and_a_refused_one_never_does()
     {
        let reached = Arc::new(AtomicUsize::new(0));
        let counter = reached.clone();
        let service = tower::service_fn(move |request: Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            let tag = request.headers().get("x-tag").cloned();
            async move {
                let mut response = Response::new(Body::empty());
                if let Some(tag) = tag {
                    response.headers_mut().insert("x-tag", tag);
                }
                Ok::<_, Infallible>(response)
            }
        });
        let gated = gate(|request: &mut Request| {
            if request.uri().path() == "/refused" {
                return Err(StatusCode::FORBIDDEN);
            }
            request
                .headers_mut()
                .insert("x-tag", "checked".parse().expect("a header value"));
            Ok(())
        })
        .layer(service);

        let passed = gated
            .clone()
            .oneshot(Request::get("/ok").body(Body::empty()).expect("a request"))
            .await
            .expect("infallible");
        assert_eq!(passed.status(), StatusCode::OK);
        assert_eq!(passed.headers()["x-tag"], "checked");

        let refused = gated
            .oneshot(
                Request::get("/refused")
                    .body(Body::empty())
                    .expect("a request"),
            )
            .await
            .expect("infallible");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(reached.load(Ordering::SeqCst), 1);
    }
}

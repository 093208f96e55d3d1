//! Fault injection for resilience tests: a seeded fraction of API requests
//! get `503` + `Retry-After` before they reach a handler (so nothing happens
//! on the server for them).

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;

/// The dice.
#[derive(Clone)]
pub struct FaultInjector {
    rate: f64,
    rng: Arc<Mutex<fastrand::Rng>>,
}

impl FaultInjector {
    /// Fails `rate` of requests, choosing with a generator seeded by `seed`.
    pub fn new(rate: f64, seed: u64) -> Self {
        FaultInjector {
            rate,
            rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(seed))),
        }
    }

    fn roll(&self) -> bool {
        self.rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .f64()
            < self.rate
    }
}

/// The middleware.
pub async fn inject_faults(
    State(faults): State<Option<FaultInjector>>,
    request: Request,
    next: Next,
) -> Response {
    if faults.as_ref().is_some_and(FaultInjector::roll) {
        tracing::debug!(method = %request.method(), uri = %request.uri(), "injected fault");
        return ApiError::unavailable("injected fault (--fault-rate)", 1).into_response();
    }
    next.run(request).await
}

//! Fault injection for resilience tests: a seeded fraction of API requests
//! get `503` + `Retry-After`. Most are refused before they reach a handler;
//! for a submit, half of the faults strike *after* the task was created —
//! the response is lost, as when a gateway times out — so only the client's
//! `Idempotency-Key` stands between a retry and a duplicate task.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;

/// The dice.
#[derive(Clone)]
pub(crate) struct FaultInjector {
    rate: f64,
    rng: Arc<Mutex<fastrand::Rng>>,
}

impl FaultInjector {
    /// Fails `rate` of requests, choosing with a generator seeded by `seed`.
    pub(crate) fn new(rate: f64, seed: u64) -> Self {
        FaultInjector {
            rate,
            rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(seed))),
        }
    }

    /// Whether to fail this request, and whether after handling it.
    fn roll(&self, can_fail_after: bool) -> Option<When> {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        if rng.f64() >= self.rate {
            return None;
        }
        Some(if can_fail_after && rng.bool() {
            When::After
        } else {
            When::Before
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Before,
    After,
}

/// The middleware (installed only when faults are asked for).
pub(super) async fn inject_faults(
    State(faults): State<FaultInjector>,
    request: Request,
    next: Next,
) -> Response {
    let after_is_possible = request.method() == axum::http::Method::POST;
    match faults.roll(after_is_possible) {
        None => next.run(request).await,
        Some(When::Before) => {
            tracing::debug!(method = %request.method(), uri = %request.uri(), "injected fault");
            ApiError::unavailable("injected fault (--fault-rate)", 1).into_response()
        }
        Some(When::After) => {
            let uri = request.uri().clone();
            let done = next.run(request).await;
            tracing::debug!(%uri, status = %done.status(), "injected fault after handling; response dropped");
            ApiError::unavailable("injected fault (--fault-rate)", 1).into_response()
        }
    }
}

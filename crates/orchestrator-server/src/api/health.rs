//! `GET /healthz` and `GET /readyz`, apart on purpose: liveness is "the
//! process answers" and never touches the database, so an orchestrator does
//! not restart a healthy process because its database blinked; readiness is
//! "it can serve now", a read and a write of the database, so a load
//! balancer stops sending traffic while it cannot.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::problem::ApiError;
use crate::timestamps::millis;

/// Liveness: answered from memory, whatever the database is doing.
pub(crate) async fn health(State(state): State<AppState>) -> Response {
    axum::Json(json!({
        "status": "ok",
        "watched_tasks": state.shared.lifecycle.hub().watched_tasks(),
    }))
    .into_response()
}

/// Readiness: `200` with the queue's counts when the database answers a
/// read and a write within its timeouts, else `503` with `Retry-After` (a `500` only for a fault
/// that will not pass).
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    let now = millis(&*state.shared.clock);
    match state.shared.lifecycle.check_ready(now).await {
        Ok(counts) => axum::Json(json!({
            "status": "ready",
            "pending_tasks": counts.pending,
            "running_tasks": counts.running,
        }))
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

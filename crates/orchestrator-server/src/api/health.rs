//! `GET /healthz`: the liveness answer, with the queue's counts.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::problem::ApiError;

pub(crate) async fn health(State(state): State<AppState>) -> Response {
    match state.shared.lifecycle.counts().await {
        Ok(counts) => axum::Json(json!({
            "status": "ok",
            "pending_tasks": counts.pending,
            "running_tasks": counts.running,
            "watched_tasks": state.shared.lifecycle.hub().watched_tasks(),
        }))
        .into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

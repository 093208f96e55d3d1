//! `POST /v1/tasks/{task_id}/retry`: a FAILED or CANCELLED task submitted
//! again as a new task — same bot, action, input and labels — whose status
//! names the old one in `retry_of`.

use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::response::Response;
use orchestrator::TaskState;

use super::AppState;
use super::actions::{accepted, check_rate, idempotency_key, queue_task};
use super::extract::ApiPath;
use super::problem::ApiError;
use super::tasks::{unknown_task, wire_state};
use crate::store::{NewTask, TaskRecord};
use crate::tenants::Tenant;
use crate::timestamps::millis;

pub(crate) async fn retry_task(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    ApiPath(task_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let new = resubmit(&state, &tenant, &task_id, key).await?;
    Ok(accepted(&new))
}

/// Submits `tenant`'s FAILED or CANCELLED task `task_id` again, as a new
/// task that names it in `retry_of`; the new task (or, for an idempotency
/// key seen before, the one it made).
pub(crate) async fn resubmit(
    state: &AppState,
    tenant: &str,
    task_id: &str,
    key: Option<String>,
) -> Result<TaskRecord, ApiError> {
    check_rate(state, tenant, key.as_deref())?;
    let old = state
        .shared
        .lifecycle
        .get(tenant, task_id)
        .await?
        .ok_or_else(|| unknown_task(task_id))?;
    if !matches!(old.state, TaskState::Failed | TaskState::Cancelled) {
        return Err(ApiError::conflict(format!(
            "task {task_id} is {}; only a FAILED or CANCELLED task can be retried",
            wire_state(&old.state)
        )));
    }
    let new = NewTask {
        id: format!("task-{}", uuid::Uuid::new_v4()),
        tenant: tenant.to_owned(),
        bot_id: old.bot_id,
        action: old.action,
        input: old.input,
        labels: old.labels,
        retry_of: Some(old.id.clone()),
        webhook_url: old.webhook_url,
        idempotency_key: key.clone(),
        // One key, one retry of one task.
        fingerprint: format!("retry\n{}", old.id),
        now: millis(&*state.shared.clock),
    };
    tracing::info!(retry_of = %old.id, "retrying a task");
    queue_task(state, new, key.as_deref()).await
}

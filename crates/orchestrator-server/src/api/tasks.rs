//! `GET` and `DELETE /v1/tasks/{task_id}`: a task's status (held, when
//! asked, by [`long_poll`](super::long_poll)) and its cancellation.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use orchestrator::{TaskError, TaskState, TaskStatus, WebhookDelivery};

use super::AppState;
use super::extract::ApiPath;
use super::long_poll::{Held, RequestedWait, Seen, hold};
use super::problem::ApiError;
use super::retry_after::retry_after_seconds;
use crate::hub::SharedRecord;
use crate::lifecycle::CancelOutcome;
use crate::store::{DeliveryState, TaskRecord};
use crate::tenants::Tenant;
use crate::timestamps::{millis, rfc3339_ms};

pub(crate) async fn get_task(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    ApiPath(task_id): ApiPath<String>,
    RequestedWait(wait): RequestedWait,
) -> Result<Response, ApiError> {
    let wait = wait.map(|w| w.min(state.shared.limits.max_long_poll));
    // A long poll subscribes before reading, so a change in between still
    // wakes it; a plain GET does not subscribe at all.
    let mut long_poll = wait
        .filter(|w| !w.is_zero())
        .map(|wait| (wait, state.shared.lifecycle.hub().subscribe(&task_id)));
    let task = load(&state, &tenant, &task_id).await?;
    let answer = match long_poll.as_mut() {
        Some((wait, subscription)) if !task.state.is_terminal() => {
            let _held = state.shared.metrics.long_poll_held();
            // Only what a change is compared with is kept while held.
            let seen = Seen::of(&task);
            drop(task);
            match hold(&state, &tenant, &task_id, seen, subscription, *wait).await? {
                Held::Changed(task) => Answer::Shared(task),
                Held::Gone => return Err(unknown_task(&task_id)),
                Held::Expired => Answer::from(load(&state, &tenant, &task_id).await?),
            }
        }
        _ => Answer::from(task),
    };
    drop(long_poll);

    let body = match &answer.task().webhook_url {
        // A task with a webhook says how its delivery stands.
        Some(url) => {
            let delivery = state
                .shared
                .lifecycle
                .store()
                .delivery_of(&tenant, &task_id)
                .await?;
            let status = status_body(answer.task()).with_webhook(&webhook_view(url, delivery));
            Bytes::from(serde_json::to_vec(&status).map_err(ApiError::internal)?)
        }
        None => answer.body()?,
    };
    let mut response = json(body);
    let task = answer.task();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Prefer"));
    if let Some(link) = events_link(&task.id) {
        h.insert(header::LINK, link);
    }
    if let Some(wait) = wait
        && let Ok(v) = HeaderValue::from_str(&format!("wait={}", wait.as_secs()))
    {
        h.insert("preference-applied", v);
    }
    // A long-polling client has had its wait here; pacing is for the others.
    if !task.state.is_terminal() && wait.is_none() {
        let now = millis(&*state.shared.clock);
        let secs = retry_after_seconds(&task.state, task.progress, task.started_at, now);
        h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(response)
}

/// The `webhook` field of a status: the URL, and how its delivery stands
/// once the task has finished.
pub(crate) fn webhook_view(url: &str, delivery: Option<DeliveryState>) -> WebhookDelivery {
    let mut view = WebhookDelivery::new(url);
    if let Some(d) = delivery {
        view.state = Some(d.state);
        view.attempts = d.attempts;
        view.last_error = d.last_error;
        view.delivered_at = d.delivered_at.map(rfc3339_ms);
        view.next_attempt_at = d.next_attempt_at.map(rfc3339_ms);
    }
    view
}

/// A status body, as the JSON response both handlers send.
fn json(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The task a status GET answers with.
enum Answer {
    /// Read for this request alone.
    Read(Box<TaskRecord>),
    /// Read once for every long poll one change woke, and rendered once for
    /// all of them.
    Shared(Arc<SharedRecord>),
}

impl From<TaskRecord> for Answer {
    fn from(task: TaskRecord) -> Answer {
        Answer::Read(Box::new(task))
    }
}

impl Answer {
    fn task(&self) -> &TaskRecord {
        match self {
            Answer::Read(task) => task,
            Answer::Shared(shared) => &shared.record,
        }
    }

    /// The status body, as JSON.
    fn body(&self) -> Result<Bytes, ApiError> {
        let render = |task: &TaskRecord| {
            serde_json::to_vec(&status_body(task))
                .map(Bytes::from)
                .map_err(ApiError::internal)
        };
        match self {
            Answer::Read(task) => render(task),
            Answer::Shared(shared) => shared.rendered(render),
        }
    }
}

pub(crate) async fn cancel_task(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    ApiPath(task_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let now = millis(&*state.shared.clock);
    match state
        .shared
        .lifecycle
        .cancel(&tenant, &task_id, now)
        .await?
    {
        CancelOutcome::Now(task) => {
            tracing::info!(task = %task.record.id, "task cancelled");
            // Its long polls answer from this very record, rendered once for
            // them and for this response.
            Ok(json(Answer::Shared(task).body()?))
        }
        CancelOutcome::AlreadyFinished(state) => Err(ApiError::conflict(format!(
            "task {task_id} already {}; only PENDING or RUNNING tasks can be cancelled",
            match state {
                TaskState::Cancelled => "was cancelled".to_owned(),
                other => format!("finished as {other}"),
            }
        ))),
        CancelOutcome::NotFound => Err(unknown_task(&task_id)),
    }
}

/// A tenant's task; another tenant's answers exactly like a missing one.
async fn load(state: &AppState, tenant: &str, task_id: &str) -> Result<TaskRecord, ApiError> {
    read(state, tenant, task_id)
        .await?
        .ok_or_else(|| unknown_task(task_id))
}

/// The state a client is shown for a stored one: a cancelled task is
/// `FAILED` (see [`status_body`]).
pub(crate) fn wire_state(stored: &TaskState) -> TaskState {
    match stored {
        TaskState::Cancelled => TaskState::Failed,
        other => other.clone(),
    }
}

/// A tenant's task, if it has one by that id.
async fn read(
    state: &AppState,
    tenant: &str,
    task_id: &str,
) -> Result<Option<TaskRecord>, ApiError> {
    Ok(state.shared.lifecycle.get(tenant, task_id).await?)
}

/// The `Link` that advertises a task's event stream (`events.rs`), on its
/// 202 and its status.
pub(crate) fn events_link(task_id: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("</v1/tasks/{task_id}/events>; rel=\"events\"")).ok()
}

pub(crate) fn unknown_task(task_id: &str) -> ApiError {
    let shown: String = task_id.chars().take(80).collect();
    ApiError::not_found(format!("there is no task `{shown}`"))
}

/// The status body of the contract, as the SDK's own type.
///
/// A cancelled task is stored, counted and filtered as `CANCELLED`, but on
/// the wire it is `FAILED` with the error code `CANCELLED`: the contract
/// has two states that end a wait, and a client that knows only those must
/// stop waiting on a task someone else cancelled (docs/server.md, "Task
/// states"). The SDK reads that back as `Outcome::Cancelled`.
pub(crate) fn status_body(task: &TaskRecord) -> TaskStatus {
    let wire_state = wire_state(&task.state);
    let mut status = TaskStatus::new(task.id.as_str(), wire_state)
        .with_created_at(rfc3339_ms(task.created_at))
        .with_origin(task.bot_id.as_str(), task.action.as_str())
        .with_labels(task.labels.clone());
    if let Some(of) = &task.retry_of {
        status = status.with_retry_of(of.as_str());
    }
    if task.state == TaskState::Cancelled {
        status = status.with_error(TaskError::cancelled(
            "the task was cancelled before it finished",
        ));
    }
    if let Some(p) = task.progress {
        status = status.with_progress_percent(f64::from(p));
    }
    // What the run is doing is news only while it runs.
    if task.state == TaskState::Running
        && let Some(doing) = &task.progress_message
    {
        status = status.with_progress_message(doing.clone());
    }
    if task.state == TaskState::Completed
        && let Some(result) = &task.result
    {
        status = status.with_result(result.clone());
    }
    if let Some(error) = task
        .error
        .as_ref()
        .filter(|_| task.state != TaskState::Cancelled)
    {
        status = status.with_error(error.clone());
    }
    if let Some(at) = task.completed_at {
        status = status.with_completed_at(rfc3339_ms(at));
    }
    status
}

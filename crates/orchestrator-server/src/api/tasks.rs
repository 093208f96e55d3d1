//! `GET` and `DELETE /v1/tasks/{task_id}` (with long polling), and `/healthz`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use orchestrator::{TaskState, TaskStatus};
use serde_json::json;

use super::AppState;
use super::problem::{ApiError, path_param};
use crate::hub::{SharedRecord, Subscription};
use crate::store::{Cancelled, TaskRecord};
use crate::tenants::Tenant;
use crate::timestamps::{millis, rfc3339_ms};

/// Bounds of the `Retry-After` suggested while a task runs, in seconds.
const RETRY_AFTER_MIN: u64 = 1;
const RETRY_AFTER_MAX: u64 = 30;
/// A held request answers progress alone at most this often.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);
/// Suggested while a task waits for a worker or shows no progress yet.
const RETRY_AFTER_UNKNOWN: u64 = 1;

pub(crate) async fn get_task(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    task_id: Result<Path<String>, PathRejection>,
    RequestedWait(wait): RequestedWait,
) -> Result<Response, ApiError> {
    let task_id = path_param(task_id)?;
    let wait = wait.map(|w| w.min(state.shared.limits.max_long_poll));
    // A long poll subscribes before reading, so a change in between still
    // wakes it; a plain GET does not subscribe at all.
    let mut long_poll = wait
        .filter(|w| !w.is_zero())
        .map(|wait| (wait, state.shared.hub.subscribe(&task_id)));
    let task = load(&state, &tenant, &task_id).await?;
    let answer = match long_poll.as_mut() {
        Some((wait, subscription)) if !task.state.is_terminal() => {
            let _held = state.shared.metrics.long_poll_held();
            // Only what a change is compared with is kept while held.
            let seen = Seen::of(&task);
            drop(task);
            hold(&state, &tenant, &task_id, seen, subscription, *wait).await?
        }
        _ => Answer::from(task),
    };
    drop(long_poll);

    let mut response = json(answer.body()?);
    let task = answer.task();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Prefer"));
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

/// A status body, as the JSON response both handlers send.
fn json(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The `Prefer: wait=N` a status GET asks for (read in place: the request's
/// headers are not copied for the length of a long poll).
pub(crate) struct RequestedWait(Option<Duration>);

impl<S: Send + Sync> FromRequestParts<S> for RequestedWait {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(RequestedWait(requested_wait(&parts.headers)))
    }
}

/// What a held long poll compares each change with: the state and progress
/// it was answered from.
struct Seen {
    state: TaskState,
    progress: Option<u8>,
}

impl Seen {
    fn of(task: &TaskRecord) -> Seen {
        Seen {
            state: task.state.clone(),
            progress: task.progress,
        }
    }
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

/// Holds a long poll: answers at once when the task's state changes, at most
/// once per [`PROGRESS_INTERVAL`] for progress alone (a task reports every
/// percent; a client needs far fewer requests than that), and when `wait`
/// runs out or the server shuts down. Waiters woken by one change share one
/// read of the task; a wait that runs out reads the task itself, so a change
/// whose notification was lost (another instance's) is still answered.
async fn hold(
    state: &AppState,
    tenant: &str,
    task_id: &str,
    initial: Seen,
    subscription: &mut Subscription<'_>,
    wait: Duration,
) -> Result<Answer, ApiError> {
    let started = Instant::now();
    let give_up = started + wait;
    let progress_due = started + PROGRESS_INTERVAL;
    let mut shutdown = state.shared.shutdown.clone();
    let mut progress_seen = false;
    loop {
        // Before anything changed, wait for a change; once progress moved,
        // wait only until the progress answer is due.
        let until = if progress_seen {
            progress_due.min(give_up)
        } else {
            give_up
        };
        let changed = tokio::select! {
            () = subscription.changed() => true,
            () = tokio::time::sleep_until(until) => false,
            _ = shutdown.changed() => false,
        };
        if !changed {
            return load(state, tenant, task_id).await.map(Answer::from);
        }
        let latest = subscription
            .fresh(|| read(state, tenant, task_id))
            .await?
            .filter(|t| t.record.tenant == tenant)
            .ok_or_else(|| unknown_task(task_id))?;
        if latest.record.state != initial.state {
            return Ok(Answer::Shared(latest));
        }
        if latest.record.progress != initial.progress {
            if Instant::now() >= progress_due {
                return Ok(Answer::Shared(latest));
            }
            progress_seen = true;
        }
    }
}

pub(crate) async fn cancel_task(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    task_id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let task_id = path_param(task_id)?;
    match state
        .shared
        .store
        .cancel(&tenant, &task_id, millis(&*state.shared.clock))
        .await
    {
        Ok(Cancelled::Now(task)) => {
            tracing::info!(task = %task.id, "task cancelled");
            // Its long polls answer from this very record, rendered once for
            // them and for this response.
            let answer = state.shared.hub.publish_final(task);
            Ok(json(Answer::Shared(answer).body()?))
        }
        Ok(Cancelled::AlreadyFinished(task)) => Err(ApiError::conflict(format!(
            "task {} already finished as {}; only PENDING or RUNNING tasks can be cancelled",
            task.id, task.state
        ))),
        Ok(Cancelled::NotFound) => Err(unknown_task(&task_id)),
        Err(e) => {
            state.shared.metrics.store_error("cancel");
            Err(ApiError::internal(e))
        }
    }
}

pub(crate) async fn health(State(state): State<AppState>) -> Response {
    match state.shared.store.counts().await {
        Ok(counts) => axum::Json(json!({
            "status": "ok",
            "pending_tasks": counts.pending,
            "running_tasks": counts.running,
            "watched_tasks": state.shared.hub.watched_tasks(),
        }))
        .into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// A tenant's task; another tenant's answers exactly like a missing one.
async fn load(state: &AppState, tenant: &str, task_id: &str) -> Result<TaskRecord, ApiError> {
    read(state, tenant, task_id)
        .await?
        .ok_or_else(|| unknown_task(task_id))
}

/// A tenant's task, if it has one by that id.
async fn read(
    state: &AppState,
    tenant: &str,
    task_id: &str,
) -> Result<Option<TaskRecord>, ApiError> {
    state.shared.store.get(tenant, task_id).await.map_err(|e| {
        state.shared.metrics.store_error("get");
        ApiError::internal(e)
    })
}

fn unknown_task(task_id: &str) -> ApiError {
    let shown: String = task_id.chars().take(80).collect();
    ApiError::not_found(format!("there is no task `{shown}`"))
}

/// The status body of the contract, as the SDK's own type.
pub(crate) fn status_body(task: &TaskRecord) -> TaskStatus {
    let mut status = TaskStatus::new(task.id.as_str(), task.state.clone())
        .with_created_at(rfc3339_ms(task.created_at));
    if let Some(p) = task.progress {
        status = status.with_progress_percent(f64::from(p));
    }
    if task.state == TaskState::Completed
        && let Some(result) = &task.result
    {
        status = status.with_result(result.clone());
    }
    if let Some(error) = &task.error {
        status = status.with_error(error.clone());
    }
    if let Some(at) = task.completed_at {
        status = status.with_completed_at(rfc3339_ms(at));
    }
    status
}

/// `Prefer: wait=N` (RFC 7240), among other preferences; `None` if absent or invalid.
fn requested_wait(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|pref| {
            let (name, value) = pref.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("wait") {
                return None;
            }
            let secs: u64 = value.trim().trim_matches('"').parse().ok()?;
            Some(Duration::from_secs(secs))
        })
}

/// The pause to suggest to a poller, from the task's observed progress rate:
/// about a quarter of the estimated time left, so a nearly-done task is
/// checked again soon and a slow one is not hammered; clamped to 1–30 s.
pub(crate) fn retry_after_seconds(
    state: &TaskState,
    progress: Option<u8>,
    started_at: Option<i64>,
    now: i64,
) -> u64 {
    let (Some(p), Some(started)) = (progress, started_at) else {
        return RETRY_AFTER_UNKNOWN;
    };
    let elapsed_ms = now.saturating_sub(started);
    if *state != TaskState::Running || p == 0 || p >= 100 || elapsed_ms <= 0 {
        return RETRY_AFTER_UNKNOWN;
    }
    let remaining_ms = elapsed_ms as f64 * f64::from(100 - p) / f64::from(p);
    let suggestion = (remaining_ms / 4.0 / 1000.0).round() as u64;
    suggestion.clamp(RETRY_AFTER_MIN, RETRY_AFTER_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_preference_is_found_among_others_and_garbage_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert("prefer", HeaderValue::from_static("respond-async, wait=12"));
        assert_eq!(requested_wait(&h), Some(Duration::from_secs(12)));
        h.insert("prefer", HeaderValue::from_static("wait=soon"));
        assert_eq!(requested_wait(&h), None);
        h.insert("prefer", HeaderValue::from_static("wait=-1"));
        assert_eq!(requested_wait(&h), None);
    }

    #[test]
    fn the_suggested_pause_is_a_quarter_of_the_time_left_within_bounds() {
        // 50% after 20 s: ~20 s left, so look again in 5 s.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(50), Some(0), 20_000),
            5
        );
        // 95% after 20 s: about a second left.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(95), Some(0), 20_000),
            1
        );
        // 1% after an hour: slow; the cap keeps the client in touch.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(1), Some(0), 3_600_000),
            30
        );
    }

    #[test]
    fn pending_and_unstarted_tasks_get_a_short_default() {
        assert_eq!(
            retry_after_seconds(&TaskState::Pending, None, None, 5),
            RETRY_AFTER_UNKNOWN
        );
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(0), Some(0), 5_000),
            RETRY_AFTER_UNKNOWN
        );
        // A clock that went backwards does not panic or divide by zero.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(50), Some(10_000), 0),
            RETRY_AFTER_UNKNOWN
        );
    }
}

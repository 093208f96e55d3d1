//! The console's task routes: a page of the list, the counts of its state
//! tabs, a task's detail with its timeline, and the actions — cancel one,
//! retry one, cancel every match of a filter. The filter is the API's own
//! (`TaskFilter`'s query), plus `tenant` for an operator; each route checks
//! the caller's scope and role, so the page's buttons are a convenience and
//! never the guard.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use orchestrator::{FilterError, TaskFilter, TaskState};

use super::session::Caller;
use super::view::{StateCounts, TaskDetail, TaskListPage, TaskRow, TimelineEntry};
use crate::api::AppState;
use crate::api::extract::ApiPath;
use crate::api::listing::page;
use crate::api::problem::ApiError;
use crate::api::retry::resubmit;
use crate::api::tasks::{unknown_task, webhook_view};
use crate::lifecycle::CancelOutcome;
use crate::store::{EventQuery, Scope, TaskQuery, TaskRecord};
use crate::timestamps::millis;

/// Counts stop here: past it a tab says "10,000+", and a count costs the
/// same whatever the table holds.
pub(crate) const COUNT_CAP: u32 = 10_000;
/// A timeline shows at most this many events (a run reports progress at
/// most four times a second, so this is minutes of progress).
const TIMELINE_LIMIT: u32 = 1_000;
/// The five tabs, in order.
const TABS: [TaskState; 5] = [
    TaskState::Pending,
    TaskState::Running,
    TaskState::Completed,
    TaskState::Failed,
    TaskState::Cancelled,
];

/// The console's query: the API's filter and cursor, and the tenant an
/// operator narrows to (`tenant`, taken out before the filter is read).
pub(crate) struct ConsoleQuery {
    pub(crate) filter: TaskFilter,
    pub(crate) cursor: Option<String>,
    pub(crate) tenant: Option<String>,
}

impl ConsoleQuery {
    pub(crate) fn parse(raw: Option<&str>) -> Result<ConsoleQuery, ApiError> {
        let mut tenant = None;
        let mut rest = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if name == "tenant" {
                if tenant.is_some() {
                    return Err(ApiError::bad_parameter(
                        "tenant",
                        "`tenant` may be given only once",
                    ));
                }
                tenant = Some(value.trim().to_owned()).filter(|t| !t.is_empty());
            } else {
                rest.append_pair(&name, &value);
            }
        }
        let (filter, cursor) = TaskFilter::from_query(&rest.finish())
            .map_err(|e: FilterError| ApiError::bad_parameter(e.parameter(), e.to_string()))?;
        Ok(ConsoleQuery {
            filter,
            cursor,
            tenant,
        })
    }
}

/// The answer, marked never to be cached: a console's data is live.
pub(crate) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /console/api/tasks`: a page of the tasks the filter selects,
/// newest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = ConsoleQuery::parse(raw.as_deref())?;
    let scope = caller.scope(query.tenant.as_deref())?;
    let (tasks, next_cursor) = page(&state, scope, &query.filter, query.cursor.as_deref()).await?;
    let page = TaskListPage {
        tasks: tasks.iter().map(TaskRow::of).collect(),
        next_cursor,
    };
    Ok(no_store(axum::Json(page).into_response()))
}

/// `GET /console/api/counts`: how many tasks of each state the filter
/// (without its states) selects, each counted up to [`COUNT_CAP`].
pub(crate) async fn counts(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = ConsoleQuery::parse(raw.as_deref())?;
    let scope = caller.scope(query.tenant.as_deref())?;
    let selection = TaskQuery::from_filter(&query.filter, None, 0);
    let counts = state
        .shared
        .lifecycle
        .store()
        .count_states(scope, &selection, &TABS, COUNT_CAP)
        .await?;
    Ok(no_store(
        axum::Json(StateCounts::of(&counts, COUNT_CAP)).into_response(),
    ))
}

/// The task `id`: of the tenant the query names, of the caller's own, or
/// (an operator naming none) of whichever tenant has it — task ids are
/// unique across tenants.
async fn task_in_scope(
    state: &AppState,
    caller: &Caller,
    raw: Option<&str>,
    id: &str,
) -> Result<TaskRecord, ApiError> {
    let query = ConsoleQuery::parse(raw)?;
    let found = match caller.scope(query.tenant.as_deref())? {
        Scope::Tenant(tenant) => state.shared.lifecycle.get(tenant, id).await?,
        Scope::Every => {
            let by_id = TaskQuery {
                tasks: vec![id.to_owned()],
                limit: 1,
                ..TaskQuery::default()
            };
            state
                .shared
                .lifecycle
                .list(Scope::Every, &by_id)
                .await?
                .into_iter()
                .next()
        }
    };
    found.ok_or_else(|| unknown_task(id))
}

/// `GET /console/api/tasks/{id}`: the task, its input and result, its
/// webhook's delivery and the timeline of its events.
pub(crate) async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let task = task_in_scope(&state, &caller, raw.as_deref(), &id).await?;
    let lifecycle = &state.shared.lifecycle;
    let page = lifecycle
        .events(
            &task.tenant,
            &EventQuery {
                filter: TaskQuery {
                    tasks: vec![task.id.clone()],
                    ..TaskQuery::default()
                },
                after: 0,
                limit: TIMELINE_LIMIT,
            },
        )
        .await?;
    let webhook = match &task.webhook_url {
        Some(url) => {
            let delivery = lifecycle
                .store()
                .delivery_of(&task.tenant, &task.id)
                .await?;
            Some(webhook_view(url, delivery))
        }
        None => None,
    };
    let detail = TaskDetail {
        row: TaskRow::of(&task),
        input: task.input.clone(),
        result: task
            .result
            .clone()
            .filter(|_| task.state == TaskState::Completed),
        webhook,
        timeline_truncated: page.events.len() >= TIMELINE_LIMIT as usize,
        timeline: page.events.iter().map(TimelineEntry::of).collect(),
    };
    Ok(no_store(axum::Json(detail).into_response()))
}

/// `POST /console/api/tasks/{id}/cancel`.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    caller.may_change()?;
    let task = task_in_scope(&state, &caller, raw.as_deref(), &id).await?;
    let now = millis(&*state.shared.clock);
    match state
        .shared
        .lifecycle
        .cancel(&task.tenant, &task.id, now)
        .await?
    {
        CancelOutcome::Now(shared) => {
            tracing::info!(task = %id, "task cancelled from the console");
            Ok(axum::Json(TaskRow::of(&shared.record)).into_response())
        }
        CancelOutcome::AlreadyFinished(state) => Err(ApiError::conflict(format!(
            "task {id} already finished as {}; only PENDING or RUNNING tasks can be cancelled",
            super::view::state_name(&state)
        ))),
        CancelOutcome::NotFound => Err(unknown_task(&id)),
    }
}

/// `POST /console/api/tasks/{id}/retry`: the new task's row.
pub(crate) async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    caller.may_change()?;
    let task = task_in_scope(&state, &caller, raw.as_deref(), &id).await?;
    let new = resubmit(&state, &task.tenant, &task.id, None).await?;
    Ok(axum::Json(TaskRow::of(&new)).into_response())
}

/// `POST /console/api/tasks/cancel`: cancels every unfinished task the
/// filter selects; `{"cancelled": N}`. An empty filter is refused, as on
/// the API.
pub(crate) async fn cancel_matching(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    caller.may_change()?;
    let query = ConsoleQuery::parse(raw.as_deref())?;
    if query.filter.is_empty() && query.tenant.is_none() {
        return Err(ApiError::bad_parameter(
            "status",
            "refusing to cancel with an empty filter (it would cancel every task)",
        ));
    }
    let scope = caller.scope(query.tenant.as_deref())?;
    let selection = TaskQuery::from_filter(&query.filter, None, 0);
    let now = millis(&*state.shared.clock);
    let cancelled = state
        .shared
        .lifecycle
        .cancel_matching(scope, &selection, now)
        .await?;
    tracing::info!(cancelled, filter = %query.filter.to_query(), "tasks cancelled by filter from the console");
    Ok(axum::Json(orchestrator::CancelledCount::new(cancelled)).into_response())
}

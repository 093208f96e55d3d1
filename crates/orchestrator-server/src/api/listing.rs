//! `GET /v1/tasks` (a page of the caller's tasks, newest first) and
//! `POST /v1/tasks/cancel` (cancel every unfinished task a filter selects).
//! Both read the filter from the query with the SDK's own [`TaskFilter`],
//! so what a client writes is what the server reads.

use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use orchestrator::{CancelledCount, DEFAULT_PAGE_SIZE, FilterError, TaskFilter, TaskPage};

use super::AppState;
use super::cursor;
use super::problem::ApiError;
use super::tasks::status_body;
use crate::store::{Scope, TaskQuery, TaskRecord};
use crate::tenants::Tenant;
use crate::timestamps::millis;

/// The filter and cursor of a request's query: a `400` naming the
/// parameter at fault.
fn filter_of(query: Option<&str>) -> Result<(TaskFilter, Option<String>), ApiError> {
    TaskFilter::from_query(query.unwrap_or(""))
        .map_err(|e: FilterError| ApiError::bad_parameter(e.parameter(), e.to_string()))
}

pub(crate) async fn list_tasks(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (filter, cursor) = filter_of(query.as_deref())?;
    let (tasks, next) = page(&state, Scope::Tenant(&tenant), &filter, cursor.as_deref()).await?;
    let link = next.as_ref().map(|next| {
        let mut query = filter.to_query();
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("cursor=");
        query.push_str(next);
        format!("</v1/tasks?{query}>; rel=\"next\"")
    });
    let page = TaskPage::new(tasks.iter().map(status_body).collect(), next);
    let mut response = axum::Json(page).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert(header::LINK, link);
    }
    Ok(response)
}

/// A page of the tasks in `scope` that `filter` selects, from after
/// `cursor`, newest first, and the cursor of the page after it (if one
/// follows): the API's listing and the console's list alike.
pub(crate) async fn page(
    state: &AppState,
    scope: Scope<'_>,
    filter: &TaskFilter,
    cursor: Option<&str>,
) -> Result<(Vec<TaskRecord>, Option<String>), ApiError> {
    let limit = filter.requested_page_size().unwrap_or(DEFAULT_PAGE_SIZE);
    // One more than the page, to know whether another follows.
    let mut selection = TaskQuery::from_filter(filter, None, limit + 1);
    if let Some(cursor) = cursor {
        selection.after = Some(cursor::decode(cursor, &selection)?);
    }
    let mut tasks = state.shared.lifecycle.list(scope, &selection).await?;
    let next = if tasks.len() > limit as usize {
        tasks.truncate(limit as usize);
        tasks.last().map(|last| cursor::encode(last, &selection))
    } else {
        None
    };
    Ok((tasks, next))
}

pub(crate) async fn cancel_matching(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (filter, cursor) = filter_of(query.as_deref())?;
    if cursor.is_some() {
        return Err(ApiError::bad_parameter(
            "cursor",
            "a cancel by filter takes no cursor: it cancels every match",
        ));
    }
    if filter.requested_page_size().is_some() {
        return Err(ApiError::bad_parameter(
            "limit",
            "a cancel by filter takes no limit: it cancels every match",
        ));
    }
    if filter.is_empty() {
        return Err(ApiError::bad_parameter(
            "status",
            "refusing to cancel with an empty filter (it would cancel every task); \
             give at least one of status, bot_id, action, label, created_after, created_before",
        ));
    }
    let selection = TaskQuery::from_filter(&filter, None, 0);
    let now = millis(&*state.shared.clock);
    let cancelled = state
        .shared
        .lifecycle
        .cancel_matching(Scope::Tenant(&tenant), &selection, now)
        .await?;
    tracing::info!(cancelled, filter = %filter.to_query(), "tasks cancelled by filter");
    Ok(axum::Json(CancelledCount::new(cancelled)).into_response())
}

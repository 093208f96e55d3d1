//! Server-Sent Events from the event log: `GET /v1/events` (a tenant's
//! events, with the list's filters) and `GET /v1/tasks/{task_id}/events`
//! (one task's, from its current status to its terminal event).
//!
//! Each stream is a reader of the log: it reads a batch after its position,
//! hands the events to a bounded buffer, and waits for the next change
//! (the hub's signal, which changes on other instances reach through the
//! change feed; a timer besides, in case a signal is missed). Nothing is
//! read ahead of the buffer, so a stream costs at most `event_buffer`
//! events of memory however slow its consumer. A consumer that leaves the
//! buffer full for `event_stall` is too slow: its stream ends with an
//! `overflow` event carrying the id to resume after (`Last-Event-ID`).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use orchestrator::{FilterError, TaskFilter};
use tokio::sync::{broadcast, mpsc};

use super::AppState;
use super::event_feed::FedEvent;
use super::problem::ApiError;
use super::tasks::{status_body, unknown_task};
use crate::store::{EventQuery, EventRecord, TaskQuery};
use crate::tenants::Tenant;

/// Events read from the log at a time.
const BATCH: u32 = 100;
/// A stream reads the log again at least this often, in case a change
/// signal was missed.
const RECHECK: Duration = Duration::from_secs(1);
/// A comment this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a stream whose consumer fell behind waits for it to take the
/// `overflow` event.
const OVERFLOW_WAIT: Duration = Duration::from_secs(60);
/// How soon a client's `EventSource` reconnects after a dropped stream.
const RECONNECT_MS: u64 = 2_000;

/// The position a client resumes after: its `Last-Event-ID`.
fn resume_position(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_parameter(
                "Last-Event-ID",
                "`Last-Event-ID` is the id of an event this server sent (a whole number)",
            )
        })
}

pub(crate) async fn tenant_events(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (filter, cursor) = TaskFilter::from_query(query.as_deref().unwrap_or(""))
        .map_err(|e: FilterError| ApiError::bad_parameter(e.parameter(), e.to_string()))?;
    let refused = [
        ("cursor", cursor.is_some()),
        ("limit", filter.requested_page_size().is_some()),
        ("created_after", filter.after().is_some()),
        ("created_before", filter.before().is_some()),
    ];
    if let Some((name, _)) = refused.iter().find(|(_, given)| *given) {
        return Err(ApiError::bad_parameter(
            *name,
            format!(
                "an event stream takes no `{name}`: it filters by status, bot_id, action, \
                 label and task, and resumes with Last-Event-ID"
            ),
        ));
    }
    let resumed = resume_position(&headers)?;
    let newest = state.shared.lifecycle.newest_event(&tenant).await?;
    // Without a position, the stream starts now: after the newest event.
    let after = resumed.unwrap_or(newest);
    let query = EventQuery {
        filter: TaskQuery::from_filter(&filter, None, 0),
        after,
        limit: BATCH,
    };
    // Subscribed before the stream's first read of the log: what that read
    // does not see, the tenant's feed brings.
    let live = state.shared.feeds.subscribe(&tenant, newest, render);
    Ok(stream(state, tenant, query, resumed, Some(live)))
}

pub(crate) async fn task_events(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resumed = resume_position(&headers)?;
    let lifecycle = &state.shared.lifecycle;
    let (Some(last), Some(task)) = (
        lifecycle.last_event(&tenant, &task_id).await?,
        lifecycle.get(&tenant, &task_id).await?,
    ) else {
        return Err(unknown_task(&task_id));
    };
    // Resumed after its terminal event: nothing more will come, and 204 is
    // how a server tells an `EventSource` to stop reconnecting.
    if task.state.is_terminal() && resumed.is_some_and(|after| after >= last) {
        return Ok(axum::http::StatusCode::NO_CONTENT.into_response());
    }
    // Without a position it begins with the task's newest event: its
    // current status.
    let query = EventQuery {
        filter: TaskQuery {
            tasks: vec![task_id],
            ..TaskQuery::default()
        },
        after: resumed.unwrap_or(last - 1),
        limit: BATCH,
    };
    Ok(stream(state, tenant, query, resumed, None))
}

/// The response: a reader of the log feeding a bounded buffer. A tenant's
/// stream (`live`) follows the tenant's feed once it has caught up; one
/// task's stream reads that task's events itself.
fn stream(
    state: AppState,
    tenant: String,
    query: EventQuery,
    resumed: Option<i64>,
    live: Option<Live>,
) -> Response {
    let (tx, rx) = mpsc::channel::<Event>(state.shared.limits.event_buffer);
    tokio::spawn(follow(state, tenant, query, resumed, live, tx));
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), rx))
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies that buffer responses (nginx) would hold events back.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// What handing an event to the buffer came to.
enum Handed {
    Taken,
    /// The consumer left the buffer full too long, or went away.
    Stop,
}

async fn hand(tx: &mpsc::Sender<Event>, event: Event, stall: Duration, position: i64) -> Handed {
    match tokio::time::timeout(stall, tx.reserve()).await {
        Ok(Ok(permit)) => {
            permit.send(event);
            Handed::Taken
        }
        Ok(Err(_)) => Handed::Stop,
        Err(_) => {
            tracing::info!(
                position,
                "an event stream's consumer fell behind; ending it with a resume point"
            );
            let overflow = Event::default()
                .event("overflow")
                .id(position.to_string())
                .data(format!(
                    "{{\"resume_after\": {position}, \"message\": \"the consumer fell behind; \
                     reconnect with Last-Event-ID: {position}\"}}"
                ));
            // It goes once the consumer takes one more (the buffer stays
            // full until then, and holds no more than before); then the
            // stream ends. A consumer that never reads again is let go.
            let _ = tokio::time::timeout(OVERFLOW_WAIT, tx.send(overflow)).await;
            Handed::Stop
        }
    }
}

/// An event's `data:`: the task's status at that moment.
pub(crate) fn render(record: &EventRecord) -> Option<String> {
    serde_json::to_string(&status_body(&record.task)).ok()
}

fn event(record: &EventRecord, data: &str) -> Event {
    Event::default()
        .id(record.id.to_string())
        .event(record.kind.as_str())
        .data(data)
}

fn event_of(record: &EventRecord) -> Option<Event> {
    Some(event(record, &render(record)?))
}

/// A subscription to the tenant's feed.
type Live = broadcast::Receiver<Arc<FedEvent>>;

/// Reads the log after `query.after` and hands each event on, until the
/// consumer goes, falls behind, the server shuts down, or (one task's
/// stream) the task's terminal event is sent. A tenant's stream, once it
/// has caught up, takes the tenant's feed instead, and reads the log again
/// only if it falls behind the feed.
async fn follow(
    state: AppState,
    tenant: String,
    mut query: EventQuery,
    resumed: Option<i64>,
    mut live: Option<Live>,
    tx: mpsc::Sender<Event>,
) {
    let one_task = live.is_none();
    let _open = state.shared.metrics.event_stream_open();
    let stall = state.shared.limits.event_stall;
    let mut changes = state.shared.lifecycle.hub().any_change();
    let mut shutdown = state.shared.shutdown.clone();
    let mut first = true;
    // The first message sets the client's reconnect delay and, with an id
    // and no data, its resume position: a stream that started "now" can
    // then be resumed without losing what happens before its first event.
    let start = Event::default()
        .retry(Duration::from_millis(RECONNECT_MS))
        .id(query.after.to_string());
    if let Handed::Stop = hand(&tx, start, stall, query.after).await {
        return;
    }
    loop {
        changes.borrow_and_update();
        let page = match state.shared.lifecycle.events(&tenant, &query).await {
            Ok(page) => page,
            Err(e) => {
                // The client reconnects with its Last-Event-ID.
                tracing::warn!(error = %e, "an event stream could not read the log; ending it");
                return;
            }
        };
        if first {
            first = false;
            if let Some(after) = resumed
                && page.swept_through > after
            {
                let gap = Event::default().event("gap").data(format!(
                    "{{\"after\": {after}, \"swept_through\": {}, \"message\": \"events after \
                     {after} up to {} were deleted with their tasks\"}}",
                    page.swept_through, page.swept_through
                ));
                if let Handed::Stop = hand(&tx, gap, stall, query.after).await {
                    return;
                }
            }
        }
        let full = page.events.len() == query.limit as usize;
        for record in &page.events {
            if let Some(event) = event_of(record)
                && let Handed::Stop = hand(&tx, event, stall, query.after).await
            {
                return;
            }
            query.after = record.id;
            if one_task && record.kind.is_terminal() {
                return;
            }
        }
        if full {
            continue;
        }
        if let Some(feed) = live.as_mut() {
            match follow_feed(feed, &tx, &mut query, stall, &mut shutdown).await {
                FromFeed::Behind => continue,
                FromFeed::Stop => return,
            }
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(RECHECK) => {}
            () = tx.closed() => return,
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Why a stream stopped taking the tenant's feed.
enum FromFeed {
    /// It fell further behind than the feed keeps: catch up from the log.
    Behind,
    /// The consumer went, fell behind its buffer, or the server stops.
    Stop,
}

/// Hands on the feed's events that the stream's filter selects (and has not
/// sent already), advancing its position over every event it passes.
async fn follow_feed(
    feed: &mut Live,
    tx: &mpsc::Sender<Event>,
    query: &mut EventQuery,
    stall: Duration,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> FromFeed {
    loop {
        let received = tokio::select! {
            received = feed.recv() => received,
            () = tx.closed() => return FromFeed::Stop,
            _ = shutdown.changed() => return FromFeed::Stop,
        };
        match received {
            Ok(fed) => {
                let record = &fed.record;
                if record.id <= query.after {
                    continue;
                }
                if query.selects(record)
                    && let Some(data) = &fed.data
                    && let Handed::Stop = hand(tx, event(record, data), stall, query.after).await
                {
                    return FromFeed::Stop;
                }
                query.after = record.id;
            }
            Err(broadcast::error::RecvError::Lagged(_)) => return FromFeed::Behind,
            Err(broadcast::error::RecvError::Closed) => return FromFeed::Stop,
        }
    }
}

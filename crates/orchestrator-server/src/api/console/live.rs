//! `GET /console/api/events`: the console's live feed, Server-Sent Events
//! of every change of the tasks the page's filter (without its states)
//! selects, each as the task's row. It rides the same per-tenant readers of
//! the event log as the API's streams (an operator's page, on every
//! tenant's), so an open console adds no reads of the log of its own.
//!
//! The page needs no resume: after a dropped connection (or a `resync`
//! event, sent when this stream fell behind its tenant's feed) it reads its
//! page again. What a slow page costs is bounded by the feeds' own buffers.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::broadcast;

use super::session::Caller;
use super::tasks::ConsoleQuery;
use super::view::TaskRow;
use crate::api::AppState;
use crate::api::event_feed::FedEvent;
use crate::api::events::render;
use crate::api::problem::ApiError;
use crate::store::{Scope, TaskQuery};

/// A comment this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What one feed hands the stream.
enum Fed {
    Event(Arc<FedEvent>),
    /// The stream fell behind the feed: the page should read again.
    Behind,
}

/// The `data:` of a `task` event.
#[derive(Serialize)]
struct Change<'a> {
    kind: &'a str,
    task: TaskRow,
}

pub(crate) async fn events(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = ConsoleQuery::parse(raw.as_deref())?;
    let scope = caller.scope(query.tenant.as_deref())?;
    // The page places a change by state itself (a task that finishes
    // moves to another tab); the rest of the filter is applied here.
    let mut selection = TaskQuery::from_filter(&query.filter, None, 0);
    selection.statuses.clear();
    let tenants = match scope {
        Scope::Tenant(tenant) => vec![tenant.to_owned()],
        Scope::Every => state.shared.auth.tenant_names(),
    };
    let mut feeds = Vec::with_capacity(tenants.len());
    for tenant in &tenants {
        let newest = state.shared.lifecycle.newest_event(tenant).await?;
        feeds.push(state.shared.feeds.subscribe(tenant, newest, render));
    }
    let merged = futures_util::stream::select_all(feeds.into_iter().map(|rx| {
        futures_util::stream::unfold(rx, |mut rx| async move {
            match rx.recv().await {
                Ok(fed) => Some((Fed::Event(fed), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => Some((Fed::Behind, rx)),
                Err(broadcast::error::RecvError::Closed) => None,
            }
        })
        .boxed()
    }));
    let mut shutdown = state.shared.shutdown.clone();
    let until_shutdown = async move {
        let _ = shutdown.wait_for(|down| *down).await;
    };
    let events = merged
        .filter_map(move |fed| {
            let event = match fed {
                Fed::Event(fed) if selection.matches(&fed.record.task) => {
                    let change = Change {
                        kind: fed.record.kind.as_str(),
                        task: TaskRow::of(&fed.record.task),
                    };
                    serde_json::to_string(&change)
                        .ok()
                        .map(|data| Event::default().event("task").data(data))
                }
                Fed::Event(_) => None,
                Fed::Behind => Some(Event::default().event("resync").data("{}")),
            };
            std::future::ready(event.map(Ok::<_, Infallible>))
        })
        .take_until(until_shutdown);
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

//! `GET /console/api/overview`: the queue's depth, the running tasks, the
//! last hour's finishes in five-minute stretches (the page draws them), and
//! the instances serving the database with their workers and last
//! heartbeat.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use orchestrator::TaskState;

use super::session::Caller;
use super::tasks::{ConsoleQuery, no_store};
use super::view::{Overview, OverviewParts};
use crate::api::AppState;
use crate::api::problem::ApiError;
use crate::maintenance::{INSTANCE_FORGOTTEN_AFTER, PRESENCE_EVERY};
use crate::store::TaskQuery;
use crate::timestamps::{duration_ms, millis};

/// The chart's stretches: twelve of five minutes, the last one now.
const BUCKET_MS: i64 = 5 * 60 * 1000;
const BUCKETS: u32 = 12;
/// The queue and the running tasks are counted up to here.
const DEPTH_CAP: u32 = 1_000_000;

pub(crate) async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = ConsoleQuery::parse(raw.as_deref())?;
    let scope = caller.scope(query.tenant.as_deref())?;
    let store = state.shared.lifecycle.store();
    let now = millis(&*state.shared.clock);
    // Stretches aligned on the clock, so a chart redrawn a minute later
    // moves by whole stretches.
    let since = (now / BUCKET_MS) * BUCKET_MS - i64::from(BUCKETS - 1) * BUCKET_MS;
    let counts = store
        .count_states(
            scope,
            &TaskQuery::default(),
            &[TaskState::Pending, TaskState::Running],
            DEPTH_CAP,
        )
        .await?;
    let buckets = store.activity(scope, since, BUCKET_MS, BUCKETS).await?;
    // Instances are the operators' business: a tenant's key sees its tasks.
    let instances = if caller.role.is_operator() {
        store
            .instances(now - duration_ms(INSTANCE_FORGOTTEN_AFTER))
            .await?
    } else {
        Vec::new()
    };
    let overview = Overview::of(OverviewParts {
        counts,
        buckets,
        since,
        bucket_ms: BUCKET_MS,
        instances,
        alive_since: now - 3 * duration_ms(PRESENCE_EVERY),
        now,
    });
    Ok(no_store(axum::Json(overview).into_response()))
}

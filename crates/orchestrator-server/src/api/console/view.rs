//! The JSON the console's page reads: a task as a row and as a detail, its
//! timeline, the overview. Unlike the API's status (the contract's shape,
//! where a cancelled task is `FAILED` with the code `CANCELLED`), the
//! console shows the stored state: `CANCELLED` is its own tab — the one rule
//! of docs/server.md's state table, which says the console shows five states.

use orchestrator::{Labels, TaskError, TaskState, WebhookDelivery};
use serde::Serialize;
use serde_json::Value;

use crate::store::{ActivityBucket, EventRecord, InstanceBeat, StateCount, TaskRecord};
use crate::tenants::Role;
use crate::timestamps::rfc3339_ms;

/// A task as a row of the list (and the head of its detail).
#[derive(Debug, Serialize)]
pub(crate) struct TaskRow {
    task_id: String,
    tenant: String,
    state: &'static str,
    bot_id: String,
    action: String,
    labels: Labels,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress_percent: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress_message: Option<String>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<TaskError>,
}

/// The state's name as the console shows it.
pub(crate) fn state_name(state: &TaskState) -> &'static str {
    match state {
        TaskState::Pending => "PENDING",
        TaskState::Running => "RUNNING",
        TaskState::Completed => "COMPLETED",
        TaskState::Failed => "FAILED",
        TaskState::Cancelled => "CANCELLED",
        _ => "UNKNOWN",
    }
}

impl TaskRow {
    pub(crate) fn of(task: &TaskRecord) -> TaskRow {
        let running = task.state == TaskState::Running;
        TaskRow {
            task_id: task.id.clone(),
            tenant: task.tenant.clone(),
            state: state_name(&task.state),
            bot_id: task.bot_id.clone(),
            action: task.action.clone(),
            labels: task.labels.clone(),
            progress_percent: task.progress,
            progress_message: task.progress_message.clone().filter(|_| running),
            created_at: rfc3339_ms(task.created_at),
            started_at: task.started_at.map(rfc3339_ms),
            completed_at: task.completed_at.map(rfc3339_ms),
            attempts: task.attempts,
            retry_of: task.retry_of.clone(),
            error: task.error.clone(),
        }
    }
}

/// One event of a task's timeline.
#[derive(Debug, Serialize)]
pub(crate) struct TimelineEntry {
    id: i64,
    kind: String,
    at: String,
    state: &'static str,
    attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress_percent: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress_message: Option<String>,
}

impl TimelineEntry {
    pub(crate) fn of(event: &EventRecord) -> TimelineEntry {
        TimelineEntry {
            id: event.id,
            kind: event.kind.as_str().to_owned(),
            at: rfc3339_ms(event.at),
            state: state_name(&event.task.state),
            attempt: event.attempt,
            instance: event.instance.clone(),
            progress_percent: event.task.progress,
            progress_message: event.task.progress_message.clone(),
        }
    }
}

/// A task's detail: its row, what it was given and gave back, its webhook,
/// its timeline.
#[derive(Debug, Serialize)]
pub(crate) struct TaskDetail {
    #[serde(flatten)]
    pub(crate) row: TaskRow,
    pub(crate) input: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) webhook: Option<WebhookDelivery>,
    pub(crate) timeline: Vec<TimelineEntry>,
    /// Whether the timeline was cut at its first events (a very long run).
    pub(crate) timeline_truncated: bool,
}

/// A page of the list, with the counts of each state's tab.
#[derive(Debug, Serialize)]
pub(crate) struct TaskListPage {
    pub(crate) tasks: Vec<TaskRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_cursor: Option<String>,
}

/// The count of each state for a filter, and the cap counts stop at.
#[derive(Debug, Serialize)]
pub(crate) struct StateCounts {
    pub(crate) counts: serde_json::Map<String, Value>,
    /// A count equal to this means "at least this many".
    pub(crate) capped_at: u32,
}

impl StateCounts {
    pub(crate) fn of(counts: &[StateCount], cap: u32) -> StateCounts {
        StateCounts {
            counts: counts
                .iter()
                .map(|c| (state_name(&c.state).to_owned(), Value::from(c.count)))
                .collect(),
            capped_at: cap,
        }
    }
}

/// Who is signed in, and what the page may offer them.
#[derive(Debug, Serialize)]
pub(crate) struct SessionView {
    pub(crate) signed_in: bool,
    pub(crate) tenant: String,
    pub(crate) operator: bool,
    pub(crate) read_only: bool,
    /// Sent back in `X-CSRF-Token` with every change.
    pub(crate) csrf_token: String,
    pub(crate) expires_at: String,
    /// The tenants an operator can filter by (empty for others).
    pub(crate) tenants: Vec<String>,
}

impl SessionView {
    pub(crate) fn new(
        tenant: String,
        role: Role,
        csrf_token: String,
        expires_at: i64,
        tenants: Vec<String>,
    ) -> SessionView {
        SessionView {
            signed_in: true,
            tenant,
            operator: role.is_operator(),
            read_only: role.is_read_only(),
            csrf_token,
            expires_at: rfc3339_ms(expires_at),
            tenants: if role.is_operator() {
                tenants
            } else {
                Vec::new()
            },
        }
    }
}

/// One stretch of the overview's chart.
#[derive(Debug, Serialize)]
pub(crate) struct ActivityView {
    start: String,
    completed: u64,
    failed: u64,
    cancelled: u64,
}

/// An instance, as the overview lists it.
#[derive(Debug, Serialize)]
pub(crate) struct InstanceView {
    id: String,
    workers: u32,
    started_at: String,
    heartbeat_at: String,
    /// Whether it was heard from recently enough to be alive.
    alive: bool,
}

/// The overview: the queue, the running tasks, the last hour's finishes,
/// the instances.
#[derive(Debug, Serialize)]
pub(crate) struct Overview {
    pending: u64,
    running: u64,
    completed_last_hour: u64,
    failed_last_hour: u64,
    cancelled_last_hour: u64,
    bucket_minutes: u32,
    activity: Vec<ActivityView>,
    instances: Vec<InstanceView>,
    now: String,
}

/// What the overview is made from.
pub(crate) struct OverviewParts {
    pub(crate) counts: Vec<StateCount>,
    pub(crate) buckets: Vec<ActivityBucket>,
    pub(crate) since: i64,
    pub(crate) bucket_ms: i64,
    pub(crate) instances: Vec<InstanceBeat>,
    /// An instance heard from since this is alive.
    pub(crate) alive_since: i64,
    pub(crate) now: i64,
}

impl Overview {
    pub(crate) fn of(parts: OverviewParts) -> Overview {
        let count = |state: TaskState| {
            parts
                .counts
                .iter()
                .find(|c| c.state == state)
                .map_or(0, |c| c.count)
        };
        let sum = |f: fn(&ActivityBucket) -> u64| parts.buckets.iter().map(f).sum::<u64>();
        Overview {
            pending: count(TaskState::Pending),
            running: count(TaskState::Running),
            completed_last_hour: sum(|b| b.completed),
            failed_last_hour: sum(|b| b.failed),
            cancelled_last_hour: sum(|b| b.cancelled),
            bucket_minutes: u32::try_from(parts.bucket_ms / 60_000).unwrap_or(0),
            activity: parts
                .buckets
                .iter()
                .map(|b| ActivityView {
                    start: rfc3339_ms(parts.since + i64::from(b.index) * parts.bucket_ms),
                    completed: b.completed,
                    failed: b.failed,
                    cancelled: b.cancelled,
                })
                .collect(),
            instances: parts
                .instances
                .iter()
                .map(|i| InstanceView {
                    id: i.id.clone(),
                    workers: i.workers,
                    started_at: rfc3339_ms(i.started_at),
                    heartbeat_at: rfc3339_ms(i.heartbeat_at),
                    alive: i.heartbeat_at >= parts.alive_since,
                })
                .collect(),
            now: rfc3339_ms(parts.now),
        }
    }
}

//! The event log as the store sees it: which events a stream reads
//! ([`EventQuery`]), what it gets back ([`EventRecord`], [`EventPage`]),
//! and the one SQL statement both database backends run for it.
//!
//! The databases append events by trigger, in the transaction of the
//! change (see their schemas); the memory store appends them itself with
//! [`kind_of_change`], the same rule. An event keeps what changes over a
//! task's life — its state, its progress — and the task's own row supplies
//! the rest, so that the log stays small and lives as long as its task.

use orchestrator::{TaskEventKind, TaskState};

use super::{TaskQuery, TaskRecord};

/// The events a stream reads next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// The tasks' side of the filter: bot, action, labels, task ids; its
    /// states select the state each event left the task in.
    pub filter: TaskQuery,
    /// Events after this id (0: from the start).
    pub after: i64,
    /// The most events to return.
    pub limit: u32,
}

impl EventQuery {
    /// Whether this query's filter selects `record` (its state is the
    /// event's): what the backends' statement says, for events already read.
    pub(crate) fn selects(&self, record: &EventRecord) -> bool {
        self.filter.matches(&record.task)
    }
}

/// One event, with the task as it was just after it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Increasing within a tenant, in commit order.
    pub id: i64,
    /// What happened.
    pub kind: TaskEventKind,
    /// When, in milliseconds since the Unix epoch.
    pub at: i64,
    /// The attempt the task was on (its claims so far) just after it.
    pub attempt: u32,
    /// The instance that held the task just after it (`inst-<uuid>`), while
    /// one did: who claimed it on a `started` event.
    pub instance: Option<String>,
    /// The task, as it was just after the event.
    pub task: TaskRecord,
}

/// What a read of the log found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventPage {
    /// The events, oldest first.
    pub events: Vec<EventRecord>,
    /// The newest event of the tenant the retention sweep deleted with its
    /// task (0: none): a stream resuming from before it has missed some.
    pub swept_through: i64,
}

/// The kind of the event a change from `before` (none: a new task) to
/// `after` appends: the rule the database triggers follow too.
pub(crate) fn kind_of_change(before: Option<&TaskState>, after: &TaskState) -> TaskEventKind {
    match (before, after) {
        (None, _) => TaskEventKind::Submitted,
        (Some(TaskState::Running), TaskState::Running) => TaskEventKind::Progress,
        (_, TaskState::Running) => TaskEventKind::Started,
        (_, TaskState::Pending) => TaskEventKind::Requeued,
        (_, TaskState::Completed) => TaskEventKind::Completed,
        (_, TaskState::Failed) => TaskEventKind::Failed,
        _ => TaskEventKind::Cancelled,
    }
}

/// `task` (as it is now) as it was just after an event that left it in
/// `state` with this progress: what only a finished task has (its result,
/// error, finish time) belongs to a finished state.
pub(crate) fn as_of(
    mut task: TaskRecord,
    state: TaskState,
    progress: Option<u8>,
    progress_message: Option<String>,
) -> TaskRecord {
    if !state.is_terminal() {
        task.result = None;
        task.error = None;
        task.completed_at = None;
    }
    task.state = state;
    task.progress = progress;
    task.progress_message = progress_message;
    task
}

/// The columns of an event, after the task's, in [`events_statement`].
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) const EVENT_COLUMNS: &str =
    "e.id, e.type, e.at, e.status, e.progress, e.progress_message, e.attempt, e.instance";

/// The events `query` selects for `tenant`, oldest first: the task columns
/// (as `task_columns!`), then [`EVENT_COLUMNS`].
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn events_statement(
    tenant: &str,
    query: &EventQuery,
    placeholder: fn(usize) -> String,
) -> super::listing::Built {
    let mut b = super::listing::Builder {
        placeholder,
        params: Vec::new(),
        conditions: Vec::new(),
    };
    let (t, after) = (b.text(tenant), b.int(query.after));
    b.conditions
        .push(format!("e.tenant = {t} AND e.id > {after}"));
    match query.filter.statuses.as_slice() {
        [] => {}
        many => {
            let ps: Vec<String> = many.iter().map(|s| b.text(s.as_str())).collect();
            b.conditions
                .push(format!("e.status IN ({})", ps.join(", ")));
        }
    }
    b.task_conditions("t", &query.filter, 0);
    let limit = b.int(i64::from(query.limit));
    super::listing::Built {
        sql: format!(
            "SELECT {}, {EVENT_COLUMNS} FROM task_events e JOIN tasks t ON t.id = e.task_id \
             WHERE {} ORDER BY e.id LIMIT {limit}",
            super::listing::qualified_columns(),
            b.conditions.join(" AND ")
        ),
        params: b.params,
    }
}

/// The event columns of a row, as [`EVENT_COLUMNS`] names them.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) struct EventColumns {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) at: i64,
    pub(crate) status: String,
    pub(crate) progress: Option<i64>,
    pub(crate) progress_message: Option<String>,
    /// `None` on events logged before attempts were (they read as 0).
    pub(crate) attempt: Option<i64>,
    pub(crate) instance: Option<String>,
}

/// Decodes the event columns of a row (after the task's) onto its task.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn event_of(task: TaskRecord, c: EventColumns) -> EventRecord {
    let state = TaskState::parse(&c.status);
    let progress = c.progress.map(|p| p.clamp(0, 100) as u8);
    EventRecord {
        id: c.id,
        kind: TaskEventKind::parse(&c.kind),
        at: c.at,
        attempt: c.attempt.and_then(|a| u32::try_from(a).ok()).unwrap_or(0),
        instance: c.instance,
        task: as_of(task, state, progress, c.progress_message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_named_by_the_state_it_leaves_the_task_in() {
        use TaskState::*;
        assert_eq!(kind_of_change(None, &Pending), TaskEventKind::Submitted);
        assert_eq!(
            kind_of_change(Some(&Pending), &Running),
            TaskEventKind::Started
        );
        assert_eq!(
            kind_of_change(Some(&Running), &Running),
            TaskEventKind::Progress
        );
        assert_eq!(
            kind_of_change(Some(&Running), &Pending),
            TaskEventKind::Requeued
        );
        assert_eq!(
            kind_of_change(Some(&Running), &Failed),
            TaskEventKind::Failed
        );
        assert_eq!(
            kind_of_change(Some(&Pending), &Cancelled),
            TaskEventKind::Cancelled
        );
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    #[test]
    fn an_event_read_filters_the_events_state_and_the_tasks_labels() {
        let query = EventQuery {
            filter: TaskQuery {
                statuses: vec![TaskState::Failed],
                labels: vec![("run".into(), "42".into())],
                tasks: vec!["task-a".into()],
                ..TaskQuery::default()
            },
            after: 17,
            limit: 100,
        };
        let built = events_statement("acme", &query, |i| format!("${i}"));
        assert!(
            built.sql.contains("e.tenant = $1 AND e.id > $2"),
            "{}",
            built.sql
        );
        assert!(built.sql.contains("e.status IN ($3)"), "{}", built.sql);
        assert!(built.sql.contains("t.id IN ($4)"), "{}", built.sql);
        assert!(built.sql.contains("li.key = $5"), "{}", built.sql);
        assert!(
            built.sql.ends_with("ORDER BY e.id LIMIT $7"),
            "{}",
            built.sql
        );
    }
}

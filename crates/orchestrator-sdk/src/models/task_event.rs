//! One entry of a tenant's event log, as `GET /v1/events` and
//! `GET /v1/tasks/{task_id}/events` send it: a Server-Sent Event whose `id`
//! is the event's, whose `event` is its kind and whose `data` is the task's
//! status at that moment.

use std::fmt;

use serde_json::Value;

use super::TaskStatus;
use crate::error::{Error, Result};

/// What happened to a task.
///
/// ```
/// use orchestrator::TaskEventKind;
///
/// assert_eq!(TaskEventKind::parse("completed"), TaskEventKind::Completed);
/// assert!(TaskEventKind::Cancelled.is_terminal());
/// assert_eq!(TaskEventKind::parse("paused"), TaskEventKind::Other("paused".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskEventKind {
    /// The task was accepted (`PENDING`).
    Submitted,
    /// A worker claimed it (`RUNNING`; again after a requeue).
    Started,
    /// Its run reported progress (a percentage, what it is doing).
    Progress,
    /// Its run was given back to the queue (the worker stopped or was
    /// lost); it runs again.
    Requeued,
    /// It finished with a result.
    Completed,
    /// It finished with an error.
    Failed,
    /// Someone cancelled it.
    Cancelled,
    /// It was submitted again as a new task (whose status names this one
    /// in `retry_of`).
    Retried,
    /// A kind this version of the crate does not know, exactly as sent.
    Other(String),
}

impl TaskEventKind {
    /// Every kind this version knows, in the order a task meets them.
    pub const KNOWN: [TaskEventKind; 8] = [
        TaskEventKind::Submitted,
        TaskEventKind::Started,
        TaskEventKind::Progress,
        TaskEventKind::Requeued,
        TaskEventKind::Completed,
        TaskEventKind::Failed,
        TaskEventKind::Cancelled,
        TaskEventKind::Retried,
    ];

    /// The wire name (`completed`).
    ///
    /// ```
    /// assert_eq!(orchestrator::TaskEventKind::Progress.as_str(), "progress");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            TaskEventKind::Submitted => "submitted",
            TaskEventKind::Started => "started",
            TaskEventKind::Progress => "progress",
            TaskEventKind::Requeued => "requeued",
            TaskEventKind::Completed => "completed",
            TaskEventKind::Failed => "failed",
            TaskEventKind::Cancelled => "cancelled",
            TaskEventKind::Retried => "retried",
            TaskEventKind::Other(name) => name,
        }
    }

    /// Parses a wire name (exact, lowercase).
    pub fn parse(name: &str) -> TaskEventKind {
        TaskEventKind::KNOWN
            .into_iter()
            .find(|k| k.as_str() == name)
            .unwrap_or_else(|| TaskEventKind::Other(name.to_owned()))
    }

    /// Whether the task's life ended with this event (completed, failed,
    /// cancelled).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskEventKind::Completed | TaskEventKind::Failed | TaskEventKind::Cancelled
        )
    }
}

impl fmt::Display for TaskEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of a task: its event id (increasing within a tenant), its
/// kind and the task's status just after it.
///
/// ```
/// use orchestrator::{TaskEvent, TaskEventKind, TaskState, TaskStatus};
///
/// let event = TaskEvent::new(7, TaskEventKind::Started, TaskStatus::new("task-1", TaskState::Running));
/// let again = TaskEvent::from_parts(7, "started", &event.status().as_json().to_string()).unwrap();
/// assert_eq!(again, event);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TaskEvent {
    id: u64,
    kind: TaskEventKind,
    status: TaskStatus,
}

impl TaskEvent {
    /// An event to send.
    pub fn new(id: u64, kind: TaskEventKind, status: TaskStatus) -> TaskEvent {
        TaskEvent { id, kind, status }
    }

    /// Decodes an event from its Server-Sent Event fields.
    pub fn from_parts(id: u64, kind: &str, data: &str) -> Result<TaskEvent> {
        let raw: Value = serde_json::from_str(data)
            .map_err(|e| Error::protocol(format!("event {id} (`{kind}`) is not JSON: {e}")))?;
        let status = TaskStatus::from_json(raw).map_err(|e| e.context(format!("event {id}")))?;
        Ok(TaskEvent {
            id,
            kind: TaskEventKind::parse(kind),
            status,
        })
    }

    /// The event's id: resume after it with `Last-Event-ID`.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// What happened.
    pub fn kind(&self) -> &TaskEventKind {
        &self.kind
    }

    /// The task's status just after it.
    pub fn status(&self) -> &TaskStatus {
        &self.status
    }

    /// The status, owned.
    pub fn into_status(self) -> TaskStatus {
        self.status
    }
}

/// What an event stream carries besides task events.
///
/// ```
/// use orchestrator::{StreamEvent, TaskEvent, TaskEventKind, TaskState, TaskStatus};
///
/// let event = TaskEvent::new(1, TaskEventKind::Submitted, TaskStatus::new("task-1", TaskState::Pending));
/// let item = StreamEvent::Task(Box::new(event));
/// assert_eq!(item.task().map(|e| e.id()), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// A task changed (boxed: a status is large beside a gap).
    Task(Box<TaskEvent>),
    /// Events after the position the stream resumed from are gone (their
    /// tasks were deleted by the retention sweep), up to `swept_through`:
    /// what they said can no longer be replayed; list the tasks again if it
    /// matters.
    Gap {
        /// The position the stream resumed after.
        after: u64,
        /// The newest event the sweep removed.
        swept_through: u64,
    },
}

impl StreamEvent {
    /// The task event, if it is one.
    pub fn task(&self) -> Option<&TaskEvent> {
        match self {
            StreamEvent::Task(event) => Some(event),
            StreamEvent::Gap { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_kind_parses_back_from_its_wire_name() {
        for kind in TaskEventKind::KNOWN {
            assert_eq!(TaskEventKind::parse(kind.as_str()), kind);
        }
    }

    #[test]
    fn an_event_whose_data_is_not_a_status_is_a_protocol_error_naming_it() {
        let e = TaskEvent::from_parts(9, "completed", "{not json").unwrap_err();
        assert!(e.is_protocol());
        assert!(e.to_string().contains("event 9"), "{e}");
        let e = TaskEvent::from_parts(9, "completed", r#"{"task_id": "t"}"#).unwrap_err();
        assert!(e.to_string().contains("event 9"), "{e}");
    }
}

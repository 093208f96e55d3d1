//! One page of a listing: the body of `GET /v1/tasks`, and the answer of a
//! cancel by filter.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::TaskStatus;
use crate::error::{Error, Result};

/// One page of `GET /v1/tasks`: statuses, newest first, as
/// `GET /v1/tasks/{task_id}` returns them, and the cursor of the next page
/// (`None` on the last).
///
/// ```
/// use orchestrator::{TaskPage, TaskState, TaskStatus};
///
/// let page = TaskPage::new(vec![TaskStatus::new("task-2", TaskState::Pending)], Some("c2".into()));
/// let json = serde_json::to_value(&page).unwrap();
/// assert_eq!(json["tasks"][0]["task_id"], "task-2");
/// assert_eq!(TaskPage::from_json(json).unwrap(), page);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskPage {
    tasks: Vec<TaskStatus>,
    next_cursor: Option<String>,
}

impl TaskPage {
    /// A page to send.
    pub fn new(tasks: Vec<TaskStatus>, next_cursor: Option<String>) -> TaskPage {
        TaskPage { tasks, next_cursor }
    }

    /// Decodes a page; errors name the task at fault.
    pub fn from_json(raw: Value) -> Result<TaskPage> {
        #[derive(Deserialize)]
        struct Wire {
            tasks: Vec<Value>,
            #[serde(default)]
            next_cursor: Option<String>,
        }
        let wire: Wire = serde_json::from_value(raw).map_err(|e| {
            Error::protocol(format!(
                "the task list is not an object with a `tasks` array: {e}"
            ))
        })?;
        let tasks = wire
            .tasks
            .into_iter()
            .enumerate()
            .map(|(i, t)| TaskStatus::from_json(t).map_err(|e| e.context(format!("tasks[{i}]"))))
            .collect::<Result<_>>()?;
        Ok(TaskPage {
            tasks,
            next_cursor: wire.next_cursor.filter(|c| !c.is_empty()),
        })
    }

    /// The statuses, newest first.
    pub fn tasks(&self) -> &[TaskStatus] {
        &self.tasks
    }

    /// The statuses, to keep.
    pub fn into_tasks(self) -> Vec<TaskStatus> {
        self.tasks
    }

    /// Where the next page starts; `None` on the last page.
    pub fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

/// The answer of `POST /v1/tasks/cancel`: how many unfinished tasks the
/// filter matched and were cancelled.
///
/// ```
/// let answer: orchestrator::CancelledCount =
///     serde_json::from_value(serde_json::json!({"cancelled": 3})).unwrap();
/// assert_eq!(answer.cancelled, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CancelledCount {
    /// How many tasks the request cancelled.
    pub cancelled: u64,
}

impl CancelledCount {
    /// An answer to send.
    pub fn new(cancelled: u64) -> CancelledCount {
        CancelledCount { cancelled }
    }
}

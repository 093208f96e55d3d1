//! How a wait ended.

use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, Result};
use crate::models::{AnalyzeDocumentResult, TaskError, TaskState, TaskStatus};

/// The final state of a task a [`Poller`](crate::Poller) waited for. Each arm
/// holds the last status the server sent.
///
/// A failed or cancelled task is an `Outcome`, not an `Err`: the wait itself
/// succeeded. `Err` is for waits that could not finish (timeout, auth, …).
///
/// ```
/// use orchestrator::{Outcome, TaskStatus};
///
/// let status = TaskStatus::from_json(serde_json::json!({
///     "status": "FAILED",
///     "error": {"code": "DOCUMENT_UNREACHABLE", "message": "404 from example.com"}
/// })).unwrap();
/// let outcome = Outcome::from_status(status).unwrap();
/// assert!(!outcome.is_completed());
/// assert_eq!(outcome.error().unwrap().code, "DOCUMENT_UNREACHABLE");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// The task finished successfully.
    Completed(TaskStatus),
    /// The task failed; see [`Outcome::error`].
    Failed(TaskStatus),
    /// The task was cancelled.
    Cancelled(TaskStatus),
}

impl Outcome {
    /// The outcome a terminal status stands for; `None` while the task runs.
    /// A cancelled task is `Cancelled` in either form a server sends it:
    /// `FAILED` with the error code `CANCELLED` (the reference server's,
    /// which clients of the bare contract also see end), or a state of its
    /// own (`CANCELLED`, `CANCELED`).
    ///
    /// ```
    /// use orchestrator::{Outcome, TaskStatus};
    ///
    /// for body in [
    ///     serde_json::json!({"status": "FAILED", "error": {"code": "CANCELLED", "message": "by a client"}}),
    ///     serde_json::json!({"status": "CANCELED"}),
    /// ] {
    ///     let outcome = Outcome::from_status(TaskStatus::from_json(body).unwrap()).unwrap();
    ///     assert!(matches!(outcome, Outcome::Cancelled(_)));
    /// }
    /// ```
    pub fn from_status(status: TaskStatus) -> Option<Outcome> {
        match status.state() {
            TaskState::Completed => Some(Outcome::Completed(status)),
            _ if status.is_cancelled() => Some(Outcome::Cancelled(status)),
            TaskState::Failed => Some(Outcome::Failed(status)),
            _ => None,
        }
    }

    /// The last status observed.
    pub fn status(&self) -> &TaskStatus {
        match self {
            Outcome::Completed(s) | Outcome::Failed(s) | Outcome::Cancelled(s) => s,
        }
    }

    /// Consumes the outcome, returning the last status observed.
    pub fn into_status(self) -> TaskStatus {
        match self {
            Outcome::Completed(s) | Outcome::Failed(s) | Outcome::Cancelled(s) => s,
        }
    }

    /// Whether the task completed successfully.
    pub fn is_completed(&self) -> bool {
        matches!(self, Outcome::Completed(_))
    }

    /// The task's error, if it failed and the server said why.
    pub fn error(&self) -> Option<&TaskError> {
        match self {
            Outcome::Failed(s) => s.error(),
            _ => None,
        }
    }

    /// The result decoded as `T`. A failed or cancelled task has none: that
    /// is an [`ErrorKind::NoResult`] error carrying the task's error message.
    ///
    /// ```
    /// let status = orchestrator::TaskStatus::from_json(
    ///     serde_json::json!({"status": "COMPLETED", "result": [1, 2, 3]}),
    /// ).unwrap();
    /// let outcome = orchestrator::Outcome::from_status(status).unwrap();
    /// assert_eq!(outcome.result::<Vec<u8>>().unwrap(), vec![1, 2, 3]);
    /// ```
    pub fn result<T: DeserializeOwned>(&self) -> Result<T> {
        match self {
            Outcome::Completed(s) => s.result_as(),
            Outcome::Failed(s) => Err(Error::new(
                ErrorKind::NoResult,
                format!(
                    "the task failed ({}), so it has no result",
                    s.error()
                        .map_or_else(|| "no details".to_owned(), ToString::to_string)
                ),
            )),
            Outcome::Cancelled(_) => Err(Error::new(
                ErrorKind::NoResult,
                "the task was cancelled, so it has no result",
            )),
        }
    }

    /// The typed result of an `analyze-document` task.
    pub fn analyze_document_result(&self) -> Result<AnalyzeDocumentResult> {
        self.result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_a_failed_task_for_its_result_is_not_a_protocol_error() {
        let failed = TaskStatus::from_json(serde_json::json!({
            "status": "FAILED", "error": {"code": "E", "message": "boom"}
        }))
        .unwrap();
        let err = Outcome::from_status(failed)
            .unwrap()
            .result::<serde_json::Value>()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoResult);
        assert!(err.to_string().contains("E: boom"), "{err}");
    }
}

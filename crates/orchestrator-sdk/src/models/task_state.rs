//! A task's state, with an arm for states this crate does not know.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The lifecycle state of a task, as reported in the `status` field.
///
/// Decoding is case-insensitive and accepts both `CANCELLED` and `CANCELED`.
/// A state this crate does not know is kept as [`TaskState::Unknown`] and
/// treated as *not finished*, so a server that grows a new state (`QUEUED`,
/// `RETRYING`, …) never breaks a waiting client.
///
/// ```
/// use orchestrator::TaskState;
///
/// let s: TaskState = serde_json::from_str("\"canceled\"").unwrap();
/// assert_eq!(s, TaskState::Cancelled);
/// assert!(s.is_terminal());
///
/// let s: TaskState = serde_json::from_str("\"QUEUED\"").unwrap();
/// assert_eq!(s, TaskState::Unknown("QUEUED".into()));
/// assert!(!s.is_terminal());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Accepted, waiting for a worker.
    Pending,
    /// A worker is on it.
    Running,
    /// Finished successfully; the status carries a `result`.
    Completed,
    /// Finished unsuccessfully; the status carries an `error`.
    Failed,
    /// Stopped at someone's request before it finished.
    Cancelled,
    /// A state this version of the crate does not know, exactly as sent.
    Unknown(String),
}

impl TaskState {
    /// Every state this version of the crate knows, in lifecycle order.
    ///
    /// ```
    /// let names: Vec<&str> = orchestrator::TaskState::KNOWN.iter().map(|s| s.as_str()).collect();
    /// assert_eq!(names, ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]);
    /// ```
    pub const KNOWN: [TaskState; 5] = [
        TaskState::Pending,
        TaskState::Running,
        TaskState::Completed,
        TaskState::Failed,
        TaskState::Cancelled,
    ];

    /// Parses a wire value (case-insensitive).
    ///
    /// ```
    /// use orchestrator::TaskState;
    /// assert_eq!(TaskState::parse("Running"), TaskState::Running);
    /// ```
    pub fn parse(value: &str) -> TaskState {
        match value.trim().to_ascii_uppercase().as_str() {
            "PENDING" => TaskState::Pending,
            "RUNNING" => TaskState::Running,
            "COMPLETED" => TaskState::Completed,
            "FAILED" => TaskState::Failed,
            "CANCELLED" | "CANCELED" => TaskState::Cancelled,
            _ => TaskState::Unknown(value.to_owned()),
        }
    }

    /// The canonical wire spelling (`PENDING`, …; an unknown state as sent).
    ///
    /// ```
    /// assert_eq!(orchestrator::TaskState::Cancelled.as_str(), "CANCELLED");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            TaskState::Pending => "PENDING",
            TaskState::Running => "RUNNING",
            TaskState::Completed => "COMPLETED",
            TaskState::Failed => "FAILED",
            TaskState::Cancelled => "CANCELLED",
            TaskState::Unknown(s) => s,
        }
    }

    /// Whether the task has finished: `Completed`, `Failed` or `Cancelled`.
    ///
    /// ```
    /// use orchestrator::TaskState;
    /// assert!(TaskState::Failed.is_terminal());
    /// assert!(!TaskState::Running.is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskState::Completed | TaskState::Failed | TaskState::Cancelled
        )
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TaskState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(TaskState::parse(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_state_round_trips_through_its_wire_spelling() {
        for s in TaskState::KNOWN {
            assert_eq!(TaskState::parse(s.as_str()), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<TaskState>(&json).unwrap(), s);
        }
    }

    #[test]
    fn states_are_case_insensitive_and_both_cancel_spellings_are_accepted() {
        assert_eq!(TaskState::parse("completed"), TaskState::Completed);
        assert_eq!(TaskState::parse("Canceled"), TaskState::Cancelled);
        assert_eq!(TaskState::parse("CANCELLED"), TaskState::Cancelled);
    }

    #[test]
    fn an_unknown_state_keeps_its_spelling_and_is_not_terminal() {
        let s = TaskState::parse("Retrying");
        assert_eq!(s.as_str(), "Retrying");
        assert!(!s.is_terminal());
    }

    #[test]
    fn a_non_string_state_is_a_decode_error() {
        assert!(serde_json::from_str::<TaskState>("42").is_err());
    }
}

//! A task's identifier as the server gave it.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The server's identifier of a task, e.g. `task-f4b5c6d7-e8f9-1234-5678-90abcdef1234`.
///
/// A newtype so a task id is never confused with a bot id or a URL.
/// Cloning it is cheap: the text is shared, so the handle of a submit, the
/// waits on it and the client's event stream keep one copy between them.
///
/// ```
/// use orchestrator::TaskId;
///
/// let id = TaskId::new("task-42");
/// assert_eq!(id.as_str(), "task-42");
/// assert_eq!(id.to_string(), "task-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(Arc<str>);

impl TaskId {
    /// Wraps a task id as the server wrote it.
    pub fn new(id: impl Into<String>) -> Self {
        TaskId(Arc::from(id.into()))
    }

    /// The shared text, for a map keyed by task id that should not copy it.
    pub(crate) fn shared(&self) -> Arc<str> {
        Arc::clone(&self.0)
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id as servers write it in JSON: a string, or a number taken as its
    /// decimal text (ids are strings by contract; some servers send numbers).
    pub(crate) fn from_json(value: &serde_json::Value) -> Option<TaskId> {
        match value {
            serde_json::Value::String(s) => Some(TaskId::new(s.clone())),
            serde_json::Value::Number(n) => Some(TaskId::new(n.to_string())),
            _ => None,
        }
    }

    /// The id as an owned `String`.
    pub fn into_inner(self) -> String {
        self.0.to_string()
    }
}

/// A JSON string, as the server wrote it.
impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(TaskId::from)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for TaskId {
    fn from(s: String) -> Self {
        TaskId(Arc::from(s))
    }
}

impl From<&str> for TaskId {
    fn from(s: &str) -> Self {
        TaskId(Arc::from(s))
    }
}

impl AsRef<str> for TaskId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

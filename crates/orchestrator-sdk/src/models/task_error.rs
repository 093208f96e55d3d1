//! Why a task failed: the `error` object of a status.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Why a task ended `FAILED`: the `error` object of its status.
///
/// Servers that send a bare string (`"error": "boom"`) are accepted too: the
/// string becomes the message and the code is empty.
///
/// ```
/// use orchestrator::TaskError;
///
/// let e: TaskError = serde_json::from_str(
///     r#"{"code": "DOCUMENT_UNREACHABLE", "message": "404 from example.com", "retryable": false}"#,
/// ).unwrap();
/// assert_eq!(e.code, "DOCUMENT_UNREACHABLE");
/// assert_eq!(e.extra["retryable"], false);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TaskError {
    /// A machine-readable code such as `DOCUMENT_UNREACHABLE` (may be empty).
    pub code: String,
    /// A human-readable explanation (may be empty).
    pub message: String,
    /// Structured details, when the server gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// Any other fields the server sent, kept as they were.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl TaskError {
    /// The code of a task that was cancelled, on servers that say so the
    /// way the contract's clients understand: `"status": "FAILED"` with
    /// this code (as Google's long-running operations end a cancelled one
    /// `done` with the code `CANCELLED`). The reference server does; this
    /// crate reads it, and a bare `CANCELLED` state, as
    /// [`Outcome::Cancelled`](crate::Outcome::Cancelled).
    pub const CANCELLED: &'static str = "CANCELLED";

    /// The error of a cancelled task: code [`CANCELLED`](Self::CANCELLED).
    ///
    /// ```
    /// let e = orchestrator::TaskError::cancelled("cancelled by a client");
    /// assert_eq!(e.code, "CANCELLED");
    /// assert!(e.is_cancellation());
    /// ```
    pub fn cancelled(message: impl Into<String>) -> Self {
        TaskError::new(Self::CANCELLED, message)
    }

    /// Whether this error says the task was cancelled, not that it failed.
    pub fn is_cancellation(&self) -> bool {
        self.code == Self::CANCELLED
    }

    /// Builds an error from a code and a message.
    ///
    /// ```
    /// let e = orchestrator::TaskError::new("E1", "went wrong");
    /// assert_eq!(e.to_string(), "E1: went wrong");
    /// ```
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        TaskError {
            code: code.into(),
            message: message.into(),
            details: None,
            extra: serde_json::Map::new(),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code.is_empty(), self.message.is_empty()) {
            (false, false) => write!(f, "{}: {}", self.code, self.message),
            (false, true) => f.write_str(&self.code),
            (true, false) => f.write_str(&self.message),
            (true, true) => f.write_str("no error details given"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Wire {
    Object {
        #[serde(default)]
        code: Option<serde_json::Value>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        details: Option<serde_json::Value>,
        #[serde(flatten)]
        extra: serde_json::Map<String, serde_json::Value>,
    },
    Text(String),
}

impl<'de> Deserialize<'de> for TaskError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Wire::deserialize(deserializer)? {
            Wire::Text(message) => TaskError::new("", message),
            Wire::Object {
                code,
                message,
                details,
                extra,
            } => TaskError {
                // Codes are strings by contract; a numeric code is still shown.
                code: match code {
                    Some(serde_json::Value::String(s)) => s,
                    Some(serde_json::Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                },
                message: message.unwrap_or_default(),
                details,
                extra,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_string_error_becomes_the_message() {
        let e: TaskError = serde_json::from_str("\"disk full\"").unwrap();
        assert_eq!(e.message, "disk full");
        assert_eq!(e.to_string(), "disk full");
    }

    #[test]
    fn a_numeric_code_is_kept_as_text() {
        let e: TaskError = serde_json::from_str(r#"{"code": 17}"#).unwrap();
        assert_eq!(e.code, "17");
        assert_eq!(e.to_string(), "17");
    }

    #[test]
    fn an_empty_error_object_still_displays_something() {
        let e: TaskError = serde_json::from_str("{}").unwrap();
        assert_eq!(e.to_string(), "no error details given");
    }
}

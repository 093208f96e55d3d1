use std::fmt;

use serde::{Deserialize, Serialize};

/// RFC 9457 "problem details": the body of an error response served as
/// `application/problem+json`.
///
/// ```
/// use orchestrator::Problem;
///
/// let p: Problem = serde_json::from_str(
///     r#"{"title": "Invalid body", "status": 422, "detail": "document_url: must be http or https", "field": "document_url"}"#,
/// ).unwrap();
/// assert_eq!(p.to_string(), "Invalid body: document_url: must be http or https");
/// assert_eq!(p.extensions["field"], "document_url");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` when absent).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub problem_type: Option<String>,
    /// A short summary of the problem type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The HTTP status code the server meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// What went wrong with this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A URI for this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Extension members (e.g. which field was invalid).
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.title, &self.detail) {
            (Some(t), Some(d)) => write!(f, "{t}: {d}"),
            (Some(t), None) => f.write_str(t),
            (None, Some(d)) => f.write_str(d),
            (None, None) => f.write_str(self.problem_type.as_deref().unwrap_or("about:blank")),
        }
    }
}

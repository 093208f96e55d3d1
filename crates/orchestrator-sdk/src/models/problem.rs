//! RFC 9457 problem details: the body of an error response.

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

impl Problem {
    /// A problem with an HTTP status and a short title; add the rest with
    /// the `with_*` methods.
    ///
    /// ```
    /// use orchestrator::Problem;
    ///
    /// let p = Problem::new(422, "Invalid request field")
    ///     .with_type("https://example.com/problems/invalid-field")
    ///     .with_detail("document_url is required")
    ///     .with_extension("field", "document_url");
    /// assert_eq!(
    ///     serde_json::to_value(&p).unwrap(),
    ///     serde_json::json!({
    ///         "type": "https://example.com/problems/invalid-field",
    ///         "title": "Invalid request field",
    ///         "status": 422,
    ///         "detail": "document_url is required",
    ///         "field": "document_url"
    ///     }),
    /// );
    /// ```
    pub fn new(status: u16, title: impl Into<String>) -> Problem {
        Problem {
            status: Some(status),
            title: Some(title.into()),
            ..Problem::default()
        }
    }

    /// Sets `type`: a URI naming the problem type.
    #[must_use]
    pub fn with_type(mut self, uri: impl Into<String>) -> Problem {
        self.problem_type = Some(uri.into());
        self
    }

    /// Sets `detail`: what went wrong with this request.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    /// Sets `instance`: a URI for this occurrence.
    #[must_use]
    pub fn with_instance(mut self, uri: impl Into<String>) -> Problem {
        self.instance = Some(uri.into());
        self
    }

    /// Adds an extension member.
    #[must_use]
    pub fn with_extension(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Problem {
        self.extensions.insert(name.into(), value.into());
        self
    }
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

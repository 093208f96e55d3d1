//! An HTTP answer and what it means: a non-success status classified as an
//! [`Error`] (kind, transience, problem details), and a status body decoded
//! as a [`TaskStatus`] — free functions of the reply alone.

use std::time::Duration;

use hyper::body::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use tracing::Span;
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::models::{Problem, TaskStatus};
use crate::task_ref::TaskRef;

/// How many bytes of a non-problem error body are kept for messages.
const ERROR_BODY_EXCERPT: usize = 4096;

/// An HTTP answer, whatever its status, with the body read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// How long the request took, in real time.
    pub(crate) elapsed: Duration,
    /// Whether the request carried the bearer token (it goes to the base
    /// URL's origin alone): tells a `401` for a missing token from one for
    /// a refused token.
    pub(crate) credentials_sent: bool,
    /// The request's span, still open so the caller can record what it
    /// decided next ([`record_next`](super::record_next)).
    pub(crate) span: Span,
}

impl Reply {
    /// Whether the body is empty or only whitespace.
    pub(crate) fn body_is_blank(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }
}

/// Whether a status is worth retrying: the server or something in between is
/// overloaded or briefly broken.
pub(crate) fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Turns a non-success reply to `method url` into an error that says what
/// happened.
pub(crate) fn error_for_reply(method: &Method, url: &Url, reply: &Reply) -> Error {
    let status = reply.status;
    let (problem, raw) = problem_or_excerpt(reply);
    let because = problem
        .as_ref()
        .map(|p| format!(": {p}"))
        .or_else(|| {
            raw.as_ref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!(": {}", one_line(r, 300)))
        })
        .unwrap_or_default();
    let (kind, message) = match status.as_u16() {
        401 | 403 if !reply.credentials_sent => (
            ErrorKind::Auth,
            format!("{status} for {method} {url}: no bearer token is configured{because}"),
        ),
        401 => (
            ErrorKind::Auth,
            format!("{status} for {method} {url}: the server refused the bearer token{because}"),
        ),
        // The key was known, and may not do this (a read-only key, say).
        403 => (
            ErrorKind::Auth,
            format!(
                "{status} for {method} {url}: the server does not let this bearer token do \
                 that{because}"
            ),
        ),
        404 | 410 => (
            ErrorKind::NotFound,
            format!("{status} for {method} {url}{because}"),
        ),
        400..=499 => (
            ErrorKind::Rejected,
            format!("{status} for {method} {url}{because}"),
        ),
        500..=599 => (
            ErrorKind::Server,
            format!("{status} for {method} {url}{because}"),
        ),
        _ => (
            ErrorKind::Protocol,
            format!("unexpected {status} for {method} {url}{because}"),
        ),
    };
    Error::new(kind, message)
        .with_status(status)
        .with_problem(problem, raw)
        .transient(is_transient_status(status))
}

/// Classifies the reply to a status request for `task`: a decoded status,
/// or an error that says whether retrying makes sense.
pub(crate) fn decode_status(
    method: &Method,
    url: &Url,
    task: &TaskRef,
    reply: &Reply,
) -> Result<TaskStatus, Error> {
    if !reply.status.is_success() {
        let err = error_for_reply(method, url, reply);
        let err = if err.kind() == ErrorKind::NotFound {
            err.context(format!(
                "task `{task}` was not found: it never existed, or it has expired"
            ))
        } else {
            err
        };
        return Err(err.with_task(task.clone()));
    }
    // A body that is not JSON at all is typically an HTML error page from
    // a proxy or load balancer, even under a 200: worth another try, and
    // the error says what came, should the tries run out. JSON of the
    // wrong shape is the server breaking the contract: not retried.
    let value: serde_json::Value = serde_json::from_slice(&reply.body).map_err(|e| {
        let media = reply
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no Content-Type");
        let what = if media.starts_with("text/html") {
            format!("an HTML page ({media}) where a JSON task status was expected")
        } else {
            format!("a body that is not JSON ({media}: {e})")
        };
        Error::protocol(format!("{} for {method} {url} is {what}", reply.status))
            .transient(true)
            .with_task(task.clone())
    })?;
    let status = TaskStatus::from_json(value).map_err(|e| e.with_task(task.clone()))?;
    // The status of another task than the one asked for is the server (or
    // something in front of it) mixing answers up: not to be believed.
    if let (Some(asked), Some(got)) = (task.task_id(), status.task_id())
        && asked != *got
    {
        return Err(Error::protocol(format!(
            "{method} {url} answered with the status of task `{got}`, not of `{asked}`"
        ))
        .with_task(task.clone()));
    }
    Ok(status)
}

/// RFC 9457 problem details when the body has them; otherwise the start of the
/// raw body.
fn problem_or_excerpt(reply: &Reply) -> (Option<Problem>, Option<String>) {
    let looks_like_problem = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .filter(|v| {
            v.as_object().is_some_and(|o| {
                ["type", "title", "detail"]
                    .iter()
                    .any(|k| o.get(*k).is_some_and(|v| v.is_string()))
            })
        })
        .and_then(|v| serde_json::from_value::<Problem>(v).ok());
    if looks_like_problem.is_some() {
        return (looks_like_problem, None);
    }
    if reply.body.is_empty() {
        return (None, None);
    }
    let end = reply.body.len().min(ERROR_BODY_EXCERPT);
    (
        None,
        Some(String::from_utf8_lossy(&reply.body[..end]).into_owned()),
    )
}

fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max_chars {
        let cut: String = flat.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

/// What a server without the endpoint answers.
pub(crate) fn absent(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
    )
}

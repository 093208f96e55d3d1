//! Naming a task: by id, by status URL, or by the handle a submit returned.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use crate::accepted::Accepted;
use crate::error::Error;
use crate::models::TaskId;

/// Which task to look at. Anything that names a task converts into it:
/// a [`TaskId`], an id string, a status URL (absolute, or a path such as
/// `/v1/tasks/task-1`), or an [`Accepted`] handle (which also carries the
/// server's first `Retry-After`).
///
/// ```
/// use orchestrator::TaskRef;
///
/// let by_id = TaskRef::from("task-42");
/// assert_eq!(by_id.task_id().unwrap().as_str(), "task-42");
///
/// let by_url = TaskRef::from("https://api.example.com/v1/tasks/task-42");
/// assert_eq!(by_url.task_id().unwrap().as_str(), "task-42");
/// assert_eq!(by_url.to_string(), "task-42");
/// ```
///
/// # Resuming a wait elsewhere
///
/// A `TaskRef` serialises (with serde) to a small token that another
/// process can turn back into a `TaskRef` and wait on: the task id and the
/// status URL the server gave, so a server whose `Location` is not the
/// standard `/v1/tasks/{id}` is still followed to the right place. The form
/// is stable: `{"task_id": "…", "status_url": "…"}`, either field optional
/// (at least one present), unknown fields ignored.
///
/// ```
/// use orchestrator::TaskRef;
///
/// let saved = serde_json::to_string(&TaskRef::from("https://api.example.com/ops/7f?sig=abc")).unwrap();
/// assert_eq!(saved, r#"{"status_url":"https://api.example.com/ops/7f?sig=abc"}"#);
///
/// // Later, in another process: `client.poll(task)` continues the wait.
/// let task: TaskRef = serde_json::from_str(&saved).unwrap();
/// assert_eq!(task.status_url(), Some("https://api.example.com/ops/7f?sig=abc"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRef {
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Repr {
    Id(TaskId),
    /// A status URL; the id, when given alongside (a resumed token), wins
    /// over the one read from the URL.
    Url(String, Option<TaskId>),
    /// Shares the acceptance: cloning a reference copies no status.
    Accepted(Accepted),
}

impl TaskRef {
    pub(crate) fn repr(&self) -> &Repr {
        &self.repr
    }

    /// The task's id: given directly, from the submit response, or read from
    /// the last segment of a `…/tasks/{id}` status URL.
    pub fn task_id(&self) -> Option<TaskId> {
        match &self.repr {
            Repr::Id(id) => Some(id.clone()),
            Repr::Accepted(a) => a.task_id().cloned(),
            Repr::Url(_, Some(id)) => Some(id.clone()),
            Repr::Url(u, None) => task_id_from_url(u),
        }
    }

    /// The status URL, when known without a client: the `Location` of the
    /// submit, or the URL this reference was made from (possibly a path,
    /// resolved against the client's base URL when polled). `None` for a
    /// bare id, which polls `{base}/v1/tasks/{id}`.
    pub fn status_url(&self) -> Option<&str> {
        match &self.repr {
            Repr::Id(_) => None,
            Repr::Url(u, _) => Some(u),
            Repr::Accepted(a) => Some(a.status_url().as_str()),
        }
    }

    /// The handle from the submit, when this reference was made from one.
    pub fn accepted(&self) -> Option<&Accepted> {
        match &self.repr {
            Repr::Accepted(a) => Some(a),
            _ => None,
        }
    }
}

/// The task an error is about: attached here rather than in `error.rs`,
/// which stays below every other module.
impl Error {
    pub(crate) fn with_task(self, task: TaskRef) -> Self {
        self.with_subject(task)
    }

    /// The task this error is about, when known: a timed-out wait carries it
    /// so the caller can resume with [`Client::poll`](crate::Client::poll).
    ///
    /// ```
    /// # async fn demo(client: orchestrator::Client) -> Result<(), orchestrator::Error> {
    /// use std::time::Duration;
    ///
    /// match client.poll("task-123").timeout(Duration::from_secs(5)).await {
    ///     Err(e) if e.is_timeout() => {
    ///         let task = e.task().expect("a timeout names its task").clone();
    ///         let outcome = client.poll(task).await?; // wait some more
    ///         println!("{}", outcome.status().state());
    ///     }
    ///     other => println!("{other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn task(&self) -> Option<&TaskRef> {
        self.subject()
    }
}

/// Reads `{id}` from a URL or path ending in `/tasks/{id}`.
pub(crate) fn task_id_from_url(url: &str) -> Option<TaskId> {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let (_, tail) = without_query.rsplit_once("/tasks/")?;
    let tail = tail.trim_end_matches('/');
    if tail.is_empty() || tail.contains('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(tail).decode_utf8_lossy();
    Some(TaskId::new(decoded.into_owned()))
}

/// Shown as the task id when known (what a user types to resume a wait),
/// otherwise as the status URL.
impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.task_id(), &self.repr) {
            (Some(id), _) => write!(f, "{id}"),
            (None, Repr::Url(u, _)) => f.write_str(u),
            (None, Repr::Accepted(a)) => write!(f, "{}", a.status_url()),
            (None, Repr::Id(id)) => write!(f, "{id}"),
        }
    }
}

impl From<TaskId> for TaskRef {
    fn from(id: TaskId) -> Self {
        TaskRef { repr: Repr::Id(id) }
    }
}

impl From<&TaskId> for TaskRef {
    fn from(id: &TaskId) -> Self {
        id.clone().into()
    }
}

/// A string containing `://` or starting with `/` is a status URL; anything
/// else is a task id.
impl From<&str> for TaskRef {
    fn from(s: &str) -> Self {
        let s = s.trim();
        if s.contains("://") || s.starts_with('/') {
            TaskRef {
                repr: Repr::Url(s.to_owned(), None),
            }
        } else {
            TaskId::new(s).into()
        }
    }
}

impl From<String> for TaskRef {
    fn from(s: String) -> Self {
        s.as_str().into()
    }
}

impl From<&String> for TaskRef {
    fn from(s: &String) -> Self {
        s.as_str().into()
    }
}

impl From<Url> for TaskRef {
    fn from(u: Url) -> Self {
        TaskRef {
            repr: Repr::Url(u.into(), None),
        }
    }
}

impl From<&Url> for TaskRef {
    fn from(u: &Url) -> Self {
        u.clone().into()
    }
}

impl From<Accepted> for TaskRef {
    fn from(a: Accepted) -> Self {
        TaskRef {
            repr: Repr::Accepted(a),
        }
    }
}

impl From<&Accepted> for TaskRef {
    fn from(a: &Accepted) -> Self {
        a.clone().into()
    }
}

impl From<&TaskRef> for TaskRef {
    fn from(t: &TaskRef) -> Self {
        t.clone()
    }
}

/// The serialised form: what another process needs to continue a wait.
#[derive(Serialize, Deserialize)]
struct Token {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    task_id: Option<TaskId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_url: Option<String>,
}

impl Serialize for TaskRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let task_id = match &self.repr {
            // Read back from the URL on the other side; no need to store it.
            Repr::Url(_, None) => None,
            _ => self.task_id(),
        };
        Token {
            task_id,
            status_url: self.status_url().map(str::to_owned),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TaskRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let token = Token::deserialize(deserializer)?;
        let repr = match token {
            Token {
                status_url: Some(url),
                task_id,
            } if !url.trim().is_empty() => Repr::Url(url, task_id),
            Token {
                task_id: Some(id), ..
            } if !id.as_str().trim().is_empty() => Repr::Id(id),
            _ => {
                return Err(serde::de::Error::custom(
                    "a task reference needs a `task_id` or a `status_url`",
                ));
            }
        };
        Ok(TaskRef { repr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_ids_unless_they_look_like_urls_or_paths() {
        assert!(matches!(TaskRef::from("task-1").repr, Repr::Id(_)));
        assert!(matches!(
            TaskRef::from("/v1/tasks/task-1").repr,
            Repr::Url(_, None)
        ));
        assert!(matches!(
            TaskRef::from("http://h/v1/tasks/t").repr,
            Repr::Url(_, None)
        ));
    }

    #[test]
    fn the_id_is_read_from_a_status_url_with_query_and_escapes() {
        let id = |u: &str| TaskRef::from(u).task_id().map(TaskId::into_inner);
        assert_eq!(id("/v1/tasks/task-1?x=1").as_deref(), Some("task-1"));
        assert_eq!(id("http://h/v1/tasks/a%20b/").as_deref(), Some("a b"));
        assert_eq!(id("http://h/v1/jobs/7"), None);
        assert_eq!(id("http://h/v1/tasks/a/b"), None);
    }

    #[test]
    fn the_token_keeps_the_id_and_the_url_and_reads_back_the_same() {
        let json = |t: &TaskRef| serde_json::to_string(t).unwrap();
        let back = |s: &str| serde_json::from_str::<TaskRef>(s);
        assert_eq!(json(&TaskRef::from("task-1")), r#"{"task_id":"task-1"}"#);
        assert_eq!(
            json(&TaskRef::from("/v1/tasks/task-1")),
            r#"{"status_url":"/v1/tasks/task-1"}"#
        );
        // A non-standard URL with the id alongside keeps both.
        let resumed = back(r#"{"task_id":"t-9","status_url":"https://h/ops/7f","v":2}"#).unwrap();
        assert_eq!(resumed.task_id().unwrap().as_str(), "t-9");
        assert_eq!(resumed.status_url(), Some("https://h/ops/7f"));
        assert_eq!(
            json(&resumed),
            r#"{"task_id":"t-9","status_url":"https://h/ops/7f"}"#
        );
        assert_eq!(back(&json(&resumed)).unwrap(), resumed);
        // Neither field (or blank ones) is an error that says what is missing.
        for bad in [
            "{}",
            r#"{"task_id":" "}"#,
            r#"{"status_url":""}"#,
            "[]",
            "7",
        ] {
            let err = back(bad).unwrap_err().to_string();
            assert!(!err.is_empty(), "{bad}");
        }
        assert!(
            back("{}")
                .unwrap_err()
                .to_string()
                .contains("`task_id` or a `status_url`")
        );
    }
}

//! Naming a task: by id, by status URL, or by the handle a submit returned.

use std::fmt;

use url::Url;

use crate::accepted::Accepted;
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
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRef {
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Repr {
    Id(TaskId),
    Url(String),
    Accepted(Box<Accepted>),
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
            Repr::Url(u) => task_id_from_url(u),
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
            (None, Repr::Url(u)) => f.write_str(u),
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
                repr: Repr::Url(s.to_owned()),
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
            repr: Repr::Url(u.into()),
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
            repr: Repr::Accepted(Box::new(a)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_ids_unless_they_look_like_urls_or_paths() {
        assert!(matches!(TaskRef::from("task-1").repr, Repr::Id(_)));
        assert!(matches!(
            TaskRef::from("/v1/tasks/task-1").repr,
            Repr::Url(_)
        ));
        assert!(matches!(
            TaskRef::from("http://h/v1/tasks/t").repr,
            Repr::Url(_)
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
}

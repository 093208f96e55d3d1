//! Which tasks to list or cancel: the query of `GET /v1/tasks` and
//! `POST /v1/tasks/cancel`, written by the client and read by the server
//! from this one definition.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::form_urlencoded;

use super::{Labels, TaskState};

/// The page size a listing gets when it asks for none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest page a listing may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;
/// The most values one repeatable parameter may have (16 labels, and as
/// many states as there are).
const MAX_REPEATS: usize = 16;

/// Which tasks: a builder of the filters of [`Client::list`] and
/// [`Client::cancel_matching`]. Every filter given must match (the states
/// given are alternatives: any one of them).
///
/// A cancelled task is filtered as `CANCELLED`, though a status shows it
/// as `FAILED` with the error code `CANCELLED`: `FAILED` selects the tasks
/// that failed by themselves.
///
/// [`Client::list`]: crate::Client::list
/// [`Client::cancel_matching`]: crate::Client::cancel_matching
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use orchestrator::{TaskFilter, TaskState};
///
/// let filter = TaskFilter::new()
///     .status(TaskState::Failed)
///     .label("run", "42")
///     .created_after(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// assert_eq!(
///     filter.to_query(),
///     "status=FAILED&label=run%3D42&created_after=2023-11-14T22%3A13%3A20Z"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct TaskFilter {
    statuses: Vec<TaskState>,
    bot_id: Option<String>,
    action: Option<String>,
    labels: Vec<(String, String)>,
    tasks: Vec<String>,
    created_after: Option<SystemTime>,
    created_before: Option<SystemTime>,
    page_size: Option<u32>,
}

/// The most `task` filters one filter may carry.
const MAX_TASKS: usize = 100;

/// A filter parameter the server cannot take, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    parameter: String,
    message: String,
}

impl FilterError {
    fn new(parameter: impl Into<String>, message: impl Into<String>) -> FilterError {
        FilterError {
            parameter: parameter.into(),
            message: message.into(),
        }
    }

    /// The query parameter at fault (`status`, `label`, `cursor`, …).
    pub fn parameter(&self) -> &str {
        &self.parameter
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

impl TaskFilter {
    /// Every task.
    pub fn new() -> TaskFilter {
        TaskFilter::default()
    }

    /// Tasks in `state` (repeat for any of several). `CANCELLED` selects
    /// cancelled tasks.
    pub fn status(mut self, state: TaskState) -> TaskFilter {
        if !self.statuses.contains(&state) {
            self.statuses.push(state);
        }
        self
    }

    /// Tasks submitted to this bot.
    pub fn bot_id(mut self, bot_id: impl Into<String>) -> TaskFilter {
        self.bot_id = Some(bot_id.into());
        self
    }

    /// Tasks of this action (`analyze-document`).
    pub fn action(mut self, action: impl Into<String>) -> TaskFilter {
        self.action = Some(action.into());
        self
    }

    /// Tasks labelled `key=value` (repeat: all must match).
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> TaskFilter {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// Only this task (repeat for any of several, up to 100): an event
    /// stream of a few tasks, or a listing of known ids.
    ///
    /// ```
    /// let filter = orchestrator::TaskFilter::new().task("task-1").task("task-2");
    /// assert_eq!(filter.to_query(), "task=task-1&task=task-2");
    /// ```
    pub fn task(mut self, task_id: impl Into<String>) -> TaskFilter {
        let id = task_id.into();
        if !self.tasks.contains(&id) {
            self.tasks.push(id);
        }
        self
    }

    /// Tasks submitted at or after `at`.
    pub fn created_after(mut self, at: SystemTime) -> TaskFilter {
        self.created_after = Some(at);
        self
    }

    /// Tasks submitted before `at`.
    pub fn created_before(mut self, at: SystemTime) -> TaskFilter {
        self.created_before = Some(at);
        self
    }

    /// How many tasks each page of a listing holds (1 to 500; the server's
    /// default is 50). A listing's stream fetches the next page only when
    /// it has handed out this one.
    pub fn page_size(mut self, size: u32) -> TaskFilter {
        self.page_size = Some(size);
        self
    }

    /// The states asked for (empty: any).
    pub fn statuses(&self) -> &[TaskState] {
        &self.statuses
    }

    /// The bot asked for.
    pub fn bot(&self) -> Option<&str> {
        self.bot_id.as_deref()
    }

    /// The action asked for.
    pub fn action_name(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The tasks it is limited to (empty: any).
    pub fn task_ids(&self) -> &[String] {
        &self.tasks
    }

    /// The labels that must all match.
    pub fn labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// The earliest submit time asked for.
    pub fn after(&self) -> Option<SystemTime> {
        self.created_after
    }

    /// The submit time asked for tasks to precede.
    pub fn before(&self) -> Option<SystemTime> {
        self.created_before
    }

    /// The page size asked for.
    pub fn requested_page_size(&self) -> Option<u32> {
        self.page_size
    }

    /// Whether it selects by anything at all (the page size aside): an
    /// empty filter is every task, which a cancel refuses.
    ///
    /// ```
    /// assert!(orchestrator::TaskFilter::new().page_size(10).is_empty());
    /// assert!(!orchestrator::TaskFilter::new().bot_id("b").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty()
            && self.bot_id.is_none()
            && self.action.is_none()
            && self.labels.is_empty()
            && self.tasks.is_empty()
            && self.created_after.is_none()
            && self.created_before.is_none()
    }

    /// The URL query that carries it (without `?`), as the server reads it
    /// back with [`from_query`](Self::from_query).
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for state in &self.statuses {
            query.append_pair("status", state.as_str());
        }
        if let Some(bot) = &self.bot_id {
            query.append_pair("bot_id", bot);
        }
        if let Some(action) = &self.action {
            query.append_pair("action", action);
        }
        for (k, v) in &self.labels {
            query.append_pair("label", &format!("{k}={v}"));
        }
        for id in &self.tasks {
            query.append_pair("task", id);
        }
        if let Some(at) = self.created_after {
            query.append_pair("created_after", &rfc3339(at));
        }
        if let Some(at) = self.created_before {
            query.append_pair("created_before", &rfc3339(at));
        }
        if let Some(size) = self.page_size {
            query.append_pair("limit", &size.to_string());
        }
        query.finish()
    }

    /// Reads a filter from a URL query (without `?`); `cursor`, which is
    /// not part of the filter, is returned beside it. Every parameter is
    /// checked, and the first one at fault is named: an unknown one, a
    /// state that is not one, a label outside the label rules, a time that
    /// is not RFC 3339, a `limit` outside 1 to 500, a parameter given twice
    /// that may be given once.
    ///
    /// ```
    /// use orchestrator::{TaskFilter, TaskState};
    ///
    /// let (filter, cursor) = TaskFilter::from_query("status=failed&label=note%3Da%3Db&cursor=abc").unwrap();
    /// assert_eq!(filter.statuses(), &[TaskState::Failed]);
    /// assert_eq!(filter.labels(), &[("note".to_owned(), "a=b".to_owned())]);
    /// assert_eq!(cursor.as_deref(), Some("abc"));
    /// let err = TaskFilter::from_query("colour=red").unwrap_err();
    /// assert_eq!(err.parameter(), "colour");
    /// ```
    pub fn from_query(query: &str) -> Result<(TaskFilter, Option<String>), FilterError> {
        let mut filter = TaskFilter::new();
        let mut cursor = None;
        // Repeats are counted as sent, duplicates too: the limits are on
        // the request, as the OpenAPI document's maxItems says.
        let (mut status_params, mut task_params) = (0usize, 0usize);
        let once = |name: &str, slot_taken: bool| {
            if slot_taken {
                Err(FilterError::new(
                    name,
                    format!("`{name}` may be given only once"),
                ))
            } else {
                Ok(())
            }
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "status" => {
                    let state = TaskState::parse(value.trim());
                    if let TaskState::Unknown(other) = state {
                        return Err(FilterError::new(
                            "status",
                            format!(
                                "`{}` is not a task state; use PENDING, RUNNING, COMPLETED, FAILED or CANCELLED",
                                shown(&other)
                            ),
                        ));
                    }
                    status_params += 1;
                    if status_params > MAX_REPEATS {
                        return Err(FilterError::new("status", "too many `status` values"));
                    }
                    filter = filter.status(state);
                }
                "bot_id" => {
                    once("bot_id", filter.bot_id.is_some())?;
                    filter.bot_id = Some(nonempty("bot_id", &value)?);
                }
                "action" => {
                    once("action", filter.action.is_some())?;
                    filter.action = Some(nonempty("action", &value)?);
                }
                "label" => {
                    let (k, v) = Labels::parse_pair(&value)
                        .map_err(|e| FilterError::new("label", e.to_string()))?;
                    if filter.labels.len() >= Labels::MAX {
                        return Err(FilterError::new(
                            "label",
                            format!("at most {} `label` filters", Labels::MAX),
                        ));
                    }
                    filter.labels.push((k, v));
                }
                "task" => {
                    task_params += 1;
                    if task_params > MAX_TASKS {
                        return Err(FilterError::new(
                            "task",
                            format!("at most {MAX_TASKS} `task` filters"),
                        ));
                    }
                    let id = nonempty("task", &value)?;
                    filter = filter.task(id);
                }
                "created_after" => {
                    once("created_after", filter.created_after.is_some())?;
                    filter.created_after = Some(parse_time("created_after", &value)?);
                }
                "created_before" => {
                    once("created_before", filter.created_before.is_some())?;
                    filter.created_before = Some(parse_time("created_before", &value)?);
                }
                "limit" => {
                    once("limit", filter.page_size.is_some())?;
                    let size = value
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                        .ok_or_else(|| {
                            FilterError::new(
                                "limit",
                                format!(
                                    "`limit` is a whole number from 1 to {MAX_PAGE_SIZE}, not `{}`",
                                    shown(&value)
                                ),
                            )
                        })?;
                    filter.page_size = Some(size);
                }
                "cursor" => {
                    once("cursor", cursor.is_some())?;
                    cursor = Some(value.into_owned());
                }
                other => {
                    return Err(FilterError::new(
                        shown(other),
                        format!(
                            "unknown parameter `{}`; the filters are status, bot_id, action, \
                             label, task, created_after, created_before, limit and cursor",
                            shown(other)
                        ),
                    ));
                }
            }
        }
        if let (Some(after), Some(before)) = (filter.created_after, filter.created_before)
            && after >= before
        {
            return Err(FilterError::new(
                "created_before",
                "`created_before` must be later than `created_after`",
            ));
        }
        Ok((filter, cursor))
    }
}

fn shown(text: &str) -> String {
    text.chars().take(80).collect()
}

fn nonempty(name: &str, value: &str) -> Result<String, FilterError> {
    // The length as sent (the OpenAPI document's maxLength), before trimming.
    let too_long = value.chars().count() > 255;
    let value = value.trim();
    if value.is_empty() || too_long {
        return Err(FilterError::new(
            name,
            format!("`{name}` must be 1 to 255 characters"),
        ));
    }
    Ok(value.to_owned())
}

/// RFC 3339 in UTC, with the fraction only when there is one.
fn rfc3339(at: SystemTime) -> String {
    let whole = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos() == 0)
        .unwrap_or(true);
    if whole {
        humantime::format_rfc3339_seconds(at).to_string()
    } else {
        humantime::format_rfc3339_millis(at).to_string()
    }
}

/// An RFC 3339 time with `Z` or a numeric offset (`+02:00`).
fn parse_time(name: &str, value: &str) -> Result<SystemTime, FilterError> {
    let bad = || {
        FilterError::new(
            name,
            format!(
                "`{name}` is an RFC 3339 time such as 2026-12-02T09:30:00Z, not `{}`",
                shown(value)
            ),
        )
    };
    let value = value.trim();
    // humantime reads UTC only: move a numeric offset into the time.
    // The split is at a character boundary and the offset all ASCII, or
    // there is no offset to read: any text may arrive here.
    let split = value
        .len()
        .checked_sub(6)
        .filter(|i| value.is_char_boundary(*i))
        .map(|i| value.split_at(i));
    let (utc, offset_secs) = match split {
        Some((time, offset))
            if offset.is_ascii()
                && (value.contains('T') || value.contains('t') || value.contains(' ')) =>
        {
            let b = offset.as_bytes();
            if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
                let hours: i64 = offset[1..3].parse().map_err(|_| bad())?;
                let minutes: i64 = offset[4..6].parse().map_err(|_| bad())?;
                if hours > 23 || minutes > 59 {
                    return Err(bad());
                }
                let sign = if b[0] == b'-' { -1 } else { 1 };
                (format!("{time}Z"), sign * (hours * 3600 + minutes * 60))
            } else {
                (value.to_owned(), 0)
            }
        }
        _ => (value.to_owned(), 0),
    };
    let at = humantime::parse_rfc3339(&utc).map_err(|_| bad())?;
    let shift = Duration::from_secs(offset_secs.unsigned_abs());
    // `+02:00` is two hours ahead of UTC: the same instant is earlier in UTC.
    if offset_secs >= 0 {
        at.checked_sub(shift)
    } else {
        at.checked_add(shift)
    }
    .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_as_a_time_is_a_named_error_never_a_panic() {
        for raw in [
            "%C2%800%F0%90%80%80",
            "%C3%A9T%C3%A9%C3%A9%C3%A9",
            "2026-12-02T09:30:00%E2%80%8B00",
        ] {
            let err = TaskFilter::from_query(&format!("created_after={raw}")).unwrap_err();
            assert_eq!(err.parameter(), "created_after");
        }
    }

    #[test]
    fn repeats_count_as_sent_even_when_they_repeat_a_value() {
        let many = vec!["status=FAILED"; 17].join("&");
        assert_eq!(
            TaskFilter::from_query(&many).unwrap_err().parameter(),
            "status"
        );
        let ok = vec!["status=FAILED"; 16].join("&");
        assert!(TaskFilter::from_query(&ok).is_ok());
        let tasks = vec!["task=t"; 101].join("&");
        assert_eq!(
            TaskFilter::from_query(&tasks).unwrap_err().parameter(),
            "task"
        );
    }

    #[test]
    fn a_filter_survives_its_query_with_any_label_value() {
        let filter = TaskFilter::new()
            .status(TaskState::Pending)
            .status(TaskState::Cancelled)
            .bot_id("invoices")
            .action("analyze-document")
            .label("note", "a=b & \"c\" ; é,日本")
            .label("run", "42")
            .created_after(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
            .created_before(UNIX_EPOCH + Duration::from_secs(1_800_000_000))
            .page_size(7);
        let (back, cursor) = TaskFilter::from_query(&filter.to_query()).unwrap();
        assert_eq!(back, filter);
        assert_eq!(cursor, None);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (query, parameter) in [
            ("status=DONE", "status"),
            ("label=Run=1", "label"),
            ("label=novalue", "label"),
            ("created_after=yesterday", "created_after"),
            ("created_after=2026-13-01T00:00:00Z", "created_after"),
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=ten", "limit"),
            ("bot_id=a&bot_id=b", "bot_id"),
            ("bot_id=", "bot_id"),
            ("cursor=a&cursor=b", "cursor"),
            ("sort=age", "sort"),
            (
                "created_after=2026-01-02T00:00:00Z&created_before=2026-01-01T00:00:00Z",
                "created_before",
            ),
        ] {
            let err = TaskFilter::from_query(query).unwrap_err();
            assert_eq!(err.parameter(), parameter, "{query}: {err}");
        }
    }

    #[test]
    fn a_numeric_offset_names_the_same_instant_as_utc() {
        let utc = parse_time("t", "2026-12-02T09:30:00Z").unwrap();
        assert_eq!(parse_time("t", "2026-12-02T11:30:00+02:00").unwrap(), utc);
        assert_eq!(parse_time("t", "2026-12-02T04:00:00-05:30").unwrap(), utc);
        assert!(parse_time("t", "2026-12-02T09:30:00+25:00").is_err());
    }
}

//! One observation of a task: the status body, decoded leniently, and
//! built by the server that sends it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::decode::decode_value;
use super::{AnalyzeDocumentResult, Labels, TaskError, TaskId, TaskState};
use crate::error::{Error, ErrorKind, Result};

/// One observation of a task: the body of `GET /v1/tasks/{task_id}`.
///
/// The typed fields cover the contract; everything else the server sent is
/// kept in [`extra`](TaskStatus::extra), and the body exactly as received in
/// [`as_json`](TaskStatus::as_json).
///
/// ```
/// use orchestrator::{TaskState, TaskStatus};
///
/// let status = TaskStatus::from_json(serde_json::json!({
///     "task_id": "task-1",
///     "status": "RUNNING",
///     "progress_percent": 45,
///     "queue": "gpu"
/// })).unwrap();
/// assert_eq!(status.state(), &TaskState::Running);
/// assert_eq!(status.progress_percent(), Some(45.0));
/// assert_eq!(status.extra()["queue"], "gpu");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TaskStatus {
    task_id: Option<TaskId>,
    state: TaskState,
    progress_percent: Option<f64>,
    progress_message: Option<String>,
    result: Option<Value>,
    error: Option<TaskError>,
    created_at: Option<String>,
    completed_at: Option<String>,
    bot_id: Option<String>,
    action: Option<String>,
    labels: Labels,
    retry_of: Option<TaskId>,
    extra: Map<String, Value>,
    raw: Value,
}

/// The fields of the contract. Unknown fields are collected separately from
/// the raw object so that decode errors keep exact JSON paths.
#[derive(Deserialize)]
struct Wire {
    #[serde(default, deserialize_with = "lenient_id")]
    task_id: Option<TaskId>,
    status: TaskState,
    #[serde(default, deserialize_with = "lenient_percent")]
    progress_percent: Option<f64>,
    #[serde(default, deserialize_with = "lenient_message")]
    progress_message: Option<String>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<TaskError>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    completed_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_message")]
    bot_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_message")]
    action: Option<String>,
    #[serde(default, deserialize_with = "lenient_labels")]
    labels: Labels,
    #[serde(default, deserialize_with = "lenient_id")]
    retry_of: Option<TaskId>,
}

const KNOWN_FIELDS: [&str; 12] = [
    "bot_id",
    "action",
    "labels",
    "retry_of",
    "task_id",
    "status",
    "progress_percent",
    "progress_message",
    "result",
    "error",
    "created_at",
    "completed_at",
];

/// See [`TaskId::from_json`].
fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<TaskId>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .as_ref()
        .and_then(TaskId::from_json))
}

/// A progress value that is not a number (`"45%"`, `null`, an object) is
/// dropped rather than failing a wait that may have run for hours; the raw
/// value stays in [`TaskStatus::as_json`].
fn lenient_percent<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|p| p.is_finite()))
}

/// A progress message that is not a string is dropped, as an odd
/// `progress_percent` is: it is a hint for people, never worth failing a
/// wait over. An empty one counts as none.
fn lenient_message<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        _ => None,
    })
}

/// Labels that are not an object of strings are dropped (each odd value
/// alone), as an odd progress is: they are for finding and showing a task,
/// never worth failing a wait over.
fn lenient_labels<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Labels, D::Error> {
    let mut labels = Labels::new();
    if let Some(Value::Object(map)) = Option::<Value>::deserialize(d)? {
        for (k, v) in map {
            if let Value::String(v) = v {
                let _ = labels.insert(k, v);
            }
        }
    }
    Ok(labels)
}

impl TaskStatus {
    /// Decodes a status body. Errors name the JSON path that failed.
    ///
    /// ```
    /// let err = orchestrator::TaskStatus::from_json(serde_json::json!({"task_id": "t"})).unwrap_err();
    /// assert!(err.to_string().contains("missing field `status`"));
    /// ```
    pub fn from_json(raw: Value) -> Result<TaskStatus> {
        let Value::Object(object) = &raw else {
            return Err(Error::protocol(format!(
                "task status must be a JSON object, got {}",
                json_kind(&raw)
            )));
        };
        let wire: Wire = decode_value(&raw, "the task status")?;
        let extra = object
            .iter()
            .filter(|(k, _)| !KNOWN_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(TaskStatus {
            task_id: wire.task_id,
            state: wire.status,
            progress_percent: wire.progress_percent,
            progress_message: wire.progress_message,
            result: wire.result.filter(|v| !v.is_null()),
            error: wire.error,
            created_at: wire.created_at,
            completed_at: wire.completed_at,
            bot_id: wire.bot_id,
            action: wire.action,
            labels: wire.labels,
            retry_of: wire.retry_of,
            extra,
            raw,
        })
    }

    /// A status to send: what a server builds for `GET /v1/tasks/{task_id}`.
    /// Add the optional fields with the `with_*` methods; the JSON body
    /// ([`as_json`](Self::as_json), `Serialize`) follows every change.
    ///
    /// ```
    /// use orchestrator::{TaskError, TaskState, TaskStatus};
    ///
    /// let status = TaskStatus::new("task-1", TaskState::Failed)
    ///     .with_progress_percent(40.0)
    ///     .with_error(TaskError::new("DOCUMENT_UNREACHABLE", "404 from example.com"));
    /// assert_eq!(
    ///     serde_json::to_value(&status).unwrap(),
    ///     serde_json::json!({
    ///         "task_id": "task-1",
    ///         "status": "FAILED",
    ///         "progress_percent": 40,
    ///         "error": {"code": "DOCUMENT_UNREACHABLE", "message": "404 from example.com"}
    ///     }),
    /// );
    /// ```
    pub fn new(task_id: impl Into<TaskId>, state: TaskState) -> TaskStatus {
        let task_id = task_id.into();
        let mut raw = Map::new();
        raw.insert("task_id".into(), Value::from(task_id.as_str()));
        raw.insert("status".into(), Value::from(state.as_str()));
        TaskStatus {
            task_id: Some(task_id),
            state,
            progress_percent: None,
            progress_message: None,
            result: None,
            error: None,
            created_at: None,
            completed_at: None,
            bot_id: None,
            action: None,
            labels: Labels::new(),
            retry_of: None,
            extra: Map::new(),
            raw: Value::Object(raw),
        }
    }

    fn set_raw(&mut self, field: &str, value: Value) {
        if let Value::Object(raw) = &mut self.raw {
            raw.insert(field.to_owned(), value);
        }
    }

    /// Sets `progress_percent` (clamped to `0.0..=100.0`); a whole number is
    /// sent as a JSON integer.
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::new("t", orchestrator::TaskState::Running)
    ///     .with_progress_percent(45.0);
    /// assert_eq!(s.as_json()["progress_percent"], 45);
    /// ```
    #[must_use]
    pub fn with_progress_percent(mut self, percent: f64) -> TaskStatus {
        let percent = if percent.is_finite() {
            percent.clamp(0.0, 100.0)
        } else {
            0.0
        };
        self.progress_percent = Some(percent);
        let json = if percent.fract() == 0.0 {
            Value::from(percent as u64)
        } else {
            Value::from(percent)
        };
        self.set_raw("progress_percent", json);
        self
    }

    /// Sets `progress_message`: what a running task is doing, in a few
    /// words, beside its percentage (an extension of the contract; clients
    /// that know only the contract ignore it).
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::new("t", orchestrator::TaskState::Running)
    ///     .with_progress_percent(40.0)
    ///     .with_progress_message("extracting the text");
    /// assert_eq!(s.progress_message(), Some("extracting the text"));
    /// assert_eq!(s.as_json()["progress_message"], "extracting the text");
    /// ```
    #[must_use]
    pub fn with_progress_message(mut self, message: impl Into<String>) -> TaskStatus {
        let message = message.into();
        self.set_raw("progress_message", Value::from(message.clone()));
        self.progress_message = Some(message);
        self
    }

    /// Sets the `result` of a completed task.
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::new("t", orchestrator::TaskState::Completed)
    ///     .with_result(serde_json::json!({"answer": 42}));
    /// assert_eq!(s.result().unwrap()["answer"], 42);
    /// ```
    #[must_use]
    pub fn with_result(mut self, result: Value) -> TaskStatus {
        self.set_raw("result", result.clone());
        self.result = Some(result).filter(|v| !v.is_null());
        self
    }

    /// Sets the `error` of a failed task.
    #[must_use]
    pub fn with_error(mut self, error: TaskError) -> TaskStatus {
        self.set_raw("error", serde_json::to_value(&error).unwrap_or(Value::Null));
        self.error = Some(error);
        self
    }

    /// Sets `created_at` (RFC 3339 text).
    #[must_use]
    pub fn with_created_at(mut self, at: impl Into<String>) -> TaskStatus {
        let at = at.into();
        self.set_raw("created_at", Value::from(at.as_str()));
        self.created_at = Some(at);
        self
    }

    /// Sets `completed_at` (RFC 3339 text).
    #[must_use]
    pub fn with_completed_at(mut self, at: impl Into<String>) -> TaskStatus {
        let at = at.into();
        self.set_raw("completed_at", Value::from(at.as_str()));
        self.completed_at = Some(at);
        self
    }

    /// Sets `bot_id` and `action`: where the task was submitted (an
    /// extension, so that a listing can say what each task is).
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::new("t", orchestrator::TaskState::Pending)
    ///     .with_origin("invoices", "analyze-document");
    /// assert_eq!(s.bot_id(), Some("invoices"));
    /// assert_eq!(s.as_json()["action"], "analyze-document");
    /// ```
    #[must_use]
    pub fn with_origin(
        mut self,
        bot_id: impl Into<String>,
        action: impl Into<String>,
    ) -> TaskStatus {
        let (bot_id, action) = (bot_id.into(), action.into());
        self.set_raw("bot_id", Value::from(bot_id.as_str()));
        self.set_raw("action", Value::from(action.as_str()));
        self.bot_id = Some(bot_id);
        self.action = Some(action);
        self
    }

    /// Sets `labels` (sent only when there are some).
    ///
    /// ```
    /// let mut labels = orchestrator::Labels::new();
    /// labels.insert("run", "42").unwrap();
    /// let s = orchestrator::TaskStatus::new("t", orchestrator::TaskState::Pending)
    ///     .with_labels(labels);
    /// assert_eq!(s.as_json()["labels"]["run"], "42");
    /// ```
    #[must_use]
    pub fn with_labels(mut self, labels: Labels) -> TaskStatus {
        if !labels.is_empty() {
            self.set_raw(
                "labels",
                serde_json::to_value(&labels).unwrap_or(Value::Null),
            );
        }
        self.labels = labels;
        self
    }

    /// Sets `retry_of`: the task this one was submitted again from.
    #[must_use]
    pub fn with_retry_of(mut self, task_id: impl Into<TaskId>) -> TaskStatus {
        let task_id = task_id.into();
        self.set_raw("retry_of", Value::from(task_id.as_str()));
        self.retry_of = Some(task_id);
        self
    }

    /// Sets the `webhook` field: where the task's finish is posted and how
    /// that went (an extension: it is kept among the extra fields).
    pub fn with_webhook(mut self, delivery: &super::WebhookDelivery) -> TaskStatus {
        if let Ok(value) = serde_json::to_value(delivery) {
            self.set_raw("webhook", value.clone());
            self.extra.insert("webhook".to_owned(), value);
        }
        self
    }

    /// The task's webhook, when the server reports one (and it decodes).
    pub fn webhook(&self) -> Option<super::WebhookDelivery> {
        serde_json::from_value(self.extra.get("webhook")?.clone()).ok()
    }

    /// Adds a field outside the contract (kept in [`extra`](Self::extra)).
    /// The contract's own field names are refused: use their methods.
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::new("t", orchestrator::TaskState::Pending)
    ///     .with_extra("queue_position", 3);
    /// assert_eq!(s.extra()["queue_position"], 3);
    /// ```
    #[must_use]
    pub fn with_extra(mut self, field: impl Into<String>, value: impl Into<Value>) -> TaskStatus {
        let field = field.into();
        if KNOWN_FIELDS.contains(&field.as_str()) {
            return self;
        }
        let value = value.into();
        self.set_raw(&field, value.clone());
        self.extra.insert(field, value);
        self
    }

    /// The bot the task was submitted to, when the server says (ours does).
    pub fn bot_id(&self) -> Option<&str> {
        self.bot_id.as_deref()
    }

    /// The action, e.g. `analyze-document`, when the server says.
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The task's labels (empty when it has none, or the server does not
    /// keep labels).
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::from_json(serde_json::json!({
    ///     "task_id": "t", "status": "PENDING", "labels": {"run": "42", "odd": 7}
    /// })).unwrap();
    /// assert_eq!(s.labels().get("run"), Some("42"));
    /// assert_eq!(s.labels().len(), 1);
    /// ```
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// The task this one retries, when it was made by a retry.
    pub fn retry_of(&self) -> Option<&TaskId> {
        self.retry_of.as_ref()
    }

    /// The task's id, when the server included it.
    pub fn task_id(&self) -> Option<&TaskId> {
        self.task_id.as_ref()
    }

    /// The task's state.
    pub fn state(&self) -> &TaskState {
        &self.state
    }

    /// Whether the task was cancelled: a `CANCELLED` (or `CANCELED`) state,
    /// or `FAILED` with the error code [`TaskError::CANCELLED`], the form
    /// clients of the bare contract see end.
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::from_json(serde_json::json!({
    ///     "status": "FAILED", "error": {"code": "CANCELLED", "message": "by a client"}
    /// })).unwrap();
    /// assert!(s.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        match self.state() {
            TaskState::Cancelled => true,
            TaskState::Failed => self.error().is_some_and(TaskError::is_cancellation),
            _ => false,
        }
    }

    /// Whether the task has finished (completed, failed or cancelled).
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::from_json(serde_json::json!({"status": "FAILED"})).unwrap();
    /// assert!(s.is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        self.state.is_terminal()
    }

    /// Progress in percent, clamped to `0.0..=100.0`, when the server gave
    /// a number.
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::from_json(
    ///     serde_json::json!({"status": "RUNNING", "progress_percent": 140}),
    /// ).unwrap();
    /// assert_eq!(s.progress_percent(), Some(100.0));
    /// ```
    pub fn progress_percent(&self) -> Option<f64> {
        self.progress_percent.map(|p| p.clamp(0.0, 100.0))
    }

    /// What the task is doing, in a few words, when the server says
    /// (`progress_message`, an extension: the reference server sends
    /// "fetching the document", "extracting the text", "analysing").
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::from_json(serde_json::json!({
    ///     "status": "RUNNING", "progress_percent": 20, "progress_message": "fetching the document"
    /// })).unwrap();
    /// assert_eq!(s.progress_message(), Some("fetching the document"));
    /// ```
    pub fn progress_message(&self) -> Option<&str> {
        self.progress_message.as_deref()
    }

    /// The `result` of a completed task, as raw JSON.
    pub fn result(&self) -> Option<&Value> {
        self.result.as_ref()
    }

    /// Decodes the `result` into your own type; errors name the JSON path.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Words { count: u32 }
    ///
    /// let s = orchestrator::TaskStatus::from_json(
    ///     serde_json::json!({"status": "COMPLETED", "result": {"count": 3}}),
    /// ).unwrap();
    /// assert_eq!(s.result_as::<Words>().unwrap().count, 3);
    /// ```
    pub fn result_as<T: DeserializeOwned>(&self) -> Result<T> {
        match &self.result {
            Some(v) => decode_value(v, "the task result").map_err(|e| e.context("result")),
            // The contract promises a result with COMPLETED.
            None if self.state == TaskState::Completed => Err(Error::protocol(
                "the task is COMPLETED but its status has no `result`",
            )),
            None => Err(Error::new(
                ErrorKind::NoResult,
                format!("the task is {} and has no `result`", self.state),
            )),
        }
    }

    /// The result of an `analyze-document` task, typed.
    ///
    /// ```
    /// let s = orchestrator::TaskStatus::from_json(serde_json::json!({
    ///     "status": "COMPLETED",
    ///     "result": {"summary": "Markets grow.", "sentiment": "POSITIVE", "entities": ["market"]}
    /// })).unwrap();
    /// let r = s.analyze_document_result().unwrap();
    /// assert_eq!(r.sentiment, orchestrator::Sentiment::Positive);
    /// ```
    pub fn analyze_document_result(&self) -> Result<AnalyzeDocumentResult> {
        self.result_as()
    }

    /// The `error` of a failed task.
    pub fn error(&self) -> Option<&TaskError> {
        self.error.as_ref()
    }

    /// When the task was created (RFC 3339 text, as sent).
    pub fn created_at(&self) -> Option<&str> {
        self.created_at.as_deref()
    }

    /// When the task finished (RFC 3339 text, as sent).
    pub fn completed_at(&self) -> Option<&str> {
        self.completed_at.as_deref()
    }

    /// Fields outside the contract, kept as sent.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The whole body exactly as the server sent it.
    pub fn as_json(&self) -> &Value {
        &self.raw
    }

    /// Consumes the status, returning the body as the server sent it.
    pub fn into_json(self) -> Value {
        self.raw
    }
}

/// Serializes to the body as the server sent it.
impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seed_payloads_decode() {
        let running = TaskStatus::from_json(json!({
            "task_id": "task-f4b5c6d7-e8f9-1234-5678-90abcdef1234",
            "status": "RUNNING",
            "progress_percent": 45
        }))
        .unwrap();
        assert_eq!(running.state(), &TaskState::Running);
        assert_eq!(running.progress_percent(), Some(45.0));

        let done = TaskStatus::from_json(json!({
            "task_id": "task-f4b5c6d7-e8f9-1234-5678-90abcdef1234",
            "status": "COMPLETED",
            "completed_at": "2025-09-16T02:30:00Z",
            "result": {
                "summary": "The document discusses market trends...",
                "sentiment": "POSITIVE",
                "entities": ["market", "growth", "revenue"]
            }
        }))
        .unwrap();
        assert_eq!(done.completed_at(), Some("2025-09-16T02:30:00Z"));
        let r = done.analyze_document_result().unwrap();
        assert_eq!(r.entities, ["market", "growth", "revenue"]);
        assert_eq!(
            done.result().unwrap()["summary"],
            "The document discusses market trends..."
        );
    }

    #[test]
    fn a_decode_error_names_the_json_path() {
        let err = TaskStatus::from_json(json!({"status": "FAILED", "error": 12})).unwrap_err();
        assert!(err.is_protocol());
        assert!(err.to_string().contains("at `error`"), "{err}");

        let s = TaskStatus::from_json(json!({
            "status": "COMPLETED",
            "result": {"summary": "x", "sentiment": "POSITIVE", "entities": ["a", 3]}
        }))
        .unwrap();
        let err = s.analyze_document_result().unwrap_err();
        assert!(err.to_string().contains("entities[1]"), "{err}");
    }

    #[test]
    fn a_progress_message_that_is_not_words_is_dropped_not_fatal() {
        for odd in [json!(7), json!(null), json!({"text": "x"}), json!("  ")] {
            let s = TaskStatus::from_json(json!({"status": "RUNNING", "progress_message": odd}))
                .unwrap();
            assert_eq!(s.progress_message(), None, "{odd}");
        }
        let s = TaskStatus::from_json(json!({"status": "RUNNING", "progress_message": "reading"}))
            .unwrap();
        assert_eq!(s.progress_message(), Some("reading"));
        assert!(s.extra().get("progress_message").is_none());
    }

    #[test]
    fn odd_progress_values_are_dropped_or_clamped_not_fatal() {
        let p = |v: Value| {
            TaskStatus::from_json(json!({"status": "RUNNING", "progress_percent": v}))
                .unwrap()
                .progress_percent()
        };
        assert_eq!(p(json!("45%")), Some(45.0));
        assert_eq!(p(json!("soon")), None);
        assert_eq!(p(json!(null)), None);
        assert_eq!(p(json!(-3)), Some(0.0));
        assert_eq!(p(json!(12.5)), Some(12.5));
    }

    #[test]
    fn unknown_fields_are_kept_and_the_raw_body_serializes_back_unchanged() {
        let body = json!({"status": "PENDING", "position": 3, "task_id": 17});
        let s = TaskStatus::from_json(body.clone()).unwrap();
        assert_eq!(s.task_id().unwrap().as_str(), "17");
        assert_eq!(s.extra().len(), 1);
        assert_eq!(serde_json::to_value(&s).unwrap(), body);
    }

    #[test]
    fn a_built_status_decodes_back_to_the_same_status() {
        let built = TaskStatus::new("task-9", TaskState::Completed)
            .with_progress_percent(100.0)
            .with_result(json!({"summary": "s", "sentiment": "NEUTRAL", "entities": []}))
            .with_created_at("2026-11-28T10:00:00.000Z")
            .with_completed_at("2026-11-28T10:00:01.500Z")
            .with_extra("attempts", 2);
        let wire = serde_json::to_value(&built).unwrap();
        let decoded = TaskStatus::from_json(wire).unwrap();
        assert_eq!(decoded, built);
        assert_eq!(decoded.progress_percent(), Some(100.0));
        assert_eq!(decoded.extra()["attempts"], 2);
    }

    #[test]
    fn fractional_progress_stays_fractional_and_odd_values_are_clamped() {
        let s = TaskStatus::new("t", TaskState::Running).with_progress_percent(12.5);
        assert_eq!(s.as_json()["progress_percent"], 12.5);
        let s = TaskStatus::new("t", TaskState::Running).with_progress_percent(f64::NAN);
        assert_eq!(s.as_json()["progress_percent"], 0);
        let s = TaskStatus::new("t", TaskState::Running).with_progress_percent(250.0);
        assert_eq!(s.as_json()["progress_percent"], 100);
    }

    #[test]
    fn a_non_object_body_is_a_protocol_error() {
        let err = TaskStatus::from_json(json!([1, 2])).unwrap_err();
        assert!(err.to_string().contains("an array"), "{err}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(
                    |f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                ),
                prop_oneof![
                    Just("PENDING".to_owned()),
                    Just("running".to_owned()),
                    Just("COMPLETED".to_owned()),
                    Just("Failed".to_owned()),
                    Just("canceled".to_owned()),
                    ".{0,12}",
                ]
                .prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("status".to_owned()),
                            Just("task_id".to_owned()),
                            Just("progress_percent".to_owned()),
                            Just("result".to_owned()),
                            Just("error".to_owned()),
                            Just("completed_at".to_owned()),
                            "[a-z]{1,8}",
                        ],
                        inner,
                        0..7,
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn any_json_decodes_or_fails_cleanly_and_keeps_the_raw_body(value in json()) {
                match TaskStatus::from_json(value.clone()) {
                    Ok(status) => {
                        prop_assert_eq!(status.as_json(), &value);
                        if let Some(p) = status.progress_percent() {
                            prop_assert!((0.0..=100.0).contains(&p));
                        }
                        let _ = status.analyze_document_result();
                    }
                    Err(e) => prop_assert!(e.is_protocol()),
                }
            }

            #[test]
            fn any_bytes_are_refused_or_decoded_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
                    let _ = TaskStatus::from_json(value);
                }
            }
        }
    }
}

//! `POST /v1/bots/{bot_id}/actions/{action}`: accepting a task.

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orchestrator::{AnalyzeDocument, LABELS_HEADER, Labels, TaskStatus};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::AppState;
use super::extract::{ApiPath, RequestBody};
use super::problem::ApiError;
use crate::store::{NewTask, Submitted, TaskRecord};
use crate::tenants::Tenant;
use crate::timestamps::millis;

/// The actions this server runs.
pub(crate) const ACTIONS: [&str; 1] = ["analyze-document"];
/// The longest idempotency key accepted.
const MAX_KEY_LEN: usize = 255;
/// The longest bot id accepted.
const MAX_BOT_ID_LEN: usize = 64;
/// The pause suggested before the first poll: none. The status endpoint
/// long-polls, so an immediate first request is held rather than wasted, and
/// a short task's result is not delayed by a guess.
const FIRST_POLL_AFTER: u64 = 0;
/// The pause suggested when the queue is full.
const QUEUE_FULL_RETRY_AFTER: u64 = 5;

pub(crate) async fn submit(
    State(state): State<AppState>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    ApiPath((bot_id, action)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    check_rate(&state, &tenant, key.as_deref())?;
    if !ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::not_found(format!(
            "bots have no action `{action}`; available: {}",
            ACTIONS.join(", ")
        )));
    }
    check_bot_id(&bot_id)?;
    check_content_type(&headers)?;
    let body = body.bytes()?;
    let input: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let request: AnalyzeDocument = decode_request(&input)?;
    let input = check_analyze_document(&state, request)?;
    let labels = labels(&headers)?;
    let webhook_url = super::webhook::callback(&state, &tenant, &headers)?;

    let id = format!("task-{}", uuid::Uuid::new_v4());
    // serde_json's map is ordered, so equal bodies serialise equally; the
    // labels and the webhook are part of the request.
    let fingerprint = format!(
        "{bot_id}\n{action}\n{input}\n{}\n{}",
        labels.to_header_value(),
        webhook_url.as_deref().unwrap_or("")
    );
    let new = NewTask {
        id,
        tenant: tenant.clone(),
        bot_id,
        action,
        input,
        labels,
        retry_of: None,
        webhook_url,
        idempotency_key: key.clone(),
        fingerprint,
        now: millis(&*state.shared.clock),
    };
    queue(&state, new, key.as_deref()).await
}

/// `429` when the tenant is over its submit rate (submits and retries).
pub(super) fn check_rate(
    state: &AppState,
    tenant: &str,
    key: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(limiter) = &state.shared.limiter
        && let Err(wait) = limiter.check(tenant)
    {
        state.shared.metrics.submit_rate_limited(tenant);
        tracing::info!(
            idempotency_key = key,
            ?wait,
            "submit over the tenant's rate limit"
        );
        return Err(ApiError::too_many_requests(wait));
    }
    Ok(())
}

/// The labels of a submit, from its `Task-Labels` headers: `400` naming the
/// label at fault.
fn labels(headers: &HeaderMap) -> Result<Labels, ApiError> {
    let values = headers
        .get_all(LABELS_HEADER)
        .iter()
        .map(|v| {
            v.to_str().map_err(|_| {
                ApiError::bad_parameter(
                    "Task-Labels",
                    "the Task-Labels header must be ASCII: percent-encode label values as UTF-8",
                )
            })
        })
        .collect::<Result<Vec<&str>, ApiError>>()?;
    Labels::from_header_values(values)
        .map_err(|e| ApiError::bad_parameter("Task-Labels", e.to_string()))
}

/// Queues a new task (a submit or a retry) and answers `202`.
pub(super) async fn queue(
    state: &AppState,
    new: NewTask,
    key: Option<&str>,
) -> Result<Response, ApiError> {
    Ok(accepted(&queue_task(state, new, key).await?))
}

/// Queues `new` (or finds the task its idempotency key made before).
pub(super) async fn queue_task(
    state: &AppState,
    new: NewTask,
    key: Option<&str>,
) -> Result<TaskRecord, ApiError> {
    let limits = &state.shared.limits;
    match state
        .shared
        .lifecycle
        .submit(new, limits.max_queued)
        .await?
    {
        Submitted::Created(task) => {
            tracing::info!(task = %task.id, idempotency_key = key, "task accepted");
            Ok(task)
        }
        Submitted::Existing(task) => {
            tracing::info!(task = %task.id, idempotency_key = key, "idempotent resubmit");
            Ok(task)
        }
        Submitted::KeyReused => Err(ApiError::idempotency_key_reused()),
        Submitted::QueueFull => Err(ApiError::unavailable(
            format!(
                "the queue is full ({} tasks waiting); try again later",
                limits.max_queued
            ),
            QUEUE_FULL_RETRY_AFTER,
        )),
    }
}

pub(super) fn accepted(task: &TaskRecord) -> Response {
    let location = format!("/v1/tasks/{}", task.id);
    let body = TaskStatus::new(task.id.as_str(), super::tasks::wire_state(&task.state));
    let mut response = (StatusCode::ACCEPTED, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, v);
    }
    headers.insert(header::RETRY_AFTER, HeaderValue::from(FIRST_POLL_AFTER));
    if let Some(link) = super::tasks::events_link(&task.id) {
        headers.insert(header::LINK, link);
    }
    response
}

fn check_bot_id(bot_id: &str) -> Result<(), ApiError> {
    let valid = !bot_id.is_empty()
        && bot_id.len() <= MAX_BOT_ID_LEN
        && bot_id
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && bot_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "bot_id",
            format!(
                "a bot id is 1 to {MAX_BOT_ID_LEN} letters, digits, `-` or `_`, starting with a letter or digit"
            ),
        ))
    }
}

pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = raw
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LEN)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "the Idempotency-Key header must be 1 to {MAX_KEY_LEN} visible ASCII characters"
            ))
        })?;
    Ok(Some(key.to_owned()))
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(()); // no declared type: the body must still parse as JSON
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::unsupported_media_type(&essence))
    }
}

/// Decodes a request body into the action's type (the SDK's own), as a
/// `422` naming the field at fault when it does not fit.
fn decode_request<T: DeserializeOwned>(input: &Value) -> Result<T, ApiError> {
    if !input.is_object() {
        return Err(ApiError::invalid_field(
            "body",
            "the body must be a JSON object like {\"document_url\": \"https://…\"}",
        ));
    }
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde names a missing field only in its message.
        let field = if path == "." {
            missing_field(&inner).unwrap_or_else(|| "body".to_owned())
        } else {
            path
        };
        ApiError::invalid_field(field.clone(), format!("{field}: {inner}"))
    })
}

/// `document_url` from serde's "missing field `document_url`".
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// What can be checked of an analyze-document request before it runs: the
/// URL's shape and scheme. Where it points is checked by the fetch itself.
fn check_analyze_document(state: &AppState, request: AnalyzeDocument) -> Result<Value, ApiError> {
    let raw = request.document_url.trim();
    let url = Url::parse(raw).map_err(|e| {
        ApiError::invalid_field(
            "document_url",
            format!("document_url is not an absolute URL: {e}"),
        )
    })?;
    state.shared.fetcher.precheck(&url).map_err(|reason| {
        ApiError::invalid_field("document_url", format!("document_url: {reason}"))
    })?;
    serde_json::to_value(AnalyzeDocument::new(raw))
        .map_err(|e| ApiError::internal(format!("encoding the request: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named_from_serdes_message() {
        assert_eq!(
            missing_field("missing field `document_url`").as_deref(),
            Some("document_url")
        );
        assert_eq!(missing_field("invalid type: integer `7`"), None);
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_by_its_path() {
        let err =
            decode_request::<AnalyzeDocument>(&serde_json::json!({"document_url": 7})).unwrap_err();
        assert_eq!(err.field(), Some("document_url"));
        let err = decode_request::<AnalyzeDocument>(&serde_json::json!({})).unwrap_err();
        assert_eq!(err.field(), Some("document_url"));
    }
}

//! The webhook a submit names (`Task-Webhook`, outside the action's body,
//! as labels are), or its tenant's default: checked when the task is
//! submitted, so that a URL the server may not post to is a `400` then,
//! not a delivery that can only fail.

use axum::http::HeaderMap;
use orchestrator::webhooks::WEBHOOK_HEADER;
use url::Url;

use super::AppState;
use super::problem::ApiError;

/// The longest webhook URL accepted.
const MAX_URL_LEN: usize = 2048;

/// Where the new task's finish is to be posted, if anywhere.
pub(super) fn callback(
    state: &AppState,
    tenant: &str,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    let webhooks = state.shared.webhooks.get(tenant);
    let Some(value) = headers.get(WEBHOOK_HEADER) else {
        return Ok(webhooks.and_then(|w| w.default_url.as_ref().map(|u| u.to_string())));
    };
    let bad = |why: String| ApiError::bad_parameter("Task-Webhook", why);
    let text = value
        .to_str()
        .map_err(|_| bad("the Task-Webhook header must be an ASCII URL".into()))?
        .trim();
    if text.len() > MAX_URL_LEN {
        return Err(bad(format!(
            "the webhook URL is longer than {MAX_URL_LEN} characters"
        )));
    }
    let url = Url::parse(text).map_err(|e| bad(format!("the webhook is not a URL: {e}")))?;
    if !crate::webhooks::is_postable(&url) {
        return Err(bad(
            "the webhook must be an http or https URL with a host".into()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "the webhook URL may not carry credentials; the signature authenticates the server"
                .into(),
        ));
    }
    state
        .shared
        .guard
        .destination_allowed(&url)
        .map_err(|why| bad(format!("the webhook cannot be posted to: {why}")))?;
    if webhooks.is_none_or(|w| w.secrets.is_empty()) {
        return Err(bad(format!(
            "this server has no webhook secret for tenant `{tenant}`, so it cannot sign \
             webhooks (its operator adds one to --webhook-secrets-file)"
        )));
    }
    Ok(Some(url.to_string()))
}

//! A task's state in a few words, as the plain progress lines, `status`
//! and the bars' labels all say it.

use orchestrator::TaskStatus;

/// `RUNNING (45%)`; a failed task with why: `FAILED (DOCUMENT_EMPTY: …)`;
/// a cancelled one `CANCELLED`.
pub(crate) fn describe(status: &TaskStatus) -> String {
    // Cancelled, in whichever form the server said it (the reference
    // server's `FAILED` + `CANCELLED` code, or a state of its own).
    if status.is_cancelled() {
        return "CANCELLED".to_owned();
    }
    if let Some(error) = status.error() {
        return format!("{} ({error})", status.state());
    }
    match status.progress_percent() {
        Some(p) if !status.is_terminal() => format!("{} ({p:.0}%)", status.state()),
        _ => status.state().to_string(),
    }
}

/// Where a task's webhook stands: `webhook delivered (1 try)`,
/// `webhook pending (2 tries; last: HTTP 500)`, `webhook waiting for the finish`.
pub(crate) fn describe_webhook(webhook: &orchestrator::WebhookDelivery) -> String {
    let Some(state) = &webhook.state else {
        return "webhook waiting for the finish".to_owned();
    };
    let tries = match webhook.attempts {
        1 => "1 try".to_owned(),
        n => format!("{n} tries"),
    };
    match &webhook.last_error {
        Some(error) if state != "delivered" => format!("webhook {state} ({tries}; last: {error})"),
        _ => format!("webhook {state} ({tries})"),
    }
}

/// The state alone, cancelled named as such (see [`describe`]).
pub(crate) fn state_word(status: &TaskStatus) -> String {
    if status.is_cancelled() {
        "CANCELLED".to_owned()
    } else {
        status.state().to_string()
    }
}

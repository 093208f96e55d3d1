//! A task's state in a few words, as the plain progress lines, `status`
//! and the bars' labels all say it.

use orchestrator::TaskStatus;

/// `RUNNING (45%)`; a failed task with why: `FAILED (DOCUMENT_EMPTY: …)`.
pub(crate) fn describe(status: &TaskStatus) -> String {
    if let Some(error) = status.error() {
        return format!("{} ({error})", status.state());
    }
    match status.progress_percent() {
        Some(p) if !status.is_terminal() => format!("{} ({p:.0}%)", status.state()),
        _ => status.state().to_string(),
    }
}

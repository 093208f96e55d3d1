//! Long polling (`Prefer: wait=N`, RFC 7240): a status request held until
//! the task changes, answered from one read shared by every waiter that
//! change woke.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use orchestrator::TaskState;
use tokio::time::Instant;

use super::AppState;
use super::problem::ApiError;
use crate::hub::{SharedRecord, Subscription};
use crate::store::TaskRecord;

/// A held request answers progress alone at most this often.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// The `Prefer: wait=N` a status GET asks for (read in place: the request's
/// headers are not copied for the length of a long poll).
pub(crate) struct RequestedWait(pub(crate) Option<Duration>);

impl<S: Send + Sync> FromRequestParts<S> for RequestedWait {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(RequestedWait(requested_wait(&parts.headers)))
    }
}

/// What a held long poll compares each change with: the state and progress
/// it was answered from.
pub(crate) struct Seen {
    state: TaskState,
    progress: Option<u8>,
}

impl Seen {
    pub(crate) fn of(task: &TaskRecord) -> Seen {
        Seen {
            state: task.state.clone(),
            progress: task.progress,
        }
    }
}

/// How a held long poll ended.
pub(crate) enum Held {
    /// The task changed: answer with this read of it, shared by every
    /// waiter the change woke.
    Changed(Arc<SharedRecord>),
    /// The task is gone (swept, or another tenant's).
    Gone,
    /// The wait ran out, or the server is shutting down: answer with the
    /// task as it is now, read afresh, so a change whose notification was
    /// lost (another instance's) is still answered.
    Expired,
}

/// Holds a long poll: answers at once when the task's state changes, at most
/// once per [`PROGRESS_INTERVAL`] for progress alone (a task reports every
/// percent; a client needs far fewer requests than that), and when `wait`
/// runs out or the server shuts down. Waiters woken by one change share one
/// read of the task.
pub(crate) async fn hold(
    state: &AppState,
    tenant: &str,
    task_id: &str,
    initial: Seen,
    subscription: &mut Subscription<'_>,
    wait: Duration,
) -> Result<Held, ApiError> {
    let started = Instant::now();
    let give_up = started + wait;
    let progress_due = started + PROGRESS_INTERVAL;
    let mut shutdown = state.shared.shutdown.clone();
    let mut progress_seen = false;
    loop {
        // Before anything changed, wait for a change; once progress moved,
        // wait only until the progress answer is due.
        let until = if progress_seen {
            progress_due.min(give_up)
        } else {
            give_up
        };
        let changed = tokio::select! {
            () = subscription.changed() => true,
            () = tokio::time::sleep_until(until) => false,
            _ = shutdown.changed() => false,
        };
        if !changed {
            return Ok(Held::Expired);
        }
        let latest = subscription
            .fresh(|| state.shared.lifecycle.get(tenant, task_id))
            .await?
            .filter(|t| t.record.tenant == tenant);
        let Some(latest) = latest else {
            return Ok(Held::Gone);
        };
        if latest.record.state != initial.state {
            return Ok(Held::Changed(latest));
        }
        if latest.record.progress != initial.progress {
            if Instant::now() >= progress_due {
                return Ok(Held::Changed(latest));
            }
            progress_seen = true;
        }
    }
}

/// `Prefer: wait=N` (RFC 7240), among other preferences; `None` if absent or invalid.
fn requested_wait(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|pref| {
            let (name, value) = pref.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("wait") {
                return None;
            }
            let secs: u64 = value.trim().trim_matches('"').parse().ok()?;
            Some(Duration::from_secs(secs))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_wait_preference_is_found_among_others_and_garbage_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert("prefer", HeaderValue::from_static("respond-async, wait=12"));
        assert_eq!(requested_wait(&h), Some(Duration::from_secs(12)));
        h.insert("prefer", HeaderValue::from_static("wait=soon"));
        assert_eq!(requested_wait(&h), None);
        h.insert("prefer", HeaderValue::from_static("wait=-1"));
        assert_eq!(requested_wait(&h), None);
    }
}

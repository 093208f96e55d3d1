//! The `Retry-After` a status answer suggests to a client that polls
//! (rather than long-polls): paced by the task's observed progress rate.

use orchestrator::TaskState;

/// Bounds of the `Retry-After` suggested while a task runs, in seconds.
const RETRY_AFTER_MIN: u64 = 1;
const RETRY_AFTER_MAX: u64 = 30;
/// Suggested while a task waits for a worker or shows no progress yet.
const RETRY_AFTER_UNKNOWN: u64 = 1;

/// The pause to suggest to a poller, from the task's observed progress rate:
/// about a quarter of the estimated time left, so a nearly-done task is
/// checked again soon and a slow one is not hammered; clamped to 1–30 s.
pub(crate) fn retry_after_seconds(
    state: &TaskState,
    progress: Option<u8>,
    started_at: Option<i64>,
    now: i64,
) -> u64 {
    let (Some(p), Some(started)) = (progress, started_at) else {
        return RETRY_AFTER_UNKNOWN;
    };
    let elapsed_ms = now.saturating_sub(started);
    if *state != TaskState::Running || p == 0 || p >= 100 || elapsed_ms <= 0 {
        return RETRY_AFTER_UNKNOWN;
    }
    let remaining_ms = elapsed_ms as f64 * f64::from(100 - p) / f64::from(p);
    let suggestion = (remaining_ms / 4.0 / 1000.0).round() as u64;
    suggestion.clamp(RETRY_AFTER_MIN, RETRY_AFTER_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_pause_is_a_quarter_of_the_time_left_within_bounds() {
        // 50% after 20 s: ~20 s left, so look again in 5 s.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(50), Some(0), 20_000),
            5
        );
        // 95% after 20 s: about a second left.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(95), Some(0), 20_000),
            1
        );
        // 1% after an hour: slow; the cap keeps the client in touch.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(1), Some(0), 3_600_000),
            30
        );
    }

    #[test]
    fn pending_and_unstarted_tasks_get_a_short_default() {
        assert_eq!(
            retry_after_seconds(&TaskState::Pending, None, None, 5),
            RETRY_AFTER_UNKNOWN
        );
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(0), Some(0), 5_000),
            RETRY_AFTER_UNKNOWN
        );
        // A clock that went backwards does not panic or divide by zero.
        assert_eq!(
            retry_after_seconds(&TaskState::Running, Some(50), Some(10_000), 0),
            RETRY_AFTER_UNKNOWN
        );
    }
}

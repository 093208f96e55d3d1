//! When a failed delivery is tried again: a fixed schedule of pauses that
//! spans more than a day, each stretched by up to a tenth at random so
//! that a receiver coming back is not met by every retry at once.

use std::time::Duration;

/// The pauses after the 1st, 2nd, … failed try: 5 s, 30 s, 2 min, 10 min,
/// 30 min, 1 h, 2 h, 4 h, 8 h, 8 h, 8 h — 31 h 42 min in all (more with
/// the jitter), then the delivery is given up (`failed`).
pub const DEFAULT_RETRY_DELAYS: [Duration; 11] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(8 * 3600),
];

/// The pause after `failed` tries have failed (`None`: give up), with
/// `jitter` in `[0, 1)` stretching it by up to 10 %.
pub(crate) fn pause_after(delays: &[Duration], failed: u32, jitter: f64) -> Option<Duration> {
    let base = *delays.get(usize::try_from(failed).ok()?.checked_sub(1)?)?;
    Some(base.mul_f64(1.0 + 0.1 * jitter.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_spans_more_than_a_day_and_then_gives_up() {
        let total: Duration = (1..=11)
            .map(|n| pause_after(&DEFAULT_RETRY_DELAYS, n, 0.0).unwrap())
            .sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
        assert_eq!(pause_after(&DEFAULT_RETRY_DELAYS, 12, 0.0), None);
        assert_eq!(pause_after(&DEFAULT_RETRY_DELAYS, 0, 0.0), None);
    }

    #[test]
    fn jitter_stretches_a_pause_by_at_most_a_tenth() {
        let d = pause_after(&DEFAULT_RETRY_DELAYS, 1, 0.999).unwrap();
        assert!(
            d >= Duration::from_secs(5) && d < Duration::from_millis(5_500),
            "{d:?}"
        );
    }
}

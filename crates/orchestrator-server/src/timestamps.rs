//! Wall-clock time as the store keeps it (milliseconds since the Unix
//! epoch), and as the API prints it (RFC 3339).

use std::time::{Duration, UNIX_EPOCH};

use orchestrator::clock::Clock;

/// Now, in milliseconds since the Unix epoch, by `clock` (the system clock,
/// or a virtual one in tests).
pub(crate) fn millis(clock: &dyn Clock) -> i64 {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A duration in milliseconds, saturating.
pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// RFC 3339, UTC, millisecond precision: `2026-11-28T13:20:03.123Z`.
pub(crate) fn rfc3339_ms(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339_ms(1_000_000_000_123), "2001-09-09T01:46:40.123Z");
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
    }
}

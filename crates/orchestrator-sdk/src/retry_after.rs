//! Reading the server's pacing hint: `Retry-After` (RFC 9110 §10.2.3) in both
//! of its forms, plus the millisecond variant `retry-after-ms` that several
//! cloud APIs send.
//!
//! These are pure functions of the header values and `now`, so every case —
//! a date in the past, zero, garbage, a value of a thousand years — is
//! unit-tested without a clock.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Millisecond-precision hints, checked before `Retry-After` because they are
/// more precise. (Azure documents `retry-after-ms` and `x-ms-retry-after-ms`.)
const MILLISECOND_HEADERS: [&str; 2] = ["retry-after-ms", "x-ms-retry-after-ms"];

/// How long the server asks the client to wait, read from response headers.
///
/// `retry-after-ms` wins over `Retry-After` when both are valid. An HTTP-date
/// is turned into a delay relative to `now` (a date in the past means "now":
/// zero). Invalid values are ignored, as if absent. Huge values saturate
/// rather than overflow; capping them is the caller's policy.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use reqwest::header::{HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", HeaderValue::from_static("7"));
/// assert_eq!(
///     orchestrator::retry_after(&headers, SystemTime::now()),
///     Some(Duration::from_secs(7)),
/// );
/// ```
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let millis = MILLISECOND_HEADERS
        .iter()
        .filter_map(|name| headers.get(*name))
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_delta::<1>);
    millis.or_else(|| {
        headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now))
    })
}

/// Parses one `Retry-After` value: delta-seconds (`120`) or an HTTP-date
/// (`Fri, 31 Dec 1999 23:59:59 GMT`, and the two obsolete date forms).
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use orchestrator::parse_retry_after;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_000_000_000); // Sun, 09 Sep 2001 01:46:40 GMT
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(
///     parse_retry_after("Sun, 09 Sep 2001 01:47:00 GMT", now),
///     Some(Duration::from_secs(20)),
/// );
/// assert_eq!(parse_retry_after("Sat, 01 Jan 2000 00:00:00 GMT", now), Some(Duration::ZERO));
/// assert_eq!(parse_retry_after("-5", now), None);
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(delay) = parse_delta::<1000>(value) {
        return Some(delay);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A non-negative integer count of `1/UNITS_PER_SECOND` seconds — `1` for
/// milliseconds, `1000` for seconds. All digits but too big saturates.
fn parse_delta<const MILLIS_PER_UNIT: u64>(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let units = value.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_millis(units.saturating_mul(MILLIS_PER_UNIT)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::time::UNIX_EPOCH;

    fn now() -> SystemTime {
        // Sun, 09 Sep 2001 01:46:40 GMT
        UNIX_EPOCH + Duration::from_secs(1_000_000_000)
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn delta_seconds_are_read_with_surrounding_whitespace() {
        assert_eq!(
            parse_retry_after(" 3 ", now()),
            Some(Duration::from_secs(3))
        );
        assert_eq!(parse_retry_after("0", now()), Some(Duration::ZERO));
    }

    #[test]
    fn negative_fractional_and_garbage_values_are_ignored() {
        for v in [
            "-1",
            "1.5",
            "",
            "   ",
            "3s",
            "0x10",
            "∞",
            "Fri, 99 Foo 2001",
        ] {
            assert_eq!(parse_retry_after(v, now()), None, "{v:?}");
        }
    }

    #[test]
    fn a_sign_is_not_part_of_delta_seconds() {
        // Found by `cargo fuzz` (fuzz/artifacts): Rust's integer parser takes
        // a leading `+`; RFC 9110's delta-seconds is digits only.
        assert_eq!(parse_retry_after("+6", now()), None);
        assert_eq!(parse_retry_after("+0", now()), None);
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        let d = parse_retry_after("99999999999999999999999999", now()).unwrap();
        assert!(d >= Duration::from_secs(u64::MAX / 1000));
        let d = parse_retry_after("18446744073709551615", now()).unwrap();
        assert!(d > Duration::from_secs(1_000_000_000));
    }

    #[test]
    fn http_dates_in_all_three_formats_are_relative_to_now() {
        let expect = Some(Duration::from_secs(80));
        assert_eq!(
            parse_retry_after("Sun, 09 Sep 2001 01:48:00 GMT", now()),
            expect
        );
        assert_eq!(
            parse_retry_after("Sunday, 09-Sep-01 01:48:00 GMT", now()),
            expect
        );
        assert_eq!(parse_retry_after("Sun Sep  9 01:48:00 2001", now()), expect);
    }

    #[test]
    fn a_date_in_the_past_means_no_wait() {
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn milliseconds_header_wins_over_retry_after() {
        let h = headers(&[("retry-after", "10"), ("retry-after-ms", "250")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_millis(250)));
        let h = headers(&[("x-ms-retry-after-ms", "1500")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn an_invalid_milliseconds_header_falls_back_to_retry_after() {
        let h = headers(&[("retry-after", "2"), ("retry-after-ms", "soon")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(2)));
    }

    #[test]
    fn no_header_means_no_hint() {
        assert_eq!(retry_after(&HeaderMap::new(), now()), None);
    }

    #[test]
    fn a_non_ascii_header_value_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert_eq!(retry_after(&h, now()), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_value_parses_without_panicking(value in ".{0,64}", secs in 0u64..4_000_000_000) {
                let now = UNIX_EPOCH + Duration::from_secs(secs);
                let _ = parse_retry_after(&value, now);
            }

            #[test]
            fn any_digits_give_at_least_that_many_seconds(digits in "[0-9]{1,40}") {
                let d = parse_retry_after(&digits, now()).unwrap();
                match digits.parse::<u64>() {
                    Ok(n) => prop_assert_eq!(d, Duration::from_millis(n.saturating_mul(1000))),
                    Err(_) => prop_assert!(d >= Duration::from_secs(u64::MAX / 1000)),
                }
            }

            #[test]
            fn any_header_bytes_are_handled(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                    let mut h = HeaderMap::new();
                    h.insert(RETRY_AFTER, value.clone());
                    h.insert("retry-after-ms", value);
                    let _ = retry_after(&h, now());
                }
            }

            #[test]
            fn a_date_never_gives_more_than_the_distance_to_it(offset in 0u64..10_000_000) {
                let at = now() + Duration::from_secs(offset);
                let d = parse_retry_after(&httpdate::fmt_http_date(at), now()).unwrap();
                prop_assert_eq!(d, Duration::from_secs(offset));
            }
        }
    }
}

//! Any Retry-After / retry-after-ms value: parsing never panics, and a
//! delta-seconds value always means at least that many seconds.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use reqwest::header::{HeaderMap, HeaderValue};

fuzz_target!(|data: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = orchestrator::parse_retry_after(text, now);
        // Only 1*DIGIT is delta-seconds (RFC 9110); `u64::from_str` would
        // also take "+6", which the parser rightly refuses.
        let trimmed = text.trim();
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            let n = trimmed.parse::<u64>().unwrap_or(u64::MAX);
            assert_eq!(parsed, Some(Duration::from_millis(n.saturating_mul(1000))));
        }
    }
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", value.clone());
        headers.insert("retry-after-ms", value);
        let _ = orchestrator::retry_after(&headers, now);
    }
});

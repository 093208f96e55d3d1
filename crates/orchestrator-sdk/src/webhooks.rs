//! Webhooks as the server sends them, signed per the Standard Webhooks
//! specification (standardwebhooks.com): verify one in a receiver with
//! [`verify`], and (for servers and tests) make the signature with [`sign`].
//!
//! A delivery is a `POST` whose body is `{"type", "timestamp", "data"}`,
//! `data` being the task's status object, with three headers:
//! `webhook-id` (the event's id, the same on every retry: deduplicate on
//! it), `webhook-timestamp` (Unix seconds of this attempt) and
//! `webhook-signature` (space-separated `v1,<base64>` entries, one per
//! secret while a secret is being rotated). Each signature is
//! HMAC-SHA256, keyed with the secret's bytes (the base64 after `whsec_`),
//! of `{id}.{timestamp}.{body}`.
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use orchestrator::webhooks::{self, Secret};
//! use reqwest::header::{HeaderMap, HeaderValue};
//!
//! let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let body = br#"{"type":"task.completed","timestamp":"2026-12-02T20:00:00Z","data":{"task_id":"task-1","status":"COMPLETED"}}"#;
//! let now = UNIX_EPOCH + Duration::from_secs(1_764_705_600);
//! let mut headers = HeaderMap::new();
//! headers.insert("webhook-id", HeaderValue::from_static("42"));
//! headers.insert("webhook-timestamp", HeaderValue::from_static("1764705600"));
//! let signature = webhooks::sign(&secret, "42", 1_764_705_600, body);
//! headers.insert("webhook-signature", HeaderValue::from_str(&signature).unwrap());
//!
//! let event = webhooks::verify(&[secret], &headers, body, now).unwrap();
//! assert_eq!(event.kind(), "task.completed");
//! assert_eq!(event.status().task_id().unwrap().as_str(), "task-1");
//! ```

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::models::TaskStatus;

/// The submit header naming where a task's finish is posted (outside the
/// action's body, as labels are).
pub const WEBHOOK_HEADER: &str = "task-webhook";
/// The header carrying the event's id.
pub const ID_HEADER: &str = "webhook-id";
/// The header carrying the attempt's Unix time in seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The header carrying the signatures.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a delivery's timestamp may be from the receiver's clock.
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// A signing secret, `whsec_` and base64. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    key: Vec<u8>,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// Reads `whsec_<base64>` (the prefix may be left out). The key must
    /// be 24 to 64 bytes, as the specification asks.
    ///
    /// ```
    /// use orchestrator::webhooks::Secret;
    /// assert!(Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
    /// assert!(Secret::parse("whsec_c2hvcnQ=").is_err()); // 5 bytes
    /// assert!(Secret::parse("whsec_not base64!").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Secret> {
        let encoded = text.trim();
        let encoded = encoded.strip_prefix("whsec_").unwrap_or(encoded);
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| Error::invalid_input("a webhook secret is `whsec_` followed by base64"))?;
        if !(24..=64).contains(&key.len()) {
            return Err(Error::invalid_input(format!(
                "a webhook secret holds 24 to 64 bytes; this one holds {}",
                key.len()
            )));
        }
        Ok(Secret { key })
    }

    fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> hmac::Tag {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.key);
        let mut context = hmac::Context::with_key(&key);
        context.update(id.as_bytes());
        context.update(b".");
        context.update(timestamp.to_string().as_bytes());
        context.update(b".");
        context.update(body);
        context.sign()
    }

    fn matches(&self, id: &str, timestamp: i64, body: &[u8], signature: &[u8]) -> bool {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.key);
        let signed = [
            id.as_bytes(),
            b".",
            timestamp.to_string().as_bytes(),
            b".",
            body,
        ]
        .concat();
        // Constant time, in the library.
        hmac::verify(&key, &signed, signature).is_ok()
    }
}

/// The `v1,<base64>` signature of one delivery with one secret.
///
/// ```
/// use orchestrator::webhooks::{Secret, sign};
/// // The specification's reference libraries' test vector.
/// let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
/// assert_eq!(
///     sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#),
///     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
/// );
/// ```
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v1,{}",
        STANDARD.encode(secret.signature(id, timestamp, body).as_ref())
    )
}

/// The `webhook-signature` value for a delivery: one signature per secret,
/// space-separated (two while a secret is rotated).
///
/// ```
/// use orchestrator::webhooks::{Secret, signature_header};
/// let old = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
/// let new = Secret::parse("whsec_QmFzZTY0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIQ==").unwrap();
/// assert_eq!(signature_header(&[old, new], "1", 2, b"{}").split(' ').count(), 2);
/// ```
pub fn signature_header(secrets: &[Secret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A delivery whose signature was verified.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    id: String,
    timestamp: i64,
    kind: String,
    occurred_at: Option<String>,
    status: TaskStatus,
}

impl WebhookEvent {
    /// The `webhook-id`: the event's id, the same on every retry of it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `webhook-timestamp` of this attempt (Unix seconds).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// `task.completed`, `task.failed` or `task.cancelled` (other types
    /// may come from newer servers).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// When the change happened (the body's RFC 3339 `timestamp`).
    pub fn occurred_at(&self) -> Option<&str> {
        self.occurred_at.as_deref()
    }

    /// The task's status (the body's `data`).
    pub fn status(&self) -> &TaskStatus {
        &self.status
    }

    /// The status, owned.
    pub fn into_status(self) -> TaskStatus {
        self.status
    }
}

/// Checks a delivery: its timestamp within [`TOLERANCE`] of `now`, and
/// among its `v1` signatures one made with one of `secrets` (entries of
/// other versions are skipped). Then decodes the body. Every failure is
/// [`ErrorKind::InvalidWebhook`], saying what was wrong and never
/// repeating a signature or a secret.
///
/// ```
/// use std::time::SystemTime;
/// use orchestrator::webhooks::{Secret, verify};
/// let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
/// let e = verify(&[secret], &reqwest::header::HeaderMap::new(), b"{}", SystemTime::now()).unwrap_err();
/// assert!(e.to_string().contains("webhook-id"));
/// ```
pub fn verify(
    secrets: &[Secret],
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<WebhookEvent> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("the delivery has no `{name}` header")))
    };
    let id = header(ID_HEADER)?;
    let timestamp: i64 = header(TIMESTAMP_HEADER)?
        .parse()
        .map_err(|_| invalid("`webhook-timestamp` is not a whole number of seconds"))?;
    let signatures = header(SIGNATURE_HEADER)?;
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    let tolerance = TOLERANCE.as_secs() as i64;
    if timestamp < now.saturating_sub(tolerance) {
        return Err(invalid(format!(
            "the delivery's timestamp is {} s old, past the {tolerance} s tolerance",
            now.saturating_sub(timestamp)
        )));
    }
    if timestamp > now.saturating_add(tolerance) {
        return Err(invalid(format!(
            "the delivery's timestamp is {} s ahead of this clock, past the {tolerance} s tolerance",
            timestamp.saturating_sub(now)
        )));
    }
    let matched = signatures
        .split_ascii_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .any(|signature| {
            secrets
                .iter()
                .any(|secret| secret.matches(id, timestamp, body, &signature))
        });
    if !matched {
        return Err(invalid(
            "no signature of the delivery matches a secret given (a wrong secret, or a changed body)",
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("the signed body is not JSON: {e}")))?;
    let kind = value["type"]
        .as_str()
        .ok_or_else(|| invalid("the signed body has no `type`"))?
        .to_owned();
    let occurred_at = value["timestamp"].as_str().map(str::to_owned);
    let status = TaskStatus::from_json(value["data"].clone())
        .map_err(|e| e.context("the signed body's `data`"))?;
    Ok(WebhookEvent {
        id: id.to_owned(),
        timestamp,
        kind,
        occurred_at,
        status,
    })
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidWebhook, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    // The reference libraries' test case (standard-webhooks, libraries/go/webhook_test.go).
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const WRONG: &str = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

    fn at(seconds: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds as u64)
    }

    fn headers(id: &str, timestamp: i64, signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ID_HEADER, HeaderValue::from_str(id).unwrap());
        h.insert(TIMESTAMP_HEADER, HeaderValue::from(timestamp));
        h.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).unwrap());
        h
    }

    /// Checks signature and timestamp only: the vector's body is no event.
    fn check(secrets: &[Secret], h: &HeaderMap, body: &[u8], now: SystemTime) -> Result<()> {
        match verify(secrets, h, body, now) {
            Err(e) if e.to_string().contains("has no `type`") => Ok(()),
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

    #[test]
    fn the_specifications_test_vector_signs_as_published() {
        let secret = Secret::parse(SECRET).unwrap();
        assert_eq!(
            sign(&secret, ID, 1_614_265_330, BODY),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        // The prefix is optional.
        assert_eq!(Secret::parse(&SECRET[6..]).unwrap(), secret);
    }

    #[test]
    fn a_valid_signature_verifies_and_a_wrong_or_missing_one_does_not() {
        let secret = Secret::parse(SECRET).unwrap();
        let now = 1_614_265_330;
        let good = sign(&secret, ID, now, BODY);
        let s = std::slice::from_ref(&secret);
        assert!(check(s, &headers(ID, now, &good), BODY, at(now)).is_ok());
        let e = check(s, &headers(ID, now, WRONG), BODY, at(now)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidWebhook);
        assert!(!e.to_string().contains("Ceo5"), "{e}");
        // A changed body or id no longer matches.
        assert!(check(s, &headers(ID, now, &good), b"{\"test\": 1}", at(now)).is_err());
        assert!(check(s, &headers("msg_other", now, &good), BODY, at(now)).is_err());
        for missing in [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER] {
            let mut h = headers(ID, now, &good);
            h.remove(missing);
            let e = check(s, &h, BODY, at(now)).unwrap_err();
            assert!(e.to_string().contains(missing), "{e}");
        }
    }

    #[test]
    fn one_good_signature_among_several_of_any_version_verifies() {
        let secret = Secret::parse(SECRET).unwrap();
        let now = 1_614_265_330;
        let good = sign(&secret, ID, now, BODY);
        let many =
            format!("{WRONG} v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {good} {WRONG}");
        assert!(check(&[secret], &headers(ID, now, &many), BODY, at(now)).is_ok());
    }

    #[test]
    fn either_secret_of_a_rotation_verifies_a_delivery_signed_with_both() {
        let old = Secret::parse(SECRET).unwrap();
        let new = Secret::parse("whsec_QmFzZTY0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIQ==").unwrap();
        let now = 1_700_000_000;
        let both = signature_header(&[old.clone(), new.clone()], "7", now, BODY);
        for receiver in [old, new] {
            assert!(check(&[receiver], &headers("7", now, &both), BODY, at(now)).is_ok());
        }
    }

    #[test]
    fn timestamps_past_the_tolerance_either_way_are_refused() {
        let secret = Secret::parse(SECRET).unwrap();
        let now = 1_700_000_000;
        let five_minutes = 300;
        for (ts, ok) in [
            (now - five_minutes + 1, true),
            (now + five_minutes, true),
            (now - five_minutes - 1, false),
            (now + five_minutes + 1, false),
            (946_684_800, false), // 2000-01-01
        ] {
            let h = headers(ID, ts, &sign(&secret, ID, ts, BODY));
            let result = check(std::slice::from_ref(&secret), &h, BODY, at(now));
            assert_eq!(result.is_ok(), ok, "timestamp {ts}: {result:?}");
        }
    }

    #[test]
    fn a_verified_delivery_decodes_into_its_event() {
        let secret = Secret::parse(SECRET).unwrap();
        let body = br#"{"type":"task.failed","timestamp":"2026-12-02T20:00:00Z","data":{"task_id":"t-1","status":"FAILED","error":{"code":"DOCUMENT_EMPTY","message":"empty"}}}"#;
        let h = headers("9", 1_700_000_000, &sign(&secret, "9", 1_700_000_000, body));
        let event = verify(&[secret], &h, body, at(1_700_000_000)).unwrap();
        assert_eq!(event.id(), "9");
        assert_eq!(event.kind(), "task.failed");
        assert_eq!(event.occurred_at(), Some("2026-12-02T20:00:00Z"));
        assert_eq!(event.status().error().unwrap().code, "DOCUMENT_EMPTY");
    }

    #[test]
    fn secrets_are_never_shown() {
        let secret = Secret::parse(SECRET).unwrap();
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }
}

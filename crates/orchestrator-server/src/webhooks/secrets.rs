//! `--webhook-secrets-file`: one `TENANT whsec_… [URL]` per line. Two
//! lines for one tenant while its secret is rotated (every delivery is
//! then signed with both); a URL on a line makes it the tenant's default
//! endpoint, for tasks submitted without one of their own.

use std::fmt;

use orchestrator::webhooks::Secret;
use url::Url;

/// One tenant's webhook settings.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantWebhooks {
    /// The tenant (`default` for the single shared key).
    pub tenant: String,
    /// The secrets every delivery is signed with.
    pub secrets: Vec<Secret>,
    /// Where its tasks' finishes go when they name no URL.
    pub default_url: Option<Url>,
}

/// The secrets never show.
impl fmt::Debug for TenantWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantWebhooks")
            .field("tenant", &self.tenant)
            .field("secrets", &self.secrets.len())
            .field("default_url", &self.default_url.as_ref().map(Url::origin))
            .finish()
    }
}

/// A line of the secrets file that cannot be used: its number and why
/// (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct WebhookSecretsError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// Reads a secrets file; blank lines and `#` comments are skipped.
pub fn parse_webhook_secrets(text: &str) -> Result<Vec<TenantWebhooks>, WebhookSecretsError> {
    let mut tenants: Vec<TenantWebhooks> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason: &str| WebhookSecretsError {
            line: i + 1,
            reason: reason.to_owned(),
        };
        let mut words = line.split_whitespace();
        let (Some(tenant), Some(secret)) = (words.next(), words.next()) else {
            return Err(fail("expected `TENANT whsec_SECRET [URL]`"));
        };
        if !secret.starts_with("whsec_") {
            return Err(fail("the secret must start with `whsec_`"));
        }
        let secret = Secret::parse(secret).map_err(|e| fail(&e.to_string()))?;
        let url = match words.next() {
            None => None,
            Some(url) => {
                let url =
                    Url::parse(url).map_err(|e| fail(&format!("the URL is not valid: {e}")))?;
                if !super::is_postable(&url) {
                    return Err(fail("the default endpoint must be an http or https URL"));
                }
                Some(url)
            }
        };
        if words.next().is_some() {
            return Err(fail("expected `TENANT whsec_SECRET [URL]`"));
        }
        match tenants.iter_mut().find(|t| t.tenant == tenant) {
            Some(known) => {
                if known.secrets.len() >= 2 {
                    return Err(fail(
                        "a tenant has at most two secrets: the old and the new, while rotating",
                    ));
                }
                if url.is_some() && known.default_url.is_some() && url != known.default_url {
                    return Err(fail("the tenant already has another default endpoint"));
                }
                known.secrets.push(secret);
                if url.is_some() {
                    known.default_url = url;
                }
            }
            None => tenants.push(TenantWebhooks {
                tenant: tenant.to_owned(),
                secrets: vec![secret],
                default_url: url,
            }),
        }
    }
    Ok(tenants)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const B: &str = "whsec_QmFzZTY0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIQ==";

    #[test]
    fn a_file_gives_each_tenant_its_secrets_and_default_endpoint() {
        let text = format!(
            "# rotating acme\nacme {A} https://hooks.acme.example/done\nacme {B}\n\ndefault {B}\n"
        );
        let tenants = parse_webhook_secrets(&text).unwrap();
        assert_eq!(tenants.len(), 2);
        assert_eq!(tenants[0].secrets.len(), 2);
        assert_eq!(
            tenants[0].default_url.as_ref().map(Url::as_str),
            Some("https://hooks.acme.example/done")
        );
        assert_eq!(tenants[1].tenant, "default");
        assert!(tenants[1].default_url.is_none());
    }

    #[test]
    fn a_bad_line_is_named_and_its_secret_is_not_shown() {
        for (text, says) in [
            ("acme", "expected"),
            ("acme notasecret", "whsec_"),
            ("acme whsec_c2hvcnQ=", "24 to 64 bytes"),
            (&format!("acme {A} ftp://x"), "http or https"),
            (
                &format!("acme {A} https://a\nacme {B} https://b"),
                "another default",
            ),
            (&format!("acme {A}\nacme {B}\nacme {A}"), "at most two"),
        ] {
            let e = parse_webhook_secrets(text).unwrap_err();
            assert!(e.to_string().contains(says), "{text}: {e}");
            assert!(!e.to_string().contains("MfKQ"), "{e}");
        }
        let e = parse_webhook_secrets(&format!("\n\nacme {A} ftp://x")).unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let tenants = parse_webhook_secrets(&format!("acme {A}")).unwrap();
        assert!(!format!("{tenants:?}").contains("MfKQ"));
    }
}

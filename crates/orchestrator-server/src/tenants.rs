//! Who a request is: tenants and their keys. Keys are held only as SHA-256
//! hashes — in the keys file and in memory — and a presented key is compared
//! against every tenant's hash in constant time.
//!
//! SHA-256 rather than a password hash (argon2, scrypt): API keys are long
//! random strings, not guessable passwords, so a slow hash buys nothing
//! against brute force and would cost every request a deliberate delay.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The tenant a request authenticated as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Tenant(pub(crate) String);

/// The tenant of the single `--api-key` / `ORCHESTRATOR_API_KEY` mode, and
/// of every request when authentication is off.
pub(crate) const DEFAULT_TENANT: &str = "default";

/// A tenant and the SHA-256 of its key: one line of `--api-keys-file`.
///
/// `Debug` shows the name only.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantKey {
    name: String,
    sha256: [u8; 32],
}

impl fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantKey")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A line of a keys file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct KeysFileError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl TenantKey {
    /// The tenant `name` with the key `key` (hashed here; the key itself is
    /// not kept).
    ///
    /// ```
    /// use orchestrator_server::TenantKey;
    /// let t = TenantKey::new("acme", "orch_3f6c…").unwrap();
    /// assert_eq!(t.name(), "acme");
    /// assert!(t.to_line().starts_with("acme sha256:"));
    /// assert!(!format!("{t:?}").contains("3f6c"));
    /// ```
    pub fn new(name: &str, key: &str) -> Result<TenantKey, String> {
        check_name(name)?;
        if key.trim().is_empty() {
            return Err("the key is empty".into());
        }
        Ok(TenantKey {
            name: name.to_owned(),
            sha256: Sha256::digest(key.trim().as_bytes()).into(),
        })
    }

    /// The tenant's name, as it appears in logs and metrics.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The line for a keys file: `NAME sha256:HEX`.
    pub fn to_line(&self) -> String {
        let hex: String = self.sha256.iter().map(|b| format!("{b:02x}")).collect();
        format!("{} sha256:{hex}", self.name)
    }

    /// Reads a keys file: one tenant per line, `NAME sha256:HEX` (the
    /// `sha256:` prefix is optional); blank lines and `#` comments are
    /// skipped. Names and hashes must be unique.
    ///
    /// ```
    /// use orchestrator_server::TenantKey;
    /// let line = TenantKey::new("acme", "k1").unwrap().to_line();
    /// let tenants = TenantKey::parse_keys_file(&format!("# our tenants\n{line}\n")).unwrap();
    /// assert_eq!(tenants[0].name(), "acme");
    /// let err = TenantKey::parse_keys_file("acme not-a-hash").unwrap_err();
    /// assert_eq!(err.line, 1);
    /// ```
    pub fn parse_keys_file(text: &str) -> Result<Vec<TenantKey>, KeysFileError> {
        let mut tenants: Vec<TenantKey> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |reason: String| KeysFileError {
                line: i + 1,
                reason,
            };
            let mut fields = line.split_whitespace();
            let (Some(name), Some(hash), None) = (fields.next(), fields.next(), fields.next())
            else {
                return Err(fail("expected `NAME sha256:HEX`".into()));
            };
            check_name(name).map_err(fail)?;
            let sha256 = parse_hash(hash.strip_prefix("sha256:").unwrap_or(hash)).ok_or_else(
                || fail("the hash is not 64 hexadecimal digits (a SHA-256; see `orchestrator-server hash-key`)".into()),
            )?;
            if tenants.iter().any(|t| t.name == name) {
                return Err(fail(format!("tenant `{name}` appears twice")));
            }
            if tenants.iter().any(|t| t.sha256 == sha256) {
                return Err(fail("two tenants share a key".into()));
            }
            tenants.push(TenantKey {
                name: name.to_owned(),
                sha256,
            });
        }
        Ok(tenants)
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a tenant name: 1 to 64 letters, digits, `-`, `_` or `.`"
        ))
    }
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Decides who a bearer key belongs to.
#[derive(Debug, Clone)]
pub(crate) enum Authenticator {
    /// `--insecure-no-auth`: everyone is the default tenant.
    Off,
    /// These tenants' keys.
    Keys(Vec<TenantKey>),
}

impl Authenticator {
    /// The tenant whose key `presented` is. Every tenant's hash is compared,
    /// in constant time, whether or not an earlier one matched, so the time
    /// taken says nothing about which tenant (or how much of a key) matched.
    pub(crate) fn authenticate(&self, presented: &str) -> Option<Tenant> {
        let Authenticator::Keys(keys) = self else {
            return Some(Tenant(DEFAULT_TENANT.to_owned()));
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for key in keys {
            if bool::from(digest.ct_eq(&key.sha256)) {
                found = Some(Tenant(key.name.clone()));
            }
        }
        found
    }

    /// Whether a key is needed at all.
    pub(crate) fn required(&self) -> bool {
        matches!(self, Authenticator::Keys(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_authenticates_its_own_tenant_only() {
        let auth = Authenticator::Keys(vec![
            TenantKey::new("acme", "key-a").unwrap(),
            TenantKey::new("globex", "key-g").unwrap(),
        ]);
        assert_eq!(auth.authenticate("key-g"), Some(Tenant("globex".into())));
        assert_eq!(auth.authenticate("key-a"), Some(Tenant("acme".into())));
        assert_eq!(auth.authenticate("key-"), None);
        assert_eq!(auth.authenticate(""), None);
    }

    #[test]
    fn a_line_written_by_to_line_reads_back() {
        let t = TenantKey::new("team.data-1", "s3cret").unwrap();
        let back = TenantKey::parse_keys_file(&t.to_line()).unwrap();
        assert_eq!(back, vec![t]);
        // The well-known SHA-256 of "abc".
        let abc = TenantKey::new("x", "abc").unwrap().to_line();
        assert_eq!(
            abc,
            "x sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bad_keys_files_name_the_line() {
        let good = TenantKey::new("a", "k").unwrap().to_line();
        for (text, line) in [
            ("\n\nbad name! sha256:00", 3),
            (&*format!("{good}\n{good}"), 2),
            ("a sha256:zz", 1),
            ("a", 1),
            ("a b c", 1),
        ] {
            let err = TenantKey::parse_keys_file(text).unwrap_err();
            assert_eq!(err.line, line, "{text}: {err}");
        }
        let other = TenantKey::new("b", "k").unwrap().to_line();
        let err = TenantKey::parse_keys_file(&format!("{good}\n{other}")).unwrap_err();
        assert!(err.reason.contains("share a key"), "{err}");
    }
}

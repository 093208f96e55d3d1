//! Who a request is: tenants, their keys and what each key may do. Keys are
//! held only as SHA-256 hashes — in the keys file and in memory — and a
//! presented key is compared against every tenant's hash in constant time.
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

/// What a key may do besides acting as its tenant: its role, the words
/// after the hash on its keys-file line.
///
/// - `operator`: the console shows it every tenant's tasks, and lets it act
///   on them (the `/v1` API, which names no tenant, still acts as its own).
/// - `read-only`: it reads and never changes anything — the API refuses
///   its submits, cancels and retries with `403`, and the console shows it
///   no buttons.
///
/// ```
/// use orchestrator_server::Role;
/// let role = Role::parse_words(["operator", "read-only"]).unwrap();
/// assert!(role.is_operator() && role.is_read_only());
/// assert_eq!(role.to_string(), "operator read-only");
/// assert!(Role::parse_words(["admin"]).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Role {
    operator: bool,
    read_only: bool,
}

impl Role {
    /// A key of its own tenant that may read and change: no words.
    pub const TENANT: Role = Role {
        operator: false,
        read_only: false,
    };

    /// The role with the console's view of every tenant too.
    #[must_use]
    pub fn operator(mut self) -> Role {
        self.operator = true;
        self
    }

    /// The role, restricted to reading.
    #[must_use]
    pub fn read_only(mut self) -> Role {
        self.read_only = true;
        self
    }

    /// Whether the console shows this key every tenant.
    pub fn is_operator(self) -> bool {
        self.operator
    }

    /// Whether this key may only read.
    pub fn is_read_only(self) -> bool {
        self.read_only
    }

    /// The role of a keys-file line's words after its hash: `operator`,
    /// `read-only`, both, or none.
    pub fn parse_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Role, String> {
        let mut role = Role::TENANT;
        for word in words {
            match word {
                "operator" => role.operator = true,
                "read-only" => role.read_only = true,
                other => {
                    return Err(format!(
                        "`{other}` is not a role: the words after the hash are `operator` and `read-only`"
                    ));
                }
            }
        }
        Ok(role)
    }
}

/// The role's words, as a keys-file line ends: `operator read-only`, or
/// nothing for a plain tenant key.
impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = [
            self.operator.then_some("operator"),
            self.read_only.then_some("read-only"),
        ]
        .into_iter()
        .flatten()
        .collect();
        f.write_str(&words.join(" "))
    }
}

/// A tenant, the SHA-256 of its key and the key's role: one line of
/// `--api-keys-file`.
///
/// `Debug` shows the name and role only.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantKey {
    name: String,
    sha256: [u8; 32],
    role: Role,
}

impl fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantKey")
            .field("name", &self.name)
            .field("role", &self.role)
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
            role: Role::TENANT,
        })
    }

    /// The same key with `role`.
    ///
    /// ```
    /// use orchestrator_server::{Role, TenantKey};
    /// let ops = TenantKey::new("ops", "k").unwrap().with_role(Role::TENANT.operator());
    /// assert!(ops.to_line().ends_with(" operator"));
    /// ```
    #[must_use]
    pub fn with_role(mut self, role: Role) -> TenantKey {
        self.role = role;
        self
    }

    /// The tenant's name, as it appears in logs and metrics.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the key may do.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The line for a keys file: `NAME sha256:HEX`, then the role's words.
    pub fn to_line(&self) -> String {
        let hex: String = self.sha256.iter().map(|b| format!("{b:02x}")).collect();
        let role = self.role.to_string();
        if role.is_empty() {
            format!("{} sha256:{hex}", self.name)
        } else {
            format!("{} sha256:{hex} {role}", self.name)
        }
    }

    /// Reads a keys file: one tenant per line, `NAME sha256:HEX [ROLE…]`
    /// (the `sha256:` prefix is optional; the role's words are `operator`
    /// and `read-only`, see [`Role`]); blank lines and `#` comments are
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
            let (Some(name), Some(hash)) = (fields.next(), fields.next()) else {
                return Err(fail(
                    "expected `NAME sha256:HEX [operator] [read-only]`".into(),
                ));
            };
            let role = Role::parse_words(fields).map_err(fail)?;
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
                role,
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
    /// The tenant whose key `presented` is, and the key's role. Every
    /// tenant's hash is compared, in constant time, whether or not an
    /// earlier one matched, so the time taken says nothing about which
    /// tenant (or how much of a key) matched.
    pub(crate) fn authenticate(&self, presented: &str) -> Option<(Tenant, Role)> {
        let Authenticator::Keys(keys) = self else {
            return Some((Tenant(DEFAULT_TENANT.to_owned()), Role::TENANT));
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for key in keys {
            if bool::from(digest.ct_eq(&key.sha256)) {
                found = Some((Tenant(key.name.clone()), key.role));
            }
        }
        found
    }

    /// The tenant and role of the key whose SHA-256 is `sha256` (a console
    /// session names its key so): `None` once that key is gone from the
    /// keys, which ends the sessions it opened. Compared in constant time,
    /// as a presented key is.
    pub(crate) fn by_key_hash(&self, sha256: &[u8; 32]) -> Option<(Tenant, Role)> {
        let Authenticator::Keys(keys) = self else {
            return Some((Tenant(DEFAULT_TENANT.to_owned()), Role::TENANT));
        };
        let mut found = None;
        for key in keys {
            if bool::from(sha256.ct_eq(&key.sha256)) {
                found = Some((Tenant(key.name.clone()), key.role));
            }
        }
        found
    }

    /// The names of the tenants with a key (none when authentication is
    /// off: then only the default tenant exists).
    pub(crate) fn tenant_names(&self) -> Vec<String> {
        match self {
            Authenticator::Off => vec![DEFAULT_TENANT.to_owned()],
            Authenticator::Keys(keys) => keys.iter().map(|k| k.name.clone()).collect(),
        }
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
        let tenant_of = |key: &str| auth.authenticate(key).map(|(t, _)| t);
        assert_eq!(tenant_of("key-g"), Some(Tenant("globex".into())));
        assert_eq!(tenant_of("key-a"), Some(Tenant("acme".into())));
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
    fn a_role_written_by_to_line_reads_back_and_reaches_the_authenticated_caller() {
        let ops = TenantKey::new("ops", "key-o")
            .unwrap()
            .with_role(Role::TENANT.operator());
        let viewer = TenantKey::new("viewer", "key-v")
            .unwrap()
            .with_role(Role::TENANT.read_only());
        let plain = TenantKey::new("acme", "key-a").unwrap();
        let text = [&ops, &viewer, &plain].map(TenantKey::to_line).join("\n");
        let back = TenantKey::parse_keys_file(&text).unwrap();
        assert_eq!(back, vec![ops, viewer, plain]);
        let auth = Authenticator::Keys(back);
        let role_of = |key: &str| auth.authenticate(key).map(|(_, r)| r);
        assert_eq!(role_of("key-o"), Some(Role::TENANT.operator()));
        assert!(role_of("key-v").is_some_and(Role::is_read_only));
        assert_eq!(role_of("key-a"), Some(Role::TENANT));
        assert!(!format!("{:?}", auth).contains("key-"));
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
            (&*format!("{good} admin"), 1),
        ] {
            let err = TenantKey::parse_keys_file(text).unwrap_err();
            assert_eq!(err.line, line, "{text}: {err}");
        }
        let other = TenantKey::new("b", "k").unwrap().to_line();
        let err = TenantKey::parse_keys_file(&format!("{good}\n{other}")).unwrap_err();
        assert!(err.reason.contains("share a key"), "{err}");
    }
}

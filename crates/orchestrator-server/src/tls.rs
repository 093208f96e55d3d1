//! HTTPS: the server's certificate and key, read from PEM files, served
//! with rustls. ALPN offers HTTP/2 first, then HTTP/1.1.
//!
//! The pair is re-read when either file's contents change (checked every
//! `tls_reload_every`), so a renewed certificate is served without a
//! restart: new handshakes get the new pair, open connections keep theirs.
//! A pair that does not load (half written, mismatched) is reported and the
//! one being served is kept.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::error::StartError;

/// The certificate being served, and how to notice that its files changed.
pub(crate) struct Certificates {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
    /// The files' state when last looked at (loaded or not), so a pair that
    /// fails to load is reported once per change, not on every check.
    seen: Mutex<Stamp>,
}

/// What the files held when last read: a digest of each (not the bytes, so
/// no second copy of the key stays in memory). Contents, not modification
/// times: a renewal written within the file system's timestamp granularity
/// of the last look would otherwise go unnoticed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    cert: Option<[u8; 32]>,
    key: Option<[u8; 32]>,
}

/// The files' bytes, and their stamp.
struct Read {
    cert: std::io::Result<Vec<u8>>,
    key: std::io::Result<Vec<u8>>,
    stamp: Stamp,
}

impl Read {
    fn files(files: &TlsFiles) -> Read {
        let digest = |bytes: &std::io::Result<Vec<u8>>| {
            bytes
                .as_ref()
                .ok()
                .map(|b| <[u8; 32]>::from(Sha256::digest(b)))
        };
        let cert = std::fs::read(&files.cert);
        let key = std::fs::read(&files.key);
        let stamp = Stamp {
            cert: digest(&cert),
            key: digest(&key),
        };
        Read { cert, key, stamp }
    }
}

/// What a reload check found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reload {
    /// The files are as they were.
    Unchanged,
    /// A new pair is being served.
    Reloaded,
    /// The files changed but do not make a usable pair; the old one stays.
    Refused(String),
}

impl Certificates {
    /// Loads `files`; a clear error naming the file at fault.
    pub(crate) fn load(files: &TlsFiles) -> Result<Certificates, StartError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let read = Read::files(files);
        let key = certified_key(files, &read, &provider)
            .map_err(|message| StartError::Tls { message })?;
        Ok(Certificates {
            files: files.clone(),
            provider,
            current: RwLock::new(Arc::new(key)),
            seen: Mutex::new(read.stamp),
        })
    }

    /// Serves the files' new pair if they changed since the last look.
    pub(crate) fn reload_if_changed(&self) -> Reload {
        let read = Read::files(&self.files);
        {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if *seen == read.stamp {
                return Reload::Unchanged;
            }
            seen.clone_from(&read.stamp);
        }
        match certified_key(&self.files, &read, &self.provider) {
            Ok(key) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(key);
                Reload::Reloaded
            }
            Err(message) => Reload::Refused(message),
        }
    }

    /// Checks the files every `every` until the task is dropped, logging
    /// what changed.
    pub(crate) async fn watch(self: Arc<Self>, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let certificates = self.clone();
            let outcome = tokio::task::spawn_blocking(move || certificates.reload_if_changed())
                .await
                .unwrap_or_else(|e| Reload::Refused(format!("the reload failed: {e}")));
            match outcome {
                Reload::Unchanged => {}
                Reload::Reloaded => tracing::info!(
                    cert = %self.files.cert.display(),
                    "serving the renewed TLS certificate"
                ),
                Reload::Refused(why) => tracing::warn!(
                    error = %why,
                    "the TLS files changed but do not load; still serving the previous certificate"
                ),
            }
        }
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("Certificates")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// The pair `read` from `files`, checked to belong together; why not,
/// naming the file.
fn certified_key(
    files: &TlsFiles,
    read: &Read,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, String> {
    let bad = |what: &str, path: &std::path::Path, why: String| {
        format!("{what} {}: {why}", path.display())
    };
    let cert_pem = read
        .cert
        .as_ref()
        .map_err(|e| bad("cannot read the certificate", &files.cert, e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| bad("cannot read the certificate", &files.cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad(
            "no certificate in",
            &files.cert,
            "expected -----BEGIN CERTIFICATE-----".into(),
        ));
    }
    let key_pem = read
        .key
        .as_ref()
        .map_err(|e| bad("cannot read the private key", &files.key, e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| bad("cannot read the private key", &files.key, e.to_string()))?;
    CertifiedKey::from_der(certs, key, provider).map_err(|e| {
        format!(
            "the certificate {} and key {} do not make a usable pair: {e}",
            files.cert.display(),
            files.key.display()
        )
    })
}

/// The acceptor serving `certificates`.
pub(crate) fn acceptor(certificates: Arc<Certificates>) -> Result<TlsAcceptor, StartError> {
    let mut config = rustls::ServerConfig::builder_with_provider(certificates.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError::Tls {
            message: format!("TLS setup: {e}"),
        })?
        .with_no_client_auth()
        .with_cert_resolver(certificates);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator_testkit::TestCa;

    fn files(cert: &orchestrator_testkit::ServerCert) -> TlsFiles {
        TlsFiles {
            cert: cert.cert.clone(),
            key: cert.key.clone(),
        }
    }

    #[test]
    fn a_changed_pair_is_loaded_once_and_a_broken_one_is_refused_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = TestCa::new().server_cert(&["localhost"], dir.path());
        let certificates = Certificates::load(&files(&first)).unwrap();
        let served = |c: &Certificates| c.current.read().unwrap().cert[0].clone();
        let before = served(&certificates);
        assert_eq!(certificates.reload_if_changed(), Reload::Unchanged);

        // Renewed in place (same paths, by another CA).
        TestCa::new().server_cert(&["localhost"], dir.path());
        assert_eq!(certificates.reload_if_changed(), Reload::Reloaded);
        let renewed = served(&certificates);
        assert_ne!(renewed, before);
        assert_eq!(certificates.reload_if_changed(), Reload::Unchanged);

        // A key that does not match the certificate: refused, once.
        let other = tempfile::tempdir().unwrap();
        let stray = TestCa::new().server_cert(&["localhost"], other.path());
        std::fs::copy(&stray.key, &first.key).unwrap();
        match certificates.reload_if_changed() {
            Reload::Refused(why) => assert!(why.contains("do not make a usable pair"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(certificates.reload_if_changed(), Reload::Unchanged);
        assert_eq!(served(&certificates), renewed);

        // A file cut short: refused, naming the file; the last good pair stays.
        std::fs::write(&first.cert, "-----BEGIN CERTIFICATE-----\nMIIB").unwrap();
        match certificates.reload_if_changed() {
            Reload::Refused(why) => assert!(why.contains(".crt"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(served(&certificates), renewed);
        assert!(!format!("{certificates:?}").contains("PRIVATE KEY"));
    }
}

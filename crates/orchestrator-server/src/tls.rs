//! HTTPS: the server's certificate and key, read from PEM files, served
//! with rustls. ALPN offers HTTP/2 first, then HTTP/1.1.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::server::StartError;

/// The acceptor for `files`; a clear error naming the file at fault.
pub(crate) fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, StartError> {
    let bad = |what: &str, path: &std::path::Path, why: String| StartError::Tls {
        message: format!("{what} {}: {why}", path.display()),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad("cannot read the certificate", &files.cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("cannot read the certificate", &files.cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad(
            "no certificate in",
            &files.cert,
            "expected -----BEGIN CERTIFICATE-----".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| bad("cannot read the private key", &files.key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError::Tls {
            message: format!("TLS setup: {e}"),
        })?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| StartError::Tls {
            message: format!(
                "the certificate {} and key {} do not make a usable pair: {e}",
                files.cert.display(),
                files.key.display()
            ),
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

//! Why the server could not start: the one error of setting it up, which
//! an embedder matches on.

use std::io;
use std::net::SocketAddr;

use crate::config::ConfigError;
use crate::store::StoreError;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A setting cannot work.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The task store could not be opened or prepared.
    #[error("cannot open the task store")]
    Store(#[from] StoreError),
    /// This build has no backend for the configured database.
    #[error("{0}")]
    Unsupported(String),
    /// `documents_dir` is missing or unreadable.
    #[error("--documents-dir {}", .path.display())]
    DocumentsDir {
        /// The directory configured.
        path: std::path::PathBuf,
        /// Why it cannot be used.
        #[source]
        source: io::Error,
    },
    /// The HTTP client that fetches documents could not be set up.
    #[error("cannot set up the document fetcher")]
    Fetcher(#[source] reqwest::Error),
    /// The TLS certificate or key cannot be used.
    #[error("{message}")]
    Tls {
        /// What is wrong, naming the file.
        message: String,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        #[source]
        source: io::Error,
    },
}

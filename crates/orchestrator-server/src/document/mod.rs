//! The work behind `analyze-document`: fetch, extract text, analyse.

mod analyze;
mod extract;
mod fetch;
mod lexicon;
mod network_guard;
mod pipeline;

pub(crate) use analyze::Analyzer;
pub(crate) use extract::{MediaType, extract_text};
pub(crate) use fetch::{Fetcher, FetcherConfig, error_chain};
pub(crate) use network_guard::{Guard, PublicOnlyResolver};
pub(crate) use pipeline::{CHECKPOINTS, Checkpoints, analyze_document};

/// Why a document could not be analysed: becomes the task's `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// A stable code, e.g. `DOCUMENT_UNREACHABLE`.
    pub code: &'static str,
    /// What happened, for people.
    pub message: String,
}

impl From<DocumentError> for orchestrator::TaskError {
    fn from(e: DocumentError) -> Self {
        orchestrator::TaskError::new(e.code, e.message)
    }
}

impl DocumentError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        DocumentError {
            code,
            message: message.into(),
        }
    }
}

/// The document could not be fetched (DNS, connection, HTTP error, missing file).
pub(crate) const DOCUMENT_UNREACHABLE: &str = "DOCUMENT_UNREACHABLE";
/// The document is larger than `--max-document-bytes`.
pub(crate) const DOCUMENT_TOO_LARGE: &str = "DOCUMENT_TOO_LARGE";
/// The document's media type is not one the server can read.
pub(crate) const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
/// The document claims a supported type but cannot be parsed.
pub(crate) const DOCUMENT_UNREADABLE: &str = "DOCUMENT_UNREADABLE";
/// The document has no text to analyse.
pub(crate) const DOCUMENT_EMPTY: &str = "DOCUMENT_EMPTY";
/// The URL points somewhere the server may not go (private network, outside
/// the documents directory).
pub(crate) const DOCUMENT_FORBIDDEN: &str = "DOCUMENT_FORBIDDEN";

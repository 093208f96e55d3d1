//! The work behind `analyze-document`: fetch, extract text, analyse.

mod analyze;
mod extract;
mod fetch;
mod network_guard;

pub use analyze::{Analysis, Analyzer};
pub use extract::{MediaType, extract_text};
pub use fetch::{Document, Fetcher, FetcherConfig};
pub use network_guard::is_public_address;

/// Why a document could not be analysed: becomes the task's `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// A stable code, e.g. `DOCUMENT_UNREACHABLE`.
    pub code: &'static str,
    /// What happened, for people.
    pub message: String,
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
pub const DOCUMENT_UNREACHABLE: &str = "DOCUMENT_UNREACHABLE";
/// The document is larger than `--max-document-bytes`.
pub const DOCUMENT_TOO_LARGE: &str = "DOCUMENT_TOO_LARGE";
/// The document's media type is not one the server can read.
pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
/// The document claims a supported type but cannot be parsed.
pub const DOCUMENT_UNREADABLE: &str = "DOCUMENT_UNREADABLE";
/// The document has no text to analyse.
pub const DOCUMENT_EMPTY: &str = "DOCUMENT_EMPTY";
/// The URL points somewhere the server may not go (private network, outside
/// the documents directory).
pub const DOCUMENT_FORBIDDEN: &str = "DOCUMENT_FORBIDDEN";

//! Turning document bytes into plain text: which kind of document it is,
//! and the reader of each kind (HTML and PDF are the features `html` and
//! `pdf`, on by default).

#[cfg(feature = "html")]
mod html;
mod markdown;
#[cfg(feature = "pdf")]
mod pdf;

use std::path::Path;

use super::{DocumentError, UNSUPPORTED_MEDIA_TYPE};

/// The kinds of document the server reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// `text/plain`
    PlainText,
    /// `text/markdown`
    Markdown,
    /// `text/html`
    Html,
    /// `application/pdf`
    Pdf,
}

impl MediaType {
    /// The canonical media type.
    pub(crate) fn essence(self) -> &'static str {
        match self {
            MediaType::PlainText => "text/plain",
            MediaType::Markdown => "text/markdown",
            MediaType::Html => "text/html",
            MediaType::Pdf => "application/pdf",
        }
    }

    /// Parses a declared media type (no parameters, lower-case).
    pub(crate) fn from_essence(essence: &str) -> Option<MediaType> {
        Some(match essence {
            "text/plain" => MediaType::PlainText,
            "text/markdown" | "text/x-markdown" => MediaType::Markdown,
            "text/html" | "application/xhtml+xml" => MediaType::Html,
            "application/pdf" => MediaType::Pdf,
            _ => return None,
        })
    }

    /// Guesses from a file name.
    pub(crate) fn from_extension(path: &Path) -> Option<MediaType> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => MediaType::PlainText,
            "md" | "markdown" => MediaType::Markdown,
            "html" | "htm" | "xhtml" => MediaType::Html,
            "pdf" => MediaType::Pdf,
            _ => return None,
        })
    }

    /// Guesses from the first bytes, for sources that do not say
    /// (`application/octet-stream`, no `Content-Type`).
    pub(crate) fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(b"%PDF-") {
            return Some(MediaType::Pdf);
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with("<!doctype html") || head.starts_with("<html") {
            return Some(MediaType::Html);
        }
        std::str::from_utf8(bytes)
            .ok()
            .map(|_| MediaType::PlainText)
    }

    /// Decides the type of a fetched document: the declared type when it is
    /// one we read, a sniffed one when the declaration is generic or missing.
    pub(crate) fn resolve(
        declared: Option<&str>,
        bytes: &[u8],
    ) -> Result<MediaType, DocumentError> {
        match declared {
            Some(d) => match MediaType::from_essence(d) {
                Some(m) => Ok(m),
                None if matches!(d, "application/octet-stream" | "binary/octet-stream") => {
                    MediaType::sniff(bytes).ok_or_else(|| unsupported(d))
                }
                None => Err(unsupported(d)),
            },
            None => MediaType::sniff(bytes).ok_or_else(|| unsupported("unknown")),
        }
    }
}

/// The media types this build reads.
fn readable() -> String {
    let mut types = vec!["text/plain", "text/markdown"];
    if cfg!(feature = "html") {
        types.push("text/html");
    }
    if cfg!(feature = "pdf") {
        types.push("application/pdf");
    }
    types.join(", ")
}

fn unsupported(declared: &str) -> DocumentError {
    DocumentError::new(
        UNSUPPORTED_MEDIA_TYPE,
        format!(
            "documents of type `{declared}` cannot be analysed; supported: {}",
            readable()
        ),
    )
}

/// A document of a kind this build was made without the reader for.
#[allow(dead_code, reason = "unused in a build with every reader")]
fn not_built(media: MediaType, feature: &str) -> DocumentError {
    DocumentError::new(
        UNSUPPORTED_MEDIA_TYPE,
        format!(
            "documents of type `{}` cannot be analysed by this server, built without the `{feature}` feature; supported: {}",
            media.essence(),
            readable()
        ),
    )
}

/// Extracts the readable text. CPU-bound (PDF especially): call it from a
/// blocking thread.
pub(crate) fn extract_text(media: MediaType, bytes: &[u8]) -> Result<String, DocumentError> {
    match media {
        MediaType::PlainText => Ok(String::from_utf8_lossy(bytes).into_owned()),
        MediaType::Markdown => Ok(markdown::text(&String::from_utf8_lossy(bytes))),
        #[cfg(feature = "html")]
        MediaType::Html => Ok(html::text(&String::from_utf8_lossy(bytes))),
        #[cfg(not(feature = "html"))]
        MediaType::Html => Err(not_built(media, "html")),
        #[cfg(feature = "pdf")]
        MediaType::Pdf => pdf::text(bytes),
        #[cfg(not(feature = "pdf"))]
        MediaType::Pdf => Err(not_built(media, "pdf")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_resolved_from_declarations_then_sniffed() {
        assert_eq!(
            MediaType::resolve(Some("text/html"), b"x").unwrap(),
            MediaType::Html
        );
        assert_eq!(
            MediaType::resolve(None, b"%PDF-1.7 ...").unwrap(),
            MediaType::Pdf
        );
        assert_eq!(
            MediaType::resolve(Some("application/octet-stream"), b"<!DOCTYPE html><p>x").unwrap(),
            MediaType::Html
        );
        assert_eq!(
            MediaType::resolve(None, b"plain words").unwrap(),
            MediaType::PlainText
        );
        let err = MediaType::resolve(Some("image/png"), b"\x89PNG").unwrap_err();
        assert_eq!(err.code, UNSUPPORTED_MEDIA_TYPE);
        assert!(MediaType::resolve(None, b"\xff\xfe\x00binary").is_err());
    }

    #[test]
    #[cfg(not(feature = "pdf"))]
    fn a_build_without_the_pdf_reader_says_so_instead_of_reading_garbage() {
        let err = extract_text(MediaType::Pdf, b"%PDF-1.4\n").unwrap_err();
        assert_eq!(err.code, UNSUPPORTED_MEDIA_TYPE);
        assert!(err.message.contains("`pdf` feature"), "{}", err.message);
        assert!(!err.message.contains("application/pdf;"), "{}", err.message);
    }

    #[test]
    #[cfg(not(feature = "html"))]
    fn a_build_without_the_html_reader_says_so() {
        let err = extract_text(MediaType::Html, b"<p>x</p>").unwrap_err();
        assert_eq!(err.code, UNSUPPORTED_MEDIA_TYPE);
        assert!(err.message.contains("`html` feature"), "{}", err.message);
    }
}

//! Turning document bytes into plain text.

use std::path::Path;

use super::{DOCUMENT_UNREADABLE, DocumentError, UNSUPPORTED_MEDIA_TYPE};

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

fn unsupported(declared: &str) -> DocumentError {
    DocumentError::new(
        UNSUPPORTED_MEDIA_TYPE,
        format!(
            "documents of type `{declared}` cannot be analysed; \
             supported: text/plain, text/markdown, text/html, application/pdf"
        ),
    )
}

/// Extracts the readable text. CPU-bound (PDF especially): call it from a
/// blocking thread.
pub(crate) fn extract_text(media: MediaType, bytes: &[u8]) -> Result<String, DocumentError> {
    match media {
        MediaType::PlainText => Ok(String::from_utf8_lossy(bytes).into_owned()),
        MediaType::Markdown => Ok(markdown_text(&String::from_utf8_lossy(bytes))),
        MediaType::Html => Ok(html_text(&String::from_utf8_lossy(bytes))),
        MediaType::Pdf => pdf_text(bytes),
    }
}

fn markdown_text(source: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(source.len());
    for event in Parser::new(source) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableCell,
            ) => out.push_str("\n\n"),
            _ => {}
        }
    }
    out
}

/// Elements whose text is not document content.
const SKIPPED_ELEMENTS: [&str; 8] = [
    "script", "style", "noscript", "template", "head", "svg", "iframe", "object",
];

/// Elements that end a block of text.
const BLOCK_ELEMENTS: [&str; 20] = [
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "blockquote",
    "pre",
    "header",
    "footer",
    "title",
];

fn html_text(source: &str) -> String {
    let document = scraper::Html::parse_document(source);
    let mut out = String::with_capacity(source.len() / 2);
    // The title lives in <head>, which is skipped as a whole; keep it.
    if let Some(title) = document
        .select(&scraper::Selector::parse("title").expect("a valid selector"))
        .next()
    {
        out.push_str(title.text().collect::<String>().trim());
        out.push_str("\n\n");
    }
    let mut stack = vec![(document.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        if closing {
            out.push_str("\n\n");
            continue;
        }
        match node.value() {
            scraper::Node::Text(text) => {
                out.push_str(text);
            }
            scraper::Node::Element(element) => {
                let name = element.name();
                if SKIPPED_ELEMENTS.contains(&name) {
                    continue;
                }
                if BLOCK_ELEMENTS.contains(&name) {
                    stack.push((node, true));
                }
                // Children in document order: push in reverse.
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, false)));
            }
            _ => stack.extend(
                node.children()
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .map(|c| (c, false)),
            ),
        }
    }
    out
}

fn pdf_text(bytes: &[u8]) -> Result<String, DocumentError> {
    // The PDF parser is a large body of code fed untrusted input: contain a
    // panic in it to this one document.
    match std::panic::catch_unwind(|| pdf_text_layer(bytes)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(DocumentError::new(
            DOCUMENT_UNREADABLE,
            format!("the PDF could not be read: {e}"),
        )),
        Err(_) => Err(DocumentError::new(
            DOCUMENT_UNREADABLE,
            "the PDF could not be read: the parser gave up on its structure",
        )),
    }
}

/// The text layer of a PDF, page by page: the strings drawn by `Tj`, `TJ`,
/// `'` and `"`, decoded through each font's `ToUnicode` map when it has one
/// (two-byte codes for Identity-H fonts), else as single-byte Latin text.
fn pdf_text_layer(bytes: &[u8]) -> Result<String, pdf::error::PdfError> {
    use pdf::content::{Op, TextDrawAdjusted};
    use pdf::encoding::BaseEncoding;
    use pdf::file::FileOptions;

    let file = FileOptions::uncached().load(bytes.to_vec())?;
    let resolver = file.resolver();
    let mut out = String::new();
    for page in file.pages() {
        let page = page?;
        // Font name → (ToUnicode map, two-byte codes?).
        let mut fonts = std::collections::HashMap::new();
        if let Ok(resources) = page.resources() {
            for (name, font) in &resources.fonts {
                let Ok(font) = font.load(&resolver) else {
                    continue;
                };
                let map = font.to_unicode(&resolver).and_then(Result::ok);
                let wide = font
                    .encoding()
                    .is_some_and(|e| e.base == BaseEncoding::IdentityH);
                fonts.insert(name.as_str().to_owned(), (map, wide));
            }
        }
        let Some(contents) = &page.contents else {
            continue;
        };
        let mut current: Option<&(Option<pdf::font::ToUnicodeMap>, bool)> = None;
        for op in contents.operations(&resolver)? {
            match op {
                Op::TextFont { name, .. } => current = fonts.get(name.as_str()),
                Op::TextDraw { text } => decode_pdf_string(&text.data, current, &mut out),
                Op::TextDrawAdjusted { array } => {
                    for part in array {
                        match part {
                            TextDrawAdjusted::Text(text) => {
                                decode_pdf_string(&text.data, current, &mut out)
                            }
                            // A wide negative kern is how many PDFs draw a space.
                            TextDrawAdjusted::Spacing(s) if s < -200.0 => out.push(' '),
                            TextDrawAdjusted::Spacing(_) => {}
                        }
                    }
                }
                Op::TextNewline | Op::MoveTextPosition { .. } => out.push('\n'),
                Op::EndText => out.push('\n'),
                _ => {}
            }
        }
        out.push_str("\n\n");
    }
    Ok(out)
}

fn decode_pdf_string(
    data: &[u8],
    font: Option<&(Option<pdf::font::ToUnicodeMap>, bool)>,
    out: &mut String,
) {
    match font {
        Some((Some(map), true)) => {
            for pair in data.chunks_exact(2) {
                if let Some(s) = map.get(u16::from_be_bytes([pair[0], pair[1]])) {
                    out.push_str(s);
                }
            }
        }
        Some((Some(map), false)) => {
            for &b in data {
                match map.get(u16::from(b)) {
                    Some(s) => out.push_str(s),
                    None => out.push(char::from(b)),
                }
            }
        }
        // No map: take the bytes as Latin-1, which is right for the
        // standard 14 fonts' common characters.
        _ => out.extend(data.iter().map(|&b| char::from(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_loses_scripts_styles_and_tags_but_keeps_the_title_and_text() {
        let html = r#"<!DOCTYPE html><html><head><title>Q3 Report</title>
            <style>body { color: red }</style><script>alert("x")</script></head>
            <body><h1>Growth</h1><p>Revenue <b>rose</b> sharply.</p><noscript>enable js</noscript>
            <script>var secret = 1;</script><ul><li>One</li><li>Two</li></ul></body></html>"#;
        let text = html_text(html);
        for kept in ["Q3 Report", "Growth", "Revenue rose sharply.", "One", "Two"] {
            assert!(text.contains(kept), "{kept:?} missing from {text:?}");
        }
        for gone in ["color", "alert", "secret", "enable js", "<"] {
            assert!(!text.contains(gone), "{gone:?} left in {text:?}");
        }
    }

    #[test]
    fn markdown_loses_its_markup() {
        let text = markdown_text(
            "# Title\n\nSome *emphasis* and a [link](http://x.example).\n\n- item `code`\n",
        );
        assert!(text.contains("Title"));
        assert!(text.contains("Some emphasis and a link."));
        assert!(text.contains("item code"));
        assert!(!text.contains('*') && !text.contains("http://x.example") && !text.contains('#'));
    }

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
    fn a_broken_pdf_is_unreadable_not_a_crash() {
        let err = extract_text(MediaType::Pdf, b"%PDF-1.4\n garbage garbage").unwrap_err();
        assert_eq!(err.code, DOCUMENT_UNREADABLE);
    }
}

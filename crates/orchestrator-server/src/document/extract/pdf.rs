//! A PDF's text layer (feature `pdf`), read by pdf-rs with each font's
//! `ToUnicode` map; a parser panic is contained to the one document.

use super::super::{DOCUMENT_UNREADABLE, DocumentError};

pub(super) fn text(bytes: &[u8]) -> Result<String, DocumentError> {
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
    fn a_broken_pdf_is_unreadable_not_a_crash() {
        let err = text(b"%PDF-1.4\n garbage garbage").unwrap_err();
        assert_eq!(err.code, DOCUMENT_UNREADABLE);
    }
}

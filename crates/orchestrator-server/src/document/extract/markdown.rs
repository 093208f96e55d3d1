//! Markdown's text: the prose, without its markup.

pub(super) fn text(source: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_loses_its_markup() {
        let text =
            text("# Title\n\nSome *emphasis* and a [link](http://x.example).\n\n- item `code`\n");
        assert!(text.contains("Title"));
        assert!(text.contains("Some emphasis and a link."));
        assert!(text.contains("item code"));
        assert!(!text.contains('*') && !text.contains("http://x.example") && !text.contains('#'));
    }
}

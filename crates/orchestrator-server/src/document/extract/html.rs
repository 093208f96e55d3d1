//! HTML's text (feature `html`): what a reader sees, scripts, styles and
//! markup left out.

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

pub(super) fn text(source: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_loses_scripts_styles_and_tags_but_keeps_the_title_and_text() {
        let html = r#"<!DOCTYPE html><html><head><title>Q3 Report</title>
            <style>body { color: red }</style><script>alert("x")</script></head>
            <body><h1>Growth</h1><p>Revenue <b>rose</b> sharply.</p><noscript>enable js</noscript>
            <script>var secret = 1;</script><ul><li>One</li><li>Two</li></ul></body></html>"#;
        let text = text(html);
        for kept in ["Q3 Report", "Growth", "Revenue rose sharply.", "One", "Two"] {
            assert!(text.contains(kept), "{kept:?} missing from {text:?}");
        }
        for gone in ["color", "alert", "secret", "enable js", "<"] {
            assert!(!text.contains(gone), "{gone:?} left in {text:?}");
        }
    }
}

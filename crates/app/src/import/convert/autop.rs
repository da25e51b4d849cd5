//! The classic WordPress editor stores paragraphs as blank lines and line
//! breaks as plain newlines, and adds the `<p>` and `<br>` only when a page
//! is shown. An HTML parser would run such text together, so the paragraphs
//! are made explicit first.

/// Tags that start a block of their own: a chunk starting with one is left
/// as it is.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "figure",
    "pre",
    "iframe",
    "hr",
    "dl",
    "section",
    "address",
    "form",
    "video",
    "audio",
    "!--",
];

fn starts_with_block(chunk: &str) -> bool {
    let Some(rest) = chunk.trim_start().strip_prefix('<') else {
        return false;
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    BLOCK_TAGS.iter().any(|tag| {
        rest.get(..tag.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(tag))
            && rest[tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// Whether a text was written with the block editor or already has its
/// paragraphs as HTML.
pub fn has_explicit_paragraphs(html: &str) -> bool {
    html.contains("<!-- wp:") || html.contains("<p>") || html.contains("<p ")
}

/// Wraps each blank-line-separated chunk that is not already a block in a
/// paragraph, and turns its single newlines into line breaks.
pub fn paragraphs(html: &str) -> String {
    if has_explicit_paragraphs(html) {
        return html.to_owned();
    }
    let text = html.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 64);
    for chunk in text.split("\n\n") {
        let chunk = chunk.trim_matches('\n');
        if chunk.trim().is_empty() {
            continue;
        }
        if starts_with_block(chunk) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_become_paragraphs_and_newlines_breaks() {
        assert_eq!(
            paragraphs("Un.\nDeux.\n\nTrois."),
            "<p>Un.<br>\nDeux.</p>\n\n<p>Trois.</p>\n\n"
        );
    }

    #[test]
    fn blocks_are_left_as_they_are() {
        assert_eq!(
            paragraphs("<ul><li>a</li></ul>\n\nنص"),
            "<ul><li>a</li></ul>\n\n<p>نص</p>\n\n"
        );
        assert!(starts_with_block("<H2>x</H2>"));
        assert!(!starts_with_block("<pa>"));
        assert!(!starts_with_block("<strong>x</strong>"));
    }

    #[test]
    fn text_with_paragraphs_or_blocks_is_untouched() {
        let block = "<!-- wp:paragraph -->\n<p>a</p>\n<!-- /wp:paragraph -->";
        assert_eq!(paragraphs(block), block);
        assert_eq!(paragraphs("<p>a</p>\n\nb"), "<p>a</p>\n\nb");
    }
}

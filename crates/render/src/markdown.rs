//! Markdown to safe HTML.
//!
//! pulldown-cmark renders (tables, footnotes, strikethrough, heading
//! anchors), then ammonia keeps only an allow-list of tags, attributes and
//! URL schemes: whatever an author or a pasted document contains, no script,
//! event handler or `javascript:` URL reaches a reader. Every block gets
//! `dir="auto"`, so a French paragraph inside an Arabic article reads
//! left-to-right, and the other way round.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Block elements whose direction follows their own first strong character.
const DIR_AUTO_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "td",
    "th",
    "dd",
    "dt",
    "figcaption",
    "caption",
];

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            .link_rel(Some("noopener noreferrer"))
            .add_tags(["figure", "figcaption", "section"])
            // `cite` takes a URL that ammonia does not check against the
            // allowed schemes; readers never see it, so it goes.
            .rm_tag_attributes("blockquote", ["cite"])
            .rm_tag_attributes("q", ["cite"])
            .rm_tag_attributes("del", ["cite"])
            .rm_tag_attributes("ins", ["cite"])
            .add_tag_attributes("img", ["loading", "decoding"])
            .add_tag_attributes("div", ["id"])
            .add_tag_attributes("ol", ["start"])
            .add_tag_attributes("td", ["align"])
            .add_tag_attributes("th", ["align"])
            .allowed_classes(HashMap::from([
                (
                    "sup",
                    HashSet::from(["footnote-reference", "footnote-definition-label"]),
                ),
                ("div", HashSet::from(["footnote-definition"])),
                ("code", HashSet::from(["language-text"])),
            ]))
            .set_tag_attribute_value("img", "loading", "lazy")
            .set_tag_attribute_value("img", "decoding", "async");
        for tag in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            builder.add_tag_attributes(tag, ["id"]);
        }
        for tag in DIR_AUTO_TAGS {
            builder.set_tag_attribute_value(tag, "dir", "auto");
        }
        builder
    })
}

/// Renders an author's Markdown to HTML that is safe to put in a page as is.
pub fn to_safe_html(markdown: &str) -> String {
    let events = with_heading_anchors(Parser::new_ext(markdown, options()).collect());
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    sanitize(&raw)
}

/// Sanitises HTML from any source with the same rules as rendered Markdown.
pub fn sanitize(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// Gives every heading an `id` made from its text, so sections can be linked
/// (`#الأهداف`). Repeated headings get `-2`, `-3`…
fn with_heading_anchors(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for event in &events[i + 1..] {
                match event {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let mut anchor = tawasul_domain::slug::slugify(&text);
            if anchor.is_empty() {
                anchor = "section".to_owned();
            }
            let count = seen.entry(anchor.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                anchor = format!("{anchor}-{count}");
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(anchor));
            }
        }
        i += 1;
    }
    events
}

/// The plain text of the first paragraph, cut at a word near `max_chars`:
/// the summary of an entry whose author gave none.
pub fn first_paragraph_text(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    let mut in_paragraph = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) if !text.trim().is_empty() => break,
            Event::End(TagEnd::Paragraph) => in_paragraph = false,
            Event::Text(t) | Event::Code(t) if in_paragraph => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => text.push(' '),
            _ => {}
        }
    }
    truncate_words(text.trim(), max_chars)
}

/// The words a reader sees, without markup: what the search index reads.
/// Blocks are separated by newlines; raw HTML is left out.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => text.push('\n'),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Cuts `text` at the last space before `max_chars` characters and adds an
/// ellipsis when something was cut.
pub fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(at) if at > 0 => &cut[..at],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_whitespace() || ",.،؛:".contains(c))
    )
}

/// Destinations of the images a Markdown text shows, in order of appearance.
pub fn image_destinations(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_finds_its_own_direction() {
        let html = to_safe_html("فقرة عربية.\n\nUn paragraphe en français.\n\n- بند\n- item\n");
        assert_eq!(
            html,
            "<p dir=\"auto\">فقرة عربية.</p>\n<p dir=\"auto\">Un paragraphe en français.</p>\n<ul>\n<li dir=\"auto\">بند</li>\n<li dir=\"auto\">item</li>\n</ul>\n"
        );
    }

    #[test]
    fn headings_get_readable_anchors() {
        let html = to_safe_html("## الأهداف\n\n## Objectifs généraux\n\n## الأهداف\n");
        assert!(html.contains("<h2 id=\"الأهداف\" dir=\"auto\">"), "{html}");
        assert!(
            html.contains("<h2 id=\"objectifs-generaux\" dir=\"auto\">"),
            "{html}"
        );
        assert!(html.contains("<h2 id=\"الأهداف-2\" dir=\"auto\">"), "{html}");
    }

    #[test]
    fn first_paragraph_becomes_the_summary() {
        let md = "## عنوان\n\nهذه الفقرة الأولى\nتستمر هنا.\n\nالثانية.";
        assert_eq!(first_paragraph_text(md, 200), "هذه الفقرة الأولى تستمر هنا.");
        assert_eq!(first_paragraph_text(md, 12), "هذه الفقرة…");
    }

    #[test]
    fn finds_image_destinations() {
        let md = "![a](../media/x.jpg) text ![b](https://example.org/y.png)";
        assert_eq!(
            image_destinations(md),
            ["../media/x.jpg", "https://example.org/y.png"]
        );
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_markup() {
        let text = plain_text(
            "## عنوان\n\nنص **مهم** و[رابط](https://x.ma)\n\n- أول\n- ثان\n\n<script>x</script>",
        );
        assert_eq!(text, "عنوان\nنص مهم ورابط\nأول\nثان");
    }
}

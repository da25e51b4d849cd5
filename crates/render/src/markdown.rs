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

mod video;

pub use video::{video_file_html, video_link_html, EmbeddedVideo};

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
            .add_tags(["figure", "figcaption", "section", "picture", "source"])
            // `cite` takes a URL that ammonia does not check against the
            // allowed schemes; readers never see it, so it goes.
            .rm_tag_attributes("blockquote", ["cite"])
            .rm_tag_attributes("q", ["cite"])
            .rm_tag_attributes("del", ["cite"])
            .rm_tag_attributes("ins", ["cite"])
            .add_tag_attributes("img", ["loading", "decoding", "srcset", "sizes"])
            .add_tag_attributes("source", ["srcset", "sizes", "type", "width", "height"])
            .attribute_filter(media_attribute_filter)
            .add_tag_attributes("div", ["id"])
            .add_tag_attributes("span", ["dir"])
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
                // A library photo's caption and credit (`picture_html`).
                ("span", HashSet::from(["media-caption"])),
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

/// `srcset` is a list of URLs that ammonia does not check against the
/// allowed schemes: only our own renditions (`/uploads/<name> <n>w`) may be
/// listed. A `<source>` may only offer the formats renditions are made in.
fn media_attribute_filter<'a>(
    element: &str,
    attribute: &str,
    value: &'a str,
) -> Option<std::borrow::Cow<'a, str>> {
    match (element, attribute) {
        (_, "srcset") => value
            .split(',')
            .all(|candidate| {
                let mut parts = candidate.split_whitespace();
                let url_ok = parts.next().is_some_and(is_upload_url);
                let descriptor_ok = parts.next().is_none_or(|d| {
                    d.strip_suffix('w')
                        .or_else(|| d.strip_suffix('x'))
                        .is_some_and(|n| {
                            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                        })
                });
                url_ok && descriptor_ok && parts.next().is_none()
            })
            .then_some(value.into()),
        ("source", "type") => matches!(value, "image/webp" | "image/jpeg").then_some(value.into()),
        _ => Some(value.into()),
    }
}

/// `/uploads/<name>`: a file of the media library, nothing else.
pub(crate) fn is_upload_url(url: &str) -> bool {
    url.strip_prefix("/uploads/").is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    })
}

/// Renders an author's Markdown to HTML that is safe to put in a page as is.
pub fn to_safe_html(markdown: &str) -> String {
    to_safe_html_with_media(markdown, &|_| None)
}

/// The scheme of a reference to an item of the site's media library:
/// `![alt](media:42)` shows image 42, `[text](media:43)` links to file 43.
pub const MEDIA_SCHEME: &str = "media:";

/// The item id of a `media:<id>` destination.
pub fn media_id(destination: &str) -> Option<i32> {
    destination
        .trim()
        .strip_prefix(MEDIA_SCHEME)
        .and_then(|id| id.parse::<i32>().ok())
        .filter(|id| *id > 0)
}

/// A reference to the media library in a Markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaReference {
    pub id: i32,
    /// Shown as an image (`![…](media:n)`), not linked (`[…](media:n)`).
    pub image: bool,
    /// The text between the brackets: an image's alt text in this entry.
    pub text: String,
}

/// Every `media:<id>` image and link of a Markdown text, in order.
pub fn media_references(markdown: &str) -> Vec<MediaReference> {
    let mut found = Vec::new();
    // Images and links may nest (a linked image): each open one collects
    // its text until it ends.
    let mut open: Vec<Option<MediaReference>> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                open.push(media_id(&dest_url).map(|id| MediaReference {
                    id,
                    image: true,
                    text: String::new(),
                }))
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                open.push(media_id(&dest_url).map(|id| MediaReference {
                    id,
                    image: false,
                    text: String::new(),
                }))
            }
            Event::End(TagEnd::Image | TagEnd::Link) => {
                if let Some(Some(reference)) = open.pop() {
                    found.push(MediaReference {
                        text: reference.text.trim().to_owned(),
                        ..reference
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                for reference in open.iter_mut().flatten() {
                    reference.text.push_str(&t);
                }
            }
            _ => {}
        }
    }
    found
}

/// An image of the media library as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaImage {
    /// The alt text in the entry's language (the text between the brackets,
    /// when the author wrote one, wins).
    pub alt: String,
    /// Intrinsic size of the largest rendition: the browser reserves the
    /// space before the image arrives.
    pub width: u32,
    pub height: u32,
    /// `(url, width)` of the WebP renditions, and of the JPEG ones.
    pub webp: Vec<(String, u32)>,
    pub jpeg: Vec<(String, u32)>,
    /// The library's caption and credit, shown under the photo ("" when none).
    pub caption: String,
    pub credit: String,
}

/// What a `media:<id>` reference stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEmbed {
    Image(MediaImage),
    /// A document: a link to `url`, with `label` (type and size) after it.
    File {
        url: String,
        label: String,
    },
    /// An uploaded video (MP4): shown as a player that loads nothing
    /// before play; linked (`[text](media:n)`) like a document.
    VideoFile {
        url: String,
        label: String,
    },
    /// A YouTube or Facebook video: shown as a click-to-load placeholder;
    /// linked like a document, to its page on its site.
    VideoLink {
        video: EmbeddedVideo,
        /// The video's site ("YouTube"), after a link.
        label: String,
    },
}

/// How wide images are shown: the full width of the text column (48rem in
/// the default theme) or of the screen on phones.
const IMAGE_SIZES: &str = "(max-width: 48rem) 100vw, 48rem";

fn srcset(candidates: &[(String, u32)]) -> String {
    candidates
        .iter()
        .map(|(url, w)| format!("{url} {w}w"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// A responsive `<picture>`: WebP for browsers that take it, JPEG for the
/// others, each at every width, with the intrinsic size set.
pub fn picture_html(image: &MediaImage) -> String {
    // The largest JPEG for browsers without srcset (every browser decodes JPEG).
    let fallback = image
        .jpeg
        .iter()
        .max_by_key(|(_, w)| *w)
        .or_else(|| image.webp.iter().max_by_key(|(_, w)| *w))
        .map(|(url, _)| url.as_str())
        .unwrap_or_default();
    let mut html = String::from("<picture>");
    if !image.webp.is_empty() {
        html.push_str(&format!(
            "<source type=\"image/webp\" srcset=\"{}\" sizes=\"{IMAGE_SIZES}\">",
            escape_attribute(&srcset(&image.webp))
        ));
    }
    html.push_str(&format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{IMAGE_SIZES}\" width=\"{}\" height=\"{}\" alt=\"{}\">",
        escape_attribute(fallback),
        escape_attribute(&srcset(&image.jpeg)),
        image.width,
        image.height,
        escape_attribute(&image.alt),
    ));
    html.push_str("</picture>");
    // Inside the paragraph the image stands in, so phrasing content only.
    let words: Vec<String> = [&image.caption, &image.credit]
        .into_iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .map(escape_attribute)
        .collect();
    if !words.is_empty() {
        html.push_str(&format!(
            "<span class=\"media-caption\" dir=\"auto\">{}</span>",
            words.join(" · ")
        ));
    }
    html
}

/// Renders like [`to_safe_html_with_media`], with each top-level block
/// that holds one of the `changed` lines (1-based, of `markdown`) inside
/// `<ins class="review-changed">`: what a reviewer has not read yet.
pub fn to_safe_html_marking_changes(
    markdown: &str,
    resolve: &dyn Fn(i32) -> Option<MediaEmbed>,
    changed: &[usize],
) -> String {
    let line_of = |offset: usize| {
        markdown
            .get(..offset)
            .map_or(0, |before| before.matches('\n').count())
            + 1
    };
    let mut trusted = Trusted::new();
    let mut events = Vec::new();
    let mut depth = 0usize;
    let mut open = false;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let top = depth == 0;
        if top {
            let (first, last) = (line_of(range.start), line_of(range.end.saturating_sub(1)));
            if changed.iter().any(|line| (first..=last).contains(line)) {
                events.push(trusted.keep("<ins class=\"review-changed\">".to_owned()));
                open = true;
            }
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        events.push(event);
        if depth == 0 && open {
            events.push(trusted.keep("</ins>".to_owned()));
            open = false;
        }
    }
    let events = with_media(with_heading_anchors(events), resolve, &mut trusted);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    trusted.put_back(sanitize(&raw))
}

/// Renders an author's Markdown to safe HTML, resolving `media:<id>`
/// references through `resolve` (the items of the entry's site, looked up
/// by the caller). A reference `resolve` does not know renders as nothing
/// for an image and as its text for a link.
pub fn to_safe_html_with_media(
    markdown: &str,
    resolve: &dyn Fn(i32) -> Option<MediaEmbed>,
) -> String {
    let events = with_heading_anchors(Parser::new_ext(markdown, options()).collect());
    let mut trusted = Trusted::new();
    let events = with_media(events, resolve, &mut trusted);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    trusted.put_back(sanitize(&raw))
}

/// Markup the sanitiser would refuse from an author but that the library
/// makes itself (a `<video>`, a video's placeholder): it goes through the
/// sanitiser as a text marker no author can guess, and is put back after.
struct Trusted {
    nonce: u64,
    pieces: Vec<String>,
}

impl Trusted {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        Trusted {
            nonce: hasher.finish(),
            pieces: Vec::new(),
        }
    }

    fn marker(&self, index: usize) -> String {
        format!("tawasul-media-{:016x}-{index}", self.nonce)
    }

    /// A text event standing for `html`.
    fn keep<'a>(&mut self, html: String) -> Event<'a> {
        self.pieces.push(html);
        Event::Text(CowStr::from(self.marker(self.pieces.len() - 1)))
    }

    fn put_back(&self, mut html: String) -> String {
        for (index, piece) in self.pieces.iter().enumerate() {
            html = html.replacen(&self.marker(index), piece, 1);
        }
        html
    }
}

fn with_media<'a>(
    events: Vec<Event<'a>>,
    resolve: &dyn Fn(i32) -> Option<MediaEmbed>,
    trusted: &mut Trusted,
) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    // Labels to add after the end of links rewritten to files.
    let mut link_labels: Vec<Option<String>> = Vec::new();
    while let Some(event) = iter.next() {
        match event {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let Some(media) = media_id(&dest_url) else {
                    out.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                    continue;
                };
                // The image's own events are its alt text, up to its end.
                let mut alt = String::new();
                let mut depth = 1;
                for inner in iter.by_ref() {
                    match inner {
                        Event::Start(Tag::Image { .. }) => depth += 1,
                        Event::End(TagEnd::Image) => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                        _ => {}
                    }
                }
                match resolve(media) {
                    Some(MediaEmbed::Image(mut image)) => {
                        if !alt.trim().is_empty() {
                            image.alt = alt.trim().to_owned();
                        }
                        out.push(Event::InlineHtml(CowStr::from(picture_html(&image))));
                    }
                    Some(MediaEmbed::VideoLink { mut video, .. }) => {
                        if !alt.trim().is_empty() {
                            video.title = alt.trim().to_owned();
                        }
                        out.push(trusted.keep(video_link_html(&video)));
                    }
                    Some(MediaEmbed::VideoFile { url, label }) => {
                        let text = if alt.trim().is_empty() {
                            label
                        } else {
                            format!("{} ({label})", alt.trim())
                        };
                        out.push(trusted.keep(video_file_html(&url, &text)));
                    }
                    Some(MediaEmbed::File { url, label }) => {
                        let text = if alt.trim().is_empty() {
                            label.clone()
                        } else {
                            format!("{} ({label})", alt.trim())
                        };
                        out.push(Event::Start(Tag::Link {
                            link_type: pulldown_cmark::LinkType::Inline,
                            dest_url: CowStr::from(url),
                            title: CowStr::from(""),
                            id: CowStr::from(""),
                        }));
                        out.push(Event::Text(CowStr::from(text)));
                        out.push(Event::End(TagEnd::Link));
                    }
                    None => {}
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match media_id(&dest_url).map(resolve) {
                Some(Some(embed)) => {
                    let (url, label) = match embed {
                        MediaEmbed::File { url, label } | MediaEmbed::VideoFile { url, label } => {
                            (url, Some(label))
                        }
                        MediaEmbed::VideoLink { video, label } => (video.url, Some(label)),
                        MediaEmbed::Image(image) => {
                            let largest = image
                                .jpeg
                                .iter()
                                .max_by_key(|(_, w)| *w)
                                .map(|(u, _)| u.clone())
                                .unwrap_or_default();
                            (largest, None)
                        }
                    };
                    link_labels.push(label);
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    }));
                }
                // Unknown: the text stays, the link goes (ammonia would drop
                // the unknown scheme's href anyway).
                Some(None) => {
                    link_labels.push(None);
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(""),
                        title,
                        id,
                    }));
                }
                None => {
                    link_labels.push(None);
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            },
            Event::End(TagEnd::Link) => {
                out.push(Event::End(TagEnd::Link));
                if let Some(Some(label)) = link_labels.pop() {
                    out.push(Event::Text(CowStr::from(format!(" ({label})"))));
                }
            }
            other => out.push(other),
        }
    }
    out
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

/// An image a Markdown text shows: where it points and its alt text (the
/// text between the brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    pub destination: String,
    pub alt: String,
}

/// The images a Markdown text shows, in order of appearance.
pub fn images(markdown: &str) -> Vec<ImageReference> {
    let mut found = Vec::new();
    let mut open: Vec<ImageReference> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => open.push(ImageReference {
                destination: dest_url.into_string(),
                alt: String::new(),
            }),
            Event::End(TagEnd::Image) => {
                if let Some(mut image) = open.pop() {
                    image.alt = image.alt.trim().to_owned();
                    found.push(image);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                for image in &mut open {
                    image.alt.push_str(&t);
                }
            }
            _ => {}
        }
    }
    found
}

/// Destinations of the images a Markdown text shows, in order of appearance.
pub fn image_destinations(markdown: &str) -> Vec<String> {
    images(markdown)
        .into_iter()
        .map(|image| image.destination)
        .collect()
}

/// The text with the destinations of its images replaced by what `new`
/// gives for them (`None` leaves one as written); everything else, links
/// to the same files included, stays byte for byte. Only inline images
/// are rewritten: a reference-style image keeps its definition.
pub fn rewrite_image_destinations(markdown: &str, new: &dyn Fn(&str) -> Option<String>) -> String {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (event, span) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let Event::Start(Tag::Image { dest_url, .. }) = event else {
            continue;
        };
        let Some(replacement) = new(&dest_url) else {
            continue;
        };
        let source = &markdown[span.clone()];
        // The destination follows the last `](` (the alt text may hold
        // brackets), after optional spaces and an opening `<`.
        let at = source.match_indices("](").filter_map(|(at, _)| {
            let rest = &source[at + 2..];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\n', '<']).len();
            rest[skipped..]
                .starts_with(dest_url.as_ref())
                .then_some(at + 2 + skipped)
        });
        if let Some(at) = at.last() {
            let start = span.start + at;
            edits.push((start..start + dest_url.len(), replacement));
        }
    }
    let mut out = String::with_capacity(markdown.len());
    let mut copied = 0;
    for (range, replacement) in edits {
        if range.start < copied {
            continue;
        }
        out.push_str(&markdown[copied..range.start]);
        out.push_str(&replacement);
        copied = range.end;
    }
    out.push_str(&markdown[copied..]);
    out
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
    fn images_come_with_their_alt_text() {
        let md = "![Une *classe*](a.jpg) et [![](b.png)](https://example.org)";
        assert_eq!(
            images(md),
            [
                ImageReference {
                    destination: "a.jpg".into(),
                    alt: "Une classe".into()
                },
                ImageReference {
                    destination: "b.png".into(),
                    alt: String::new()
                },
            ]
        );
    }

    #[test]
    fn image_destinations_are_rewritten_and_nothing_else() {
        let to_library = |dest: &str| match dest {
            "../media/x.jpg" => Some("media:7".to_owned()),
            "/uploads/y.png" => Some("media:8".to_owned()),
            _ => None,
        };
        let table = [
            ("![قسم](../media/x.jpg)", "![قسم](media:7)"),
            (
                "![a](../media/x.jpg \"../media/x.jpg\")",
                "![a](media:7 \"../media/x.jpg\")",
            ),
            (
                "![../media/x.jpg](../media/x.jpg)",
                "![../media/x.jpg](media:7)",
            ),
            ("![a [b]](<../media/x.jpg>)", "![a [b]](<media:7>)"),
            (
                "[a link](../media/x.jpg) ![a](/uploads/y.png)",
                "[a link](../media/x.jpg) ![a](media:8)",
            ),
            (
                "[![a](/uploads/y.png)](/uploads/y.png)",
                "[![a](media:8)](/uploads/y.png)",
            ),
            ("`![a](../media/x.jpg)`", "`![a](../media/x.jpg)`"),
            ("![a](other.jpg)", "![a](other.jpg)"),
            (
                "![a][r]\n\n[r]: ../media/x.jpg\n",
                "![a][r]\n\n[r]: ../media/x.jpg\n",
            ),
        ];
        for (before, after) in table {
            assert_eq!(
                rewrite_image_destinations(before, &to_library),
                after,
                "{before}"
            );
        }
    }

    fn photo(alt: &str) -> MediaEmbed {
        MediaEmbed::Image(MediaImage {
            alt: alt.to_owned(),
            width: 1600,
            height: 1200,
            webp: vec![
                ("/uploads/a.webp".into(), 640),
                ("/uploads/b.webp".into(), 1600),
            ],
            jpeg: vec![
                ("/uploads/a.jpg".into(), 640),
                ("/uploads/b.jpg".into(), 1600),
            ],
            caption: String::new(),
            credit: String::new(),
        })
    }

    #[test]
    fn a_reviewer_sees_the_changed_blocks_marked_and_nothing_else() {
        let text = "## الأهداف\n\nفقرة لم تتغير.\n\nفقرة\nعُدّل سطرها الثاني.\n\n- بند\n- بند جديد\n";
        let html = to_safe_html_marking_changes(text, &|_| None, &[5, 9]);
        assert_eq!(
            html.matches("<ins class=\"review-changed\">").count(),
            2,
            "{html}"
        );
        assert_eq!(html.matches("</ins>").count(), 2, "{html}");
        assert!(
            html.contains("<ins class=\"review-changed\">\n<p dir=\"auto\">فقرة\nعُدّل سطرها الثاني.</p>\n</ins>"),
            "{html}"
        );
        assert!(
            html.contains("<ins class=\"review-changed\">\n<ul>"),
            "{html}"
        );
        assert!(
            html.contains("<p dir=\"auto\">فقرة لم تتغير.</p>"),
            "{html}"
        );
        assert!(html.starts_with("<h2"), "{html}");
        let untouched = to_safe_html_marking_changes(text, &|_| None, &[]);
        assert_eq!(
            untouched,
            to_safe_html(text),
            "no change, the page as readers get it"
        );
        // An author cannot fake the marks or break out of them.
        let forged = to_safe_html_marking_changes(
            "<ins class=\"review-changed\">x</ins></ins><script>1</script>",
            &|_| None,
            &[1],
        );
        assert_eq!(forged.matches("review-changed").count(), 1, "{forged}");
        assert!(!forged.contains("<script"), "{forged}");
    }

    #[test]
    fn a_library_image_shows_its_caption_and_credit_under_it() {
        let captioned = |id: i32| {
            let MediaEmbed::Image(mut image) = photo("") else {
                return None;
            };
            image.caption = "افتتاح <الورشة>".into();
            image.credit = if id == 7 {
                "Photo : DP Rabat".into()
            } else {
                String::new()
            };
            Some(MediaEmbed::Image(image))
        };
        let both = to_safe_html_with_media("![](media:7)", &captioned);
        assert!(
            both.contains("</picture><span class=\"media-caption\" dir=\"auto\">افتتاح &lt;الورشة&gt; · Photo : DP Rabat</span>"),
            "{both}"
        );
        let caption_only = to_safe_html_with_media("![](media:8)", &captioned);
        assert!(
            caption_only.contains(">افتتاح &lt;الورشة&gt;</span>"),
            "{caption_only}"
        );
        let neither = to_safe_html_with_media("![](media:9)", &|_| Some(photo("")));
        assert!(!neither.contains("media-caption"), "{neither}");
    }

    #[test]
    fn a_library_image_becomes_a_responsive_picture() {
        let html = to_safe_html_with_media("صورة: ![](media:7)", &|id| {
            (id == 7).then(|| photo("ورشة \"التكوين\""))
        });
        assert!(html.contains("<picture><source type=\"image/webp\" srcset=\"/uploads/a.webp 640w, /uploads/b.webp 1600w\""), "{html}");
        assert!(html.contains("src=\"/uploads/b.jpg\""), "{html}");
        assert!(
            html.contains("srcset=\"/uploads/a.jpg 640w, /uploads/b.jpg 1600w\""),
            "{html}"
        );
        assert!(html.contains("width=\"1600\" height=\"1200\""), "{html}");
        assert!(html.contains("alt=\"ورشة &quot;التكوين&quot;\""), "{html}");
        assert!(html.contains("loading=\"lazy\""), "{html}");
    }

    #[test]
    fn the_authors_alt_text_wins_and_unknown_items_vanish() {
        let html = to_safe_html_with_media("![Atelier](media:7) ![x](media:8)", &|id| {
            (id == 7).then(|| photo("library text"))
        });
        assert!(html.contains("alt=\"Atelier\""), "{html}");
        assert!(!html.contains("media:"), "{html}");
        assert_eq!(html.matches("<img").count(), 1, "{html}");
    }

    #[test]
    fn a_library_document_is_a_link_with_type_and_size() {
        let html = to_safe_html_with_media("[المذكرة](media:9)", &|_| {
            Some(MediaEmbed::File {
                url: "/uploads/c.pdf".into(),
                label: "PDF, 120 KB".into(),
            })
        });
        assert!(
            html.contains(
                "<a href=\"/uploads/c.pdf\" rel=\"noopener noreferrer\">المذكرة</a> (PDF, 120 KB)"
            ),
            "{html}"
        );
    }

    fn youtube() -> MediaEmbed {
        MediaEmbed::VideoLink {
            video: EmbeddedVideo {
                provider: "youtube".into(),
                id: "dQw4w9WgXcQ".into(),
                url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
                title: "حفل التميز".into(),
                notice: "يُشغَّل من يوتيوب عند النقر".into(),
            },
            label: "YouTube".into(),
        }
    }

    #[test]
    fn a_linked_video_is_a_placeholder_that_loads_nothing_from_its_site() {
        let html = to_safe_html_with_media("قبل\n\n![](media:5)\n\nبعد", &|_| Some(youtube()));
        assert!(
            html.contains(
                "<a class=\"video-embed\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\""
            ),
            "{html}"
        );
        assert!(html.contains("data-video-provider=\"youtube\""), "{html}");
        assert!(html.contains("data-video-id=\"dQw4w9WgXcQ\""), "{html}");
        assert!(
            html.contains("<span class=\"video-embed-title\">حفل التميز</span>"),
            "{html}"
        );
        for absent in ["<iframe", "<img", "youtube-nocookie", "ytimg"] {
            assert!(!html.contains(absent), "{absent} in {html}");
        }
        // The author's text names the video; a link form links its page.
        let titled = to_safe_html_with_media("![Le gala](media:5)", &|_| Some(youtube()));
        assert!(titled.contains(">Le gala</span>"), "{titled}");
        let linked = to_safe_html_with_media("[الحفل](media:5)", &|_| Some(youtube()));
        assert!(
            linked.contains("<a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\" rel=\"noopener noreferrer\">الحفل</a> (YouTube)"),
            "{linked}"
        );
    }

    #[test]
    fn an_uploaded_video_plays_in_the_page_and_loads_nothing_before_play() {
        let html = to_safe_html_with_media("![Atelier](media:6)", &|_| {
            Some(MediaEmbed::VideoFile {
                url: "/uploads/v.mp4".into(),
                label: "MP4, 12.0 MB".into(),
            })
        });
        assert!(
            html.contains("<video controls preload=\"none\" src=\"/uploads/v.mp4\"><a href=\"/uploads/v.mp4\">Atelier (MP4, 12.0 MB)</a></video>"),
            "{html}"
        );
    }

    #[test]
    fn video_markup_written_by_hand_cannot_load_elsewhere() {
        let html = to_safe_html(
            "<video src=\"https://evil.example/x.mp4\" preload=\"auto\" autoplay onplay=\"x()\"></video>\n\n<a class=\"video-embed\" href=\"https://example.org\" data-video-provider=\"evil\" data-video-id=\"x&quot; onclick=&quot;y\">v</a>",
        );
        assert!(!html.contains("<video"), "{html}");
        assert!(!html.contains("evil.example"), "{html}");
        assert!(!html.contains("data-video-provider"), "{html}");
        assert!(!html.contains("data-video-id"), "{html}");
        assert!(!html.contains("class="), "{html}");
        // The library's own markup cannot be summoned by typing a marker.
        let typed =
            to_safe_html_with_media("tawasul-media-0000000000000000-0 ![](media:6)", &|_| {
                Some(MediaEmbed::VideoFile {
                    url: "/uploads/v.mp4".into(),
                    label: "MP4".into(),
                })
            });
        assert_eq!(typed.matches("<video").count(), 1, "{typed}");
        assert!(
            typed.contains("tawasul-media-0000000000000000-0"),
            "{typed}"
        );
    }

    #[test]
    fn references_are_listed_with_their_text() {
        assert_eq!(
            media_references(
                "![صورة](media:3) [doc](media:4) ![](https://x.ma/y.png) ![](media:x)"
            ),
            [
                MediaReference {
                    id: 3,
                    image: true,
                    text: "صورة".into()
                },
                MediaReference {
                    id: 4,
                    image: false,
                    text: "doc".into()
                },
            ]
        );
    }

    #[test]
    fn srcset_written_by_hand_may_only_name_our_renditions() {
        let html = to_safe_html(
            "<img src=\"/uploads/a.jpg\" srcset=\"https://tracker.example/p.gif 1x\">\n\n<picture><source type=\"text/html\" srcset=\"javascript:alert(1)\"><img srcset=\"/uploads/b.webp 2x\"></picture>",
        );
        assert!(!html.contains("tracker"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("text/html"), "{html}");
        assert!(html.contains("srcset=\"/uploads/b.webp 2x\""), "{html}");
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_markup() {
        let text = plain_text(
            "## عنوان\n\nنص **مهم** و[رابط](https://x.ma)\n\n- أول\n- ثان\n\n<script>x</script>",
        );
        assert_eq!(text, "عنوان\nنص مهم ورابط\nأول\nثان");
    }
}

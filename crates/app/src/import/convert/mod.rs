//! An old site's HTML made into Tawasul Markdown: paragraphs of the classic
//! editor made explicit, shortcodes and block-editor markup carried over,
//! images, files and videos pointed at the site's media library
//! (`media:<id>`), what Markdown cannot say kept as HTML the sanitiser
//! keeps, and what it would remove (scripts, frames from elsewhere) left out
//! with a line in the report. Pure: what the media became is given.

pub mod autop;
pub mod links;
pub mod shortcodes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::{Element, HtmlToMarkdown};

/// A library item an old address or attachment became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaRef {
    pub id: i32,
    /// Shown in the text (an image, a video), rather than linked.
    pub shown: bool,
}

/// What the old site's media became, for the converter to point at.
#[derive(Debug, Default, Clone)]
pub struct MediaMap {
    /// By [`media_key`] of a file's URL.
    pub by_key: HashMap<String, MediaRef>,
    /// By WordPress attachment id (`wp-image-12`, `[gallery ids]`).
    pub by_attachment: HashMap<i64, MediaRef>,
    /// By canonical video URL (YouTube, Facebook).
    pub videos: HashMap<String, i32>,
}

/// A text converted, and what it refers to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Converted {
    pub markdown: String,
    /// Lines for the report: what was left out or could not be carried.
    pub notes: Vec<String>,
    /// URLs of files the text shows or links that could be library items
    /// (see [`media_key`]), each once.
    pub files: Vec<String>,
    /// Canonical URLs of the videos it embeds, each once.
    pub videos: Vec<String>,
    /// The library items of its first gallery, in order; attachment ids
    /// (an empty `[gallery]` means the post's own images).
    pub gallery: Option<Vec<i64>>,
    /// Media items it shows, for a missing alt text to be reported.
    pub shown: Vec<i32>,
}

#[derive(Default)]
struct State {
    notes: Vec<String>,
    files: Vec<String>,
    videos: Vec<String>,
    shown: Vec<i32>,
}

impl State {
    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// The key a file of the old site is known by, whatever size of it a text
/// shows: `uploads/2019/05/photo.jpg` for WordPress (the `-300x200` and
/// `-scaled` copies are the same file), `blogger/<path>` without the size
/// folder (`/s1600/`, `/w640-h480/`) for Blogger's image hosts. `None`: not
/// a file of the old site.
pub fn media_key(url: &str) -> Option<String> {
    let url = url.trim();
    let no_query = url.split(['?', '#']).next().unwrap_or("");
    if let Some(at) = no_query.find("/wp-content/uploads/") {
        let rest = &no_query[at + "/wp-content/uploads/".len()..];
        let rest = percent_encoding::percent_decode_str(rest)
            .decode_utf8()
            .ok()?
            .into_owned();
        return (!rest.is_empty()).then(|| format!("uploads/{}", strip_size_suffix(&rest)));
    }
    let rest = no_query
        .strip_prefix("https://")
        .or_else(|| no_query.strip_prefix("http://"))
        .or_else(|| no_query.strip_prefix("//"))?;
    let (host, path) = rest.split_once('/')?;
    let host = host.to_ascii_lowercase();
    if host.ends_with(".bp.blogspot.com")
        || host == "bp.blogspot.com"
        || host.ends_with("googleusercontent.com")
    {
        let kept: Vec<&str> = path
            .split('/')
            .filter(|segment| !is_blogger_size(segment))
            .collect();
        return Some(format!("blogger/{}", kept.join("/")));
    }
    None
}

/// `s1600`, `s72-c`, `w640-h480`, `w400-h300-rw`: a Blogger size folder.
fn is_blogger_size(segment: &str) -> bool {
    let mut parts = segment.split('-');
    let first = parts.next().unwrap_or("");
    let sized = |p: &str, letters: &[char]| {
        p.len() > 1 && p.starts_with(letters) && p[1..].bytes().all(|b| b.is_ascii_digit())
    };
    sized(first, &['s', 'w', 'h'])
        && parts.all(|p| sized(p, &['s', 'w', 'h']) || matches!(p, "c" | "rw" | "no" | "k" | "p"))
}

/// `photo-300x200.jpg` → `photo.jpg`; `photo-scaled.jpg` → `photo.jpg`.
fn strip_size_suffix(path: &str) -> String {
    let (stem, ext) = match path.rfind('.') {
        Some(dot) if !path[dot..].contains('/') => (&path[..dot], &path[dot..]),
        _ => (path, ""),
    };
    if let Some(stem) = stem.strip_suffix("-scaled") {
        return format!("{stem}{ext}");
    }
    if let Some(dash) = stem.rfind('-') {
        let size = &stem[dash + 1..];
        if let Some((w, h)) = size.split_once('x') {
            if !w.is_empty()
                && !h.is_empty()
                && w.bytes().all(|b| b.is_ascii_digit())
                && h.bytes().all(|b| b.is_ascii_digit())
            {
                return format!("{}{ext}", &stem[..dash]);
            }
        }
    }
    path.to_owned()
}

/// An attribute's value, when the element has it.
pub(crate) fn attr<'a>(element: &'a Element<'_>, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// `wp-image-12` in a class list: the attachment an image shows.
fn attachment_of_class(class: &str) -> Option<i64> {
    class
        .split_whitespace()
        .find_map(|c| c.strip_prefix("wp-image-"))
        .and_then(|id| id.parse().ok())
}

fn alt_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['[', ']'], "")
}

/// Inline tags Markdown cannot say and the sanitiser keeps: carried as HTML.
const KEPT_INLINE: &[&str] = &[
    "sup", "sub", "u", "mark", "small", "abbr", "kbd", "q", "cite", "ins",
];
/// Elements left out, with a line in the report.
const LEFT_OUT: &[&str] = &[
    "script", "style", "noscript", "object", "embed", "applet", "form", "input", "button",
    "select", "textarea", "svg", "math", "template", "link", "meta", "base", "frameset", "frame",
];

const CAPTION_OPEN: char = '\u{E000}';
const CAPTION_CLOSE: char = '\u{E001}';

fn video_markdown(state: &Mutex<State>, map: &MediaMap, url: &str) -> Option<String> {
    let link = tawasul_media::parse_video_url(url).ok()?;
    let canonical = link.canonical_url;
    let mut state = state.lock().ok()?;
    if !state.videos.contains(&canonical) {
        state.videos.push(canonical.clone());
    }
    Some(match map.videos.get(&canonical) {
        Some(id) => {
            state.shown.push(*id);
            format!("\n\n![](media:{id})\n\n")
        }
        None => format!("\n\n[{canonical}]({canonical})\n\n"),
    })
}

fn file_ref(state: &Mutex<State>, map: &MediaMap, url: &str) -> Option<MediaRef> {
    let key = media_key(url)?;
    if let Ok(mut state) = state.lock() {
        if !state.files.iter().any(|f| f == url) {
            state.files.push(url.to_owned());
        }
    }
    map.by_key.get(&key).copied()
}

fn converter(map: Arc<MediaMap>, state: Arc<Mutex<State>>) -> HtmlToMarkdown {
    let (m1, s1) = (Arc::clone(&map), Arc::clone(&state));
    let (m2, s2) = (Arc::clone(&map), Arc::clone(&state));
    let (m3, s3) = (Arc::clone(&map), Arc::clone(&state));
    let (m4, s4) = (Arc::clone(&map), Arc::clone(&state));
    let (m5, s5) = (Arc::clone(&map), Arc::clone(&state));
    let s6 = Arc::clone(&state);
    HtmlToMarkdown::builder()
        .add_handler(
            vec!["img"],
            move |_: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let src = attr(&element, "src").unwrap_or("").trim().to_owned();
                let alt = alt_text(attr(&element, "alt").unwrap_or(""));
                let by_class = attr(&element, "class")
                    .and_then(attachment_of_class)
                    .and_then(|id| m1.by_attachment.get(&id).copied());
                let found = file_ref(&s1, &m1, &src).or(by_class);
                match found {
                    Some(media) => {
                        if let Ok(mut state) = s1.lock() {
                            state.shown.push(media.id);
                        }
                        Some(format!("![{alt}](media:{})", media.id).into())
                    }
                    None if src.is_empty() => None,
                    None => Some(format!("![{alt}]({})", src.replace(' ', "%20")).into()),
                }
            },
        )
        .add_handler(
            vec!["a"],
            move |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let href = attr(&element, "href").unwrap_or("").trim().to_owned();
                let content = handlers.walk_children(element.node).content;
                let inner = content.trim();
                // A photo linked to its own file or attachment page: the
                // library shows the photo, the link adds nothing.
                let only_media = inner.starts_with("![")
                    && inner.ends_with(')')
                    && inner.matches("](").count() == 1;
                if only_media && (media_key(&href).is_some() || href.contains("attachment")) {
                    return Some(inner.to_owned().into());
                }
                if let Some(media) = file_ref(&s2, &m2, &href) {
                    let text = if inner.is_empty() { "file" } else { inner };
                    return Some(format!("[{text}](media:{})", media.id).into());
                }
                if let Some(video) = video_markdown(&s2, &m2, &href) {
                    if inner.is_empty() || inner == href {
                        return Some(video.into());
                    }
                }
                handlers.fallback(element)
            },
        )
        .add_handler(
            vec!["iframe"],
            move |_: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let src = attr(&element, "src").unwrap_or("").trim().to_owned();
                if let Some(video) = video_markdown(&s3, &m3, &src) {
                    return Some(video.into());
                }
                if let Ok(mut state) = s3.lock() {
                    state.note(format!(
                        "an embedded frame ({}) was left out; a link to it stays",
                        src.chars().take(80).collect::<String>()
                    ));
                }
                (src.starts_with("http://") || src.starts_with("https://"))
                    .then(|| format!("\n\n<{src}>\n\n").into())
            },
        )
        .add_handler(
            vec!["video", "audio", "source"],
            move |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let src = attr(&element, "src").unwrap_or("").trim().to_owned();
                if src.is_empty() {
                    return Some(handlers.walk_children(element.node));
                }
                if let Some(video) = video_markdown(&s4, &m4, &src) {
                    return Some(video.into());
                }
                match file_ref(&s4, &m4, &src) {
                    Some(media) if media.shown => {
                        if let Ok(mut state) = s4.lock() {
                            state.shown.push(media.id);
                        }
                        Some(format!("\n\n![](media:{})\n\n", media.id).into())
                    }
                    Some(media) => Some(format!("\n\n[{src}](media:{})\n\n", media.id).into()),
                    None => {
                        if let Ok(mut state) = s4.lock() {
                            state.note(format!(
                                "the {} {src} is not in the library: it stays a link",
                                element.tag
                            ));
                        }
                        Some(format!("\n\n[{src}]({src})\n\n").into())
                    }
                }
            },
        )
        .add_handler(
            vec!["figure"],
            move |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let class = attr(&element, "class").unwrap_or("");
                let content = handlers.walk_children(element.node).content;
                if class.contains("wp-block-embed") {
                    let url = content
                        .split_whitespace()
                        .find(|w| w.starts_with("http"))
                        .map(|w| w.trim_matches(|c| c == '<' || c == '>'));
                    if let Some(video) = url.and_then(|u| video_markdown(&s5, &m5, u)) {
                        return Some(video.into());
                    }
                }
                let (body, caption) = match (content.find(CAPTION_OPEN), content.find(CAPTION_CLOSE)) {
                    (Some(open), Some(close)) if open < close => (
                        format!("{}{}", &content[..open], &content[close + CAPTION_CLOSE.len_utf8()..]),
                        content[open + CAPTION_OPEN.len_utf8()..close].trim().to_owned(),
                    ),
                    _ => (content.clone(), String::new()),
                };
                let body = body.trim();
                if caption.is_empty() {
                    return Some(format!("\n\n{body}\n\n").into());
                }
                // Markdown has no figure: the HTML around it stays, with
                // blank lines so the image inside is still Markdown.
                Some(
                    format!("\n\n<figure>\n\n{body}\n\n<figcaption>{caption}</figcaption>\n</figure>\n\n")
                        .into(),
                )
            },
        )
        .add_handler(
            vec!["figcaption"],
            move |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let text = handlers.walk_children(element.node).content;
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                Some(format!("{CAPTION_OPEN}{text}{CAPTION_CLOSE}").into())
            },
        )
        .add_handler(
            KEPT_INLINE.to_vec(),
            move |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let content = handlers.walk_children(element.node).content;
                Some(format!("<{0}>{content}</{0}>", element.tag).into())
            },
        )
        .add_handler(
            LEFT_OUT.to_vec(),
            move |_: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                if let Ok(mut state) = s6.lock() {
                    state.note(format!("a <{}> element was left out", element.tag));
                }
                None
            },
        )
        .build()
}

/// Converts one text of the old site. `map` says what its media became
/// (empty while planning: the files are then only listed).
pub fn html_to_markdown(html: &str, map: Arc<MediaMap>) -> Converted {
    let expanded = shortcodes::expand(html);
    let html = autop::paragraphs(&expanded.html);
    let state = Arc::new(Mutex::new(State::default()));
    let markdown = converter(map, Arc::clone(&state))
        .convert(&html)
        .unwrap_or_default();
    let mut out = Converted {
        markdown: tidy(&markdown),
        gallery: expanded.galleries.into_iter().next(),
        ..Converted::default()
    };
    if let Ok(mut state) = state.lock() {
        out.notes = std::mem::take(&mut state.notes);
        out.files = std::mem::take(&mut state.files);
        out.videos = std::mem::take(&mut state.videos);
        out.shown = std::mem::take(&mut state.shown);
    }
    for name in expanded.unknown {
        out.notes.push(format!(
            "the shortcode [{name}] is not known here: it stays as text"
        ));
    }
    out
}

/// At most one blank line between blocks; no space at either end.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    for line in markdown.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

/// The plain text of a short HTML text (an excerpt), on one line.
pub fn html_text(html: &str) -> String {
    let converted = html_to_markdown(html, Arc::new(MediaMap::default()));
    tawasul_render::markdown::plain_text(&converted.markdown)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;

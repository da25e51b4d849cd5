//! Videos of the media library in a page: an uploaded MP4 as a `<video>`
//! that loads nothing before the reader presses play, and a YouTube or
//! Facebook video as a plain link that the theme's script turns into the
//! player only when the reader clicks. Until then nothing is requested from
//! the video's site: no iframe, no thumbnail, no cookie.

use super::{escape_attribute, is_upload_url};

/// A linked video as a page shows it before the reader clicks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedVideo {
    /// `youtube` or `facebook`: the theme's script builds the player's
    /// address from this and `id`, never from a URL in the page.
    pub provider: String,
    /// The video's id on its site (letters, digits, `-`, `_`).
    pub id: String,
    /// The video's page on its site: where the link goes without script.
    pub url: String,
    /// What the video shows (the author's text, else the item's caption).
    pub title: String,
    /// Where playing loads from, in the entry's language.
    pub notice: String,
}

/// Whether `provider` and `id` are what a player may be built from.
fn is_video_provider(provider: &str) -> bool {
    matches!(provider, "youtube" | "facebook")
}

fn is_video_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The click-to-load placeholder: a link (phrasing content, so it may sit
/// in a paragraph) that names the video and where it plays from. The
/// sanitiser never sees it (see `Trusted`): every value is checked or
/// escaped here.
pub fn video_link_html(video: &EmbeddedVideo) -> String {
    if !is_video_provider(&video.provider) || !is_video_id(&video.id) {
        return String::new();
    }
    format!(
        "<a class=\"video-embed\" href=\"{url}\" data-video-provider=\"{provider}\" data-video-id=\"{id}\"><span class=\"video-embed-title\">{title}</span> <span class=\"video-embed-note\">{notice}</span></a>",
        url = escape_attribute(&video.url),
        provider = video.provider,
        id = video.id,
        title = escape_attribute(&video.title),
        notice = escape_attribute(&video.notice),
    )
}

/// An uploaded video: the browser's own player, which fetches nothing
/// before play (`preload="none"`); the link inside serves browsers that
/// play no MP4.
pub fn video_file_html(url: &str, text: &str) -> String {
    if !is_upload_url(url) {
        return String::new();
    }
    let url = escape_attribute(url);
    format!(
        "<video controls preload=\"none\" src=\"{url}\"><a href=\"{url}\">{}</a></video>",
        escape_attribute(text)
    )
}

//! Links to YouTube and Facebook videos, parsed into what a page needs to
//! show a privacy-respecting embed: the canonical link (shown and linked
//! before the reader clicks) and the embed address (loaded only after).
//! Anything that is not exactly such a link is refused.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{MediaError, Result};

/// Where a linked video lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoProvider {
    Youtube,
    Facebook,
}

/// A checked video link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoLink {
    pub provider: VideoProvider,
    /// YouTube: the 11-character video id; Facebook: the numeric video id,
    /// or the short code of an `fb.watch` link.
    pub id: String,
    /// The video's page on its site.
    pub canonical_url: String,
    /// The address for an `<iframe>`, loaded only when the reader clicks:
    /// `www.youtube-nocookie.com` for YouTube, Facebook's video plugin.
    pub embed_url: String,
}

const MAX_URL: usize = 2048;

/// Parses a YouTube (`youtube.com/watch?v=`, `youtu.be/`, `/shorts/`,
/// `/embed/`, `/live/`, `m.youtube.com`) or Facebook (`facebook.com/…/videos/…`,
/// `/watch?v=`, `/reel/`, `fb.watch/…`) link.
pub fn parse_video_url(input: &str) -> Result<VideoLink> {
    let input = input.trim();
    if input.len() > MAX_URL {
        return Err(MediaError::InvalidVideoUrl("the link is too long"));
    }
    let url = Url::parse(input).map_err(|_| MediaError::InvalidVideoUrl("not a web address"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(MediaError::InvalidVideoUrl("only https links are accepted"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.port().is_some() {
        return Err(MediaError::InvalidVideoUrl(
            "the link has a user name or a port",
        ));
    }
    let host = url
        .host_str()
        .ok_or(MediaError::InvalidVideoUrl("the link has no host"))?
        .to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    match host {
        "youtube.com"
        | "www.youtube.com"
        | "m.youtube.com"
        | "music.youtube.com"
        | "youtube-nocookie.com"
        | "www.youtube-nocookie.com" => {
            let id = match segments.as_slice() {
                ["watch"] => query("v"),
                ["shorts" | "embed" | "live" | "v", id] => Some((*id).to_owned()),
                _ => None,
            };
            youtube(id)
        }
        "youtu.be" => youtube(match segments.as_slice() {
            [id] => Some((*id).to_owned()),
            _ => None,
        }),
        "facebook.com" | "www.facebook.com" | "m.facebook.com" | "web.facebook.com" => {
            let id = match segments.as_slice() {
                ["watch"] | ["video.php"] => query("v"),
                ["reel", id] => Some((*id).to_owned()),
                [_, "videos", id] | [_, "videos", _, id] => Some((*id).to_owned()),
                _ => None,
            };
            let id = id
                .filter(|id| (1..=25).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()))
                .ok_or(MediaError::InvalidVideoUrl(
                    "a Facebook link must point to a video",
                ))?;
            Ok(facebook(
                id.clone(),
                format!("https://www.facebook.com/watch/?v={id}"),
            ))
        }
        "fb.watch" => {
            let code = match segments.as_slice() {
                [code] if is_token(code, 1..=32) => (*code).to_owned(),
                _ => {
                    return Err(MediaError::InvalidVideoUrl(
                        "an fb.watch link must point to a video",
                    ))
                }
            };
            Ok(facebook(code.clone(), format!("https://fb.watch/{code}/")))
        }
        _ => Err(MediaError::InvalidVideoUrl(
            "only YouTube and Facebook videos can be linked",
        )),
    }
}

fn youtube(id: Option<String>) -> Result<VideoLink> {
    let id = id
        .filter(|id| id.len() == 11 && is_token(id, 11..=11))
        .ok_or(MediaError::InvalidVideoUrl(
            "a YouTube link must point to a video",
        ))?;
    Ok(VideoLink {
        provider: VideoProvider::Youtube,
        canonical_url: format!("https://www.youtube.com/watch?v={id}"),
        embed_url: format!("https://www.youtube-nocookie.com/embed/{id}"),
        id,
    })
}

fn facebook(id: String, canonical_url: String) -> VideoLink {
    let href: String = url::form_urlencoded::byte_serialize(canonical_url.as_bytes()).collect();
    VideoLink {
        provider: VideoProvider::Facebook,
        embed_url: format!(
            "https://www.facebook.com/plugins/video.php?href={href}&show_text=false"
        ),
        canonical_url,
        id,
    }
}

fn is_token(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn youtube_links() {
        let cases = [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL123",
            "http://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ?si=abcdef",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/live/dQw4w9WgXcQ?feature=shared",
            "  https://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ  ",
        ];
        for input in cases {
            let link = parse_video_url(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                link,
                VideoLink {
                    provider: VideoProvider::Youtube,
                    id: "dQw4w9WgXcQ".into(),
                    canonical_url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
                    embed_url: "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ".into(),
                },
                "{input}"
            );
        }
    }

    #[test]
    fn facebook_links() {
        let cases = [
            ("https://www.facebook.com/DirectionProvinciale/videos/1234567890123456/", "1234567890123456"),
            ("https://www.facebook.com/DirectionProvinciale/videos/atelier-lecture/1234567890123456/", "1234567890123456"),
            ("https://m.facebook.com/watch/?v=1234567890123456", "1234567890123456"),
            ("https://www.facebook.com/watch?v=1234567890123456", "1234567890123456"),
            ("https://web.facebook.com/reel/1234567890123456", "1234567890123456"),
            ("https://facebook.com/video.php?v=1234567890123456", "1234567890123456"),
        ];
        for (input, id) in cases {
            let link = parse_video_url(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(link.provider, VideoProvider::Facebook);
            assert_eq!(link.id, id);
            assert_eq!(
                link.canonical_url,
                format!("https://www.facebook.com/watch/?v={id}")
            );
            assert_eq!(
                link.embed_url,
                format!("https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D{id}&show_text=false")
            );
        }
        let short = parse_video_url("https://fb.watch/abC-12_x/").unwrap();
        assert_eq!(short.id, "abC-12_x");
        assert_eq!(short.canonical_url, "https://fb.watch/abC-12_x/");
    }

    #[test]
    fn hostile_and_foreign_links_are_refused() {
        let cases = [
            "javascript:alert(1)//www.youtube.com/watch?v=dQw4w9WgXcQ",
            "JaVaScRiPt:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>youtube.com",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "https://evil-youtube.com/watch?v=dQw4w9WgXcQ",
            "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
            "https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ",
            "https://evil.example/?u=https://youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
            "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ\"><script>",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ%00",
            "https://www.youtube.com/watch",
            "https://www.youtube.com/channel/UC1234567890",
            "https://youtu.be/",
            "https://youtu.be/dQw4w9WgXcQ/extra",
            "https://www.facebook.com/DirectionProvinciale",
            "https://www.facebook.com/x/videos/not-a-number/",
            "https://www.facebook.com/watch?v=1<script>",
            "https://fb.watch/",
            "https://fb.watch/a/b",
            "https://facebook.com.evil.example/x/videos/123/",
            "https://vimeo.com/123456",
            "youtube.com/watch?v=dQw4w9WgXcQ",
            "//youtube.com/watch?v=dQw4w9WgXcQ",
            "",
            "   ",
        ];
        for input in cases {
            let err = parse_video_url(input).expect_err(input);
            assert_eq!(err.http_status(), 422, "{input}");
        }
        let long = format!("https://youtu.be/dQw4w9WgXcQ?x={}", "a".repeat(3000));
        assert!(parse_video_url(&long).is_err());
    }
}

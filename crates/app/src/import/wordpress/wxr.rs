//! A WordPress export (WXR 1.0 to 1.2) read record by record into
//! [`SourceEvent`]s: the channel and its authors and terms, then every
//! item with its metadata, its categories and tags and its old addresses.

use percent_encoding::percent_decode_str;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::old_urls;
use crate::import::convert::links::old_key;
use crate::import::moving::source::{
    Channel, ItemKind, SourceAuthor, SourceEvent, SourceItem, SourceStatus, SourceTerm,
};
use crate::import::moving::xml::Node;

/// Versions of the format this reader knows.
pub const VERSIONS: [&str; 3] = ["1.0", "1.1", "1.2"];

/// What the reader keeps between records.
#[derive(Debug, Default)]
pub struct WxrState {
    pub version: Option<String>,
    pub channel: Channel,
    channel_sent: bool,
}

/// `%d8%a7…` → readable Arabic; anything undecodable stays as it was.
pub fn decode(text: &str) -> String {
    percent_decode_str(text.trim())
        .decode_utf8()
        .map(|t| t.into_owned())
        .unwrap_or_else(|_| text.trim().to_owned())
}

/// `2019-05-12 09:30:00` in UTC; WordPress writes `0000-00-00 00:00:00`
/// for "not yet".
pub fn parse_date(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text.trim(), format)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

fn host_of(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))?;
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (!host.is_empty()).then_some(host)
}

fn status_of(text: &str) -> SourceStatus {
    match text {
        "publish" | "inherit" => SourceStatus::Published,
        "draft" => SourceStatus::Draft,
        "pending" => SourceStatus::Pending,
        "future" => SourceStatus::Scheduled,
        "private" => SourceStatus::Private,
        other => SourceStatus::Discarded(other.to_owned()),
    }
}

/// Reads one element under `<channel>`. Answers the events it makes, or a
/// refusal of the whole file.
pub fn record(state: &mut WxrState, node: &Node, line: usize) -> Result<Vec<SourceEvent>, String> {
    let mut events = Vec::new();
    match node.name.as_str() {
        "wp:wxr_version" => {
            let version = node.text.trim().to_owned();
            if !VERSIONS.contains(&version.as_str()) {
                return Err(format!(
                    "WXR version {version} is not one this importer knows ({}); export again from a recent WordPress",
                    VERSIONS.join(", ")
                ));
            }
            state.version = Some(version);
        }
        "title" => state.channel.title = node.text.trim().to_owned(),
        "language" => {
            let language = node.text.trim().to_ascii_lowercase();
            state.channel.language = language.split(['-', '_']).next().map(str::to_owned);
        }
        "link" | "wp:base_site_url" | "wp:base_blog_url" => {
            if let Some(host) = host_of(&node.text) {
                if !state.channel.hosts.contains(&host) {
                    state.channel.hosts.push(host);
                }
            }
        }
        "wp:author" => events.push(SourceEvent::Author(SourceAuthor {
            key: node.text_of("wp:author_login").to_owned(),
            email: node.text_of("wp:author_email").to_lowercase(),
            name: node.text_of("wp:author_display_name").to_owned(),
        })),
        "wp:category" => events.push(SourceEvent::Term(SourceTerm {
            category: true,
            slug: decode(node.text_of("wp:category_nicename")),
            name: node.text_of("wp:cat_name").to_owned(),
            parent: Some(decode(node.text_of("wp:category_parent"))).filter(|p| !p.is_empty()),
            number: node.text_of("wp:term_id").trim().parse().ok(),
        })),
        "wp:tag" => events.push(SourceEvent::Term(SourceTerm {
            category: false,
            slug: decode(node.text_of("wp:tag_slug")),
            name: node.text_of("wp:tag_name").to_owned(),
            parent: None,
            number: None,
        })),
        "item" => {
            if state.version.is_none() {
                return Err(
                    "the file has no <wp:wxr_version>: it is not a WordPress export (WXR)".into(),
                );
            }
            if !state.channel_sent {
                state.channel_sent = true;
                state.channel.site_keys = old_urls::site_keys();
                events.push(SourceEvent::Channel(state.channel.clone()));
            }
            events.push(item(state, node, line));
        }
        _ => {}
    }
    Ok(events)
}

/// The channel, for an export without a single item.
pub fn finish(state: &mut WxrState) -> Result<Vec<SourceEvent>, String> {
    if state.version.is_none() {
        return Err("the file has no <wp:wxr_version>: it is not a WordPress export (WXR)".into());
    }
    if state.channel_sent {
        return Ok(Vec::new());
    }
    state.channel_sent = true;
    state.channel.site_keys = old_urls::site_keys();
    Ok(vec![SourceEvent::Channel(state.channel.clone())])
}

fn item(state: &WxrState, node: &Node, line: usize) -> SourceEvent {
    let title = node.text_of("title").to_owned();
    let post_type = node.text_of("wp:post_type");
    let kind = match post_type {
        "post" => ItemKind::Post,
        "page" => ItemKind::Page,
        "attachment" => ItemKind::Attachment,
        other => {
            return SourceEvent::Skipped {
                what: if other.is_empty() { "item" } else { other }.to_owned(),
                title,
                line,
                why: format!("items of type `{other}` (menus, revisions, blocks of a theme…) have no place in Tawasul"),
            }
        }
    };
    let status = status_of(node.text_of("wp:status"));
    if let SourceStatus::Discarded(how) = &status {
        return SourceEvent::Skipped {
            what: kind.label().to_owned(),
            title,
            line,
            why: format!("its status on the old site was `{how}`"),
        };
    }
    let number = node.text_of("wp:post_id").parse::<i64>().ok();
    let meta = |key: &str| {
        node.children_named("wp:postmeta")
            .find(|m| m.text_of("wp:meta_key") == key)
            .map(|m| m.text_of("wp:meta_value").to_owned())
    };
    let mut categories = Vec::new();
    let mut tags = Vec::new();
    for c in node.children_named("category") {
        let slug = decode(c.attr("nicename").unwrap_or(""));
        let name = c.text.trim().to_owned();
        match c.attr("domain") {
            Some("category") => categories.push((slug, name)),
            Some("post_tag") => tags.push((slug, name)),
            _ => {}
        }
    }
    let date = parse_date(node.text_of("wp:post_date_gmt"))
        .or_else(|| parse_date(node.text_of("wp:post_date")));
    let slug = decode(node.text_of("wp:post_name"));
    let link = node.text_of("link").to_owned();
    let hosts = &state.channel.hosts;
    let mut old_keys = Vec::new();
    let mut add = |key: Option<String>| {
        if let Some(key) = key {
            if key != "/" && !old_keys.contains(&key) {
                old_keys.push(key);
            }
        }
    };
    add(old_key(&link, hosts));
    add(old_key(node.text_of("guid"), hosts));
    if let Some(n) = number {
        let parameter = match kind {
            ItemKind::Post => "p",
            ItemKind::Page => "page_id",
            ItemKind::Attachment => "attachment_id",
        };
        add(Some(format!("?{parameter}={n}")));
        if kind == ItemKind::Page {
            add(Some(format!("?p={n}")));
        }
    }
    if kind == ItemKind::Post && !slug.is_empty() {
        if let Some(date) = date {
            for key in old_urls::post_keys(date, &slug) {
                add(Some(key));
            }
        }
    }
    if kind == ItemKind::Page && !slug.is_empty() {
        add(Some(format!("/{slug}")));
    }
    SourceEvent::Item(Box::new(SourceItem {
        key: format!(
            "{}:{}",
            if kind == ItemKind::Attachment {
                "attachment"
            } else {
                "post"
            },
            number.map_or_else(|| format!("line-{line}"), |n| n.to_string())
        ),
        number,
        kind,
        title,
        slug,
        status,
        date,
        content: node.text_of("content:encoded").to_owned(),
        excerpt: node.text_of("excerpt:encoded").to_owned(),
        author: Some(node.text_of("dc:creator").to_owned()).filter(|a| !a.is_empty()),
        categories,
        tags,
        parent: node
            .text_of("wp:post_parent")
            .parse::<i64>()
            .ok()
            .filter(|&p| p > 0),
        thumbnail: meta("_thumbnail_id").and_then(|t| t.parse().ok()),
        file_url: Some(node.text_of("wp:attachment_url").to_owned()).filter(|u| !u.is_empty()),
        alt: meta("_wp_attachment_image_alt").unwrap_or_default(),
        old_keys,
        line,
    }))
}

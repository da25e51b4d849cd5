//! A Blogger export (Atom) read entry by entry into [`SourceEvent`]s.
//! Blogger has written two shapes: the classic one (the kind of an entry in
//! a `<category scheme="…#kind">`, drafts in `<app:control>`, the address
//! in `<link rel="alternate">`) and the newer one (`<blogger:type>`,
//! `<blogger:status>`, `<blogger:filename>`); both are read.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::import::convert::links::old_key;
use crate::import::moving::source::{
    Channel, ItemKind, SiteTarget, SourceAuthor, SourceEvent, SourceItem, SourceStatus,
};
use crate::import::moving::xml::Node;

const KIND_SCHEME: &str = "http://schemas.google.com/g/2005#kind";

#[derive(Debug, Default)]
pub struct AtomState {
    pub channel: Channel,
    channel_sent: bool,
    is_blogger: bool,
}

/// Checks the root element: a Blogger export is an Atom `<feed>`.
pub fn root(node: &Node) -> Result<(), String> {
    if node.name != "feed" {
        return Err(format!(
            "the root element is <{}>, not an Atom <feed>: this is not a Blogger export",
            node.name
        ));
    }
    Ok(())
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

fn site_keys() -> Vec<(String, SiteTarget)> {
    [
        "/feeds/posts/default",
        "/feeds/posts/summary",
        "/rss.xml",
        "/atom.xml",
    ]
    .into_iter()
    .map(|k| (k.to_owned(), SiteTarget::Feed))
    .collect()
}

/// Reads one element under `<feed>`.
pub fn record(state: &mut AtomState, node: &Node, line: usize) -> Result<Vec<SourceEvent>, String> {
    let mut events = Vec::new();
    match node.name.as_str() {
        "id" => state.is_blogger = node.text.contains("blogger.com"),
        "title" => state.channel.title = node.text.trim().to_owned(),
        "link" if node.attr("rel") == Some("alternate") => {
            if let Some(host) = node.attr("href").and_then(host_of) {
                if !state.channel.hosts.contains(&host) {
                    state.channel.hosts.push(host);
                }
            }
        }
        "entry" => {
            if !state.is_blogger {
                return Err(
                    "the feed's <id> does not name a Blogger blog: this is not a Blogger export"
                        .into(),
                );
            }
            if !state.channel_sent {
                state.channel_sent = true;
                state.channel.site_keys = site_keys();
                events.push(SourceEvent::Channel(state.channel.clone()));
            }
            events.extend(entry(state, node, line));
        }
        _ => {}
    }
    Ok(events)
}

pub fn finish(state: &mut AtomState) -> Result<Vec<SourceEvent>, String> {
    if !state.is_blogger {
        return Err(
            "the feed's <id> does not name a Blogger blog: this is not a Blogger export".into(),
        );
    }
    if state.channel_sent {
        return Ok(Vec::new());
    }
    state.channel_sent = true;
    state.channel.site_keys = site_keys();
    Ok(vec![SourceEvent::Channel(state.channel.clone())])
}

fn date(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(|d| d.to_offset(time::UtcOffset::UTC))
}

fn entry(state: &AtomState, node: &Node, line: usize) -> Vec<SourceEvent> {
    let title = node.text_of("title").to_owned();
    let id = node.text_of("id");
    // tag:blogger.com,1999:blog-123.post-456 → post-456
    let local_id = id.rsplit('.').next().unwrap_or(id).to_owned();
    let kind_term = node
        .children_named("category")
        .find(|c| c.attr("scheme") == Some(KIND_SCHEME))
        .and_then(|c| c.attr("term"))
        .map(|t| t.rsplit('#').next().unwrap_or(t).to_ascii_lowercase())
        .or_else(|| {
            Some(node.text_of("blogger:type").to_ascii_lowercase()).filter(|t| !t.is_empty())
        })
        .unwrap_or_default();
    let kind = match kind_term.as_str() {
        "post" => ItemKind::Post,
        "page" => ItemKind::Page,
        other => {
            // Settings, the template and comments make most of an export:
            // counted, not listed one by one.
            return vec![SourceEvent::Skipped {
                what: if other.is_empty() { "entry" } else { other }.to_owned(),
                title,
                line,
                why: "Blogger settings, templates and comments are not imported".into(),
            }];
        }
    };
    let draft = node
        .child("app:control")
        .map(|c| c.text_of("app:draft") == "yes")
        .unwrap_or(false);
    let status = match node.text_of("blogger:status") {
        "" | "LIVE" if !draft => SourceStatus::Published,
        "DRAFT" | "" | "LIVE" => SourceStatus::Draft,
        "SCHEDULED" => SourceStatus::Scheduled,
        other => SourceStatus::Discarded(other.to_ascii_lowercase()),
    };
    if let SourceStatus::Discarded(how) = &status {
        return vec![SourceEvent::Skipped {
            what: kind.label().to_owned(),
            title,
            line,
            why: format!("its status on the old site was `{how}`"),
        }];
    }
    let alternate = node
        .children_named("link")
        .find(|l| l.attr("rel") == Some("alternate"))
        .and_then(|l| l.attr("href"))
        .map(str::to_owned);
    let filename = Some(node.text_of("blogger:filename").to_owned()).filter(|f| !f.is_empty());
    let hosts = &state.channel.hosts;
    let mut old_keys = Vec::new();
    if let Some(key) = alternate.as_deref().and_then(|u| old_key(u, hosts)) {
        old_keys.push(key);
    }
    if let Some(key) = filename.as_deref().and_then(|f| old_key(f, hosts)) {
        if !old_keys.contains(&key) {
            old_keys.push(key);
        }
    }
    let slug = old_keys
        .first()
        .and_then(|k| k.rsplit('/').next())
        .map(|last| last.trim_end_matches(".html").to_owned())
        .unwrap_or_default();
    let labels: Vec<(String, String)> = node
        .children_named("category")
        .filter(|c| c.attr("scheme") != Some(KIND_SCHEME))
        .filter_map(|c| c.attr("term"))
        .map(|t| (String::new(), t.trim().to_owned()))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let author = node.child("author").map(|a| SourceAuthor {
        key: Some(a.text_of("email").to_lowercase())
            .filter(|e| !e.is_empty() && e != "noreply@blogger.com")
            .unwrap_or_else(|| a.text_of("name").to_owned()),
        email: Some(a.text_of("email").to_lowercase())
            .filter(|e| e != "noreply@blogger.com")
            .unwrap_or_default(),
        name: a.text_of("name").to_owned(),
    });
    let mut events = Vec::new();
    if let Some(author) = &author {
        events.push(SourceEvent::Author(author.clone()));
    }
    events.push(SourceEvent::Item(Box::new(SourceItem {
        key: format!("post:{local_id}"),
        number: None,
        kind,
        title,
        slug,
        status,
        date: date(node.text_of("published")).or_else(|| date(node.text_of("blogger:created"))),
        content: node.text_of("content").to_owned(),
        excerpt: String::new(),
        author: author.map(|a| a.key),
        categories: Vec::new(),
        tags: labels,
        parent: None,
        thumbnail: None,
        file_url: None,
        alt: String::new(),
        old_keys,
        line,
    })));
    events
}

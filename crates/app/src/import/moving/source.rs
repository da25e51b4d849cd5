//! What an export of another publishing system says, once read: the same
//! shape for WordPress and Blogger, so one writer serves both.

use time::OffsetDateTime;

/// What an item of the old site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Post,
    Page,
    Attachment,
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Post => "post",
            ItemKind::Page => "page",
            ItemKind::Attachment => "attachment",
        }
    }
}

/// Where an item stood on the old site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    Published,
    Draft,
    /// Waiting for review.
    Pending,
    /// To go out at its date.
    Scheduled,
    /// Readable only by the old site's editors.
    Private,
    /// In the bin, or an editor's autosave: not imported.
    Discarded(String),
}

/// A post, a page or an attachment of the old site.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceItem {
    /// Unique in the export: `post:12`, `attachment:7`, `post:<blogger id>`.
    pub key: String,
    /// WordPress's numeric id (attachments, galleries and featured images
    /// name items by it).
    pub number: Option<i64>,
    pub kind: ItemKind,
    pub title: String,
    /// The slug as the old site had it, decoded (may be empty for drafts).
    pub slug: String,
    pub status: SourceStatus,
    /// Publication (or scheduled) time, in UTC.
    pub date: Option<OffsetDateTime>,
    /// HTML.
    pub content: String,
    /// HTML.
    pub excerpt: String,
    /// The author's key in [`SourceAuthor`] (a login), or an e-mail.
    pub author: Option<String>,
    /// (slug, name) of its categories and tags.
    pub categories: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub parent: Option<i64>,
    /// The attachment shown as its cover.
    pub thumbnail: Option<i64>,
    /// An attachment's file.
    pub file_url: Option<String>,
    /// An attachment's alt text.
    pub alt: String,
    /// Keys of its old addresses (see `convert::links::old_key`).
    pub old_keys: Vec<String>,
    /// Line of the file the item starts on.
    pub line: usize,
}

/// An author as the export lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceAuthor {
    pub key: String,
    pub email: String,
    pub name: String,
}

/// A category or a tag of the old site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTerm {
    pub category: bool,
    /// Decoded.
    pub slug: String,
    pub name: String,
    pub parent: Option<String>,
    /// The old site's id of a category (`?cat=4` links name it).
    pub number: Option<i64>,
}

/// What the export says about the site itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channel {
    pub title: String,
    /// Host names of the old site, lower-case, without `www.`.
    pub hosts: Vec<String>,
    /// `ar`, `fr`… when the export says.
    pub language: Option<String>,
    /// Old addresses of the site as a whole (its feed…) and where they
    /// lead now: `("/feed", Target::Feed)`.
    pub site_keys: Vec<(String, SiteTarget)>,
}

/// A page of the new site that old addresses of the whole site lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteTarget {
    Home,
    Feed,
    Category(String),
    Tag(String),
}

/// One thing read from an export, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    Channel(Channel),
    Author(SourceAuthor),
    Term(SourceTerm),
    Item(Box<SourceItem>),
    /// Something the export holds that is not imported, and why.
    Skipped {
        what: String,
        title: String,
        line: usize,
        why: String,
    },
}

/// Counts Arabic and Latin letters: the language an item is written in,
/// when the export does not say it item by item.
pub fn is_mostly_arabic(text: &str) -> Option<bool> {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in text.chars().take(4_000) {
        if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c) {
            arabic += 1;
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{017F}').contains(&c) {
            latin += 1;
        }
    }
    (arabic + latin > 0).then_some(arabic >= latin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_letters() {
        assert_eq!(is_mostly_arabic("اجتماع المجلس الإداري"), Some(true));
        assert_eq!(is_mostly_arabic("Réunion du conseil (المجلس)"), Some(false));
        assert_eq!(is_mostly_arabic("2024 — 12"), None);
    }
}

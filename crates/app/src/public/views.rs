//! What templates receive (docs/themes.md): plain serialisable views, built
//! from records here so that no database type ever reaches a template.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::network::SocialLink;

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub map_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub slug: String,
    pub kind: &'static str,
    pub name: String,
    pub tagline: String,
    pub home_url: String,
    pub logo_url: Option<String>,
    pub feed_url: String,
    pub search_url: String,
    pub contact: ContactView,
    pub social: Vec<SocialLink>,
    /// The footer's links chosen by the site, in the page's language.
    pub footer_links: Vec<Link>,
    pub parent: Option<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub label: String,
    pub url: String,
    pub active: bool,
    /// The items under it (one level).
    pub children: Vec<NavItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LocaleLink {
    pub lang: &'static str,
    pub label: String,
    pub url: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub label: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    pub lang: &'static str,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub og_type: &'static str,
    pub og_image: Option<String>,
    /// The OpenGraph image's size, when known, and its description.
    pub og_image_width: Option<u32>,
    pub og_image_height: Option<u32>,
    pub og_image_alt: Option<String>,
    pub feed_url: String,
    pub breadcrumbs: Vec<Crumb>,
    pub alternates: Vec<Alternate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeView {
    pub name: String,
    pub colors: BTreeMap<String, String>,
}

/// An entry's cover. A library cover also has its renditions, for a
/// responsive `<picture>`; an imported one has only `url`.
#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    pub url: String,
    pub alt: String,
    /// `srcset` of the WebP and of the JPEG renditions ("" when none).
    pub webp_srcset: String,
    pub jpeg_srcset: String,
    /// Intrinsic size of the largest rendition (no layout shift).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The library's caption and credit ("" when none).
    pub caption: String,
    pub credit: String,
}

/// A photo of an entry's gallery: a square thumbnail linked to the
/// largest JPEG (what works without script), with its renditions for the
/// lightbox.
#[derive(Debug, Clone, Serialize)]
pub struct GalleryImage {
    pub id: i32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub thumbnail_url: String,
    pub thumbnail_webp: Option<String>,
    pub full_url: String,
    pub webp_srcset: String,
    pub jpeg_srcset: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub id: i32,
    pub kind: &'static str,
    pub kind_label: String,
    pub title: String,
    pub summary: String,
    pub url: String,
    pub lang: &'static str,
    pub dir: &'static str,
    pub published_at: String,
    pub published_human: String,
    pub cover: Option<Cover>,
    pub category: Option<Link>,
    pub site_name: String,
    /// Search results: the escaped text around the match, with `<mark>`.
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingView {
    pub starts_on_human: String,
    pub ends_on_human: String,
    pub venue: String,
    pub audience: String,
    pub head_count: u32,
    pub facilitators: Vec<String>,
    pub workshops: Vec<String>,
    pub recommendations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub starts_human: String,
    pub ends_human: Option<String>,
    pub venue: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnouncementView {
    pub deadline_human: Option<String>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    #[serde(flatten)]
    pub card: Card,
    pub html: String,
    pub updated_human: String,
    pub tags: Vec<Link>,
    pub programmes: Vec<Link>,
    pub translations: Vec<LocaleLink>,
    pub training: Option<TrainingView>,
    pub event: Option<EventView>,
    pub announcement: Option<AnnouncementView>,
    /// The gallery's photos, in order (empty: no gallery).
    pub gallery: Vec<GalleryImage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub kind: &'static str,
    pub title: String,
    pub archive_url: String,
    pub entries: Vec<Card>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    pub page: u64,
    pub pages: u64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveView {
    pub title: String,
    pub description: Option<String>,
    pub kind: Option<&'static str>,
    pub entries: Vec<Card>,
    pub pagination: Pagination,
    /// On the search page: the form with what was asked.
    pub search: Option<SearchForm>,
}

/// The search page's form: the words, and the filters as chosen.
#[derive(Debug, Clone, Serialize)]
pub struct SearchForm {
    pub action: String,
    pub q: String,
    pub kinds: Vec<Choice>,
    /// The network's programmes, the site's categories and (on an academy)
    /// the sites below it; empty lists are not shown.
    pub programmes: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub sites: Vec<Choice>,
    /// Publication dates as `YYYY-MM-DD`, empty when not chosen.
    pub from: String,
    pub to: String,
    pub newest: bool,
    /// Some filter other than the words is chosen: the form opens them.
    pub filtered: bool,
    /// The number of hits, as text for the sentence that shows it.
    pub total: String,
    /// No entry holds every word: the hits hold some of them.
    pub partial: bool,
    /// The search engine did not answer: titles and summaries were
    /// searched instead.
    pub unavailable: bool,
    /// The same words on the academy above (or the topmost site above),
    /// when it has entries this site's results do not show.
    pub wider: Option<WiderSearch>,
}

/// An offer to search a site above for the same words: exam calendars and
/// recruitment results are the academy's entries, not a directorate's.
#[derive(Debug, Clone, Serialize)]
pub struct WiderSearch {
    pub site_name: String,
    /// That site's search page with the same words and filters.
    pub url: String,
    /// The number of its hits, as text for the sentence that shows it.
    pub total: String,
    /// A few of its hits from outside this site.
    pub cards: Vec<Card>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionSite {
    pub name: String,
    pub url: String,
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub name: String,
    pub url: String,
    pub sites: Vec<RegionSite>,
}

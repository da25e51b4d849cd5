//! Search for Tawasul: one [`SearchIndex`] trait, two backends.
//!
//! - [`EmbeddedIndex`] (the default): tantivy in a folder, no server.
//! - `MeiliIndex` (cargo feature `meilisearch`, on by default): a
//!   Meilisearch server through `meilisearch-sdk`.
//!
//! Both analyse Arabic and French with [`analysis`], so a query written with
//! one spelling (المدرسة, مدرسه, مُدَرِّسَةٌ…) finds an entry written with
//! another, and both build their snippets with [`snippet`] from the original
//! text, escaped, with `<mark>` around the matched words.

pub mod analysis;
mod embedded;
#[cfg(feature = "meilisearch")]
mod meili;
pub mod query;
pub mod snippet;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use embedded::EmbeddedIndex;
#[cfg(feature = "meilisearch")]
pub use meili::{MeiliConfig, MeiliIndex};

/// One entry as the index sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The entry id; upserting the same id replaces the document.
    pub id: i64,
    /// Slug of the entry's site.
    pub site: String,
    /// The site's slug and its ancestors' slugs, so that a query on an
    /// academy covers its directorates.
    pub ancestors: Vec<String>,
    /// Entry kind (`news`, `training_report`…).
    pub kind: String,
    /// Language code (`ar`, `fr`).
    pub locale: String,
    /// Workflow status (`published`, `draft`…).
    pub status: String,
    pub title: String,
    pub summary: String,
    /// The body as plain text (Markdown without markup).
    pub body: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub programmes: Vec<String>,
    pub published_at: Option<OffsetDateTime>,
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Best match first.
    #[default]
    Relevance,
    /// Latest `published_at` first; entries without one come last.
    Newest,
}

/// A search. Empty filter lists mean "no filter".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// What the reader typed: words and "quoted phrases"; anything else is
    /// plain text, never a syntax error.
    pub text: String,
    /// Entries whose site or any ancestor is one of these.
    pub sites: Vec<String>,
    pub kinds: Vec<String>,
    /// Entries tagged with any of these programmes.
    pub programmes: Vec<String>,
    pub category: Option<String>,
    /// Published at or after.
    pub from: Option<OffsetDateTime>,
    /// Published at or before.
    pub to: Option<OffsetDateTime>,
    /// Entries in any of these statuses; the caller decides (only
    /// `published` for the public, see [`Query::public`]).
    pub statuses: Vec<String>,
    pub order: Order,
    /// 1-based page number (0 is read as 1).
    pub page: u32,
    /// Hits per page, capped at [`MAX_PER_PAGE`] (0 is read as the default).
    pub per_page: u32,
}

/// Largest page size served.
pub const MAX_PER_PAGE: u32 = 100;
/// Page size when the query gives none.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// Deepest hit a query may page to (page × per_page), as search engines do.
pub const MAX_DEPTH: u32 = 10_000;

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            sites: Vec::new(),
            kinds: Vec::new(),
            programmes: Vec::new(),
            category: None,
            from: None,
            to: None,
            statuses: Vec::new(),
            order: Order::Relevance,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl Query {
    /// A query over published entries only, as the public may read them.
    pub fn public(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            statuses: vec!["published".to_owned()],
            ..Query::default()
        }
    }

    /// `(offset, limit)` of the requested page, within the caps.
    pub fn window(&self) -> (usize, usize) {
        let per_page = match self.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        };
        let page = self.page.max(1);
        let offset = (page - 1).saturating_mul(per_page).min(MAX_DEPTH);
        (offset as usize, per_page as usize)
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: i64,
    pub site: String,
    pub kind: String,
    /// The title as written (plain text: escape it when rendering).
    pub title: String,
    /// HTML: the escaped original text around the best match, with
    /// `<mark>` around the matched words. Safe to insert as is.
    pub snippet: String,
    pub published_at: Option<OffsetDateTime>,
    /// The backend's relevance score (0 in newest-first order); comparable
    /// only within one result list.
    pub score: f32,
}

/// Counts over every hit of a query, not only the page shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Hits per entry kind.
    pub kinds: BTreeMap<String, u64>,
    /// Hits per site (the entry's own site).
    pub sites: BTreeMap<String, u64>,
}

/// A page of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hits {
    /// Number of entries matching the query and its filters.
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// No entry held every word: these hits hold only some of them (the
    /// page should say so).
    #[serde(default)]
    pub partial: bool,
}

/// What can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The embedded index failed (I/O, corruption…).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The folder of the embedded index could not be opened or created.
    #[error("search index folder {path}: {source}")]
    Folder {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The folder holds an index built with another schema: reindex.
    #[error("the search index in {0} was built by another version; run `tawasul reindex`")]
    Incompatible(std::path::PathBuf),
    /// Another process holds the index's writer.
    #[error("the search index in {0} is being written by another process")]
    Taken(std::path::PathBuf),
    /// A change was sent to an index opened read-only.
    #[error("the search index in {0} is open read-only in this process")]
    ReadOnly(std::path::PathBuf),
    /// The writer task stopped or a batch failed to commit.
    #[error("search index writer: {0}")]
    Writer(String),
    /// The Meilisearch server refused a request or could not be reached.
    #[cfg(feature = "meilisearch")]
    #[error("meilisearch: {0}")]
    Meilisearch(#[from] meilisearch_sdk::errors::Error),
    /// A Meilisearch task ended in failure.
    #[cfg(feature = "meilisearch")]
    #[error("meilisearch task failed: {0}")]
    MeiliTask(String),
}

/// This crate's result.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// A boxed future, so that [`SearchIndex`] can be used as `dyn SearchIndex`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A search backend. Every write is visible to the next search once its
/// future has completed.
pub trait SearchIndex: Send + Sync {
    /// Adds or replaces documents (by id).
    fn upsert(&self, docs: Vec<Document>) -> BoxFuture<'_, Result<()>>;
    /// Removes documents by id; unknown ids are ignored.
    fn remove(&self, ids: Vec<i64>) -> BoxFuture<'_, Result<()>>;
    /// Runs a query. Never fails because of what the reader typed.
    fn search<'a>(&'a self, query: &'a Query) -> BoxFuture<'a, Result<Hits>>;
    /// Removes every document.
    fn clear(&self) -> BoxFuture<'_, Result<()>>;
    /// Number of documents in the index.
    fn count(&self) -> BoxFuture<'_, Result<u64>>;
    /// The engine's name, as `/healthz` reports it.
    fn engine(&self) -> &'static str;
    /// Whether the engine answers now (an embedded index always does).
    fn healthy(&self) -> BoxFuture<'_, bool> {
        Box::pin(async { true })
    }
}

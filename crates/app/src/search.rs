//! Keeping the search index in step with the database, and asking it.
//!
//! The database is the truth: every change of an entry writes a row of the
//! index log in its own transaction. Each server reads the log after the
//! last row its index applied (kept in `<data>/search/cursor`, written after
//! the index committed), so an index that was down, or a crash between a
//! publish and its indexing, loses nothing: the index catches up, and
//! applying a row twice is harmless (documents are replaced by id).
//!
//! The engine is the embedded index of the data folder, or a Meilisearch
//! server (`[search] backend`) that every web node of the network shares;
//! each node keeps its own cursor and applies the log to it, which is
//! redundant and harmless. While Meilisearch does not answer, the log
//! waits: the cursor moves only after the server took the change, and a
//! server that could not connect at start tries again every few seconds.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tawasul_domain::{EntryStatus, Operation};
use tawasul_render::markdown;
use tawasul_search::{Document, EmbeddedIndex, Hits, Query, SearchIndex};
use tawasul_store::EntryRow;
use time::OffsetDateTime;

use crate::access::Viewer;
use crate::{App, AppError};

/// Log rows applied per batch.
const BATCH: u64 = 500;
/// Entries indexed per batch when rebuilding.
const REBUILD_BATCH: usize = 500;
/// How often a server that could not reach Meilisearch tries again.
const RECONNECT_EVERY: Duration = Duration::from_secs(5);

/// What `/healthz` says of search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHealth {
    /// `embedded` or `meilisearch`.
    pub engine: &'static str,
    /// `ok`, `unavailable` (the engine does not answer: the public page
    /// searches titles and summaries meanwhile), or `not open` (a process
    /// that does not serve search).
    pub state: &'static str,
}

fn search_error(e: tawasul_search::SearchError) -> AppError {
    AppError::Search(e.to_string())
}

impl App {
    fn search_dir(&self) -> PathBuf {
        self.config.search_dir()
    }

    /// The last log row applied, per engine: switching to another engine
    /// (or another Meilisearch index) starts it from nothing.
    fn cursor_file(&self) -> PathBuf {
        let search = &self.config.search;
        if search.is_meilisearch() {
            self.search_dir()
                .join(format!("meilisearch-{}.cursor", search.index))
        } else {
            self.search_dir().join("cursor")
        }
    }

    /// The configured engine's name.
    pub fn search_engine(&self) -> &'static str {
        if self.config.search.is_meilisearch() {
            "meilisearch"
        } else {
            "embedded"
        }
    }

    /// Whether the search engine answers, for `/healthz`.
    pub async fn search_health(&self) -> SearchHealth {
        let engine = self.search_engine();
        let state = match self.search_index() {
            Some(index) => {
                if index.healthy().await {
                    "ok"
                } else {
                    "unavailable"
                }
            }
            None if self.config.search.is_meilisearch() => "unavailable",
            None => "not open",
        };
        SearchHealth { engine, state }
    }

    /// Connects to Meilisearch as `[search]` says.
    async fn open_meilisearch(&self) -> Result<Arc<dyn SearchIndex>, AppError> {
        let search = &self.config.search;
        let config = tawasul_search::MeiliConfig {
            url: search.url.clone(),
            api_key: (!search.api_key.is_empty()).then(|| search.api_key.clone()),
            index: search.index.clone(),
        };
        let index = tawasul_search::MeiliIndex::connect(config)
            .await
            .map_err(|e| {
                AppError::Search(format!(
                    "Meilisearch at {} ({e}); the public search page searches titles and summaries until it answers",
                    crate::config::redact_url(&search.url)
                ))
            })?;
        Ok(Arc::new(index))
    }

    /// The open index, if this process serves search.
    pub fn search_index(&self) -> Option<Arc<dyn SearchIndex>> {
        self.search.get().cloned()
    }

    /// Whether this process keeps the index up to date (it holds the
    /// embedded index's writer, or uses Meilisearch), rather than only
    /// searching what another process wrote.
    pub fn search_writable(&self) -> bool {
        self.search_index().is_some() && !self.search_read_only.load(Ordering::Acquire)
    }

    /// Opens the search engine, for a process that serves (commands that
    /// only write leave the indexing to the server, through the log): the
    /// embedded index (`paths.search`), or Meilisearch. A second process
    /// on the same folder cannot hold the embedded index's writer: it
    /// searches the index read-only, following the other's commits, and
    /// leaves the log to it. Meilisearch not answering is an error; a
    /// server goes on without it and tries again ([`App::sync_search`]).
    pub async fn open_search(&self) -> Result<(), AppError> {
        if self.search.get().is_some() {
            return Ok(());
        }
        let _opening = self.search_opening.lock().await;
        if self.search.get().is_some() {
            return Ok(());
        }
        let shared = self.config.search.is_meilisearch();
        let index: Arc<dyn SearchIndex> = if shared {
            self.open_meilisearch().await?
        } else {
            let dir = self.search_dir();
            match EmbeddedIndex::open(&dir) {
                Ok(index) => Arc::new(index),
                Err(tawasul_search::SearchError::Taken(_)) => {
                    match EmbeddedIndex::open_read_only(&dir) {
                        Ok(index) => {
                            self.search_read_only.store(true, Ordering::Release);
                            let _ = self.search.set(Arc::new(index));
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, folder = %dir.display(), "search index not opened; searching by scan");
                        }
                    }
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!(error = %e, folder = %dir.display(), "search index not opened; searching by scan");
                    return Ok(());
                }
            }
        };
        std::fs::create_dir_all(self.search_dir())
            .map_err(|e| AppError::io(format!("creating {}", self.search_dir().display()), e))?;
        let _ = self.search.set(Arc::clone(&index));
        let cursor = std::fs::read_to_string(self.cursor_file())
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let (oldest, _) = self.store().index_log_bounds().await?;
        match cursor {
            // The log still holds everything after the cursor: catch up.
            Some(cursor) if oldest == 0 || cursor + 1 >= oldest => {
                self.search_cursor.store(cursor, Ordering::Release);
            }
            // New index, or one too far behind: rebuild it whole. A shared
            // engine is not emptied first: other nodes serve from it.
            _ => {
                self.rebuild(&index, None, !shared, &|_, _| {}).await?;
            }
        }
        Ok(())
    }

    /// When Meilisearch did not answer at start, connects again (at most
    /// every [`RECONNECT_EVERY`]); true once an engine is open.
    async fn reconnect_search(&self) -> bool {
        if self.search.get().is_some() {
            return true;
        }
        if !self.config.search.is_meilisearch() {
            return false;
        }
        {
            let mut last = self
                .search_retry
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.is_some_and(|t| t.elapsed() < RECONNECT_EVERY) {
                return false;
            }
            *last = Some(Instant::now());
        }
        match self.open_search().await {
            Ok(()) => {
                tracing::info!("search engine reached; the index log catches up");
                self.search.get().is_some()
            }
            Err(e) => {
                tracing::warn!(error = %e, "search engine still unavailable");
                false
            }
        }
    }

    /// Applies the log rows written since the index's cursor. Returns how
    /// many entries were (re)indexed or removed.
    pub async fn sync_search(&self) -> Result<usize, AppError> {
        if !self.reconnect_search().await || !self.search_writable() {
            return Ok(0);
        }
        let Some(index) = self.search_index() else {
            return Ok(0);
        };
        let after = self.search_cursor.load(Ordering::Acquire);
        let rows = self.store().index_log_since(after, BATCH).await?;
        let Some(last) = rows.last().map(|(id, _)| *id) else {
            return Ok(0);
        };
        let mut ids: Vec<i32> = rows.iter().map(|(_, entry)| *entry).collect();
        ids.sort_unstable();
        ids.dedup();
        let count = ids.len();
        self.index_entries(index.as_ref(), &ids).await?;
        self.save_cursor(last)?;
        Ok(count)
    }

    fn save_cursor(&self, cursor: i64) -> Result<(), AppError> {
        let file = self.cursor_file();
        let temp = file.with_extension("tmp");
        std::fs::write(&temp, cursor.to_string())
            .and_then(|()| std::fs::rename(&temp, &file))
            .map_err(|e| AppError::io(format!("saving {}", file.display()), e))?;
        self.search_cursor.store(cursor, Ordering::Release);
        Ok(())
    }

    /// Indexes these entries as the database holds them now: live ones are
    /// upserted, deleted or vanished ones removed.
    async fn index_entries(&self, index: &dyn SearchIndex, ids: &[i32]) -> Result<(), AppError> {
        let rows = self.store().entries_by_ids(ids).await?;
        let mut gone: Vec<i64> = ids
            .iter()
            .filter(|id| !rows.iter().any(|r| r.id == **id))
            .map(|id| i64::from(*id))
            .collect();
        let (live, deleted): (Vec<EntryRow>, Vec<EntryRow>) =
            rows.into_iter().partition(|r| r.deleted_at.is_none());
        gone.extend(deleted.iter().map(|r| i64::from(r.id)));
        let documents = self.documents(&live).await?;
        if !documents.is_empty() {
            index.upsert(documents).await.map_err(search_error)?;
        }
        if !gone.is_empty() {
            index.remove(gone).await.map_err(search_error)?;
        }
        Ok(())
    }

    /// What the index knows of entries.
    async fn documents(&self, rows: &[EntryRow]) -> Result<Vec<Document>, AppError> {
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let mut tags: HashMap<i32, Vec<String>> = HashMap::new();
        for (entry, name) in self.store().tag_names_of(&ids).await? {
            tags.entry(entry).or_default().push(name);
        }
        let network = self.network();
        let mut programmes: HashMap<i32, Vec<String>> = HashMap::new();
        for (entry, programme) in self.store().programme_links_of(&ids).await? {
            if let Some(p) = network.programmes.iter().find(|p| p.id == programme) {
                programmes.entry(entry).or_default().push(p.slug.clone());
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(site) = network.site(row.site_id) else {
                continue;
            };
            let ancestors: Vec<String> = network
                .lineage(site.id)
                .iter()
                .map(|s| s.slug.clone())
                .collect();
            out.push(Document {
                id: i64::from(row.id),
                site: site.slug.clone(),
                ancestors,
                kind: row.kind.clone(),
                locale: row.locale.clone(),
                status: row.status.clone(),
                title: row.title.clone(),
                summary: row.summary.clone(),
                body: markdown::plain_text(&row.body_md),
                category: row
                    .category_id
                    .and_then(|id| site.category(id))
                    .map(|c| c.slug.clone()),
                tags: tags.remove(&row.id).unwrap_or_default(),
                programmes: programmes.remove(&row.id).unwrap_or_default(),
                published_at: row.published_at,
            });
        }
        Ok(out)
    }

    /// Rebuilds the index from the database (all sites, or some), calling
    /// `progress(done, total)` as it goes. Returns the entries indexed.
    pub async fn rebuild_index(
        &self,
        site: Option<&str>,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<u64, AppError> {
        let Some(index) = self.search_index().filter(|_| self.search_writable()) else {
            return Err(AppError::Search(
                "no search index is open for writing in this process".into(),
            ));
        };
        self.rebuild(&index, site, true, progress).await
    }

    /// [`App::rebuild_index`] on this index; `clear` empties it first when
    /// the whole network is rebuilt (else entries are only replaced).
    async fn rebuild(
        &self,
        index: &Arc<dyn SearchIndex>,
        site: Option<&str>,
        clear: bool,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<u64, AppError> {
        let network = self.network();
        let site_ids: Option<Vec<i32>> = match site {
            Some(slug) => {
                let root = network
                    .site_by_slug(slug)
                    .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
                // The site and everything below it.
                let mut ids = vec![root.id];
                let mut i = 0;
                while i < ids.len() {
                    let id = ids[i];
                    if let Some(s) = network.site(id) {
                        ids.extend(s.children.iter().copied());
                    }
                    i += 1;
                }
                Some(ids)
            }
            None => None,
        };
        // Rows written from here on are applied after the rebuild (again,
        // harmlessly): nothing slips between the two.
        let (_, newest) = self.store().index_log_bounds().await?;
        if site_ids.is_none() && clear {
            index.clear().await.map_err(search_error)?;
        }
        let ids = self.store().entry_ids(site_ids.as_deref()).await?;
        let total = ids.len() as u64;
        let mut done = 0;
        progress(0, total);
        for chunk in ids.chunks(REBUILD_BATCH) {
            self.index_entries(index.as_ref(), chunk).await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        if site_ids.is_none() || self.search_cursor.load(Ordering::Acquire) == 0 {
            self.save_cursor(newest)?;
        }
        Ok(total)
    }

    /// Searches the entries the viewer may read: published ones for the
    /// public; for editors also the drafts of the sites where they work.
    pub async fn search_entries(
        &self,
        viewer: Option<&Viewer>,
        mut query: Query,
        drafts: bool,
    ) -> Result<Option<Hits>, AppError> {
        let Some(index) = self.search_index() else {
            return Ok(None);
        };
        let network = self.network();
        for slug in &query.sites {
            if network.site_by_slug(slug).is_none() {
                return Err(AppError::NotFound(format!("site `{slug}`")));
            }
        }
        match (drafts, viewer) {
            (true, Some(viewer)) => {
                let readable: Vec<String> = network
                    .sites()
                    .iter()
                    .filter(|s| viewer.may(&network, s.id, Operation::SearchDrafts))
                    .map(|s| s.slug.clone())
                    .collect();
                if query.sites.is_empty() {
                    query.sites = readable;
                } else if query.sites.iter().any(|s| !readable.contains(s)) {
                    return Err(AppError::Forbidden(
                        "you may search drafts only on the sites where you edit".into(),
                    ));
                }
                if query.sites.is_empty() {
                    return Ok(Some(Hits::default()));
                }
                // A status filter narrows what editors see; without one
                // they see every state.
                let asked = std::mem::take(&mut query.statuses);
                query.statuses = EntryStatus::ALL
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .filter(|s| asked.is_empty() || asked.contains(s))
                    .collect();
                if query.statuses.is_empty() {
                    return Ok(Some(Hits::default()));
                }
            }
            (true, None) => return Err(AppError::Unauthorized("sign in to search drafts".into())),
            (false, _) => {
                query.statuses = vec![EntryStatus::Published.as_str().to_owned()];
                let now = OffsetDateTime::now_utc();
                query.to = Some(query.to.map_or(now, |to| to.min(now)));
            }
        }
        Ok(Some(index.search(&query).await.map_err(search_error)?))
    }
}

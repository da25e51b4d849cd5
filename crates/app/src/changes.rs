//! Keeping every node's cache exact: a change drops this process's stale
//! pages at once and is written to the change log, which every server reads
//! a few times a second (another web node, or a `tawasul import` run next
//! to a running server on SQLite).

use std::sync::atomic::Ordering;

use tawasul_domain::{EntryKind, EntryStatus, Locale};
use tawasul_store::EntryRow;
use time::OffsetDateTime;

use crate::cache::deps::{entry_change_deps, Dep, EntryFacts};
use crate::{App, AppError};

/// Changes read per poll; a backlog is worked through over several polls.
const BATCH: u64 = 500;

fn touches_sites(deps: &[Dep]) -> bool {
    deps.iter()
        .any(|d| matches!(d, Dep::All | Dep::Network | Dep::Chrome { .. }))
}

impl App {
    /// Drops the pages a change made stale, here and on every other node.
    pub async fn publish_change(&self, deps: Vec<Dep>) -> Result<(), AppError> {
        if deps.is_empty() {
            return Ok(());
        }
        if touches_sites(&deps) {
            self.refresh_network().await?;
        }
        self.pages.invalidate(&deps);
        let json =
            serde_json::to_value(&deps).unwrap_or_else(|_| serde_json::json!([{"on": "all"}]));
        // Applied here already: reading it back from the log would only
        // throw away pages rendered since. Holding the log lock makes
        // "written" and "known as ours" one step for the watcher.
        let _log = self.change_log_lock.lock().await;
        let id = self.store().record_change(json).await?;
        self.own_changes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id);
        Ok(())
    }

    /// Applies the changes recorded since the last call (by any process).
    /// Returns how many there were.
    pub async fn apply_recorded_changes(&self) -> Result<usize, AppError> {
        let log = self.change_log_lock.lock().await;
        let after = self.seen_change.load(Ordering::Acquire);
        let changes = self.store().changes_since(after, BATCH).await?;
        let Some(last) = changes.last().map(|c| c.id) else {
            return Ok(0);
        };
        let deps: Vec<Dep> = {
            let mut own = self.own_changes.lock().unwrap_or_else(|p| p.into_inner());
            let deps = changes
                .iter()
                .filter(|change| !own.remove(&change.id))
                .flat_map(|change| {
                    // A record this version cannot read is treated as
                    // touching everything: a slower page beats a stale one.
                    serde_json::from_value::<Vec<Dep>>(change.deps.clone())
                        .unwrap_or_else(|_| vec![Dep::All])
                })
                .collect::<Vec<_>>();
            // An id recorded after this read began is not in `changes`; one
            // the log has passed never will be.
            own.retain(|id| *id > last);
            deps
        };
        drop(log);
        if touches_sites(&deps) {
            self.refresh_network().await?;
        }
        self.pages.invalidate(&deps);
        self.seen_change.store(last, Ordering::Release);
        Ok(changes.len())
    }

    /// Drops the pages that start showing entries whose publication time
    /// fell in `(after, until]`. Every server runs this against its own
    /// clock, so nothing is written to the change log.
    pub async fn apply_scheduled(
        &self,
        after: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<usize, AppError> {
        let due = self.store().published_between(after, until).await?;
        let mut deps = Vec::new();
        for row in &due {
            let facts = self.entry_facts(row).await?;
            deps.extend(entry_change_deps(None, Some(&facts)));
        }
        if touches_sites(&deps) {
            self.refresh_network().await?;
        }
        self.pages.invalidate(&deps);
        Ok(due.len())
    }

    /// What readers can see of an entry, for working out what a change touches.
    pub async fn entry_facts(&self, row: &EntryRow) -> Result<EntryFacts, AppError> {
        let store = self.store();
        let public = row
            .status
            .parse::<EntryStatus>()
            .is_ok_and(EntryStatus::is_public)
            && row.deleted_at.is_none()
            && row
                .published_at
                .is_some_and(|at| at <= OffsetDateTime::now_utc());
        let tags = store
            .tags_of_entry(row.id)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect();
        Ok(EntryFacts {
            id: row.id,
            site: row.site_id,
            parent: self.network().site(row.site_id).and_then(|s| s.parent_id),
            locale: row.locale.parse().unwrap_or(Locale::Ar),
            kind: row.kind.parse().unwrap_or(EntryKind::News),
            public,
            category: row.category_id,
            tags,
            programmes: store.programme_ids_of(row.id).await?,
            featured_on_parent: row.featured_on_parent,
            in_menu: self
                .network()
                .site(row.site_id)
                .is_some_and(|s| s.menu_has_page(row.id)),
            translations: store
                .translations(row)
                .await?
                .iter()
                .map(|t| t.id)
                .collect(),
        })
    }
}

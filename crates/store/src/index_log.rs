//! The search index's log of entry changes (see the migration). Rows are
//! written inside the transactions that change entries.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use time::Duration;

use crate::entities::{entry, index_log};
use crate::{now, EntryRow, Result, Store};

/// Notes that an entry changed, in the caller's transaction.
pub(crate) async fn note_entry_change(db: &impl ConnectionTrait, entry_id: i32) -> Result<()> {
    index_log::ActiveModel {
        entry_id: Set(entry_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Store {
    /// (log id, entry id) after `after`, oldest first, at most `limit`.
    pub async fn index_log_since(&self, after: i64, limit: u64) -> Result<Vec<(i64, i32)>> {
        Ok(index_log::Entity::find()
            .filter(index_log::Column::Id.gt(after))
            .order_by_asc(index_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.entry_id))
            .collect())
    }

    /// The newest log id (0 when empty), and the oldest kept (to know
    /// whether an index is too far behind to catch up from the log).
    pub async fn index_log_bounds(&self) -> Result<(i64, i64)> {
        let newest = index_log::Entity::find()
            .order_by_desc(index_log::Column::Id)
            .one(&self.db)
            .await?
            .map_or(0, |r| r.id);
        let oldest = index_log::Entity::find()
            .order_by_asc(index_log::Column::Id)
            .one(&self.db)
            .await?
            .map_or(0, |r| r.id);
        Ok((oldest, newest))
    }

    pub async fn prune_index_log(&self, age: Duration) -> Result<u64> {
        Ok(index_log::Entity::delete_many()
            .filter(index_log::Column::CreatedAt.lt(now() - age))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Entries by id, deleted ones included (the index removes those).
    pub async fn entries_by_ids(&self, ids: &[i32]) -> Result<Vec<EntryRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(entry::Entity::find()
            .filter(entry::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?)
    }

    /// (entry id, tag name) of some entries, in one round trip.
    pub async fn tag_names_of(&self, ids: &[i32]) -> Result<Vec<(i32, String)>> {
        use crate::entities::{entry_tag, tag};
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let links = entry_tag::Entity::find()
            .filter(entry_tag::Column::EntryId.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        let mut tag_ids: Vec<i32> = links.iter().map(|l| l.tag_id).collect();
        tag_ids.sort_unstable();
        tag_ids.dedup();
        let tags = tag::Entity::find()
            .filter(tag::Column::Id.is_in(tag_ids))
            .all(&self.db)
            .await?;
        Ok(links
            .into_iter()
            .filter_map(|l| {
                let name = tags.iter().find(|t| t.id == l.tag_id)?.name.clone();
                Some((l.entry_id, name))
            })
            .collect())
    }

    /// (entry id, programme id) of some entries, in one round trip.
    pub async fn programme_links_of(&self, ids: &[i32]) -> Result<Vec<(i32, i32)>> {
        use crate::entities::entry_programme;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(entry_programme::Entity::find()
            .filter(entry_programme::Column::EntryId.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| (l.entry_id, l.programme_id))
            .collect())
    }

    /// Notes every live entry (of some sites) as changed, so that every
    /// index rebuilds them: `tawasul reindex` beside a running server.
    pub async fn note_all_entries(&self, site_ids: Option<&[i32]>) -> Result<u64> {
        let ids = self.entry_ids(site_ids).await?;
        let stamp = now();
        for chunk in ids.chunks(500) {
            let rows: Vec<index_log::ActiveModel> = chunk
                .iter()
                .map(|&entry_id| index_log::ActiveModel {
                    entry_id: Set(entry_id),
                    created_at: Set(stamp),
                    ..Default::default()
                })
                .collect();
            index_log::Entity::insert_many(rows)
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(ids.len() as u64)
    }

    /// Ids of the live entries of some sites (all sites when `None`), for
    /// rebuilding an index.
    pub async fn entry_ids(&self, site_ids: Option<&[i32]>) -> Result<Vec<i32>> {
        let mut query = entry::Entity::find()
            .select_only()
            .column(entry::Column::Id)
            .filter(entry::Column::DeletedAt.is_null());
        if let Some(ids) = site_ids {
            query = query.filter(entry::Column::SiteId.is_in(ids.iter().copied()));
        }
        Ok(query
            .order_by_asc(entry::Column::Id)
            .into_tuple::<i32>()
            .all(&self.db)
            .await?)
    }
}

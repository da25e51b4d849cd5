//! What imports from other publishing systems remember: which old item
//! became which entry or library item, and the old addresses of a site.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use time::OffsetDateTime;

use crate::entities::{entry, import_source, redirect};
use crate::{now, Result, Store};

pub type RedirectRow = redirect::Model;

/// What an old item became: an entry or a library item, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportTarget {
    /// `entry` or `media`.
    pub kind: &'static str,
    pub id: i32,
}

fn target_kind(text: &str) -> &'static str {
    if text == "media" {
        "media"
    } else {
        "entry"
    }
}

impl Store {
    /// Every item a source brought into a site, by its key (`post:42`).
    pub async fn import_sources(
        &self,
        site_id: i32,
        source: &str,
    ) -> Result<HashMap<String, ImportTarget>> {
        Ok(import_source::Entity::find()
            .filter(import_source::Column::SiteId.eq(site_id))
            .filter(import_source::Column::Source.eq(source))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                (
                    row.source_key,
                    ImportTarget {
                        kind: target_kind(&row.target_kind),
                        id: row.target_id,
                    },
                )
            })
            .collect())
    }

    /// Remembers what an old item became (replacing what it became before).
    pub async fn record_import_source(
        &self,
        site_id: i32,
        source: &str,
        key: &str,
        target: ImportTarget,
    ) -> Result<()> {
        import_source::Entity::insert(import_source::ActiveModel {
            site_id: Set(site_id),
            source: Set(source.to_owned()),
            source_key: Set(key.to_owned()),
            target_kind: Set(target.kind.to_owned()),
            target_id: Set(target.id),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                import_source::Column::SiteId,
                import_source::Column::Source,
                import_source::Column::SourceKey,
            ])
            .update_columns([
                import_source::Column::TargetKind,
                import_source::Column::TargetId,
            ])
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// Every entry slug of a site (deleted ones too: they keep theirs),
    /// with its entry's id, kind and title: what a new slug must not clash
    /// with, and where an old item's entry now lives.
    pub async fn entry_slugs(&self, site_id: i32) -> Result<Vec<(i32, String, String, String)>> {
        Ok(entry::Entity::find()
            .select_only()
            .columns([
                entry::Column::Id,
                entry::Column::Slug,
                entry::Column::Kind,
                entry::Column::Title,
            ])
            .filter(entry::Column::SiteId.eq(site_id))
            .into_tuple::<(i32, String, String, String)>()
            .all(&self.db)
            .await?)
    }

    /// Sets when an approved entry goes out on its own (`None`: it does
    /// not), leaving its version and history as they are. Returns whether
    /// anything changed.
    pub async fn set_entry_schedule(
        &self,
        entry_id: i32,
        at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let result = entry::Entity::update_many()
            .col_expr(entry::Column::ScheduledAt, Expr::value(at))
            .filter(entry::Column::Id.eq(entry_id))
            .filter(match at {
                Some(at) => entry::Column::ScheduledAt
                    .ne(at)
                    .or(entry::Column::ScheduledAt.is_null()),
                None => entry::Column::ScheduledAt.is_not_null(),
            })
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Sets an entry's author, leaving its version and history as they
    /// are. Returns whether anything changed.
    pub async fn set_entry_author(&self, entry_id: i32, author: Option<i32>) -> Result<bool> {
        let result = entry::Entity::update_many()
            .col_expr(entry::Column::AuthorId, Expr::value(author))
            .filter(entry::Column::Id.eq(entry_id))
            .filter(match author {
                Some(id) => entry::Column::AuthorId
                    .ne(id)
                    .or(entry::Column::AuthorId.is_null()),
                None => entry::Column::AuthorId.is_not_null(),
            })
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Sets an entry's gallery (item ids in order), leaving its version and
    /// history as they are. Returns whether anything changed.
    pub async fn set_entry_gallery(&self, entry_id: i32, ids: &[i32]) -> Result<bool> {
        let text = crate::gallery_text(ids);
        let result = entry::Entity::update_many()
            .col_expr(entry::Column::Gallery, Expr::value(text.clone()))
            .filter(entry::Column::Id.eq(entry_id))
            .filter(entry::Column::Gallery.ne(text))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Adds or replaces old addresses of a site. Returns how many rows
    /// were new or changed.
    pub async fn upsert_redirects(&self, site_id: i32, pairs: &[(String, String)]) -> Result<u64> {
        if pairs.is_empty() {
            return Ok(0);
        }
        let known: HashMap<String, String> = redirect::Entity::find()
            .filter(redirect::Column::SiteId.eq(site_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.old_path, r.new_path))
            .collect();
        let stamp = now();
        let fresh: Vec<redirect::ActiveModel> = pairs
            .iter()
            .filter(|(old, new)| known.get(old) != Some(new))
            .map(|(old, new)| redirect::ActiveModel {
                site_id: Set(site_id),
                old_path: Set(old.clone()),
                new_path: Set(new.clone()),
                created_at: Set(stamp),
                ..Default::default()
            })
            .collect();
        let count = fresh.len() as u64;
        // A few hundred rows per statement keeps under SQLite's limit on
        // bound parameters.
        let mut rows = fresh.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<redirect::ActiveModel> = rows.by_ref().take(200).collect();
            redirect::Entity::insert_many(chunk)
                .on_conflict(
                    OnConflict::columns([redirect::Column::SiteId, redirect::Column::OldPath])
                        .update_column(redirect::Column::NewPath)
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(count)
    }

    /// Where an old address of a site now lives, if it is one.
    pub async fn redirect_for(&self, site_id: i32, old_path: &str) -> Result<Option<String>> {
        Ok(redirect::Entity::find()
            .select_only()
            .column(redirect::Column::NewPath)
            .filter(redirect::Column::SiteId.eq(site_id))
            .filter(redirect::Column::OldPath.eq(old_path))
            .into_tuple::<String>()
            .one(&self.db)
            .await?)
    }

    /// Every old address of a site and its new path.
    pub async fn redirects_of(&self, site_id: i32) -> Result<Vec<(String, String)>> {
        Ok(redirect::Entity::find()
            .select_only()
            .columns([redirect::Column::OldPath, redirect::Column::NewPath])
            .filter(redirect::Column::SiteId.eq(site_id))
            .into_tuple::<(String, String)>()
            .all(&self.db)
            .await?)
    }

    /// How many old addresses a site answers.
    pub async fn count_redirects(&self, site_id: i32) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(redirect::Entity::find()
            .filter(redirect::Column::SiteId.eq(site_id))
            .count(&self.db)
            .await?)
    }
}

//! The editorial side of entries: saving with optimistic locking, workflow
//! transitions as compare-and-set updates, scheduled publication claimed
//! exactly once, soft deletion, and the lists editors work from.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::Value as Json;
use time::OffsetDateTime;

use crate::entities::{
    entry, entry_programme, entry_tag, pending_change, revision, workflow_event,
};
use crate::entries::{replace_link_ids, Page};
use crate::index_log::note_entry_change;
use crate::media::{gallery_text, CoverEdit};
use crate::outbox::queue_mails;
use crate::{now, EntryRow, Result, RevisionRow, Store, StoreError, WorkflowEventRow};

/// What an editor changes when saving an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryEdit {
    pub slug: String,
    pub locale: String,
    pub translation_key: Option<String>,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub category_id: Option<i32>,
    pub fields: Json,
    pub tag_ids: Vec<i32>,
    pub programme_ids: Vec<i32>,
    /// The cover from the media library; `None` leaves it as it is.
    pub cover: Option<CoverEdit>,
    /// The gallery's item ids, in order; `None` leaves it as it is.
    pub gallery: Option<Vec<i32>>,
}

/// Who publishes a pending change, with what words and mails.
#[derive(Debug, Clone, Copy)]
pub struct ChangePublication<'a> {
    /// The change's id and the version the publisher saw.
    pub change_id: i32,
    pub change_version: i32,
    /// Who wrote it: the author of the revision it becomes.
    pub author_id: Option<i32>,
    pub publisher_id: Option<i32>,
    pub comment: &'a str,
    pub mails: &'a [crate::NewMail],
}

/// What a save writes beside the entry, in its transaction.
#[derive(Default)]
struct SaveExtras<'a> {
    revision_author: Option<i32>,
    event_actor: Option<i32>,
    /// A workflow event (action, comment) to record with the save.
    note: Option<(&'a str, &'a str)>,
    /// A pending change (id, version) the save publishes, dropped with it.
    drop_change: Option<(i32, i32)>,
    mails: &'a [crate::NewMail],
}

/// What a save or a transition found.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done(EntryRow),
    /// Nothing to save: the entry already holds this.
    Unchanged(EntryRow),
    /// Someone changed the entry since the caller read it: here it is now.
    Stale(EntryRow),
}

/// A change of workflow state.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub action: String,
    pub from: String,
    pub to: String,
    /// `Some(x)`: set `published_at` to x; `None`: leave it.
    pub published_at: Option<Option<OffsetDateTime>>,
    pub scheduled_at: Option<Option<OffsetDateTime>>,
    pub comment: String,
    pub actor_id: Option<i32>,
    /// The version the actor saw, when they saw one.
    pub expected_version: Option<i32>,
    /// Messages the step sends (notices to reviewers, to the author):
    /// queued in the same transaction, so a step and its mail are one.
    pub mails: Vec<crate::NewMail>,
}

/// A filter over entries for editors.
#[derive(Debug, Clone, Default)]
pub struct AdminQuery {
    pub site_ids: Vec<i32>,
    pub statuses: Vec<String>,
    pub kind: Option<String>,
    pub author_id: Option<i32>,
    pub deleted: bool,
    /// Only approved entries waiting for their publication time.
    pub scheduled: bool,
    /// Only entries in this language (`ar`, `fr`).
    pub locale: Option<String>,
}

/// An entry as the editors' lists show it.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct AdminEntry {
    pub id: i32,
    pub site_id: i32,
    pub kind: String,
    pub locale: String,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub author_id: Option<i32>,
    pub version: i32,
    pub published_at: Option<OffsetDateTime>,
    pub scheduled_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

/// A workflow event with the entry it belongs to, for activity lists.
#[derive(Debug, Clone)]
pub struct Activity {
    pub event: WorkflowEventRow,
    pub entry_title: String,
    pub site_id: i32,
}

fn admin_condition(query: &AdminQuery) -> Condition {
    let mut cond =
        Condition::all().add(entry::Column::SiteId.is_in(query.site_ids.iter().copied()));
    cond = if query.deleted {
        cond.add(entry::Column::DeletedAt.is_not_null())
    } else {
        cond.add(entry::Column::DeletedAt.is_null())
    };
    if !query.statuses.is_empty() {
        cond = cond.add(entry::Column::Status.is_in(query.statuses.iter().map(String::as_str)));
    }
    if let Some(kind) = &query.kind {
        cond = cond.add(entry::Column::Kind.eq(kind.as_str()));
    }
    if let Some(author) = query.author_id {
        cond = cond.add(entry::Column::AuthorId.eq(author));
    }
    if query.scheduled {
        cond = cond.add(entry::Column::ScheduledAt.is_not_null());
    }
    if let Some(locale) = &query.locale {
        cond = cond.add(entry::Column::Locale.eq(locale.as_str()));
    }
    cond
}

fn same_content(row: &EntryRow, edit: &EntryEdit) -> bool {
    edit.cover.as_ref().is_none_or(|c| c.is_on(row))
        && edit
            .gallery
            .as_ref()
            .is_none_or(|g| gallery_text(g) == row.gallery)
        && row.slug == edit.slug
        && row.locale == edit.locale
        && row.translation_key == edit.translation_key
        && row.title == edit.title
        && row.summary == edit.summary
        && row.body_md == edit.body_md
        && row.category_id == edit.category_id
        && row.fields == edit.fields
}

impl Store {
    /// An entry by id, deleted or not.
    pub async fn entry_any(&self, id: i32) -> Result<Option<EntryRow>> {
        Ok(entry::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Whether the site has an entry (live or deleted) with this slug,
    /// other than `except`.
    pub async fn slug_taken(&self, site_id: i32, slug: &str, except: Option<i32>) -> Result<bool> {
        let mut query = entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::Slug.eq(slug));
        if let Some(id) = except {
            query = query.filter(entry::Column::Id.ne(id));
        }
        Ok(query.count(&self.db).await? > 0)
    }

    /// Creates a draft with its first revision and a `create` event.
    pub async fn create_entry(
        &self,
        site_id: i32,
        kind: &str,
        edit: &EntryEdit,
        author_id: Option<i32>,
    ) -> Result<EntryRow> {
        let txn = self.db.begin().await?;
        let stamp = now();
        let row = entry::ActiveModel {
            site_id: Set(site_id),
            kind: Set(kind.to_owned()),
            locale: Set(edit.locale.clone()),
            translation_key: Set(edit.translation_key.clone()),
            slug: Set(edit.slug.clone()),
            title: Set(edit.title.clone()),
            summary: Set(edit.summary.clone()),
            body_md: Set(edit.body_md.clone()),
            body_html: Set(edit.body_html.clone()),
            cover_url: Set(edit.cover.as_ref().and_then(|c| c.url.clone())),
            cover_alt: Set(edit
                .cover
                .as_ref()
                .map(|c| c.alt.clone())
                .unwrap_or_default()),
            cover_media_id: Set(edit.cover.as_ref().and_then(|c| c.media_id)),
            cover_image: Set(edit.cover.as_ref().and_then(|c| c.image.clone())),
            gallery: Set(edit
                .gallery
                .as_deref()
                .map(gallery_text)
                .unwrap_or_default()),
            category_id: Set(edit.category_id),
            fields: Set(edit.fields.clone()),
            status: Set("draft".to_owned()),
            published_at: Set(None),
            scheduled_at: Set(None),
            author_id: Set(author_id),
            version: Set(1),
            featured: Set(false),
            featured_on_parent: Set(false),
            menu_order: Set(None),
            created_at: Set(stamp),
            updated_at: Set(stamp),
            deleted_at: Set(None),
            deleted_by: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        insert_revision(&txn, &row, author_id).await?;
        insert_event(
            &txn,
            row.id,
            "create",
            None,
            "draft",
            author_id,
            "",
            Some(1),
        )
        .await?;
        replace_link_ids(&txn, row.id, &edit.tag_ids, &edit.programme_ids).await?;
        note_entry_change(&txn, row.id).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Saves an edit of the entry if it is still at `expected_version`:
    /// the version goes up by one and a revision is written, in one
    /// transaction. A save that changes nothing writes nothing.
    pub async fn save_entry(
        &self,
        id: i32,
        expected_version: i32,
        edit: &EntryEdit,
        actor_id: Option<i32>,
        note: Option<(&str, &str)>,
    ) -> Result<Outcome> {
        let extras = SaveExtras {
            revision_author: actor_id,
            event_actor: actor_id,
            note,
            ..SaveExtras::default()
        };
        self.save_entry_with(id, expected_version, edit, extras)
            .await
    }

    /// Publishes a pending change: its content replaces the live text (a
    /// revision by the change's author, an event by the publisher) and the
    /// change is gone, in one transaction. The change must still be at
    /// `change_version`, else nothing is written and the answer is
    /// `Conflict`.
    pub async fn publish_pending_change(
        &self,
        id: i32,
        expected_version: i32,
        edit: &EntryEdit,
        publication: ChangePublication<'_>,
    ) -> Result<Outcome> {
        let extras = SaveExtras {
            revision_author: publication.author_id,
            event_actor: publication.publisher_id,
            note: Some(("change_publish", publication.comment)),
            drop_change: Some((publication.change_id, publication.change_version)),
            mails: publication.mails,
        };
        self.save_entry_with(id, expected_version, edit, extras)
            .await
    }

    async fn save_entry_with(
        &self,
        id: i32,
        expected_version: i32,
        edit: &EntryEdit,
        extras: SaveExtras<'_>,
    ) -> Result<Outcome> {
        // Read before the transaction: on SQLite a transaction that reads
        // and then writes fails outright ("busy snapshot") when another
        // writer committed in between; the update below checks the version
        // again anyway.
        let row = entry::Entity::find_by_id(id)
            .filter(entry::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        if row.version != expected_version {
            return Ok(Outcome::Stale(row));
        }
        let links = link_ids(&self.db, id).await?;
        let unchanged = same_content(&row, edit)
            && links == (sorted(&edit.tag_ids), sorted(&edit.programme_ids));
        if unchanged && extras.drop_change.is_none() {
            return Ok(Outcome::Unchanged(row));
        }
        let txn = self.db.begin().await?;
        if let Some((change_id, change_version)) = extras.drop_change {
            let dropped = pending_change::Entity::delete_many()
                .filter(pending_change::Column::Id.eq(change_id))
                .filter(pending_change::Column::Version.eq(change_version))
                .exec(&txn)
                .await?;
            if dropped.rows_affected == 0 {
                drop(txn);
                return Err(StoreError::Conflict(
                    "the pending change was changed or is gone".into(),
                ));
            }
        }
        if unchanged {
            // The change held what the page already says: it is gone, and
            // the history says it was published.
            if let Some((action, comment)) = extras.note {
                insert_event(
                    &txn,
                    id,
                    action,
                    Some(&row.status),
                    &row.status,
                    extras.event_actor,
                    comment,
                    Some(row.version),
                )
                .await?;
            }
            queue_mails(&txn, extras.mails).await?;
            txn.commit().await?;
            return Ok(Outcome::Unchanged(row));
        }
        let stamp = now();
        let mut update = entry::Entity::update_many();
        if let Some(cover) = &edit.cover {
            update = cover.apply(update);
        }
        if let Some(gallery) = &edit.gallery {
            update = update.col_expr(entry::Column::Gallery, Expr::value(gallery_text(gallery)));
        }
        let updated = update
            .col_expr(entry::Column::Slug, Expr::value(edit.slug.clone()))
            .col_expr(entry::Column::Locale, Expr::value(edit.locale.clone()))
            .col_expr(
                entry::Column::TranslationKey,
                Expr::value(edit.translation_key.clone()),
            )
            .col_expr(entry::Column::Title, Expr::value(edit.title.clone()))
            .col_expr(entry::Column::Summary, Expr::value(edit.summary.clone()))
            .col_expr(entry::Column::BodyMd, Expr::value(edit.body_md.clone()))
            .col_expr(entry::Column::BodyHtml, Expr::value(edit.body_html.clone()))
            .col_expr(entry::Column::CategoryId, Expr::value(edit.category_id))
            .col_expr(entry::Column::Fields, Expr::value(edit.fields.clone()))
            .col_expr(entry::Column::Version, Expr::value(expected_version + 1))
            .col_expr(entry::Column::UpdatedAt, Expr::value(stamp))
            .filter(entry::Column::Id.eq(id))
            .filter(entry::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            drop(txn);
            let current = self
                .entry_any(id)
                .await?
                .ok_or(StoreError::NotFound("entry"))?;
            return Ok(Outcome::Stale(current));
        }
        let row = entry::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        insert_revision(&txn, &row, extras.revision_author).await?;
        replace_link_ids(&txn, id, &edit.tag_ids, &edit.programme_ids).await?;
        note_entry_change(&txn, id).await?;
        if let Some((action, comment)) = extras.note {
            insert_event(
                &txn,
                id,
                action,
                Some(&row.status),
                &row.status,
                extras.event_actor,
                comment,
                Some(row.version),
            )
            .await?;
        }
        queue_mails(&txn, extras.mails).await?;
        txn.commit().await?;
        Ok(Outcome::Done(row))
    }

    /// Moves the entry from `change.from` to `change.to` if it is still
    /// there (and at the expected version), with its workflow event, in one
    /// transaction. Two reviewers clicking at once: one wins, the other
    /// gets `Stale`.
    pub async fn transition_entry(&self, id: i32, change: &StatusChange) -> Result<Outcome> {
        let txn = self.db.begin().await?;
        let mut update = entry::Entity::update_many()
            .col_expr(entry::Column::Status, Expr::value(change.to.clone()))
            .col_expr(entry::Column::UpdatedAt, Expr::value(now()))
            .filter(entry::Column::Id.eq(id))
            .filter(entry::Column::Status.eq(change.from.as_str()))
            .filter(entry::Column::DeletedAt.is_null());
        if let Some(published_at) = change.published_at {
            update = update.col_expr(entry::Column::PublishedAt, Expr::value(published_at));
        }
        if let Some(scheduled_at) = change.scheduled_at {
            update = update.col_expr(entry::Column::ScheduledAt, Expr::value(scheduled_at));
        }
        if let Some(version) = change.expected_version {
            update = update.filter(entry::Column::Version.eq(version));
        }
        let updated = update.exec(&txn).await?;
        if updated.rows_affected == 0 {
            drop(txn);
            let current = self
                .entry_any(id)
                .await?
                .ok_or(StoreError::NotFound("entry"))?;
            return Ok(Outcome::Stale(current));
        }
        let row = entry::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        insert_event(
            &txn,
            id,
            &change.action,
            Some(&change.from),
            &change.to,
            change.actor_id,
            &change.comment,
            Some(row.version),
        )
        .await?;
        note_entry_change(&txn, id).await?;
        queue_mails(&txn, &change.mails).await?;
        txn.commit().await?;
        Ok(Outcome::Done(row))
    }

    /// Approved entries whose scheduled time has come.
    pub async fn due_for_publication(&self, at: OffsetDateTime) -> Result<Vec<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::Status.eq("approved"))
            .filter(entry::Column::ScheduledAt.lte(at))
            .filter(entry::Column::DeletedAt.is_null())
            .order_by_asc(entry::Column::ScheduledAt)
            .limit(100)
            .all(&self.db)
            .await?)
    }

    /// Publishes a scheduled entry if no one else (another node, an
    /// unpublish) got there first: the status and the schedule are checked
    /// in the same update that changes them, so it happens exactly once.
    pub async fn publish_scheduled(
        &self,
        row: &EntryRow,
        mails: &[crate::NewMail],
    ) -> Result<Option<EntryRow>> {
        let Some(at) = row.scheduled_at else {
            return Ok(None);
        };
        let change = StatusChange {
            action: "publish".to_owned(),
            from: "approved".to_owned(),
            to: "published".to_owned(),
            published_at: Some(Some(at)),
            scheduled_at: Some(None),
            comment: String::new(),
            actor_id: None,
            expected_version: None,
            mails: Vec::new(),
        };
        let txn = self.db.begin().await?;
        let claimed = entry::Entity::update_many()
            .col_expr(entry::Column::Status, Expr::value("published"))
            .col_expr(entry::Column::PublishedAt, Expr::value(Some(at)))
            .col_expr(
                entry::Column::ScheduledAt,
                Expr::value(None::<OffsetDateTime>),
            )
            .col_expr(entry::Column::UpdatedAt, Expr::value(now()))
            .filter(entry::Column::Id.eq(row.id))
            .filter(entry::Column::Status.eq("approved"))
            .filter(entry::Column::ScheduledAt.eq(at))
            .filter(entry::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(None);
        }
        // Who approved it is the actor the history shows for the schedule.
        let scheduler = workflow_event::Entity::find()
            .filter(workflow_event::Column::EntryId.eq(row.id))
            .filter(workflow_event::Column::Action.eq("schedule"))
            .order_by_desc(workflow_event::Column::Id)
            .one(&txn)
            .await?
            .and_then(|e| e.actor_id);
        insert_event(
            &txn,
            row.id,
            &change.action,
            Some(&change.from),
            &change.to,
            scheduler,
            "",
            Some(row.version),
        )
        .await?;
        let published = entry::Entity::find_by_id(row.id).one(&txn).await?;
        note_entry_change(&txn, row.id).await?;
        queue_mails(&txn, mails).await?;
        txn.commit().await?;
        Ok(published)
    }

    /// Soft-deletes (or brings back) an entry, with its workflow event.
    pub async fn set_entry_deleted(
        &self,
        id: i32,
        deleted: bool,
        actor_id: Option<i32>,
    ) -> Result<Option<EntryRow>> {
        let txn = self.db.begin().await?;
        let stamp = now();
        let mut update = entry::Entity::update_many()
            .col_expr(entry::Column::UpdatedAt, Expr::value(stamp))
            .filter(entry::Column::Id.eq(id));
        update = if deleted {
            update
                .col_expr(entry::Column::DeletedAt, Expr::value(Some(stamp)))
                .col_expr(entry::Column::DeletedBy, Expr::value(actor_id))
                .filter(entry::Column::DeletedAt.is_null())
        } else {
            update
                .col_expr(
                    entry::Column::DeletedAt,
                    Expr::value(None::<OffsetDateTime>),
                )
                .col_expr(entry::Column::DeletedBy, Expr::value(None::<i32>))
                .filter(entry::Column::DeletedAt.is_not_null())
        };
        if update.exec(&txn).await?.rows_affected == 0 {
            return Ok(None);
        }
        let row = entry::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        let action = if deleted { "delete" } else { "undelete" };
        insert_event(
            &txn,
            id,
            action,
            Some(&row.status),
            &row.status,
            actor_id,
            "",
            Some(row.version),
        )
        .await?;
        note_entry_change(&txn, id).await?;
        txn.commit().await?;
        Ok(Some(row))
    }

    /// Shows (or stops showing) a published entry on its parent site.
    pub async fn set_featured_on_parent(
        &self,
        id: i32,
        on: bool,
        actor_id: Option<i32>,
    ) -> Result<Option<EntryRow>> {
        let txn = self.db.begin().await?;
        let updated = entry::Entity::update_many()
            .col_expr(entry::Column::FeaturedOnParent, Expr::value(on))
            .col_expr(entry::Column::UpdatedAt, Expr::value(now()))
            .filter(entry::Column::Id.eq(id))
            .filter(entry::Column::DeletedAt.is_null())
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Ok(None);
        }
        let row = entry::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        let action = if on { "feature" } else { "unfeature" };
        insert_event(
            &txn,
            id,
            action,
            Some(&row.status),
            &row.status,
            actor_id,
            "",
            Some(row.version),
        )
        .await?;
        note_entry_change(&txn, id).await?;
        txn.commit().await?;
        Ok(Some(row))
    }

    /// The workflow events of an entry, newest first.
    pub async fn workflow_events(&self, entry_id: i32) -> Result<Vec<WorkflowEventRow>> {
        Ok(workflow_event::Entity::find()
            .filter(workflow_event::Column::EntryId.eq(entry_id))
            .order_by_desc(workflow_event::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn revision(&self, entry_id: i32, version: i32) -> Result<Option<RevisionRow>> {
        Ok(revision::Entity::find()
            .filter(revision::Column::EntryId.eq(entry_id))
            .filter(revision::Column::Version.eq(version))
            .one(&self.db)
            .await?)
    }

    /// Entries for editors' lists, most recently changed first.
    pub async fn admin_entries(
        &self,
        query: &AdminQuery,
        page: u64,
        per_page: u64,
    ) -> Result<Page<AdminEntry>> {
        let condition = admin_condition(query);
        let total = entry::Entity::find()
            .filter(condition.clone())
            .count(&self.db)
            .await?;
        use entry::Column as C;
        let mut select = entry::Entity::find()
            .select_only()
            .columns([
                C::Id,
                C::SiteId,
                C::Kind,
                C::Locale,
                C::Slug,
                C::Title,
                C::Status,
                C::AuthorId,
                C::Version,
                C::PublishedAt,
                C::ScheduledAt,
                C::UpdatedAt,
                C::DeletedAt,
            ])
            .filter(condition);
        select = if query.scheduled {
            select.order_by_asc(C::ScheduledAt)
        } else if query.statuses == ["published"] {
            select.order_by_desc(C::PublishedAt)
        } else {
            select.order_by_desc(C::UpdatedAt)
        };
        let items = select
            .order_by_desc(C::Id)
            .offset(crate::page_offset(page, per_page))
            .limit(per_page)
            .into_model::<AdminEntry>()
            .all(&self.db)
            .await?;
        Ok(Page { items, total })
    }

    /// Live entries by id, as the editors' lists show them, in no set order.
    pub async fn admin_entries_by_ids(&self, ids: &[i32]) -> Result<Vec<AdminEntry>> {
        use entry::Column as C;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(entry::Entity::find()
            .select_only()
            .columns([
                C::Id,
                C::SiteId,
                C::Kind,
                C::Locale,
                C::Slug,
                C::Title,
                C::Status,
                C::AuthorId,
                C::Version,
                C::PublishedAt,
                C::ScheduledAt,
                C::UpdatedAt,
                C::DeletedAt,
            ])
            .filter(C::Id.is_in(ids.iter().copied()))
            .filter(C::DeletedAt.is_null())
            .into_model::<AdminEntry>()
            .all(&self.db)
            .await?)
    }

    /// The newest workflow events on entries of some sites.
    pub async fn recent_activity(&self, site_ids: &[i32], limit: u64) -> Result<Vec<Activity>> {
        let events = workflow_event::Entity::find()
            .filter(
                workflow_event::Column::EntryId.in_subquery(
                    Query::select()
                        .column(entry::Column::Id)
                        .from(entry::Entity)
                        .and_where(entry::Column::SiteId.is_in(site_ids.iter().copied()))
                        .to_owned(),
                ),
            )
            .order_by_desc(workflow_event::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids: Vec<i32> = events.iter().map(|e| e.entry_id).collect();
        let entries = entry::Entity::find()
            .select_only()
            .columns([
                entry::Column::Id,
                entry::Column::Title,
                entry::Column::SiteId,
            ])
            .filter(entry::Column::Id.is_in(ids))
            .into_tuple::<(i32, String, i32)>()
            .all(&self.db)
            .await?;
        Ok(events
            .into_iter()
            .filter_map(|event| {
                let (_, title, site_id) =
                    entries.iter().find(|(id, _, _)| *id == event.entry_id)?;
                Some(Activity {
                    entry_title: title.clone(),
                    site_id: *site_id,
                    event,
                })
            })
            .collect())
    }

    /// Links an entry into a group of translations.
    pub async fn set_translation_key(&self, id: i32, key: &str) -> Result<()> {
        entry::Entity::update_many()
            .col_expr(entry::Column::TranslationKey, Expr::value(key))
            .filter(entry::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Tag ids by name, creating the tags that do not exist yet.
    pub async fn tag_ids_for(&self, names: &[(String, String)]) -> Result<Vec<i32>> {
        use crate::entities::tag;
        let mut ids = Vec::with_capacity(names.len());
        for (slug, name) in names {
            let existing = tag::Entity::find()
                .filter(tag::Column::Slug.eq(slug.as_str()))
                .one(&self.db)
                .await?;
            let id = match existing {
                Some(row) => row.id,
                None => {
                    let inserted = tag::ActiveModel {
                        slug: Set(slug.clone()),
                        name: Set(name.clone()),
                        ..Default::default()
                    }
                    .insert(&self.db)
                    .await;
                    match inserted.map_err(StoreError::from) {
                        Ok(row) => row.id,
                        // Created meanwhile by someone else: take theirs.
                        Err(StoreError::Conflict(_)) => tag::Entity::find()
                            .filter(tag::Column::Slug.eq(slug.as_str()))
                            .one(&self.db)
                            .await?
                            .map(|r| r.id)
                            .ok_or(StoreError::NotFound("tag"))?,
                        Err(e) => return Err(e),
                    }
                }
            };
            ids.push(id);
        }
        Ok(ids)
    }
}

async fn link_ids(txn: &impl ConnectionTrait, entry_id: i32) -> Result<(Vec<i32>, Vec<i32>)> {
    let tags = entry_tag::Entity::find()
        .filter(entry_tag::Column::EntryId.eq(entry_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| l.tag_id)
        .collect::<Vec<_>>();
    let programmes = entry_programme::Entity::find()
        .filter(entry_programme::Column::EntryId.eq(entry_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| l.programme_id)
        .collect::<Vec<_>>();
    Ok((sorted(&tags), sorted(&programmes)))
}

fn sorted(ids: &[i32]) -> Vec<i32> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

pub(crate) async fn insert_revision(
    txn: &DatabaseTransaction,
    row: &EntryRow,
    author_id: Option<i32>,
) -> Result<()> {
    revision::ActiveModel {
        entry_id: Set(row.id),
        version: Set(row.version),
        title: Set(row.title.clone()),
        summary: Set(row.summary.clone()),
        body_md: Set(row.body_md.clone()),
        fields: Set(row.fields.clone()),
        cover_media_id: Set(row.cover_media_id),
        gallery: Set(Some(row.gallery.clone())),
        author_id: Set(author_id),
        created_at: Set(row.updated_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[allow(
    clippy::too_many_arguments,
    reason = "one row of the audit trail, field by field"
)]
pub(crate) async fn insert_event(
    txn: &DatabaseTransaction,
    entry_id: i32,
    action: &str,
    from: Option<&str>,
    to: &str,
    actor_id: Option<i32>,
    comment: &str,
    version: Option<i32>,
) -> Result<()> {
    workflow_event::ActiveModel {
        entry_id: Set(entry_id),
        action: Set(action.to_owned()),
        from_status: Set(from.map(str::to_owned)),
        to_status: Set(to.to_owned()),
        actor_id: Set(actor_id),
        comment: Set(comment.to_owned()),
        created_at: Set(now()),
        version: Set(version),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

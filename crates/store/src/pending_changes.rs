//! Pending changes of published entries (migration
//! `m20261203_300001_pending_changes`): written, sent to review, sent back
//! or discarded here; published through `Store::publish_pending_change`,
//! which replaces the live text in the same transaction.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::Value as Json;
use time::OffsetDateTime;

use crate::editorial::insert_event;
use crate::entities::{entry, pending_change};
use crate::outbox::queue_mails;
use crate::{now, NewMail, PendingChangeRow, Result, Store, StoreError};

/// A step of a pending change other than its publication.
#[derive(Debug, Clone)]
pub struct ChangeStep {
    /// The change as the actor saw it.
    pub change_id: i32,
    pub version: i32,
    /// `None`: the change is gone (discarded).
    pub to: Option<String>,
    /// The entry's history: this event, by this actor, with these words.
    pub event: String,
    pub actor_id: Option<i32>,
    pub comment: String,
    pub mails: Vec<NewMail>,
}

impl Store {
    /// The pending change of an entry, if it has one.
    pub async fn pending_change(&self, entry_id: i32) -> Result<Option<PendingChangeRow>> {
        Ok(pending_change::Entity::find()
            .filter(pending_change::Column::EntryId.eq(entry_id))
            .one(&self.db)
            .await?)
    }

    /// Pending changes waiting for review on these sites, oldest first.
    pub async fn changes_in_review(
        &self,
        site_ids: &[i32],
    ) -> Result<Vec<(PendingChangeRow, crate::EntryRow)>> {
        let changes = pending_change::Entity::find()
            .filter(pending_change::Column::Status.eq("in_review"))
            .order_by_asc(pending_change::Column::SubmittedAt)
            .all(&self.db)
            .await?;
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let entries = entry::Entity::find()
            .filter(entry::Column::Id.is_in(changes.iter().map(|c| c.entry_id)))
            .filter(entry::Column::SiteId.is_in(site_ids.iter().copied()))
            .filter(entry::Column::DeletedAt.is_null())
            .all(&self.db)
            .await?;
        Ok(changes
            .into_iter()
            .filter_map(|change| {
                let entry = entries.iter().find(|e| e.id == change.entry_id)?.clone();
                Some((change, entry))
            })
            .collect())
    }

    /// Starts the entry's pending change (`expected` is `None`) or saves
    /// it at the version the writer saw. Two people starting one at once:
    /// the second is told, as with any stale save.
    pub async fn save_pending_change(
        &self,
        entry_id: i32,
        expected: Option<i32>,
        author_id: Option<i32>,
        base_version: i32,
        content: Json,
    ) -> Result<PendingChangeRow> {
        let stamp = now();
        match expected {
            None => {
                let row = pending_change::ActiveModel {
                    entry_id: Set(entry_id),
                    author_id: Set(author_id),
                    status: Set("draft".to_owned()),
                    base_version: Set(base_version),
                    version: Set(1),
                    content: Set(content),
                    comment: Set(String::new()),
                    created_at: Set(stamp),
                    updated_at: Set(stamp),
                    submitted_at: Set(None),
                    ..Default::default()
                }
                .insert(&self.db)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => {
                        StoreError::Conflict("someone else started a change of this entry".into())
                    }
                    other => other,
                })?;
                Ok(row)
            }
            Some(version) => {
                let updated = pending_change::Entity::update_many()
                    .col_expr(pending_change::Column::Content, Expr::value(content))
                    .col_expr(pending_change::Column::Version, Expr::value(version + 1))
                    .col_expr(pending_change::Column::UpdatedAt, Expr::value(stamp))
                    .filter(pending_change::Column::EntryId.eq(entry_id))
                    .filter(pending_change::Column::Version.eq(version))
                    .exec(&self.db)
                    .await?;
                if updated.rows_affected == 0 {
                    return Err(StoreError::Conflict(
                        "the change was saved by someone else, or is gone".into(),
                    ));
                }
                self.pending_change(entry_id)
                    .await?
                    .ok_or(StoreError::NotFound("pending change"))
            }
        }
    }

    /// Takes a step (submit, send back, discard) of the change if it is
    /// still at the version the actor saw, with its event in the entry's
    /// history and its mails, in one transaction.
    pub async fn step_pending_change(
        &self,
        entry_id: i32,
        entry_status: &str,
        step: &ChangeStep,
    ) -> Result<Option<PendingChangeRow>> {
        let txn = self.db.begin().await?;
        let touched = match &step.to {
            Some(status) => {
                let submitted_at: Option<OffsetDateTime> = (status == "in_review").then(now);
                let mut update = pending_change::Entity::update_many()
                    .col_expr(pending_change::Column::Status, Expr::value(status.clone()))
                    .col_expr(
                        pending_change::Column::Version,
                        Expr::value(step.version + 1),
                    )
                    .col_expr(pending_change::Column::UpdatedAt, Expr::value(now()));
                if let Some(at) = submitted_at {
                    update = update.col_expr(pending_change::Column::SubmittedAt, Expr::value(at));
                }
                if step.event == "change_send_back" {
                    update = update.col_expr(
                        pending_change::Column::Comment,
                        Expr::value(step.comment.clone()),
                    );
                }
                update
                    .filter(pending_change::Column::Id.eq(step.change_id))
                    .filter(pending_change::Column::Version.eq(step.version))
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
            None => {
                pending_change::Entity::delete_many()
                    .filter(pending_change::Column::Id.eq(step.change_id))
                    .filter(pending_change::Column::Version.eq(step.version))
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
        };
        if touched == 0 {
            drop(txn);
            return Err(StoreError::Conflict(
                "the change was changed by someone else, or is gone".into(),
            ));
        }
        insert_event(
            &txn,
            entry_id,
            &step.event,
            Some(entry_status),
            entry_status,
            step.actor_id,
            &step.comment,
            None,
        )
        .await?;
        queue_mails(&txn, &step.mails).await?;
        let after = pending_change::Entity::find_by_id(step.change_id)
            .one(&txn)
            .await?;
        txn.commit().await?;
        Ok(after)
    }
}

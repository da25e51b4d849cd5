//! The follow-up of training recommendations: keeping the records of a
//! published report matched to its lines, listing them with filters,
//! changing one with its history, and the one reminder of an overdue one.
//!
//! Records are matched to the report's lines by their text. A line added to
//! the published report gets a new record; a line taken out keeps its
//! record and history, marked `in_report = false`; a line put back (the
//! same text) finds its record again. Rewording a line is, to the records,
//! taking one out and adding another: the old follow-up stays readable.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::entities::{entry, entry_programme, programme, recommendation, recommendation_event};
use crate::outbox::queue_mails;
use crate::{now, NewMail, Result, Store};

pub type RecommendationRow = recommendation::Model;
pub type RecommendationEventRow = recommendation_event::Model;

/// One field's change, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Which records a list shows. Empty filters let everything through.
#[derive(Debug, Clone, Default)]
pub struct RecommendationQuery {
    pub site_ids: Vec<i32>,
    pub status: Option<String>,
    /// The slug of a programme the report belongs to.
    pub programme: Option<String>,
    pub owner_user_id: Option<i32>,
    /// Part of a service's name.
    pub owner_service: Option<String>,
    /// Only those late on this day: due before it, neither done nor dropped.
    pub overdue_on: Option<Date>,
    /// Also the records of lines taken out of their report.
    pub with_removed: bool,
}

/// A follow-up to write, whole (the caller has checked it).
#[derive(Debug, Clone)]
pub struct RecommendationWrite {
    pub status: String,
    pub owner_user_id: Option<i32>,
    pub owner_service: String,
    pub due_on: Option<Date>,
    pub note: String,
}

const CLOSED: [&str; 2] = ["done", "dropped"];

async fn record_event(
    db: &impl ConnectionTrait,
    recommendation_id: i32,
    actor_id: Option<i32>,
    at: OffsetDateTime,
    changes: &[FieldChange],
) -> Result<()> {
    let changes = serde_json::to_string(changes).unwrap_or_else(|_| "[]".to_owned());
    recommendation_event::ActiveModel {
        recommendation_id: Set(recommendation_id),
        actor_id: Set(actor_id),
        at: Set(at),
        changes: Set(changes),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

fn change(field: &str, before: impl Into<String>, after: impl Into<String>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: before.into(),
        after: after.into(),
    }
}

fn day(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

impl Store {
    /// Makes the records of a published report match its `lines` (see the
    /// module's note). Returns how many records were created.
    pub async fn sync_recommendations(
        &self,
        entry_id: i32,
        site_id: i32,
        lines: &[String],
    ) -> Result<usize> {
        let txn = self.db.begin().await?;
        let stamp = now();
        let mut existing: Vec<RecommendationRow> = recommendation::Entity::find()
            .filter(recommendation::Column::EntryId.eq(entry_id))
            .order_by_asc(recommendation::Column::Id)
            .all(&txn)
            .await?;
        let mut created = 0;
        for (position, line) in lines.iter().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            if let Some(at) = existing.iter().position(|r| r.text == line) {
                let row = existing.swap_remove(at);
                if row.in_report && row.position == position && row.site_id == site_id {
                    continue;
                }
                let back = !row.in_report;
                let id = row.id;
                let mut active: recommendation::ActiveModel = row.into();
                active.position = Set(position);
                active.in_report = Set(true);
                active.site_id = Set(site_id);
                active.updated_at = Set(stamp);
                active.update(&txn).await?;
                if back {
                    record_event(&txn, id, None, stamp, &[change("in_report", "no", "yes")])
                        .await?;
                }
            } else {
                let row = recommendation::ActiveModel {
                    entry_id: Set(entry_id),
                    site_id: Set(site_id),
                    position: Set(position),
                    text: Set(line.to_owned()),
                    status: Set("open".to_owned()),
                    owner_user_id: Set(None),
                    owner_service: Set(String::new()),
                    due_on: Set(None),
                    note: Set(String::new()),
                    in_report: Set(true),
                    reminded_at: Set(None),
                    created_at: Set(stamp),
                    updated_at: Set(stamp),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                record_event(&txn, row.id, None, stamp, &[change("status", "", "open")]).await?;
                created += 1;
            }
        }
        for gone in existing.into_iter().filter(|r| r.in_report) {
            let id = gone.id;
            let mut active: recommendation::ActiveModel = gone.into();
            active.in_report = Set(false);
            active.updated_at = Set(stamp);
            active.update(&txn).await?;
            record_event(&txn, id, None, stamp, &[change("in_report", "yes", "no")]).await?;
        }
        txn.commit().await?;
        Ok(created)
    }

    /// The published training reports, not deleted: those whose
    /// recommendations are followed up.
    pub async fn published_training_reports(&self) -> Result<Vec<crate::EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::Kind.eq("training_report"))
            .filter(entry::Column::Status.eq("published"))
            .filter(entry::Column::DeletedAt.is_null())
            .all(&self.db)
            .await?)
    }

    pub async fn recommendation(&self, id: i32) -> Result<Option<RecommendationRow>> {
        Ok(recommendation::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// A report's records, in the report's order (those taken out last).
    pub async fn recommendations_of_entry(&self, entry_id: i32) -> Result<Vec<RecommendationRow>> {
        Ok(recommendation::Entity::find()
            .filter(recommendation::Column::EntryId.eq(entry_id))
            .order_by_desc(recommendation::Column::InReport)
            .order_by_asc(recommendation::Column::Position)
            .all(&self.db)
            .await?)
    }

    /// The records a list shows, by report (newest first) and position.
    pub async fn recommendations(
        &self,
        query: &RecommendationQuery,
    ) -> Result<Vec<RecommendationRow>> {
        let mut select = recommendation::Entity::find()
            .filter(recommendation::Column::SiteId.is_in(query.site_ids.clone()));
        if !query.with_removed {
            select = select.filter(recommendation::Column::InReport.eq(true));
        }
        if let Some(status) = &query.status {
            select = select.filter(recommendation::Column::Status.eq(status.as_str()));
        }
        if let Some(owner) = query.owner_user_id {
            select = select.filter(recommendation::Column::OwnerUserId.eq(owner));
        }
        if let Some(service) = query.owner_service.as_deref().filter(|s| !s.is_empty()) {
            select = select.filter(recommendation::Column::OwnerService.contains(service));
        }
        if let Some(today) = query.overdue_on {
            select = select
                .filter(recommendation::Column::DueOn.lt(today))
                .filter(recommendation::Column::Status.is_not_in(CLOSED));
        }
        if let Some(slug) = &query.programme {
            let programme = programme::Entity::find()
                .filter(programme::Column::Slug.eq(slug.as_str()))
                .one(&self.db)
                .await?;
            let Some(programme) = programme else {
                return Ok(Vec::new());
            };
            let entries: Vec<i32> = entry_programme::Entity::find()
                .select_only()
                .column(entry_programme::Column::EntryId)
                .filter(entry_programme::Column::ProgrammeId.eq(programme.id))
                .into_tuple::<i32>()
                .all(&self.db)
                .await?;
            select = select.filter(recommendation::Column::EntryId.is_in(entries));
        }
        Ok(select
            .order_by_desc(recommendation::Column::EntryId)
            .order_by_asc(recommendation::Column::Position)
            .all(&self.db)
            .await?)
    }

    /// A record's history, oldest first.
    pub async fn recommendation_events(&self, id: i32) -> Result<Vec<RecommendationEventRow>> {
        Ok(recommendation_event::Entity::find()
            .filter(recommendation_event::Column::RecommendationId.eq(id))
            .order_by_asc(recommendation_event::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Writes a follow-up and what it changed, as `actor_id`. A new due
    /// date or owner makes the reminder due again (for the new date, or the
    /// new owner). Returns the record after, and whether anything changed.
    pub async fn follow_up_recommendation(
        &self,
        id: i32,
        write: &RecommendationWrite,
        actor_id: Option<i32>,
        owner_name: impl Fn(Option<i32>) -> String,
    ) -> Result<Option<(RecommendationRow, bool)>> {
        let txn = self.db.begin().await?;
        let Some(row) = recommendation::Entity::find_by_id(id).one(&txn).await? else {
            return Ok(None);
        };
        let mut changes = Vec::new();
        if row.status != write.status {
            changes.push(change("status", row.status.clone(), write.status.clone()));
        }
        if row.owner_user_id != write.owner_user_id {
            changes.push(change(
                "owner",
                owner_name(row.owner_user_id),
                owner_name(write.owner_user_id),
            ));
        }
        if row.owner_service != write.owner_service {
            changes.push(change(
                "service",
                row.owner_service.clone(),
                write.owner_service.clone(),
            ));
        }
        if row.due_on != write.due_on {
            changes.push(change("due_on", day(row.due_on), day(write.due_on)));
        }
        if row.note != write.note {
            changes.push(change("note", row.note.clone(), write.note.clone()));
        }
        if changes.is_empty() {
            return Ok(Some((row, false)));
        }
        let stamp = now();
        let remind_again = row.due_on != write.due_on || row.owner_user_id != write.owner_user_id;
        let mut active: recommendation::ActiveModel = row.into();
        active.status = Set(write.status.clone());
        active.owner_user_id = Set(write.owner_user_id);
        active.owner_service = Set(write.owner_service.clone());
        active.due_on = Set(write.due_on);
        active.note = Set(write.note.clone());
        active.updated_at = Set(stamp);
        if remind_again {
            active.reminded_at = Set(None);
        }
        let after = active.update(&txn).await?;
        record_event(&txn, id, actor_id, stamp, &changes).await?;
        txn.commit().await?;
        Ok(Some((after, true)))
    }

    /// Records whose owner is a person, due before `today`, neither done
    /// nor dropped, still in their report and not yet reminded.
    pub async fn recommendations_due_for_reminder(
        &self,
        today: Date,
    ) -> Result<Vec<RecommendationRow>> {
        Ok(recommendation::Entity::find()
            .filter(recommendation::Column::DueOn.lt(today))
            .filter(recommendation::Column::Status.is_not_in(CLOSED))
            .filter(recommendation::Column::OwnerUserId.is_not_null())
            .filter(recommendation::Column::InReport.eq(true))
            .filter(recommendation::Column::RemindedAt.is_null())
            .all(&self.db)
            .await?)
    }

    /// Marks a record reminded and queues its mail, in one transaction, if
    /// no other node did first (compare-and-set on `reminded_at`). Returns
    /// whether this call sent it.
    pub async fn remind_recommendation(&self, id: i32, mail: NewMail) -> Result<bool> {
        let txn = self.db.begin().await?;
        let claimed = recommendation::Entity::update_many()
            .col_expr(recommendation::Column::RemindedAt, Expr::value(now()))
            .filter(recommendation::Column::Id.eq(id))
            .filter(recommendation::Column::RemindedAt.is_null())
            .filter(recommendation::Column::Status.is_not_in(CLOSED))
            .filter(Condition::all().add(recommendation::Column::OwnerUserId.is_not_null()))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(false);
        }
        queue_mails(&txn, &[mail]).await?;
        txn.commit().await?;
        Ok(true)
    }
}

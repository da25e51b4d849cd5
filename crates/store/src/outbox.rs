//! The mail outbox (one row per message and recipient) and the audit log.
//! Mail is queued in the database so a message is never lost between the
//! event that causes it and its delivery.

use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use time::OffsetDateTime;

use crate::entities::{audit_log, outbox};
use crate::{now, Result, Store};

pub type OutboxRow = outbox::Model;
pub type AuditRow = audit_log::Model;

/// What became of one attempt to deliver a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Retry { at: OffsetDateTime, error: String },
    Failed { error: String },
}

/// A message for one recipient.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: String,
    pub site_id: Option<i32>,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// The same key twice is the same message: queued once.
    pub idempotency_key: String,
    /// When set, the message is rendered from this template with `data`
    /// (JSON) in `lang` at delivery time, and subject and bodies are unused.
    pub template: Option<String>,
    pub data: Option<String>,
    pub lang: Option<String>,
}

fn mail_row(mail: NewMail, stamp: time::OffsetDateTime) -> outbox::ActiveModel {
    outbox::ActiveModel {
        kind: Set(mail.kind),
        site_id: Set(mail.site_id),
        to_address: Set(mail.to),
        subject: Set(mail.subject),
        body_text: Set(mail.body_text),
        body_html: Set(mail.body_html),
        status: Set("queued".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(stamp),
        last_error: Set(None),
        idempotency_key: Set(mail.idempotency_key),
        created_at: Set(stamp),
        sent_at: Set(None),
        claimed_by: Set(None),
        claimed_until: Set(None),
        template: Set(mail.template),
        data: Set(mail.data),
        lang: Set(mail.lang),
        ..Default::default()
    }
}

/// Queues messages in the caller's transaction (with the event that
/// causes them). A key already queued is skipped.
pub(crate) async fn queue_mails(db: &impl ConnectionTrait, mails: &[NewMail]) -> Result<()> {
    use sea_orm::sea_query::OnConflict;
    // Notices for someone who reads them once a day wait for their digest.
    let (held, mails): (Vec<NewMail>, Vec<NewMail>) = mails
        .iter()
        .cloned()
        .partition(|m| m.kind == crate::digest::HELD_KIND);
    crate::digest::hold_for_digest(db, &held).await?;
    if mails.is_empty() {
        return Ok(());
    }
    let stamp = now();
    let rows: Vec<outbox::ActiveModel> = mails.into_iter().map(|m| mail_row(m, stamp)).collect();
    outbox::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(outbox::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Whose messages a delivery log shows.
#[derive(Debug, Clone, Copy)]
pub enum OutboxScope<'a> {
    /// About a site, and the system's mails (invitations, resets, digests)
    /// to these addresses: the site's members.
    Site(i32, &'a [String]),
    /// The system's mails, about no site.
    System,
}

impl Store {
    /// Queues many messages in one transaction (keys already queued are
    /// skipped): for what no other change carries, such as a benchmark's
    /// or an operator's batch.
    pub async fn queue_mail_batch(&self, mails: &[NewMail]) -> Result<()> {
        let txn = self.db.begin().await?;
        for chunk in mails.chunks(500) {
            queue_mails(&txn, chunk).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Queues a message; a message with the same idempotency key is queued
    /// only once. Returns whether this call queued it.
    pub async fn queue_mail(&self, mail: NewMail) -> Result<bool> {
        let result = mail_row(mail, now()).insert(&self.db).await;
        match result.map_err(crate::StoreError::from) {
            Ok(_) => Ok(true),
            Err(crate::StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The newest messages of the outbox, optionally of one status.
    pub async fn outbox(&self, status: Option<&str>, limit: u64) -> Result<Vec<OutboxRow>> {
        self.outbox_of(None, status, limit).await
    }

    /// The newest messages about some sites (all messages when `None`).
    pub async fn outbox_of(
        &self,
        site_ids: Option<&[i32]>,
        status: Option<&str>,
        limit: u64,
    ) -> Result<Vec<OutboxRow>> {
        let mut query = outbox::Entity::find();
        if let Some(ids) = site_ids {
            query = query.filter(outbox::Column::SiteId.is_in(ids.iter().copied()));
        }
        if let Some(status) = status {
            query = query.filter(outbox::Column::Status.eq(status));
        }
        Ok(query
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Claims up to `limit` messages that are due (queued and due, or
    /// claimed by a worker whose lease ran out) for `worker` until
    /// `lease_until`, and returns them. One statement: two workers never
    /// hold the same message (PostgreSQL skips rows another is claiming;
    /// SQLite has one writer at a time).
    pub async fn claim_outbox(
        &self,
        worker: &str,
        limit: u64,
        lease_until: OffsetDateTime,
    ) -> Result<Vec<OutboxRow>> {
        let stamp = now();
        let due = Condition::any()
            .add(
                Condition::all()
                    .add(outbox::Column::Status.eq("queued"))
                    .add(outbox::Column::NextAttemptAt.lte(stamp)),
            )
            .add(
                Condition::all()
                    .add(outbox::Column::Status.eq("sending"))
                    .add(outbox::Column::ClaimedUntil.lt(stamp)),
            );
        let mut candidates = Query::select()
            .column(outbox::Column::Id)
            .from(outbox::Entity)
            .cond_where(due.clone())
            .order_by(outbox::Column::Id, sea_orm::Order::Asc)
            .limit(limit)
            .to_owned();
        if self.db.get_database_backend() == DbBackend::Postgres {
            candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        // Most rounds find nothing: ask first, so an idle worker never
        // writes (on SQLite every write takes the one writer's lock).
        let anything_due = outbox::Entity::find()
            .filter(due.clone())
            .one(&self.db)
            .await?
            .is_some();
        if !anything_due {
            return Ok(Vec::new());
        }
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("sending"))
            .col_expr(outbox::Column::ClaimedBy, Expr::value(worker))
            .col_expr(outbox::Column::ClaimedUntil, Expr::value(Some(lease_until)))
            .filter(outbox::Column::Id.in_subquery(candidates))
            .filter(due)
            .exec(&self.db)
            .await?;
        Ok(outbox::Entity::find()
            .filter(outbox::Column::Status.eq("sending"))
            .filter(outbox::Column::ClaimedBy.eq(worker))
            .filter(outbox::Column::ClaimedUntil.eq(lease_until))
            .order_by_asc(outbox::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Records the fate of a claimed message: `sent`, or back to `queued`
    /// for `next_attempt_at`, or `failed` for good. Only the worker that
    /// holds the claim may; returns whether it did.
    pub async fn finish_outbox(&self, id: i32, worker: &str, outcome: Delivery) -> Result<bool> {
        let stamp = now();
        let mut update = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .col_expr(outbox::Column::ClaimedBy, Expr::value(None::<String>))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(None::<OffsetDateTime>),
            )
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq("sending"))
            .filter(outbox::Column::ClaimedBy.eq(worker));
        update = match outcome {
            Delivery::Sent => update
                .col_expr(outbox::Column::Status, Expr::value("sent"))
                .col_expr(outbox::Column::SentAt, Expr::value(Some(stamp)))
                .col_expr(outbox::Column::LastError, Expr::value(None::<String>)),
            Delivery::Retry { at, error } => update
                .col_expr(outbox::Column::Status, Expr::value("queued"))
                .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
                .col_expr(outbox::Column::LastError, Expr::value(Some(error))),
            Delivery::Failed { error } => update
                .col_expr(outbox::Column::Status, Expr::value("failed"))
                .col_expr(outbox::Column::LastError, Expr::value(Some(error))),
        };
        Ok(update.exec(&self.db).await?.rows_affected == 1)
    }

    /// Records many messages as sent at once (those still claimed by this
    /// worker); see [`Store::finish_outbox`]. Returns how many.
    pub async fn finish_outbox_sent(&self, ids: &[i32], worker: &str) -> Result<u64> {
        let stamp = now();
        let mut done = 0;
        // Bounded lists: SQLite allows some thousands of parameters.
        for chunk in ids.chunks(500) {
            done += outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::Attempts,
                    Expr::col(outbox::Column::Attempts).add(1),
                )
                .col_expr(outbox::Column::ClaimedBy, Expr::value(None::<String>))
                .col_expr(
                    outbox::Column::ClaimedUntil,
                    Expr::value(None::<OffsetDateTime>),
                )
                .col_expr(outbox::Column::Status, Expr::value("sent"))
                .col_expr(outbox::Column::SentAt, Expr::value(Some(stamp)))
                .col_expr(outbox::Column::LastError, Expr::value(None::<String>))
                .filter(outbox::Column::Id.is_in(chunk.iter().copied()))
                .filter(outbox::Column::Status.eq("sending"))
                .filter(outbox::Column::ClaimedBy.eq(worker))
                .exec(&self.db)
                .await?
                .rows_affected;
        }
        Ok(done)
    }

    /// Makes every waiting message due now: the relay is back, send the
    /// backlog without waiting out the backoff. Returns how many.
    pub async fn expedite_outbox(&self) -> Result<u64> {
        Ok(outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(now()))
            .filter(outbox::Column::Status.eq("queued"))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Puts a failed (or sent) message back in the queue: the admin's "resend".
    pub async fn requeue_outbox(&self, id: i32) -> Result<bool> {
        Ok(outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("queued"))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(now()))
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.is_in(["failed", "sent"]))
            .exec(&self.db)
            .await?
            .rows_affected
            == 1)
    }

    pub async fn audit(
        &self,
        actor_id: Option<i32>,
        action: &str,
        site_id: Option<i32>,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        self.record_audit(NewAudit {
            actor_id,
            action,
            site_id,
            subject_user_id: None,
            target,
            detail,
        })
        .await
    }

    /// Writes one audit record.
    pub async fn record_audit(&self, record: NewAudit<'_>) -> Result<()> {
        audit_log::ActiveModel {
            actor_id: Set(record.actor_id),
            action: Set(record.action.to_owned()),
            site_id: Set(record.site_id),
            subject_user_id: Set(record.subject_user_id),
            // What people typed (a sign-in's address) is kept, not a novel.
            target: Set(record.target.chars().take(320).collect()),
            detail: Set(record.detail.chars().take(2000).collect()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The newest audit records of some sites (all when `site_ids` is None).
    pub async fn audit_log(&self, site_ids: Option<&[i32]>, limit: u64) -> Result<Vec<AuditRow>> {
        let mut query = audit_log::Entity::find();
        if let Some(ids) = site_ids {
            query = query.filter(audit_log::Column::SiteId.is_in(ids.iter().copied()));
        }
        Ok(query
            .order_by_desc(audit_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// A page of the audit records `filter` selects, newest first, and how
    /// many it selects in all.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        page: u64,
        per_page: u64,
    ) -> Result<crate::Page<AuditRow>> {
        use sea_orm::PaginatorTrait;
        let condition = filter.condition();
        let total = audit_log::Entity::find()
            .filter(condition.clone())
            .count(&self.db)
            .await?;
        let items = audit_log::Entity::find()
            .filter(condition)
            .order_by_desc(audit_log::Column::Id)
            .offset(crate::page_offset(page, per_page))
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(crate::Page { items, total })
    }

    /// The newest `limit` audit records `filter` selects (for an export).
    pub async fn audit_rows(&self, filter: &AuditFilter, limit: u64) -> Result<Vec<AuditRow>> {
        Ok(audit_log::Entity::find()
            .filter(filter.condition())
            .order_by_desc(audit_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}

/// One audit record to write.
#[derive(Debug, Clone, Copy)]
pub struct NewAudit<'a> {
    pub actor_id: Option<i32>,
    pub action: &'a str,
    pub site_id: Option<i32>,
    /// The person the record is about, when it is about one.
    pub subject_user_id: Option<i32>,
    pub target: &'a str,
    pub detail: &'a str,
}

/// Which audit records a screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Records of these sites only; `None`: of every site and of none.
    pub sites: Option<Vec<i32>>,
    /// Records by this person or about them.
    pub person: Option<i32>,
    pub action: Option<String>,
    /// From this time on (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Before this time.
    pub until: Option<OffsetDateTime>,
}

impl AuditFilter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(sites) = &self.sites {
            cond = cond.add(audit_log::Column::SiteId.is_in(sites.iter().copied()));
        }
        if let Some(person) = self.person {
            cond = cond.add(
                Condition::any()
                    .add(audit_log::Column::ActorId.eq(person))
                    .add(audit_log::Column::SubjectUserId.eq(person)),
            );
        }
        if let Some(action) = &self.action {
            cond = cond.add(audit_log::Column::Action.eq(action.clone()));
        }
        if let Some(from) = self.from {
            cond = cond.add(audit_log::Column::CreatedAt.gte(from));
        }
        if let Some(until) = self.until {
            cond = cond.add(audit_log::Column::CreatedAt.lt(until));
        }
        cond
    }
}

/// One page of a site's delivery log.
#[derive(Debug, Clone)]
pub struct OutboxPage {
    pub rows: Vec<OutboxRow>,
    /// Messages matching the filter, all pages together.
    pub total: u64,
}

impl Store {
    /// The messages about a site, newest first, optionally of one status;
    /// page `page` of `per_page` of them (the admin's delivery log).
    pub async fn outbox_page(
        &self,
        site_id: i32,
        status: Option<&str>,
        page: u64,
        per_page: u64,
    ) -> Result<OutboxPage> {
        self.outbox_page_in(&OutboxScope::Site(site_id, &[]), status, page, per_page)
            .await
    }

    /// A page of the messages of a scope (see [`OutboxScope`]), newest
    /// first, optionally of one status.
    pub async fn outbox_page_in(
        &self,
        scope: &OutboxScope<'_>,
        status: Option<&str>,
        page: u64,
        per_page: u64,
    ) -> Result<OutboxPage> {
        use sea_orm::{Condition, PaginatorTrait};
        let condition = match scope {
            OutboxScope::Site(site_id, members) => {
                let mut any = Condition::any().add(outbox::Column::SiteId.eq(*site_id));
                if !members.is_empty() {
                    any = any.add(
                        Condition::all()
                            .add(outbox::Column::SiteId.is_null())
                            .add(outbox::Column::ToAddress.is_in(members.iter().cloned())),
                    );
                }
                any
            }
            OutboxScope::System => Condition::all().add(outbox::Column::SiteId.is_null()),
        };
        let mut query = outbox::Entity::find().filter(condition);
        if let Some(status) = status {
            query = query.filter(outbox::Column::Status.eq(status));
        }
        let total = query.clone().count(&self.db).await?;
        let rows = query
            .order_by_desc(outbox::Column::Id)
            .offset(crate::page_offset(page, per_page))
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(OutboxPage { rows, total })
    }

    /// One message of the outbox.
    pub async fn outbox_row(&self, id: i32) -> Result<Option<OutboxRow>> {
        Ok(outbox::Entity::find_by_id(id).one(&self.db).await?)
    }
}

//! The public newsletter's records: subscribers (double opt-in), the
//! unsubscribe tokens of the mails sent to them, the weekly issues (one per
//! site and week: the claim) and the subscription requests counted for
//! rate limiting. Every mail is queued in the transaction of what causes
//! it, and every state change is one conditional update, so two servers
//! (or two clicks) never do a thing twice.

use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait, TryInsertResult,
};
use time::OffsetDateTime;

use crate::entities::{
    entry, newsletter_attempt, newsletter_issue, newsletter_subscriber as subscriber,
    newsletter_unsubscribe_token as token,
};
use crate::outbox::queue_mails;
use crate::{now, EntryRow, NewMail, Result, Store};

pub type SubscriberRow = subscriber::Model;
pub type NewsletterIssueRow = newsletter_issue::Model;

/// Rows per insert statement: well under SQLite's limit of bound values
/// (32 766) with the 14 columns of an outbox row, the widest chunked here.
const CHUNK: usize = 500;
const _: () = assert!(CHUNK * 14 < 32_766);
/// At most this many entries in one weekly digest.
const MAX_DIGEST_ENTRIES: u64 = 60;

/// A weekly issue about to be claimed.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub site_id: i32,
    /// The ISO week it belongs to (`2026-W49`): the claim.
    pub period: String,
    /// What it covers: entries published after `since` up to `made_at`.
    pub since: Option<OffsetDateTime>,
    pub made_at: OffsetDateTime,
    pub entries: i32,
}

/// One subscriber's mail of an issue, with the hash of the unsubscribe
/// token its links carry.
#[derive(Debug, Clone)]
pub struct IssueMail {
    pub subscriber_id: i32,
    pub token_hash: String,
    pub mail: NewMail,
}

fn inserted(result: TryInsertResult<u64>) -> u64 {
    match result {
        TryInsertResult::Inserted(n) => n,
        TryInsertResult::Conflicted | TryInsertResult::Empty => 0,
    }
}

async fn insert_tokens(db: &impl ConnectionTrait, mails: &[IssueMail]) -> Result<()> {
    let stamp = now();
    for chunk in mails.chunks(CHUNK) {
        let rows = chunk.iter().map(|m| token::ActiveModel {
            subscriber_id: Set(m.subscriber_id),
            token_hash: Set(m.token_hash.clone()),
            created_at: Set(stamp),
            ..Default::default()
        });
        token::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

impl Store {
    /// The address's record on a site, if it ever asked.
    pub async fn subscriber(&self, site_id: i32, email: &str) -> Result<Option<SubscriberRow>> {
        Ok(subscriber::Entity::find()
            .filter(subscriber::Column::SiteId.eq(site_id))
            .filter(subscriber::Column::Email.eq(email))
            .one(&self.db)
            .await?)
    }

    /// Records a new pending address with the hash of its confirmation
    /// link, its first unsubscribe token, and queues the confirmation mail,
    /// in one transaction. `false`: the address was recorded meanwhile (two
    /// requests at once), and nothing was queued.
    pub async fn add_subscriber(
        &self,
        site_id: i32,
        email: &str,
        lang: &str,
        confirm_hash: &str,
        unsubscribe_hash: &str,
        mail: NewMail,
    ) -> Result<bool> {
        let stamp = now();
        let txn = self.db.begin().await?;
        let row = subscriber::ActiveModel {
            site_id: Set(site_id),
            email: Set(email.to_owned()),
            lang: Set(lang.to_owned()),
            status: Set("pending".to_owned()),
            confirm_token_hash: Set(Some(confirm_hash.to_owned())),
            confirm_sent_at: Set(Some(stamp)),
            created_at: Set(stamp),
            updated_at: Set(stamp),
            confirmed_at: Set(None),
            unsubscribed_at: Set(None),
            ..Default::default()
        };
        let added = subscriber::Entity::insert_many([row])
            .on_conflict(
                OnConflict::columns([subscriber::Column::SiteId, subscriber::Column::Email])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(&txn)
            .await?;
        if inserted(added) == 0 {
            return Ok(false);
        }
        let id = subscriber::Entity::find()
            .filter(subscriber::Column::SiteId.eq(site_id))
            .filter(subscriber::Column::Email.eq(email))
            .one(&txn)
            .await?
            .map(|s| s.id)
            .ok_or(crate::StoreError::NotFound("subscriber"))?;
        insert_tokens(
            &txn,
            &[IssueMail {
                subscriber_id: id,
                token_hash: unsubscribe_hash.to_owned(),
                mail: mail.clone(),
            }],
        )
        .await?;
        queue_mails(&txn, &[mail]).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Sends a pending (or unsubscribed) address a new confirmation link,
    /// unless one went out at or after `resend_before`: the address becomes
    /// pending with the new link's hash, and the mail is queued, in one
    /// transaction. Returns whether it did.
    pub async fn renew_confirmation(
        &self,
        id: i32,
        lang: &str,
        confirm_hash: &str,
        unsubscribe_hash: &str,
        resend_before: OffsetDateTime,
        mail: NewMail,
    ) -> Result<bool> {
        let stamp = now();
        let txn = self.db.begin().await?;
        let renewed = subscriber::Entity::update_many()
            .col_expr(subscriber::Column::Status, Expr::value("pending"))
            .col_expr(
                subscriber::Column::ConfirmTokenHash,
                Expr::value(Some(confirm_hash.to_owned())),
            )
            .col_expr(subscriber::Column::ConfirmSentAt, Expr::value(Some(stamp)))
            .col_expr(subscriber::Column::Lang, Expr::value(lang))
            .col_expr(subscriber::Column::UpdatedAt, Expr::value(stamp))
            .filter(subscriber::Column::Id.eq(id))
            .filter(subscriber::Column::Status.is_in(["pending", "unsubscribed"]))
            .filter(
                Condition::any()
                    .add(subscriber::Column::ConfirmSentAt.is_null())
                    .add(subscriber::Column::ConfirmSentAt.lt(resend_before)),
            )
            .exec(&txn)
            .await?;
        if renewed.rows_affected == 0 {
            return Ok(false);
        }
        insert_tokens(
            &txn,
            &[IssueMail {
                subscriber_id: id,
                token_hash: unsubscribe_hash.to_owned(),
                mail: mail.clone(),
            }],
        )
        .await?;
        queue_mails(&txn, &[mail]).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The pending address a confirmation link (by its hash) belongs to.
    pub async fn subscriber_by_confirmation(&self, hash: &str) -> Result<Option<SubscriberRow>> {
        Ok(subscriber::Entity::find()
            .filter(subscriber::Column::ConfirmTokenHash.eq(hash))
            .filter(subscriber::Column::Status.eq("pending"))
            .one(&self.db)
            .await?)
    }

    /// Confirms the subscription of `row` if its link is still the one
    /// `hash` names: the link works once. Returns whether it did.
    pub async fn confirm_subscriber(&self, row: &SubscriberRow, hash: &str) -> Result<bool> {
        let stamp = now();
        let confirmed = subscriber::Entity::update_many()
            .col_expr(subscriber::Column::Status, Expr::value("confirmed"))
            .col_expr(
                subscriber::Column::ConfirmTokenHash,
                Expr::value(None::<String>),
            )
            .col_expr(subscriber::Column::ConfirmedAt, Expr::value(Some(stamp)))
            .col_expr(subscriber::Column::UpdatedAt, Expr::value(stamp))
            .filter(subscriber::Column::Id.eq(row.id))
            .filter(subscriber::Column::ConfirmTokenHash.eq(hash))
            .filter(subscriber::Column::Status.eq("pending"))
            .exec(&self.db)
            .await?;
        Ok(confirmed.rows_affected == 1)
    }

    /// The subscriber an unsubscribe link (by its token's hash) belongs to.
    pub async fn subscriber_by_unsubscribe_token(
        &self,
        hash: &str,
    ) -> Result<Option<SubscriberRow>> {
        let owner = Query::select()
            .column(token::Column::SubscriberId)
            .from(token::Entity)
            .and_where(token::Column::TokenHash.eq(hash))
            .to_owned();
        Ok(subscriber::Entity::find()
            .filter(subscriber::Column::Id.in_subquery(owner))
            .one(&self.db)
            .await?)
    }

    /// Ends a subscription (or a pending request: its confirmation link
    /// stops working). Returns whether it changed anything.
    pub async fn unsubscribe(&self, id: i32) -> Result<bool> {
        let stamp = now();
        let ended = subscriber::Entity::update_many()
            .col_expr(subscriber::Column::Status, Expr::value("unsubscribed"))
            .col_expr(
                subscriber::Column::ConfirmTokenHash,
                Expr::value(None::<String>),
            )
            .col_expr(subscriber::Column::UnsubscribedAt, Expr::value(Some(stamp)))
            .col_expr(subscriber::Column::UpdatedAt, Expr::value(stamp))
            .filter(subscriber::Column::Id.eq(id))
            .filter(subscriber::Column::Status.ne("unsubscribed"))
            .exec(&self.db)
            .await?;
        Ok(ended.rows_affected == 1)
    }

    /// Times of the requests counted under `key` since `since`.
    pub async fn newsletter_attempts(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>> {
        Ok(newsletter_attempt::Entity::find()
            .filter(newsletter_attempt::Column::Key.eq(key))
            .filter(newsletter_attempt::Column::At.gt(since))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.at)
            .collect())
    }

    /// Counts one request under each key.
    pub async fn record_newsletter_attempt(
        &self,
        keys: &[String],
        at: OffsetDateTime,
    ) -> Result<()> {
        let rows = keys.iter().map(|key| newsletter_attempt::ActiveModel {
            key: Set(key.clone()),
            at: Set(at),
            ..Default::default()
        });
        newsletter_attempt::Entity::insert_many(rows)
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Forgets requests older than `before` (they no longer count). Asks
    /// first: an idle server writes nothing (on SQLite every write takes
    /// the one writer's lock).
    pub async fn prune_newsletter_attempts(&self, before: OffsetDateTime) -> Result<u64> {
        let any = newsletter_attempt::Entity::find()
            .filter(newsletter_attempt::Column::At.lt(before))
            .one(&self.db)
            .await?;
        if any.is_none() {
            return Ok(0);
        }
        Ok(newsletter_attempt::Entity::delete_many()
            .filter(newsletter_attempt::Column::At.lt(before))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Sites with confirmed subscribers and no issue yet for `period`: what
    /// the weekly job asks every few minutes on every server (one query;
    /// nothing is written until a site is due).
    pub async fn sites_due_for_newsletter(&self, period: &str) -> Result<Vec<i32>> {
        let issued = Query::select()
            .column(newsletter_issue::Column::SiteId)
            .from(newsletter_issue::Entity)
            .and_where(newsletter_issue::Column::Period.eq(period))
            .to_owned();
        let mut ids: Vec<i32> = subscriber::Entity::find()
            .select_only()
            .column(subscriber::Column::SiteId)
            .distinct()
            .filter(subscriber::Column::Status.eq("confirmed"))
            .filter(subscriber::Column::SiteId.not_in_subquery(issued))
            .into_tuple()
            .all(&self.db)
            .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// The latest issue of a site.
    pub async fn last_newsletter_issue(&self, site_id: i32) -> Result<Option<NewsletterIssueRow>> {
        Ok(newsletter_issue::Entity::find()
            .filter(newsletter_issue::Column::SiteId.eq(site_id))
            .order_by_desc(newsletter_issue::Column::MadeAt)
            .one(&self.db)
            .await?)
    }

    /// The issues of a site, newest first.
    pub async fn newsletter_issues(
        &self,
        site_id: i32,
        limit: u64,
    ) -> Result<Vec<NewsletterIssueRow>> {
        Ok(newsletter_issue::Entity::find()
            .filter(newsletter_issue::Column::SiteId.eq(site_id))
            .order_by_desc(newsletter_issue::Column::MadeAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The confirmed subscribers of a site.
    pub async fn confirmed_subscribers(&self, site_id: i32) -> Result<Vec<SubscriberRow>> {
        Ok(subscriber::Entity::find()
            .filter(subscriber::Column::SiteId.eq(site_id))
            .filter(subscriber::Column::Status.eq("confirmed"))
            .order_by_asc(subscriber::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// What a site published after `since` up to `until`, pages aside,
    /// oldest first (at most `MAX_DIGEST_ENTRIES`).
    pub async fn published_for_digest(
        &self,
        site_id: i32,
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<EntryRow>> {
        Ok(entry::Entity::find()
            .filter(entry::Column::SiteId.eq(site_id))
            .filter(entry::Column::Status.eq("published"))
            .filter(entry::Column::DeletedAt.is_null())
            .filter(entry::Column::Kind.ne("page"))
            .filter(entry::Column::PublishedAt.gt(since))
            .filter(entry::Column::PublishedAt.lte(until))
            .order_by_asc(entry::Column::PublishedAt)
            .order_by_asc(entry::Column::Id)
            .limit(MAX_DIGEST_ENTRIES)
            .all(&self.db)
            .await?)
    }

    /// Claims a site's issue for a week and queues its mails with their
    /// unsubscribe tokens, in one transaction. The claim is an insert that
    /// a unique (site, week) turns into nothing on a second server (which
    /// waits for the first to commit on PostgreSQL): `false` means another
    /// server made this issue, and nothing was queued here.
    pub async fn issue_newsletter(&self, issue: &NewIssue, mails: &[IssueMail]) -> Result<bool> {
        let txn = self.db.begin().await?;
        let row = newsletter_issue::ActiveModel {
            site_id: Set(issue.site_id),
            period: Set(issue.period.clone()),
            since: Set(issue.since),
            made_at: Set(issue.made_at),
            entries: Set(issue.entries),
            mails: Set(i32::try_from(mails.len()).unwrap_or(i32::MAX)),
            ..Default::default()
        };
        let claimed = newsletter_issue::Entity::insert_many([row])
            .on_conflict(
                OnConflict::columns([
                    newsletter_issue::Column::SiteId,
                    newsletter_issue::Column::Period,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(&txn)
            .await?;
        if inserted(claimed) == 0 {
            return Ok(false);
        }
        insert_tokens(&txn, mails).await?;
        for chunk in mails.chunks(CHUNK) {
            let chunk: Vec<NewMail> = chunk.iter().map(|m| m.mail.clone()).collect();
            queue_mails(&txn, &chunk).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// The subscribers of a site, by status, for the admin.
    pub async fn count_subscribers(&self, site_id: i32, status: &str) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(subscriber::Entity::find()
            .filter(subscriber::Column::SiteId.eq(site_id))
            .filter(subscriber::Column::Status.eq(status))
            .count(&self.db)
            .await?)
    }

    /// The status of a subscriber, to read back after a change.
    pub async fn subscriber_by_id(&self, id: i32) -> Result<Option<SubscriberRow>> {
        Ok(subscriber::Entity::find_by_id(id).one(&self.db).await?)
    }
}

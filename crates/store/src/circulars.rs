//! Internal circulars: sending one (its notice, its reference number on
//! the first send, a row per recipient and their mails, in one
//! transaction), reading where each copy stands, acknowledgements by
//! personal token, and reminders to those who have not acknowledged.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use time::{Date, OffsetDateTime};

use crate::directory::{insert_notice, NewNotice, NoticeRow, NoticeWrite};
use crate::entities::{circular, circular_recipient, outbox};
use crate::outbox::queue_mails;
use crate::{now, NewMail, Result, Store, StoreError};

pub type CircularRow = circular::Model;
pub type CircularRecipientRow = circular_recipient::Model;

/// Rows written per statement (well under the bind-parameter limits).
const CHUNK: usize = 500;

/// What sending a circular writes besides its recipients.
#[derive(Debug, Clone)]
pub struct CircularSend {
    pub notice: NewNotice,
    /// The year its reference number counts in.
    pub year: i32,
    pub acknowledge_by: Option<Date>,
    pub files_until: OffsetDateTime,
}

/// One person a circular is sent to, with their copy.
#[derive(Debug, Clone)]
pub struct NewCircularRecipient {
    pub email: String,
    pub name: String,
    pub kind: String,
    pub institution_id: Option<i32>,
    pub institution_name: String,
    pub token_hash: String,
    pub mail: NewMail,
}

/// Where one copy stands in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircularDelivery {
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub sent_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

/// The outbox key of the `round`-th reminder to `email`.
pub fn reminder_mail_key(entry_id: i32, round: i32, email: &str) -> String {
    format!("reminder:{entry_id}:{round}:{email}")
}

impl Store {
    /// Sends a circular: its notice (the same request key twice is the
    /// same notice: nothing more is written), its reference number when it
    /// is sent for the first time (the next of its site and year), and, for
    /// each recipient it was not sent to before, their row and their mail.
    /// `recipients` is called inside the transaction with the notice's id
    /// and the circular (its number). Returns the circular, the notice, how
    /// many new recipients were written, and whether the notice is new.
    pub async fn send_circular(
        &self,
        send: &CircularSend,
        recipients: impl FnOnce(i32, &CircularRow) -> Vec<NewCircularRecipient>,
    ) -> Result<(CircularRow, NoticeRow, usize, bool)> {
        let new = &send.notice;
        let txn = self.db.begin().await?;
        let notice_row = match insert_notice(&txn, new).await? {
            NoticeWrite::New(row) => row,
            NoticeWrite::Known => {
                drop(txn);
                let notice_row = self.notice_of_request(new).await?;
                let circular_row = self
                    .circular(new.entry_id)
                    .await?
                    .ok_or(StoreError::NotFound("circular"))?;
                return Ok((circular_row, notice_row, 0, false));
            }
        };
        let circular_row = match circular::Entity::find_by_id(new.entry_id).one(&txn).await? {
            Some(row) => row,
            None => {
                let last: Option<Option<i32>> = circular::Entity::find()
                    .select_only()
                    .column_as(circular::Column::Number.max(), "last")
                    .filter(circular::Column::SiteId.eq(new.site_id))
                    .filter(circular::Column::Year.eq(send.year))
                    .into_tuple()
                    .one(&txn)
                    .await?;
                let number = last.flatten().unwrap_or(0) + 1;
                circular::ActiveModel {
                    entry_id: Set(new.entry_id),
                    site_id: Set(new.site_id),
                    year: Set(send.year),
                    number: Set(number),
                    acknowledge_by: Set(send.acknowledge_by),
                    files_until: Set(send.files_until),
                    sent_by: Set(new.sent_by),
                    sent_at: Set(now()),
                    reminded_at: Set(None),
                }
                .insert(&txn)
                .await?
            }
        };
        let already: HashSet<String> = circular_recipient::Entity::find()
            .select_only()
            .column(circular_recipient::Column::Email)
            .filter(circular_recipient::Column::EntryId.eq(new.entry_id))
            .into_tuple::<String>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let fresh: Vec<NewCircularRecipient> = recipients(notice_row.id, &circular_row)
            .into_iter()
            .filter(|r| !already.contains(&r.email))
            .collect();
        let stamp = now();
        for chunk in fresh.chunks(CHUNK) {
            let rows: Vec<circular_recipient::ActiveModel> = chunk
                .iter()
                .map(|r| circular_recipient::ActiveModel {
                    entry_id: Set(new.entry_id),
                    notice_id: Set(notice_row.id),
                    email: Set(r.email.clone()),
                    name: Set(r.name.clone()),
                    recipient_kind: Set(r.kind.clone()),
                    institution_id: Set(r.institution_id),
                    institution_name: Set(r.institution_name.clone()),
                    token_hash: Set(r.token_hash.clone()),
                    mail_key: Set(r.mail.idempotency_key.clone()),
                    acknowledged_at: Set(None),
                    reminders: Set(0),
                    last_reminder_at: Set(None),
                    created_at: Set(stamp),
                    ..Default::default()
                })
                .collect();
            circular_recipient::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        circular_recipient::Column::EntryId,
                        circular_recipient::Column::Email,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .do_nothing()
                .exec_without_returning(&txn)
                .await?;
            let mails: Vec<NewMail> = chunk.iter().map(|r| r.mail.clone()).collect();
            queue_mails(&txn, &mails).await?;
        }
        txn.commit().await?;
        Ok((circular_row, notice_row, fresh.len(), true))
    }

    /// The circular of an entry, once it was sent.
    pub async fn circular(&self, entry_id: i32) -> Result<Option<CircularRow>> {
        Ok(circular::Entity::find_by_id(entry_id).one(&self.db).await?)
    }

    /// Everyone a circular was sent to, by institution then name.
    pub async fn circular_recipients(&self, entry_id: i32) -> Result<Vec<CircularRecipientRow>> {
        Ok(circular_recipient::Entity::find()
            .filter(circular_recipient::Column::EntryId.eq(entry_id))
            .order_by_asc(circular_recipient::Column::InstitutionName)
            .order_by_asc(circular_recipient::Column::Name)
            .order_by_asc(circular_recipient::Column::Email)
            .all(&self.db)
            .await?)
    }

    /// Where the outbox messages of these keys stand.
    pub async fn deliveries_by_key(
        &self,
        keys: &[String],
    ) -> Result<HashMap<String, CircularDelivery>> {
        let mut out = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let rows: Vec<(String, String, Option<OffsetDateTime>, Option<String>)> =
                outbox::Entity::find()
                    .select_only()
                    .column(outbox::Column::IdempotencyKey)
                    .column(outbox::Column::Status)
                    .column(outbox::Column::SentAt)
                    .column(outbox::Column::LastError)
                    .filter(outbox::Column::IdempotencyKey.is_in(chunk.iter().cloned()))
                    .into_tuple()
                    .all(&self.db)
                    .await?;
            for (key, status, sent_at, last_error) in rows {
                out.insert(
                    key,
                    CircularDelivery {
                        status,
                        sent_at,
                        last_error,
                    },
                );
            }
        }
        Ok(out)
    }

    /// The template data of the outbox messages of these keys.
    pub async fn mail_data_by_key(&self, keys: &[String]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let rows: Vec<(String, Option<String>)> = outbox::Entity::find()
                .select_only()
                .column(outbox::Column::IdempotencyKey)
                .column(outbox::Column::Data)
                .filter(outbox::Column::IdempotencyKey.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&self.db)
                .await?;
            out.extend(rows.into_iter().filter_map(|(k, d)| Some((k, d?))));
        }
        Ok(out)
    }

    /// The recipient of a personal token (by its hash).
    pub async fn circular_recipient_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<CircularRecipientRow>> {
        Ok(circular_recipient::Entity::find()
            .filter(circular_recipient::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?)
    }

    /// Records an acknowledgement; the first one counts. Returns the
    /// recipient as it stands after, and whether this call recorded it.
    pub async fn acknowledge_circular(
        &self,
        token_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<(CircularRecipientRow, bool)>> {
        let updated = circular_recipient::Entity::update_many()
            .col_expr(circular_recipient::Column::AcknowledgedAt, Expr::value(at))
            .filter(circular_recipient::Column::TokenHash.eq(token_hash))
            .filter(circular_recipient::Column::AcknowledgedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(self
            .circular_recipient_by_token(token_hash)
            .await?
            .map(|row| (row, updated.rows_affected > 0)))
    }

    /// Circulars whose acknowledgement day has passed (`before` is the
    /// first day after it) and whose automatic reminder has not gone out.
    pub async fn circulars_due_for_reminder(&self, before: Date) -> Result<Vec<CircularRow>> {
        Ok(circular::Entity::find()
            .filter(circular::Column::AcknowledgeBy.lt(before))
            .filter(circular::Column::RemindedAt.is_null())
            .all(&self.db)
            .await?)
    }

    /// Queues a reminder to everyone who has not acknowledged a circular.
    /// `automatic`: the one reminder after the acknowledgement day, which
    /// only one node sends (the first to mark the circular reminded; the
    /// others get `None`). `mail` makes the reminder of a recipient for
    /// their round (1 for the first reminder), given the template data of
    /// their first copy. Returns how many reminders were queued.
    pub async fn queue_circular_reminders(
        &self,
        entry_id: i32,
        automatic: bool,
        mail: impl Fn(&CircularRecipientRow, Option<&str>) -> NewMail,
    ) -> Result<Option<usize>> {
        let txn = self.db.begin().await?;
        let stamp = now();
        if automatic {
            let claimed = circular::Entity::update_many()
                .col_expr(circular::Column::RemindedAt, Expr::value(stamp))
                .filter(circular::Column::EntryId.eq(entry_id))
                .filter(circular::Column::RemindedAt.is_null())
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 0 {
                return Ok(None);
            }
        }
        circular_recipient::Entity::update_many()
            .col_expr(
                circular_recipient::Column::Reminders,
                Expr::col(circular_recipient::Column::Reminders).add(1),
            )
            .col_expr(
                circular_recipient::Column::LastReminderAt,
                Expr::value(stamp),
            )
            .filter(circular_recipient::Column::EntryId.eq(entry_id))
            .filter(circular_recipient::Column::AcknowledgedAt.is_null())
            .exec(&txn)
            .await?;
        let waiting: Vec<CircularRecipientRow> = circular_recipient::Entity::find()
            .filter(circular_recipient::Column::EntryId.eq(entry_id))
            .filter(circular_recipient::Column::AcknowledgedAt.is_null())
            .all(&txn)
            .await?;
        let mut queued = 0;
        for chunk in waiting.chunks(CHUNK) {
            let keys: Vec<String> = chunk.iter().map(|r| r.mail_key.clone()).collect();
            let data: HashMap<String, Option<String>> = outbox::Entity::find()
                .select_only()
                .column(outbox::Column::IdempotencyKey)
                .column(outbox::Column::Data)
                .filter(outbox::Column::IdempotencyKey.is_in(keys))
                .into_tuple::<(String, Option<String>)>()
                .all(&txn)
                .await?
                .into_iter()
                .collect();
            let mails: Vec<NewMail> = chunk
                .iter()
                .map(|r| mail(r, data.get(&r.mail_key).and_then(|d| d.as_deref())))
                .collect();
            queued += mails.len();
            queue_mails(&txn, &mails).await?;
        }
        txn.commit().await?;
        Ok(Some(queued))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_keys_name_the_circular_the_round_and_the_address() {
        assert_eq!(
            reminder_mail_key(12, 2, "ecole@taalim.example"),
            "reminder:12:2:ecole@taalim.example"
        );
        assert_ne!(
            reminder_mail_key(12, 1, "a@b.example"),
            reminder_mail_key(12, 2, "a@b.example")
        );
    }
}

//! Workflow notices kept for a daily digest. A notice for someone who
//! reads them once a day is queued like any other (in the workflow step's
//! transaction) with the kind [`HELD_KIND`]; `queue_mails` keeps it here
//! instead of in the outbox. Once a day each address's items are taken
//! under the day's key by one conditional update, and the digest mail is
//! queued in that same transaction: a second server taking the same items
//! updates nothing and sends nothing.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use time::OffsetDateTime;

use crate::entities::digest_item;
use crate::outbox::queue_mails;
use crate::{now, NewMail, Result, Store};

pub type DigestItemRow = digest_item::Model;

/// The kind of a [`NewMail`] that waits for its recipient's daily digest
/// instead of going out on its own.
pub const HELD_KIND: &str = "workflow_daily";

/// Keeps notices for their recipients' digests, in the caller's
/// transaction. An idempotency key already kept is skipped.
pub(crate) async fn hold_for_digest(db: &impl ConnectionTrait, mails: &[NewMail]) -> Result<()> {
    if mails.is_empty() {
        return Ok(());
    }
    let stamp = now();
    let rows = mails.iter().map(|m| digest_item::ActiveModel {
        to_address: Set(m.to.clone()),
        site_id: Set(m.site_id),
        lang: Set(m.lang.clone()),
        data: Set(m.data.clone().unwrap_or_else(|| "{}".to_owned())),
        idempotency_key: Set(m.idempotency_key.clone()),
        created_at: Set(stamp),
        digest_key: Set(None),
        ..Default::default()
    });
    digest_item::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(digest_item::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl Store {
    /// Addresses with items kept before `cutoff` and not yet in a digest.
    /// One read, so an idle server writes nothing.
    pub async fn addresses_due_for_digest(&self, cutoff: OffsetDateTime) -> Result<Vec<String>> {
        let mut addresses: Vec<String> = digest_item::Entity::find()
            .select_only()
            .column(digest_item::Column::ToAddress)
            .distinct()
            .filter(digest_item::Column::DigestKey.is_null())
            .filter(digest_item::Column::CreatedAt.lt(cutoff))
            .into_tuple()
            .all(&self.db)
            .await?;
        addresses.sort();
        Ok(addresses)
    }

    /// Takes the items of `address` kept before `cutoff` under `key` and
    /// queues the mail `compose` makes of them (none: they are taken all
    /// the same, the person no longer wants notices), in one transaction.
    /// Returns how many items were taken: 0 when another server took them.
    pub async fn take_digest(
        &self,
        address: &str,
        key: &str,
        cutoff: OffsetDateTime,
        compose: impl FnOnce(&[DigestItemRow]) -> Option<NewMail>,
    ) -> Result<usize> {
        let txn = self.db.begin().await?;
        // Write first: on SQLite a transaction that reads first cannot
        // write when another wrote meanwhile.
        let taken = digest_item::Entity::update_many()
            .col_expr(digest_item::Column::DigestKey, Expr::value(key))
            .filter(digest_item::Column::ToAddress.eq(address))
            .filter(digest_item::Column::DigestKey.is_null())
            .filter(digest_item::Column::CreatedAt.lt(cutoff))
            .exec(&txn)
            .await?;
        if taken.rows_affected == 0 {
            return Ok(0);
        }
        let items = digest_item::Entity::find()
            .filter(digest_item::Column::ToAddress.eq(address))
            .filter(digest_item::Column::DigestKey.eq(key))
            .order_by_asc(digest_item::Column::Id)
            .all(&txn)
            .await?;
        if let Some(mail) = compose(&items) {
            queue_mails(&txn, &[mail]).await?;
        }
        txn.commit().await?;
        Ok(items.len())
    }

    /// Forgets items a digest took before `before`. Asks first, so an idle
    /// server writes nothing.
    pub async fn prune_digest_items(&self, before: OffsetDateTime) -> Result<u64> {
        let old = digest_item::Entity::find()
            .filter(digest_item::Column::DigestKey.is_not_null())
            .filter(digest_item::Column::CreatedAt.lt(before))
            .one(&self.db)
            .await?;
        if old.is_none() {
            return Ok(0);
        }
        Ok(digest_item::Entity::delete_many()
            .filter(digest_item::Column::DigestKey.is_not_null())
            .filter(digest_item::Column::CreatedAt.lt(before))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Items of an address not yet in a digest, oldest first.
    pub async fn digest_items_waiting(&self, address: &str) -> Result<Vec<DigestItemRow>> {
        Ok(digest_item::Entity::find()
            .filter(digest_item::Column::ToAddress.eq(address))
            .filter(digest_item::Column::DigestKey.is_null())
            .order_by_asc(digest_item::Column::Id)
            .all(&self.db)
            .await?)
    }
}

impl Store {
    /// How a person hears of work waiting (`immediate`, `daily` or `none`)
    /// and the language of those mails.
    pub async fn set_user_notify_choice(
        &self,
        user_id: i32,
        notify: &str,
        lang: &str,
    ) -> Result<()> {
        use crate::entities::user;
        user::Entity::update_many()
            .col_expr(user::Column::Notify, Expr::value(notify))
            .col_expr(user::Column::Lang, Expr::value(lang))
            .col_expr(user::Column::UpdatedAt, Expr::value(now()))
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

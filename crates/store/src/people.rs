//! The people of the platform as platform admins manage them: finding
//! accounts, when each last signed in, and disabling and enabling them.
//!
//! Disabling is one transaction that sets `users.disabled_at` only while
//! another enabled platform admin remains (for a platform admin), and ends
//! what the account holds: its sessions, its API tokens, its unused reset
//! links, its workflow mails still waiting. Every request checks the flag
//! as well, so whatever slips past (a sign-in racing the transaction) is
//! refused on its next request.

use sea_orm::sea_query::{Alias, Expr, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use time::OffsetDateTime;

use crate::entities::{
    api_token, digest_item, login_challenge, membership, outbox, password_reset, session, user,
};
use crate::entries::{escape_like, Page};
use crate::{now, MembershipRow, Result, Store, UserRow};

/// Which accounts a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFilter {
    /// Enabled and signed in at least once.
    Active,
    Disabled,
    /// Enabled and never signed in.
    Invited,
}

/// What became of a request to disable an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disabled {
    /// Disabled now; what it held was ended.
    Now {
        sessions: u64,
        tokens: u64,
        mails: u64,
    },
    /// It was disabled already: nothing changed.
    Already,
    /// It is the last enabled platform admin: nothing changed.
    LastPlatformAdmin,
    NoSuchAccount,
}

/// Mails an account's holder gets because of their work: they stop when
/// the account is disabled (invitations and reset links are voided with
/// the links themselves).
const WORK_MAIL_KINDS: [&str; 2] = ["workflow", "workflow_digest"];

/// Any key will do, as long as nothing else takes the same advisory lock:
/// "TAWSDISA" in ASCII.
const DISABLE_LOCK: i64 = 0x5441_5753_4449_5341;

impl Store {
    /// A page of accounts, by name: with `words`, those whose name or
    /// address contains every word (case aside), optionally of one state.
    pub async fn people_page(
        &self,
        words: &[String],
        filter: Option<AccountFilter>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<UserRow>> {
        let mut cond = Condition::all();
        for word in words {
            let pattern = format!("%{}%", escape_like(&word.to_lowercase()));
            let mut any = Condition::any();
            for column in [user::Column::Name, user::Column::Email] {
                any = any.add(
                    Expr::expr(Func::lower(Expr::col((user::Entity, column))))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                );
            }
            cond = cond.add(any);
        }
        cond = match filter {
            None => cond,
            Some(AccountFilter::Disabled) => cond.add(user::Column::DisabledAt.is_not_null()),
            Some(AccountFilter::Active) => cond
                .add(user::Column::DisabledAt.is_null())
                .add(user::Column::LastLoginAt.is_not_null()),
            Some(AccountFilter::Invited) => cond
                .add(user::Column::DisabledAt.is_null())
                .add(user::Column::LastLoginAt.is_null()),
        };
        let total = user::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let items = user::Entity::find()
            .filter(cond)
            .order_by_asc(user::Column::Name)
            .order_by_asc(user::Column::Id)
            .offset(crate::page_offset(page, per_page))
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(Page { items, total })
    }

    /// The memberships of these accounts (one query for a page of people).
    pub async fn memberships_of_users(&self, user_ids: &[i32]) -> Result<Vec<MembershipRow>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(membership::Entity::find()
            .filter(membership::Column::UserId.is_in(user_ids.iter().copied()))
            .order_by_asc(membership::Column::UserId)
            .order_by_asc(membership::Column::SiteId)
            .all(&self.db)
            .await?)
    }

    /// Enabled platform admins other than `except`.
    pub async fn count_other_platform_admins(&self, except: i32) -> Result<u64> {
        Ok(user::Entity::find()
            .filter(user::Column::IsPlatformAdmin.eq(true))
            .filter(user::Column::DisabledAt.is_null())
            .filter(user::Column::Id.ne(except))
            .count(&self.db)
            .await?)
    }

    /// Remembers a successful sign-in.
    pub async fn record_login(&self, user_id: i32, at: OffsetDateTime) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::LastLoginAt, Expr::value(Some(at)))
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Disables the account, unless it is the last enabled platform admin,
    /// and ends what it holds, in one transaction (see the module).
    pub async fn disable_user(&self, user_id: i32) -> Result<Disabled> {
        let stamp = now();
        let txn = self.db.begin().await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // Two admins disabling each other at once would each still see
            // the other enabled: one disabling at a time, across nodes.
            // (SQLite has one writer, so the update below is atomic there.)
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({DISABLE_LOCK})"))
                .await?;
        }
        let other = Alias::new("other");
        let another_admin = Query::select()
            .expr(Expr::val(1))
            .from_as(user::Entity, other.clone())
            .and_where(Expr::col((other.clone(), user::Column::IsPlatformAdmin)).eq(true))
            .and_where(Expr::col((other.clone(), user::Column::DisabledAt)).is_null())
            .and_where(Expr::col((other, user::Column::Id)).ne(user_id))
            .to_owned();
        // Written first: on SQLite a transaction that reads first cannot
        // write when another wrote meanwhile.
        let updated = user::Entity::update_many()
            .col_expr(user::Column::DisabledAt, Expr::value(Some(stamp)))
            .col_expr(user::Column::UpdatedAt, Expr::value(stamp))
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::DisabledAt.is_null())
            .filter(
                Condition::any()
                    .add(user::Column::IsPlatformAdmin.eq(false))
                    .add(Expr::exists(another_admin)),
            )
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(match self.user(user_id).await? {
                None => Disabled::NoSuchAccount,
                Some(row) if row.disabled_at.is_some() => Disabled::Already,
                Some(_) => Disabled::LastPlatformAdmin,
            });
        }
        let Some(row) = user::Entity::find_by_id(user_id).one(&txn).await? else {
            return Err(crate::StoreError::NotFound("user"));
        };
        login_challenge::Entity::delete_many()
            .filter(login_challenge::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        let sessions = session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?
            .rows_affected;
        let tokens = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(stamp)))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(Some(stamp)))
            .filter(password_reset::Column::UserId.eq(user_id))
            .filter(password_reset::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        let mails = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("failed"))
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Some("not sent: the account was disabled")),
            )
            .filter(outbox::Column::ToAddress.eq(row.email.clone()))
            .filter(outbox::Column::Status.eq("queued"))
            .filter(outbox::Column::Kind.is_in(WORK_MAIL_KINDS))
            .exec(&txn)
            .await?
            .rows_affected;
        digest_item::Entity::delete_many()
            .filter(digest_item::Column::ToAddress.eq(row.email))
            .filter(digest_item::Column::DigestKey.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(Disabled::Now {
            sessions,
            tokens,
            mails,
        })
    }

    /// Lets a disabled account in again; whether it was disabled. Its old
    /// sessions, tokens and links stay ended: the person signs in anew (or
    /// is sent a reset link).
    pub async fn enable_user(&self, user_id: i32) -> Result<bool> {
        let stamp = now();
        let updated = user::Entity::update_many()
            .col_expr(
                user::Column::DisabledAt,
                Expr::value(None::<OffsetDateTime>),
            )
            .col_expr(user::Column::UpdatedAt, Expr::value(stamp))
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::DisabledAt.is_not_null())
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected > 0)
    }
}

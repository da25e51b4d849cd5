//! What accounts need besides their rows: sessions, API tokens, login
//! failures, password-reset links. Tokens are stored only as hashes; the
//! caller hashes them (the store never sees a secret).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;

use crate::entities::{api_token, login_failure, membership, password_reset, session, user};
use crate::{now, MembershipRow, Result, Store, UserRow};

pub type SessionRow = session::Model;
pub type ApiTokenRow = api_token::Model;

/// A session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i32,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
    pub user_agent: String,
    pub address: String,
}

impl Store {
    pub async fn user(&self, id: i32) -> Result<Option<UserRow>> {
        Ok(user::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn users_by_ids(&self, ids: &[i32]) -> Result<Vec<UserRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?)
    }

    /// Sets a new password hash, in one transaction with what a new
    /// password ends: every outstanding reset link of the account, and every
    /// session but `keep` (the one that changed it). Returns how many
    /// sessions ended.
    pub async fn set_password(&self, user_id: i32, hash: String, keep: Option<i32>) -> Result<u64> {
        use sea_orm::TransactionTrait;
        let stamp = now();
        let txn = self.db.begin().await?;
        let updated = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .col_expr(user::Column::UpdatedAt, Expr::value(stamp))
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(crate::StoreError::NotFound("user"));
        }
        void_password_resets(&txn, user_id, stamp).await?;
        let mut sessions =
            session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
        if let Some(keep) = keep {
            sessions = sessions.filter(session::Column::Id.ne(keep));
        }
        let ended = sessions.exec(&txn).await?.rows_affected;
        txn.commit().await?;
        Ok(ended)
    }

    /// How the user hears of work waiting: `immediate` or `none`.
    pub async fn set_user_notify(&self, user_id: i32, notify: &str) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::Notify, Expr::value(notify))
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn memberships_of(&self, user_id: i32) -> Result<Vec<MembershipRow>> {
        Ok(membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .order_by_asc(membership::Column::SiteId)
            .all(&self.db)
            .await?)
    }

    /// Memberships on any of `site_ids`, with their users.
    pub async fn members_of(&self, site_ids: &[i32]) -> Result<Vec<(MembershipRow, UserRow)>> {
        let rows = membership::Entity::find()
            .filter(membership::Column::SiteId.is_in(site_ids.iter().copied()))
            .all(&self.db)
            .await?;
        let users = self
            .users_by_ids(&rows.iter().map(|m| m.user_id).collect::<Vec<_>>())
            .await?;
        let mut out: Vec<(MembershipRow, UserRow)> = rows
            .into_iter()
            .filter_map(|m| {
                let u = users.iter().find(|u| u.id == m.user_id)?.clone();
                Some((m, u))
            })
            .collect();
        out.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        Ok(out)
    }

    /// Removes the user's role on the site; whether there was one.
    pub async fn remove_membership(&self, user_id: i32, site_id: i32) -> Result<bool> {
        let deleted = membership::Entity::delete_many()
            .filter(membership::Column::UserId.eq(user_id))
            .filter(membership::Column::SiteId.eq(site_id))
            .exec(&self.db)
            .await?;
        Ok(deleted.rows_affected > 0)
    }

    pub async fn create_session(&self, new: NewSession) -> Result<SessionRow> {
        let stamp = now();
        Ok(session::ActiveModel {
            token_hash: Set(new.token_hash),
            user_id: Set(new.user_id),
            csrf_token: Set(new.csrf_token),
            created_at: Set(stamp),
            last_seen_at: Set(stamp),
            expires_at: Set(new.expires_at),
            user_agent: Set(new.user_agent),
            address: Set(new.address),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    pub async fn session_by_hash(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        Ok(session::Entity::find()
            .filter(session::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?)
    }

    pub async fn touch_session(&self, id: i32, at: OffsetDateTime) -> Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(at))
            .filter(session::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id: i32) -> Result<()> {
        session::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Ends every session of the user; how many there were.
    pub async fn delete_sessions_of(&self, user_id: i32) -> Result<u64> {
        Ok(session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    pub async fn count_sessions_of(&self, user_id: i32) -> Result<u64> {
        Ok(session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::ExpiresAt.gt(now()))
            .count(&self.db)
            .await?)
    }

    /// Forgets sessions past their absolute expiry or idle since `idle_before`.
    pub async fn prune_sessions(&self, idle_before: OffsetDateTime) -> Result<u64> {
        Ok(session::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(session::Column::ExpiresAt.lte(now()))
                    .add(session::Column::LastSeenAt.lt(idle_before)),
            )
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    pub async fn record_login_failure(&self, key: &str, at: OffsetDateTime) -> Result<()> {
        login_failure::ActiveModel {
            key: Set(key.to_owned()),
            at: Set(at),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Times of the failures recorded for `key` since `since`.
    pub async fn login_failures(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>> {
        Ok(login_failure::Entity::find()
            .filter(login_failure::Column::Key.eq(key))
            .filter(login_failure::Column::At.gt(since))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.at)
            .collect())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Key.eq(key))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn prune_login_failures(&self, before: OffsetDateTime) -> Result<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::At.lt(before))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        user_id: i32,
        name: &str,
        token_hash: String,
        prefix: String,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<ApiTokenRow> {
        Ok(api_token::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            token_hash: Set(token_hash),
            prefix: Set(prefix),
            created_at: Set(now()),
            expires_at: Set(expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRow>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?)
    }

    /// The user's tokens that are neither revoked nor expired, newest first.
    pub async fn api_tokens_of(&self, user_id: i32) -> Result<Vec<ApiTokenRow>> {
        let stamp = now();
        Ok(api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .filter(
                sea_orm::Condition::any()
                    .add(api_token::Column::ExpiresAt.is_null())
                    .add(api_token::Column::ExpiresAt.gt(stamp)),
            )
            .order_by_desc(api_token::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Revokes one of the user's tokens; whether it was theirs and live.
    pub async fn revoke_api_token(&self, user_id: i32, token_id: i32) -> Result<bool> {
        let updated = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now())))
            .filter(api_token::Column::Id.eq(token_id))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected > 0)
    }

    pub async fn touch_api_token(&self, id: i32, at: OffsetDateTime) -> Result<()> {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(at)))
            .filter(api_token::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn create_password_reset(
        &self,
        user_id: i32,
        token_hash: String,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        password_reset::ActiveModel {
            user_id: Set(user_id),
            token_hash: Set(token_hash),
            created_at: Set(now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The user of a live reset link, without using it up: none when the
    /// link is unknown, used or expired, or its account is disabled.
    pub async fn password_reset_user(&self, token_hash: &str) -> Result<Option<i32>> {
        let Some(user_id) = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(token_hash))
            .filter(password_reset::Column::UsedAt.is_null())
            .filter(password_reset::Column::ExpiresAt.gt(now()))
            .one(&self.db)
            .await?
            .map(|r| r.user_id)
        else {
            return Ok(None);
        };
        Ok(self
            .user(user_id)
            .await?
            .filter(|u| u.disabled_at.is_none())
            .map(|u| u.id))
    }

    /// Uses up a reset link and sets the new password hash, in one
    /// transaction: a link works once, even when clicked twice at once.
    /// Returns the user, or `None` for an unknown, used or expired link.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        new_hash: String,
    ) -> Result<Option<i32>> {
        use sea_orm::TransactionTrait;
        // Read first, outside: see `save_entry` on SQLite's busy snapshots.
        let Some(row) = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let txn = self.db.begin().await?;
        let stamp = now();
        let claimed = password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(Some(stamp)))
            .filter(password_reset::Column::Id.eq(row.id))
            .filter(password_reset::Column::UsedAt.is_null())
            .filter(password_reset::Column::ExpiresAt.gt(stamp))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(None);
        }
        let updated = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(new_hash))
            .col_expr(user::Column::UpdatedAt, Expr::value(stamp))
            .filter(user::Column::Id.eq(row.user_id))
            // A disabled account's links are voided when it is disabled;
            // this keeps one made meanwhile from letting it in either.
            .filter(user::Column::DisabledAt.is_null())
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(None);
        }
        // A reset is what someone does who lost the password or fears it is
        // known: whoever held the account by it is out, by every way in.
        // The account's other links die with this one (a mailbox read later,
        // or by someone else, must not set the password again), every
        // session ends and every API token is revoked.
        void_password_resets(&txn, row.user_id, stamp).await?;
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(row.user_id))
            .exec(&txn)
            .await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(stamp)))
            .filter(api_token::Column::UserId.eq(row.user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(Some(row.user_id))
    }

    /// Records an attempt under `key` (see [`Store::attempts`]); its id.
    pub async fn record_attempt(&self, key: &str, at: OffsetDateTime) -> Result<i32> {
        Ok(login_failure::ActiveModel {
            key: Set(key.to_owned()),
            at: Set(at),
            ..Default::default()
        }
        .insert(&self.db)
        .await?
        .id)
    }

    /// Times of the attempts recorded under `key` after `since`, but for
    /// the one with id `except` (the caller's own). Attempts share the
    /// `login_failures` table with failed logins, under keys of their own
    /// (`reset:…` for reset-link requests): it is pruned after a day and
    /// indexed by key and time, which is all a count over a window needs.
    pub async fn attempts(
        &self,
        key: &str,
        since: OffsetDateTime,
        except: Option<i32>,
    ) -> Result<Vec<OffsetDateTime>> {
        let mut query = login_failure::Entity::find()
            .filter(login_failure::Column::Key.eq(key))
            .filter(login_failure::Column::At.gt(since));
        if let Some(id) = except {
            query = query.filter(login_failure::Column::Id.ne(id));
        }
        Ok(query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| f.at)
            .collect())
    }

    /// Forgets an attempt that was refused, so that refused attempts do not
    /// extend a limit for as long as someone keeps trying.
    pub async fn forget_attempt(&self, id: i32) -> Result<()> {
        login_failure::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

/// Marks the account's unused reset (and invitation) links used: a new
/// password makes them pointless, and each is a way in while it lives.
async fn void_password_resets(
    txn: &sea_orm::DatabaseTransaction,
    user_id: i32,
    stamp: OffsetDateTime,
) -> Result<u64> {
    Ok(password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(Some(stamp)))
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected)
}

//! What two-factor sign-in keeps: the authenticator's secret on the
//! account, its one-time recovery codes (hashed), and sign-ins waiting for
//! their code. Every "use once" is a conditional update, so two nodes
//! given the same code at once accept it once.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use time::OffsetDateTime;

use crate::entities::{login_challenge, recovery_code, user};
use crate::{now, Result, Store};

pub type LoginChallengeRow = login_challenge::Model;

impl Store {
    /// Keeps a secret shown for enrolment (or forgets it, with `None`).
    pub async fn set_pending_totp(&self, user_id: i32, secret: Option<&str>) -> Result<()> {
        user::Entity::update_many()
            .col_expr(
                user::Column::TotpPendingSecret,
                Expr::value(secret.map(str::to_owned)),
            )
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Turns two-factor sign-in on with the pending `secret` (the code of
    /// `step` confirmed it, and is used up) and these recovery codes, in
    /// one transaction; whether the secret was still the pending one.
    pub async fn enable_totp(
        &self,
        user_id: i32,
        secret: &str,
        step: i64,
        code_hashes: &[String],
    ) -> Result<bool> {
        let stamp = now();
        let txn = self.db.begin().await?;
        let updated = user::Entity::update_many()
            .col_expr(user::Column::TotpSecret, Expr::value(Some(secret)))
            .col_expr(user::Column::TotpPendingSecret, Expr::value(None::<String>))
            .col_expr(user::Column::TotpEnabledAt, Expr::value(Some(stamp)))
            .col_expr(user::Column::TotpLastStep, Expr::value(Some(step)))
            .col_expr(user::Column::UpdatedAt, Expr::value(stamp))
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::TotpPendingSecret.eq(secret))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        replace_codes(&txn, user_id, code_hashes, stamp).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Turns two-factor sign-in off: the secret, the recovery codes and
    /// the sign-ins waiting for a code go.
    pub async fn disable_totp(&self, user_id: i32) -> Result<()> {
        let txn = self.db.begin().await?;
        user::Entity::update_many()
            .col_expr(user::Column::TotpSecret, Expr::value(None::<String>))
            .col_expr(user::Column::TotpPendingSecret, Expr::value(None::<String>))
            .col_expr(
                user::Column::TotpEnabledAt,
                Expr::value(None::<OffsetDateTime>),
            )
            .col_expr(user::Column::TotpLastStep, Expr::value(None::<i64>))
            .col_expr(user::Column::UpdatedAt, Expr::value(now()))
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        login_challenge::Entity::delete_many()
            .filter(login_challenge::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// New recovery codes in place of the old ones.
    pub async fn replace_recovery_codes(&self, user_id: i32, code_hashes: &[String]) -> Result<()> {
        let txn = self.db.begin().await?;
        replace_codes(&txn, user_id, code_hashes, now()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Claims the 30-second `step` for the account's code: true once, for
    /// a step later than any accepted before.
    pub async fn claim_totp_step(&self, user_id: i32, step: i64) -> Result<bool> {
        let updated = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(Some(step)))
            .filter(user::Column::Id.eq(user_id))
            .filter(
                Condition::any()
                    .add(user::Column::TotpLastStep.is_null())
                    .add(user::Column::TotpLastStep.lt(step)),
            )
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Uses up one of the account's recovery codes; whether it was one.
    pub async fn use_recovery_code(&self, user_id: i32, code_hash: &str) -> Result<bool> {
        let updated = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(Some(now())))
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::CodeHash.eq(code_hash))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Recovery codes the account has not used.
    pub async fn recovery_codes_left(&self, user_id: i32) -> Result<u64> {
        Ok(recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// A sign-in that passed its password and waits for its code.
    pub async fn create_login_challenge(
        &self,
        user_id: i32,
        token_hash: String,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        let stamp = now();
        // Forgotten ones go as new ones come: no job needed.
        login_challenge::Entity::delete_many()
            .filter(login_challenge::Column::ExpiresAt.lt(stamp))
            .exec(&self.db)
            .await?;
        login_challenge::ActiveModel {
            token_hash: Set(token_hash),
            user_id: Set(user_id),
            attempts: Set(0),
            created_at: Set(stamp),
            expires_at: Set(expires_at),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// A live challenge by its token's hash.
    pub async fn login_challenge(&self, token_hash: &str) -> Result<Option<LoginChallengeRow>> {
        Ok(login_challenge::Entity::find()
            .filter(login_challenge::Column::TokenHash.eq(token_hash))
            .filter(login_challenge::Column::ExpiresAt.gt(now()))
            .one(&self.db)
            .await?)
    }

    /// Counts one more code tried on a challenge, if it has fewer than
    /// `max` already; whether this attempt may go ahead.
    pub async fn take_challenge_attempt(&self, id: i32, max: i32) -> Result<bool> {
        let updated = login_challenge::Entity::update_many()
            .col_expr(
                login_challenge::Column::Attempts,
                Expr::col(login_challenge::Column::Attempts).add(1),
            )
            .filter(login_challenge::Column::Id.eq(id))
            .filter(login_challenge::Column::Attempts.lt(max))
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Ends a challenge (taken, or given up); whether it was still there,
    /// so that one challenge opens one session.
    pub async fn delete_login_challenge(&self, id: i32) -> Result<bool> {
        Ok(login_challenge::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected
            == 1)
    }
}

async fn replace_codes(
    txn: &sea_orm::DatabaseTransaction,
    user_id: i32,
    code_hashes: &[String],
    stamp: OffsetDateTime,
) -> Result<()> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    if code_hashes.is_empty() {
        return Ok(());
    }
    recovery_code::Entity::insert_many(code_hashes.iter().map(|hash| recovery_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(hash.clone()),
        created_at: Set(stamp),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

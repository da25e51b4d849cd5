//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238).
//!
//! `users.totp_secret` is the confirmed secret (base32); a secret shown for
//! enrolment waits in `totp_pending_secret` until a code from the app
//! confirms it. `totp_last_step` is the last 30-second step a code was
//! accepted for: a code works once, even on two nodes at once (a
//! conditional update claims it). Recovery codes are stored as SHA-256
//! hashes, one row each, used once. A sign-in that passed its password
//! and waits for its code is a `login_challenges` row (the token's hash,
//! a few minutes, a few attempts), so any node takes the second step.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TotpSecret,
    TotpPendingSecret,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum LoginChallenges {
    Table,
    Id,
    TokenHash,
    UserId,
    Attempts,
    CreatedAt,
    ExpiresAt,
}

fn id<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamp<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(Users::TotpSecret).text().null().to_owned(),
            ColumnDef::new(Users::TotpPendingSecret)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Users::TotpEnabledAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Users::TotpLastStep)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(id(RecoveryCodes::Id))
                    .col(ColumnDef::new(RecoveryCodes::UserId).integer().not_null())
                    .col(
                        ColumnDef::new(RecoveryCodes::CodeHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(timestamp(RecoveryCodes::CreatedAt))
                    .col(
                        ColumnDef::new(RecoveryCodes::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginChallenges::Table)
                    .col(id(LoginChallenges::Id))
                    .col(
                        ColumnDef::new(LoginChallenges::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(LoginChallenges::UserId).integer().not_null())
                    .col(
                        ColumnDef::new(LoginChallenges::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(LoginChallenges::CreatedAt))
                    .col(timestamp(LoginChallenges::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_login_challenges_token")
                    .table(LoginChallenges::Table)
                    .col(LoginChallenges::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginChallenges::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            Users::TotpSecret,
            Users::TotpPendingSecret,
            Users::TotpEnabledAt,
            Users::TotpLastStep,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

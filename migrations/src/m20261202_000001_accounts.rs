//! Accounts at work: sessions, API tokens, login failures (for throttling),
//! password-reset links, the mail outbox, the audit log; and what the
//! editorial workflow needs on entries and workflow events.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Entries {
    Table,
    Status,
    ScheduledAt,
    DeletedBy,
}

#[derive(DeriveIden)]
enum WorkflowEvents {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    UserAgent,
    Address,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Prefix,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Kind,
    SiteId,
    ToAddress,
    Subject,
    BodyText,
    BodyHtml,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    IdempotencyKey,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    SiteId,
    Target,
    Detail,
    CreatedAt,
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

fn optional_timestamp<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn user_fk(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    name: &str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(
                        ColumnDef::new(Sessions::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Sessions::UserId).integer().not_null())
                    .col(
                        ColumnDef::new(Sessions::CsrfToken)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(timestamp(Sessions::CreatedAt))
                    .col(timestamp(Sessions::LastSeenAt))
                    .col(timestamp(Sessions::ExpiresAt))
                    .col(
                        ColumnDef::new(Sessions::UserAgent)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Sessions::Address)
                            .string_len(64)
                            .not_null()
                            .default(""),
                    )
                    .foreign_key(&mut user_fk(
                        Sessions::Table,
                        Sessions::UserId,
                        "fk_sessions_user",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sessions_token")
                    .table(Sessions::Table)
                    .col(Sessions::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id(ApiTokens::Id))
                    .col(ColumnDef::new(ApiTokens::UserId).integer().not_null())
                    .col(ColumnDef::new(ApiTokens::Name).text().not_null())
                    .col(
                        ColumnDef::new(ApiTokens::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ApiTokens::Prefix).string_len(16).not_null())
                    .col(timestamp(ApiTokens::CreatedAt))
                    .col(optional_timestamp(ApiTokens::ExpiresAt))
                    .col(optional_timestamp(ApiTokens::LastUsedAt))
                    .col(optional_timestamp(ApiTokens::RevokedAt))
                    .foreign_key(&mut user_fk(
                        ApiTokens::Table,
                        ApiTokens::UserId,
                        "fk_api_tokens_user",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_api_tokens_hash")
                    .table(ApiTokens::Table)
                    .col(ApiTokens::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(id(LoginFailures::Id))
                    .col(
                        ColumnDef::new(LoginFailures::Key)
                            .string_len(400)
                            .not_null(),
                    )
                    .col(timestamp(LoginFailures::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_failures_key_at")
                    .table(LoginFailures::Table)
                    .col(LoginFailures::Key)
                    .col(LoginFailures::At)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(id(PasswordResets::Id))
                    .col(ColumnDef::new(PasswordResets::UserId).integer().not_null())
                    .col(
                        ColumnDef::new(PasswordResets::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(timestamp(PasswordResets::CreatedAt))
                    .col(timestamp(PasswordResets::ExpiresAt))
                    .col(optional_timestamp(PasswordResets::UsedAt))
                    .foreign_key(&mut user_fk(
                        PasswordResets::Table,
                        PasswordResets::UserId,
                        "fk_password_resets_user",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_password_resets_hash")
                    .table(PasswordResets::Table)
                    .col(PasswordResets::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(id(Outbox::Id))
                    .col(ColumnDef::new(Outbox::Kind).string_len(40).not_null())
                    .col(ColumnDef::new(Outbox::SiteId).integer().null())
                    .col(ColumnDef::new(Outbox::ToAddress).text().not_null())
                    .col(ColumnDef::new(Outbox::Subject).text().not_null())
                    .col(ColumnDef::new(Outbox::BodyText).text().not_null())
                    .col(ColumnDef::new(Outbox::BodyHtml).text().null())
                    .col(ColumnDef::new(Outbox::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Outbox::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(Outbox::NextAttemptAt))
                    .col(ColumnDef::new(Outbox::LastError).text().null())
                    .col(
                        ColumnDef::new(Outbox::IdempotencyKey)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(timestamp(Outbox::CreatedAt))
                    .col(optional_timestamp(Outbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_outbox_idempotency")
                    .table(Outbox::Table)
                    .col(Outbox::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id(AuditLog::Id))
                    .col(ColumnDef::new(AuditLog::ActorId).integer().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(40).not_null())
                    .col(ColumnDef::new(AuditLog::SiteId).integer().null())
                    .col(ColumnDef::new(AuditLog::Target).text().not_null())
                    .col(ColumnDef::new(AuditLog::Detail).text().not_null())
                    .col(timestamp(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_log_site")
                    .table(AuditLog::Table)
                    .col(AuditLog::SiteId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await?;

        // The version a transition saw: the review screen diffs "since the
        // last submission" by it.
        manager
            .alter_table(
                Table::alter()
                    .table(WorkflowEvents::Table)
                    .add_column(ColumnDef::new(WorkflowEvents::Version).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Entries::Table)
                    .add_column(ColumnDef::new(Entries::DeletedBy).integer().null())
                    .to_owned(),
            )
            .await?;
        // What the scheduler asks every few seconds on every node.
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_scheduled")
                    .table(Entries::Table)
                    .col(Entries::Status)
                    .col(Entries::ScheduledAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_entries_scheduled")
                    .table(Entries::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            AuditLog::Table.into_iden(),
            Outbox::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

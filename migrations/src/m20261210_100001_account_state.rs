//! Accounts that can be disabled, and what the people screen and the audit
//! log screen read: when each person last signed in, and whom an audit
//! record is about (so "everything about this person" is one indexed
//! query, whoever acted).
//!
//! `users.disabled_at` is set while an account may not get in; every
//! request checks it, so a disabled account is refused by every node at
//! once. `users.last_login_at` is written at each sign-in, and filled here
//! from the sign-ins the audit log already holds.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    DisabledAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ActorId,
    SubjectUserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Users::DisabledAt, Users::LastLoginAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(
                            ColumnDef::new(column)
                                .timestamp_with_time_zone()
                                .null()
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .add_column(ColumnDef::new(AuditLog::SubjectUserId).integer().null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_audit_log_actor", AuditLog::ActorId),
            ("ix_audit_log_subject", AuditLog::SubjectUserId),
            ("ix_audit_log_created", AuditLog::CreatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        // What the log already knows: sign-ins name their person as the
        // actor, roles given name theirs by address.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE users SET last_login_at = (SELECT MAX(a.created_at) FROM audit_log a \
             WHERE a.action = 'login' AND a.actor_id = users.id)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE audit_log SET subject_user_id = actor_id WHERE action = 'login'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE audit_log SET subject_user_id = (SELECT u.id FROM users u \
             WHERE u.email = audit_log.target) WHERE action = 'member_set'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_audit_log_actor",
            "ix_audit_log_subject",
            "ix_audit_log_created",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(AuditLog::Table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::SubjectUserId)
                    .to_owned(),
            )
            .await?;
        for column in [Users::DisabledAt, Users::LastLoginAt] {
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

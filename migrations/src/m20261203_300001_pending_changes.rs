//! Pending changes: an edit of a published entry kept beside the live text
//! until a publisher publishes it (docs/ARCHITECTURE.md, "Pending changes").
//!
//! One per entry at most (a unique index): everybody who may propose a
//! change works on the same one, as they would on a draft. `version`
//! guards it as `entries.version` guards an entry: two saves of one
//! version, the second is told. `base_version` is the entry's version the
//! change was started from, so a publisher sees when the live text moved
//! on meanwhile.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PendingChanges {
    Table,
    Id,
    EntryId,
    /// Who started it (null once their account is gone).
    AuthorId,
    /// `draft` or `in_review`.
    Status,
    BaseVersion,
    Version,
    /// What the change holds, as the editor's form sends it (JSON).
    Content,
    /// The publisher's words when the change was sent back.
    Comment,
    CreatedAt,
    UpdatedAt,
    SubmittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PendingChanges::Table)
                    .col(
                        ColumnDef::new(PendingChanges::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PendingChanges::EntryId).integer().not_null())
                    .col(ColumnDef::new(PendingChanges::AuthorId).integer().null())
                    .col(
                        ColumnDef::new(PendingChanges::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PendingChanges::BaseVersion)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(PendingChanges::Version).integer().not_null())
                    .col(ColumnDef::new(PendingChanges::Content).json().not_null())
                    .col(
                        ColumnDef::new(PendingChanges::Comment)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(PendingChanges::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PendingChanges::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PendingChanges::SubmittedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_pending_changes_entry")
                    .table(PendingChanges::Table)
                    .col(PendingChanges::EntryId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PendingChanges::Table).to_owned())
            .await
    }
}

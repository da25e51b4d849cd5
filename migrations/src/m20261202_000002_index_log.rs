//! The search index's log: one row per change of an entry, written in the
//! same transaction as the change, so an index that was down or a crash
//! between the two loses nothing. Each index remembers the last row it
//! applied (with its own commit), so any number of nodes catch up alone.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IndexLog {
    Table,
    Id,
    EntryId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndexLog::Table)
                    .col(
                        ColumnDef::new(IndexLog::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(IndexLog::EntryId).integer().not_null())
                    .col(
                        ColumnDef::new(IndexLog::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IndexLog::Table).to_owned())
            .await
    }
}

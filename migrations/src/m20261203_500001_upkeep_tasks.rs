//! Upkeep tasks: work an upgrade leaves for a server to do once, which a
//! migration cannot do itself (it needs the files and the app's rules).
//!
//! A row is a task still to do. A server that starts claims it by setting
//! `claimed_until` (one update that succeeds only when nobody holds it or
//! the holder's lease ran out, so of several nodes starting at once one
//! does the work), and deletes it when done; a server that stopped half-way
//! leaves it for the next one once its lease runs out. With no row the
//! start costs one indexed update that changes nothing.
//!
//! The first task: `adopt_imported_photos`, the covers and images of
//! entries imported before imported photos were library items, made into
//! items of their site's library (`App::adopt_imported_photos`).

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UpkeepTasks {
    Table,
    Task,
    ClaimedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UpkeepTasks::Table)
                    .col(
                        ColumnDef::new(UpkeepTasks::Task)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(UpkeepTasks::ClaimedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(UpkeepTasks::Table)
                    .columns([UpkeepTasks::Task])
                    .values(["adopt_imported_photos".into()])
                    .map_err(|e| DbErr::Custom(e.to_string()))?
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UpkeepTasks::Table).to_owned())
            .await
    }
}

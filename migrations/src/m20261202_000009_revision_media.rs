//! Revisions keep the entry's cover and gallery, so that restoring a
//! version brings back its photos as well as its text.
//!
//! `gallery` is NULL in revisions made before this migration: those did
//! not record the photos, and restoring them leaves the entry's own.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Revisions {
    Table,
    CoverMediaId,
    Gallery,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [
            ColumnDef::new(Revisions::CoverMediaId)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Revisions::Gallery).text().null().to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Revisions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Revisions::Gallery, Revisions::CoverMediaId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Revisions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

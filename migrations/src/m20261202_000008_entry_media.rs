//! An entry's cover and gallery from the media library.
//!
//! `cover_media_id` names the library item; `cover_image` holds what pages
//! need to show it (its renditions' URLs and sizes, as JSON), resolved when
//! the entry is saved or the item changes, so lists of cards read it with
//! the entry's row and cost no extra round trip. `cover_url` and
//! `cover_alt` keep serving imported covers, and carry the cover's largest
//! JPEG and alt text for feeds and OpenGraph.
//!
//! `gallery` is the ordered list of item ids, space-separated: read with
//! the entry's row (an entry page without a gallery costs nothing more),
//! and small (a gallery is a few dozen photos at most).

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Entries {
    Table,
    SiteId,
    CoverMediaId,
    CoverImage,
    Gallery,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [
            ColumnDef::new(Entries::CoverMediaId)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Entries::CoverImage).json().null().to_owned(),
            ColumnDef::new(Entries::Gallery)
                .text()
                .not_null()
                .default("")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Entries::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // "Used in" and the refusal to delete a cover ask by item.
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_cover_media")
                    .table(Entries::Table)
                    .col(Entries::SiteId)
                    .col(Entries::CoverMediaId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_entries_cover_media")
                    .table(Entries::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Entries::Gallery, Entries::CoverImage, Entries::CoverMediaId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Entries::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

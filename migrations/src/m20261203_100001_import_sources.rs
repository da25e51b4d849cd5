//! What an import from another publishing system brought in, and the old
//! addresses that must keep working.
//!
//! `import_sources` ties an item of the old site (a WordPress post, an
//! attachment, a Blogger post…) to what it became here (an entry or a
//! library item): importing the same export again finds it by its old id
//! and updates it rather than adding a copy, and an import cut short
//! resumes where it stopped. `(site_id, source, source_key)` is unique.
//!
//! `redirects` maps an old address of a site (a decoded path such as
//! `/2019/05/12/rentree`, or a query such as `?p=42`) to its new path. The
//! public pages read it only when a path leads nowhere, by its unique
//! `(site_id, old_path)` index: one indexed lookup on a miss.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ImportSources {
    Table,
    Id,
    SiteId,
    /// `wordpress` or `blogger`.
    Source,
    /// The kind and the old id: `post:42`, `attachment:7`, `category:news`.
    SourceKey,
    /// `entry` or `media`.
    TargetKind,
    TargetId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Redirects {
    Table,
    Id,
    SiteId,
    OldPath,
    NewPath,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportSources::Table)
                    .col(
                        ColumnDef::new(ImportSources::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ImportSources::SiteId).integer().not_null())
                    .col(
                        ColumnDef::new(ImportSources::Source)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ImportSources::SourceKey).text().not_null())
                    .col(
                        ColumnDef::new(ImportSources::TargetKind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ImportSources::TargetId).integer().not_null())
                    .col(
                        ColumnDef::new(ImportSources::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_import_sources_key")
                    .table(ImportSources::Table)
                    .col(ImportSources::SiteId)
                    .col(ImportSources::Source)
                    .col(ImportSources::SourceKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Redirects::Table)
                    .col(
                        ColumnDef::new(Redirects::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Redirects::SiteId).integer().not_null())
                    .col(ColumnDef::new(Redirects::OldPath).text().not_null())
                    .col(ColumnDef::new(Redirects::NewPath).text().not_null())
                    .col(
                        ColumnDef::new(Redirects::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_redirects_old_path")
                    .table(Redirects::Table)
                    .col(Redirects::SiteId)
                    .col(Redirects::OldPath)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Redirects::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ImportSources::Table).to_owned())
            .await
    }
}

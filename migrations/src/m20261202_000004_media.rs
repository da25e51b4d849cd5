//! The media library: one row per item of a site's library (an uploaded
//! image, document or video, or a link to a YouTube or Facebook video) and
//! one row per generated rendition of an image. Files are named by their
//! content hash, and a site holds a given file once: (site, hash) is unique.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    SiteId,
    Kind,
    OriginalName,
    StoredName,
    Mime,
    Size,
    Width,
    Height,
    Hash,
    AltAr,
    AltFr,
    Caption,
    Credit,
    Rights,
    DepictsMinors,
    FocalX,
    FocalY,
    VideoProvider,
    VideoId,
    UploadedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Renditions {
    Table,
    Id,
    MediaId,
    Width,
    Height,
    Format,
    /// `width` or `thumbnail`.
    Purpose,
    StoredName,
    Size,
}

fn text_default<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .text()
        .not_null()
        .default("")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(
                        ColumnDef::new(Media::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Media::SiteId).integer().not_null())
                    // image | document | video | video_link
                    .col(ColumnDef::new(Media::Kind).string_len(16).not_null())
                    .col(text_default(Media::OriginalName))
                    // Empty for a video link.
                    .col(text_default(Media::StoredName))
                    .col(text_default(Media::Mime))
                    .col(
                        ColumnDef::new(Media::Size)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Media::Width).integer().null())
                    .col(ColumnDef::new(Media::Height).integer().null())
                    // SHA-256 of the file; for a video link, of its provider and id,
                    // so a link added twice is one item too.
                    .col(ColumnDef::new(Media::Hash).string_len(64).not_null())
                    .col(text_default(Media::AltAr))
                    .col(text_default(Media::AltFr))
                    .col(text_default(Media::Caption))
                    .col(text_default(Media::Credit))
                    // own | licensed | consent_on_file | public_domain
                    .col(
                        ColumnDef::new(Media::Rights)
                            .string_len(20)
                            .not_null()
                            .default("own"),
                    )
                    .col(
                        ColumnDef::new(Media::DepictsMinors)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Media::FocalX)
                            .float()
                            .not_null()
                            .default(0.5),
                    )
                    .col(
                        ColumnDef::new(Media::FocalY)
                            .float()
                            .not_null()
                            .default(0.5),
                    )
                    .col(ColumnDef::new(Media::VideoProvider).string_len(16).null())
                    .col(ColumnDef::new(Media::VideoId).string_len(64).null())
                    .col(ColumnDef::new(Media::UploadedBy).integer().null())
                    .col(
                        ColumnDef::new(Media::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Media::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_site")
                            .from(Media::Table, Media::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_uploaded_by")
                            .from(Media::Table, Media::UploadedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_media_site_hash")
                    .table(Media::Table)
                    .col(Media::SiteId)
                    .col(Media::Hash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The library grid: a site's items, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_media_site_created")
                    .table(Media::Table)
                    .col(Media::SiteId)
                    .col(Media::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Renditions::Table)
                    .col(
                        ColumnDef::new(Renditions::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Renditions::MediaId).integer().not_null())
                    .col(ColumnDef::new(Renditions::Width).integer().not_null())
                    .col(ColumnDef::new(Renditions::Height).integer().not_null())
                    // webp | jpeg
                    .col(ColumnDef::new(Renditions::Format).string_len(8).not_null())
                    .col(
                        ColumnDef::new(Renditions::Purpose)
                            .string_len(16)
                            .not_null()
                            .default("width"),
                    )
                    .col(ColumnDef::new(Renditions::StoredName).text().not_null())
                    .col(ColumnDef::new(Renditions::Size).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_renditions_media")
                            .from(Renditions::Table, Renditions::MediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_renditions_media")
                    .table(Renditions::Table)
                    .col(Renditions::MediaId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Renditions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}

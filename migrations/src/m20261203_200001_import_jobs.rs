//! Moving an old site in from the admin: each upload of an export is a job
//! row, so every web node and a later visit see where it stands.
//!
//! `active_site_id` holds the site's id while the job is queued or running
//! and is null otherwise: its unique index lets one import at a time into a
//! site, whatever the number of nodes (both SQLite and PostgreSQL let any
//! number of rows hold null). `heartbeat_at` is touched every few seconds
//! by the process that runs the job: a running job whose heartbeat stopped
//! belongs to a process that died, and is shown as interrupted.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ImportJobs {
    Table,
    Id,
    SiteId,
    /// `wordpress` or `blogger`.
    Format,
    /// The export as it was uploaded, under the data folder of the node
    /// that received it.
    FilePath,
    /// The name the file had on the person's computer.
    FileName,
    FileSize,
    FetchMedia,
    /// The account every entry is given to, or null to match the export's
    /// authors by e-mail.
    AuthorEmail,
    /// planned, queued, running, done, failed, interrupted.
    State,
    ActiveSiteId,
    Phase,
    Done,
    Total,
    /// The dry run's report (JSON), then the import's.
    Report,
    /// Why a run failed, for people.
    Error,
    CreatedBy,
    CreatedAt,
    ConfirmedAt,
    StartedAt,
    FinishedAt,
    HeartbeatAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportJobs::Table)
                    .col(
                        ColumnDef::new(ImportJobs::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ImportJobs::SiteId).integer().not_null())
                    .col(ColumnDef::new(ImportJobs::Format).string_len(16).not_null())
                    .col(ColumnDef::new(ImportJobs::FilePath).text().not_null())
                    .col(ColumnDef::new(ImportJobs::FileName).text().not_null())
                    .col(
                        ColumnDef::new(ImportJobs::FileSize)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ImportJobs::FetchMedia).boolean().not_null())
                    .col(ColumnDef::new(ImportJobs::AuthorEmail).text().null())
                    .col(ColumnDef::new(ImportJobs::State).string_len(16).not_null())
                    .col(ColumnDef::new(ImportJobs::ActiveSiteId).integer().null())
                    .col(
                        ColumnDef::new(ImportJobs::Phase)
                            .string_len(32)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(ImportJobs::Done)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(ImportJobs::Total)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(ImportJobs::Report).text().not_null())
                    .col(ColumnDef::new(ImportJobs::Error).text().null())
                    .col(ColumnDef::new(ImportJobs::CreatedBy).integer().null())
                    .col(
                        ColumnDef::new(ImportJobs::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ImportJobs::ConfirmedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ImportJobs::StartedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ImportJobs::FinishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ImportJobs::HeartbeatAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_import_jobs_active_site")
                    .table(ImportJobs::Table)
                    .col(ImportJobs::ActiveSiteId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_import_jobs_site")
                    .table(ImportJobs::Table)
                    .col(ImportJobs::SiteId)
                    .col(ImportJobs::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ImportJobs::Table).to_owned())
            .await
    }
}

//! The follow-up of training recommendations: one row per line of a
//! published training report's recommendations (`recommendations`), with
//! its status, owner, due date and note, and every change to it kept
//! (`recommendation_events`).

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
enum Entries {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Recommendations {
    Table,
    Id,
    EntryId,
    SiteId,
    /// Its place in the report's list (from 0), as last published.
    Position,
    /// The line as the report says it: records are matched to lines by it.
    Text,
    /// `open`, `in_progress`, `done` or `dropped`.
    Status,
    /// The person of the site who carries it out, if a person.
    OwnerUserId,
    /// Or a named service, as free text (empty when none).
    OwnerService,
    DueOn,
    Note,
    /// False once the line was taken out of the published report: the
    /// record and its history stay, marked as no longer in the report.
    InReport,
    /// When the owner was reminded that the due date passed (once).
    RemindedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecommendationEvents {
    Table,
    Id,
    RecommendationId,
    /// Who changed it; none when the publication of the report did.
    ActorId,
    At,
    /// What changed, as JSON: `[{"field", "before", "after"}]`.
    Changes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Recommendations::Table)
                    .col(
                        ColumnDef::new(Recommendations::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Recommendations::EntryId)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Recommendations::SiteId).integer().not_null())
                    .col(
                        ColumnDef::new(Recommendations::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Recommendations::Text).text().not_null())
                    .col(
                        ColumnDef::new(Recommendations::Status)
                            .string_len(16)
                            .not_null()
                            .default("open"),
                    )
                    .col(
                        ColumnDef::new(Recommendations::OwnerUserId)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Recommendations::OwnerService)
                            .string_len(200)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Recommendations::DueOn).date().null())
                    .col(
                        ColumnDef::new(Recommendations::Note)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Recommendations::InReport)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(Recommendations::RemindedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Recommendations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Recommendations::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recommendations_entry")
                            .from(Recommendations::Table, Recommendations::EntryId)
                            .to(Entries::Table, Entries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recommendations_site")
                            .from(Recommendations::Table, Recommendations::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recommendations_owner")
                            .from(Recommendations::Table, Recommendations::OwnerUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recommendations_site_status")
                    .table(Recommendations::Table)
                    .col(Recommendations::SiteId)
                    .col(Recommendations::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recommendations_entry")
                    .table(Recommendations::Table)
                    .col(Recommendations::EntryId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecommendationEvents::Table)
                    .col(
                        ColumnDef::new(RecommendationEvents::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(RecommendationEvents::RecommendationId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RecommendationEvents::ActorId)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(RecommendationEvents::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RecommendationEvents::Changes)
                            .text()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recommendation_events_recommendation")
                            .from(
                                RecommendationEvents::Table,
                                RecommendationEvents::RecommendationId,
                            )
                            .to(Recommendations::Table, Recommendations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recommendation_events_actor")
                            .from(RecommendationEvents::Table, RecommendationEvents::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recommendation_events_recommendation")
                    .table(RecommendationEvents::Table)
                    .col(RecommendationEvents::RecommendationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecommendationEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Recommendations::Table).to_owned())
            .await
    }
}

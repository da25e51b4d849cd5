//! The network: sites and their hosts, users and memberships, the shared
//! vocabularies, entries with their revisions and workflow events.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
    Slug,
    Kind,
    ParentId,
    NameAr,
    NameFr,
    TaglineAr,
    TaglineFr,
    DefaultLocale,
    Theme,
    LogoUrl,
    Contact,
    Social,
    Settings,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SiteHosts {
    Table,
    Id,
    SiteId,
    Host,
    Position,
}

#[derive(DeriveIden)]
enum SiteTemplates {
    Table,
    Id,
    SiteId,
    Name,
    Source,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    IsPlatformAdmin,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    UserId,
    SiteId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
    Slug,
    NameAr,
    NameFr,
    DescriptionAr,
    DescriptionFr,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    SiteId,
    Slug,
    NameAr,
    NameFr,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Id,
    Slug,
    Name,
}

#[derive(DeriveIden)]
enum Entries {
    Table,
    Id,
    SiteId,
    Kind,
    Locale,
    TranslationKey,
    Slug,
    Title,
    Summary,
    BodyMd,
    BodyHtml,
    CoverUrl,
    CoverAlt,
    CategoryId,
    Fields,
    Status,
    PublishedAt,
    ScheduledAt,
    AuthorId,
    Version,
    Featured,
    FeaturedOnParent,
    MenuOrder,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum EntryTags {
    Table,
    EntryId,
    TagId,
}

#[derive(DeriveIden)]
enum EntryProgrammes {
    Table,
    ProgrammeId,
}

#[derive(DeriveIden)]
enum Revisions {
    Table,
    Id,
    EntryId,
    Version,
    Title,
    Summary,
    BodyMd,
    Fields,
    AuthorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WorkflowEvents {
    Table,
    Id,
    EntryId,
    Action,
    FromStatus,
    ToStatus,
    ActorId,
    Comment,
    CreatedAt,
}

fn id<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamp<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sites::Table)
                    .col(id(Sites::Id))
                    .col(
                        ColumnDef::new(Sites::Slug)
                            .string_len(40)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Sites::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Sites::ParentId).integer().null())
                    .col(ColumnDef::new(Sites::NameAr).text().not_null())
                    .col(ColumnDef::new(Sites::NameFr).text().not_null())
                    .col(
                        ColumnDef::new(Sites::TaglineAr)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Sites::TaglineFr)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Sites::DefaultLocale)
                            .string_len(5)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Sites::Theme).string_len(64).not_null())
                    .col(ColumnDef::new(Sites::LogoUrl).text().null())
                    .col(ColumnDef::new(Sites::Contact).json().not_null())
                    .col(ColumnDef::new(Sites::Social).json().not_null())
                    .col(ColumnDef::new(Sites::Settings).json().not_null())
                    .col(timestamp(Sites::CreatedAt))
                    .col(timestamp(Sites::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_sites_parent",
                        (Sites::Table, Sites::ParentId),
                        (Sites::Table, Sites::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SiteHosts::Table)
                    .col(id(SiteHosts::Id))
                    .col(ColumnDef::new(SiteHosts::SiteId).integer().not_null())
                    .col(
                        ColumnDef::new(SiteHosts::Host)
                            .string_len(253)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(SiteHosts::Position)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(&mut fk(
                        "fk_site_hosts_site",
                        (SiteHosts::Table, SiteHosts::SiteId),
                        (Sites::Table, Sites::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SiteTemplates::Table)
                    .col(id(SiteTemplates::Id))
                    .col(ColumnDef::new(SiteTemplates::SiteId).integer().not_null())
                    .col(
                        ColumnDef::new(SiteTemplates::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SiteTemplates::Source).text().not_null())
                    .col(timestamp(SiteTemplates::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_site_templates_site",
                        (SiteTemplates::Table, SiteTemplates::SiteId),
                        (Sites::Table, Sites::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_site_templates_site_name")
                    .table(SiteTemplates::Table)
                    .col(SiteTemplates::SiteId)
                    .col(SiteTemplates::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(
                        ColumnDef::new(Users::Email)
                            .string_len(254)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::Name).text().not_null())
                    .col(ColumnDef::new(Users::PasswordHash).text().null())
                    .col(
                        ColumnDef::new(Users::IsPlatformAdmin)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(timestamp(Users::CreatedAt))
                    .col(timestamp(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(id(Memberships::Id))
                    .col(ColumnDef::new(Memberships::UserId).integer().not_null())
                    .col(ColumnDef::new(Memberships::SiteId).integer().not_null())
                    .col(ColumnDef::new(Memberships::Role).string_len(16).not_null())
                    .col(timestamp(Memberships::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_memberships_user",
                        (Memberships::Table, Memberships::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_memberships_site",
                        (Memberships::Table, Memberships::SiteId),
                        (Sites::Table, Sites::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_memberships_user_site")
                    .table(Memberships::Table)
                    .col(Memberships::UserId)
                    .col(Memberships::SiteId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Programmes::Table)
                    .col(id(Programmes::Id))
                    .col(
                        ColumnDef::new(Programmes::Slug)
                            .string_len(80)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Programmes::NameAr).text().not_null())
                    .col(ColumnDef::new(Programmes::NameFr).text().not_null())
                    .col(
                        ColumnDef::new(Programmes::DescriptionAr)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Programmes::DescriptionFr)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(id(Categories::Id))
                    .col(ColumnDef::new(Categories::SiteId).integer().not_null())
                    .col(ColumnDef::new(Categories::Slug).string_len(80).not_null())
                    .col(ColumnDef::new(Categories::NameAr).text().not_null())
                    .col(ColumnDef::new(Categories::NameFr).text().not_null())
                    .foreign_key(&mut fk(
                        "fk_categories_site",
                        (Categories::Table, Categories::SiteId),
                        (Sites::Table, Sites::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_categories_site_slug")
                    .table(Categories::Table)
                    .col(Categories::SiteId)
                    .col(Categories::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tags::Table)
                    .col(id(Tags::Id))
                    .col(
                        ColumnDef::new(Tags::Slug)
                            .string_len(100)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Tags::Name).text().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Entries::Table)
                    .col(id(Entries::Id))
                    .col(ColumnDef::new(Entries::SiteId).integer().not_null())
                    .col(ColumnDef::new(Entries::Kind).string_len(20).not_null())
                    .col(ColumnDef::new(Entries::Locale).string_len(5).not_null())
                    .col(
                        ColumnDef::new(Entries::TranslationKey)
                            .string_len(100)
                            .null(),
                    )
                    .col(ColumnDef::new(Entries::Slug).string_len(100).not_null())
                    .col(ColumnDef::new(Entries::Title).text().not_null())
                    .col(ColumnDef::new(Entries::Summary).text().not_null())
                    .col(ColumnDef::new(Entries::BodyMd).text().not_null())
                    .col(ColumnDef::new(Entries::BodyHtml).text().not_null())
                    .col(ColumnDef::new(Entries::CoverUrl).text().null())
                    .col(
                        ColumnDef::new(Entries::CoverAlt)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Entries::CategoryId).integer().null())
                    .col(ColumnDef::new(Entries::Fields).json().not_null())
                    .col(ColumnDef::new(Entries::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Entries::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Entries::ScheduledAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Entries::AuthorId).integer().null())
                    .col(
                        ColumnDef::new(Entries::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Entries::Featured)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Entries::FeaturedOnParent)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(Entries::MenuOrder).integer().null())
                    .col(timestamp(Entries::CreatedAt))
                    .col(timestamp(Entries::UpdatedAt))
                    .col(
                        ColumnDef::new(Entries::DeletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_entries_site",
                        (Entries::Table, Entries::SiteId),
                        (Sites::Table, Sites::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_entries_category",
                        (Entries::Table, Entries::CategoryId),
                        (Categories::Table, Categories::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_entries_author",
                        (Entries::Table, Entries::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_entries_site_slug")
                    .table(Entries::Table)
                    .col(Entries::SiteId)
                    .col(Entries::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_site_status_published")
                    .table(Entries::Table)
                    .col(Entries::SiteId)
                    .col(Entries::Status)
                    .col(Entries::PublishedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_site_kind_published")
                    .table(Entries::Table)
                    .col(Entries::SiteId)
                    .col(Entries::Kind)
                    .col(Entries::PublishedAt)
                    .to_owned(),
            )
            .await?;

        for (table, other, other_col, other_table, name) in [
            (
                EntryTags::Table.into_iden(),
                EntryTags::TagId.into_iden(),
                Tags::Id.into_iden(),
                Tags::Table.into_iden(),
                "entry_tags",
            ),
            (
                EntryProgrammes::Table.into_iden(),
                EntryProgrammes::ProgrammeId.into_iden(),
                Programmes::Id.into_iden(),
                Programmes::Table.into_iden(),
                "entry_programmes",
            ),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table.clone())
                        // Both link tables name their entry column `entry_id`.
                        .col(ColumnDef::new(EntryTags::EntryId).integer().not_null())
                        .col(ColumnDef::new(other.clone()).integer().not_null())
                        .primary_key(Index::create().col(EntryTags::EntryId).col(other.clone()))
                        .foreign_key(&mut fk(
                            &format!("fk_{name}_entry"),
                            (table.clone(), EntryTags::EntryId),
                            (Entries::Table, Entries::Id),
                            ForeignKeyAction::Cascade,
                        ))
                        .foreign_key(&mut fk(
                            &format!("fk_{name}_other"),
                            (table.clone(), other.clone()),
                            (other_table, other_col),
                            ForeignKeyAction::Cascade,
                        ))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("ix_{name}_other"))
                        .table(table)
                        .col(other)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Revisions::Table)
                    .col(id(Revisions::Id))
                    .col(ColumnDef::new(Revisions::EntryId).integer().not_null())
                    .col(ColumnDef::new(Revisions::Version).integer().not_null())
                    .col(ColumnDef::new(Revisions::Title).text().not_null())
                    .col(ColumnDef::new(Revisions::Summary).text().not_null())
                    .col(ColumnDef::new(Revisions::BodyMd).text().not_null())
                    .col(ColumnDef::new(Revisions::Fields).json().not_null())
                    .col(ColumnDef::new(Revisions::AuthorId).integer().null())
                    .col(timestamp(Revisions::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_revisions_entry",
                        (Revisions::Table, Revisions::EntryId),
                        (Entries::Table, Entries::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_revisions_author",
                        (Revisions::Table, Revisions::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_revisions_entry_version")
                    .table(Revisions::Table)
                    .col(Revisions::EntryId)
                    .col(Revisions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WorkflowEvents::Table)
                    .col(id(WorkflowEvents::Id))
                    .col(ColumnDef::new(WorkflowEvents::EntryId).integer().not_null())
                    .col(
                        ColumnDef::new(WorkflowEvents::Action)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WorkflowEvents::FromStatus)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WorkflowEvents::ToStatus)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WorkflowEvents::ActorId).integer().null())
                    .col(
                        ColumnDef::new(WorkflowEvents::Comment)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(timestamp(WorkflowEvents::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_workflow_events_entry",
                        (WorkflowEvents::Table, WorkflowEvents::EntryId),
                        (Entries::Table, Entries::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_workflow_events_actor",
                        (WorkflowEvents::Table, WorkflowEvents::ActorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_workflow_events_entry")
                    .table(WorkflowEvents::Table)
                    .col(WorkflowEvents::EntryId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WorkflowEvents::Table.into_iden(),
            Revisions::Table.into_iden(),
            EntryProgrammes::Table.into_iden(),
            EntryTags::Table.into_iden(),
            Entries::Table.into_iden(),
            Tags::Table.into_iden(),
            Categories::Table.into_iden(),
            Programmes::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            SiteTemplates::Table.into_iden(),
            SiteHosts::Table.into_iden(),
            Sites::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! The directory of a directorate and the notices sent to it: institutions
//! (unique code per site), contacts (unique functional address per site),
//! audiences (a named rule, JSON, per site) and notices (who sent which
//! entry to which audiences, when; the messages themselves are outbox rows
//! whose idempotency key starts `notice:{entry}:{notice}:`).

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

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
enum Entries {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
    SiteId,
    Code,
    NameAr,
    NameFr,
    /// preschool | primary | middle | secondary
    Cycle,
    Commune,
    Email,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    SiteId,
    Name,
    /// principal | teacher | inspector | … (domain::directory::Function)
    Function,
    InstitutionId,
    Email,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Audiences {
    Table,
    Id,
    SiteId,
    Name,
    /// JSON: domain::directory::AudienceRule.
    Rule,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notices {
    Table,
    Id,
    EntryId,
    SiteId,
    SentBy,
    /// JSON: [{id, name}] of the audiences, as they were named then.
    Audiences,
    Recipients,
    /// What makes a second submission of the same form the same notice.
    RequestKey,
    CreatedAt,
}

fn stamp<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn id<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn site_fk<T: IntoIden + 'static>(table: T, column: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Sites::Table, Sites::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Institutions::Table)
                    .col(id(Institutions::Id))
                    .col(ColumnDef::new(Institutions::SiteId).integer().not_null())
                    .col(ColumnDef::new(Institutions::Code).string_len(32).not_null())
                    .col(ColumnDef::new(Institutions::NameAr).text().not_null())
                    .col(ColumnDef::new(Institutions::NameFr).text().not_null())
                    .col(
                        ColumnDef::new(Institutions::Cycle)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Institutions::Commune)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Institutions::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(stamp(Institutions::CreatedAt))
                    .col(stamp(Institutions::UpdatedAt))
                    .foreign_key(&mut site_fk(
                        Institutions::Table,
                        Institutions::SiteId,
                        "fk_institutions_site",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_institutions_site_code")
                    .table(Institutions::Table)
                    .col(Institutions::SiteId)
                    .col(Institutions::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(id(Contacts::Id))
                    .col(ColumnDef::new(Contacts::SiteId).integer().not_null())
                    .col(ColumnDef::new(Contacts::Name).text().not_null())
                    .col(ColumnDef::new(Contacts::Function).string_len(24).not_null())
                    .col(ColumnDef::new(Contacts::InstitutionId).integer().null())
                    .col(ColumnDef::new(Contacts::Email).string_len(254).not_null())
                    .col(stamp(Contacts::CreatedAt))
                    .col(stamp(Contacts::UpdatedAt))
                    .foreign_key(&mut site_fk(
                        Contacts::Table,
                        Contacts::SiteId,
                        "fk_contacts_site",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contacts_institution")
                            .from(Contacts::Table, Contacts::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_contacts_site_email")
                    .table(Contacts::Table)
                    .col(Contacts::SiteId)
                    .col(Contacts::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contacts_institution")
                    .table(Contacts::Table)
                    .col(Contacts::InstitutionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Audiences::Table)
                    .col(id(Audiences::Id))
                    .col(ColumnDef::new(Audiences::SiteId).integer().not_null())
                    .col(ColumnDef::new(Audiences::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Audiences::Rule).text().not_null())
                    .col(stamp(Audiences::CreatedAt))
                    .col(stamp(Audiences::UpdatedAt))
                    .foreign_key(&mut site_fk(
                        Audiences::Table,
                        Audiences::SiteId,
                        "fk_audiences_site",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_audiences_site_name")
                    .table(Audiences::Table)
                    .col(Audiences::SiteId)
                    .col(Audiences::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notices::Table)
                    .col(id(Notices::Id))
                    .col(ColumnDef::new(Notices::EntryId).integer().not_null())
                    .col(ColumnDef::new(Notices::SiteId).integer().not_null())
                    .col(ColumnDef::new(Notices::SentBy).integer().null())
                    .col(ColumnDef::new(Notices::Audiences).text().not_null())
                    .col(ColumnDef::new(Notices::Recipients).integer().not_null())
                    .col(
                        ColumnDef::new(Notices::RequestKey)
                            .string_len(80)
                            .not_null(),
                    )
                    .col(stamp(Notices::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notices_entry")
                            .from(Notices::Table, Notices::EntryId)
                            .to(Entries::Table, Entries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut site_fk(
                        Notices::Table,
                        Notices::SiteId,
                        "fk_notices_site",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notices_sent_by")
                            .from(Notices::Table, Notices::SentBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notices_entry_key")
                    .table(Notices::Table)
                    .col(Notices::EntryId)
                    .col(Notices::RequestKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // A notice's delivery counts read the outbox by key prefix. SQLite
        // answers `GLOB 'prefix*'` from the unique index on the key already;
        // PostgreSQL needs an index in byte order to answer `LIKE 'prefix%'`.
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_outbox_key_prefix ON outbox (idempotency_key text_pattern_ops)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_outbox_key_prefix")
                .await?;
        }
        for table in [
            Notices::Table.into_iden(),
            Audiences::Table.into_iden(),
            Contacts::Table.into_iden(),
            Institutions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

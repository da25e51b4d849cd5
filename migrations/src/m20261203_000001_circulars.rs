//! Internal circulars: a circular is an entry of kind `circular`; sending
//! it gives it a reference number per site and year (`circulars`), and each
//! person it was sent to a row (`circular_recipients`) with the hash of
//! their personal token (acknowledgement and download links), the outbox
//! key of their copy (its delivery is read from the outbox), when they
//! acknowledged, and the reminders they were sent.

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
enum Circulars {
    Table,
    /// One circular per entry.
    EntryId,
    SiteId,
    Year,
    /// The reference number within the site and year: «مذكرة رقم 12/2026».
    Number,
    /// The day by which recipients are asked to acknowledge, if any.
    AcknowledgeBy,
    /// Personal download links work until then.
    FilesUntil,
    SentBy,
    SentAt,
    /// When the automatic reminder went out (once, after `acknowledge_by`).
    RemindedAt,
}

#[derive(DeriveIden)]
enum CircularRecipients {
    Table,
    Id,
    EntryId,
    NoticeId,
    Email,
    Name,
    /// `contact` or `institution`.
    RecipientKind,
    InstitutionId,
    InstitutionName,
    /// SHA-256 of the personal token, hex: the token itself is only in
    /// the recipient's mail.
    TokenHash,
    /// The outbox idempotency key of their copy.
    MailKey,
    AcknowledgedAt,
    Reminders,
    LastReminderAt,
    CreatedAt,
}

fn stamp<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Circulars::Table)
                    .col(
                        ColumnDef::new(Circulars::EntryId)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Circulars::SiteId).integer().not_null())
                    .col(ColumnDef::new(Circulars::Year).integer().not_null())
                    .col(ColumnDef::new(Circulars::Number).integer().not_null())
                    .col(ColumnDef::new(Circulars::AcknowledgeBy).date().null())
                    .col(stamp(Circulars::FilesUntil))
                    .col(ColumnDef::new(Circulars::SentBy).integer().null())
                    .col(stamp(Circulars::SentAt))
                    .col(
                        ColumnDef::new(Circulars::RemindedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_circulars_entry")
                            .from(Circulars::Table, Circulars::EntryId)
                            .to(Entries::Table, Entries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_circulars_site")
                            .from(Circulars::Table, Circulars::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Two senders at once cannot take the same number: the second
        // insert fails and takes the next one.
        manager
            .create_index(
                Index::create()
                    .name("ux_circulars_site_year_number")
                    .table(Circulars::Table)
                    .col(Circulars::SiteId)
                    .col(Circulars::Year)
                    .col(Circulars::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CircularRecipients::Table)
                    .col(
                        ColumnDef::new(CircularRecipients::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::EntryId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::NoticeId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CircularRecipients::Name).text().not_null())
                    .col(
                        ColumnDef::new(CircularRecipients::RecipientKind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::InstitutionId)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::InstitutionName)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::MailKey)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::AcknowledgedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::Reminders)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(CircularRecipients::LastReminderAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(stamp(CircularRecipients::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_circular_recipients_circular")
                            .from(CircularRecipients::Table, CircularRecipients::EntryId)
                            .to(Circulars::Table, Circulars::EntryId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_circular_recipients_entry_email")
                    .table(CircularRecipients::Table)
                    .col(CircularRecipients::EntryId)
                    .col(CircularRecipients::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_circular_recipients_token")
                    .table(CircularRecipients::Table)
                    .col(CircularRecipients::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CircularRecipients::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Circulars::Table).to_owned())
            .await
    }
}

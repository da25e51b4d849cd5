//! The public newsletter of each site and the daily digest of workflow
//! notices.
//!
//! - `newsletter_subscribers`: one row per site and address, pending until
//!   the one-time confirmation link (kept as a SHA-256 hash) is followed.
//! - `newsletter_unsubscribe_tokens`: every newsletter mail carries its own
//!   unsubscribe link; only the hashes are kept, and each keeps working.
//! - `newsletter_issues`: one row per site and week, the claim that makes a
//!   weekly digest go out once whatever the number of servers.
//! - `newsletter_attempts`: subscription requests, counted per client and
//!   per address to rate-limit the public form across servers.
//! - `digest_items`: workflow notices kept for people who read them once a
//!   day, written with the workflow step, marked when a digest takes them.
//! - `users.lang`: the language a person reads their mail in.

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
    Lang,
}

#[derive(DeriveIden)]
enum NewsletterSubscribers {
    Table,
    Id,
    SiteId,
    Email,
    Lang,
    Status,
    ConfirmTokenHash,
    ConfirmSentAt,
    CreatedAt,
    UpdatedAt,
    ConfirmedAt,
    UnsubscribedAt,
}

#[derive(DeriveIden)]
enum NewsletterUnsubscribeTokens {
    Table,
    Id,
    SubscriberId,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NewsletterIssues {
    Table,
    Id,
    SiteId,
    Period,
    Since,
    MadeAt,
    Entries,
    Mails,
}

#[derive(DeriveIden)]
enum NewsletterAttempts {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
enum DigestItems {
    Table,
    Id,
    ToAddress,
    SiteId,
    Lang,
    Data,
    IdempotencyKey,
    CreatedAt,
    DigestKey,
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

fn optional_timestamp<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden + 'static,
    columns: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use NewsletterSubscribers as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(id(S::Id))
                    .col(ColumnDef::new(S::SiteId).integer().not_null())
                    .col(ColumnDef::new(S::Email).string_len(254).not_null())
                    .col(ColumnDef::new(S::Lang).string_len(5).not_null())
                    .col(ColumnDef::new(S::Status).string_len(16).not_null())
                    .col(ColumnDef::new(S::ConfirmTokenHash).string_len(64).null())
                    .col(optional_timestamp(S::ConfirmSentAt))
                    .col(timestamp(S::CreatedAt))
                    .col(timestamp(S::UpdatedAt))
                    .col(optional_timestamp(S::ConfirmedAt))
                    .col(optional_timestamp(S::UnsubscribedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_newsletter_subscribers_site")
                            .from(S::Table, S::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_newsletter_subscribers_site_email",
                S::Table,
                vec![S::SiteId.into_iden(), S::Email.into_iden()],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_newsletter_subscribers_confirm",
                S::Table,
                vec![S::ConfirmTokenHash.into_iden()],
                false,
            ))
            .await?;
        // The weekly job asks which sites have confirmed subscribers.
        manager
            .create_index(index(
                "ix_newsletter_subscribers_status",
                S::Table,
                vec![S::Status.into_iden(), S::SiteId.into_iden()],
                false,
            ))
            .await?;

        use NewsletterUnsubscribeTokens as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(id(T::Id))
                    .col(ColumnDef::new(T::SubscriberId).integer().not_null())
                    .col(ColumnDef::new(T::TokenHash).string_len(64).not_null())
                    .col(timestamp(T::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_newsletter_tokens_subscriber")
                            .from(T::Table, T::SubscriberId)
                            .to(S::Table, S::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_newsletter_tokens_hash",
                T::Table,
                vec![T::TokenHash.into_iden()],
                true,
            ))
            .await?;

        use NewsletterIssues as I;
        manager
            .create_table(
                Table::create()
                    .table(I::Table)
                    .col(id(I::Id))
                    .col(ColumnDef::new(I::SiteId).integer().not_null())
                    .col(ColumnDef::new(I::Period).string_len(16).not_null())
                    .col(optional_timestamp(I::Since))
                    .col(timestamp(I::MadeAt))
                    .col(ColumnDef::new(I::Entries).integer().not_null().default(0))
                    .col(ColumnDef::new(I::Mails).integer().not_null().default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_newsletter_issues_site")
                            .from(I::Table, I::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The claim: a second server's insert of the same week does nothing.
        manager
            .create_index(index(
                "ux_newsletter_issues_site_period",
                I::Table,
                vec![I::SiteId.into_iden(), I::Period.into_iden()],
                true,
            ))
            .await?;

        use NewsletterAttempts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(id(A::Id))
                    .col(ColumnDef::new(A::Key).string_len(400).not_null())
                    .col(timestamp(A::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_newsletter_attempts_key_at",
                A::Table,
                vec![A::Key.into_iden(), A::At.into_iden()],
                false,
            ))
            .await?;

        use DigestItems as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(id(D::Id))
                    .col(ColumnDef::new(D::ToAddress).string_len(254).not_null())
                    .col(ColumnDef::new(D::SiteId).integer().null())
                    .col(ColumnDef::new(D::Lang).string_len(5).null())
                    .col(ColumnDef::new(D::Data).text().not_null())
                    .col(ColumnDef::new(D::IdempotencyKey).string_len(200).not_null())
                    .col(timestamp(D::CreatedAt))
                    .col(ColumnDef::new(D::DigestKey).string_len(200).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_digest_items_idempotency",
                D::Table,
                vec![D::IdempotencyKey.into_iden()],
                true,
            ))
            .await?;
        // "Is anything waiting for a digest?" and "take this person's items".
        manager
            .create_index(index(
                "ix_digest_items_waiting",
                D::Table,
                vec![D::DigestKey.into_iden(), D::CreatedAt.into_iden()],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_digest_items_address",
                D::Table,
                vec![D::ToAddress.into_iden(), D::DigestKey.into_iden()],
                false,
            ))
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::Lang)
                            .string_len(5)
                            .not_null()
                            .default("ar"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Lang)
                    .to_owned(),
            )
            .await?;
        for table in [
            DigestItems::Table.into_iden(),
            NewsletterAttempts::Table.into_iden(),
            NewsletterIssues::Table.into_iden(),
            NewsletterUnsubscribeTokens::Table.into_iden(),
            NewsletterSubscribers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Indexes shaped like the public lists: a kind's archive in a language,
//! the featured entries of a site, what directorates feature on their
//! academy, a category. Without them every home page and every count scans
//! a site's entries.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Entries {
    Table,
    SiteId,
    Locale,
    Kind,
    Status,
    DeletedAt,
    PublishedAt,
    Featured,
    FeaturedOnParent,
    CategoryId,
}

/// Equality columns first, the date last: a list is one range of one index,
/// and counting it never touches the table.
const INDEXES: [(&str, &[Entries]); 4] = {
    use Entries::*;
    [
        (
            "ix_entries_lists",
            &[SiteId, Locale, Kind, Status, DeletedAt, PublishedAt],
        ),
        (
            "ix_entries_featured",
            &[SiteId, Featured, Locale, Status, DeletedAt, PublishedAt],
        ),
        (
            "ix_entries_featured_on_parent",
            &[
                FeaturedOnParent,
                SiteId,
                Locale,
                Status,
                DeletedAt,
                PublishedAt,
            ],
        ),
        (
            "ix_entries_category",
            &[CategoryId, Locale, Status, DeletedAt, PublishedAt],
        ),
    ]
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Entries::Table);
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Entries::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

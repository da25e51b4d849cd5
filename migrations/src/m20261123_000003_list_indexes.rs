//! Indexes shaped like the public lists: a kind's archive in a language,
//! the featured entries of a site, what directorates feature on their
//! academy. Without them every home page scans a site's entries.

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
    PublishedAt,
    Featured,
    FeaturedOnParent,
}

const INDEXES: [&str; 3] = [
    "ix_entries_lists",
    "ix_entries_featured",
    "ix_entries_featured_on_parent",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns: [&[Entries]; 3] = [
            &[
                Entries::SiteId,
                Entries::Locale,
                Entries::Kind,
                Entries::Status,
                Entries::PublishedAt,
            ],
            &[
                Entries::SiteId,
                Entries::Featured,
                Entries::Locale,
                Entries::PublishedAt,
            ],
            &[
                Entries::FeaturedOnParent,
                Entries::SiteId,
                Entries::Locale,
                Entries::PublishedAt,
            ],
        ];
        for (name, cols) in INDEXES.iter().zip(columns) {
            let mut index = Index::create();
            index.name(*name).table(Entries::Table);
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Entries::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

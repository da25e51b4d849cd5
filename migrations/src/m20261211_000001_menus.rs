//! Menus a site's admins edit, per language: items are a page, the archive
//! of a kind, a category or an external link, in order, one level of
//! nesting (`parent_id`). Until now a menu was the archives followed by the
//! pages with a `menu_order`; this writes exactly that as items, so every
//! site's menu reads the same after the migration.

// async_trait cannot express the anonymous lifetime of SchemaManager<'_>.
#![allow(elided_lifetimes_in_paths)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MenuItems {
    Table,
    Id,
    SiteId,
    Locale,
    ParentId,
    Position,
    Kind,
    EntryId,
    ArchiveKind,
    CategoryId,
    Label,
    Url,
}

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
enum Categories {
    Table,
    Id,
}

/// The kinds that had an archive in the menu, in the menu's order then
/// (`EntryKind::ARCHIVED` when this was written).
const ARCHIVED: [&str; 4] = ["news", "training_report", "announcement", "event"];

fn fk(
    name: &str,
    column: MenuItems,
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(MenuItems::Table, column)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MenuItems::Table)
                    .col(
                        ColumnDef::new(MenuItems::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MenuItems::SiteId).integer().not_null())
                    .col(ColumnDef::new(MenuItems::Locale).string_len(5).not_null())
                    .col(ColumnDef::new(MenuItems::ParentId).integer().null())
                    .col(ColumnDef::new(MenuItems::Position).integer().not_null())
                    .col(ColumnDef::new(MenuItems::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(MenuItems::EntryId).integer().null())
                    .col(ColumnDef::new(MenuItems::ArchiveKind).string_len(32).null())
                    .col(ColumnDef::new(MenuItems::CategoryId).integer().null())
                    .col(
                        ColumnDef::new(MenuItems::Label)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(MenuItems::Url).text().not_null().default(""))
                    .foreign_key(&mut fk(
                        "fk_menu_items_site",
                        MenuItems::SiteId,
                        (Sites::Table, Sites::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_menu_items_parent",
                        MenuItems::ParentId,
                        (MenuItems::Table, MenuItems::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_menu_items_entry",
                        MenuItems::EntryId,
                        (Entries::Table, Entries::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_menu_items_category",
                        MenuItems::CategoryId,
                        (Categories::Table, Categories::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_menu_items_site_locale")
                    .table(MenuItems::Table)
                    .col(MenuItems::SiteId)
                    .col(MenuItems::Locale)
                    .col(MenuItems::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_menu_items_entry")
                    .table(MenuItems::Table)
                    .col(MenuItems::EntryId)
                    .to_owned(),
            )
            .await?;
        // The menus as they were: each language's archives, then its pages
        // by `menu_order` (positions after the archives').
        let db = manager.get_connection();
        for locale in ["ar", "fr"] {
            for (position, kind) in ARCHIVED.iter().enumerate() {
                db.execute_unprepared(&format!(
                    "INSERT INTO menu_items (site_id, locale, position, kind, archive_kind, label, url) \
                     SELECT id, '{locale}', {position}, 'archive', '{kind}', '', '' FROM sites"
                ))
                .await?;
            }
        }
        db.execute_unprepared(
            "INSERT INTO menu_items (site_id, locale, position, kind, entry_id, label, url) \
             SELECT site_id, locale, 100 + menu_order, 'page', id, '', '' FROM entries \
             WHERE kind = 'page' AND menu_order IS NOT NULL AND deleted_at IS NULL \
             AND locale IN ('ar', 'fr')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MenuItems::Table).to_owned())
            .await
    }
}

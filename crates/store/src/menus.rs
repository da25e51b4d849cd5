//! Sites' menus (`menu_items`): read whole for the network snapshot,
//! written a language at a time.

use crate::entities::menu_item;
use crate::{MenuItemRow, Result, Store};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

/// An item to write; `parent` is the index of an earlier item of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMenuItem {
    pub parent: Option<usize>,
    pub kind: String,
    pub entry_id: Option<i32>,
    pub archive_kind: Option<String>,
    pub category_id: Option<i32>,
    pub label: String,
    pub url: String,
}

impl Store {
    /// Every menu item of the network, by site, language and order.
    pub async fn all_menu_items(&self) -> Result<Vec<MenuItemRow>> {
        Ok(menu_item::Entity::find()
            .order_by_asc(menu_item::Column::SiteId)
            .order_by_asc(menu_item::Column::Locale)
            .order_by_asc(menu_item::Column::Position)
            .order_by_asc(menu_item::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// A site's menu in a language, in order.
    pub async fn menu_items(&self, site_id: i32, locale: &str) -> Result<Vec<MenuItemRow>> {
        Ok(menu_item::Entity::find()
            .filter(menu_item::Column::SiteId.eq(site_id))
            .filter(menu_item::Column::Locale.eq(locale))
            .order_by_asc(menu_item::Column::Position)
            .order_by_asc(menu_item::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Makes `items` the site's menu in `locale`, in one transaction.
    pub async fn replace_menu(
        &self,
        site_id: i32,
        locale: &str,
        items: &[NewMenuItem],
    ) -> Result<()> {
        let txn = self.db.begin().await?;
        // Items under others first: their parents' rows go next.
        menu_item::Entity::delete_many()
            .filter(menu_item::Column::SiteId.eq(site_id))
            .filter(menu_item::Column::Locale.eq(locale))
            .filter(menu_item::Column::ParentId.is_not_null())
            .exec(&txn)
            .await?;
        menu_item::Entity::delete_many()
            .filter(menu_item::Column::SiteId.eq(site_id))
            .filter(menu_item::Column::Locale.eq(locale))
            .exec(&txn)
            .await?;
        let mut ids: Vec<i32> = Vec::with_capacity(items.len());
        for (position, item) in items.iter().enumerate() {
            let saved = menu_item::ActiveModel {
                site_id: Set(site_id),
                locale: Set(locale.to_owned()),
                parent_id: Set(item.parent.and_then(|p| ids.get(p).copied())),
                position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                kind: Set(item.kind.clone()),
                entry_id: Set(item.entry_id),
                archive_kind: Set(item.archive_kind.clone()),
                category_id: Set(item.category_id),
                label: Set(item.label.clone()),
                url: Set(item.url.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            ids.push(saved.id);
        }
        txn.commit().await?;
        Ok(())
    }

    /// Gives a site without any menu the archives of these kinds, in both
    /// languages: what a new site's navigation shows.
    pub async fn ensure_default_menu(&self, site_id: i32, archived: &[&str]) -> Result<()> {
        let any = menu_item::Entity::find()
            .filter(menu_item::Column::SiteId.eq(site_id))
            .one(&self.db)
            .await?;
        if any.is_some() {
            return Ok(());
        }
        let items: Vec<NewMenuItem> = archived
            .iter()
            .map(|kind| NewMenuItem {
                kind: "archive".into(),
                archive_kind: Some((*kind).to_owned()),
                ..Default::default()
            })
            .collect();
        for locale in ["ar", "fr"] {
            self.replace_menu(site_id, locale, &items).await?;
        }
        Ok(())
    }

    /// Puts a page at the end of its site's menu in `locale`, unless it is
    /// there already. Returns whether it was added.
    pub async fn add_page_to_menu(
        &self,
        site_id: i32,
        locale: &str,
        entry_id: i32,
    ) -> Result<bool> {
        let there = menu_item::Entity::find()
            .filter(menu_item::Column::EntryId.eq(entry_id))
            .one(&self.db)
            .await?;
        if there.is_some() {
            return Ok(false);
        }
        let last: Option<i32> = menu_item::Entity::find()
            .select_only()
            .column_as(menu_item::Column::Position.max(), "last")
            .filter(menu_item::Column::SiteId.eq(site_id))
            .filter(menu_item::Column::Locale.eq(locale))
            .into_tuple::<Option<i32>>()
            .one(&self.db)
            .await?
            .flatten();
        menu_item::ActiveModel {
            site_id: Set(site_id),
            locale: Set(locale.to_owned()),
            parent_id: Set(None),
            position: Set(last.map_or(0, |p| p.saturating_add(1))),
            kind: Set("page".into()),
            entry_id: Set(Some(entry_id)),
            archive_kind: Set(None),
            category_id: Set(None),
            label: Set(String::new()),
            url: Set(String::new()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(true)
    }

    /// Takes a page out of every menu; items under it move up a level.
    /// Returns whether it was in one.
    pub async fn remove_page_from_menu(&self, entry_id: i32) -> Result<bool> {
        let rows = menu_item::Entity::find()
            .filter(menu_item::Column::EntryId.eq(entry_id))
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(false);
        }
        let txn = self.db.begin().await?;
        for row in &rows {
            menu_item::Entity::update_many()
                .col_expr(
                    menu_item::Column::ParentId,
                    sea_orm::sea_query::Expr::value(Option::<i32>::None),
                )
                .filter(menu_item::Column::ParentId.eq(row.id))
                .exec(&txn)
                .await?;
        }
        menu_item::Entity::delete_many()
            .filter(menu_item::Column::EntryId.eq(entry_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(true)
    }
}

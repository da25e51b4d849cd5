use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "menu_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_id: i32,
    pub locale: String,
    pub parent_id: Option<i32>,
    pub position: i32,
    /// `page`, `archive`, `category` or `link`.
    pub kind: String,
    pub entry_id: Option<i32>,
    pub archive_kind: Option<String>,
    pub category_id: Option<i32>,
    pub label: String,
    pub url: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

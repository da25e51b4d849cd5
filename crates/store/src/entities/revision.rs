use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub entry_id: i32,
    pub version: i32,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub fields: Json,
    /// The cover's library item when this version was saved.
    pub cover_media_id: Option<i32>,
    /// The gallery's item ids, space-separated; `None` in revisions made
    /// before revisions recorded photos.
    pub gallery: Option<String>,
    pub author_id: Option<i32>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

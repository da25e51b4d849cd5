use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_id: i32,
    pub kind: String,
    pub locale: String,
    pub translation_key: Option<String>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    pub category_id: Option<i32>,
    pub fields: Json,
    pub status: String,
    pub published_at: Option<TimeDateTimeWithTimeZone>,
    pub scheduled_at: Option<TimeDateTimeWithTimeZone>,
    pub author_id: Option<i32>,
    pub version: i32,
    pub featured: bool,
    pub featured_on_parent: bool,
    pub menu_order: Option<i32>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
    pub deleted_by: Option<i32>,
    /// The cover from the media library, and its renditions resolved for
    /// pages (JSON; see `CoverImage` in the app crate).
    pub cover_media_id: Option<i32>,
    pub cover_image: Option<Json>,
    /// The gallery: media item ids in order, space-separated.
    pub gallery: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

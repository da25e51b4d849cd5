use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_id: i32,
    pub kind: String,
    pub original_name: String,
    pub stored_name: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub hash: String,
    pub alt_ar: String,
    pub alt_fr: String,
    pub caption: String,
    pub credit: String,
    pub rights: String,
    pub depicts_minors: bool,
    pub focal_x: f32,
    pub focal_y: f32,
    pub video_provider: Option<String>,
    pub video_id: Option<String>,
    pub uploaded_by: Option<i32>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

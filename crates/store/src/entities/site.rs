use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub kind: String,
    pub parent_id: Option<i32>,
    pub name_ar: String,
    pub name_fr: String,
    pub tagline_ar: String,
    pub tagline_fr: String,
    pub default_locale: String,
    pub theme: String,
    pub logo_url: Option<String>,
    pub contact: Json,
    pub social: Json,
    pub settings: Json,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

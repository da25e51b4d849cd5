use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_id: i32,
    pub format: String,
    pub file_path: String,
    pub file_name: String,
    pub file_size: i64,
    pub fetch_media: bool,
    pub author_email: Option<String>,
    pub state: String,
    pub active_site_id: Option<i32>,
    pub phase: String,
    pub done: i64,
    pub total: i64,
    pub report: String,
    pub error: Option<String>,
    pub created_by: Option<i32>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub confirmed_at: Option<TimeDateTimeWithTimeZone>,
    pub started_at: Option<TimeDateTimeWithTimeZone>,
    pub finished_at: Option<TimeDateTimeWithTimeZone>,
    pub heartbeat_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

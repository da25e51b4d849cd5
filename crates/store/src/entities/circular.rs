use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "circulars")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub entry_id: i32,
    pub site_id: i32,
    pub year: i32,
    pub number: i32,
    pub acknowledge_by: Option<TimeDate>,
    pub files_until: TimeDateTimeWithTimeZone,
    pub sent_by: Option<i32>,
    pub sent_at: TimeDateTimeWithTimeZone,
    pub reminded_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

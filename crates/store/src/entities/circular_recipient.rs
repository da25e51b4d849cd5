use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "circular_recipients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub entry_id: i32,
    pub notice_id: i32,
    pub email: String,
    pub name: String,
    /// `contact` or `institution`.
    pub recipient_kind: String,
    pub institution_id: Option<i32>,
    pub institution_name: String,
    /// SHA-256 of the personal token, hex.
    pub token_hash: String,
    /// The outbox idempotency key of their copy.
    pub mail_key: String,
    pub acknowledged_at: Option<TimeDateTimeWithTimeZone>,
    pub reminders: i32,
    pub last_reminder_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

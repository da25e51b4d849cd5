use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_platform_admin: bool,
    pub notify: String,
    /// The language the person reads mail in (`ar` or `fr`).
    pub lang: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// Set while the account may not get in (by any session, token or link).
    pub disabled_at: Option<TimeDateTimeWithTimeZone>,
    /// The last successful sign-in; none: never signed in.
    pub last_login_at: Option<TimeDateTimeWithTimeZone>,
    /// The authenticator app's secret (base32), once confirmed.
    pub totp_secret: Option<String>,
    /// A secret shown for enrolment, until a code confirms it.
    pub totp_pending_secret: Option<String>,
    pub totp_enabled_at: Option<TimeDateTimeWithTimeZone>,
    /// The last 30-second step a code was accepted for (a code works once).
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

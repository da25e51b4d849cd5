//! People: accounts and their memberships of sites.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entities::{membership, user};
use crate::{now, Result, Store, UserRow};

impl Store {
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await?)
    }

    /// Creates the account or updates its name, flag and (when given) password
    /// hash; the e-mail is the key. Returns the user's id.
    pub async fn upsert_user(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<String>,
        is_platform_admin: bool,
    ) -> Result<i32> {
        let stamp = now();
        let saved = match self.user_by_email(email).await? {
            Some(row) => {
                let mut model = user::ActiveModel::from(row);
                model.name = Set(name.to_owned());
                if let Some(hash) = password_hash {
                    model.password_hash = Set(Some(hash));
                }
                model.is_platform_admin = Set(is_platform_admin);
                model.updated_at = Set(stamp);
                model.update(&self.db).await?
            }
            None => {
                user::ActiveModel {
                    email: Set(email.to_owned()),
                    name: Set(name.to_owned()),
                    password_hash: Set(password_hash),
                    is_platform_admin: Set(is_platform_admin),
                    created_at: Set(stamp),
                    updated_at: Set(stamp),
                    ..Default::default()
                }
                .insert(&self.db)
                .await?
            }
        };
        Ok(saved.id)
    }

    /// Gives the user `role` on the site, replacing any role they had there.
    pub async fn set_membership(&self, user_id: i32, site_id: i32, role: &str) -> Result<()> {
        let existing = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .filter(membership::Column::SiteId.eq(site_id))
            .one(&self.db)
            .await?;
        match existing {
            Some(row) => {
                let mut model = membership::ActiveModel::from(row);
                model.role = Set(role.to_owned());
                model.update(&self.db).await?;
            }
            None => {
                membership::ActiveModel {
                    user_id: Set(user_id),
                    site_id: Set(site_id),
                    role: Set(role.to_owned()),
                    created_at: Set(now()),
                    ..Default::default()
                }
                .insert(&self.db)
                .await?;
            }
        }
        Ok(())
    }
}

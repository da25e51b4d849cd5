//! Creating accounts from the command line (and, later, the admin UI).

use tawasul_domain::Role;

use crate::import::network_file::{valid_email, MIN_PASSWORD_CHARS};
use crate::{password, App, AppError};

#[derive(Debug, Clone)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    pub password: Option<String>,
    pub membership: Option<(String, String)>,
    pub platform_admin: bool,
}

impl App {
    /// Creates the account (or updates the one with this e-mail) and its
    /// membership. Returns the user's id.
    pub async fn add_user(&self, input: NewUserInput) -> Result<i32, AppError> {
        let email = input.email.trim().to_lowercase();
        if !valid_email(&email) {
            return Err(tawasul_domain::DomainError::field(
                "email",
                format!("`{email}` is not an e-mail address"),
            )
            .into());
        }
        if input.name.trim().is_empty() {
            return Err(
                tawasul_domain::DomainError::field("name", "give the person's name").into(),
            );
        }
        let hash = match &input.password {
            Some(p) if p.chars().count() < MIN_PASSWORD_CHARS => {
                return Err(tawasul_domain::DomainError::field(
                    "password",
                    format!("use at least {MIN_PASSWORD_CHARS} characters"),
                )
                .into())
            }
            Some(p) => Some(password::hash(p)?),
            None => None,
        };
        let membership = match &input.membership {
            Some((site, role)) => {
                let role: Role = role.parse()?;
                let site_id = self
                    .network()
                    .site_by_slug(site)
                    .map(|s| s.id)
                    .ok_or_else(|| AppError::NotFound(format!("site `{site}`")))?;
                Some((site_id, role))
            }
            None => None,
        };
        let id = self
            .store()
            .upsert_user(&email, input.name.trim(), hash, input.platform_admin)
            .await?;
        if let Some((site_id, role)) = membership {
            self.store()
                .set_membership(id, site_id, role.as_str())
                .await?;
        }
        Ok(id)
    }
}

impl App {
    /// The names of the people with these ids, for showing who did what.
    pub async fn user_names(
        &self,
        ids: impl IntoIterator<Item = Option<i32>>,
    ) -> Result<std::collections::HashMap<i32, String>, AppError> {
        let mut ids: Vec<i32> = ids.into_iter().flatten().collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(self
            .store()
            .users_by_ids(&ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    /// How many sessions the viewer has open, this one included.
    pub async fn session_count(&self, viewer: &crate::Viewer) -> Result<u64, AppError> {
        Ok(self.store().count_sessions_of(viewer.user.id).await?)
    }
}

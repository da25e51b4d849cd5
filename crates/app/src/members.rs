//! Who works on a site: site admins invite people, change their role and
//! remove them. A role on an academy reaches its directorates; those
//! inherited roles are shown, and managed on the academy.

use tawasul_domain::{AuditAction, DomainError, Operation, Role};
use time::Duration;

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::auth::PasswordLink;
use crate::import::network_file::valid_email;
use crate::{App, AppError};

/// A person with a role on a site.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The ancestor site the role comes from, when it is not this one.
    pub inherited_from: Option<i32>,
    /// When they last signed in; none: never.
    pub last_login_at: Option<time::OffsetDateTime>,
    /// Their account is disabled: the role stays, but they cannot use it.
    pub disabled: bool,
}

impl App {
    fn managed_site(&self, viewer: &Viewer, site_slug: &str) -> Result<i32, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        if !viewer.may(&network, site.id, Operation::ManageMembers) {
            return Err(AppError::Forbidden(format!(
                "only an administrator of {} manages its members",
                site.slug
            )));
        }
        Ok(site.id)
    }

    /// The members of a site, with the roles reaching it from above.
    pub async fn members(&self, viewer: &Viewer, site_slug: &str) -> Result<Vec<Member>, AppError> {
        let site_id = self.managed_site(viewer, site_slug)?;
        let network = self.network();
        let lineage: Vec<i32> = network.lineage(site_id).iter().map(|s| s.id).collect();
        let rows = self.store().members_of(&lineage).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(membership, user)| {
                Some(Member {
                    user_id: user.id,
                    name: user.name,
                    email: user.email,
                    role: membership.role.parse().ok()?,
                    inherited_from: (membership.site_id != site_id).then_some(membership.site_id),
                    last_login_at: user.last_login_at,
                    disabled: user.disabled_at.is_some(),
                })
            })
            .collect())
    }

    /// Gives a person a role on the site, creating their account when they
    /// have none and mailing them a link to choose a password.
    pub async fn invite_member(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        email: &str,
        name: &str,
        role: &str,
    ) -> Result<i32, AppError> {
        let site_id = self.managed_site(viewer, site_slug)?;
        let email = email.trim().to_lowercase();
        let mut errors = tawasul_domain::FieldErrors::new();
        if !valid_email(&email) {
            errors.add("email", format!("`{email}` is not an e-mail address"));
        }
        let role: Option<Role> = role.parse().ok();
        if role.is_none() {
            errors.add("role", "choose a role");
        }
        let existing = self.store().user_by_email(&email).await?;
        // The name is asked of every invitation, known address or not, so
        // that the answer never tells whether an account exists.
        if name.trim().is_empty() || name.chars().count() > 200 {
            errors.add("name", "give the person's name, as colleagues know it");
        } else if let Some(c) =
            tawasul_domain::forbidden_character(name, tawasul_domain::Lines::One)
        {
            errors.add("name", tawasul_domain::forbidden_character_message(c));
        }
        errors.into_result()?;
        let Some(role) = role else {
            return Err(DomainError::field("role", "choose a role").into());
        };
        let user_id = match existing {
            Some(user) => user.id,
            None => {
                let id = self
                    .store()
                    .upsert_user(&email, name.trim(), None, false)
                    .await?;
                let user = self
                    .store()
                    .user(id)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("user #{id}")))?;
                let hours = i64::from(self.config.auth.invitation_hours);
                self.mail_password_link(&user, Duration::hours(hours), PasswordLink::Invitation)
                    .await?;
                id
            }
        };
        self.store()
            .set_membership(user_id, site_id, role.as_str())
            .await?;
        self.audit(AuditEntry {
            site: Some(site_id),
            subject: Some(user_id),
            target: &email,
            detail: role.as_str(),
            ..AuditEntry::new(AuditAction::MemberSet, Some(viewer.user.id))
        })
        .await?;
        Ok(user_id)
    }

    /// Changes the role of someone who already works on the site. Adding a
    /// person goes through [`App::invite_member`], by their address: an
    /// account id alone gives nothing, and an id without a membership here
    /// is not found, whether or not the account exists.
    pub async fn set_member_role(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        user_id: i32,
        role: &str,
    ) -> Result<(), AppError> {
        let site_id = self.managed_site(viewer, site_slug)?;
        let role: Role = role
            .parse()
            .map_err(|_| DomainError::field("role", "choose a role"))?;
        let not_member = || AppError::NotFound(format!("a member #{user_id} of this site"));
        let is_member = self
            .store()
            .memberships_of(user_id)
            .await?
            .iter()
            .any(|m| m.site_id == site_id);
        if !is_member {
            return Err(not_member());
        }
        let user = self.store().user(user_id).await?.ok_or_else(not_member)?;
        self.store()
            .set_membership(user_id, site_id, role.as_str())
            .await?;
        self.audit(AuditEntry {
            site: Some(site_id),
            subject: Some(user_id),
            target: &user.email,
            detail: role.as_str(),
            ..AuditEntry::new(AuditAction::MemberSet, Some(viewer.user.id))
        })
        .await?;
        Ok(())
    }

    pub async fn remove_member(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        user_id: i32,
    ) -> Result<(), AppError> {
        let site_id = self.managed_site(viewer, site_slug)?;
        let had = self
            .store()
            .memberships_of(user_id)
            .await?
            .into_iter()
            .find(|m| m.site_id == site_id)
            .map(|m| m.role);
        if !self.store().remove_membership(user_id, site_id).await? {
            return Err(AppError::NotFound(format!(
                "a membership of user #{user_id} on this site"
            )));
        }
        let email = self
            .store()
            .user(user_id)
            .await?
            .map_or_else(|| format!("#{user_id}"), |u| u.email);
        self.audit(AuditEntry {
            site: Some(site_id),
            subject: Some(user_id),
            target: &email,
            // The role taken away, so the record reads on its own.
            detail: had.as_deref().unwrap_or_default(),
            ..AuditEntry::new(AuditAction::MemberRemove, Some(viewer.user.id))
        })
        .await?;
        Ok(())
    }
}

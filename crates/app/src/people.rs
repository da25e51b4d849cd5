//! The people of the platform, for platform admins
//! (`Operation::ManageAccounts`): finding accounts, what each may do where
//! and when they last signed in, disabling and enabling them, and mailing
//! one a link to set a new password. The command line disables and
//! enables too, as the operator, under the same rules.

use tawasul_domain::{
    may_disable, AccountState, AuditAction, DisableRefusal, DisableTarget, Operation, Role,
};
use tawasul_store::{AccountFilter, Disabled, UserRow};
use time::{Duration, OffsetDateTime};

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::auth::PasswordLink;
use crate::{App, AppError};

/// An account as the people screen shows it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub platform_admin: bool,
    pub state: AccountState,
    pub last_login_at: Option<OffsetDateTime>,
    pub disabled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Signs in with a code from an authenticator app too.
    pub two_factor: bool,
    /// (site id, role) of each membership, in site order.
    pub memberships: Vec<(i32, Role)>,
}

/// A page of people.
#[derive(Debug, Clone)]
pub struct People {
    pub people: Vec<Person>,
    /// People the search finds, all pages together.
    pub total: u64,
}

fn person(user: UserRow, memberships: Vec<(i32, Role)>) -> Person {
    Person {
        id: user.id,
        state: AccountState::of(user.disabled_at, user.last_login_at),
        name: user.name,
        email: user.email,
        platform_admin: user.is_platform_admin,
        last_login_at: user.last_login_at,
        disabled_at: user.disabled_at,
        created_at: user.created_at,
        two_factor: user.totp_secret.is_some(),
        memberships,
    }
}

fn filter_of(state: AccountState) -> AccountFilter {
    match state {
        AccountState::Active => AccountFilter::Active,
        AccountState::Disabled => AccountFilter::Disabled,
        AccountState::Invited => AccountFilter::Invited,
    }
}

impl App {
    fn may_manage_accounts(&self, viewer: &Viewer) -> Result<(), AppError> {
        if viewer.may(&self.network(), 0, Operation::ManageAccounts) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "the people of the platform are managed by platform administrators".into(),
            ))
        }
    }

    /// Page `page` of the accounts whose name or address holds every word
    /// of `query`, optionally in one state, by name.
    pub async fn people(
        &self,
        viewer: &Viewer,
        query: &str,
        state: Option<AccountState>,
        page: u64,
        per_page: u64,
    ) -> Result<People, AppError> {
        self.may_manage_accounts(viewer)?;
        let words: Vec<String> = query.split_whitespace().map(str::to_owned).collect();
        let found = self
            .store()
            .people_page(&words, state.map(filter_of), page, per_page)
            .await?;
        let ids: Vec<i32> = found.items.iter().map(|u| u.id).collect();
        let memberships = self.store().memberships_of_users(&ids).await?;
        let people = found
            .items
            .into_iter()
            .map(|user| {
                let roles = memberships
                    .iter()
                    .filter(|m| m.user_id == user.id)
                    .filter_map(|m| Some((m.site_id, m.role.parse().ok()?)))
                    .collect();
                person(user, roles)
            })
            .collect();
        Ok(People {
            people,
            total: found.total,
        })
    }

    /// One account, with its memberships.
    pub async fn person(&self, viewer: &Viewer, id: i32) -> Result<Person, AppError> {
        self.may_manage_accounts(viewer)?;
        self.person_by_id(id).await
    }

    async fn person_by_id(&self, id: i32) -> Result<Person, AppError> {
        let user = self
            .store()
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("person #{id}")))?;
        let roles = self
            .store()
            .memberships_of(id)
            .await?
            .into_iter()
            .filter_map(|m| Some((m.site_id, m.role.parse().ok()?)))
            .collect();
        Ok(person(user, roles))
    }

    async fn person_by_email(&self, email: &str) -> Result<Person, AppError> {
        let email = email.trim().to_lowercase();
        let user =
            self.store().user_by_email(&email).await?.ok_or_else(|| {
                AppError::NotFound(format!("an account with the address {email}"))
            })?;
        self.person_by_id(user.id).await
    }

    /// Disables an account at once: its sessions end and its tokens are
    /// revoked on every node, its reset links and waiting work mails are
    /// dropped, and it cannot sign in until enabled again. `viewer` is the
    /// platform admin, `None` the operator at the command line. Disabling
    /// a disabled account changes nothing.
    pub async fn disable_account(
        &self,
        viewer: Option<&Viewer>,
        id: i32,
    ) -> Result<Person, AppError> {
        if let Some(viewer) = viewer {
            self.may_manage_accounts(viewer)?;
        }
        let target = self.person_by_id(id).await?;
        if target.disabled_at.is_some() {
            return Ok(target);
        }
        let other_platform_admins = self.store().count_other_platform_admins(id).await?;
        let actor = viewer.map(|v| v.user.id);
        may_disable(
            actor,
            &DisableTarget {
                id,
                platform_admin: target.platform_admin,
                other_platform_admins,
            },
        )
        .map_err(AppError::CannotDisable)?;
        // The store checks the last platform admin again, atomically: two
        // admins disabling each other at once leave one of them enabled.
        let ended = match self.store().disable_user(id).await? {
            Disabled::Now {
                sessions,
                tokens,
                mails,
            } => format!(
                "{sessions} sessions ended, {tokens} API tokens revoked, {mails} waiting mails withheld"
            ),
            Disabled::Already => return self.person_by_id(id).await,
            Disabled::LastPlatformAdmin => {
                return Err(AppError::CannotDisable(DisableRefusal::LastPlatformAdmin))
            }
            Disabled::NoSuchAccount => return Err(AppError::NotFound(format!("person #{id}"))),
        };
        self.audit(AuditEntry {
            subject: Some(id),
            target: &target.email,
            detail: &ended,
            ..AuditEntry::new(AuditAction::AccountDisable, actor)
        })
        .await?;
        tracing::info!(user = %target.email, %ended, "an account was disabled");
        self.person_by_id(id).await
    }

    /// Lets a disabled account sign in again (its old sessions and tokens
    /// stay ended). Enabling an enabled account changes nothing.
    pub async fn enable_account(
        &self,
        viewer: Option<&Viewer>,
        id: i32,
    ) -> Result<Person, AppError> {
        if let Some(viewer) = viewer {
            self.may_manage_accounts(viewer)?;
        }
        let target = self.person_by_id(id).await?;
        if self.store().enable_user(id).await? {
            self.audit(AuditEntry {
                subject: Some(id),
                target: &target.email,
                ..AuditEntry::new(AuditAction::AccountEnable, viewer.map(|v| v.user.id))
            })
            .await?;
            tracing::info!(user = %target.email, "an account was enabled again");
        }
        self.person_by_id(id).await
    }

    /// `tawasul user disable --email E`.
    pub async fn disable_account_by_email(&self, email: &str) -> Result<Person, AppError> {
        let person = self.person_by_email(email).await?;
        self.disable_account(None, person.id).await
    }

    /// `tawasul user enable --email E`.
    pub async fn enable_account_by_email(&self, email: &str) -> Result<Person, AppError> {
        let person = self.person_by_email(email).await?;
        self.enable_account(None, person.id).await
    }

    /// Mails the person a one-time link to set a new password, through the
    /// outbox like any reset link; the admin never sees the link. A
    /// disabled account gets none (a link would be of no use to it).
    pub async fn send_reset_link(&self, viewer: &Viewer, id: i32) -> Result<(), AppError> {
        self.may_manage_accounts(viewer)?;
        let user = self
            .store()
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("person #{id}")))?;
        if user.disabled_at.is_some() {
            return Err(AppError::Conflict(
                "this account is disabled: enable it before sending it a link".into(),
            ));
        }
        let minutes = i64::from(self.config.auth.reset_link_minutes);
        self.mail_password_link(
            &user,
            Duration::minutes(minutes),
            PasswordLink::ResetByAdmin,
        )
        .await?;
        self.audit(AuditEntry {
            subject: Some(id),
            target: &user.email,
            ..AuditEntry::new(AuditAction::ResetLinkSent, Some(viewer.user.id))
        })
        .await?;
        Ok(())
    }
}

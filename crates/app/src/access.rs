//! Who is asking, and what they may do where. The rules themselves are
//! `tawasul_domain::allowed`; this finds the actor's reach on a site from
//! their memberships and the network's hierarchy.

use tawasul_domain::{allowed, effective_reach, Actor, Operation, Reach, Role, Subject};
use tawasul_store::{EntryRow, UserRow};

use crate::auth::TokenInfo;
use crate::network::Network;
use crate::{App, AppError};

/// The browser session a request came with (absent for API tokens).
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i32,
    pub csrf: String,
}

/// A signed-in person and their roles.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: UserRow,
    /// (site id, role) of each membership.
    pub roles: Vec<(i32, Role)>,
    pub session: Option<SessionInfo>,
    /// The API token a request came with (absent for sessions).
    pub token: Option<TokenInfo>,
}

impl Viewer {
    pub(crate) fn with_session(mut self, session: SessionInfo) -> Self {
        self.session = Some(session);
        self
    }

    pub fn is_platform_admin(&self) -> bool {
        self.user.is_platform_admin
    }

    fn direct_role(&self, site_id: i32) -> Option<Role> {
        self.roles
            .iter()
            .filter(|(site, _)| *site == site_id)
            .map(|(_, role)| *role)
            .max()
    }

    /// The highest role held on any ancestor of the site.
    fn inherited_role(&self, network: &Network, site_id: i32) -> Option<Role> {
        network
            .lineage(site_id)
            .iter()
            .skip(1)
            .filter_map(|s| self.direct_role(s.id))
            .max()
    }

    /// The actor this person is on a site.
    pub fn actor(&self, network: &Network, site_id: i32) -> Actor {
        Actor {
            reach: effective_reach(
                self.direct_role(site_id),
                self.inherited_role(network, site_id),
            ),
            platform_admin: self.user.is_platform_admin,
        }
    }

    /// Featuring on the parent is a right on the parent: only the role
    /// reached from above counts, whatever role the person also holds on
    /// the directorate itself.
    pub fn actor_from_above(&self, network: &Network, site_id: i32) -> Actor {
        Actor {
            reach: self
                .inherited_role(network, site_id)
                .map_or(Reach::Outsider, Reach::Inherited),
            platform_admin: self.user.is_platform_admin,
        }
    }

    pub fn subject(&self, row: &EntryRow) -> Subject {
        Subject {
            status: row
                .status
                .parse()
                .unwrap_or(tawasul_domain::EntryStatus::Draft),
            own: row.author_id == Some(self.user.id),
            deleted: row.deleted_at.is_some(),
        }
    }

    pub fn may(&self, network: &Network, site_id: i32, op: Operation) -> bool {
        allowed(&self.actor(network, site_id), op, None)
    }

    pub fn may_on(&self, network: &Network, row: &EntryRow, op: Operation) -> bool {
        let subject = self.subject(row);
        match op {
            Operation::FeatureOnParent => allowed(
                &self.actor_from_above(network, row.site_id),
                op,
                Some(&subject),
            ),
            _ => allowed(&self.actor(network, row.site_id), op, Some(&subject)),
        }
    }

    /// Sites where the person holds any role (directly or from above),
    /// in network order.
    pub fn sites(&self, network: &Network) -> Vec<i32> {
        network
            .sites()
            .iter()
            .filter(|s| {
                self.user.is_platform_admin || self.actor(network, s.id).reach.role().is_some()
            })
            .map(|s| s.id)
            .collect()
    }

    /// Sites where the person holds at least `role`.
    pub fn sites_with(&self, network: &Network, role: Role) -> Vec<i32> {
        network
            .sites()
            .iter()
            .filter(|s| {
                self.user.is_platform_admin
                    || self
                        .actor(network, s.id)
                        .reach
                        .role()
                        .is_some_and(|r| r >= role)
            })
            .map(|s| s.id)
            .collect()
    }
}

impl App {
    /// The person with this id and their memberships; none for a disabled
    /// account, which acts nowhere: every session, token and command asks
    /// here, so disabling refuses it on its next request, on every node.
    pub async fn viewer(&self, user_id: i32) -> Result<Option<Viewer>, AppError> {
        let Some(user) = self.store().user(user_id).await? else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        let roles = self
            .store()
            .memberships_of(user_id)
            .await?
            .into_iter()
            .filter_map(|m| Some((m.site_id, m.role.parse().ok()?)))
            .collect();
        Ok(Some(Viewer {
            user,
            roles,
            session: None,
            token: None,
        }))
    }

    pub async fn viewer_by_email(&self, email: &str) -> Result<Option<Viewer>, AppError> {
        match self
            .store()
            .user_by_email(&email.trim().to_lowercase())
            .await?
        {
            Some(user) => self.viewer(user.id).await,
            None => Ok(None),
        }
    }
}

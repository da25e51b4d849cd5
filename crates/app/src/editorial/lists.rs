//! The lists editors work from: the dashboard and a site's entries.

use tawasul_domain::{EntryStatus, Operation, Role};
use tawasul_store::{Activity, AdminEntry, AdminQuery, Page};

use crate::access::Viewer;
use crate::{App, AppError};

const DASHBOARD_LIST: u64 = 10;
const ACTIVITY: u64 = 15;

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub my_drafts: Vec<AdminEntry>,
    /// In review where the viewer may publish: across the region for a
    /// regional supervisor.
    pub to_review: Vec<AdminEntry>,
    pub scheduled: Vec<AdminEntry>,
    pub recently_published: Vec<AdminEntry>,
    pub activity: Vec<Activity>,
}

/// A filter over one site's entries, as the list screen and the API take it.
#[derive(Debug, Clone, Default)]
pub struct EntryList {
    pub status: Option<EntryStatus>,
    pub kind: Option<String>,
    pub page: u64,
    pub per_page: u64,
    pub deleted: bool,
}

impl App {
    pub async fn dashboard(&self, viewer: &Viewer) -> Result<Dashboard, AppError> {
        let network = self.network();
        let sites = viewer.sites(&network);
        if sites.is_empty() {
            return Ok(Dashboard::default());
        }
        let store = self.store();
        let query = |statuses: &[&str]| AdminQuery {
            site_ids: sites.clone(),
            statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        };
        let my_drafts = store
            .admin_entries(
                &AdminQuery {
                    author_id: Some(viewer.user.id),
                    ..query(&["draft"])
                },
                1,
                DASHBOARD_LIST,
            )
            .await?
            .items;
        let reviewing = viewer.sites_with(&network, Role::Publisher);
        let to_review = if reviewing.is_empty() {
            Vec::new()
        } else {
            store
                .admin_entries(
                    &AdminQuery {
                        site_ids: reviewing,
                        ..query(&["in_review"])
                    },
                    1,
                    DASHBOARD_LIST,
                )
                .await?
                .items
        };
        let scheduled = store
            .admin_entries(
                &AdminQuery {
                    scheduled: true,
                    ..query(&["approved"])
                },
                1,
                DASHBOARD_LIST,
            )
            .await?
            .items;
        let recently_published = store
            .admin_entries(&query(&["published"]), 1, DASHBOARD_LIST)
            .await?
            .items;
        // Contributors see the activity on their own entries only.
        let readable: Vec<i32> = sites
            .iter()
            .copied()
            .filter(|&site| {
                viewer
                    .actor(&network, site)
                    .reach
                    .role()
                    .is_some_and(|r| r >= Role::Editor)
                    || viewer.is_platform_admin()
            })
            .collect();
        let activity = store.recent_activity(&readable, ACTIVITY).await?;
        Ok(Dashboard {
            my_drafts,
            to_review,
            scheduled,
            recently_published,
            activity,
        })
    }

    /// One site's entries that the viewer may read.
    pub async fn site_entries(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        list: &EntryList,
    ) -> Result<Page<AdminEntry>, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        let actor = viewer.actor(&network, site.id);
        let Some(role) = actor
            .reach
            .role()
            .or(viewer.is_platform_admin().then_some(Role::SiteAdmin))
        else {
            return Err(AppError::Forbidden(format!(
                "you have no role on {}",
                site.slug
            )));
        };
        if list.deleted && !viewer.may(&network, site.id, Operation::ManageMembers) {
            return Err(AppError::Forbidden(
                "only a site administrator sees the trash".into(),
            ));
        }
        let query = AdminQuery {
            site_ids: vec![site.id],
            statuses: list
                .status
                .map(|s| vec![s.as_str().to_owned()])
                .unwrap_or_default(),
            kind: list.kind.clone(),
            // A contributor works on their own entries only.
            author_id: (role == Role::Contributor && !viewer.is_platform_admin())
                .then_some(viewer.user.id),
            deleted: list.deleted,
            scheduled: false,
        };
        Ok(self
            .store()
            .admin_entries(&query, list.page.max(1), list.per_page.clamp(1, 100))
            .await?)
    }
}

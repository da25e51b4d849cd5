//! The lists editors work from: the dashboard and a site's entries.

use tawasul_domain::{EntryStatus, Operation, Role};
use tawasul_store::{Activity, AdminEntry, AdminQuery, Page};

use crate::access::Viewer;
use crate::{App, AppError};

const DASHBOARD_LIST: u64 = 10;
const ACTIVITY: u64 = 15;

/// What a reviewer asked of a draft sent back to its author.
#[derive(Debug, Clone)]
pub struct ChangeRequest {
    pub comment: String,
    pub actor_id: Option<i32>,
    pub at: time::OffsetDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub my_drafts: Vec<AdminEntry>,
    /// For each of `my_drafts` that a reviewer sent back (and that has not
    /// gone to review again since), what they asked.
    pub change_requests: std::collections::HashMap<i32, ChangeRequest>,
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
    /// Only entries in this language.
    pub locale: Option<tawasul_domain::Locale>,
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
        let mut change_requests = std::collections::HashMap::new();
        for draft in &my_drafts {
            let events = store.workflow_events(draft.id).await?;
            // The newest step that is not a save tells where the draft is.
            let last = events
                .iter()
                .find(|e| e.action != "save" && e.action != "restore");
            if let Some(event) = last.filter(|e| e.action == "request_changes") {
                change_requests.insert(
                    draft.id,
                    ChangeRequest {
                        comment: event.comment.clone(),
                        actor_id: event.actor_id,
                        at: event.created_at,
                    },
                );
            }
        }
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
            change_requests,
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
        if !viewer.may(&network, site.id, Operation::ListEntries) {
            return Err(AppError::Forbidden(format!(
                "you have no role on {}",
                site.slug
            )));
        }
        let contributor = !viewer.may(&network, site.id, Operation::SearchDrafts);
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
            author_id: contributor.then_some(viewer.user.id),
            deleted: list.deleted,
            scheduled: false,
            locale: list.locale.map(|l| l.as_str().to_owned()),
        };
        Ok(self
            .store()
            .admin_entries(&query, list.page.max(1), list.per_page.clamp(1, 100))
            .await?)
    }
}

impl App {
    /// One site's entries matching words, through the search index: drafts
    /// too for those who may search them there, published ones for
    /// contributors; nothing for someone with no role on the site. One page
    /// of the best matches, or `None` when no index is open.
    pub async fn search_site_entries(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        words: &str,
        status: Option<EntryStatus>,
        kind: Option<tawasul_domain::EntryKind>,
    ) -> Result<Page<AdminEntry>, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        if !viewer.may(&network, site.id, Operation::ListEntries) {
            return Err(AppError::Forbidden(format!(
                "you have no role on {}",
                site.slug
            )));
        }
        let drafts = viewer.may(&network, site.id, Operation::SearchDrafts);
        let query = tawasul_search::Query {
            text: words.chars().take(500).collect(),
            sites: vec![site.slug.clone()],
            kinds: kind.iter().map(|k| k.as_str().to_owned()).collect(),
            per_page: 50,
            ..Default::default()
        };
        let Some(hits) = self.search_entries(Some(viewer), query, drafts).await? else {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        };
        let ids: Vec<i32> = hits
            .hits
            .iter()
            .filter_map(|h| i32::try_from(h.id).ok())
            .collect();
        let mut items = self.admin_entries_in_order(&ids).await?;
        items.retain(|e| e.site_id == site.id && status.is_none_or(|s| e.status == s.as_str()));
        let total = items.len() as u64;
        Ok(Page { items, total })
    }
}

impl App {
    /// The admin's rows of entries found by a search, in the order found.
    pub async fn admin_entries_in_order(&self, ids: &[i32]) -> Result<Vec<AdminEntry>, AppError> {
        let mut entries = self.store().admin_entries_by_ids(ids).await?;
        entries.sort_by_key(|e| ids.iter().position(|id| *id == e.id));
        Ok(entries)
    }
}

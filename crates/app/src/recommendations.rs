//! The follow-up of training recommendations (issue 20): every line of a
//! published training report's `recommendations` gets a record with a
//! status, an owner (a person of the site or a named service), a due date
//! and a note, each change kept with who made it and when.
//!
//! - Records follow the published text: publishing a report, or changing
//!   its published text, matches them to its lines (new lines get records;
//!   lines taken out keep theirs, marked as no longer in the report; see
//!   the store's `recommendations` module). Unpublishing leaves them as
//!   they are: the work asked for does not vanish with the page.
//! - Reading takes `Operation::ViewRecommendations` (editors and above),
//!   changing `Operation::FollowUpRecommendations` (publishers and site
//!   admins); an academy's roles reach its directorates, and an academy's
//!   list holds its directorates' records too.
//! - The owner, when a person, is mailed once when the due date passes and
//!   the recommendation is neither done nor dropped; a node claims the
//!   reminder by setting `reminded_at` where it is empty, so several nodes
//!   send it once. A new due date or a new owner makes it due again.

use std::collections::HashMap;

use serde_json::{json, Value};
use tawasul_domain::recommendation::{validate_follow_up, FollowUp};
use tawasul_domain::{
    is_overdue, DomainError, FieldErrors, Operation, Problem, RecommendationStatus,
};
use tawasul_store::{
    EntryRow, NewMail, RecommendationChange, RecommendationQuery, RecommendationRow,
    RecommendationWrite,
};
use time::{Date, OffsetDateTime};

use crate::access::Viewer;
use crate::network::{Network, Site};
use crate::{App, AppError};

/// One recommendation as the screens and the API show it.
#[derive(Debug, Clone)]
pub struct Recommendation {
    pub id: i32,
    pub text: String,
    pub status: RecommendationStatus,
    pub owner_user_id: Option<i32>,
    /// The owner's name, when a person.
    pub owner_name: Option<String>,
    pub owner_service: String,
    pub due_on: Option<Date>,
    pub note: String,
    /// False once the line was taken out of the published report.
    pub in_report: bool,
    pub overdue: bool,
    pub reminded_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    pub entry_id: i32,
    pub entry_title: String,
    pub site_id: i32,
    pub site_slug: String,
}

/// One change in a recommendation's history.
#[derive(Debug, Clone)]
pub struct RecommendationEvent {
    /// Who made it; none when publishing the report did.
    pub actor: Option<String>,
    pub at: OffsetDateTime,
    pub changes: Vec<RecommendationChange>,
}

/// What a list shows. Empty filters let everything through.
#[derive(Debug, Clone, Default)]
pub struct RecommendationFilter {
    pub status: Option<RecommendationStatus>,
    pub programme: Option<String>,
    pub owner_user_id: Option<i32>,
    pub owner_service: Option<String>,
    pub overdue: bool,
}

/// A person who may own a recommendation of a site.
#[derive(Debug, Clone)]
pub struct Owner {
    pub user_id: i32,
    pub name: String,
}

/// A site's list: its records and, for an academy, its directorates'.
#[derive(Debug, Clone)]
pub struct RecommendationList {
    pub site: Site,
    pub rows: Vec<Recommendation>,
    /// The people who may be chosen as owners (to filter by).
    pub owners: Vec<Owner>,
    pub may_follow_up: bool,
}

/// One recommendation with its history and what its page offers.
#[derive(Debug, Clone)]
pub struct RecommendationDetail {
    pub recommendation: Recommendation,
    pub history: Vec<RecommendationEvent>,
    pub owners: Vec<Owner>,
    pub may_follow_up: bool,
}

/// A follow-up as typed in a form or sent to the API.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    pub status: RecommendationStatus,
    pub owner_user_id: Option<i32>,
    pub owner_service: String,
    pub due_on: Option<Date>,
    pub note: String,
}

/// The site and every site below it.
fn subtree(network: &Network, site_id: i32) -> Vec<i32> {
    let mut ids = vec![site_id];
    let mut next = 0;
    while next < ids.len() {
        if let Some(site) = network.site(ids[next]) {
            ids.extend(site.children.iter().copied());
        }
        next += 1;
    }
    ids
}

/// The lines of a training report's facts.
fn lines_of(row: &EntryRow) -> Vec<String> {
    row.fields
        .get("recommendations")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

impl App {
    /// Keeps a training report's records matching its published lines
    /// (called whenever an entry changed).
    pub(crate) async fn follow_recommendations_of(&self, row: &EntryRow) -> Result<(), AppError> {
        if row.kind != "training_report" || row.status != "published" || row.deleted_at.is_some() {
            return Ok(());
        }
        let created = self
            .store()
            .sync_recommendations(row.id, row.site_id, &lines_of(row))
            .await?;
        if created > 0 {
            tracing::info!(
                entry = row.id,
                created,
                "recommendations to follow up recorded"
            );
        }
        Ok(())
    }

    /// Records for every published training report (after a network is
    /// loaded from files, which publishes without the workflow).
    pub async fn follow_all_recommendations(&self) -> Result<(), AppError> {
        for row in self.store().published_training_reports().await? {
            self.follow_recommendations_of(&row).await?;
        }
        Ok(())
    }

    fn recommendations_site(
        &self,
        viewer: &Viewer,
        slug: &str,
    ) -> Result<(std::sync::Arc<Network>, Site), AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?
            .clone();
        if !viewer.may(&network, site.id, Operation::ViewRecommendations) {
            return Err(AppError::Forbidden(
                "the follow-up of recommendations is for the site's editors, publishers and administrators".into(),
            ));
        }
        Ok((network, site))
    }

    /// The people of a site and of the sites above it, who may own its
    /// recommendations.
    async fn owners_of(&self, network: &Network, site_id: i32) -> Result<Vec<Owner>, AppError> {
        let lineage: Vec<i32> = network.lineage(site_id).iter().map(|s| s.id).collect();
        let mut owners: Vec<Owner> = self
            .store()
            .members_of(&lineage)
            .await?
            .into_iter()
            .filter(|(_, user)| user.disabled_at.is_none())
            .map(|(_, user)| Owner {
                user_id: user.id,
                name: user.name,
            })
            .collect();
        owners.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        owners.dedup_by_key(|o| o.user_id);
        Ok(owners)
    }

    async fn shown(
        &self,
        network: &Network,
        rows: Vec<RecommendationRow>,
    ) -> Result<Vec<Recommendation>, AppError> {
        let mut entry_ids: Vec<i32> = rows.iter().map(|r| r.entry_id).collect();
        entry_ids.sort_unstable();
        entry_ids.dedup();
        let titles: HashMap<i32, String> = self
            .store()
            .entries_by_ids(&entry_ids)
            .await?
            .into_iter()
            .map(|e| (e.id, e.title))
            .collect();
        let mut user_ids: Vec<i32> = rows.iter().filter_map(|r| r.owner_user_id).collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        let names: HashMap<i32, String> = self
            .store()
            .users_by_ids(&user_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let today = today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let status =
                    RecommendationStatus::parse(&r.status).unwrap_or(RecommendationStatus::Open);
                Recommendation {
                    id: r.id,
                    overdue: r.in_report && is_overdue(status, r.due_on, today),
                    status,
                    owner_name: r.owner_user_id.and_then(|id| names.get(&id).cloned()),
                    owner_user_id: r.owner_user_id,
                    owner_service: r.owner_service,
                    due_on: r.due_on,
                    note: r.note,
                    in_report: r.in_report,
                    reminded_at: r.reminded_at,
                    updated_at: r.updated_at,
                    entry_title: titles.get(&r.entry_id).cloned().unwrap_or_default(),
                    entry_id: r.entry_id,
                    site_slug: network
                        .site(r.site_id)
                        .map(|s| s.slug.clone())
                        .unwrap_or_default(),
                    site_id: r.site_id,
                    text: r.text,
                }
            })
            .collect())
    }

    /// The recommendations of a site and the sites below it, filtered.
    pub async fn recommendations(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        filter: &RecommendationFilter,
    ) -> Result<RecommendationList, AppError> {
        let (network, site) = self.recommendations_site(viewer, site_slug)?;
        let query = RecommendationQuery {
            site_ids: subtree(&network, site.id),
            status: filter.status.map(|s| s.as_str().to_owned()),
            programme: filter.programme.clone().filter(|p| !p.is_empty()),
            owner_user_id: filter.owner_user_id,
            owner_service: filter.owner_service.clone().filter(|s| !s.is_empty()),
            overdue_on: filter.overdue.then(today),
            with_removed: false,
        };
        let rows = self.store().recommendations(&query).await?;
        let rows = self.shown(&network, rows).await?;
        let owners = self.owners_of(&network, site.id).await?;
        let may_follow_up = viewer.may(&network, site.id, Operation::FollowUpRecommendations);
        Ok(RecommendationList {
            site,
            rows,
            owners,
            may_follow_up,
        })
    }

    async fn readable_recommendation(
        &self,
        viewer: &Viewer,
        id: i32,
        op: Operation,
    ) -> Result<(std::sync::Arc<Network>, RecommendationRow), AppError> {
        let network = self.network();
        let row = self
            .store()
            .recommendation(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("recommendation #{id}")))?;
        // Nobody learns that a record exists on a site they have no role on.
        if !viewer.may(&network, row.site_id, Operation::ViewRecommendations) {
            return Err(AppError::NotFound(format!("recommendation #{id}")));
        }
        if !viewer.may(&network, row.site_id, op) {
            return Err(AppError::Forbidden(
                "only the site's publishers and administrators follow up its recommendations"
                    .into(),
            ));
        }
        Ok((network, row))
    }

    /// One recommendation with its history.
    pub async fn recommendation(
        &self,
        viewer: &Viewer,
        id: i32,
    ) -> Result<RecommendationDetail, AppError> {
        let (network, row) = self
            .readable_recommendation(viewer, id, Operation::ViewRecommendations)
            .await?;
        let site_id = row.site_id;
        let events = self.store().recommendation_events(id).await?;
        let mut actor_ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
        actor_ids.sort_unstable();
        actor_ids.dedup();
        let names: HashMap<i32, String> = self
            .store()
            .users_by_ids(&actor_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let history = events
            .into_iter()
            .map(|e| RecommendationEvent {
                actor: e.actor_id.and_then(|id| names.get(&id).cloned()),
                at: e.at,
                changes: serde_json::from_str(&e.changes).unwrap_or_default(),
            })
            .collect();
        let recommendation = self
            .shown(&network, vec![row])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("recommendation #{id}")))?;
        Ok(RecommendationDetail {
            recommendation,
            history,
            owners: self.owners_of(&network, site_id).await?,
            may_follow_up: viewer.may(&network, site_id, Operation::FollowUpRecommendations),
        })
    }

    /// Changes a recommendation's status, owner, due date and note, kept in
    /// its history.
    pub async fn follow_up_recommendation(
        &self,
        viewer: &Viewer,
        id: i32,
        input: &FollowUpInput,
    ) -> Result<Recommendation, AppError> {
        let (network, row) = self
            .readable_recommendation(viewer, id, Operation::FollowUpRecommendations)
            .await?;
        let current = RecommendationStatus::parse(&row.status)?;
        let service = input.owner_service.trim().to_owned();
        let note = input.note.trim().to_owned();
        let mut errors = match validate_follow_up(
            current,
            &FollowUp {
                status: input.status,
                note: note.clone(),
                service: service.clone(),
            },
        ) {
            Ok(()) => FieldErrors::new(),
            Err(DomainError::Invalid(errors)) => errors,
            Err(other) => return Err(other.into()),
        };
        let owners = self.owners_of(&network, row.site_id).await?;
        if let Some(owner) = input.owner_user_id {
            if !owners.iter().any(|o| o.user_id == owner) {
                errors.add_problem(
                    "owner",
                    Problem::new(
                        "recommendation_owner_not_member",
                        format!("person #{owner} has no role on this site"),
                    )
                    .with("person", format!("#{owner}")),
                );
            }
        }
        errors.into_result()?;
        let names: HashMap<i32, String> = owners.into_iter().map(|o| (o.user_id, o.name)).collect();
        let write = RecommendationWrite {
            status: input.status.as_str().to_owned(),
            owner_user_id: input.owner_user_id,
            owner_service: service,
            due_on: input.due_on,
            note,
        };
        let (after, changed) = self
            .store()
            .follow_up_recommendation(id, &write, Some(viewer.user.id), |user| {
                user.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")))
                    .unwrap_or_default()
            })
            .await?
            .ok_or_else(|| AppError::NotFound(format!("recommendation #{id}")))?;
        if changed {
            tracing::info!(recommendation = id, status = %after.status, "recommendation followed up");
        }
        self.shown(&network, vec![after])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("recommendation #{id}")))
    }

    /// Mails the owner of every recommendation whose due date passed before
    /// `today` (site time) and which is neither done nor dropped, once:
    /// several nodes may run this at once, each record is claimed by one.
    /// Returns how many reminders this call queued.
    pub async fn send_due_recommendation_reminders(&self, today: Date) -> Result<usize, AppError> {
        let due = self.store().recommendations_due_for_reminder(today).await?;
        let mut sent = 0;
        for row in due {
            let Some(owner) = row.owner_user_id else {
                continue;
            };
            let Some(user) = self.store().user(owner).await? else {
                continue;
            };
            if user.disabled_at.is_some() {
                continue;
            }
            let title = self
                .store()
                .entry(row.entry_id)
                .await?
                .map(|e| e.title)
                .unwrap_or_default();
            let site_slug = self
                .network()
                .site(row.site_id)
                .map(|s| s.slug.clone())
                .unwrap_or_default();
            let lang = if user.lang == "fr" { "fr" } else { "ar" };
            let data = json!({
                "owner": user.name,
                "text": row.text,
                "report_title": title,
                "due_on": row.due_on.map(|d| d.to_string()).unwrap_or_default(),
                "status": row.status,
                "link": format!(
                    "{}/admin/sites/{site_slug}/recommendations/{}",
                    self.public_base_url(),
                    row.id
                ),
            });
            let mail = NewMail {
                kind: "recommendation_reminder".to_owned(),
                site_id: Some(row.site_id),
                to: user.email.clone(),
                subject: format!("overdue recommendation: {title}"),
                body_text: String::new(),
                body_html: None,
                idempotency_key: format!(
                    "recommendation:{}:{}:{}",
                    row.id,
                    row.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    user.id
                ),
                template: Some("recommendation".to_owned()),
                data: Some(data.to_string()),
                lang: Some(lang.to_owned()),
            };
            if self.store().remind_recommendation(row.id, mail).await? {
                tracing::info!(
                    recommendation = row.id,
                    owner,
                    "overdue recommendation reminded"
                );
                sent += 1;
            }
        }
        Ok(sent)
    }
}

//! Who hears of a workflow step: a submission goes to the site's publishers
//! and the region's supervisors; changes requested, approval and
//! publication go to the author. Everyone but the person who acted and
//! disabled accounts, and only those who chose immediate notices (or a daily digest, which keeps
//! them for later: see `digest`). The messages are queued with the step
//! itself and rendered when sent (see `delivery`).

use tawasul_domain::{Action, Role};
use tawasul_store::{EntryRow, NewMail, UserRow};

use crate::{App, AppError};

/// The template's name for what happened.
fn happened(action: Action) -> Option<&'static str> {
    match action {
        Action::Submit => Some("submitted"),
        Action::RequestChanges => Some("changes_requested"),
        Action::Approve => Some("approved"),
        Action::Publish => Some("published"),
        Action::Unpublish | Action::Archive => None,
    }
}

impl App {
    /// The notices of a step taken on `row` by `actor`.
    pub(crate) async fn workflow_mails(
        &self,
        row: &EntryRow,
        action: Action,
        actor: Option<&UserRow>,
        comment: &str,
    ) -> Result<Vec<NewMail>, AppError> {
        let Some(what) = happened(action) else {
            return Ok(Vec::new());
        };
        let recipients: Vec<UserRow> = if action == Action::Submit {
            self.publishers_over(row.site_id).await?
        } else {
            match row.author_id {
                Some(id) => self.store().user(id).await?.into_iter().collect(),
                None => Vec::new(),
            }
        };
        self.entry_mails(row, what, recipients, actor, comment)
    }

    /// Tells the publishers over a published entry's site that a photo it
    /// showed is no longer shown (its consent was withdrawn): they decide
    /// whether the entry still stands without it. `photo` names the photo.
    pub(crate) async fn photo_withheld_mails(
        &self,
        row: &EntryRow,
        actor: Option<&UserRow>,
        photo: &str,
    ) -> Result<Vec<NewMail>, AppError> {
        let recipients = self.publishers_over(row.site_id).await?;
        self.entry_mails(row, "photo_withheld", recipients, actor, photo)
    }

    /// Publishers and site admins of a site and of the sites above it.
    async fn publishers_over(&self, site_id: i32) -> Result<Vec<UserRow>, AppError> {
        let network = self.network();
        let lineage: Vec<i32> = network.lineage(site_id).iter().map(|s| s.id).collect();
        let mut users: Vec<UserRow> = self
            .store()
            .members_of(&lineage)
            .await?
            .into_iter()
            .filter(|(m, _)| m.role.parse::<Role>().is_ok_and(|r| r >= Role::Publisher))
            .map(|(_, user)| user)
            .collect();
        users.sort_by_key(|u| u.id);
        users.dedup_by_key(|u| u.id);
        Ok(users)
    }

    /// One `workflow` mail about `row` to each recipient who wants it, but
    /// the person who acted.
    fn entry_mails(
        &self,
        row: &EntryRow,
        what: &str,
        recipients: Vec<UserRow>,
        actor: Option<&UserRow>,
        comment: &str,
    ) -> Result<Vec<NewMail>, AppError> {
        let actor_id = actor.map(|a| a.id);
        let lang = self
            .network()
            .site(row.site_id)
            .map_or("ar", |s| s.default_locale.as_str());
        let data = serde_json::json!({
            "action": what,
            "actor": actor.map_or("Tawasul", |a| a.name.as_str()),
            "entry_title": row.title,
            "comment": comment,
            "link": format!("{}/admin/entries/{}", self.public_base_url(), row.id),
        })
        .to_string();
        let occasion = crate::auth::random_token()?;
        Ok(recipients
            .into_iter()
            .filter(|u| {
                // A disabled account hears of nothing: its holder left.
                Some(u.id) != actor_id
                    && u.disabled_at.is_none()
                    && matches!(u.notify.as_str(), "immediate" | "daily")
            })
            .map(|u| NewMail {
                // Those who chose a daily digest: kept for it (see `digest`).
                kind: if u.notify == "daily" {
                    tawasul_store::HELD_KIND
                } else {
                    "workflow"
                }
                .to_owned(),
                site_id: Some(row.site_id),
                to: u.email.clone(),
                subject: String::new(),
                body_text: String::new(),
                body_html: None,
                idempotency_key: format!("workflow:{}:{what}:{occasion}:{}", row.id, u.id),
                template: Some("workflow".to_owned()),
                data: Some(data.clone()),
                lang: Some(if u.notify == "daily" {
                    u.lang.clone()
                } else {
                    lang.to_owned()
                }),
            })
            .collect())
    }
}

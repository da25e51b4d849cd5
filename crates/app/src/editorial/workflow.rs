//! Moving entries through the workflow: the transitions of the state
//! machine, publication at a set time (exactly once, on any number of
//! nodes), soft deletion and featuring on the parent site.

use tawasul_domain::{Action, DomainError, EntryKind, EntryStatus, Operation};
use tawasul_store::{EntryRow, Outcome, StatusChange};
use time::{Duration, OffsetDateTime};

use super::EntryInput;
use crate::access::Viewer;
use crate::{App, AppError};

const MAX_COMMENT_CHARS: usize = 4_000;
/// A publication time this little in the past is "now": clocks and typing
/// differ. Any time ahead, however close, is an embargo and is kept.
const NOW_TOLERANCE: Duration = Duration::minutes(1);

#[derive(Debug, Clone)]
pub struct TransitionInput {
    pub action: Action,
    pub comment: String,
    /// For `publish`: when. Absent or now: at once; later: scheduled.
    pub at: Option<OffsetDateTime>,
    /// The version the actor looked at, when they looked at one.
    pub version: Option<i32>,
}

/// What the entry's text and facts hold, as a submission needs them.
fn input_of(row: &EntryRow) -> EntryInput {
    EntryInput {
        kind: Some(row.kind.clone()),
        locale: row.locale.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        body: row.body_md.clone(),
        category: None,
        tags: Vec::new(),
        programmes: Vec::new(),
        fields: Some(row.fields.clone()),
        translation_of: None,
        cover: None,
        gallery: None,
        slug: None,
    }
}

/// A reviewer's comment, trimmed, on one rule for every step: no control
/// characters, a bounded length, and present when the author must act on it.
pub(crate) fn checked_comment(comment: &str, required: bool) -> Result<String, AppError> {
    let comment = comment.trim().to_owned();
    if let Some(c) = tawasul_domain::forbidden_character(&comment, tawasul_domain::Lines::Many) {
        return Err(
            DomainError::field("comment", tawasul_domain::forbidden_character_message(c)).into(),
        );
    }
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(DomainError::field(
            "comment",
            format!("keep the comment under {MAX_COMMENT_CHARS} characters"),
        )
        .into());
    }
    if required && comment.is_empty() {
        return Err(DomainError::field(
            "comment",
            "say what should change: the author reads this comment",
        )
        .into());
    }
    Ok(comment)
}

impl App {
    /// Takes a step of the workflow on an entry.
    pub async fn transition(
        &self,
        viewer: &Viewer,
        id: i32,
        input: TransitionInput,
    ) -> Result<EntryRow, AppError> {
        let row = self.entry_for(viewer, id).await?;
        if row.deleted_at.is_some() {
            return Err(AppError::NotFound(format!("entry #{id}")));
        }
        let network = self.network();
        let from: EntryStatus = row.status.parse()?;
        let action = input.action;
        let kind: EntryKind = row.kind.parse()?;
        if !action.exists_for(kind) {
            return Err(AppError::IllegalTransition(format!(
                "a {kind} is sent to its audiences once approved; it is never {}",
                if action == Action::Publish {
                    "published"
                } else {
                    "archived"
                }
            )));
        }
        let to = action
            .apply(from)
            .map_err(|e| AppError::IllegalTransition(e.to_string()))?;
        if !viewer.may_on(&network, &row, Operation::Transition(action)) {
            return Err(AppError::Forbidden(format!(
                "your role does not allow you to {action} this entry"
            )));
        }
        let comment = checked_comment(&input.comment, action == Action::RequestChanges)?;
        if matches!(action, Action::Submit | Action::Approve | Action::Publish) {
            // What goes to review, and what goes out, is whole.
            let site = network
                .site(row.site_id)
                .ok_or_else(|| AppError::NotFound(format!("site #{}", row.site_id)))?;
            self.check_input(viewer, site, kind, &input_of(&row), true, Some(id))
                .await?;
            // What goes out shows no photo without alt text, nor a child
            // without the parents' consent on file.
            if matches!(action, Action::Approve | Action::Publish) {
                self.check_media_rules(&row).await?;
            }
        }
        let now = OffsetDateTime::now_utc();
        let mut change = StatusChange {
            action: action.as_str().to_owned(),
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
            published_at: None,
            scheduled_at: None,
            comment,
            actor_id: Some(viewer.user.id),
            expected_version: input.version,
            mails: Vec::new(),
        };
        match action {
            Action::Publish => match input.at {
                Some(at) if at < now - NOW_TOLERANCE => {
                    return Err(DomainError::field(
                        "at",
                        "this time has passed: choose a later one, or publish now",
                    )
                    .into())
                }
                Some(at) if at > now => {
                    if at > now + Duration::days(366) {
                        return Err(
                            DomainError::field("at", "schedule at most a year ahead").into()
                        );
                    }
                    // Scheduled: it stays approved until its time; the
                    // scheduler publishes it then.
                    change.action = "schedule".to_owned();
                    change.to = from.as_str().to_owned();
                    change.scheduled_at = Some(Some(at));
                }
                _ => {
                    change.published_at = Some(Some(row.published_at.unwrap_or(now)));
                    change.scheduled_at = Some(None);
                }
            },
            Action::Unpublish => change.scheduled_at = Some(None),
            _ => {
                if input.at.is_some() {
                    return Err(DomainError::field("at", "only publishing takes a time").into());
                }
            }
        }
        // A scheduled publication tells the author when it happens.
        if change.action != "schedule" {
            change.mails = self
                .workflow_mails(&row, action, Some(&viewer.user), &change.comment)
                .await?;
        }
        let before = self.entry_facts(&row).await?;
        match self.store().transition_entry(id, &change).await? {
            Outcome::Done(after) | Outcome::Unchanged(after) => {
                self.entry_changed(Some(before), &after).await?;
                Ok(after)
            }
            Outcome::Stale(current) => Err(AppError::Stale {
                current: Box::new(current),
            }),
        }
    }

    /// Publishes the approved entries whose time has come. Every node may
    /// run this at once: each entry is claimed by one update that checks
    /// it is still approved and still due, so it is published once.
    pub async fn publish_due(&self) -> Result<usize, AppError> {
        let due = self
            .store()
            .due_for_publication(OffsetDateTime::now_utc())
            .await?;
        let mut published = 0;
        for row in due {
            let before = self.entry_facts(&row).await?;
            let mails = self.workflow_mails(&row, Action::Publish, None, "").await?;
            if let Some(after) = self.store().publish_scheduled(&row, &mails).await? {
                tracing::info!(entry = after.id, "scheduled entry published");
                self.entry_changed(Some(before), &after).await?;
                published += 1;
            }
        }
        Ok(published)
    }

    /// Moves an entry to the trash (restorable by a site admin).
    pub async fn delete_entry(&self, viewer: &Viewer, id: i32) -> Result<EntryRow, AppError> {
        let row = self.entry_for(viewer, id).await?;
        if row.deleted_at.is_some() {
            return Ok(row);
        }
        if !viewer.may_on(&self.network(), &row, Operation::Delete) {
            return Err(AppError::Forbidden(format!(
                "you may not delete entry #{id} while it is {}",
                row.status
            )));
        }
        let before = self.entry_facts(&row).await?;
        let deleted = self
            .store()
            .set_entry_deleted(id, true, Some(viewer.user.id))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("entry #{id}")))?;
        self.entry_changed(Some(before), &deleted).await?;
        Ok(deleted)
    }

    /// Brings an entry back from the trash, in the state it was.
    pub async fn undelete_entry(&self, viewer: &Viewer, id: i32) -> Result<EntryRow, AppError> {
        let row = self
            .store()
            .entry_any(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("entry #{id}")))?;
        if row.deleted_at.is_none() {
            // Nothing to bring back; still, only those who may read it see it.
            return self.entry_for(viewer, id).await;
        }
        if !viewer.may_on(&self.network(), &row, Operation::Undelete) {
            return Err(AppError::Forbidden(
                "only a site administrator brings entries back from the trash".into(),
            ));
        }
        let restored = self
            .store()
            .set_entry_deleted(id, false, Some(viewer.user.id))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("entry #{id}")))?;
        self.entry_changed(None, &restored).await?;
        Ok(restored)
    }

    /// Shows a directorate's published entry on its academy's home page
    /// (or stops showing it): the regional supervisor's choice.
    pub async fn feature_on_parent(
        &self,
        viewer: &Viewer,
        id: i32,
        on: bool,
    ) -> Result<EntryRow, AppError> {
        let row = self.entry_for(viewer, id).await?;
        if !viewer.may_on(&self.network(), &row, Operation::FeatureOnParent) {
            return Err(AppError::Forbidden(
                "only a publisher of the parent site features its sites' published entries".into(),
            ));
        }
        if row.featured_on_parent == on {
            return Ok(row);
        }
        let before = self.entry_facts(&row).await?;
        let after = self
            .store()
            .set_featured_on_parent(id, on, Some(viewer.user.id))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("entry #{id}")))?;
        self.entry_changed(Some(before), &after).await?;
        Ok(after)
    }
}

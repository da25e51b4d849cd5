//! Pending changes: fixing a published entry without touching the live
//! page until a publisher has read the fix (`tawasul_domain::ChangeAction`
//! for the steps). Contributors propose changes to their own published
//! entries, editors to any; publishers publish, send back or discard them.
//! Publishers may still edit the live text directly.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tawasul_domain::{Action, ChangeAction, ChangeStatus, EntryKind, Operation};
use tawasul_store::{
    ChangePublication, ChangeStep, EntryRow, Outcome, PendingChangeRow, RevisionRow,
};
use time::OffsetDateTime;

use super::history::Comparison;
use super::workflow::checked_comment;
use super::EntryInput;
use crate::access::Viewer;
use crate::{App, AppError};

/// What a pending change holds: the entry as its writer left it, in the
/// words of the editor's form (checked again when it is published).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeContent {
    pub locale: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub programmes: Vec<String>,
    #[serde(default)]
    pub fields: Value,
    /// As the form sent it; `None` keeps the live cover.
    #[serde(default)]
    pub cover: Option<String>,
    /// As the form sent it; `None` keeps the live gallery.
    #[serde(default)]
    pub gallery: Option<String>,
    /// The address as the form sent it; `None` keeps it.
    #[serde(default)]
    pub slug: Option<String>,
}

impl ChangeContent {
    fn of(input: &EntryInput) -> Self {
        ChangeContent {
            locale: input.locale.clone(),
            title: input.title.clone(),
            summary: input.summary.clone(),
            body: input.body.clone(),
            category: input.category.clone(),
            tags: input.tags.clone(),
            programmes: input.programmes.clone(),
            fields: input.fields.clone().unwrap_or(Value::Null),
            cover: input.cover.clone(),
            gallery: input.gallery.clone(),
            slug: input.slug.clone(),
        }
    }

    /// The change as a save of the entry; translations stay as they are.
    pub fn to_input(&self, kind: &str) -> EntryInput {
        EntryInput {
            kind: Some(kind.to_owned()),
            locale: self.locale.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            category: self.category.clone(),
            tags: self.tags.clone(),
            programmes: self.programmes.clone(),
            fields: Some(self.fields.clone()).filter(|f| !f.is_null()),
            translation_of: None,
            cover: self.cover.clone(),
            gallery: self.gallery.clone(),
            slug: self.slug.clone(),
        }
    }
}

/// A pending change as editors see it.
#[derive(Debug, Clone)]
pub struct PendingChange {
    pub id: i32,
    pub entry_id: i32,
    pub author_id: Option<i32>,
    pub status: ChangeStatus,
    pub version: i32,
    /// The entry's version it was started from: when the live text has
    /// moved on since, publishing it would undo what was changed there.
    pub base_version: i32,
    pub content: ChangeContent,
    /// The publisher's words when it was sent back.
    pub comment: String,
    pub updated_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
}

impl PendingChange {
    fn from_row(row: PendingChangeRow) -> Result<Self, AppError> {
        let corrupt = |what: String| {
            AppError::Store(tawasul_store::StoreError::Corrupt(format!(
                "pending change #{}: {what}",
                row.id
            )))
        };
        let status = row
            .status
            .parse::<ChangeStatus>()
            .map_err(|e| corrupt(e.to_string()))?;
        let content: ChangeContent =
            serde_json::from_value(row.content.clone()).map_err(|e| corrupt(e.to_string()))?;
        Ok(PendingChange {
            id: row.id,
            entry_id: row.entry_id,
            author_id: row.author_id,
            status,
            version: row.version,
            base_version: row.base_version,
            content,
            comment: row.comment,
            updated_at: row.updated_at,
            submitted_at: row.submitted_at,
        })
    }

    /// The live text changed after this change was started.
    pub fn live_moved_on(&self, entry: &EntryRow) -> bool {
        entry.version != self.base_version
    }
}

/// A change somebody else saved or published since the actor looked.
fn changed_meanwhile(e: tawasul_store::StoreError) -> AppError {
    match e {
        tawasul_store::StoreError::Conflict(why) => AppError::Conflict(why),
        other => AppError::Store(other),
    }
}

/// The entry as addressed to the change's author (mails about the change
/// go to who wrote it, not to who wrote the entry).
fn authored_by(row: &EntryRow, author_id: Option<i32>) -> EntryRow {
    EntryRow {
        author_id,
        ..row.clone()
    }
}

impl App {
    /// The entry's pending change, to those who may read its drafts.
    pub async fn pending_change(
        &self,
        viewer: &Viewer,
        entry_id: i32,
    ) -> Result<Option<PendingChange>, AppError> {
        let row = self.entry_for(viewer, entry_id).await?;
        self.change_of(&row).await
    }

    async fn change_of(&self, row: &EntryRow) -> Result<Option<PendingChange>, AppError> {
        self.store()
            .pending_change(row.id)
            .await?
            .map(PendingChange::from_row)
            .transpose()
    }

    /// Starts (`version` is `None`) or saves the pending change of a
    /// published entry. Half-typed text is kept, as in a draft; submitting
    /// asks for it whole.
    pub async fn save_change(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        version: Option<i32>,
        input: EntryInput,
    ) -> Result<PendingChange, AppError> {
        let row = self.entry_for(viewer, entry_id).await?;
        if row.deleted_at.is_some() {
            return Err(AppError::NotFound(format!("entry #{entry_id}")));
        }
        let network = self.network();
        if !viewer.may_on(&network, &row, Operation::ProposeChange) {
            return Err(AppError::Forbidden(format!(
                "you may not propose changes to entry #{entry_id} while it is {}",
                row.status
            )));
        }
        let site = network
            .site(row.site_id)
            .ok_or_else(|| AppError::NotFound(format!("site #{}", row.site_id)))?;
        let kind: EntryKind = row.kind.parse()?;
        // An imported cover (not yet a library photo) shows in the form as
        // no cover: the change keeps the live one rather than an empty
        // choice, so it survives the photo's adoption into the library.
        let imported_cover = row.cover_media_id.is_none() && row.cover_url.is_some();
        let cover = match input.cover {
            Some(typed) if imported_cover && typed.trim().is_empty() => None,
            other => other,
        };
        let input = EntryInput {
            kind: Some(row.kind.clone()),
            translation_of: None,
            cover,
            ..input
        };
        self.check_input(viewer, site, kind, &input, false, Some(row.id))
            .await?;
        let content = serde_json::to_value(ChangeContent::of(&input))
            .map_err(|e| AppError::Conflict(format!("the change cannot be kept: {e}")))?;
        let saved = self
            .store()
            .save_pending_change(row.id, version, Some(viewer.user.id), row.version, content)
            .await
            .map_err(changed_meanwhile)?;
        PendingChange::from_row(saved)
    }

    /// Takes a step of the entry's pending change, as seen at `version`.
    /// Answers the change after the step (`None`: published or discarded).
    pub async fn change_step(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        version: i32,
        action: ChangeAction,
        comment: &str,
    ) -> Result<Option<PendingChange>, AppError> {
        let row = self.entry_for(viewer, entry_id).await?;
        if row.deleted_at.is_some() {
            return Err(AppError::NotFound(format!("entry #{entry_id}")));
        }
        let change = self
            .change_of(&row)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("a pending change of entry #{entry_id}")))?;
        if change.version != version {
            return Err(AppError::Conflict(
                "the change was saved again since you opened it: look at it again".into(),
            ));
        }
        let network = self.network();
        let reviewer = viewer.may_on(&network, &row, Operation::ReviewChange);
        let proposer = viewer.may_on(&network, &row, Operation::ProposeChange);
        let allowed = match action {
            ChangeAction::Submit => proposer,
            ChangeAction::SendBack | ChangeAction::Publish => reviewer,
            // Its writer may give up on it; a publisher may refuse it.
            ChangeAction::Discard => {
                reviewer || (proposer && change.author_id == Some(viewer.user.id))
            }
        };
        if !allowed {
            return Err(AppError::Forbidden(format!(
                "your role does not allow you to {action} this change"
            )));
        }
        let to = action
            .apply(change.status)
            .map_err(|e| AppError::IllegalTransition(e.to_string()))?;
        let comment = checked_comment(comment, action == ChangeAction::SendBack)?;
        if action == ChangeAction::Publish {
            self.publish_pending(viewer, &row, &change, &comment)
                .await?;
            return Ok(None);
        }
        let mails = match action {
            ChangeAction::Submit => {
                // What goes to review is whole.
                self.edit_of(viewer, &row, &change.content.to_input(&row.kind))
                    .await?;
                self.workflow_mails(&row, Action::Submit, Some(&viewer.user), &comment)
                    .await?
            }
            ChangeAction::SendBack => {
                self.workflow_mails(
                    &authored_by(&row, change.author_id),
                    Action::RequestChanges,
                    Some(&viewer.user),
                    &comment,
                )
                .await?
            }
            ChangeAction::Discard | ChangeAction::Publish => Vec::new(),
        };
        let step = ChangeStep {
            change_id: change.id,
            version,
            to: to.map(|s| s.as_str().to_owned()),
            event: action.event().to_owned(),
            actor_id: Some(viewer.user.id),
            comment,
            mails,
        };
        self.store()
            .step_pending_change(row.id, &row.status, &step)
            .await
            .map_err(changed_meanwhile)?
            .map(PendingChange::from_row)
            .transpose()
    }

    /// The change replaces the live text: checked whole, its photos as
    /// what goes out must be (alt text, consent), one revision by its
    /// writer and one event by the publisher.
    async fn publish_pending(
        &self,
        viewer: &Viewer,
        row: &EntryRow,
        change: &PendingChange,
        comment: &str,
    ) -> Result<EntryRow, AppError> {
        let edit = self
            .edit_of(viewer, row, &change.content.to_input(&row.kind))
            .await?;
        let mut going_out = row.clone();
        going_out.body_md = edit.body_md.clone();
        going_out.locale = edit.locale.clone();
        if let Some(cover) = &edit.cover {
            going_out.cover_media_id = cover.media_id;
        }
        if let Some(gallery) = &edit.gallery {
            going_out.gallery = tawasul_store::gallery_text(gallery);
        }
        self.check_media_rules(&going_out).await?;
        let mails = self
            .workflow_mails(
                &authored_by(row, change.author_id),
                Action::Publish,
                Some(&viewer.user),
                comment,
            )
            .await?;
        let before = self.entry_facts(row).await?;
        let publication = ChangePublication {
            change_id: change.id,
            change_version: change.version,
            author_id: change.author_id,
            publisher_id: Some(viewer.user.id),
            comment,
            mails: &mails,
        };
        match self
            .store()
            .publish_pending_change(row.id, row.version, &edit, publication)
            .await
            .map_err(changed_meanwhile)?
        {
            Outcome::Done(after) => {
                self.entry_changed(Some(before), &after).await?;
                Ok(after)
            }
            Outcome::Unchanged(after) => Ok(after),
            Outcome::Stale(current) => Err(AppError::Stale {
                current: Box::new(current),
            }),
        }
    }

    /// What the pending change would change on the live page: the text
    /// line by line, the title, summary, photos and facts.
    pub async fn change_comparison(
        &self,
        viewer: &Viewer,
        entry_id: i32,
    ) -> Result<(EntryRow, PendingChange, Comparison), AppError> {
        let row = self.entry_for(viewer, entry_id).await?;
        let change = self
            .change_of(&row)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("a pending change of entry #{entry_id}")))?;
        let live = RevisionRow {
            id: 0,
            entry_id: row.id,
            version: row.version,
            title: row.title.clone(),
            summary: row.summary.clone(),
            body_md: row.body_md.clone(),
            fields: row.fields.clone(),
            cover_media_id: row.cover_media_id,
            gallery: Some(row.gallery.clone()),
            author_id: row.author_id,
            created_at: row.updated_at,
        };
        let content = &change.content;
        let kind: EntryKind = row.kind.parse()?;
        // The facts as they would be stored, so that a date typed in the
        // form compares equal to the same date stored.
        let fields = super::parse_fields(kind, Some(&content.fields), self.site_offset(), false)
            .unwrap_or_else(|_| content.fields.clone());
        let first_id = |text: &str| {
            crate::media::parse_media_ids(text)
                .ok()
                .and_then(|ids| ids.first().copied())
        };
        let proposed = RevisionRow {
            title: content.title.trim().to_owned(),
            summary: content.summary.trim().to_owned(),
            body_md: content.body.clone(),
            fields,
            cover_media_id: match &content.cover {
                None => row.cover_media_id,
                Some(typed) => first_id(typed),
            },
            gallery: Some(match &content.gallery {
                None => row.gallery.clone(),
                Some(typed) => tawasul_store::gallery_text(
                    &crate::media::parse_media_ids(typed).unwrap_or_default(),
                ),
            }),
            author_id: change.author_id,
            created_at: change.updated_at,
            ..live.clone()
        };
        let comparison = super::history::compare(Some(&live), &proposed);
        Ok((row, change, comparison))
    }

    /// Pending changes sent to review on the sites where the viewer
    /// publishes, oldest first, with their entries.
    pub async fn changes_to_review(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<(PendingChange, EntryRow)>, AppError> {
        let network = self.network();
        let sites = viewer.sites_with(&network, tawasul_domain::Role::Publisher);
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for (change, entry) in self.store().changes_in_review(&sites).await? {
            if viewer.may_on(&network, &entry, Operation::ReviewChange) {
                out.push((PendingChange::from_row(change)?, entry));
            }
        }
        Ok(out)
    }
}

//! An entry's past: its revisions, the workflow events, what changed
//! between two revisions, and bringing an old revision back.

use serde_json::Value;
use tawasul_domain::{diff_lines, field_changes, DiffRow, FieldChange, Operation};
use tawasul_store::{EntryEdit, EntryRow, Outcome, RevisionRow, WorkflowEventRow};

use crate::access::Viewer;
use crate::{App, AppError};

/// Everything the history screen shows.
#[derive(Debug, Clone)]
pub struct History {
    pub entry: EntryRow,
    /// Oldest first.
    pub revisions: Vec<RevisionRow>,
    /// Newest first.
    pub events: Vec<WorkflowEventRow>,
}

/// What changed from one revision to another.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub from: Option<i32>,
    pub to: i32,
    pub body: Vec<DiffRow>,
    pub fields: Vec<FieldChange>,
}

/// The comparable fields of a revision: title, summary and each fact.
fn named_fields(revision: Option<&RevisionRow>) -> Vec<(String, String)> {
    let Some(revision) = revision else {
        return Vec::new();
    };
    let mut out = vec![
        ("title".to_owned(), revision.title.clone()),
        ("summary".to_owned(), revision.summary.clone()),
    ];
    // The photos, as `media:N` the way authors refer to them; versions
    // from before revisions recorded them show nothing to compare.
    if let Some(gallery) = &revision.gallery {
        let refer = |id: i32| format!("media:{id}");
        out.push((
            "cover_media".to_owned(),
            revision.cover_media_id.map(refer).unwrap_or_default(),
        ));
        out.push((
            "gallery".to_owned(),
            tawasul_store::gallery_ids(gallery)
                .into_iter()
                .map(refer)
                .collect::<Vec<_>>()
                .join(" "),
        ));
    }
    if let Value::Object(map) = &revision.fields {
        // Facts in the order of the form, not of the JSON keys.
        let order: Vec<&str> = map
            .get("kind")
            .and_then(Value::as_str)
            .and_then(|k| k.parse::<tawasul_domain::EntryKind>().ok())
            .map(super::fact_names)
            .unwrap_or_default();
        let mut facts: Vec<(&String, &Value)> =
            map.iter().filter(|(name, _)| *name != "kind").collect();
        facts.sort_by_key(|(name, _)| order.iter().position(|o| o == name).unwrap_or(usize::MAX));
        for (name, value) in facts {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out.push((format!("fields.{name}"), text));
        }
    }
    out
}

pub fn compare(from: Option<&RevisionRow>, to: &RevisionRow) -> Comparison {
    let old = named_fields(from);
    let new = named_fields(Some(to));
    let old_refs: Vec<(&str, String)> = old.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let new_refs: Vec<(&str, String)> = new.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    Comparison {
        from: from.map(|r| r.version),
        to: to.version,
        body: diff_lines(from.map_or("", |r| r.body_md.as_str()), &to.body_md),
        fields: field_changes(&old_refs, &new_refs),
    }
}

impl App {
    pub async fn history(&self, viewer: &Viewer, id: i32) -> Result<History, AppError> {
        let entry = self.entry_for(viewer, id).await?;
        if !viewer.may_on(&self.network(), &entry, Operation::ViewHistory) {
            return Err(AppError::Forbidden(format!(
                "you may not see the history of entry #{id}"
            )));
        }
        let revisions = self.store().revisions(id).await?;
        let events = self.store().workflow_events(id).await?;
        Ok(History {
            entry,
            revisions,
            events,
        })
    }

    /// The workflow steps taken on an entry, newest first, for those who
    /// may see its history.
    pub async fn workflow_of(
        &self,
        viewer: &Viewer,
        entry: &EntryRow,
    ) -> Result<Vec<WorkflowEventRow>, AppError> {
        if !viewer.may_on(&self.network(), entry, Operation::ViewHistory) {
            return Err(AppError::Forbidden(format!(
                "you may not see the history of entry #{}",
                entry.id
            )));
        }
        Ok(self.store().workflow_events(entry.id).await?)
    }

    /// What changed between two versions of an entry (`from` absent: since
    /// nothing, everything is new).
    pub async fn compare_revisions(
        &self,
        viewer: &Viewer,
        id: i32,
        from: Option<i32>,
        to: i32,
    ) -> Result<Comparison, AppError> {
        let history = self.history(viewer, id).await?;
        let find = |version: i32| {
            history
                .revisions
                .iter()
                .find(|r| r.version == version)
                .ok_or_else(|| AppError::NotFound(format!("version {version} of entry #{id}")))
        };
        let old = match from {
            Some(v) => Some(find(v)?),
            None => None,
        };
        Ok(compare(old, find(to)?))
    }

    /// What a reviewer needs: the changes since the submission before the
    /// latest one (what they last saw), or since nothing at the first.
    pub async fn changes_since_last_review(
        &self,
        viewer: &Viewer,
        id: i32,
    ) -> Result<Comparison, AppError> {
        let history = self.history(viewer, id).await?;
        let submitted: Vec<i32> = history
            .events
            .iter()
            .filter(|e| e.action == "submit")
            .filter_map(|e| e.version)
            .collect();
        let from = submitted.get(1).copied();
        self.compare_revisions(viewer, id, from, history.entry.version)
            .await
    }

    /// Brings back the text and facts of an old revision as a new one.
    pub async fn restore_revision(
        &self,
        viewer: &Viewer,
        id: i32,
        revision: i32,
        current_version: i32,
    ) -> Result<EntryRow, AppError> {
        let row = self.entry_for(viewer, id).await?;
        let network = self.network();
        if !viewer.may_on(&network, &row, Operation::RestoreRevision) {
            return Err(AppError::Forbidden(format!(
                "you may not restore a revision of entry #{id} while it is {}",
                row.status
            )));
        }
        let old = self
            .store()
            .revision(id, revision)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("version {revision} of entry #{id}")))?;
        let edit = EntryEdit {
            slug: row.slug.clone(),
            locale: row.locale.clone(),
            translation_key: row.translation_key.clone(),
            title: old.title.clone(),
            summary: old.summary.clone(),
            // Photos the old text shows are drawn from the library as it
            // is now (their current alt text and renditions).
            body_html: self
                .render_body(row.site_id, &row.locale, &old.body_md)
                .await?,
            body_md: old.body_md.clone(),
            category_id: row.category_id,
            fields: old.fields.clone(),
            tag_ids: self
                .store()
                .tags_of_entry(id)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect(),
            programme_ids: self.store().programme_ids_of(id).await?,
            cover: None,
            gallery: None,
        };
        let (cover, gallery) = self.restored_photos(&row, &old).await?;
        let edit = EntryEdit {
            cover,
            gallery,
            ..edit
        };
        let before = self.entry_facts(&row).await?;
        let comment = format!("version {revision}");
        match self
            .store()
            .save_entry(
                id,
                current_version,
                &edit,
                Some(viewer.user.id),
                Some(("restore", &comment)),
            )
            .await?
        {
            Outcome::Done(saved) => {
                self.entry_changed(Some(before), &saved).await?;
                Ok(saved)
            }
            Outcome::Unchanged(saved) => Ok(saved),
            Outcome::Stale(current) => Err(AppError::Stale {
                current: Box::new(current),
            }),
        }
    }
}

impl App {
    /// The cover and gallery an old version had, as they can be shown now:
    /// photos deleted from the library since are left out, and a version
    /// saved before revisions recorded photos leaves the entry's own.
    async fn restored_photos(
        &self,
        row: &tawasul_store::EntryRow,
        old: &tawasul_store::RevisionRow,
    ) -> Result<(Option<tawasul_store::CoverEdit>, Option<Vec<i32>>), AppError> {
        let Some(gallery) = &old.gallery else {
            return Ok((None, None));
        };
        let cover = match old.cover_media_id {
            // The same cover (or an imported one, which is not a library
            // item): nothing to change.
            id if id == row.cover_media_id => None,
            Some(id) => self.resolve_cover(row.site_id, &row.locale, id).await?.ok(),
            None => Some(tawasul_store::CoverEdit::default()),
        };
        let wanted = tawasul_store::gallery_ids(gallery);
        let present = self.store().media_of_site(row.site_id, &wanted).await?;
        let gallery = wanted
            .into_iter()
            .filter(|id| present.iter().any(|m| m.id == *id))
            .collect();
        Ok((cover, Some(gallery)))
    }
}

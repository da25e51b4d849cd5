//! The editorial use cases: writing entries, moving them through the
//! workflow, their history, the lists editors work from. Every one checks
//! the caller's permission through `tawasul_domain::allowed` (via
//! `Viewer`), so the API and the admin UI behave the same.

mod changes;
mod fields;
mod history;
mod lists;
pub mod paste;
mod workflow;

use serde_json::Value;
use tawasul_domain::{
    forbidden_character, forbidden_character_message, slug, validate_text, Action, DomainError,
    EntryKind, EntryStatus, FieldErrors, Lines, Locale, Operation, Problem,
};
use tawasul_store::{EntryEdit, EntryRow, Outcome};
use time::UtcOffset;

pub use changes::{ChangeContent, PendingChange};
pub use fields::{fact_is_list, fact_names, parse_fields};
pub use history::{Comparison, History};
pub use lists::{Dashboard, EntryList};
pub use workflow::TransitionInput;

use crate::access::Viewer;
use crate::cache::deps::entry_change_deps;
use crate::network::Site;
use crate::{App, AppError};

const SLUG_TAKEN: &str = "another entry of the site has this address";

/// The address the input asks for, when it asks for one.
fn typed_slug(input: &EntryInput) -> Option<&str> {
    input
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Longest body, in characters: a long report is 30,000; this stops a
/// runaway paste from filling the database.
pub const MAX_BODY_CHARS: usize = 200_000;
const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 60;

/// An entry as its author sends it (API JSON or the editor's form).
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    /// Needed to create; an entry keeps its kind.
    pub kind: Option<String>,
    pub locale: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub programmes: Vec<String>,
    pub fields: Option<Value>,
    pub translation_of: Option<i32>,
    /// The cover's media item as typed (`12` or `media:12`; empty: no
    /// cover); `None` leaves the entry's cover as it is.
    pub cover: Option<String>,
    /// The gallery's media items as typed (`12 13 14`); `None` leaves it.
    pub gallery: Option<String>,
    /// The address the author chose (cleaned as a title would be); `None`
    /// or empty: made from the title, and kept once the entry is public.
    pub slug: Option<String>,
}

impl App {
    pub(crate) fn site_offset(&self) -> UtcOffset {
        UtcOffset::from_whole_seconds(self.config.site.utc_offset_minutes * 60)
            .unwrap_or(UtcOffset::UTC)
    }

    /// Checks an author's input against the site; `complete` asks for
    /// everything a submission needs (a body, every required fact).
    async fn check_input(
        &self,
        viewer: &Viewer,
        site: &Site,
        kind: EntryKind,
        input: &EntryInput,
        complete: bool,
        entry_id: Option<i32>,
    ) -> Result<(EntryEdit, Vec<(String, String)>), AppError> {
        let mut errors = FieldErrors::new();
        let title = input.title.trim().to_owned();
        let summary = input.summary.trim().to_owned();
        if let Err(DomainError::Invalid(found)) = validate_text(&title, &summary) {
            for (field, message) in found.iter() {
                errors.add(field, message);
            }
        }
        let locale = match input.locale.parse::<Locale>() {
            Ok(locale) => Some(locale),
            Err(_) => {
                errors.add("locale", "choose the language of the entry: ar or fr");
                None
            }
        };
        if let Some(c) = forbidden_character(&input.body, Lines::Many) {
            errors.add("body", forbidden_character_message(c));
        }
        for tag in &input.tags {
            if let Some(c) = forbidden_character(tag, Lines::One) {
                errors.add("tags", forbidden_character_message(c));
            }
        }
        if let Some(c) = input.fields.as_ref().and_then(forbidden_in_json) {
            errors.add("fields", forbidden_character_message(c));
        }
        let body_chars = input.body.chars().count();
        if body_chars > MAX_BODY_CHARS {
            errors.add_problem(
                "body",
                Problem::new(
                    "text_too_long",
                    format!("keep the text under {MAX_BODY_CHARS} characters ({body_chars} now)"),
                )
                .with("max", MAX_BODY_CHARS.to_string())
                .with("now", body_chars.to_string()),
            );
        } else if complete && input.body.trim().is_empty() {
            errors.add("body", "write the text of the entry before submitting it");
        }
        let category_id = match input.category.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(wanted) => match site.categories.iter().find(|c| c.slug == wanted) {
                Some(category) => Some(category.id),
                None => {
                    errors.add("category", format!("the site has no category `{wanted}`"));
                    None
                }
            },
        };
        let mut tags: Vec<(String, String)> = Vec::new();
        for name in input
            .tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            let tag_slug = slug::slugify(name);
            if name.chars().count() > MAX_TAG_CHARS || tag_slug.is_empty() {
                errors.add(
                    "tags",
                    format!("`{name}` is not a tag: up to {MAX_TAG_CHARS} characters with a letter or digit"),
                );
            } else if !tags.iter().any(|(s, _)| *s == tag_slug) {
                tags.push((tag_slug, name.to_owned()));
            }
        }
        if tags.len() > MAX_TAGS {
            errors.add("tags", format!("keep to {MAX_TAGS} tags"));
        }
        let network = self.network();
        let mut programme_ids = Vec::new();
        for wanted in &input.programmes {
            match network.programme_by_slug(wanted.trim()) {
                Some(p) => programme_ids.push(p.id),
                None => errors.add("programmes", format!("there is no programme `{wanted}`")),
            }
        }
        let fields =
            match fields::parse_fields(kind, input.fields.as_ref(), self.site_offset(), complete) {
                Ok(value) => Some(value),
                Err(found) => {
                    for (field, message) in found.iter() {
                        errors.add(field, message);
                    }
                    None
                }
            };
        let mut translation_key = None;
        // The original's key is written only once the whole input checks
        // out, and only on an entry the writer may read: linking must not
        // touch, or reveal, what they cannot see.
        let mut key_to_share: Option<(i32, String)> = None;
        if let Some(other_id) = input.translation_of {
            let readable = match self.store().entry(other_id).await? {
                Some(other)
                    if other.site_id == site.id
                        && Some(other.id) != entry_id
                        && (viewer.may_on(&self.network(), &other, Operation::ReadDrafts)
                            || is_live(&other, time::OffsetDateTime::now_utc())) =>
                {
                    Some(other)
                }
                _ => None,
            };
            match readable {
                Some(other) => {
                    if locale.is_some_and(|l| l.as_str() == other.locale) {
                        errors.add(
                            "translation_of",
                            "a translation is in the other language than its original",
                        );
                    }
                    let key = other
                        .translation_key
                        .clone()
                        .unwrap_or_else(|| format!("entry-{}", other.id));
                    if other.translation_key.is_none() {
                        key_to_share = Some((other.id, key.clone()));
                    }
                    translation_key = Some(key);
                }
                None => errors.add(
                    "translation_of",
                    "choose, as the original, an entry of this site that you can open",
                ),
            }
        }
        let media_locale = locale.unwrap_or(site.default_locale);
        let (cover, gallery) = self
            .check_entry_media(site.id, media_locale.as_str(), input, &mut errors)
            .await?;
        errors.into_result()?;
        let (Some(locale), Some(fields)) = (locale, fields) else {
            return Err(AppError::Invalid(FieldErrors::new()));
        };
        if let Some((other_id, key)) = key_to_share {
            self.store().set_translation_key(other_id, &key).await?;
        }
        if complete {
            let unknown = self.unknown_media(site.id, &input.body).await?;
            if !unknown.is_empty() {
                let mut errors = FieldErrors::new();
                for id in unknown {
                    errors.add_problem("body", crate::media::not_in_library(id));
                }
                return Err(AppError::Invalid(errors));
            }
        }
        let body_html = self
            .render_body(site.id, locale.as_str(), &input.body)
            .await?;
        let edit = EntryEdit {
            slug: String::new(),
            locale: locale.as_str().to_owned(),
            translation_key,
            title,
            summary,
            body_html,
            body_md: input.body.clone(),
            category_id,
            fields,
            tag_ids: Vec::new(),
            programme_ids,
            cover,
            gallery,
        };
        Ok((edit, tags))
    }

    /// The address an author typed, cleaned as a title would be, if no
    /// other entry of the site has it.
    async fn chosen_slug(
        &self,
        site_id: i32,
        typed: &str,
        except: Option<i32>,
    ) -> Result<String, AppError> {
        let cleaned = slug::slugify(typed);
        let problem = if cleaned.is_empty() {
            Some("write the address with letters or digits")
        } else if cleaned.chars().count() > slug::MAX_SLUG_CHARS {
            Some("keep the address under 80 characters")
        } else if self.store().slug_taken(site_id, &cleaned, except).await? {
            Some(SLUG_TAKEN)
        } else {
            None
        };
        match problem {
            Some(problem) => Err(DomainError::field("slug", problem).into()),
            None => Ok(cleaned),
        }
    }

    /// A slug for the title that no other entry of the site has.
    async fn free_slug(
        &self,
        site_id: i32,
        title: &str,
        except: Option<i32>,
    ) -> Result<String, AppError> {
        let mut base: String = slug::short_slug(title);
        base = base.trim_end_matches('-').to_owned();
        if base.is_empty() {
            base = "entry".to_owned();
        }
        for n in 1..100 {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if !self.store().slug_taken(site_id, &candidate, except).await? {
                return Ok(candidate);
            }
        }
        Ok(format!(
            "{base}-{}",
            crate::auth::random_token()?
                .chars()
                .take(6)
                .collect::<String>()
                .to_lowercase()
        ))
    }

    /// Writes a new draft on a site.
    pub async fn create_entry(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        input: EntryInput,
    ) -> Result<EntryRow, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        if !viewer.may(&network, site.id, Operation::Create) {
            return Err(AppError::Forbidden(format!(
                "you may not write on {}",
                site.slug
            )));
        }
        let kind: EntryKind = match input.kind.as_deref() {
            Some(kind) => kind.parse().map_err(|_| {
                DomainError::field(
                    "kind",
                    "choose a kind: news, training_report, announcement, event or page",
                )
            })?,
            None => return Err(DomainError::field("kind", "choose the kind of entry").into()),
        };
        let (mut edit, tags) = self
            .check_input(viewer, site, kind, &input, false, None)
            .await?;
        edit.tag_ids = self.store().tag_ids_for(&tags).await?;
        // Two people starting entries with one title at once race for its
        // slug: the loser takes the next one.
        let chosen = match typed_slug(&input) {
            Some(typed) => Some(self.chosen_slug(site.id, typed, None).await?),
            None => None,
        };
        let mut attempt = 0;
        loop {
            edit.slug = match &chosen {
                Some(slug) => slug.clone(),
                None => self.free_slug(site.id, &edit.title, None).await?,
            };
            match self
                .store()
                .create_entry(site.id, kind.as_str(), &edit, Some(viewer.user.id))
                .await
            {
                Err(tawasul_store::StoreError::Conflict(_)) if attempt < 5 && chosen.is_none() => {
                    attempt += 1
                }
                Err(tawasul_store::StoreError::Conflict(_)) => {
                    return Err(DomainError::field("slug", SLUG_TAKEN).into())
                }
                other => return Ok(other?),
            }
        }
    }

    /// An entry as its site's editors see it: text, history and workflow.
    /// Only those whose role lets them read its drafts get it; to anyone
    /// else it is forbidden, and the trash is not found.
    pub async fn entry_for(&self, viewer: &Viewer, id: i32) -> Result<EntryRow, AppError> {
        let row = self
            .store()
            .entry_any(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("entry #{id}")))?;
        if viewer.may_on(&self.network(), &row, Operation::ReadDrafts) {
            return Ok(row);
        }
        if row.deleted_at.is_some() {
            return Err(AppError::NotFound(format!("entry #{id}")));
        }
        Err(AppError::Forbidden(format!(
            "entry #{id} belongs to a site where you may not read drafts"
        )))
    }

    /// An entry to read: what readers of the public site see now, to
    /// anyone signed in, and the rest as [`App::entry_for`] allows.
    pub async fn entry_to_read(&self, viewer: &Viewer, id: i32) -> Result<EntryRow, AppError> {
        match self.entry_for(viewer, id).await {
            Err(AppError::Forbidden(why)) => {
                let row = self.store().entry_any(id).await?;
                row.filter(|row| is_live(row, time::OffsetDateTime::now_utc()))
                    .ok_or(AppError::Forbidden(why))
            }
            other => other,
        }
    }

    /// An entry's tags (by name) and programmes (by slug), as forms and
    /// the API show them. An error is an error: shown empty, the next save
    /// would write the entry without them.
    pub async fn entry_labels(&self, row: &EntryRow) -> Result<EntryLabels, AppError> {
        let tags = self
            .store()
            .tags_of_entry(row.id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect();
        let programme_ids = self.store().programme_ids_of(row.id).await?;
        let programmes = self
            .network()
            .programmes
            .iter()
            .filter(|p| programme_ids.contains(&p.id))
            .map(|p| p.slug.clone())
            .collect();
        Ok(EntryLabels { tags, programmes })
    }

    /// Another entry of the translation group `row` belongs to (the
    /// oldest), which its editor shows as what it translates.
    pub async fn linked_translation(&self, row: &EntryRow) -> Result<Option<i32>, AppError> {
        Ok(self
            .store()
            .translation_group(row)
            .await?
            .first()
            .map(|e| e.id))
    }

    /// Saves an edit made on `version` of the entry.
    pub async fn save_entry(
        &self,
        viewer: &Viewer,
        id: i32,
        version: i32,
        input: EntryInput,
    ) -> Result<EntryRow, AppError> {
        let row = self.entry_for(viewer, id).await?;
        let network = self.network();
        if !viewer.may_on(&network, &row, Operation::Edit) {
            return Err(AppError::Forbidden(format!(
                "you may not edit entry #{id} while it is {}",
                row.status
            )));
        }
        let mut edit = self.edit_of(viewer, &row, &input).await?;
        let site_id = row.site_id;
        let before = self.entry_facts(&row).await?;
        let mut attempt = 0;
        let saved = loop {
            match self
                .store()
                .save_entry(id, version, &edit, Some(viewer.user.id), None)
                .await
            {
                Err(tawasul_store::StoreError::Conflict(_))
                    if attempt < 5 && row.published_at.is_none() =>
                {
                    attempt += 1;
                    edit.slug = self.free_slug(site_id, &edit.title, Some(id)).await?;
                }
                other => break other?,
            }
        };
        match saved {
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

    /// What a save of `input` writes on `row`: the input checked (whole
    /// once the entry has been reviewed), the links and covers it keeps.
    pub(crate) async fn edit_of(
        &self,
        viewer: &Viewer,
        row: &EntryRow,
        input: &EntryInput,
    ) -> Result<EntryEdit, AppError> {
        let network = self.network();
        let site = network
            .site(row.site_id)
            .ok_or_else(|| AppError::NotFound(format!("site #{}", row.site_id)))?;
        let kind: EntryKind = row.kind.parse()?;
        let id = row.id;
        // Past the draft stage an entry has been reviewed whole: an edit
        // may not leave it half-filled.
        let complete = row.status != EntryStatus::Draft.as_str();
        let (mut edit, tags) = self
            .check_input(viewer, site, kind, input, complete, Some(id))
            .await?;
        edit.tag_ids = self.store().tag_ids_for(&tags).await?;
        // A save that names no original keeps the entry's translations: the
        // editor's form and most API clients do not send the link back.
        if input.translation_of.is_none() {
            edit.translation_key = row.translation_key.clone();
        }
        // An imported cover is not a library photo, so a form shows no
        // number for it and sends the field empty: that keeps it. Choosing a
        // library photo replaces it.
        let imported_cover = row.cover_media_id.is_none() && row.cover_url.is_some();
        if imported_cover && input.cover.as_deref().is_some_and(|c| c.trim().is_empty()) {
            edit.cover = None;
        }
        // A kept library cover follows the entry's language (its alt text).
        if let (None, Some(media)) = (&edit.cover, row.cover_media_id) {
            edit.cover = self.resolve_cover(site.id, &edit.locale, media).await?.ok();
        }
        edit.slug = match typed_slug(input).filter(|typed| *typed != row.slug) {
            // Links with the old address still arrive: the entry's number
            // is in its address, and a stale slug answers 301.
            Some(typed) => self.chosen_slug(site.id, typed, Some(id)).await?,
            None if row.published_at.is_none() && slug::follows_title(&row.slug, &row.title) => {
                self.free_slug(site.id, &edit.title, Some(id)).await?
            }
            // Chosen by its author, or public (links are already out).
            None => row.slug.clone(),
        };
        Ok(edit)
    }

    /// Drops the public pages an entry's change touched, on every node.
    pub(crate) async fn entry_changed(
        &self,
        before: Option<crate::cache::deps::EntryFacts>,
        after: &EntryRow,
    ) -> Result<(), AppError> {
        self.follow_recommendations_of(after).await?;
        let after = self.entry_facts(after).await?;
        let deps = entry_change_deps(before.as_ref(), Some(&after));
        self.publish_change(deps).await
    }
}

/// The first control character in any string of a JSON value (the facts
/// of a kind: venue, audience, recommendations…).
fn forbidden_in_json(value: &Value) -> Option<char> {
    match value {
        Value::String(text) => forbidden_character(text, Lines::Many),
        Value::Array(items) => items.iter().find_map(forbidden_in_json),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| forbidden_character(k, Lines::One).or_else(|| forbidden_in_json(v))),
        _ => None,
    }
}

/// An entry's tags and programmes, by name and slug.
#[derive(Debug, Clone, Default)]
pub struct EntryLabels {
    pub tags: Vec<String>,
    pub programmes: Vec<String>,
}

/// Whether readers of the public site see the entry at `now`: public,
/// not deleted, and past its publication time (an entry published for a
/// later time is under embargo until then).
pub(crate) fn is_live(row: &EntryRow, now: time::OffsetDateTime) -> bool {
    row.deleted_at.is_none()
        && row.status.parse().is_ok_and(EntryStatus::is_public)
        && row.published_at.is_some_and(|at| at <= now)
}

impl App {
    /// The editor's live preview: the entry as typed (saved or not),
    /// rendered by the site's theme as readers would see it. Half-typed
    /// facts are left out rather than refused.
    pub async fn preview(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        entry_id: Option<i32>,
        input: EntryInput,
        origin: &crate::public::Origin,
    ) -> Result<String, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        let now = time::OffsetDateTime::now_utc();
        let mut row = match entry_id {
            Some(id) => {
                let row = self.entry_for(viewer, id).await?;
                if row.site_id != site.id {
                    return Err(AppError::NotFound(format!("entry #{id} on {site_slug}")));
                }
                row
            }
            None => {
                if !viewer.may(&network, site.id, Operation::Create) {
                    return Err(AppError::Forbidden(format!(
                        "you may not write on {}",
                        site.slug
                    )));
                }
                let kind = input.kind.clone().unwrap_or_else(|| "news".to_owned());
                tawasul_store::EntryRow {
                    id: 0,
                    site_id: site.id,
                    kind,
                    locale: site.default_locale.as_str().to_owned(),
                    translation_key: None,
                    slug: String::new(),
                    title: String::new(),
                    summary: String::new(),
                    body_md: String::new(),
                    body_html: String::new(),
                    cover_url: None,
                    cover_alt: String::new(),
                    category_id: None,
                    fields: Value::Null,
                    status: "draft".to_owned(),
                    published_at: None,
                    scheduled_at: None,
                    author_id: Some(viewer.user.id),
                    version: 0,
                    featured: false,
                    featured_on_parent: false,
                    menu_order: None,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                    deleted_by: None,
                    cover_media_id: None,
                    cover_image: None,
                    gallery: String::new(),
                }
            }
        };
        let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
        if let Ok(locale) = input.locale.parse::<Locale>() {
            row.locale = locale.as_str().to_owned();
        }
        row.title = input.title.chars().take(1000).collect();
        row.summary = input.summary.chars().take(2000).collect();
        let body: String = input.body.chars().take(MAX_BODY_CHARS).collect();
        row.body_html = self.render_body(site.id, &row.locale, &body).await?;
        row.body_md = body;
        self.preview_entry_media(&mut row, &input).await?;
        if let Ok(fields) =
            fields::parse_fields(kind, input.fields.as_ref(), self.site_offset(), false)
        {
            row.fields = fields;
        }
        row.published_at = Some(row.published_at.unwrap_or(now));
        row.updated_at = now;
        self.preview_entry_page(row, origin).await
    }

    /// The entry under review as readers will see it, with the passages
    /// changed since the reviewer's last look marked (nothing is marked at
    /// a first review: all of it is new).
    pub async fn review_preview(
        &self,
        viewer: &Viewer,
        id: i32,
        origin: &crate::public::Origin,
    ) -> Result<String, AppError> {
        let mut row = self.entry_for(viewer, id).await?;
        let network = self.network();
        if !viewer.may_on(&network, &row, Operation::Transition(Action::Approve)) {
            return Err(AppError::Forbidden(format!("review of entry #{id}")));
        }
        let comparison = self.changes_since_last_review(viewer, id).await?;
        let changed: Vec<usize> = if comparison.from.is_some() {
            comparison
                .body
                .iter()
                .filter(|line| line.op != tawasul_domain::DiffOp::Same)
                .filter_map(|line| line.right_no)
                .collect()
        } else {
            Vec::new()
        };
        row.body_html = self
            .render_body_marking(row.site_id, &row.locale, &row.body_md, &changed)
            .await?;
        let now = time::OffsetDateTime::now_utc();
        row.published_at = Some(row.published_at.unwrap_or(now));
        self.preview_entry_page(row, origin).await
    }
}

//! Entries over the API: create, read, update with optimistic locking,
//! workflow transitions, history, trash and featuring.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::editorial::EntryList;
use tawasul_app::public::routes::Paths;
use tawasul_app::rows::{EntryRow, RevisionRow};
use tawasul_app::{App, EntryInput, TransitionInput};
use tawasul_domain::{Action, EntryKind, EntryStatus};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{path_id, ApiUser, JsonBody, Problem};

const PER_PAGE: u64 = 20;

pub(super) fn rfc3339(at: Option<OffsetDateTime>) -> Value {
    at.and_then(|at| at.format(&Rfc3339).ok())
        .map_or(Value::Null, Value::String)
}

/// Where readers find the entry, when they can.
pub fn public_path(app: &App, row: &EntryRow) -> Option<String> {
    let public = row.deleted_at.is_none()
        && row.status.parse().is_ok_and(EntryStatus::is_public)
        && row
            .published_at
            .is_some_and(|at| at <= OffsetDateTime::now_utc());
    if !public {
        return None;
    }
    let network = app.network();
    let site = network.site(row.site_id)?;
    let kind: EntryKind = row.kind.parse().ok()?;
    Some(format!(
        "/{}{}",
        site.slug,
        Paths::entry(kind, row.id, &row.slug)
    ))
}

pub async fn entry_json(app: &App, row: &EntryRow) -> Result<Value, Problem> {
    let network = app.network();
    let site = network.site(row.site_id);
    let labels = app.entry_labels(row).await?;
    let (tags, programmes) = (labels.tags, labels.programmes);
    let category = site
        .and_then(|s| row.category_id.and_then(|id| s.category(id)))
        .map(|c| c.slug.clone());
    let mut fields = row.fields.clone();
    if let Value::Object(map) = &mut fields {
        map.remove("kind");
    }
    Ok(json!({
        "id": row.id,
        "site": site.map(|s| s.slug.clone()),
        "kind": row.kind,
        "locale": row.locale,
        "slug": row.slug,
        "title": row.title,
        "summary": row.summary,
        "body": row.body_md,
        "html": row.body_html,
        "fields": fields,
        "category": category,
        "tags": tags,
        "programmes": programmes,
        "translation_key": row.translation_key,
        "cover_media": row.cover_media_id,
        "gallery": tawasul_app::rows::gallery_ids(&row.gallery),
        "status": row.status,
        "version": row.version,
        "author_id": row.author_id,
        "featured_on_parent": row.featured_on_parent,
        "published_at": rfc3339(row.published_at),
        "scheduled_at": rfc3339(row.scheduled_at),
        "created_at": rfc3339(Some(row.created_at)),
        "updated_at": rfc3339(Some(row.updated_at)),
        "deleted": row.deleted_at.is_some(),
        "url": public_path(app, row),
    }))
}

/// What the API takes to write an entry. Unknown members are refused, so a
/// misspelt field is an error, not silently lost.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    kind: Option<String>,
    locale: Option<String>,
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    fields: Option<Value>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    programmes: Vec<String>,
    #[serde(default)]
    translation_of: Option<i32>,
    #[serde(default)]
    version: Option<i32>,
    /// The cover's media item; `null` removes it, absent leaves it.
    #[serde(default, deserialize_with = "present")]
    cover_media: Option<Option<i32>>,
    /// The gallery's media items in order; absent leaves it.
    #[serde(default)]
    gallery: Option<Vec<i32>>,
    /// The address chosen; absent or empty: made from the title.
    #[serde(default)]
    slug: Option<String>,
}

/// A member that is present (even `null`) becomes `Some`: absent stays
/// `None`, so a client that does not know a member leaves it alone.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl EntryBody {
    /// The version the client edited, when it sent one.
    pub(super) fn version(&self) -> Option<i32> {
        self.version
    }

    pub(super) fn into_input(self, default_locale: &str) -> EntryInput {
        EntryInput {
            kind: self.kind,
            locale: self.locale.unwrap_or_else(|| default_locale.to_owned()),
            title: self.title,
            summary: self.summary,
            body: self.body,
            category: self.category,
            tags: self.tags,
            programmes: self.programmes,
            fields: self.fields,
            translation_of: self.translation_of,
            cover: self
                .cover_media
                .map(|id| id.map(|id| id.to_string()).unwrap_or_default()),
            gallery: self
                .gallery
                .map(|ids| tawasul_app::rows::gallery_text(&ids)),
            slug: self.slug,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    page: Option<String>,
    deleted: Option<String>,
}

pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<EntryStatus>()
                .map_err(|e| Problem::field(StatusCode::BAD_REQUEST, "status", e.to_string()))?,
        ),
        None => None,
    };
    let kind = match query.kind.as_deref().filter(|s| !s.is_empty()) {
        Some(k) => Some(
            k.parse::<EntryKind>()
                .map_err(|e| Problem::field(StatusCode::BAD_REQUEST, "kind", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let page = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| {
                Problem::field(StatusCode::BAD_REQUEST, "page", "a page is a number from 1")
            })?,
    };
    let list = EntryList {
        status,
        kind,
        page,
        per_page: PER_PAGE,
        deleted: query.deleted.as_deref() == Some("true"),
        locale: None,
    };
    let found = app.site_entries(&viewer, &site, &list).await?;
    let items: Vec<Value> = found
        .items
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "kind": e.kind, "locale": e.locale, "slug": e.slug,
                "title": e.title, "status": e.status, "version": e.version,
                "author_id": e.author_id,
                "published_at": rfc3339(e.published_at),
                "scheduled_at": rfc3339(e.scheduled_at),
                "updated_at": rfc3339(Some(e.updated_at)),
                "deleted": e.deleted_at.is_some(),
            })
        })
        .collect();
    Ok(Json(json!({
        "entries": items,
        "total": found.total,
        "page": page,
        "per_page": PER_PAGE,
    }))
    .into_response())
}

pub async fn create(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<EntryBody>,
) -> Result<Response, Problem> {
    let default_locale = app
        .network()
        .site_by_slug(&site)
        .map_or("ar", |s| s.default_locale.as_str());
    let row = app
        .create_entry(&viewer, &site, body.into_input(default_locale))
        .await?;
    Ok((StatusCode::CREATED, Json(entry_json(&app, &row).await?)).into_response())
}

pub async fn show(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let row = app.entry_to_read(&viewer, path_id(&id, "entry")?).await?;
    Ok(Json(entry_json(&app, &row).await?).into_response())
}

pub async fn update(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EntryBody>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let Some(version) = body.version else {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "version",
            "send the version you edited (from GET), so that no one's work is overwritten",
        ));
    };
    let current = app.entry_for(&viewer, id).await?;
    if body.kind.as_deref().is_some_and(|k| k != current.kind) {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind",
            "an entry keeps its kind; create a new entry of the other kind",
        ));
    }
    let row = app
        .save_entry(&viewer, id, version, body.into_input(&current.locale))
        .await?;
    Ok(Json(entry_json(&app, &row).await?).into_response())
}

pub async fn delete(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    app.delete_entry(&viewer, path_id(&id, "entry")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn undelete(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let row = app.undelete_entry(&viewer, path_id(&id, "entry")?).await?;
    Ok(Json(entry_json(&app, &row).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    action: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    version: Option<i32>,
}

pub async fn transition(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TransitionBody>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let action: Action = body.action.parse().map_err(|_| {
        Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "action",
            "one of submit, request_changes, approve, publish, unpublish, archive",
        )
    })?;
    let at = match body.at.as_deref().filter(|a| !a.is_empty()) {
        Some(text) => Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "at",
                "give the time in RFC 3339, e.g. 2026-12-02T09:00:00Z",
            )
        })?),
        None => None,
    };
    let row = app
        .transition(
            &viewer,
            id,
            TransitionInput {
                action,
                comment: body.comment.unwrap_or_default(),
                at,
                version: body.version,
            },
        )
        .await?;
    Ok(Json(entry_json(&app, &row).await?).into_response())
}

fn revision_json(r: &RevisionRow) -> Value {
    json!({
        "version": r.version,
        "title": r.title,
        "summary": r.summary,
        "body": r.body_md,
        "fields": r.fields,
        "author_id": r.author_id,
        "created_at": rfc3339(Some(r.created_at)),
    })
}

pub async fn revisions(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let history = app.history(&viewer, path_id(&id, "entry")?).await?;
    let revisions: Vec<Value> = history.revisions.iter().rev().map(revision_json).collect();
    Ok(
        Json(json!({ "current_version": history.entry.version, "revisions": revisions }))
            .into_response(),
    )
}

pub async fn events(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let history = app.history(&viewer, path_id(&id, "entry")?).await?;
    let events: Vec<Value> = history
        .events
        .iter()
        .map(|e| {
            json!({
                "action": e.action, "from": e.from_status, "to": e.to_status,
                "actor_id": e.actor_id, "comment": e.comment, "version": e.version,
                "at": rfc3339(Some(e.created_at)),
            })
        })
        .collect();
    Ok(Json(json!({ "events": events })).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    from: Option<i32>,
    to: Option<i32>,
}

pub async fn diff(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    Query(query): Query<DiffQuery>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let to = match query.to {
        Some(v) => v,
        None => app.entry_for(&viewer, id).await?.version,
    };
    let comparison = app.compare_revisions(&viewer, id, query.from, to).await?;
    Ok(Json(json!({
        "from": comparison.from,
        "to": comparison.to,
        "body": comparison.body,
        "fields": comparison.fields,
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreBody {
    version: i32,
}

pub async fn restore(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((id, revision)): Path<(String, String)>,
    JsonBody(body): JsonBody<RestoreBody>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let revision = path_id(&revision, "revision")?;
    let row = app
        .restore_revision(&viewer, id, revision, body.version)
        .await?;
    Ok(Json(entry_json(&app, &row).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureBody {
    on: bool,
}

pub async fn feature(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FeatureBody>,
) -> Result<Response, Problem> {
    let row = app
        .feature_on_parent(&viewer, path_id(&id, "entry")?, body.on)
        .await?;
    Ok(Json(entry_json(&app, &row).await?).into_response())
}

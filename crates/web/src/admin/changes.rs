//! Pending changes of published entries in the admin: the editor saves
//! into the change (autosave included) for those who propose it; the
//! change's own screen shows publishers what it changes and the page as it
//! would read, with its decision (publish, send back, discard).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};
use tawasul_app::editorial::{EntryLabels, PendingChange};
use tawasul_app::public::Origin;
use tawasul_app::rows::EntryRow;
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::{ChangeAction, ChangeStatus, EntryKind, EntryStatus, Locale, Operation};

use super::entries::{
    describe_photos, editor, entry_in_path, entry_view, failed_autosave, input_from,
    preview_response, refused_save, typed_view, EditorPage,
};
use super::history::comparison_context;
use super::photos::typed_alts;
use super::screens::{local, names};
use super::{
    base_context, csrf_refused, error_page, field_errors, render, see_other_with, text, AdminUser,
    Form, Req,
};

/// The pending change as the editor and the change's screen show it.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    /// Whether a change is stored yet (the editor starts one at the first save).
    pub exists: bool,
    /// The change's version, or empty before its first save.
    pub version: String,
    pub status: String,
    pub status_label: String,
    pub in_review: bool,
    pub author: String,
    pub at: String,
    /// The publisher's words when it was sent back.
    pub comment: String,
    /// The live text changed after the change was started.
    pub live_moved_on: bool,
    pub url: String,
    /// The viewer may give up on it (its writer) or refuse it (a publisher).
    pub may_discard: bool,
    pub may_review: bool,
}

/// Whether the editor of `row` writes a pending change for this viewer:
/// the entry is published and they may propose a change but not edit it.
pub fn proposes(app: &App, viewer: &Viewer, row: &EntryRow) -> bool {
    let network = app.network();
    row.status == EntryStatus::Published.as_str()
        && row.deleted_at.is_none()
        && !viewer.may_on(&network, row, Operation::Edit)
        && viewer.may_on(&network, row, Operation::ProposeChange)
}

pub async fn change_view(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    row: &EntryRow,
    change: Option<&PendingChange>,
) -> ChangeView {
    let network = app.network();
    let may_review = viewer.may_on(&network, row, Operation::ReviewChange);
    let url = format!("/admin/entries/{}/change", row.id);
    let Some(change) = change else {
        return ChangeView {
            exists: false,
            version: String::new(),
            status: String::new(),
            status_label: text(app, req, "change.status_none"),
            in_review: false,
            author: String::new(),
            at: String::new(),
            comment: String::new(),
            live_moved_on: false,
            url,
            may_discard: false,
            may_review,
        };
    };
    let author = names(app, [change.author_id]).await;
    let own = change.author_id == Some(viewer.user.id);
    ChangeView {
        exists: true,
        version: change.version.to_string(),
        status: change.status.as_str().to_owned(),
        status_label: text(app, req, &format!("change.status_{}", change.status)),
        in_review: change.status == ChangeStatus::InReview,
        author: change
            .author_id
            .and_then(|id| author.get(&id))
            .cloned()
            .unwrap_or_default(),
        at: local(app, change.updated_at),
        comment: change.comment.clone(),
        live_moved_on: change.live_moved_on(row),
        url,
        may_discard: may_review || (own && viewer.may_on(&network, row, Operation::ProposeChange)),
        may_review,
    }
}

/// The editor's fields filled from the change (the live entry's where the
/// change keeps them).
pub fn show_change(entry: &mut Value, change: &PendingChange) {
    let Value::Object(map) = entry else { return };
    let content = &change.content;
    let mut put = |name: &str, value: Value| {
        map.insert(name.to_owned(), value);
    };
    put("locale", json!(content.locale));
    put("title", json!(content.title));
    put("summary", json!(content.summary));
    put("body", json!(content.body));
    put(
        "category",
        json!(content.category.clone().unwrap_or_default()),
    );
    put("tags", json!(content.tags.join("، ")));
    put("programmes", json!(content.programmes));
    if let Some(cover) = &content.cover {
        put("cover_media", json!(cover));
    }
    if let Some(gallery) = &content.gallery {
        put("gallery", json!(gallery));
    }
    if let Some(slug) = &content.slug {
        put("slug", json!(slug));
    }
    if let (Some(Value::Object(shown)), Value::Object(facts)) =
        (map.get_mut("fields"), &content.fields)
    {
        for (name, value) in facts {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            shown.insert(name.clone(), Value::String(text));
        }
    }
}

/// Saves the editor's form into the entry's pending change (starting it at
/// the first save); `then=submit` also sends it to review. The autosave
/// script gets JSON.
pub async fn save(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    let json = req.wants_json();
    if !form.csrf_ok(&viewer, &req) {
        return refused_save(&app, &req, &viewer, json);
    }
    let row = match entry_in_path(&app, &viewer, &id).await {
        Ok(row) => row,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let kind: EntryKind = match row.kind.parse() {
        Ok(kind) => kind,
        Err(e) => return error_page(&app, &req, Some(&viewer), &AppError::Domain(e)),
    };
    let version = form.get("version").trim().parse::<i32>().ok();
    let fallback = row.locale.parse().unwrap_or(Locale::Ar);
    let saved = match describe_photos(&app, &req, &viewer, &form, fallback).await {
        Ok(()) => {
            app.save_change(&viewer, row.id, version, input_from(&form, kind))
                .await
        }
        Err(e) => Err(e),
    };
    let submitted = match saved {
        Ok(change) if form.get("then") == "submit" && !json => app
            .change_step(&viewer, row.id, change.version, ChangeAction::Submit, "")
            .await
            .map(|_| true),
        Ok(change) => {
            if json {
                return Json(
                    json!({"version": change.version, "saved_at": local(&app, change.updated_at)}),
                )
                .into_response();
            }
            Ok(false)
        }
        Err(e) => Err(e),
    };
    let e = match submitted {
        Ok(true) => return see_other_with(&format!("/admin/entries/{}", row.id), "change_submit"),
        Ok(false) => return see_other_with(&format!("/admin/entries/{}", row.id), "change_save"),
        Err(e) => e,
    };
    let (errors, form_error) = match (&e, field_errors(&app, &req, &e)) {
        (_, Some(errors)) => (errors, None),
        (AppError::Conflict(_), None) => (Map::new(), Some(text(&app, &req, "errors.conflict"))),
        (_, None) => {
            if json {
                return failed_autosave(&e);
            }
            return error_page(&app, &req, Some(&viewer), &e);
        }
    };
    if json {
        return match form_error {
            Some(message) => {
                (StatusCode::CONFLICT, Json(json!({"message": message}))).into_response()
            }
            None => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"errors": errors})),
            )
                .into_response(),
        };
    }
    // The form as typed, with what is wrong with it: nothing typed is lost.
    let mut entry = entry_view(&app, &req, &row, &EntryLabels::default()).await;
    typed_view(&form, kind, &mut entry);
    let status = if form_error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorPage {
        site_id: row.site_id,
        entry,
        row: Some(&row),
        errors,
        form_error,
        conflict: None,
        alts: typed_alts(&form),
    };
    editor(&app, &req, &viewer, page, status).await
}

/// A step of the change: submit, send back, publish, discard.
pub async fn step(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let row = match entry_in_path(&app, &viewer, &id).await {
        Ok(row) => row,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let Ok(action) = form.get("action").parse::<ChangeAction>() else {
        return error_page(
            &app,
            &req,
            Some(&viewer),
            &AppError::IllegalTransition(form.get("action").to_owned()),
        );
    };
    let Ok(version) = form.get("version").trim().parse::<i32>() else {
        return error_page(
            &app,
            &req,
            Some(&viewer),
            &AppError::Conflict("no version".into()),
        );
    };
    let comment = form.get("comment");
    match app
        .change_step(&viewer, row.id, version, action, comment)
        .await
    {
        Ok(_) => see_other_with(&format!("/admin/entries/{}", row.id), action.event()),
        Err(e) => match field_errors(&app, &req, &e) {
            // A refused comment or a change that is not whole: the
            // change's screen again, with the words typed.
            Some(errors) => match change_page(&app, &req, &viewer, row.id, errors, comment).await {
                Ok(page) => page,
                Err(e) => error_page(&app, &req, Some(&viewer), &e),
            },
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

/// The change's screen: what it changes, the page as it would read, the
/// decision.
pub async fn show(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = id
            .parse::<i32>()
            .map_err(|_| AppError::NotFound(format!("entry {id}")))?;
        change_page(&app, &req, &viewer, id, Map::new(), "").await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&app, &req, Some(&viewer), &e))
}

#[derive(Debug, Serialize)]
struct ChangeEntry {
    id: i32,
    title: String,
    kind_label: String,
    url: String,
    public_url: Option<String>,
}

async fn change_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    id: i32,
    errors: Map<String, Value>,
    comment: &str,
) -> Result<Response, AppError> {
    let (row, change, comparison) = app.change_comparison(viewer, id).await?;
    let (diff, field_changes) = comparison_context(app, req, &comparison);
    let view = change_view(app, req, viewer, &row, Some(&change)).await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut ctx = base_context(app, req, Some(viewer), &change.content.title);
    ctx.insert(
        "entry",
        &ChangeEntry {
            id: row.id,
            title: row.title.clone(),
            kind_label: text(app, req, &format!("kind.{}", row.kind)),
            url: format!("/admin/entries/{}", row.id),
            public_url: crate::api::entries::public_path(app, &row),
        },
    );
    ctx.insert("change", &view);
    ctx.insert("diff", &diff);
    ctx.insert("field_changes", &field_changes);
    ctx.insert("errors", &errors);
    ctx.insert("comment", comment);
    Ok(render(app, req, "change.html", &ctx, status))
}

/// The change rendered by the site's theme as readers would see it once
/// published (framed by the change's screen).
pub async fn preview(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let row = entry_in_path(&app, &viewer, &id).await?;
        let change = app
            .pending_change(&viewer, row.id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("a pending change of entry #{}", row.id)))?;
        let site = app
            .network()
            .site(row.site_id)
            .map(|s| s.slug.clone())
            .unwrap_or_default();
        let (host, scheme) =
            crate::resolve::host_and_scheme(&req.headers, app.config.server.behind_proxy, None);
        let origin = Origin {
            scheme,
            host,
            prefix: format!("/{site}"),
        };
        app.preview(
            &viewer,
            &site,
            Some(row.id),
            change.content.to_input(&row.kind),
            &origin,
        )
        .await
    }
    .await;
    match result {
        Ok(html) => preview_response(html),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

//! The entry editor: writing, saving (with autosave and the conflict
//! screen), the live preview, and the workflow buttons.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use tawasul_app::editorial::{fact_names, EntryLabels};
use tawasul_app::public::Origin;
use tawasul_app::rows::EntryRow;
use tawasul_app::{App, AppError, EntryInput, TransitionInput, Viewer};
use tawasul_domain::{Action, EntryKind, EntryStatus, Locale, Operation};

use super::actions::workflow_actions;
use super::changes::{change_view, proposes, show_change};
use super::media::upload_messages;
use super::photos::{gallery_field, picker, typed_alts, Chosen};
use super::screens::{kind_options, local, local_input, names};
use super::{
    base_context, csrf_refused, error_page, field_errors, render, see_other_with, text, AdminUser,
    Form, Req,
};
use crate::api::entries::public_path;

/// The entry a path names, as the viewer may read it.
pub(super) async fn entry_in_path(
    app: &App,
    viewer: &Viewer,
    id: &str,
) -> Result<EntryRow, AppError> {
    let id = id
        .parse::<i32>()
        .map_err(|_| AppError::NotFound(format!("entry {id}")))?;
    app.entry_for(viewer, id).await
}

/// The editor's form as an author's input.
pub(super) fn input_from(form: &Form, kind: EntryKind) -> EntryInput {
    let mut facts = Map::new();
    for name in fact_names(kind) {
        let value = form.get(&format!("f_{name}"));
        if !value.trim().is_empty() {
            facts.insert(name.to_owned(), Value::String(value.to_owned()));
        }
    }
    let tags = form
        .get("tags")
        .split([',', '،', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    EntryInput {
        kind: Some(kind.as_str().to_owned()),
        locale: form.get("locale").to_owned(),
        title: form.get("title").to_owned(),
        summary: form.get("summary").to_owned(),
        body: form.get("body").replace("\r\n", "\n"),
        category: Some(form.get("category").to_owned()).filter(|c| !c.is_empty()),
        tags,
        programmes: form.all("programmes"),
        fields: Some(Value::Object(facts)),
        translation_of: form.get("translation_of").trim().parse().ok(),
        // Absent (a form without them) leaves the cover and gallery alone.
        cover: present(form, "cover_media"),
        gallery: gallery_field(form),
        slug: present(form, "slug"),
    }
}

/// A field's value when the form has the field.
fn present(form: &Form, name: &str) -> Option<String> {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// What the editor shows of a stored entry, as the form's values.
pub(super) async fn entry_view(
    app: &App,
    req: &Req,
    row: &EntryRow,
    labels: &EntryLabels,
) -> Value {
    let network = app.network();
    let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
    let site = network.site(row.site_id);
    let category = site
        .and_then(|s| row.category_id.and_then(|id| s.category(id)))
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let tags = &labels.tags;
    let programmes = &labels.programmes;
    let mut fields = Map::new();
    for name in fact_names(kind) {
        let value = row.fields.get(name).cloned().unwrap_or(Value::Null);
        let shown = match value {
            // Lists of texts, and of library numbers (a circular's
            // attachments): every item shown, so a save keeps them all.
            Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Value::String(s) if name.ends_with("_at") => {
                time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                    .map(|at| local_input(app, at))
                    .unwrap_or(s)
            }
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        fields.insert(name.to_owned(), Value::String(shown));
    }
    let authors = names(app, [row.author_id]).await;
    json!({
        "id": row.id,
        "kind": row.kind,
        "kind_label": text(app, req, &format!("kind.{}", row.kind)),
        "locale": row.locale,
        "title": row.title,
        "summary": row.summary,
        "body": row.body_md,
        "category": category,
        "tags": tags.join("، "),
        "programmes": programmes,
        "slug": row.slug,
        "translation_of": app.linked_translation(row).await.ok().flatten().map(|id| id.to_string()).unwrap_or_default(),
        "cover_media": row.cover_media_id.map(|id| id.to_string()).unwrap_or_default(),
        "gallery": row.gallery,
        "version": row.version,
        "status": row.status,
        "status_label": text(app, req, &format!("status.{}", row.status)),
        "scheduled_at": row.scheduled_at.map(|at| local(app, at)),
        "published_at": row.published_at.map(|at| local(app, at)),
        "public_url": public_path(app, row),
        "author": row.author_id.and_then(|id| authors.get(&id)).cloned().unwrap_or_default(),
        "deleted": row.deleted_at.is_some(),
        "fields": fields,
    })
}

/// The form's values as typed, to show them again after a refusal.
pub(super) fn typed_view(form: &Form, kind: EntryKind, base: &mut Value) {
    let Value::Object(map) = base else { return };
    for name in [
        "locale",
        "title",
        "summary",
        "body",
        "category",
        "tags",
        "translation_of",
        "cover_media",
        "slug",
    ] {
        map.insert(name.to_owned(), Value::String(form.get(name).to_owned()));
    }
    // The menu box as typed, when the form had it.
    if form.get("in_menu_shown") == "1" {
        map.insert(
            "in_menu".to_owned(),
            Value::Bool(form.get("in_menu") == "1"),
        );
    }
    map.insert(
        "gallery".to_owned(),
        Value::String(gallery_field(form).unwrap_or_default()),
    );
    map.insert("programmes".to_owned(), json!(form.all("programmes")));
    let mut fields = Map::new();
    for name in fact_names(kind) {
        fields.insert(
            name.to_owned(),
            Value::String(form.get(&format!("f_{name}")).to_owned()),
        );
    }
    map.insert("fields".to_owned(), Value::Object(fields));
}

/// Alt texts typed beside the chosen photos go to the library before the
/// entry is saved: a refused one shows the form again with everything
/// typed, nothing saved.
pub(super) async fn describe_photos(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    form: &Form,
    fallback: Locale,
) -> Result<(), AppError> {
    let alts: Vec<(i32, String)> = typed_alts(form).into_iter().collect();
    if alts.is_empty() {
        return Ok(());
    }
    let locale = form.get("locale").parse::<Locale>().unwrap_or(fallback);
    match app.describe_photos(viewer, locale, &alts).await {
        Ok(_) => Ok(()),
        Err(e) => Err(photo_error(app, req, e)),
    }
}

/// An entry the editor offers as the original of a translation.
#[derive(Debug, Clone, serde::Serialize)]
struct TranslationChoice {
    id: i32,
    title: String,
    at: String,
    selected: bool,
}

/// The site's entries in the other language (the latest hundred, and the
/// one linked now wherever it is), for the "translation of" list: an
/// author picks a title, never types a number.
async fn translation_choices(
    app: &App,
    viewer: &Viewer,
    site_slug: &str,
    entry: &Value,
) -> Result<Vec<TranslationChoice>, AppError> {
    let own = entry.get("id").and_then(Value::as_i64);
    let linked: Option<i32> = entry
        .get("translation_of")
        .and_then(Value::as_str)
        .and_then(|s| s.trim().parse().ok());
    let locale: Locale = entry
        .get("locale")
        .and_then(Value::as_str)
        .and_then(|l| l.parse().ok())
        .unwrap_or(Locale::Ar);
    let other = match locale {
        Locale::Ar => Locale::Fr,
        _ => Locale::Ar,
    };
    let list = tawasul_app::editorial::EntryList {
        page: 1,
        per_page: 100,
        locale: Some(other),
        ..Default::default()
    };
    let mut rows = match app.site_entries(viewer, site_slug, &list).await {
        Ok(page) => page.items,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    if let Some(id) = linked.filter(|id| !rows.iter().any(|r| r.id == *id)) {
        let mut current = app.admin_entries_in_order(&[id]).await?;
        current.append(&mut rows);
        rows = current;
    }
    Ok(rows
        .into_iter()
        .filter(|r| Some(i64::from(r.id)) != own)
        .map(|r| TranslationChoice {
            id: r.id,
            selected: Some(r.id) == linked,
            at: local(app, r.published_at.unwrap_or(r.updated_at)),
            title: r.title,
        })
        .collect())
}

/// A refused alt text, shown above the photos: the library's field names
/// (`alt_ar`) are not the picker's.
fn photo_error(app: &App, req: &Req, e: AppError) -> AppError {
    let Some(errors) = field_errors(app, req, &e) else {
        return e;
    };
    let mut moved = tawasul_domain::FieldErrors::default();
    for message in errors.values().filter_map(Value::as_str) {
        moved.add("gallery", message.to_owned());
    }
    AppError::Invalid(moved)
}

/// The short link of an entry readers see, and plain links that share it
/// (no third party's script on the page): WhatsApp, Facebook, X, e-mail.
fn share_links(app: &App, row: &EntryRow) -> Option<Value> {
    public_path(app, row)?;
    let network = app.network();
    let site = network.site(row.site_id)?;
    let kind: EntryKind = row.kind.parse().ok()?;
    // `/{site}/{kind}/{id}` answers 301 to the entry's full address.
    let short = format!(
        "{}/{}/{}/{}",
        app.public_base_url(),
        site.slug,
        kind.path_segment(),
        row.id
    );
    let enc =
        |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let (title, link) = (enc(&row.title), enc(&short));
    Some(json!({
        "short_url": short,
        "whatsapp": format!("https://wa.me/?text={title}%20{link}"),
        "facebook": format!("https://www.facebook.com/sharer/sharer.php?u={link}"),
        "x": format!("https://x.com/intent/post?text={title}&url={link}"),
        "email": format!("mailto:?subject={title}&body={link}"),
    }))
}

pub(super) struct EditorPage<'a> {
    pub site_id: i32,
    pub entry: Value,
    pub row: Option<&'a EntryRow>,
    pub errors: Map<String, Value>,
    pub form_error: Option<String>,
    pub conflict: Option<Value>,
    /// Alt texts as typed, when a refused form is shown again.
    pub alts: HashMap<i32, String>,
}

pub(super) async fn editor(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    page: EditorPage<'_>,
    status: StatusCode,
) -> Response {
    let network = app.network();
    let Some(site) = network.site(page.site_id) else {
        return error_page(app, req, Some(viewer), &AppError::NotFound("site".into()));
    };
    let title = page
        .entry
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map_or_else(|| text(app, req, "dashboard.new_entry"), str::to_owned);
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site.slug, "name": site.name(req.lang), "public_url": format!("/{}/", site.slug)}),
    );
    ctx.insert("entry", &page.entry);
    ctx.insert("errors", &page.errors);
    ctx.insert("form_error", &page.form_error);
    ctx.insert("conflict", &page.conflict);
    ctx.insert("kinds", &kind_options(app, req));
    // The "show in the menu" box: pages, for those who edit the menus.
    let is_page = page.entry.get("kind").and_then(Value::as_str) == Some("page");
    ctx.insert(
        "can_menu",
        &(is_page && viewer.may(&network, site.id, Operation::ManageSiteSettings)),
    );
    let typed_in_menu = page.entry.get("in_menu").and_then(Value::as_bool);
    ctx.insert(
        "in_menu",
        &typed_in_menu.unwrap_or_else(|| page.row.is_some_and(|row| app.page_in_menu(row))),
    );
    let locales: Vec<Value> = [Locale::Ar, Locale::Fr]
        .iter()
        .map(|l| json!({"value": l.as_str(), "label": text(app, req, &format!("locale_name.{}", l.as_str()))}))
        .collect();
    ctx.insert("locales", &locales);
    let categories: Vec<Value> = site
        .categories
        .iter()
        .map(|c| json!({"slug": c.slug, "name": if req.lang == Locale::Ar { &c.name_ar } else { &c.name_fr }}))
        .collect();
    ctx.insert("categories", &categories);
    let programmes: Vec<Value> = network
        .programmes
        .iter()
        .map(|p| json!({"slug": p.slug, "name": if req.lang == Locale::Ar { &p.name_ar } else { &p.name_fr }}))
        .collect();
    ctx.insert("programmes", &programmes);
    ctx.insert(
        "preview_url",
        &format!("/admin/sites/{}/preview", site.slug),
    );
    ctx.insert("media_url", &format!("/admin/sites/{}/media", site.slug));
    let field = |name: &str| page.entry.get(name).and_then(Value::as_str).unwrap_or("");
    let chosen = Chosen {
        cover: field("cover_media"),
        gallery: field("gallery"),
        locale: field("locale"),
        typed_alts: &page.alts,
    };
    match picker(app, viewer, site.id, chosen).await {
        Ok(photos) => ctx.insert("photos", &photos),
        // Shown without its photos, the entry would lose them at the next save.
        Err(e) => return error_page(app, req, Some(viewer), &e),
    }
    ctx.insert("upload_messages", &upload_messages(app, req));
    match translation_choices(app, viewer, &site.slug, &page.entry).await {
        Ok(choices) => ctx.insert("translation_choices", &choices),
        // Shown without its link, the entry would lose it at the next save.
        Err(e) => return error_page(app, req, Some(viewer), &e),
    }
    match page.row {
        None => {
            ctx.insert(
                "can_edit",
                &viewer.may(&network, site.id, Operation::Create),
            );
            ctx.insert("actions", &Vec::<Value>::new());
            ctx.insert("events", &Vec::<Value>::new());
            ctx.insert("can_delete", &false);
            ctx.insert("can_restore_deleted", &false);
            ctx.insert("can_feature", &false);
        }
        Some(row) => {
            let can_edit = viewer.may_on(&network, row, Operation::Edit);
            ctx.insert("can_edit", &can_edit);
            ctx.insert(
                "can_delete",
                &viewer.may_on(&network, row, Operation::Delete),
            );
            ctx.insert(
                "can_restore_deleted",
                &viewer.may_on(&network, row, Operation::Undelete),
            );
            ctx.insert(
                "can_feature",
                &viewer.may_on(&network, row, Operation::FeatureOnParent),
            );
            ctx.insert("featured_on_parent", &row.featured_on_parent);
            ctx.insert("actions", &workflow_actions(app, req, viewer, row));
            let events = match app.workflow_of(viewer, row).await {
                Ok(events) => events,
                Err(e) => return error_page(app, req, Some(viewer), &e),
            };
            let actors = names(app, events.iter().map(|e| e.actor_id)).await;
            let actor_name = |id: Option<i32>| {
                id.and_then(|id| actors.get(&id))
                    .cloned()
                    .unwrap_or_default()
            };
            if row.status == EntryStatus::Draft.as_str() {
                if let Some(last) = events
                    .iter()
                    .find(|e| e.action != "save" && e.action != "restore")
                {
                    if last.action == "request_changes" {
                        ctx.insert(
                            "change_request",
                            &json!({"comment": last.comment, "actor": actor_name(last.actor_id), "at": local(app, last.created_at)}),
                        );
                    }
                }
            }
            let events: Vec<Value> = events
                .iter()
                .map(|e| {
                    json!({
                        "action": e.action,
                        "action_label": text(app, req, &format!("action_done.{}", e.action)),
                        "actor": actor_name(e.actor_id),
                        "comment": e.comment,
                        "at": local(app, e.created_at),
                    })
                })
                .collect();
            ctx.insert("events", &events);
            ctx.insert("history_url", &format!("/admin/entries/{}/history", row.id));
            if let Some(share) = share_links(app, row) {
                ctx.insert("share", &share);
            }
            if row.status == EntryStatus::InReview.as_str()
                && viewer.may_on(&network, row, Operation::Transition(Action::Approve))
            {
                ctx.insert("review_url", &format!("/admin/entries/{}/review", row.id));
            }
            if can_edit && row.status == EntryStatus::Draft.as_str() && row.deleted_at.is_none() {
                ctx.insert("autosave_url", &format!("/admin/entries/{}", row.id));
            }
            if row.status == EntryStatus::Published.as_str() && row.deleted_at.is_none() {
                let change = match app.pending_change(viewer, row.id).await {
                    Ok(change) => change,
                    Err(e) => return error_page(app, req, Some(viewer), &e),
                };
                let view = change_view(app, req, viewer, row, change.as_ref()).await;
                if proposes(app, viewer, row) {
                    // The form writes the pending change, the live text stays.
                    ctx.insert("can_edit", &true);
                    ctx.insert("autosave_url", &view.url);
                    ctx.insert("change", &view);
                } else if view.exists {
                    ctx.insert("pending_change", &view);
                }
            }
        }
    }
    render(app, req, "editor.html", &ctx, status)
}

pub async fn new(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let network = app.network();
    let Some(site_row) = network.site_by_slug(&site) else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(site));
    };
    if !viewer.may(&network, site_row.id, Operation::Create) {
        return error_page(&app, &req, Some(&viewer), &AppError::Forbidden(site));
    }
    let kind = req
        .query_param("kind")
        .and_then(|k| k.parse::<EntryKind>().ok())
        .unwrap_or(EntryKind::News);
    let mut fields = Map::new();
    for name in fact_names(kind) {
        fields.insert(name.to_owned(), Value::String(String::new()));
    }
    let entry = json!({
        "kind": kind.as_str(),
        "kind_label": text(&app, &req, &format!("kind.{}", kind.as_str())),
        "locale": site_row.default_locale.as_str(),
        "title": "", "summary": "", "body": "", "category": "", "tags": "",
        "programmes": [], "translation_of": "", "status": "draft",
        "status_label": text(&app, &req, "status.draft"),
        "deleted": false,
        "fields": fields,
    });
    let page = EditorPage {
        site_id: site_row.id,
        entry,
        row: None,
        errors: Map::new(),
        form_error: None,
        conflict: None,
        alts: HashMap::new(),
    };
    editor(&app, &req, &viewer, page, StatusCode::OK).await
}

/// Applies the editor's "show in the menu" box, when the form showed it
/// (`in_menu_shown`): an unticked box is absent from a form.
async fn menu_box(app: &App, viewer: &Viewer, form: &Form, row: &EntryRow) -> Result<(), AppError> {
    if form.get("in_menu_shown") != "1" {
        return Ok(());
    }
    app.set_page_in_menu(viewer, row, form.get("in_menu") == "1")
        .await
}

pub async fn create(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let kind = form
        .get("kind")
        .parse::<EntryKind>()
        .unwrap_or(EntryKind::News);
    let fallback = app
        .network()
        .site_by_slug(&site)
        .map_or(Locale::Ar, |s| s.default_locale);
    let created = match describe_photos(&app, &req, &viewer, &form, fallback).await {
        Ok(()) => {
            app.create_entry(&viewer, &site, input_from(&form, kind))
                .await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(row) => {
            if let Err(e) = menu_box(&app, &viewer, &form, &row).await {
                return error_page(&app, &req, Some(&viewer), &e);
            }
            see_other_with(&format!("/admin/entries/{}", row.id), "create")
        }
        Err(e) => {
            let Some(errors) = field_errors(&app, &req, &e) else {
                return error_page(&app, &req, Some(&viewer), &e);
            };
            let network = app.network();
            let Some(site_row) = network.site_by_slug(&site) else {
                return error_page(&app, &req, Some(&viewer), &e);
            };
            let mut entry = json!({
                "kind": kind.as_str(),
                "kind_label": text(&app, &req, &format!("kind.{}", kind.as_str())),
                "status": "draft",
                "status_label": text(&app, &req, "status.draft"),
                "deleted": false,
            });
            typed_view(&form, kind, &mut entry);
            let page = EditorPage {
                site_id: site_row.id,
                entry,
                row: None,
                errors,
                form_error: None,
                conflict: None,
                alts: typed_alts(&form),
            };
            editor(&app, &req, &viewer, page, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn edit(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    let row = match entry_in_path(&app, &viewer, &id).await {
        Ok(row) => row,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    // Shown without its tags, the entry would lose them at the next save.
    let labels = match app.entry_labels(&row).await {
        Ok(labels) => labels,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let mut entry = entry_view(&app, &req, &row, &labels).await;
    // Those who propose a change see it where they left it.
    if proposes(&app, &viewer, &row) {
        match app.pending_change(&viewer, row.id).await {
            Ok(Some(change)) => show_change(&mut entry, &change),
            Ok(None) => {}
            Err(e) => return error_page(&app, &req, Some(&viewer), &e),
        }
    }
    let page = EditorPage {
        site_id: row.site_id,
        entry,
        row: Some(&row),
        errors: Map::new(),
        form_error: None,
        conflict: None,
        alts: HashMap::new(),
    };
    editor(&app, &req, &viewer, page, StatusCode::OK).await
}

/// A save without its CSRF token: the autosave script gets JSON, a
/// browser the refusal page.
pub(super) fn refused_save(app: &App, req: &Req, viewer: &Viewer, json: bool) -> Response {
    if json {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"message": text(app, req, "errors.csrf")})),
        )
            .into_response();
    }
    csrf_refused(app, req, viewer)
}

/// An autosave that failed for a reason no field names, as JSON.
pub(super) fn failed_autosave(e: &AppError) -> Response {
    let status = match e {
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(json!({"message": e.to_string()}))).into_response()
}

/// Saves the editor's form. Browsers get the page again (with the typed
/// values and errors, or the conflict screen); the autosave script gets JSON.
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
    let current = match entry_in_path(&app, &viewer, &id).await {
        Ok(row) => row,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let id = current.id;
    let kind: EntryKind = current.kind.parse().unwrap_or(EntryKind::News);
    let Ok(version) = form.get("version").parse::<i32>() else {
        return error_page(
            &app,
            &req,
            Some(&viewer),
            &AppError::Conflict("no version".into()),
        );
    };
    let fallback = current.locale.parse().unwrap_or(Locale::Ar);
    let result = match describe_photos(&app, &req, &viewer, &form, fallback).await {
        Ok(()) => {
            app.save_entry(&viewer, id, version, input_from(&form, kind))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(row) => {
            if let Err(e) = menu_box(&app, &viewer, &form, &row).await {
                return error_page(&app, &req, Some(&viewer), &e);
            }
            if json {
                return Json(
                    json!({"version": row.version, "saved_at": local(&app, row.updated_at)}),
                )
                .into_response();
            }
            see_other_with(&format!("/admin/entries/{id}"), "save")
        }
        Err(AppError::Stale { current: latest }) => {
            let message = text(&app, &req, "errors.conflict");
            if json {
                return (
                    StatusCode::CONFLICT,
                    Json(json!({"current_version": latest.version, "message": message})),
                )
                    .into_response();
            }
            // What the other person changed since the version this form
            // was loaded with; the form keeps what this person typed.
            let diff = app
                .compare_revisions(&viewer, id, Some(version), latest.version)
                .await
                .map(|c| serde_json::to_value(&c.body).unwrap_or(Value::Null))
                .unwrap_or(Value::Null);
            let by_id = app
                .history(&viewer, id)
                .await
                .ok()
                .and_then(|h| h.revisions.last().and_then(|r| r.author_id));
            let by = names(&app, [by_id]).await;
            // The form's own tags and programmes replace these below.
            let mut entry = entry_view(&app, &req, &latest, &EntryLabels::default()).await;
            typed_view(&form, kind, &mut entry);
            let page = EditorPage {
                site_id: latest.site_id,
                entry,
                row: Some(&latest),
                errors: Map::new(),
                form_error: Some(message),
                conflict: Some(json!({
                    "current_version": latest.version,
                    "by": by_id.and_then(|id| by.get(&id)).cloned().unwrap_or_default(),
                    "at": local(&app, latest.updated_at),
                    "diff": diff,
                })),
                alts: typed_alts(&form),
            };
            editor(&app, &req, &viewer, page, StatusCode::CONFLICT).await
        }
        Err(e) => {
            let Some(errors) = field_errors(&app, &req, &e) else {
                if json {
                    return failed_autosave(&e);
                }
                return error_page(&app, &req, Some(&viewer), &e);
            };
            if json {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({"errors": errors})),
                )
                    .into_response();
            }
            // The form's own tags and programmes replace these below.
            let mut entry = entry_view(&app, &req, &current, &EntryLabels::default()).await;
            typed_view(&form, kind, &mut entry);
            let page = EditorPage {
                site_id: current.site_id,
                entry,
                row: Some(&current),
                errors,
                form_error: None,
                conflict: None,
                alts: typed_alts(&form),
            };
            editor(&app, &req, &viewer, page, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn transition(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    // Who may read the entry is decided before the form is read.
    let id = match entry_in_path(&app, &viewer, &id).await {
        Ok(row) => row.id,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let Ok(action) = form.get("action").parse::<Action>() else {
        return error_page(
            &app,
            &req,
            Some(&viewer),
            &AppError::IllegalTransition(form.get("action").to_owned()),
        );
    };
    let at_text = form.get("at").trim().to_owned();
    let mut at = None;
    let mut errors = Map::new();
    if !at_text.is_empty() {
        match tawasul_app::editorial::parse_fields(
            EntryKind::Event,
            Some(&json!({"starts_at": at_text})),
            time::UtcOffset::from_whole_seconds(app.config.site.utc_offset_minutes * 60)
                .unwrap_or(time::UtcOffset::UTC),
            false,
        ) {
            Ok(value) => {
                at = value
                    .get("starts_at")
                    .and_then(Value::as_str)
                    .and_then(|s| {
                        time::OffsetDateTime::parse(
                            s,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                    });
            }
            Err(_) => {
                errors.insert(
                    "at".into(),
                    Value::String(text(&app, &req, "field_errors.at")),
                );
            }
        }
    }
    let result = if errors.is_empty() {
        app.transition(
            &viewer,
            id,
            TransitionInput {
                action,
                comment: form.get("comment").to_owned(),
                at,
                version: form.get("version").parse().ok(),
            },
        )
        .await
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match result {
        Ok(row) => {
            let key = if row.scheduled_at.is_some() && action == Action::Publish {
                "schedule"
            } else {
                action.as_str()
            };
            see_other_with(&format!("/admin/entries/{id}"), key)
        }
        Err(e) => {
            // Field errors speak for themselves in the page's summary;
            // only a refusal of the step itself needs a sentence.
            let (errors, message) = match field_errors(&app, &req, &e) {
                Some(found) => {
                    let mut all = errors;
                    all.extend(found);
                    (all, None)
                }
                None if !errors.is_empty() => (errors, None),
                None => match &e {
                    AppError::IllegalTransition(_) => (
                        Map::new(),
                        Some(text(&app, &req, "errors.transition_refused")),
                    ),
                    AppError::Stale { .. } => {
                        (Map::new(), Some(text(&app, &req, "errors.conflict")))
                    }
                    _ => return error_page(&app, &req, Some(&viewer), &e),
                },
            };
            let row = match app.entry_for(&viewer, id).await {
                Ok(row) => row,
                Err(e) => return error_page(&app, &req, Some(&viewer), &e),
            };
            let labels = match app.entry_labels(&row).await {
                Ok(labels) => labels,
                Err(e) => return error_page(&app, &req, Some(&viewer), &e),
            };
            let page = EditorPage {
                site_id: row.site_id,
                entry: entry_view(&app, &req, &row, &labels).await,
                row: Some(&row),
                errors,
                form_error: message,
                conflict: None,
                alts: HashMap::new(),
            };
            let status = match e {
                AppError::IllegalTransition(_) | AppError::Stale { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            editor(&app, &req, &viewer, page, status).await
        }
    }
}

/// The live preview: the form as typed, rendered by the site's theme.
/// `GET /admin/entries/{id}/preview`: the entry under review as readers
/// will see it, with what changed since the last review marked; the review
/// screen frames it.
pub async fn review_preview(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    let row = match entry_in_path(&app, &viewer, &id).await {
        Ok(row) => row,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let id = row.id;
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
    match app.review_preview(&viewer, id, &origin).await {
        Ok(html) => preview_response(html),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// A preview is a page of the public site: it gets that site's policy,
/// and no other site may frame it.
pub(super) fn preview_response(html: String) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                crate::public::PAGE_CSP,
            ),
            (axum::http::header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        ],
        html,
    )
        .into_response()
}

pub async fn preview(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return (StatusCode::FORBIDDEN, text(&app, &req, "errors.csrf")).into_response();
    }
    let entry_id = form.get("id").parse::<i32>().ok().or_else(|| {
        req.headers
            .get(axum::http::header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.split("/admin/entries/").nth(1))
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .and_then(|id| id.parse().ok())
    });
    let kind = form
        .get("kind")
        .parse::<EntryKind>()
        .ok()
        .or_else(|| entry_id.is_none().then_some(EntryKind::News));
    let kind = match (kind, entry_id) {
        (Some(kind), _) => kind,
        (None, Some(id)) => match app.entry_for(&viewer, id).await {
            Ok(row) => row.kind.parse().unwrap_or(EntryKind::News),
            Err(e) => return error_page(&app, &req, Some(&viewer), &e),
        },
        (None, None) => EntryKind::News,
    };
    let (host, scheme) =
        crate::resolve::host_and_scheme(&req.headers, app.config.server.behind_proxy, None);
    let origin = Origin {
        scheme,
        host,
        prefix: format!("/{site}"),
    };
    match app
        .preview(&viewer, &site, entry_id, input_from(&form, kind), &origin)
        .await
    {
        // Opened on its own without JavaScript, it is a page of the site.
        Ok(html) => preview_response(html),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

async fn simple(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    form: &Form,
    id: &str,
    run: impl AsyncFnOnce(&App, &Viewer, i32) -> Result<EntryRow, AppError>,
    done: &str,
) -> Response {
    if !form.csrf_ok(viewer, req) {
        return csrf_refused(app, req, viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(app, req, Some(viewer), &AppError::NotFound(id.to_owned()));
    };
    match run(app, viewer, id).await {
        Ok(_) => see_other_with(&format!("/admin/entries/{id}"), done),
        Err(e) => error_page(app, req, Some(viewer), &e),
    }
}

pub async fn delete(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    simple(
        &app,
        &req,
        &viewer,
        &form,
        &id,
        async |app, viewer, id| app.delete_entry(viewer, id).await,
        "delete",
    )
    .await
}

pub async fn undelete(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    simple(
        &app,
        &req,
        &viewer,
        &form,
        &id,
        async |app, viewer, id| app.undelete_entry(viewer, id).await,
        "undelete",
    )
    .await
}

pub async fn feature(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    let on = form.get("on") == "1";
    let done = if on { "feature" } else { "unfeature" };
    simple(
        &app,
        &req,
        &viewer,
        &form,
        &id,
        async move |app, viewer, id| app.feature_on_parent(viewer, id, on).await,
        done,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_an_input_with_only_the_kinds_facts() {
        let form = Form(vec![
            ("title".into(), "دورة".into()),
            ("tags".into(), "مسار، تكوين, Massar".into()),
            ("programmes".into(), "massar".into()),
            ("programmes".into(), "tayssir".into()),
            ("f_venue".into(), "قاعة".into()),
            ("f_deadline".into(), "2026-12-01".into()),
            ("body".into(), "a\r\nb".into()),
        ]);
        let input = input_from(&form, EntryKind::TrainingReport);
        assert_eq!(input.tags, ["مسار", "تكوين", "Massar"]);
        assert_eq!(input.programmes, ["massar", "tayssir"]);
        assert_eq!(input.body, "a\nb");
        let facts = input.fields.expect("facts");
        assert_eq!(facts["venue"], "قاعة");
        assert!(
            facts.get("deadline").is_none(),
            "an announcement's fact is not a report's"
        );
    }
}

//! The directory screens of a site: institutions and contacts (browse,
//! search, edit), CSV import (a refused file lists every problem with its
//! line, and keeps the text to fix) and export, audiences, and sending a
//! published entry as a notice. Contexts: docs/admin-ui.md, "Directory".

mod audiences;
mod notices;

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};
use tawasul_app::directory::csv::{LineError, Separator, CONTACT_COLUMNS, INSTITUTION_COLUMNS};
use tawasul_app::directory::{
    ContactFields, ContactView, DirectoryFile, InstitutionFields, InstitutionView, ListFilter,
    ListPage, Locale,
};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::directory::{Cycle, DirectoryOperation, Function};
use tawasul_render::Context;

use super::{
    base_context, csrf_refused, error_page, render, see_other_with, text, AdminUser, Form, Req,
};
use crate::session::{csrf_header, csrf_matches};

/// The routes of the directory and notices screens.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/sites/{site}/directory", get(institutions))
        .route(
            "/sites/{site}/directory/institutions",
            get(institutions).post(create_institution),
        )
        .route(
            "/sites/{site}/directory/institutions/new",
            get(new_institution),
        )
        .route(
            "/sites/{site}/directory/institutions/{id}",
            get(edit_institution).post(save_institution),
        )
        .route(
            "/sites/{site}/directory/institutions/{id}/delete",
            post(delete_institution),
        )
        .route(
            "/sites/{site}/directory/contacts",
            get(contacts).post(create_contact),
        )
        .route("/sites/{site}/directory/contacts/new", get(new_contact))
        .route(
            "/sites/{site}/directory/contacts/{id}",
            get(edit_contact).post(save_contact),
        )
        .route(
            "/sites/{site}/directory/contacts/{id}/delete",
            post(delete_contact),
        )
        .route(
            "/sites/{site}/directory/import",
            get(import_form)
                .post(import)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::api::directory::IMPORT_BODY_LIMIT + 64 * 1024,
                )),
        )
        .route("/sites/{site}/directory/export/{file}", get(export))
        .route(
            "/sites/{site}/directory/audiences",
            get(audiences::list).post(audiences::create),
        )
        .route("/sites/{site}/directory/audiences/new", get(audiences::new))
        .route(
            "/sites/{site}/directory/audiences/{id}",
            get(audiences::edit).post(audiences::save),
        )
        .route(
            "/sites/{site}/directory/audiences/{id}/delete",
            post(audiences::delete),
        )
        .route(
            "/entries/{id}/notices",
            get(notices::page).post(notices::submit),
        )
}

/// The base of a directory page: the site, the tab, and whether the viewer
/// may change things; `None` when the site does not exist.
fn directory_context(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    tab: &str,
    heading_key: &str,
) -> Option<Context> {
    let network = app.network();
    let site_row = network.site_by_slug(site)?;
    let heading = text(app, req, heading_key);
    let title = format!("{heading} · {}", site_row.name(req.lang));
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site_row.slug, "name": site_row.name(req.lang)}),
    );
    ctx.insert("tab", tab);
    ctx.insert("heading", &heading);
    ctx.insert(
        "can_manage",
        &app.may_use_directory(viewer, site_row.id, DirectoryOperation::Manage),
    );
    Some(ctx)
}

fn no_site(app: &App, req: &Req, viewer: &Viewer, site: &str) -> Response {
    error_page(app, req, Some(viewer), &AppError::NotFound(site.to_owned()))
}

/// The refusal of a page only the site's administrators use (the forms
/// to add and to import), or `None` when the viewer is one.
pub(super) fn unless_manager(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
) -> Option<Response> {
    let network = app.network();
    let Some(site_row) = network.site_by_slug(site) else {
        return Some(no_site(app, req, viewer, site));
    };
    if app.may_use_directory(viewer, site_row.id, DirectoryOperation::Manage) {
        return None;
    }
    Some(error_page(
        app,
        req,
        Some(viewer),
        &AppError::Forbidden(format!(
            "only an administrator of {} manages its directory",
            site_row.slug
        )),
    ))
}

pub(super) fn cycle_options(lang: Locale) -> Vec<Value> {
    Cycle::ALL
        .iter()
        .map(|c| json!({"value": c.as_str(), "label": c.label(lang)}))
        .collect()
}

pub(super) fn function_options(lang: Locale) -> Vec<Value> {
    Function::ALL
        .iter()
        .map(|f| json!({"value": f.as_str(), "label": f.label(lang)}))
        .collect()
}

/// An institution's name in the reader's language (the other one when empty).
fn name_in(lang: Locale, ar: &str, fr: &str) -> String {
    match lang {
        Locale::Ar if !ar.is_empty() => ar.to_owned(),
        _ if !fr.is_empty() => fr.to_owned(),
        _ => ar.to_owned(),
    }
}

/// Field errors in the reader's language: `directory.errors.{field}`,
/// else the use case's own words.
pub(super) fn directory_errors(app: &App, req: &Req, err: &AppError) -> Option<Map<String, Value>> {
    let errors = match err {
        AppError::Invalid(errors) => errors,
        AppError::Domain(tawasul_domain::DomainError::Invalid(errors)) => errors,
        _ => return None,
    };
    let mut out = Map::new();
    for (field, message) in errors.iter() {
        let key = format!("directory.errors.{field}");
        let translated = text(app, req, &key);
        let shown = if translated.is_empty() || translated == key {
            message.to_owned()
        } else {
            translated
        };
        out.insert(field.to_owned(), Value::String(shown));
    }
    Some(out)
}

/// Prev/next links of a list, keeping its filters.
fn pagination(ctx: &mut Context, base: &str, params: &[(&str, String)], page: u64, pages: u64) {
    let link = |p: u64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
            query.append_pair(k, v);
        }
        query.append_pair("page", &p.to_string());
        format!("{base}?{}", query.finish())
    };
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    if page > 1 {
        ctx.insert("prev_url", &link(page - 1));
    }
    if page < pages {
        ctx.insert("next_url", &link(page + 1));
    }
}

fn list_filter(req: &Req, kind_name: &str) -> ListFilter {
    ListFilter {
        q: req.query_param("q").unwrap_or_default().trim().to_owned(),
        kind: req.query_param(kind_name).unwrap_or_default(),
        institution: req.query_param("institution").and_then(|v| v.parse().ok()),
        page: req
            .query_param("page")
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| (1..=100_000).contains(p))
            .unwrap_or(1),
    }
}

fn export_links(site: &str, file: DirectoryFile) -> Value {
    let base = format!(
        "/admin/sites/{site}/directory/export/{}",
        match file {
            DirectoryFile::Institutions => "institutions",
            DirectoryFile::Contacts => "contacts",
        }
    );
    json!({"fr": format!("{base}?lang=fr"), "ar": format!("{base}?lang=ar")})
}

// ---------------------------------------------------------------- institutions

fn institution_row(req: &Req, site: &str, i: &InstitutionView) -> Value {
    json!({
        "id": i.id,
        "code": i.code,
        "name": name_in(req.lang, &i.name_ar, &i.name_fr),
        "name_ar": i.name_ar,
        "name_fr": i.name_fr,
        "cycle": i.cycle.as_str(),
        "cycle_label": i.cycle.label(req.lang),
        "commune": i.commune,
        "email": i.email,
        "url": format!("/admin/sites/{site}/directory/institutions/{}", i.id),
        "contacts_url": format!("/admin/sites/{site}/directory/contacts?institution={}", i.id),
    })
}

/// `GET /admin/sites/{site}/directory/institutions?q=&cycle=&page=`
pub async fn institutions(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let mut filter = list_filter(&req, "cycle");
    if filter.kind.parse::<Cycle>().is_err() {
        filter.kind.clear();
    }
    let found: ListPage<InstitutionView> = match app.institutions(&viewer, &site, &filter).await {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let Some(mut ctx) = directory_context(
        &app,
        &req,
        &viewer,
        &site,
        "institutions",
        "directory.institutions",
    ) else {
        return no_site(&app, &req, &viewer, &site);
    };
    let rows: Vec<Value> = found
        .items
        .iter()
        .map(|i| institution_row(&req, &site, i))
        .collect();
    ctx.insert("institutions", &rows);
    ctx.insert("total", &found.total);
    ctx.insert("q", &filter.q);
    ctx.insert("cycle", &filter.kind);
    ctx.insert("cycles", &cycle_options(req.lang));
    ctx.insert(
        "export_urls",
        &export_links(&site, DirectoryFile::Institutions),
    );
    pagination(
        &mut ctx,
        &format!("/admin/sites/{site}/directory/institutions"),
        &[("q", filter.q.clone()), ("cycle", filter.kind.clone())],
        found.page,
        found.pages,
    );
    render(
        &app,
        &req,
        "directory_institutions.html",
        &ctx,
        StatusCode::OK,
    )
}

/// The institution form, new (`id` None) or existing, with what was typed.
#[expect(clippy::too_many_arguments, reason = "a form page and its state")]
async fn institution_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: Value,
    errors: Map<String, Value>,
    status: StatusCode,
) -> Response {
    let Some(mut ctx) = directory_context(
        app,
        req,
        viewer,
        site,
        "institutions",
        if id.is_some() {
            "directory.institution_edit"
        } else {
            "directory.institution_new"
        },
    ) else {
        return no_site(app, req, viewer, site);
    };
    let base = format!("/admin/sites/{site}/directory/institutions");
    ctx.insert("form", &form);
    ctx.insert("errors", &errors);
    ctx.insert("cycles", &cycle_options(req.lang));
    match id {
        Some(id) => {
            ctx.insert("action", &format!("{base}/{id}"));
            ctx.insert("delete_url", &format!("{base}/{id}/delete"));
            ctx.insert(
                "contacts_url",
                &format!("/admin/sites/{site}/directory/contacts?institution={id}"),
            );
        }
        None => ctx.insert("action", &base),
    }
    ctx.insert("is_new", &id.is_none());
    ctx.insert("list_url", &base);
    render(app, req, "directory_institution.html", &ctx, status)
}

fn institution_form(i: &InstitutionView) -> Value {
    json!({
        "code": i.code, "name_ar": i.name_ar, "name_fr": i.name_fr,
        "cycle": i.cycle.as_str(), "commune": i.commune, "email": i.email,
    })
}

fn typed_institution(form: &Form) -> (InstitutionFields, Value) {
    let fields = InstitutionFields {
        code: Some(form.get("code").to_owned()),
        name_ar: Some(form.get("name_ar").to_owned()),
        name_fr: Some(form.get("name_fr").to_owned()),
        cycle: Some(form.get("cycle").to_owned()),
        commune: Some(form.get("commune").to_owned()),
        email: Some(form.get("email").to_owned()),
    };
    let typed = json!({
        "code": form.get("code"), "name_ar": form.get("name_ar"), "name_fr": form.get("name_fr"),
        "cycle": form.get("cycle"), "commune": form.get("commune"), "email": form.get("email"),
    });
    (fields, typed)
}

/// `GET /admin/sites/{site}/directory/institutions/new`
pub async fn new_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let form = json!({"cycle": "primary"});
    institution_page(
        &app,
        &req,
        &viewer,
        &site,
        None,
        form,
        Map::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/sites/{site}/directory/institutions/{id}`
pub async fn edit_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.institution(&viewer, &site, id).await {
        Ok(i) => {
            let form = institution_form(&i);
            institution_page(
                &app,
                &req,
                &viewer,
                &site,
                Some(id),
                form,
                Map::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `POST /admin/sites/{site}/directory/institutions`
pub async fn create_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let (fields, typed) = typed_institution(&form);
    match app.create_institution(&viewer, &site, fields).await {
        Ok(_) => see_other_with(
            &format!("/admin/sites/{site}/directory/institutions"),
            "directory.saved",
        ),
        Err(e) => match directory_errors(&app, &req, &e) {
            Some(errors) => {
                institution_page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    None,
                    typed,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

/// `POST /admin/sites/{site}/directory/institutions/{id}`
pub async fn save_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    let (fields, typed) = typed_institution(&form);
    match app.update_institution(&viewer, &site, id, fields).await {
        Ok(_) => see_other_with(
            &format!("/admin/sites/{site}/directory/institutions"),
            "directory.saved",
        ),
        Err(e) => match directory_errors(&app, &req, &e) {
            Some(errors) => {
                institution_page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    Some(id),
                    typed,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

/// `POST /admin/sites/{site}/directory/institutions/{id}/delete`
pub async fn delete_institution(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.delete_institution(&viewer, &site, id).await {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/institutions"),
            "directory.deleted",
        ),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

// ---------------------------------------------------------------- contacts

fn contact_row(req: &Req, site: &str, c: &ContactView) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "function": c.function.as_str(),
        "function_label": c.function.label(req.lang),
        "email": c.email,
        "institution": c.institution.as_ref().map(|i| json!({
            "code": i.code,
            "name": name_in(req.lang, &i.name_ar, &i.name_fr),
            "url": format!("/admin/sites/{site}/directory/institutions/{}", i.id),
        })),
        "url": format!("/admin/sites/{site}/directory/contacts/{}", c.id),
    })
}

/// `GET /admin/sites/{site}/directory/contacts?q=&function=&institution=&page=`
pub async fn contacts(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let mut filter = list_filter(&req, "function");
    if filter.kind.parse::<Function>().is_err() {
        filter.kind.clear();
    }
    let found = match app.contacts(&viewer, &site, &filter).await {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let institution = match filter.institution {
        Some(id) => app.institution(&viewer, &site, id).await.ok(),
        None => None,
    };
    let Some(mut ctx) =
        directory_context(&app, &req, &viewer, &site, "contacts", "directory.contacts")
    else {
        return no_site(&app, &req, &viewer, &site);
    };
    let rows: Vec<Value> = found
        .items
        .iter()
        .map(|c| contact_row(&req, &site, c))
        .collect();
    ctx.insert("contacts", &rows);
    ctx.insert("total", &found.total);
    ctx.insert("q", &filter.q);
    ctx.insert("function", &filter.kind);
    ctx.insert("functions", &function_options(req.lang));
    if let Some(i) = &institution {
        ctx.insert(
            "institution",
            &json!({"id": i.id, "code": i.code, "name": name_in(req.lang, &i.name_ar, &i.name_fr)}),
        );
    }
    ctx.insert("export_urls", &export_links(&site, DirectoryFile::Contacts));
    pagination(
        &mut ctx,
        &format!("/admin/sites/{site}/directory/contacts"),
        &[
            ("q", filter.q.clone()),
            ("function", filter.kind.clone()),
            (
                "institution",
                filter
                    .institution
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
            ),
        ],
        found.page,
        found.pages,
    );
    render(&app, &req, "directory_contacts.html", &ctx, StatusCode::OK)
}

#[expect(clippy::too_many_arguments, reason = "a form page and its state")]
async fn contact_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: Value,
    errors: Map<String, Value>,
    status: StatusCode,
) -> Response {
    let Some(mut ctx) = directory_context(
        app,
        req,
        viewer,
        site,
        "contacts",
        if id.is_some() {
            "directory.contact_edit"
        } else {
            "directory.contact_new"
        },
    ) else {
        return no_site(app, req, viewer, site);
    };
    let base = format!("/admin/sites/{site}/directory/contacts");
    ctx.insert("form", &form);
    ctx.insert("errors", &errors);
    ctx.insert("functions", &function_options(req.lang));
    match id {
        Some(id) => {
            ctx.insert("action", &format!("{base}/{id}"));
            ctx.insert("delete_url", &format!("{base}/{id}/delete"));
        }
        None => ctx.insert("action", &base),
    }
    ctx.insert("is_new", &id.is_none());
    ctx.insert("list_url", &base);
    render(app, req, "directory_contact.html", &ctx, status)
}

fn typed_contact(form: &Form) -> (ContactFields, Value) {
    let fields = ContactFields {
        name: Some(form.get("name").to_owned()),
        function: Some(form.get("function").to_owned()),
        institution: Some(form.get("institution").to_owned()),
        email: Some(form.get("email").to_owned()),
    };
    let typed = json!({
        "name": form.get("name"), "function": form.get("function"),
        "institution": form.get("institution"), "email": form.get("email"),
    });
    (fields, typed)
}

/// `GET /admin/sites/{site}/directory/contacts/new?institution=`
pub async fn new_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let code = match req.query_param("institution").and_then(|v| v.parse().ok()) {
        Some(id) => app
            .institution(&viewer, &site, id)
            .await
            .map(|i| i.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let form = json!({"function": "principal", "institution": code});
    contact_page(
        &app,
        &req,
        &viewer,
        &site,
        None,
        form,
        Map::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/sites/{site}/directory/contacts/{id}`
pub async fn edit_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.contact(&viewer, &site, id).await {
        Ok(c) => {
            let form = json!({
                "name": c.name, "function": c.function.as_str(), "email": c.email,
                "institution": c.institution.map(|i| i.code).unwrap_or_default(),
            });
            contact_page(
                &app,
                &req,
                &viewer,
                &site,
                Some(id),
                form,
                Map::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `POST /admin/sites/{site}/directory/contacts`
pub async fn create_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let (fields, typed) = typed_contact(&form);
    match app.create_contact(&viewer, &site, fields).await {
        Ok(_) => see_other_with(
            &format!("/admin/sites/{site}/directory/contacts"),
            "directory.saved",
        ),
        Err(e) => match directory_errors(&app, &req, &e) {
            Some(errors) => {
                contact_page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    None,
                    typed,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

/// `POST /admin/sites/{site}/directory/contacts/{id}`
pub async fn save_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    let (fields, typed) = typed_contact(&form);
    match app.update_contact(&viewer, &site, id, fields).await {
        Ok(_) => see_other_with(
            &format!("/admin/sites/{site}/directory/contacts"),
            "directory.saved",
        ),
        Err(e) => match directory_errors(&app, &req, &e) {
            Some(errors) => {
                contact_page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    Some(id),
                    typed,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

/// `POST /admin/sites/{site}/directory/contacts/{id}/delete`
pub async fn delete_contact(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.delete_contact(&viewer, &site, id).await {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/contacts"),
            "directory.deleted",
        ),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

// ---------------------------------------------------------------- import and export

/// What the import page shows besides the form.
#[derive(Default)]
struct ImportState {
    file: String,
    text: String,
    problems: Vec<Value>,
    outcome: Option<Value>,
    form_error: Option<String>,
}

fn columns_help(lang: Locale) -> Value {
    let table = |columns: &[tawasul_app::directory::csv::Column]| -> Vec<Value> {
        columns
            .iter()
            .map(|c| json!({"fr": c.fr, "ar": c.ar, "required": c.required, "header": c.header(lang)}))
            .collect()
    };
    json!({"institutions": table(INSTITUTION_COLUMNS), "contacts": table(CONTACT_COLUMNS)})
}

fn import_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    state: ImportState,
    status: StatusCode,
) -> Response {
    let Some(mut ctx) = directory_context(app, req, viewer, site, "import", "directory.import")
    else {
        return no_site(app, req, viewer, site);
    };
    let file = if state.file == "contacts" {
        "contacts"
    } else {
        "institutions"
    };
    ctx.insert("file", file);
    ctx.insert(
        "files",
        &json!([
            {"value": "institutions", "label": text(app, req, "directory.institutions")},
            {"value": "contacts", "label": text(app, req, "directory.contacts")},
        ]),
    );
    ctx.insert("text", &state.text);
    ctx.insert("problems", &state.problems);
    if let Some(outcome) = &state.outcome {
        ctx.insert("outcome", outcome);
    }
    if let Some(message) = &state.form_error {
        ctx.insert("form_error", message);
    }
    ctx.insert("columns", &columns_help(req.lang));
    ctx.insert("action", &format!("/admin/sites/{site}/directory/import"));
    render(app, req, "directory_import.html", &ctx, status)
}

/// `GET /admin/sites/{site}/directory/import?file=`
pub async fn import_form(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    if let Some(refused) = unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let state = ImportState {
        file: req.query_param("file").unwrap_or_default(),
        ..ImportState::default()
    };
    import_page(&app, &req, &viewer, &site, state, StatusCode::OK)
}

/// A line's problem in the reader's language.
fn problem_text(app: &App, req: &Req, e: &LineError) -> String {
    let key = format!("directory.problems.{}", e.problem.key());
    let pattern = text(app, req, &key);
    if pattern == key {
        return e.problem.to_string();
    }
    e.problem.values().iter().fold(pattern, |t, (name, value)| {
        t.replace(&format!("{{{name}}}"), value)
    })
}

/// `POST /admin/sites/{site}/directory/import` (multipart: `_csrf`,
/// `file` = institutions | contacts, `upload` a file, or `text` pasted).
pub async fn import(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut csrf_ok = csrf_matches(&viewer, csrf_header(&req.headers));
    let mut state = ImportState::default();
    let mut upload: Vec<u8> = Vec::new();
    let Ok(mut multipart) = multipart else {
        return import_page(
            &app,
            &req,
            &viewer,
            &site,
            ImportState {
                form_error: Some(text(&app, &req, "directory.import_unreadable")),
                ..ImportState::default()
            },
            StatusCode::BAD_REQUEST,
        );
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::BAD_REQUEST
                };
                if !csrf_ok {
                    return csrf_refused(&app, &req, &viewer);
                }
                state.form_error = Some(text(&app, &req, "directory.import_unreadable"));
                return import_page(&app, &req, &viewer, &site, state, status);
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(_) => {
                if !csrf_ok {
                    return csrf_refused(&app, &req, &viewer);
                }
                state.form_error = Some(text(&app, &req, "directory.import_unreadable"));
                return import_page(&app, &req, &viewer, &site, state, StatusCode::BAD_REQUEST);
            }
        };
        match name.as_str() {
            "_csrf" => {
                let token = String::from_utf8_lossy(&bytes).into_owned();
                csrf_ok = csrf_ok || csrf_matches(&viewer, Some(token.as_str()));
            }
            "file" => state.file = String::from_utf8_lossy(&bytes).into_owned(),
            "text" => state.text = String::from_utf8_lossy(&bytes).into_owned(),
            "upload" => upload = bytes.to_vec(),
            _ => {}
        }
    }
    if !csrf_ok {
        return csrf_refused(&app, &req, &viewer);
    }
    let file = if state.file == "contacts" {
        DirectoryFile::Contacts
    } else {
        DirectoryFile::Institutions
    };
    // A chosen file wins over the text box; its text is kept in the box
    // when refused, so it can be corrected here and sent again.
    let bytes = if upload.is_empty() {
        state.text.clone().into_bytes()
    } else {
        if let Ok(text) = std::str::from_utf8(&upload) {
            state.text = text.trim_start_matches('\u{FEFF}').to_owned();
        }
        upload
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        state.form_error = Some(text(&app, &req, "directory.import_nothing"));
        return import_page(
            &app,
            &req,
            &viewer,
            &site,
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match app
        .try_import_directory(Some(&viewer), &site, file, &bytes)
        .await
    {
        Ok(Ok(outcome)) => {
            state.text.clear();
            state.outcome = Some(json!({
                "created": outcome.counts.created,
                "updated": outcome.counts.updated,
                "unchanged": outcome.counts.unchanged,
                "ignored_columns": outcome.ignored_columns,
            }));
            import_page(&app, &req, &viewer, &site, state, StatusCode::OK)
        }
        Ok(Err(lines)) => {
            state.problems = lines
                .iter()
                .map(|e| {
                    json!({
                        "line": e.line,
                        "column": e.column,
                        "message": problem_text(&app, &req, e),
                    })
                })
                .collect();
            import_page(
                &app,
                &req,
                &viewer,
                &site,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `GET /admin/sites/{site}/directory/export/{institutions|contacts}?lang=`
pub async fn export(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, file)): Path<(String, String)>,
) -> Response {
    let file = match file.parse::<DirectoryFile>() {
        Ok(file) => file,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let locale = match req.query_param("lang").as_deref() {
        Some("ar") => Locale::Ar,
        _ => Locale::Fr,
    };
    let separator = match req.query_param("separator").as_deref() {
        Some("comma") => Separator::Comma,
        _ => Separator::Semicolon,
    };
    match app
        .export_directory(Some(&viewer), &site, file, locale, separator)
        .await
    {
        Ok(body) => crate::api::directory::csv_response(&site, file, body),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

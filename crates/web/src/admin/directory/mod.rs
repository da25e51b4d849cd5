//! The directory screens of a site: institutions and contacts (browse,
//! search, edit), CSV import (a refused file lists every problem with its
//! line, and keeps the text to fix) and export, audiences, and sending a
//! published entry as a notice. Contexts: docs/admin-ui.md, "Directory".

mod audiences;
mod contacts;
mod institutions;
mod notices;
mod transfer;

use contacts::*;
use institutions::*;
use transfer::*;

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

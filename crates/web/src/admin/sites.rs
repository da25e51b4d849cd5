//! The network's sites (platform administrators): list and create.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};
use tawasul_app::{App, AppError, NewSiteInput, Viewer};
use tawasul_domain::SiteKind;

use super::{
    base_context, csrf_refused, error_page, field_errors, render, see_other_with, text, AdminUser,
    Form, Req,
};

fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    errors: Map<String, Value>,
    form: Option<&Form>,
    status: StatusCode,
) -> Response {
    if !viewer.is_platform_admin() {
        return error_page(app, req, Some(viewer), &AppError::Forbidden("sites".into()));
    }
    let network = app.network();
    let sites: Vec<Value> = network
        .sites()
        .iter()
        .map(|s| {
            json!({
                "slug": s.slug,
                "name_ar": s.name_ar,
                "name_fr": s.name_fr,
                "kind": s.kind.as_str(),
                "kind_label": text(app, req, &format!("site_kind.{}", s.kind.as_str())),
                "parent": s.parent_id.and_then(|p| network.site(p)).map(|p| p.slug.clone()),
                "hosts": s.hosts,
                "theme": s.theme,
                "entries_url": format!("/admin/sites/{}/entries", s.slug),
                "members_url": format!("/admin/sites/{}/members", s.slug),
            })
        })
        .collect();
    let kinds: Vec<Value> = SiteKind::ALL
        .iter()
        .map(|k| json!({"value": k.as_str(), "label": text(app, req, &format!("site_kind.{}", k.as_str()))}))
        .collect();
    let themes: Vec<String> = app.with_renderer(|r| r.theme_names().map(str::to_owned).collect());
    let parents: Vec<Value> = network
        .sites()
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                SiteKind::Ministry | SiteKind::Academy | SiteKind::Directorate
            )
        })
        .map(|s| json!({"slug": s.slug, "name": s.name(req.lang)}))
        .collect();
    let title = text(app, req, "nav.network");
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert("sites", &sites);
    ctx.insert("kinds", &kinds);
    ctx.insert("themes", &themes);
    ctx.insert("parents", &parents);
    ctx.insert("errors", &errors);
    let mut typed = Map::new();
    for name in [
        "slug", "kind", "parent", "name_ar", "name_fr", "hosts", "theme", "locale",
    ] {
        typed.insert(
            name.into(),
            Value::String(form.map_or("", |f| f.get(name)).to_owned()),
        );
    }
    ctx.insert("form", &typed);
    render(app, req, "sites.html", &ctx, status)
}

pub async fn list(State(app): State<Arc<App>>, req: Req, AdminUser(viewer): AdminUser) -> Response {
    page(&app, &req, &viewer, Map::new(), None, StatusCode::OK)
}

pub async fn create(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    if !viewer.is_platform_admin() {
        return error_page(
            &app,
            &req,
            Some(&viewer),
            &AppError::Forbidden("sites".into()),
        );
    }
    let slug = form.get("slug").trim().to_owned();
    let updating = form.get("update") == "1";
    let mut errors = Map::new();
    if app.network().site_by_slug(&slug).is_some() != updating {
        errors.insert(
            "slug".into(),
            Value::String(text(&app, &req, "field_errors.site_slug")),
        );
        return page(
            &app,
            &req,
            &viewer,
            errors,
            Some(&form),
            StatusCode::CONFLICT,
        );
    }
    let input = NewSiteInput {
        slug: slug.clone(),
        kind: form.get("kind").to_owned(),
        parent: Some(form.get("parent").trim().to_owned()).filter(|p| !p.is_empty()),
        name_ar: form.get("name_ar").to_owned(),
        name_fr: form.get("name_fr").to_owned(),
        hosts: form
            .get("hosts")
            .lines()
            .map(|h| h.trim().to_lowercase())
            .filter(|h| !h.is_empty())
            .collect(),
        theme: Some(form.get("theme").to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "default".into()),
        default_locale: Some(form.get("locale").to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "ar".into()),
    };
    let saved = if updating {
        app.update_site(&viewer, input).await
    } else {
        app.create_site(&viewer, input).await
    };
    match saved {
        Ok(_) => see_other_with("/admin/sites", "site_create"),
        Err(e) => {
            let errors = match (&e, field_errors(&app, &req, &e)) {
                (_, Some(mut errors)) => {
                    // A site's identifier has its own rules, not an entry's address's.
                    if errors.contains_key("slug") {
                        errors.insert(
                            "slug".into(),
                            Value::String(text(&app, &req, "field_errors.site_slug")),
                        );
                    }
                    errors
                }
                (AppError::NotFound(what), None) => {
                    let field = if what.starts_with("theme") {
                        "theme"
                    } else {
                        "parent"
                    };
                    let mut errors = Map::new();
                    errors.insert(
                        field.into(),
                        Value::String(text(&app, &req, &format!("field_errors.{field}"))),
                    );
                    errors
                }
                (AppError::Conflict(_), None) => {
                    let mut errors = Map::new();
                    errors.insert(
                        "parent".into(),
                        Value::String(text(&app, &req, "field_errors.parent")),
                    );
                    errors
                }
                _ => return error_page(&app, &req, Some(&viewer), &e),
            };
            page(
                &app,
                &req,
                &viewer,
                errors,
                Some(&form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

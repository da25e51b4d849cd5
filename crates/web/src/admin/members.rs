//! A site's members: invite, change role, remove (site administrators).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::Role;

use super::{
    base_context, csrf_refused, error_page, field_errors, render, see_other_with, text, AdminUser,
    Form, Req,
};

async fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    errors: Map<String, Value>,
    form: Option<&Form>,
    status: StatusCode,
) -> Response {
    let members = match app.members(viewer, site).await {
        Ok(members) => members,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let network = app.network();
    let Some(site_row) = network.site_by_slug(site) else {
        return error_page(app, req, Some(viewer), &AppError::NotFound(site.to_owned()));
    };
    let members: Vec<Value> = members
        .iter()
        .map(|m| {
            json!({
                "user_id": m.user_id,
                "name": m.name,
                "email": m.email,
                "role": m.role.as_str(),
                "role_label": text(app, req, &format!("role.{}", m.role.as_str())),
                "inherited_from": m.inherited_from.and_then(|id| network.site(id)).map(|s| s.name(req.lang).to_owned()),
                "last_login_at": m.last_login_at.map(|at| super::screens::local(app, at)),
                "disabled": m.disabled,
                "is_me": m.user_id == viewer.user.id,
            })
        })
        .collect();
    let roles: Vec<Value> = Role::ALL
        .iter()
        .map(|r| json!({"value": r.as_str(), "label": text(app, req, &format!("role.{}", r.as_str()))}))
        .collect();
    let title = format!(
        "{} · {}",
        text(app, req, "members.heading"),
        site_row.name(req.lang)
    );
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site_row.slug, "name": site_row.name(req.lang)}),
    );
    ctx.insert("members", &members);
    ctx.insert("roles", &roles);
    ctx.insert("errors", &errors);
    ctx.insert("invite_email", form.map_or("", |f| f.get("email")));
    ctx.insert("invite_name", form.map_or("", |f| f.get("name")));
    ctx.insert("invite_role", form.map_or("editor", |f| f.get("role")));
    render(app, req, "members.html", &ctx, status)
}

pub async fn list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    page(&app, &req, &viewer, &site, Map::new(), None, StatusCode::OK).await
}

pub async fn invite(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    match app
        .invite_member(
            &viewer,
            &site,
            form.get("email"),
            form.get("name"),
            form.get("role"),
        )
        .await
    {
        Ok(_) => see_other_with(&format!("/admin/sites/{site}/members"), "member_set"),
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => {
                page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    errors,
                    Some(&form),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

pub async fn change(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, user)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(user) = user.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(user));
    };
    match app
        .set_member_role(&viewer, &site, user, form.get("role"))
        .await
    {
        Ok(()) => see_other_with(&format!("/admin/sites/{site}/members"), "member_set"),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

pub async fn remove(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, user)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(user) = user.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(user));
    };
    match app.remove_member(&viewer, &site, user).await {
        Ok(()) => see_other_with(&format!("/admin/sites/{site}/members"), "member_remove"),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

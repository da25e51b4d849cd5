//! The person's own account: password, API tokens, sessions, and how
//! they hear of work waiting (at once, a daily digest, or not at all).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use tawasul_app::{App, Viewer};

use super::screens::local;
use super::{
    base_context, csrf_refused, error_page, field_errors, render, see_other, see_other_with, text,
    AdminUser, Form, Req,
};
use crate::session::clear_session_cookie;

/// Where the person's two-factor sign-in stands, on the account page.
#[derive(serde::Serialize)]
struct TwoFactorSummary {
    enabled: bool,
    required: bool,
    recovery_left: u64,
    url: &'static str,
}

async fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    errors: Map<String, Value>,
    new_token: Option<String>,
    status: StatusCode,
) -> Response {
    let tokens = match app.api_tokens(viewer).await {
        Ok(tokens) => tokens,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "created_at": local(app, t.created_at),
                "expires_at": t.expires_at.map(|at| local(app, at)),
                "last_used_at": t.last_used_at.map(|at| local(app, at)),
            })
        })
        .collect();
    let sessions = app.session_count(viewer).await.unwrap_or(0);
    let title = text(app, req, "nav.account");
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert("tokens", &tokens);
    ctx.insert("new_token", &new_token);
    ctx.insert("errors", &errors);
    ctx.insert("sessions_count", &sessions);
    // At once, a daily digest, or nothing (`tawasul_app::digest`).
    let notifications: Vec<Value> = tawasul_app::digest::NOTIFY_CHOICES
        .iter()
        .map(|choice| {
            json!({
                "value": choice,
                "label": text(app, req, &format!("account.notify_{choice}")),
                "checked": viewer.user.notify == *choice,
            })
        })
        .collect();
    ctx.insert("notifications", &notifications);
    // Two-factor sign-in has a page of its own; the account page says
    // where it stands and links there.
    let two_factor = match app.two_factor(viewer).await {
        Ok(state) => state,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    ctx.insert(
        "two_factor",
        &TwoFactorSummary {
            enabled: two_factor.enabled_at.is_some(),
            required: two_factor.required,
            recovery_left: two_factor.recovery_codes_left,
            url: super::two_factor::PAGE,
        },
    );
    render(app, req, "account.html", &ctx, status)
}

pub async fn show(State(app): State<Arc<App>>, req: Req, AdminUser(viewer): AdminUser) -> Response {
    page(&app, &req, &viewer, Map::new(), None, StatusCode::OK).await
}

pub async fn password(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    match app
        .change_password(
            &viewer,
            form.get("current"),
            form.get("password"),
            form.get("password_confirm"),
        )
        .await
    {
        Ok(()) => see_other_with("/admin/account", "password_change"),
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => {
                page(
                    &app,
                    &req,
                    &viewer,
                    errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

pub async fn create_token(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let days = form.get("expires_days").trim();
    let expires_days = if days.is_empty() {
        None
    } else {
        Some(days.parse::<u32>().unwrap_or(0))
    };
    match app
        .create_api_token(&viewer, form.get("name"), expires_days)
        .await
    {
        // Shown once, on this very response: never stored in clear.
        Ok(created) => {
            page(
                &app,
                &req,
                &viewer,
                Map::new(),
                Some(created.secret),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => {
                page(
                    &app,
                    &req,
                    &viewer,
                    errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

pub async fn revoke_token(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(
            &app,
            &req,
            Some(&viewer),
            &tawasul_app::AppError::NotFound(id),
        );
    };
    match app.revoke_api_token(&viewer, id).await {
        Ok(()) => see_other_with("/admin/account", "token_revoke"),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

pub async fn notifications(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    // Mails are written in the language of the page the choice was made on.
    match app
        .set_notify_choice(&viewer, form.get("notify"), req.lang)
        .await
    {
        Ok(()) => see_other_with("/admin/account", "notify_saved"),
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => {
                page(
                    &app,
                    &req,
                    &viewer,
                    errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

pub async fn logout_everywhere(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    if let Err(e) = app.logout_everywhere(&viewer).await {
        return error_page(&app, &req, Some(&viewer), &e);
    }
    let mut response = see_other("/admin/login");
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie());
    response
}

//! Two-factor sign-in from the account page: set it up with an
//! authenticator app (the secret as text and as an `otpauth://` address,
//! confirmed by a code), see the recovery codes once, make new ones, turn
//! it off. Contexts: docs/admin-ui.md, "Two-factor sign-in".

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};
use tawasul_app::{App, AppError, Viewer};

use super::screens::local;
use super::{
    csrf_refused, error_page, field_errors, render_view, see_other, see_other_with, text,
    AdminUser, Form, Req,
};

/// The page, and the prefix of every address a person who must set it up
/// may still reach.
pub const PAGE: &str = "/admin/account/two-factor";

#[derive(Serialize)]
struct PendingView {
    secret: String,
    uri: String,
}

/// `two_factor.html`.
#[derive(Serialize)]
struct TwoFactorView {
    enabled: bool,
    enabled_at: Option<String>,
    /// The platform requires it of this person.
    required: bool,
    /// They may do nothing else until it is set up.
    must_set_up: bool,
    pending: Option<PendingView>,
    /// Shown once, just after they were made.
    recovery_codes: Option<Vec<String>>,
    recovery_left: u64,
    errors: Map<String, Value>,
    start_url: String,
    confirm_url: String,
    disable_url: String,
    renew_url: String,
}

async fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    recovery_codes: Option<Vec<String>>,
    errors: Map<String, Value>,
    status: StatusCode,
) -> Response {
    let state = match app.two_factor(viewer).await {
        Ok(state) => state,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let view = TwoFactorView {
        enabled: state.enabled_at.is_some(),
        enabled_at: state.enabled_at.map(|at| local(app, at)),
        required: state.required,
        must_set_up: state.required && state.enabled_at.is_none(),
        pending: state.pending.map(|p| PendingView {
            secret: p.secret,
            uri: p.uri,
        }),
        recovery_codes,
        recovery_left: state.recovery_codes_left,
        errors,
        start_url: format!("{PAGE}/start"),
        confirm_url: format!("{PAGE}/confirm"),
        disable_url: format!("{PAGE}/disable"),
        renew_url: format!("{PAGE}/renew"),
    };
    let title = text(app, req, "two_factor.heading");
    render_view(
        app,
        req,
        Some(viewer),
        &title,
        "two_factor.html",
        &view,
        status,
    )
}

/// A refused code beside its field; anything else on the error page.
async fn refused(app: &App, req: &Req, viewer: &Viewer, err: &AppError) -> Response {
    match field_errors(app, req, err) {
        Some(errors) => {
            page(
                app,
                req,
                viewer,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        None => error_page(app, req, Some(viewer), err),
    }
}

/// `GET /admin/account/two-factor`
pub async fn show(State(app): State<Arc<App>>, req: Req, AdminUser(viewer): AdminUser) -> Response {
    page(&app, &req, &viewer, None, Map::new(), StatusCode::OK).await
}

/// `POST /admin/account/two-factor/start`: a new secret to enrol.
pub async fn start(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    match app.start_two_factor(&viewer).await {
        Ok(_) => see_other(PAGE),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `POST /admin/account/two-factor/confirm` (`code`): on, and the recovery
/// codes shown this once.
pub async fn confirm(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    match app.confirm_two_factor(&viewer, form.get("code")).await {
        Ok(codes) => {
            page(
                &app,
                &req,
                &viewer,
                Some(codes),
                Map::new(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => refused(&app, &req, &viewer, &e).await,
    }
}

/// `POST /admin/account/two-factor/disable` (`code`)
pub async fn disable(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    match app.disable_two_factor(&viewer, form.get("code")).await {
        Ok(()) => see_other_with(PAGE, "two_factor_off"),
        Err(e) => refused(&app, &req, &viewer, &e).await,
    }
}

/// `POST /admin/account/two-factor/renew` (`code`): new recovery codes,
/// shown this once.
pub async fn renew(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    match app.renew_recovery_codes(&viewer, form.get("code")).await {
        Ok(codes) => {
            page(
                &app,
                &req,
                &viewer,
                Some(codes),
                Map::new(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => refused(&app, &req, &viewer, &e).await,
    }
}

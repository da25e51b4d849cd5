//! Signing in and out of the admin, and setting a forgotten password.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use tawasul_app::auth::{Login, SecondStep, SignIn};
use tawasul_app::{App, AppError};

use super::{
    base_context, csrf_refused, field_errors, render, see_other, text, AdminUser, Form, Req,
};
use crate::session::{
    clear_session_cookie, cookie, is_https, same_origin, session_cookie, ClientAddr,
};

/// Only paths of the admin are places to go back to after signing in:
/// anything else would make the login page an open redirect.
fn safe_next(next: &str) -> String {
    if next.starts_with("/admin") && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/admin/".to_owned()
    }
}

fn login_page(
    app: &App,
    req: &Req,
    email: &str,
    next: &str,
    error: Option<String>,
    retry_after: Option<u64>,
    status: StatusCode,
) -> Response {
    let title = text(app, req, "login.heading");
    let mut ctx = base_context(app, req, None, &title);
    ctx.insert("email", email);
    ctx.insert("next", next);
    if let Some(error) = error {
        ctx.insert("error", &error);
    }
    if let Some(seconds) = retry_after {
        ctx.insert("retry_after", &seconds);
    }
    render(app, req, "login.html", &ctx, status)
}

pub async fn form(State(app): State<Arc<App>>, req: Req) -> Response {
    let next = safe_next(&req.query_param("next").unwrap_or_default());
    login_page(&app, &req, "", &next, None, None, StatusCode::OK)
}

pub async fn submit(
    State(app): State<Arc<App>>,
    req: Req,
    ClientAddr(address): ClientAddr,
    form: Form,
) -> Response {
    let email = form.get("email").trim().to_owned();
    let next = safe_next(form.get("next"));
    if !same_origin(&req.headers, app.config.server.behind_proxy) {
        let message = text(&app, &req, "errors.csrf");
        return login_page(
            &app,
            &req,
            &email,
            &next,
            Some(message),
            None,
            StatusCode::FORBIDDEN,
        );
    }
    let agent = req
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match app
        .login(&email, form.get("password"), &address, agent)
        .await
    {
        Ok(SignIn::Session(login)) => signed_in(&app, &req, &next, &login),
        Ok(SignIn::CodeNeeded { challenge }) => {
            // The challenge waits in a cookie of the code's page alone.
            let next = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &next)
                .finish();
            let mut response = see_other(&format!("{CODE_PATH}?{next}"));
            let secure = if is_https(&req.headers, app.config.server.behind_proxy) {
                "; Secure"
            } else {
                ""
            };
            if let Ok(value) = HeaderValue::from_str(&format!(
                "{CHALLENGE_COOKIE}={challenge}; Path={CODE_PATH}; HttpOnly; SameSite=Lax; Max-Age=300{secure}"
            )) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(AppError::Throttled {
            retry_after_seconds,
        }) => {
            let message = text(&app, &req, "errors.throttled")
                .replace("{seconds}", &retry_after_seconds.to_string());
            let mut response = login_page(
                &app,
                &req,
                &email,
                &next,
                Some(message),
                Some(retry_after_seconds),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(AppError::AccountDisabled) => {
            let message = text(&app, &req, "errors.account_disabled");
            login_page(
                &app,
                &req,
                &email,
                &next,
                Some(message),
                None,
                StatusCode::FORBIDDEN,
            )
        }
        Err(AppError::Unauthorized(_)) => {
            let message = text(&app, &req, "errors.bad_credentials");
            login_page(
                &app,
                &req,
                &email,
                &next,
                Some(message),
                None,
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(e) => super::error_page(&app, &req, None, &e),
    }
}

/// Where the second step of a sign-in is asked.
const CODE_PATH: &str = "/admin/login/code";
/// The cookie that carries a sign-in's challenge to its second step.
const CHALLENGE_COOKIE: &str = "tawasul_login_code";

/// The answer to a finished sign-in: the session's cookie, and on to where
/// the person was going.
fn signed_in(app: &App, req: &Req, next: &str, login: &Login) -> Response {
    let mut response = see_other(next);
    let secure = is_https(&req.headers, app.config.server.behind_proxy);
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        session_cookie(&login.token, login.max_age.whole_seconds(), secure),
    );
    headers.append(header::SET_COOKIE, clear_challenge_cookie());
    response
}

fn clear_challenge_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "tawasul_login_code=; Path=/admin/login/code; HttpOnly; SameSite=Lax; Max-Age=0",
    )
}

/// `login_code.html`.
#[derive(Serialize)]
struct CodeView {
    next: String,
    error: Option<String>,
}

fn code_page(
    app: &App,
    req: &Req,
    next: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let title = text(app, req, "login_code.heading");
    let view = CodeView {
        next: next.to_owned(),
        error,
    };
    super::render_view(app, req, None, &title, "login_code.html", &view, status)
}

/// `GET /admin/login/code`: the second step of a sign-in, for an account
/// with two-factor sign-in.
pub async fn code_form(State(app): State<Arc<App>>, req: Req) -> Response {
    let next = safe_next(&req.query_param("next").unwrap_or_default());
    if cookie(&req.headers, CHALLENGE_COOKIE).is_none() {
        return see_other("/admin/login");
    }
    code_page(&app, &req, &next, None, StatusCode::OK)
}

/// `POST /admin/login/code` (`code`, `next`): like the login form, it has
/// no session yet, so it must come from a page of this server.
pub async fn code_submit(
    State(app): State<Arc<App>>,
    req: Req,
    ClientAddr(address): ClientAddr,
    form: Form,
) -> Response {
    let next = safe_next(form.get("next"));
    if !same_origin(&req.headers, app.config.server.behind_proxy) {
        let message = text(&app, &req, "errors.csrf");
        return code_page(&app, &req, &next, Some(message), StatusCode::FORBIDDEN);
    }
    let challenge = cookie(&req.headers, CHALLENGE_COOKIE).unwrap_or_default();
    let agent = req
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expired = |app: &App, req: &Req, key: &str, status: StatusCode| {
        let message = text(app, req, key);
        let mut response = login_page(app, req, "", &next, Some(message), None, status);
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear_challenge_cookie());
        response
    };
    match app
        .complete_login(challenge, form.get("code"), &address, agent)
        .await
    {
        Ok(SecondStep::SignedIn(login)) => signed_in(&app, &req, &next, &login),
        Ok(SecondStep::WrongCode { attempts_left }) => {
            let message =
                text(&app, &req, "errors.wrong_code").replace("{n}", &attempts_left.to_string());
            code_page(&app, &req, &next, Some(message), StatusCode::UNAUTHORIZED)
        }
        Ok(SecondStep::Expired) => {
            expired(&app, &req, "errors.code_expired", StatusCode::UNAUTHORIZED)
        }
        Err(AppError::AccountDisabled) => {
            expired(&app, &req, "errors.account_disabled", StatusCode::FORBIDDEN)
        }
        Err(AppError::Throttled {
            retry_after_seconds,
        }) => {
            let message = text(&app, &req, "errors.throttled")
                .replace("{seconds}", &retry_after_seconds.to_string());
            code_page(
                &app,
                &req,
                &next,
                Some(message),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(e) => super::error_page(&app, &req, None, &e),
    }
}

pub async fn logout(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    if let Err(e) = app.logout(&viewer).await {
        return super::error_page(&app, &req, Some(&viewer), &e);
    }
    let mut response = see_other("/admin/login");
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie());
    response
}

pub async fn forgot_form(State(app): State<Arc<App>>, req: Req) -> Response {
    let title = text(&app, &req, "forgot.heading");
    let ctx = base_context(&app, &req, None, &title);
    render(&app, &req, "forgot.html", &ctx, StatusCode::OK)
}

pub async fn forgot_submit(
    State(app): State<Arc<App>>,
    req: Req,
    ClientAddr(address): ClientAddr,
    form: Form,
) -> Response {
    if !same_origin(&req.headers, app.config.server.behind_proxy) {
        return (StatusCode::FORBIDDEN, text(&app, &req, "errors.csrf")).into_response();
    }
    let title = text(&app, &req, "forgot.heading");
    let mut ctx = base_context(&app, &req, None, &title);
    // The same answer whether the address has an account or not, and
    // whether a link was mailed or too many were asked for.
    if let Err(e) = app
        .request_password_reset(form.get("email"), &address)
        .await
    {
        return super::error_page(&app, &req, None, &e);
    }
    ctx.insert("sent", &true);
    render(&app, &req, "forgot.html", &ctx, StatusCode::OK)
}

pub async fn reset_form(State(app): State<Arc<App>>, req: Req) -> Response {
    let token = req.query_param("token").unwrap_or_default();
    let live = app.password_reset_is_live(&token).await.unwrap_or(false);
    let title = text(&app, &req, "reset.heading");
    let mut ctx = base_context(&app, &req, None, &title);
    ctx.insert("token", &token);
    ctx.insert("invalid", &!live);
    ctx.insert("errors", &serde_json::Map::<String, Value>::new());
    let status = if live {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    render(&app, &req, "reset.html", &ctx, status)
}

pub async fn reset_submit(State(app): State<Arc<App>>, req: Req, form: Form) -> Response {
    let token = form.get("token").to_owned();
    let result = app
        .reset_password(&token, form.get("password"), form.get("password_confirm"))
        .await;
    match result {
        Ok(()) => super::see_other_with("/admin/login", "password_reset"),
        Err(e) => {
            let errors = field_errors(&app, &req, &e);
            let invalid = errors.as_ref().is_some_and(|e| e.contains_key("token"));
            if errors.is_none() {
                return super::error_page(&app, &req, None, &e);
            }
            let title = text(&app, &req, "reset.heading");
            let mut ctx = base_context(&app, &req, None, &title);
            ctx.insert("token", &token);
            ctx.insert("invalid", &invalid);
            ctx.insert("errors", &errors.unwrap_or_default());
            render(
                &app,
                &req,
                "reset.html",
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

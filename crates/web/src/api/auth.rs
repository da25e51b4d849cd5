//! Signing in and out over the API, the caller's own account, passwords.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::auth::{SecondStep, SignIn};
use tawasul_app::{App, Viewer};

use super::{ApiUser, JsonBody, Problem};
use crate::session::{clear_session_cookie, is_https, same_origin, session_cookie, ClientAddr};

pub fn user_json(app: &App, viewer: &Viewer) -> Value {
    let network = app.network();
    let memberships: Vec<Value> = viewer
        .roles
        .iter()
        .filter_map(|(site_id, role)| {
            let site = network.site(*site_id)?;
            Some(json!({"site": site.slug, "role": role.as_str()}))
        })
        .collect();
    let sites: Vec<Value> = viewer
        .sites(&network)
        .into_iter()
        .filter_map(|id| {
            let site = network.site(id)?;
            let role = viewer.actor(&network, id).reach.role();
            Some(json!({"site": site.slug, "role": role.map(|r| r.as_str())}))
        })
        .collect();
    json!({
        "id": viewer.user.id,
        "email": viewer.user.email,
        "name": viewer.user.name,
        "platform_admin": viewer.user.is_platform_admin,
        "memberships": memberships,
        "reach": sites,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
    /// For an account with two-factor sign-in: the code its app shows now,
    /// or one of its recovery codes.
    #[serde(default)]
    code: Option<String>,
}

pub async fn login(
    State(app): State<Arc<App>>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, Problem> {
    if !same_origin(&headers, app.config.server.behind_proxy) {
        return Err(Problem::csrf());
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let login = match app
        .login(&body.email, &body.password, &address, agent)
        .await?
    {
        SignIn::Session(login) => login,
        SignIn::CodeNeeded { challenge } => {
            let Some(code) = body.code.as_deref().filter(|c| !c.trim().is_empty()) else {
                return Err(Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "code-required",
                    "A code is needed",
                    "this account signs in with a code from its authenticator app too: send it as `code`",
                ));
            };
            match app
                .complete_login(&challenge, code, &address, agent)
                .await?
            {
                SecondStep::SignedIn(login) => login,
                SecondStep::WrongCode { .. } | SecondStep::Expired => {
                    return Err(Problem::new(
                        StatusCode::UNAUTHORIZED,
                        "wrong-code",
                        "Wrong code",
                        "this is not the code the app shows now, nor an unused recovery code",
                    ))
                }
            }
        }
    };
    let viewer = app
        .viewer(login.user.id)
        .await?
        .ok_or_else(Problem::unauthenticated)?;
    let cookie = session_cookie(
        &login.token,
        login.max_age.whole_seconds(),
        is_https(&headers, app.config.server.behind_proxy),
    );
    Ok((
        [
            (header::SET_COOKIE, cookie),
            (
                header::CACHE_CONTROL,
                "no-store"
                    .parse()
                    .unwrap_or(header::HeaderValue::from_static("no-store")),
            ),
        ],
        Json(json!({"user": user_json(&app, &viewer), "csrf_token": login.csrf})),
    )
        .into_response())
}

pub async fn logout(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
) -> Result<Response, Problem> {
    app.logout(&viewer).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_session_cookie())],
    )
        .into_response())
}

pub async fn logout_everywhere(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
) -> Result<Response, Problem> {
    let ended = app.logout_everywhere(&viewer).await?;
    Ok((
        [(header::SET_COOKIE, clear_session_cookie())],
        Json(json!({"sessions_ended": ended})),
    )
        .into_response())
}

pub async fn me(State(app): State<Arc<App>>, ApiUser(viewer): ApiUser) -> Json<Value> {
    Json(user_json(&app, &viewer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current: String,
    password: String,
}

pub async fn change_password(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<Response, Problem> {
    app.change_password(&viewer, &body.current, &body.password, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    email: String,
}

/// Always 202: whether the address has an account, or was asked for too
/// often lately, is nobody's business.
pub async fn forgot_password(
    State(app): State<Arc<App>>,
    ClientAddr(address): ClientAddr,
    JsonBody(body): JsonBody<ForgotBody>,
) -> Result<Response, Problem> {
    app.request_password_reset(&body.email, &address).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    token: String,
    password: String,
}

pub async fn reset_password(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<ResetBody>,
) -> Result<Response, Problem> {
    app.reset_password(&body.token, &body.password, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! The admin interface: server-rendered pages (Tera templates of `admin/`,
//! contract in docs/admin-ui.md) over the same use cases as the API. Every
//! form that changes something carries the session's CSRF token; every
//! failure is shown on the page it came from, with what was typed.

mod account;
mod actions;
mod audit;
mod changes;
mod directory;
mod entries;
mod history;
mod imports;
mod login;
mod media;
mod members;
mod menus;
mod outbox;
mod paste;
mod people;
mod photos;
mod recommendations;
mod screens;
mod search;
mod settings;
mod sites;
mod two_factor;

pub use screens::dashboard;

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::Locale;
use tawasul_render::Context;

use crate::session::{cookie, csrf_matches, identify, Proof, LANG_COOKIE};

/// Admin pages may load only what this server serves; the live preview is
/// an `iframe srcdoc`, which inherits this policy.
const ADMIN_CSP: &str = "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
const FLASH_COOKIE: &str = "tawasul_flash";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        // Nested at /admin, this is `/admin` itself: the dashboard is `/admin/`.
        .route(
            "/",
            get(|| async { axum::response::Redirect::permanent("/admin/") }),
        )
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/code",
            get(login::code_form).post(login::code_submit),
        )
        .route("/logout", post(login::logout))
        .route(
            "/password/forgot",
            get(login::forgot_form).post(login::forgot_submit),
        )
        .route(
            "/password/reset",
            get(login::reset_form).post(login::reset_submit),
        )
        .route("/sites", get(sites::list).post(sites::create))
        .route(
            "/sites/{site}/settings",
            get(settings::show).post(settings::save),
        )
        .route("/sites/{site}/menu", get(menus::show).post(menus::change))
        .route(
            "/sites/{site}/entries",
            get(screens::entries).post(entries::create),
        )
        .route("/sites/{site}/entries/new", get(entries::new))
        .route("/sites/{site}/preview", post(entries::preview))
        .route("/sites/{site}/trash", get(screens::trash))
        .route(
            "/sites/{site}/media",
            get(media::library)
                .post(media::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    media::UPLOAD_BODY_LIMIT,
                )),
        )
        .route("/sites/{site}/media/video", post(media::add_video))
        .route("/media/{id}", get(media::item).post(media::save))
        .route("/media/{id}/delete", post(media::delete))
        .route(
            "/sites/{site}/members",
            get(members::list).post(members::invite),
        )
        .route("/sites/{site}/members/{user}", post(members::change))
        .route("/sites/{site}/members/{user}/remove", post(members::remove))
        .route(
            "/sites/{site}/import",
            get(imports::form)
                .post(imports::upload)
                // The configured limit is kept while the file streams in,
                // so a file too large gets its sentence, not a bare 413.
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/sites/{site}/import/{id}", get(imports::job))
        .route("/sites/{site}/import/{id}/progress", get(imports::progress))
        .route("/sites/{site}/import/{id}/confirm", post(imports::start))
        .route("/sites/{site}/import/{id}/again", post(imports::start))
        .route("/sites/{site}/outbox", get(outbox::list))
        .route("/outbox", get(outbox::system_list))
        .route("/outbox/{id}/resend", post(outbox::system_resend))
        .route("/sites/{site}/outbox/{id}/resend", post(outbox::resend))
        .route("/entries/{id}", get(entries::edit).post(entries::save))
        .route("/entries/{id}/transition", post(entries::transition))
        .route(
            "/entries/{id}/change",
            get(changes::show).post(changes::save),
        )
        .route("/entries/{id}/change/step", post(changes::step))
        .route("/entries/{id}/change/preview", get(changes::preview))
        .route("/paste", post(paste::paste))
        .route("/entries/{id}/review", get(history::review))
        .route("/entries/{id}/preview", get(entries::review_preview))
        .route("/entries/{id}/history", get(history::history))
        .route("/entries/{id}/restore", post(history::restore))
        .route("/entries/{id}/delete", post(entries::delete))
        .route("/entries/{id}/undelete", post(entries::undelete))
        .route("/entries/{id}/feature", post(entries::feature))
        .route("/search", get(search::search))
        .route("/people", get(people::list))
        .route("/people/{id}", get(people::show))
        .route("/people/{id}/disable", post(people::disable))
        .route("/people/{id}/enable", post(people::enable))
        .route("/people/{id}/reset-link", post(people::reset_link))
        .route("/sites/{site}/recommendations", get(recommendations::list))
        .route(
            "/sites/{site}/recommendations/{id}",
            get(recommendations::show).post(recommendations::save),
        )
        .route("/audit", get(audit::list))
        .route("/audit/export", get(audit::export))
        .route("/account", get(account::show))
        .route("/account/password", post(account::password))
        .route("/account/two-factor", get(two_factor::show))
        .route("/account/two-factor/start", post(two_factor::start))
        .route("/account/two-factor/confirm", post(two_factor::confirm))
        .route("/account/two-factor/disable", post(two_factor::disable))
        .route("/account/two-factor/renew", post(two_factor::renew))
        .route("/people/{id}/two-factor-off", post(people::two_factor_off))
        .route("/account/tokens", post(account::create_token))
        .route("/account/notifications", post(account::notifications))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/logout-everywhere",
            post(account::logout_everywhere),
        )
        .route("/_static/{file}", get(static_file))
        .merge(directory::routes())
        .fallback(not_found)
}

/// What every admin request carries: the interface language, a pending
/// flash message, where it was going.
#[derive(Debug, Clone)]
pub struct Req {
    pub lang: Locale,
    /// The language came from `?lang=`: remember it in a cookie.
    pub lang_chosen: bool,
    pub flash: Option<String>,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
}

impl<S: Send + Sync> FromRequestParts<S> for Req {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Nested routers see the path below `/admin`; links need all of it.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        let query = uri.query().unwrap_or("").to_owned();
        let asked = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| v.parse::<Locale>().ok());
        let remembered = cookie(&parts.headers, LANG_COOKIE).and_then(|v| v.parse::<Locale>().ok());
        let lang = match asked.or(remembered).unwrap_or(Locale::Ar) {
            Locale::En => Locale::Fr,
            other => other,
        };
        Ok(Req {
            lang,
            lang_chosen: asked.is_some(),
            flash: cookie(&parts.headers, FLASH_COOKIE).map(str::to_owned),
            path: uri.path().to_owned(),
            query,
            headers: parts.headers.clone(),
        })
    }
}

impl Req {
    /// This page in the other language.
    fn lang_switch(&self) -> String {
        let other = if self.lang == Locale::Ar { "fr" } else { "ar" };
        let rest: Vec<String> = url::form_urlencoded::parse(self.query.as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| {
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair(&k, &v)
                    .finish()
            })
            .collect();
        let mut query = rest.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        format!("{}?{query}lang={other}", self.path)
    }

    pub fn wants_json(&self) -> bool {
        self.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"))
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// A signed-in person on an admin page. Without a live session the page
/// answers with the login form's address, coming back here afterwards.
pub struct AdminUser(pub Viewer);

impl FromRequestParts<Arc<App>> for AdminUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        match identify(app, &parts.headers).await {
            Ok(Some((viewer, Proof::Session))) => {
                // Someone the platform requires two-factor sign-in of sets
                // it up before anything else.
                let path = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or_else(|| parts.uri.path().to_owned(), |o| o.0.path().to_owned());
                if app.must_set_up_two_factor(&viewer)
                    && !path.starts_with(two_factor::PAGE)
                    && path != "/admin/logout"
                {
                    return Err(see_other(two_factor::PAGE));
                }
                Ok(AdminUser(viewer))
            }
            Ok(_) => {
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
                let next = uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/admin/".to_owned());
                let next = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", &next)
                    .finish();
                Err(see_other(&format!("/admin/login?{next}")))
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read the session");
                Err((StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response())
            }
        }
    }
}

/// A submitted form, as ordered pairs (checkbox groups repeat a name).
#[derive(Debug, Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Form {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Form(
            url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Form {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether the form carries the session's CSRF token (as a field, or
    /// as the header the admin's script sends).
    pub fn csrf_ok(&self, viewer: &Viewer, req: &Req) -> bool {
        let field = Some(self.get("_csrf")).filter(|v| !v.is_empty());
        csrf_matches(viewer, field.or(crate::session::csrf_header(&req.headers)))
    }
}

/// `303 See Other`: after a form, the browser asks for the page anew.
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/admin/")),
        )],
    )
        .into_response()
}

/// 303 with a message for the next page (`key` names an `action_done` string).
pub fn see_other_with(location: &str, key: &str) -> Response {
    let mut response = see_other(location);
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={key}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=60"
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The context every admin template receives (docs/admin-ui.md).
pub fn base_context(app: &App, req: &Req, viewer: Option<&Viewer>, title: &str) -> Context {
    let strings = app.admin().strings(req.lang);
    let mut ctx = Context::new();
    ctx.insert("lang", req.lang.as_str());
    ctx.insert("dir", req.lang.dir());
    ctx.insert("t", strings.as_value());
    ctx.insert("assets", app.admin().asset_urls());
    ctx.insert("lang_switch", &req.lang_switch());
    ctx.insert("title", title);
    if let Some(key) = &req.flash {
        let text = strings.get(&format!("action_done.{key}"));
        if !text.is_empty() && !text.starts_with("action_done.") {
            ctx.insert("flash", &json!({"kind": "ok", "text": text}));
        }
    }
    if let Some(viewer) = viewer {
        ctx.insert(
            "csrf",
            viewer.session.as_ref().map_or("", |s| s.csrf.as_str()),
        );
        ctx.insert(
            "me",
            &json!({
                "id": viewer.user.id,
                "name": viewer.user.name,
                "email": viewer.user.email,
                "platform_admin": viewer.user.is_platform_admin,
                "audit": audit::may_read(app, viewer),
            }),
        );
        let network = app.network();
        let nav: Vec<Value> = viewer
            .sites(&network)
            .into_iter()
            .filter_map(|id| {
                let site = network.site(id)?;
                let role = viewer.actor(&network, id).reach.role();
                Some(json!({
                    "slug": site.slug,
                    "name": site.name(req.lang),
                    "role": role.map_or("", |r| r.as_str()),
                }))
            })
            .collect();
        ctx.insert("nav_sites", &nav);
    } else {
        ctx.insert("csrf", "");
    }
    ctx
}

/// A translated string of the admin.
pub fn text(app: &App, req: &Req, key: &str) -> String {
    app.admin().strings(req.lang).get(key)
}

/// Renders a page with the admin's headers: never cached, framed only here.
pub fn render(app: &App, req: &Req, template: &str, ctx: &Context, status: StatusCode) -> Response {
    match app.admin().render(template, ctx) {
        Ok(html) => {
            let mut response = (status, html).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(ADMIN_CSP),
            );
            headers.insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
            if req.flash.is_some() {
                headers.append(
                    header::SET_COOKIE,
                    HeaderValue::from_static("tawasul_flash=; Path=/admin; Max-Age=0"),
                );
            }
            if req.lang_chosen {
                if let Ok(value) = HeaderValue::from_str(&format!(
                    "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                    req.lang.as_str()
                )) {
                    headers.append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, template, "admin page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "حدث خطأ داخلي. Une erreur interne est survenue.\n",
            )
                .into_response()
        }
    }
}

/// Renders a page from the common context and the page's own view struct
/// (its fields are the template's names, docs/admin-ui.md).
pub fn render_view<T: serde::Serialize>(
    app: &App,
    req: &Req,
    viewer: Option<&Viewer>,
    title: &str,
    template: &str,
    view: &T,
    status: StatusCode,
) -> Response {
    let mut ctx = base_context(app, req, viewer, title);
    match Context::from_serialize(view) {
        Ok(page) => ctx.extend(page),
        Err(e) => {
            tracing::error!(error = %e, template, "an admin page's view could not be read");
            return error_page(app, req, viewer, &AppError::Config(e.to_string()));
        }
    }
    render(app, req, template, &ctx, status)
}

/// The error page for a failed request, in the user's language.
pub fn error_page(app: &App, req: &Req, viewer: Option<&Viewer>, err: &AppError) -> Response {
    let (status, key) = match err {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "errors.not_found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "errors.forbidden"),
        AppError::AccountDisabled => (StatusCode::FORBIDDEN, "errors.account_disabled"),
        AppError::CannotDisable(tawasul_domain::DisableRefusal::Yourself) => {
            (StatusCode::CONFLICT, "people.cannot_disable_yourself")
        }
        AppError::CannotDisable(tawasul_domain::DisableRefusal::LastPlatformAdmin) => {
            (StatusCode::CONFLICT, "people.cannot_disable_last_admin")
        }
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "errors.session_expired"),
        AppError::Stale { .. } | AppError::Conflict(_) => (StatusCode::CONFLICT, "errors.conflict"),
        AppError::IllegalTransition(_) => (StatusCode::CONFLICT, "errors.transition_refused"),
        AppError::Invalid(_) | AppError::Domain(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "errors.server")
        }
        AppError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "errors.throttled"),
        other => {
            tracing::error!(error = %other, path = %req.path, "admin request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "errors.server")
        }
    };
    let message = text(app, req, key);
    let mut ctx = base_context(app, req, viewer, &message);
    ctx.insert("status", &status.as_u16());
    ctx.insert("message", &message);
    ctx.insert("detail", &err.to_string());
    render(app, req, "error.html", &ctx, status)
}

/// A form whose CSRF token is missing or wrong: nothing is done.
pub fn csrf_refused(app: &App, req: &Req, viewer: &Viewer) -> Response {
    let message = text(app, req, "errors.csrf");
    let mut ctx = base_context(app, req, Some(viewer), &message);
    ctx.insert("status", &403);
    ctx.insert("message", &message);
    render(app, req, "error.html", &ctx, StatusCode::FORBIDDEN)
}

/// Field errors of the use cases, under the names of the form's fields and
/// in the user's language (the English detail is kept for the API).
/// A problem in the person's language: its sentence from `problems.{code}`
/// with the values it names; its English sentence when no string has it.
fn problem_text(string: impl Fn(&str) -> String, problem: &tawasul_domain::Problem) -> String {
    let key = format!("problems.{}", problem.code);
    let template = string(&key);
    if template.is_empty() || template == key {
        return problem.english.clone();
    }
    problem.args.iter().fold(template, |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

pub fn field_errors(
    app: &App,
    req: &Req,
    err: &AppError,
) -> Option<serde_json::Map<String, Value>> {
    let errors = match err {
        AppError::Invalid(errors) => errors,
        AppError::Domain(tawasul_domain::DomainError::Invalid(errors)) => errors,
        _ => return None,
    };
    let strings = app.admin().strings(req.lang);
    let mut out = serde_json::Map::new();
    for (field, message) in errors.iter() {
        let name = match field.strip_prefix("fields.") {
            Some(fact) => format!("f_{fact}"),
            None => field.to_owned(),
        };
        // The text's field has one plain failure (it is empty) and others
        // that name what to fix (a photo without alt text, a size): those
        // keep their details after a translated lead-in (`…_detail`).
        // The cover's and the gallery's messages always name the photo.
        // Control characters are refused in every field with one sentence
        // that names the character (`U+0085`).
        if let Some(code) = message
            .strip_prefix(tawasul_domain::FORBIDDEN_CHARACTER_LEAD)
            .and_then(|rest| rest.split_whitespace().next())
        {
            let sentence = strings
                .get("field_errors.control_character")
                .replace("{code}", code.trim_end_matches(':'));
            out.insert(name, Value::String(sentence));
            continue;
        }
        // Problems that name what to fix (a photo without alt text, a
        // size) are each said in the person's language after the field's
        // lead-in (`…_detail`).
        let problems = errors.problems(field);
        let shown = if problems.is_empty() {
            let key = format!("field_errors.{name}");
            let translated = strings.get(&key);
            if translated.is_empty() || translated == key {
                message.to_owned()
            } else {
                translated
            }
        } else {
            let separator = if req.lang == Locale::Ar { "؛ " } else { " ; " };
            let said: Vec<String> = problems
                .iter()
                .map(|p| problem_text(|key| strings.get(key), p))
                .collect();
            let key = format!("field_errors.{name}_detail");
            let lead = strings.get(&key);
            if lead.is_empty() || lead == key {
                said.join(separator)
            } else {
                format!("{lead} {}", said.join(separator))
            }
        };
        out.insert(name, Value::String(shown));
    }
    Some(out)
}

async fn static_file(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(found) = app.admin().static_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    crate::assets::send_static(found, &headers)
}

async fn not_found(State(app): State<Arc<App>>, req: Req) -> Response {
    let viewer = identify(&app, &req.headers)
        .await
        .ok()
        .flatten()
        .map(|(v, _)| v);
    error_page(
        &app,
        &req,
        viewer.as_ref(),
        &AppError::NotFound(req.path.clone()),
    )
}

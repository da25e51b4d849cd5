//! The people of the platform, for platform admins: a searchable list of
//! accounts with their roles, last sign-in and state, and each person's
//! page, where an account is disabled or enabled again and a link to set
//! a new password is mailed. Contexts: docs/admin-ui.md, "People".

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tawasul_app::people::Person;
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::AccountState;

use super::screens::local;
use super::{csrf_refused, error_page, render_view, see_other_with, text, AdminUser, Form, Req};

const PER_PAGE: u64 = 25;
const LIST_URL: &str = "/admin/people";

/// The list's filters as the address carries them; a value that does not
/// read is taken as none.
#[derive(Debug, Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: String,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: String,
}

#[derive(Serialize)]
struct MembershipView {
    site_slug: String,
    site_name: String,
    role: &'static str,
    role_label: String,
    /// The site's members screen.
    members_url: String,
}

#[derive(Serialize)]
struct PersonView {
    id: i32,
    name: String,
    email: String,
    url: String,
    platform_admin: bool,
    /// `active`, `disabled` or `invited`.
    state: &'static str,
    state_label: String,
    last_login_at: Option<String>,
    disabled_at: Option<String>,
    created_at: String,
    /// Signs in with a code from an authenticator app too.
    two_factor: bool,
    memberships: Vec<MembershipView>,
    /// The viewer themselves (who cannot disable their own account).
    is_me: bool,
}

/// `people.html`.
#[derive(Serialize)]
struct PeopleView {
    q: String,
    state: String,
    states: Vec<Choice>,
    people: Vec<PersonView>,
    total: u64,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

/// `person.html`.
#[derive(Serialize)]
struct PersonPageView {
    person: PersonView,
    list_url: &'static str,
    /// The audit log, filtered to what this person did or underwent.
    audit_url: String,
    disable_url: String,
    enable_url: String,
    reset_url: String,
    /// Turns the person's two-factor sign-in off (phone and codes lost).
    two_factor_off_url: String,
    /// Why the last action was refused, in the user's language.
    error: Option<String>,
}

fn person_url(id: i32) -> String {
    format!("{LIST_URL}/{id}")
}

fn list_url(q: &str, state: Option<AccountState>, page: u64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    if let Some(state) = state {
        query.append_pair("state", state.as_str());
    }
    query.append_pair("page", &page.to_string());
    format!("{LIST_URL}?{}", query.finish())
}

fn person_view(app: &App, req: &Req, viewer: &Viewer, person: &Person) -> PersonView {
    let network = app.network();
    PersonView {
        id: person.id,
        name: person.name.clone(),
        email: person.email.clone(),
        url: person_url(person.id),
        platform_admin: person.platform_admin,
        state: person.state.as_str(),
        state_label: text(app, req, &format!("people.state.{}", person.state)),
        last_login_at: person.last_login_at.map(|at| local(app, at)),
        disabled_at: person.disabled_at.map(|at| local(app, at)),
        created_at: local(app, person.created_at),
        two_factor: person.two_factor,
        memberships: person
            .memberships
            .iter()
            .filter_map(|(site_id, role)| {
                let site = network.site(*site_id)?;
                Some(MembershipView {
                    site_slug: site.slug.clone(),
                    site_name: site.name(req.lang).to_owned(),
                    role: role.as_str(),
                    role_label: text(app, req, &format!("role.{}", role.as_str())),
                    members_url: format!("/admin/sites/{}/members", site.slug),
                })
            })
            .collect(),
        is_me: person.id == viewer.user.id,
    }
}

/// `GET /admin/people?q=&state=&page=`
pub async fn list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Query(query): Query<PeopleQuery>,
) -> Response {
    let q = query.q.trim().to_owned();
    let state = query.state.parse::<AccountState>().ok();
    let page = query
        .page
        .parse::<u64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let found = match app.people(&viewer, &q, state, page, PER_PAGE).await {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let view = PeopleView {
        states: AccountState::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: text(&app, &req, &format!("people.state.{s}")),
            })
            .collect(),
        people: found
            .people
            .iter()
            .map(|p| person_view(&app, &req, &viewer, p))
            .collect(),
        total: found.total,
        page,
        pages,
        prev_url: (page > 1).then(|| list_url(&q, state, page.min(pages + 1) - 1)),
        next_url: (page < pages).then(|| list_url(&q, state, page + 1)),
        state: state.map_or("", AccountState::as_str).to_owned(),
        q,
    };
    let title = text(&app, &req, "people.heading");
    render_view(
        &app,
        &req,
        Some(&viewer),
        &title,
        "people.html",
        &view,
        StatusCode::OK,
    )
}

async fn person_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    id: &str,
    error: Option<&AppError>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(app, req, Some(viewer), &AppError::NotFound(id.to_owned()));
    };
    let person = match app.person(viewer, id).await {
        Ok(person) => person,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let audit_url = format!(
        "/admin/audit?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("person", &person.email)
            .finish()
    );
    let view = PersonPageView {
        person: person_view(app, req, viewer, &person),
        list_url: LIST_URL,
        audit_url,
        disable_url: format!("{}/disable", person_url(id)),
        enable_url: format!("{}/enable", person_url(id)),
        reset_url: format!("{}/reset-link", person_url(id)),
        two_factor_off_url: format!("{}/two-factor-off", person_url(id)),
        error: error.map(|e| refusal(app, req, e)),
    };
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    render_view(
        app,
        req,
        Some(viewer),
        &person.name,
        "person.html",
        &view,
        status,
    )
}

/// Why an action on an account was refused, in the user's language.
fn refusal(app: &App, req: &Req, err: &AppError) -> String {
    let key = match err {
        AppError::CannotDisable(tawasul_domain::DisableRefusal::Yourself) => {
            "people.cannot_disable_yourself"
        }
        AppError::CannotDisable(tawasul_domain::DisableRefusal::LastPlatformAdmin) => {
            "people.cannot_disable_last_admin"
        }
        _ => "people.reset_disabled",
    };
    text(app, req, key)
}

/// `GET /admin/people/{id}`
pub async fn show(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    person_page(&app, &req, &viewer, &id, None).await
}

/// What was asked of an account.
#[derive(Clone, Copy)]
enum Act {
    Disable,
    Enable,
    SendResetLink,
    TwoFactorOff,
}

async fn act(app: &App, req: &Req, viewer: &Viewer, id: &str, form: &Form, act: Act) -> Response {
    if !form.csrf_ok(viewer, req) {
        return csrf_refused(app, req, viewer);
    }
    let Ok(number) = id.parse::<i32>() else {
        return error_page(app, req, Some(viewer), &AppError::NotFound(id.to_owned()));
    };
    let (done, flash) = match act {
        Act::Disable => (
            app.disable_account(Some(viewer), number).await.map(drop),
            "account_disable",
        ),
        Act::Enable => (
            app.enable_account(Some(viewer), number).await.map(drop),
            "account_enable",
        ),
        Act::SendResetLink => (app.send_reset_link(viewer, number).await, "reset_link_sent"),
        Act::TwoFactorOff => (
            app.reset_two_factor(viewer, number).await,
            "two_factor_reset",
        ),
    };
    match done {
        Ok(()) => see_other_with(&person_url(number), flash),
        // Refusals a person can act on are shown on the person's page.
        Err(e @ (AppError::CannotDisable(_) | AppError::Conflict(_))) => {
            person_page(app, req, viewer, id, Some(&e)).await
        }
        Err(e) => error_page(app, req, Some(viewer), &e),
    }
}

/// `POST /admin/people/{id}/disable`
pub async fn disable(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    act(&app, &req, &viewer, &id, &form, Act::Disable).await
}

/// `POST /admin/people/{id}/enable`
pub async fn enable(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    act(&app, &req, &viewer, &id, &form, Act::Enable).await
}

/// `POST /admin/people/{id}/reset-link`
pub async fn reset_link(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    act(&app, &req, &viewer, &id, &form, Act::SendResetLink).await
}

/// `POST /admin/people/{id}/two-factor-off`
pub async fn two_factor_off(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    act(&app, &req, &viewer, &id, &form, Act::TwoFactorOff).await
}

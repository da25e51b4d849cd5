//! The follow-up of training recommendations: a site's list (with its
//! directorates' for an academy) filtered by status, programme, owner and
//! overdue, and a recommendation's page to change its status, owner, due
//! date and note, with its history. Contexts: docs/admin-ui.md,
//! "Recommendations".

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tawasul_app::recommendations::{
    FollowUpInput, Owner, Recommendation, RecommendationDetail, RecommendationFilter,
};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::{FieldErrors, RecommendationStatus};
use time::macros::format_description;
use time::Date;

use super::screens::local;
use super::{
    csrf_refused, error_page, field_errors, render_view, see_other_with, text, AdminUser, Form, Req,
};

/// The filters as the address carries them; values that do not read are
/// taken as none.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    programme: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    overdue: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct RowView {
    id: i32,
    text: String,
    status: String,
    status_label: String,
    owner: String,
    due_on: String,
    overdue: bool,
    in_report: bool,
    note: String,
    report_title: String,
    report_url: String,
    site_name: String,
    url: String,
}

#[derive(Serialize)]
struct FilterView {
    status: String,
    programme: String,
    owner: String,
    overdue: bool,
}

/// `recommendations.html`.
#[derive(Serialize)]
struct ListView {
    site_slug: String,
    site_name: String,
    filter: FilterView,
    statuses: Vec<Choice>,
    programmes: Vec<Choice>,
    owners: Vec<Choice>,
    rows: Vec<RowView>,
    clear_url: String,
}

#[derive(Serialize)]
struct ChangeView {
    field: String,
    before: String,
    after: String,
}

#[derive(Serialize)]
struct EventView {
    at: String,
    actor: Option<String>,
    changes: Vec<ChangeView>,
}

/// The form's values, as stored or as typed.
#[derive(Serialize)]
struct FormView {
    status: String,
    owner: String,
    service: String,
    due_on: String,
    note: String,
}

/// `recommendation.html`.
#[derive(Serialize)]
struct DetailView {
    site_slug: String,
    site_name: String,
    item: RowView,
    history: Vec<EventView>,
    may_follow_up: bool,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    form: FormView,
    errors: Map<String, Value>,
    action: String,
    list_url: String,
}

fn status_label(app: &App, req: &Req, status: RecommendationStatus) -> String {
    text(
        app,
        req,
        &format!("recommendations.status.{}", status.as_str()),
    )
}

fn statuses(app: &App, req: &Req) -> Vec<Choice> {
    RecommendationStatus::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: status_label(app, req, s),
        })
        .collect()
}

fn owner_choices(owners: &[Owner]) -> Vec<Choice> {
    owners
        .iter()
        .map(|o| Choice {
            value: o.user_id.to_string(),
            label: o.name.clone(),
        })
        .collect()
}

fn row_view(app: &App, req: &Req, site_slug: &str, r: &Recommendation) -> RowView {
    let owner = match (&r.owner_name, r.owner_service.is_empty()) {
        (Some(name), true) => name.clone(),
        (Some(name), false) => format!("{name} · {}", r.owner_service),
        (None, _) => r.owner_service.clone(),
    };
    RowView {
        id: r.id,
        text: r.text.clone(),
        status: r.status.as_str().to_owned(),
        status_label: status_label(app, req, r.status),
        owner,
        due_on: r.due_on.map(|d| d.to_string()).unwrap_or_default(),
        overdue: r.overdue,
        in_report: r.in_report,
        note: r.note.clone(),
        report_title: r.entry_title.clone(),
        report_url: format!("/admin/entries/{}", r.entry_id),
        site_name: app
            .network()
            .site(r.site_id)
            .map(|s| s.name(req.lang).to_owned())
            .unwrap_or_default(),
        url: format!("/admin/sites/{site_slug}/recommendations/{}", r.id),
    }
}

/// `GET /admin/sites/{site}/recommendations?status=&programme=&owner=&overdue=`
pub async fn list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    Query(params): Query<ListParams>,
) -> Response {
    let status = RecommendationStatus::parse(params.status.trim()).ok();
    let owner = params.owner.trim().parse::<i32>().ok();
    let programme = Some(params.programme.trim().to_owned()).filter(|p| !p.is_empty());
    let overdue = params.overdue == "1" || params.overdue == "true";
    let filter = RecommendationFilter {
        status,
        programme: programme.clone(),
        owner_user_id: owner,
        owner_service: None,
        overdue,
    };
    let list = match app.recommendations(&viewer, &site, &filter).await {
        Ok(list) => list,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let network = app.network();
    let view = ListView {
        site_slug: list.site.slug.clone(),
        site_name: list.site.name(req.lang).to_owned(),
        filter: FilterView {
            status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            programme: programme.unwrap_or_default(),
            owner: owner.map(|o| o.to_string()).unwrap_or_default(),
            overdue,
        },
        statuses: statuses(&app, &req),
        programmes: network
            .programmes
            .iter()
            .map(|p| Choice {
                value: p.slug.clone(),
                label: tawasul_app::network::localized(req.lang, &p.name_ar, &p.name_fr).to_owned(),
            })
            .collect(),
        owners: owner_choices(&list.owners),
        rows: list
            .rows
            .iter()
            .map(|r| row_view(&app, &req, &list.site.slug, r))
            .collect(),
        clear_url: format!("/admin/sites/{}/recommendations", list.site.slug),
    };
    let title = text(&app, &req, "recommendations.heading");
    render_view(
        &app,
        &req,
        Some(&viewer),
        &title,
        "recommendations.html",
        &view,
        StatusCode::OK,
    )
}

fn detail_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    detail: &RecommendationDetail,
    form: FormView,
    errors: Map<String, Value>,
) -> Response {
    let network = app.network();
    let site_name = network
        .site_by_slug(site)
        .map(|s| s.name(req.lang).to_owned())
        .unwrap_or_default();
    let r = &detail.recommendation;
    let history = detail
        .history
        .iter()
        .map(|e| EventView {
            at: local(app, e.at),
            actor: e.actor.clone(),
            changes: e
                .changes
                .iter()
                .map(|c| {
                    let shown = |value: &str| match (
                        c.field.as_str(),
                        RecommendationStatus::parse(value),
                    ) {
                        ("status", Ok(status)) => status_label(app, req, status),
                        _ => value.to_owned(),
                    };
                    ChangeView {
                        field: text(app, req, &format!("recommendations.field.{}", c.field)),
                        before: shown(&c.before),
                        after: shown(&c.after),
                    }
                })
                .collect(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = DetailView {
        site_slug: site.to_owned(),
        site_name,
        item: row_view(app, req, site, r),
        history,
        may_follow_up: detail.may_follow_up,
        statuses: statuses(app, req),
        owners: owner_choices(&detail.owners),
        form,
        errors,
        action: format!("/admin/sites/{site}/recommendations/{}", r.id),
        list_url: format!("/admin/sites/{site}/recommendations"),
    };
    let title = text(app, req, "recommendations.item_heading");
    render_view(
        app,
        req,
        Some(viewer),
        &title,
        "recommendation.html",
        &view,
        status,
    )
}

fn stored_form(r: &Recommendation) -> FormView {
    FormView {
        status: r.status.as_str().to_owned(),
        owner: r.owner_user_id.map(|o| o.to_string()).unwrap_or_default(),
        service: r.owner_service.clone(),
        due_on: r.due_on.map(|d| d.to_string()).unwrap_or_default(),
        note: r.note.clone(),
    }
}

/// `GET /admin/sites/{site}/recommendations/{id}`
pub async fn show(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, i32)>,
) -> Response {
    match app.recommendation(&viewer, id).await {
        Ok(detail) => {
            let form = stored_form(&detail.recommendation);
            detail_page(&app, &req, &viewer, &site, &detail, form, Map::new())
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// The form read into a follow-up; what does not read is a field error.
fn read_form(form: &Form) -> Result<FollowUpInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let status = RecommendationStatus::parse(form.get("status").trim());
    if status.is_err() {
        errors.add("status", "choose a status");
    }
    let owner = form.get("owner").trim();
    let owner_user_id = if owner.is_empty() {
        None
    } else {
        match owner.parse::<i32>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("owner", "choose a person of the site");
                None
            }
        }
    };
    let due = form.get("due_on").trim();
    let due_on = if due.is_empty() {
        None
    } else {
        match Date::parse(due, format_description!("[year]-[month]-[day]")) {
            Ok(date) => Some(date),
            Err(_) => {
                errors.add("due_on", "type a date");
                None
            }
        }
    };
    match status {
        Ok(status) if errors.is_empty() => Ok(FollowUpInput {
            status,
            owner_user_id,
            owner_service: form.get("service").to_owned(),
            due_on,
            note: form.get("note").to_owned(),
        }),
        _ => Err(errors),
    }
}

/// `POST /admin/sites/{site}/recommendations/{id}`: the follow-up.
pub async fn save(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, i32)>,
    form: Form,
) -> Response {
    // Who may follow it up is decided before the form is read.
    let detail = match app.recommendation(&viewer, id).await {
        Ok(detail) if detail.may_follow_up => detail,
        Ok(_) => {
            let refused = AppError::Forbidden(
                "only the site's publishers and administrators follow up its recommendations"
                    .into(),
            );
            return error_page(&app, &req, Some(&viewer), &refused);
        }
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let typed = FormView {
        status: form.get("status").to_owned(),
        owner: form.get("owner").to_owned(),
        service: form.get("service").to_owned(),
        due_on: form.get("due_on").to_owned(),
        note: form.get("note").to_owned(),
    };
    let result = match read_form(&form) {
        Ok(input) => app.follow_up_recommendation(&viewer, id, &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(_) => see_other_with(
            &format!("/admin/sites/{site}/recommendations/{id}"),
            "recommendation_saved",
        ),
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => detail_page(&app, &req, &viewer, &site, &detail, typed, errors),
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

//! The audiences of a site: the list, and the editor of one rule with the
//! number of people it reaches (asked with the "count" button, so it works
//! without JavaScript; the typed rule is kept).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};
use tawasul_app::directory::{AudienceInput, AudienceView, Locale, RecipientView};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::directory::{AudienceRule, Cycle, Function};

use super::{cycle_options, directory_context, directory_errors, function_options, no_site};
use crate::admin::{csrf_refused, error_page, render, see_other_with, AdminUser, Form, Req};

/// How many of the people reached the editor lists under the count.
const SAMPLE: usize = 20;

/// A rule in words: "Principal · Primary · 2 institutions · sites below".
fn summary(lang: Locale, view: &AudienceView) -> Value {
    json!({
        "functions": view.rule.functions.iter().map(|f| f.label(lang)).collect::<Vec<_>>(),
        "cycles": view.rule.cycles.iter().map(|c| c.label(lang)).collect::<Vec<_>>(),
        "institutions": view.institutions.iter().map(|i| i.code.clone()).collect::<Vec<_>>(),
        "include_descendants": view.rule.include_descendants,
        "institution_emails": view.rule.institution_emails,
    })
}

/// `GET /admin/sites/{site}/directory/audiences`
pub async fn list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let audiences = match app.audiences(&viewer, &site).await {
        Ok(audiences) => audiences,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let Some(mut ctx) = directory_context(
        &app,
        &req,
        &viewer,
        &site,
        "audiences",
        "directory.audiences",
    ) else {
        return no_site(&app, &req, &viewer, &site);
    };
    let rows: Vec<Value> = audiences
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "name": a.name,
                "rule": summary(req.lang, a),
                "url": format!("/admin/sites/{site}/directory/audiences/{}", a.id),
            })
        })
        .collect();
    ctx.insert("audiences", &rows);
    render(&app, &req, "directory_audiences.html", &ctx, StatusCode::OK)
}

/// The form's values: `{name, functions: [code], cycles: [code],
/// institutions: "codes", include_descendants, institution_emails}`.
fn form_of(view: &AudienceView) -> Value {
    json!({
        "name": view.name,
        "functions": view.rule.functions.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "cycles": view.rule.cycles.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "institutions": view.institutions.iter().map(|i| i.code.clone()).collect::<Vec<_>>().join(" "),
        "include_descendants": view.rule.include_descendants,
        "institution_emails": view.rule.institution_emails,
    })
}

fn typed(form: &Form) -> Value {
    json!({
        "name": form.get("name"),
        "functions": form.all("functions"),
        "cycles": form.all("cycles"),
        "institutions": form.get("institutions"),
        "include_descendants": form.get("include_descendants") == "1",
        "institution_emails": form.get("institution_emails") == "1",
    })
}

/// The count and the first people reached, for the page.
fn reach(recipients: &[RecipientView]) -> (usize, Vec<Value>) {
    (
        recipients.len(),
        recipients
            .iter()
            .take(SAMPLE)
            .map(|r| json!({"name": r.name, "email": r.email, "kind": r.kind, "site": r.site}))
            .collect(),
    )
}

#[expect(clippy::too_many_arguments, reason = "a form page and its state")]
async fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: Value,
    errors: Map<String, Value>,
    count: Option<(usize, Vec<Value>)>,
    status: StatusCode,
) -> Response {
    let Some(mut ctx) = directory_context(
        app,
        req,
        viewer,
        site,
        "audiences",
        if id.is_some() {
            "directory.audience_edit"
        } else {
            "directory.audience_new"
        },
    ) else {
        return no_site(app, req, viewer, site);
    };
    let base = format!("/admin/sites/{site}/directory/audiences");
    ctx.insert("form", &form);
    ctx.insert("errors", &errors);
    ctx.insert("functions", &function_options(req.lang));
    ctx.insert("cycles", &cycle_options(req.lang));
    if let Some((count, sample)) = count {
        ctx.insert("count", &count);
        ctx.insert("sample", &sample);
    }
    match id {
        Some(id) => {
            ctx.insert("action", &format!("{base}/{id}"));
            ctx.insert("delete_url", &format!("{base}/{id}/delete"));
        }
        None => ctx.insert("action", &base),
    }
    ctx.insert("is_new", &id.is_none());
    ctx.insert("list_url", &base);
    render(app, req, "directory_audience.html", &ctx, status)
}

/// `GET /admin/sites/{site}/directory/audiences/new`
pub async fn new(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    if let Some(refused) = super::unless_manager(&app, &req, &viewer, &site) {
        return refused;
    }
    let form = json!({"functions": [], "cycles": []});
    page(
        &app,
        &req,
        &viewer,
        &site,
        None,
        form,
        Map::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/sites/{site}/directory/audiences/{id}`: the rule and whom
/// it reaches now.
pub async fn edit(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    let view = match app.audience(&viewer, &site, id).await {
        Ok(view) => view,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let recipients = match app.audience_recipients(&viewer, &site, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    page(
        &app,
        &req,
        &viewer,
        &site,
        Some(id),
        form_of(&view),
        Map::new(),
        Some(reach(&recipients)),
        StatusCode::OK,
    )
    .await
}

/// The rule typed in the form; unknown institution codes are a field error.
async fn rule_of(
    app: &App,
    viewer: &Viewer,
    site: &str,
    form: &Form,
) -> Result<AudienceRule, AppError> {
    let include_descendants = form.get("include_descendants") == "1";
    let codes: Vec<String> = form
        .get("institutions")
        .split(|c: char| c == ',' || c == '،' || c == ';' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let institutions = app
        .institution_ids_by_codes(viewer, site, &codes, include_descendants)
        .await?;
    Ok(AudienceRule {
        functions: form
            .all("functions")
            .iter()
            .filter_map(|f| f.parse::<Function>().ok())
            .collect(),
        cycles: form
            .all("cycles")
            .iter()
            .filter_map(|c| c.parse::<Cycle>().ok())
            .collect(),
        institutions,
        include_descendants,
        institution_emails: form.get("institution_emails") == "1",
    })
}

async fn submit(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    id: Option<i32>,
    form: &Form,
) -> Response {
    if !form.csrf_ok(viewer, req) {
        return csrf_refused(app, req, viewer);
    }
    let refused = |e: AppError| async move {
        match directory_errors(app, req, &e) {
            Some(errors) => {
                page(
                    app,
                    req,
                    viewer,
                    site,
                    id,
                    typed(form),
                    errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(app, req, Some(viewer), &e),
        }
    };
    let rule = match rule_of(app, viewer, site, form).await {
        Ok(rule) => rule,
        Err(e) => return refused(e).await,
    };
    if form.get("do") == "count" {
        return match app.rule_recipients(viewer, site, rule).await {
            Ok(recipients) => {
                page(
                    app,
                    req,
                    viewer,
                    site,
                    id,
                    typed(form),
                    Map::new(),
                    Some(reach(&recipients)),
                    StatusCode::OK,
                )
                .await
            }
            Err(e) => refused(e).await,
        };
    }
    let input = AudienceInput {
        name: Some(form.get("name").to_owned()),
        rule: Some(rule),
    };
    let saved = match id {
        Some(id) => app.update_audience(viewer, site, id, input).await,
        None => app.create_audience(viewer, site, input).await,
    };
    match saved {
        Ok(view) => see_other_with(
            &format!("/admin/sites/{site}/directory/audiences/{}", view.id),
            "directory.saved",
        ),
        Err(e) => refused(e).await,
    }
}

/// `POST /admin/sites/{site}/directory/audiences` (`do=count` only counts)
pub async fn create(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    submit(&app, &req, &viewer, &site, None, &form).await
}

/// `POST /admin/sites/{site}/directory/audiences/{id}` (`do=count` only counts)
pub async fn save(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    submit(&app, &req, &viewer, &site, Some(id), &form).await
}

/// `POST /admin/sites/{site}/directory/audiences/{id}/delete`
pub async fn delete(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((site, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.delete_audience(&viewer, &site, id).await {
        Ok(()) => see_other_with(
            &format!("/admin/sites/{site}/directory/audiences"),
            "directory.deleted",
        ),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

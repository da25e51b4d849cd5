//! An entry's history (revisions side by side, restore) and the review
//! screen (what changed since the reviewer last saw it).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use tawasul_app::editorial::Comparison;
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::{Action, Operation};

use super::actions::workflow_actions;
use super::screens::{local, names};
use super::{
    base_context, csrf_refused, error_page, render, see_other_with, text, AdminUser, Form, Req,
};

fn field_label(app: &App, req: &Req, field: &str) -> String {
    let keys: Vec<String> = match field.strip_prefix("fields.") {
        Some(fact) => ["training", "event", "announcement"]
            .iter()
            .map(|table| format!("{table}.{fact}"))
            .collect(),
        None => vec![format!("editor.{field}")],
    };
    keys.iter()
        .map(|key| (key, text(app, req, key)))
        .find(|(key, label)| label != *key)
        .map_or_else(
            || field.trim_start_matches("fields.").replace('_', " "),
            |(_, label)| label,
        )
}

pub(super) fn comparison_context(app: &App, req: &Req, comparison: &Comparison) -> (Value, Value) {
    let fields: Vec<Value> = comparison
        .fields
        .iter()
        .map(|c| json!({"field": c.field, "field_label": field_label(app, req, &c.field), "before": c.before, "after": c.after}))
        .collect();
    (
        serde_json::to_value(&comparison.body).unwrap_or(Value::Null),
        Value::Array(fields),
    )
}

fn parse_id(raw: &str) -> Result<i32, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(raw.to_owned()))
}

pub async fn history(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    match history_page(&app, &req, &viewer, &id).await {
        Ok(response) => response,
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

async fn history_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    id: &str,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let history = app.history(viewer, id).await?;
    let current = history.entry.version;
    let version = |name: &str| req.query_param(name).and_then(|v| v.parse::<i32>().ok());
    let to = version("to").unwrap_or(current);
    let from = version("from").or_else(|| {
        history
            .revisions
            .iter()
            .rev()
            .map(|r| r.version)
            .find(|v| *v < to)
    });
    let comparison = app.compare_revisions(viewer, id, from, to).await?;
    let (diff, field_changes) = comparison_context(app, req, &comparison);
    let network = app.network();
    let may_restore = viewer.may_on(&network, &history.entry, Operation::RestoreRevision);
    let authors = names(app, history.revisions.iter().map(|r| r.author_id)).await;
    let revisions: Vec<Value> = history
        .revisions
        .iter()
        .rev()
        .map(|r| {
            json!({
                "version": r.version,
                "author": r.author_id.and_then(|a| authors.get(&a)).cloned().unwrap_or_default(),
                "at": local(app, r.created_at),
                "is_current": r.version == current,
                "restore_url": (may_restore && r.version != current).then(|| format!("/admin/entries/{id}/restore")),
                "diff_url": format!("/admin/entries/{id}/history?to={}", r.version),
            })
        })
        .collect();
    let actors = names(app, history.events.iter().map(|e| e.actor_id)).await;
    let events: Vec<Value> = history
        .events
        .iter()
        .map(|e| {
            json!({
                "action": e.action,
                "action_label": text(app, req, &format!("action_done.{}", e.action)),
                "actor": e.actor_id.and_then(|a| actors.get(&a)).cloned().unwrap_or_default(),
                "comment": e.comment,
                "at": local(app, e.created_at),
            })
        })
        .collect();
    let title = history.entry.title.clone();
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "entry",
        &json!({"id": id, "title": history.entry.title, "url": format!("/admin/entries/{id}"), "version": current}),
    );
    ctx.insert("revisions", &revisions);
    ctx.insert("from", &from);
    ctx.insert("to", &to);
    ctx.insert("diff", &diff);
    ctx.insert("field_changes", &field_changes);
    ctx.insert("events", &events);
    Ok(render(app, req, "history.html", &ctx, StatusCode::OK))
}

pub async fn review(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    match review_page(&app, &req, &viewer, &id).await {
        Ok(response) => response,
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

async fn review_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    id: &str,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let row = app.entry_for(viewer, id).await?;
    let network = app.network();
    if !viewer.may_on(&network, &row, Operation::Transition(Action::Approve)) {
        return Err(AppError::Forbidden(format!("review of entry #{id}")));
    }
    let comparison = app.changes_since_last_review(viewer, id).await?;
    let (diff, field_changes) = comparison_context(app, req, &comparison);
    let events = app.workflow_of(viewer, &row).await?;
    let submitted = events.iter().find(|e| e.action == "submit");
    let submitter = names(app, [submitted.and_then(|e| e.actor_id)]).await;
    let actions = workflow_actions(app, req, viewer, &row);
    let mut ctx = base_context(app, req, Some(viewer), &row.title);
    ctx.insert(
        "entry",
        &json!({
            "id": row.id, "title": row.title, "version": row.version,
            "status": row.status,
            "status_label": text(app, req, &format!("status.{}", row.status)),
            "kind_label": text(app, req, &format!("kind.{}", row.kind)),
            "url": format!("/admin/entries/{id}"),
        }),
    );
    ctx.insert("diff", &diff);
    ctx.insert("field_changes", &field_changes);
    ctx.insert(
        "submitted_by",
        &submitted
            .and_then(|e| e.actor_id)
            .and_then(|a| submitter.get(&a))
            .cloned()
            .unwrap_or_default(),
    );
    ctx.insert("submitted_at", &submitted.map(|e| local(app, e.created_at)));
    ctx.insert("changes_marked", &comparison.from.is_some());
    ctx.insert("actions", &actions);
    ctx.insert("errors", &serde_json::Map::<String, Value>::new());
    Ok(render(app, req, "review.html", &ctx, StatusCode::OK))
}

pub async fn restore(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let result = async {
        let id = parse_id(&id)?;
        let revision = parse_id(form.get("revision"))?;
        let version = parse_id(form.get("version"))?;
        app.restore_revision(&viewer, id, revision, version).await
    }
    .await;
    match result {
        Ok(row) => see_other_with(&format!("/admin/entries/{}", row.id), "restore"),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

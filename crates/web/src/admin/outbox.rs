//! A site's delivery log: every message about the site (notices, workflow
//! notices, newsletters, confirmations), newest first, with its status,
//! attempts and last error, filtered by status, 25 a page; a failed one
//! can be sent again. For the site's administrators (and platform admins),
//! the same reach as `GET /api/v1/outbox`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use tawasul_app::delivery_log::Resent;
use tawasul_app::{App, AppError};

use super::screens::local;
use super::{
    base_context, csrf_refused, error_page, render, see_other_with, text, AdminUser, Form, Req,
};

const PER_PAGE: u64 = 25;
/// The statuses of a message, in the order the filter offers them.
const STATUSES: [&str; 4] = ["queued", "sending", "sent", "failed"];
/// Kinds of messages with a name of their own in the log.
const KINDS: [&str; 9] = [
    "notice",
    "circular",
    "circular_reminder",
    "workflow",
    "workflow_digest",
    "newsletter",
    "newsletter_confirm",
    "password_reset",
    "invitation",
];

fn log_url(slug: &str, status: Option<&str>, page: u64) -> String {
    page_url(&format!("/admin/sites/{slug}/outbox"), status, page)
}

fn page_url(base: &str, status: Option<&str>, page: u64) -> String {
    let mut url = format!("{base}?page={page}");
    if let Some(status) = status {
        url.push_str(&format!("&status={status}"));
    }
    url
}

/// `GET /admin/sites/{site}/outbox?status=&page=`
pub async fn list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(slug): Path<String>,
) -> Response {
    // Unknown filter values are ignored, as the entries list does.
    let status = req
        .query_param("status")
        .filter(|s| STATUSES.contains(&s.as_str()));
    let page = req
        .query_param("page")
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let found = match app
        .delivery_log(&viewer, &slug, status.as_deref(), page, PER_PAGE)
        .await
    {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let site = &found.site;
    let messages = message_views(&app, &req, &found.messages);
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let statuses: Vec<Value> = STATUSES
        .iter()
        .map(|s| json!({"value": s, "label": text(&app, &req, &format!("outbox.status.{s}"))}))
        .collect();
    let title = format!(
        "{} · {}",
        text(&app, &req, "outbox.heading"),
        site.name(req.lang)
    );
    let mut ctx = base_context(&app, &req, Some(&viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site.slug, "name": site.name(req.lang)}),
    );
    ctx.insert("log_base", &format!("/admin/sites/{}/outbox", site.slug));
    ctx.insert("messages", &messages);
    ctx.insert("status", &status.clone().unwrap_or_default());
    ctx.insert("statuses", &statuses);
    ctx.insert("total", &found.total);
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    if page > 1 {
        ctx.insert(
            "prev_url",
            &log_url(&site.slug, status.as_deref(), page - 1),
        );
    }
    if page < pages {
        ctx.insert(
            "next_url",
            &log_url(&site.slug, status.as_deref(), page + 1),
        );
    }
    ctx.insert(
        "subscribers",
        &json!({"confirmed": found.confirmed_subscribers, "pending": found.pending_subscribers}),
    );
    render(&app, &req, "outbox.html", &ctx, StatusCode::OK)
}

/// The rows of a log as the template shows them.
fn message_views(app: &App, req: &Req, rows: &[tawasul_app::rows::OutboxRow]) -> Vec<Value> {
    rows.iter()
        .map(|m| {
            let kind = if KINDS.contains(&m.kind.as_str()) {
                m.kind.as_str()
            } else {
                "other"
            };
            json!({
                "id": m.id,
                "to": m.to_address,
                "subject": m.subject,
                "kind": m.kind,
                "kind_label": text(app, req, &format!("outbox.kind.{kind}")),
                "status": m.status,
                "status_label": text(app, req, &format!("outbox.status.{}", m.status)),
                "attempts": m.attempts,
                "last_error": m.last_error,
                "created_at": local(app, m.created_at),
                "sent_at": m.sent_at.map(|at| local(app, at)),
                "next_attempt_at": (m.status == "queued").then(|| local(app, m.next_attempt_at)),
                "can_resend": m.status == "failed",
            })
        })
        .collect()
}

/// `GET /admin/outbox?status=&page=`: the system's own mails (invitations,
/// password resets, digests), for platform admins.
pub async fn system_list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
) -> Response {
    let status = req
        .query_param("status")
        .filter(|s| STATUSES.contains(&s.as_str()));
    let page = req
        .query_param("page")
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let (rows, total) = match app
        .system_delivery_log(&viewer, status.as_deref(), page, PER_PAGE)
        .await
    {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let base = "/admin/outbox";
    let pages = total.div_ceil(PER_PAGE).max(1);
    let statuses: Vec<Value> = STATUSES
        .iter()
        .map(|s| json!({"value": s, "label": text(&app, &req, &format!("outbox.status.{s}"))}))
        .collect();
    let title = format!(
        "{} · {}",
        text(&app, &req, "outbox.heading"),
        text(&app, &req, "outbox.system")
    );
    let mut ctx = base_context(&app, &req, Some(&viewer), &title);
    ctx.insert("log_base", base);
    ctx.insert("messages", &message_views(&app, &req, &rows));
    ctx.insert("status", &status.clone().unwrap_or_default());
    ctx.insert("statuses", &statuses);
    ctx.insert("total", &total);
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    if page > 1 {
        ctx.insert("prev_url", &page_url(base, status.as_deref(), page - 1));
    }
    if page < pages {
        ctx.insert("next_url", &page_url(base, status.as_deref(), page + 1));
    }
    render(&app, &req, "outbox.html", &ctx, StatusCode::OK)
}

/// `POST /admin/outbox/{id}/resend`: a failed system mail goes back in
/// the queue (platform admins).
pub async fn system_resend(
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
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.resend_system_mail(&viewer, id).await {
        Ok(_) => {
            let back = form.get("back");
            let back = if back.starts_with("/admin/outbox") {
                back.to_owned()
            } else {
                page_url("/admin/outbox", None, 1)
            };
            see_other_with(&back, "mail_resend")
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `POST /admin/sites/{site}/outbox/{id}/resend`: a failed message goes
/// back in the queue, due now, its attempts counted from zero.
pub async fn resend(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path((slug, id)): Path<(String, String)>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    match app.resend_mail(&viewer, &slug, id).await {
        Ok(Resent::Queued) => {
            let back = form.get("back");
            let back = if back.starts_with(&format!("/admin/sites/{slug}/outbox")) {
                back.to_owned()
            } else {
                log_url(&slug, None, 1)
            };
            see_other_with(&back, "mail_resend")
        }
        // Someone else resent it meanwhile: the log shows where it is.
        Ok(Resent::AlreadyQueued) => see_other_with(&log_url(&slug, None, 1), "mail_resend"),
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

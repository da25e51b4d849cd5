//! "Send as notice" for a published entry: choose audiences, see how many
//! people they reach, confirm; then the notices sent and how their
//! delivery goes. The confirmation form carries a key made when it was
//! shown, so sending it twice (a double click, a reload) sends once.
//!
//! The same screen sends an approved circular (docs/circulars.md), then
//! shows its reference and, per institution and per person, delivered,
//! failed and acknowledged, with the spreadsheet and a reminder button.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};
use tawasul_app::directory::{NoticePreview, NoticeRequest};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::directory::DirectoryOperation;

use super::directory_errors;
use crate::admin::screens::local;
use crate::admin::{
    base_context, csrf_refused, error_page, render, see_other_with, text, AdminUser, Form, Req,
};

/// What the page shows besides the entry and its notices.
#[derive(Default)]
struct PageState {
    chosen: Vec<i32>,
    preview: Option<NoticePreview>,
    key: Option<String>,
    errors: Map<String, Value>,
}

async fn notices_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    id: i32,
    state: PageState,
    status: StatusCode,
) -> Response {
    let entry = match app.entry_for(viewer, id).await {
        Ok(entry) => entry,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let network = app.network();
    let Some(site) = network.site(entry.site_id) else {
        return error_page(app, req, Some(viewer), &AppError::NotFound(id.to_string()));
    };
    let notices = match app.notices(viewer, id).await {
        Ok(notices) => notices,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let audiences = match app.audiences(viewer, &site.slug).await {
        Ok(audiences) => audiences,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let is_circular = entry.kind == tawasul_domain::EntryKind::Circular.as_str();
    let heading = if is_circular {
        "circulars.heading"
    } else {
        "notices.heading"
    };
    let title = format!("{} · {}", text(app, req, heading), entry.title);
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "entry",
        &json!({
            "id": entry.id,
            "title": entry.title,
            "url": format!("/admin/entries/{}", entry.id),
            "site": {"slug": site.slug, "name": site.name(req.lang)},
        }),
    );
    ctx.insert(
        "audiences",
        &audiences
            .iter()
            .map(|a| json!({"id": a.id, "name": a.name, "checked": state.chosen.contains(&a.id)}))
            .collect::<Vec<_>>(),
    );
    let ready = if is_circular {
        entry.status == tawasul_domain::EntryStatus::Approved.as_str()
    } else {
        app.entry_is_public(&entry)
    };
    ctx.insert(
        "can_send",
        &(ready && app.may_use_directory(viewer, site.id, DirectoryOperation::SendNotice)),
    );
    ctx.insert("is_circular", &is_circular);
    if is_circular {
        match app.circular_status(viewer, id).await {
            Ok(Some(view)) => {
                let at =
                    |t: Option<time::OffsetDateTime>| t.map(|t| local(app, t)).unwrap_or_default();
                ctx.insert(
                    "circular",
                    &json!({
                        "reference": view.reference,
                        "sent_at": local(app, view.sent_at),
                        "acknowledge_by": view.acknowledge_by.map(|d| d.to_string()),
                        "reminded_at": at(view.reminded_at),
                        "totals": view.totals,
                        "csv_url": format!("/api/v1/entries/{id}/circular.csv"),
                        "institutions": view.institutions.iter().map(|i| json!({
                            "name": i.name,
                            "recipients": i.recipients,
                            "delivered": i.delivered,
                            "failed": i.failed,
                            "acknowledged_at": at(i.acknowledged_at),
                        })).collect::<Vec<_>>(),
                        "recipients": view.recipients.iter().map(|r| json!({
                            "name": r.name,
                            "email": r.email,
                            "institution": r.institution,
                            "delivery": r.delivery,
                            "delivered_at": at(r.delivered_at),
                            "error": r.error,
                            "acknowledged_at": at(r.acknowledged_at),
                            "reminders": r.reminders,
                        })).collect::<Vec<_>>(),
                    }),
                );
            }
            Ok(None) => {}
            Err(e) => return error_page(app, req, Some(viewer), &e),
        }
    }
    if app.may_use_directory(viewer, site.id, DirectoryOperation::Manage) {
        ctx.insert(
            "audiences_url",
            &format!("/admin/sites/{}/directory/audiences", site.slug),
        );
    }
    if let Some(preview) = &state.preview {
        ctx.insert(
            "preview",
            &json!({
                "recipients": preview.recipients,
                "audiences": preview.audiences,
            }),
        );
        if let (true, Some(key)) = (preview.recipients > 0, &state.key) {
            ctx.insert(
                "confirm",
                &json!({"key": key, "audience_ids": state.chosen}),
            );
        }
    }
    ctx.insert("errors", &state.errors);
    let separator = if req.lang == tawasul_app::directory::Locale::Ar {
        "، "
    } else {
        ", "
    };
    let rows: Vec<Value> = notices
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "sent_by": n.sent_by.clone().unwrap_or_default(),
                "sent_at": local(app, n.sent_at),
                "audiences": n.audiences.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(separator),
                "recipients": n.recipients,
                "delivery": n.delivery,
            })
        })
        .collect();
    ctx.insert("notices", &rows);
    ctx.insert("action", &format!("/admin/entries/{id}/notices"));
    render(app, req, "notices.html", &ctx, status)
}

/// `GET /admin/entries/{id}/notices`
pub async fn page(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return error_page(&app, &req, Some(&viewer), &AppError::NotFound(id));
    };
    notices_page(
        &app,
        &req,
        &viewer,
        id,
        PageState::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/entries/{id}/notices`: `audience_ids` (repeated) with
/// `do=count` shows how many and the confirmation; `do=send` with `key`
/// sends.
pub async fn submit(
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
    let chosen: Vec<i32> = form
        .all("audience_ids")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let refused = |e: AppError, chosen: Vec<i32>| {
        let (app, req, viewer) = (Arc::clone(&app), req.clone(), viewer.clone());
        async move {
            match directory_errors(&app, &req, &e) {
                Some(errors) => {
                    let state = PageState {
                        chosen,
                        errors,
                        ..PageState::default()
                    };
                    notices_page(
                        &app,
                        &req,
                        &viewer,
                        id,
                        state,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                None => error_page(&app, &req, Some(&viewer), &e),
            }
        }
    };
    if form.get("do") == "remind" {
        return match app.remind_circular(&viewer, id).await {
            Ok(_) => see_other_with(
                &format!("/admin/entries/{id}/notices"),
                "circulars.reminded",
            ),
            Err(e) => error_page(&app, &req, Some(&viewer), &e),
        };
    }
    if form.get("do") == "send" && form.get("kind") == "circular" {
        let request = NoticeRequest {
            audience_ids: chosen.clone(),
            confirm: true,
            key: Some(form.get("key").to_owned()).filter(|k| !k.is_empty()),
        };
        return match app.send_circular(&viewer, id, &request).await {
            Ok((_, sent)) => see_other_with(
                &format!("/admin/entries/{id}/notices"),
                if sent {
                    "circulars.queued"
                } else {
                    "notices.already"
                },
            ),
            Err(e) => refused(e, chosen).await,
        };
    }
    if form.get("do") == "send" {
        let request = NoticeRequest {
            audience_ids: chosen.clone(),
            confirm: true,
            key: Some(form.get("key").to_owned()).filter(|k| !k.is_empty()),
        };
        return match app.send_notice(&viewer, id, &request).await {
            Ok((_, created)) => see_other_with(
                &format!("/admin/entries/{id}/notices"),
                if created {
                    "notices.queued"
                } else {
                    "notices.already"
                },
            ),
            Err(e) => refused(e, chosen).await,
        };
    }
    match app.notice_preview(&viewer, id, &chosen).await {
        Ok(preview) => {
            let key = match tawasul_app::auth::random_token() {
                Ok(token) => token.chars().take(32).collect::<String>(),
                Err(e) => return error_page(&app, &req, Some(&viewer), &e),
            };
            let state = PageState {
                chosen,
                preview: Some(preview),
                key: Some(key),
                errors: Map::new(),
            };
            notices_page(&app, &req, &viewer, id, state, StatusCode::OK).await
        }
        Err(e) => refused(e, chosen).await,
    }
}

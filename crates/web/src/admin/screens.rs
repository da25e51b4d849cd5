//! The lists: the dashboard, a site's entries, its trash. Also the view
//! helpers the other screens share (entry cards, times in site time).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use tawasul_app::editorial::EntryList;
use tawasul_app::rows::AdminEntry;
use tawasul_app::{App, Viewer};
use tawasul_domain::{EntryKind, EntryStatus, Operation};
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use super::{base_context, error_page, render, text, AdminUser, Req};

const PER_PAGE: u64 = 20;

fn offset(app: &App) -> UtcOffset {
    UtcOffset::from_whole_seconds(app.config.site.utc_offset_minutes * 60).unwrap_or(UtcOffset::UTC)
}

/// A time as people of the site read it: `2026-12-02 09:30`.
pub fn local(app: &App, at: OffsetDateTime) -> String {
    at.to_offset(offset(app))
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

/// A time as `<input type=datetime-local>` wants it, in site time.
pub fn local_input(app: &App, at: OffsetDateTime) -> String {
    at.to_offset(offset(app))
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .unwrap_or_default()
}

/// Names of the users with these ids; a name that cannot be read shows
/// as none, and the page is still right.
pub async fn names(app: &App, ids: impl IntoIterator<Item = Option<i32>>) -> HashMap<i32, String> {
    app.user_names(ids).await.unwrap_or_default()
}

pub fn card(app: &App, req: &Req, entry: &AdminEntry, authors: &HashMap<i32, String>) -> Value {
    let network = app.network();
    let site = network.site(entry.site_id);
    json!({
        "id": entry.id,
        "title": entry.title,
        "site_slug": site.map(|s| s.slug.clone()),
        "site_name": site.map(|s| s.name(req.lang).to_owned()),
        "kind": entry.kind,
        "kind_label": text(app, req, &format!("kind.{}", entry.kind)),
        "status": entry.status,
        "status_label": text(app, req, &format!("status.{}", entry.status)),
        "author": entry.author_id.and_then(|id| authors.get(&id)).cloned().unwrap_or_default(),
        "updated_at": local(app, entry.updated_at),
        "published_at": entry.published_at.map(|at| local(app, at)),
        "scheduled_at": entry.scheduled_at.map(|at| local(app, at)),
        "url": format!("/admin/entries/{}", entry.id),
    })
}

async fn cards(app: &App, req: &Req, entries: &[AdminEntry]) -> Vec<Value> {
    let authors = names(app, entries.iter().map(|e| e.author_id)).await;
    entries
        .iter()
        .map(|e| card(app, req, e, &authors))
        .collect()
}

pub async fn dashboard(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
) -> Response {
    let board = match app.dashboard(&viewer).await {
        Ok(board) => board,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let title = text(&app, &req, "nav.dashboard");
    let mut ctx = base_context(&app, &req, Some(&viewer), &title);
    let mut my_drafts = cards(&app, &req, &board.my_drafts).await;
    let reviewers = names(&app, board.change_requests.values().map(|c| c.actor_id)).await;
    for card in &mut my_drafts {
        let id = card["id"].as_i64().and_then(|id| i32::try_from(id).ok());
        if let Some(request) = id.and_then(|id| board.change_requests.get(&id)) {
            card["change_request"] = json!({
                "comment": request.comment,
                "actor": request.actor_id.and_then(|id| reviewers.get(&id)).cloned().unwrap_or_default(),
                "at": local(&app, request.at),
            });
        }
    }
    ctx.insert("my_drafts", &my_drafts);
    ctx.insert("to_review", &cards(&app, &req, &board.to_review).await);
    let changes = match app.changes_to_review(&viewer).await {
        Ok(changes) => changes,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let writers = names(&app, changes.iter().map(|(c, _)| c.author_id)).await;
    let network = app.network();
    let change_cards: Vec<Value> = changes
        .iter()
        .map(|(change, entry)| {
            let site = network.site(entry.site_id);
            json!({
                "id": entry.id,
                "title": entry.title,
                "site_slug": site.map(|s| s.slug.clone()),
                "site_name": site.map(|s| s.name(req.lang).to_owned()),
                "kind": entry.kind,
                "kind_label": text(&app, &req, &format!("kind.{}", entry.kind)),
                "status": "in_review",
                "status_label": text(&app, &req, "change.status_in_review"),
                "author": change.author_id.and_then(|id| writers.get(&id)).cloned().unwrap_or_default(),
                "updated_at": local(&app, change.updated_at),
                "url": format!("/admin/entries/{}/change", entry.id),
            })
        })
        .collect();
    ctx.insert("changes_to_review", &change_cards);
    ctx.insert("scheduled", &cards(&app, &req, &board.scheduled).await);
    ctx.insert(
        "recently_published",
        &cards(&app, &req, &board.recently_published).await,
    );
    let actors = names(&app, board.activity.iter().map(|a| a.event.actor_id)).await;
    let activity: Vec<Value> = board
        .activity
        .iter()
        .map(|a| {
            json!({
                "entry_id": a.event.entry_id,
                "title": a.entry_title,
                "action": a.event.action,
                "action_label": text(&app, &req, &format!("action_done.{}", a.event.action)),
                "actor": a.event.actor_id.and_then(|id| actors.get(&id)).cloned().unwrap_or_default(),
                "comment": a.event.comment,
                "at": local(&app, a.event.created_at),
                "url": format!("/admin/entries/{}", a.event.entry_id),
            })
        })
        .collect();
    ctx.insert("activity", &activity);
    ctx.insert("sites", &writable_sites(&app, &req, &viewer));
    render(&app, &req, "dashboard.html", &ctx, StatusCode::OK)
}

/// The sites where the person may write, with links to work there.
fn writable_sites(app: &App, req: &Req, viewer: &Viewer) -> Vec<Value> {
    let network = app.network();
    viewer
        .sites(&network)
        .into_iter()
        .filter(|&id| viewer.may(&network, id, Operation::Create))
        .filter_map(|id| {
            let site = network.site(id)?;
            let role = viewer.actor(&network, id).reach.role();
            Some(json!({
                "slug": site.slug,
                "name": site.name(req.lang),
                "role_label": role.map(|r| text(app, req, &format!("role.{}", r.as_str()))).unwrap_or_default(),
                "new_url": format!("/admin/sites/{}/entries/new", site.slug),
                "list_url": format!("/admin/sites/{}/entries", site.slug),
                // Editors and up follow the training recommendations.
                "recommendations_url": viewer
                    .may(&network, id, Operation::ViewRecommendations)
                    .then(|| format!("/admin/sites/{}/recommendations", site.slug)),
            }))
        })
        .collect()
}

fn options(app: &App, req: &Req, prefix: &str, values: &[&str]) -> Vec<Value> {
    values
        .iter()
        .map(|v| json!({"value": v, "label": text(app, req, &format!("{prefix}.{v}"))}))
        .collect()
}

pub fn kind_options(app: &App, req: &Req) -> Vec<Value> {
    let kinds: Vec<&str> = EntryKind::ALL.iter().map(|k| k.as_str()).collect();
    options(app, req, "kind", &kinds)
}

async fn site_list(app: &App, req: &Req, viewer: &Viewer, site: &str, deleted: bool) -> Response {
    let status = req
        .query_param("status")
        .and_then(|s| s.parse::<EntryStatus>().ok());
    let kind = req
        .query_param("kind")
        .and_then(|k| k.parse::<EntryKind>().ok());
    let page = req
        .query_param("page")
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let list = EntryList {
        status,
        kind: kind.map(|k| k.as_str().to_owned()),
        page,
        per_page: PER_PAGE,
        deleted,
        locale: None,
    };
    let words = req.query_param("q").unwrap_or_default().trim().to_owned();
    let found = if words.is_empty() || deleted {
        app.site_entries(viewer, site, &list).await
    } else {
        app.search_site_entries(viewer, site, &words, status, kind)
            .await
    };
    let found = match found {
        Ok(found) => found,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let network = app.network();
    let Some(site_row) = network.site_by_slug(site) else {
        return error_page(
            app,
            req,
            Some(viewer),
            &tawasul_app::AppError::NotFound(site.to_owned()),
        );
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let link = |p: u64| {
        let mut url = format!(
            "/admin/sites/{site}/{}?page={p}",
            if deleted { "trash" } else { "entries" }
        );
        if let Some(s) = status {
            url.push_str(&format!("&status={}", s.as_str()));
        }
        if let Some(k) = kind {
            url.push_str(&format!("&kind={}", k.as_str()));
        }
        url
    };
    let title = site_row.name(req.lang).to_owned();
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site_row.slug, "name": site_row.name(req.lang)}),
    );
    ctx.insert("entries", &cards(app, req, &found.items).await);
    ctx.insert("q", &words);
    ctx.insert("status", &status.map(|s| s.as_str()));
    ctx.insert("kind", &kind.map(|k| k.as_str()));
    let statuses: Vec<&str> = EntryStatus::ALL.iter().map(|s| s.as_str()).collect();
    ctx.insert("statuses", &options(app, req, "status", &statuses));
    ctx.insert("kinds", &kind_options(app, req));
    ctx.insert("page", &page);
    ctx.insert("pages", &pages);
    ctx.insert("total", &found.total);
    ctx.insert("prev_url", &(page > 1).then(|| link(page - 1)));
    ctx.insert("next_url", &(page < pages).then(|| link(page + 1)));
    ctx.insert("new_url", &format!("/admin/sites/{site}/entries/new"));
    let manage = viewer.may(&network, site_row.id, Operation::ManageMembers);
    ctx.insert("can_manage_members", &manage);
    ctx.insert("members_url", &format!("/admin/sites/{site}/members"));
    ctx.insert(
        "can_import",
        &viewer.may(&network, site_row.id, Operation::ImportSite),
    );
    ctx.insert(
        "can_manage_settings",
        &viewer.may(&network, site_row.id, Operation::ManageSiteSettings),
    );
    ctx.insert("trash_url", &format!("/admin/sites/{site}/trash"));
    let template = if deleted {
        "trash.html"
    } else {
        "entries.html"
    };
    render(app, req, template, &ctx, StatusCode::OK)
}

pub async fn entries(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    site_list(&app, &req, &viewer, &site, false).await
}

pub async fn trash(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    site_list(&app, &req, &viewer, &site, true).await
}

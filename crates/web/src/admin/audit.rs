//! The audit log's screen: every record the viewer may read (platform
//! admins everything, site admins their sites'), filtered by person, site,
//! period and kind of act, newest first, 50 a page, each as a sentence in
//! the reader's language; the same selection downloads as a spreadsheet.
//! Contexts: docs/admin-ui.md, "The audit log".

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tawasul_app::audit::{AuditQuery, AuditRecord};
use tawasul_app::App;
use tawasul_domain::AuditAction;
use time::macros::format_description;
use time::Date;

use super::screens::local;
use super::{error_page, render_view, text, AdminUser, Req};

const PER_PAGE: u64 = 50;
const BASE: &str = "/admin/audit";

/// The filters as the address carries them. Values that do not read
/// (a date typed wrong, an unknown kind) are taken as none and shown so.
#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    person: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

fn date(value: &str) -> Option<Date> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]")).ok()
}

impl AuditParams {
    fn query(&self) -> AuditQuery {
        let present = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        AuditQuery {
            person: present(&self.person),
            site: present(&self.site),
            action: self.action.parse().ok(),
            from: date(&self.from),
            to: date(&self.to),
        }
    }

    /// The filters as a query string (without the page), as read.
    fn filters(&self, query: &AuditQuery) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        if let Some(person) = &query.person {
            out.append_pair("person", person);
        }
        if let Some(site) = &query.site {
            out.append_pair("site", site);
        }
        if let Some(action) = query.action {
            out.append_pair("action", action.as_str());
        }
        if let Some(from) = query.from {
            out.append_pair("from", &from.to_string());
        }
        if let Some(to) = query.to {
            out.append_pair("to", &to.to_string());
        }
        out.finish()
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct RecordView {
    id: i32,
    at: String,
    at_iso: String,
    action: String,
    action_label: String,
    sentence: String,
    /// Who acted (absent: the system or the command line).
    actor: Option<String>,
    site: Option<String>,
    detail: String,
}

/// The filters as typed, to fill the form again.
#[derive(Serialize)]
struct FilterView {
    person: String,
    site: String,
    action: String,
    from: String,
    to: String,
}

/// `audit.html`.
#[derive(Serialize)]
struct AuditView {
    filter: FilterView,
    sites: Vec<Choice>,
    actions: Vec<Choice>,
    records: Vec<RecordView>,
    total: u64,
    /// An address was typed that names nobody.
    unknown_person: bool,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
    export_url: String,
    clear_url: &'static str,
}

fn record_view(app: &App, req: &Req, record: &AuditRecord) -> RecordView {
    RecordView {
        id: record.id,
        at: local(app, record.at),
        at_iso: record
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        action: record.code.clone(),
        action_label: app.audit_action_label(record, req.lang),
        sentence: app.audit_sentence(record, req.lang),
        actor: record.actor.as_ref().map(|p| p.email.clone()),
        site: record.site.as_ref().map(|s| s.name(req.lang).to_owned()),
        detail: record.detail.clone(),
    }
}

/// `GET /admin/audit?person=&site=&action=&from=&to=&page=`
pub async fn list(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Query(params): Query<AuditParams>,
) -> Response {
    let query = params.query();
    let page = params
        .page
        .parse::<u64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let sites = match app.audit_sites(&viewer) {
        Ok(sites) => sites,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let found = match app.audit_log(&viewer, &query, page, PER_PAGE).await {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let filters = params.filters(&query);
    let with_page = |page: u64| {
        if filters.is_empty() {
            format!("{BASE}?page={page}")
        } else {
            format!("{BASE}?{filters}&page={page}")
        }
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let mut actions: Vec<Choice> = AuditAction::ALL
        .iter()
        .map(|a| Choice {
            value: a.as_str().to_owned(),
            label: text(&app, &req, &format!("audit.action.{a}")),
        })
        .collect();
    actions.sort_by(|a, b| a.label.cmp(&b.label));
    let view = AuditView {
        filter: FilterView {
            person: query.person.clone().unwrap_or_default(),
            site: query.site.clone().unwrap_or_default(),
            action: query
                .action
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            from: query.from.map(|d| d.to_string()).unwrap_or_default(),
            to: query.to.map(|d| d.to_string()).unwrap_or_default(),
        },
        sites: sites
            .iter()
            .map(|s| Choice {
                value: s.slug.clone(),
                label: s.name(req.lang).to_owned(),
            })
            .collect(),
        actions,
        records: found
            .records
            .iter()
            .map(|r| record_view(&app, &req, r))
            .collect(),
        total: found.total,
        // Only platform admins, who see every account anyway, are told
        // that an address has none.
        unknown_person: viewer.is_platform_admin()
            && query.person.is_some()
            && found.person.is_none(),
        page,
        pages,
        prev_url: (page > 1).then(|| with_page(page.min(pages + 1) - 1)),
        next_url: (page < pages).then(|| with_page(page + 1)),
        export_url: if filters.is_empty() {
            format!("{BASE}/export")
        } else {
            format!("{BASE}/export?{filters}")
        },
        clear_url: BASE,
    };
    let title = text(&app, &req, "audit.heading");
    render_view(
        &app,
        &req,
        Some(&viewer),
        &title,
        "audit.html",
        &view,
        StatusCode::OK,
    )
}

/// `GET /admin/audit/export?…`: the filtered records as a spreadsheet in
/// the interface's language.
pub async fn export(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Query(params): Query<AuditParams>,
) -> Response {
    let query = params.query();
    let body = match app.audit_csv(&viewer, &query, req.lang).await {
        Ok(body) => body,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    csv_response(body)
}

fn csv_response(body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tawasul-audit.csv\""),
    );
    response
}

/// Whether the admin's menu links to the log for this person.
pub fn may_read(app: &App, viewer: &tawasul_app::Viewer) -> bool {
    app.audit_reach(viewer).is_ok()
}

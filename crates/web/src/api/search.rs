//! `GET /api/v1/search`: published entries for everyone; with `drafts=true`
//! the drafts of the sites where the caller edits.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::public::routes::Paths;
use tawasul_app::App;
use tawasul_domain::EntryKind;
use tawasul_search::Order;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use super::Problem;
use crate::session::identify;

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    site: Option<String>,
    kind: Option<String>,
    programme: Option<String>,
    category: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    order: Option<String>,
    drafts: Option<String>,
}

/// A day (`2026-10-01`, whole day) or an RFC 3339 time.
fn parse_time(field: &str, text: &str, end_of_day: bool) -> Result<OffsetDateTime, Problem> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
        Problem::field(
            StatusCode::BAD_REQUEST,
            field,
            "a date (2026-10-01) or an RFC 3339 time",
        )
    })?;
    let time = if end_of_day {
        Time::MAX
    } else {
        Time::MIDNIGHT
    };
    Ok(date.with_time(time).assume_utc())
}

fn number(field: &str, text: Option<&str>, default: u32, max: u32) -> Result<u32, Problem> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Problem::field(
                    StatusCode::BAD_REQUEST,
                    field,
                    format!("a whole number from 1 to {max}"),
                )
            }),
    }
}

pub async fn search(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(params): Query<SearchParams>,
) -> Result<Response, Problem> {
    let drafts = params.drafts.as_deref() == Some("true");
    let viewer = identify(&app, &headers).await?.map(|(v, _)| v);
    let mut query = tawasul_search::Query {
        text: params.q.chars().take(5_000).collect(),
        page: number("page", params.page.as_deref(), 1, 500)?,
        per_page: number("per_page", params.per_page.as_deref(), 20, 100)?,
        ..Default::default()
    };
    if let Some(site) = params.site.filter(|s| !s.is_empty()) {
        query.sites = vec![site];
    }
    if let Some(kind) = params.kind.filter(|k| !k.is_empty()) {
        let kind: EntryKind = kind.parse().map_err(|e: tawasul_domain::DomainError| {
            Problem::field(StatusCode::BAD_REQUEST, "kind", e.to_string())
        })?;
        query.kinds = vec![kind.as_str().to_owned()];
    }
    if let Some(programme) = params.programme.filter(|p| !p.is_empty()) {
        query.programmes = vec![programme];
    }
    query.category = params.category.filter(|c| !c.is_empty());
    if let Some(from) = params.from.filter(|f| !f.is_empty()) {
        query.from = Some(parse_time("from", &from, false)?);
    }
    if let Some(to) = params.to.filter(|t| !t.is_empty()) {
        query.to = Some(parse_time("to", &to, true)?);
    }
    query.order = match params.order.as_deref() {
        None | Some("") | Some("relevance") => Order::Relevance,
        Some("newest") => Order::Newest,
        Some(_) => {
            return Err(Problem::field(
                StatusCode::BAD_REQUEST,
                "order",
                "relevance or newest",
            ))
        }
    };
    let Some(found) = app.search_entries(viewer.as_ref(), query, drafts).await? else {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "search-unavailable",
            "Search is unavailable",
            "this server has no search index open",
        ));
    };
    let network = app.network();
    let hits: Vec<Value> = found
        .hits
        .iter()
        .map(|hit| {
            let url = network.site_by_slug(&hit.site).and_then(|site| {
                let kind: EntryKind = hit.kind.parse().ok()?;
                // The slug is not in the index: the id alone redirects to
                // the canonical address.
                Some(format!(
                    "/{}{}",
                    site.slug,
                    Paths::entry(kind, i32::try_from(hit.id).ok()?, "")
                ))
            });
            json!({
                "id": hit.id,
                "site": hit.site,
                "kind": hit.kind,
                "title": hit.title,
                "url": url,
                "snippet": hit.snippet,
                "published_at": hit.published_at.and_then(|at| at.format(&Rfc3339).ok()),
            })
        })
        .collect();
    Ok(Json(json!({
        "hits": hits,
        "total": found.total,
        "facets": found.facets,
    }))
    .into_response())
}

//! Search across every site a person works on: drafts and published
//! entries where they edit (a regional supervisor's reach covers the
//! academy's directorates), published ones where they only contribute.
//! The words go through the same index and analysis as the public search.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::{EntryKind, EntryStatus, Operation, Role};
use tawasul_search::{Order, Query};

use super::screens::{card, kind_options, names};
use super::{base_context, error_page, render, text, AdminUser, Req};

const PER_PAGE: u32 = 20;
/// Deeper pages than this are refused as out of range, like the API's.
const MAX_PAGE: u32 = 500;

/// What the form asked, each value checked: unknown ones are dropped so a
/// hand-edited URL still gets an answer.
#[derive(Debug, Default, PartialEq)]
struct Asked {
    q: String,
    site: Option<String>,
    kind: Option<EntryKind>,
    status: Option<EntryStatus>,
    newest: bool,
    page: u32,
}

impl Asked {
    fn from(req: &Req) -> Self {
        Asked {
            q: req
                .query_param("q")
                .unwrap_or_default()
                .trim()
                .chars()
                .take(500)
                .collect(),
            site: req.query_param("site").filter(|s| !s.is_empty()),
            kind: req.query_param("kind").and_then(|k| k.parse().ok()),
            status: req.query_param("status").and_then(|s| s.parse().ok()),
            newest: req.query_param("order").as_deref() == Some("newest"),
            page: req
                .query_param("page")
                .and_then(|p| p.parse::<u32>().ok())
                .map_or(1, |p| p.clamp(1, MAX_PAGE)),
        }
    }

    /// This search's URL with `change` applied: facet and page links.
    fn url(&self, change: impl FnOnce(&mut Asked)) -> String {
        let mut next = Asked {
            q: self.q.clone(),
            site: self.site.clone(),
            page: 1,
            ..*self
        };
        change(&mut next);
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.append_pair("q", &next.q);
        if let Some(site) = &next.site {
            url.append_pair("site", site);
        }
        if let Some(kind) = next.kind {
            url.append_pair("kind", kind.as_str());
        }
        if let Some(status) = next.status {
            url.append_pair("status", status.as_str());
        }
        if next.newest {
            url.append_pair("order", "newest");
        }
        if next.page > 1 {
            url.append_pair("page", &next.page.to_string());
        }
        format!("/admin/search?{}", url.finish())
    }
}

pub async fn search(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
) -> Response {
    let asked = Asked::from(&req);
    let found = if asked.q.is_empty() {
        Ok(None)
    } else {
        run(&app, &req, &viewer, &asked).await.map(Some)
    };
    let found = match found {
        Ok(found) => found,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let title = text(&app, &req, "search.title");
    let mut ctx = base_context(&app, &req, Some(&viewer), &title);
    ctx.insert("q", &asked.q);
    ctx.insert("site", &asked.site);
    ctx.insert("kind", &asked.kind.map(|k| k.as_str()));
    ctx.insert("status", &asked.status.map(|s| s.as_str()));
    ctx.insert("newest", &asked.newest);
    ctx.insert("kinds", &kind_options(&app, &req));
    let statuses: Vec<Value> = EntryStatus::ALL
        .iter()
        .map(|s| json!({"value": s.as_str(), "label": text(&app, &req, &format!("status.{}", s.as_str()))}))
        .collect();
    ctx.insert("statuses", &statuses);
    let Some(found) = found else {
        ctx.insert("searched", &false);
        return render(&app, &req, "search.html", &ctx, StatusCode::OK);
    };
    ctx.insert("searched", &true);
    ctx.insert("total", &found.total);
    ctx.insert("results", &found.cards);
    let network = app.network();
    let site_facets: Vec<Value> = found
        .facets
        .sites
        .iter()
        .map(|(slug, n)| {
            let name = network
                .site_by_slug(slug)
                .map_or_else(|| slug.clone(), |s| s.name(req.lang).to_owned());
            json!({"label": name, "count": n, "url": asked.url(|a| a.site = Some(slug.clone())),
                   "current": asked.site.as_deref() == Some(slug.as_str())})
        })
        .collect();
    let kind_facets: Vec<Value> = found
        .facets
        .kinds
        .iter()
        .filter_map(|(kind, n)| {
            let kind: EntryKind = kind.parse().ok()?;
            Some(json!({"label": text(&app, &req, &format!("kind.{}", kind.as_str())), "count": n,
                        "url": asked.url(|a| a.kind = Some(kind)), "current": asked.kind == Some(kind)}))
        })
        .collect();
    ctx.insert("site_facets", &site_facets);
    ctx.insert("kind_facets", &kind_facets);
    let pages = u32::try_from(found.total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .clamp(1, MAX_PAGE);
    ctx.insert("page", &asked.page);
    ctx.insert("pages", &pages);
    ctx.insert(
        "prev_url",
        &(asked.page > 1).then(|| asked.url(|a| a.page = asked.page - 1)),
    );
    ctx.insert(
        "next_url",
        &(asked.page < pages).then(|| asked.url(|a| a.page = asked.page + 1)),
    );
    ctx.insert(
        "clear_filters_url",
        &asked.url(|a| {
            a.site = None;
            a.kind = None;
            a.status = None;
        }),
    );
    render(&app, &req, "search.html", &ctx, StatusCode::OK)
}

struct Found {
    total: u64,
    cards: Vec<Value>,
    facets: tawasul_search::Facets,
}

async fn run(app: &App, req: &Req, viewer: &Viewer, asked: &Asked) -> Result<Found, AppError> {
    let network = app.network();
    // Drafts wherever the person may search them; someone who only
    // contributes searches what is published on their sites; a site asked
    // by name must be one of theirs.
    let (sites, drafts) = match &asked.site {
        Some(slug) => {
            let site = network
                .site_by_slug(slug)
                .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
            if !viewer.may(&network, site.id, Operation::ListEntries) {
                return Err(AppError::Forbidden(format!("you have no role on {slug}")));
            }
            (
                vec![slug.clone()],
                viewer.may(&network, site.id, Operation::SearchDrafts),
            )
        }
        None if !viewer.sites_with(&network, Role::Editor).is_empty() => (Vec::new(), true),
        None => (
            viewer
                .sites(&network)
                .into_iter()
                .filter_map(|id| network.site(id).map(|s| s.slug.clone()))
                .collect(),
            false,
        ),
    };
    if !drafts && sites.is_empty() {
        return Ok(Found {
            total: 0,
            cards: Vec::new(),
            facets: Default::default(),
        });
    }
    let query = Query {
        text: asked.q.clone(),
        sites,
        kinds: asked.kind.iter().map(|k| k.as_str().to_owned()).collect(),
        statuses: asked.status.iter().map(|s| s.as_str().to_owned()).collect(),
        order: if asked.newest {
            Order::Newest
        } else {
            Order::Relevance
        },
        page: asked.page,
        per_page: PER_PAGE,
        ..Query::default()
    };
    let Some(hits) = app.search_entries(Some(viewer), query, drafts).await? else {
        return Err(AppError::Search(
            "the search index is not open on this server".into(),
        ));
    };
    let ids: Vec<i32> = hits
        .hits
        .iter()
        .filter_map(|h| i32::try_from(h.id).ok())
        .collect();
    let entries = app.admin_entries_in_order(&ids).await?;
    let snippets: HashMap<i64, &str> = hits
        .hits
        .iter()
        .map(|h| (h.id, h.snippet.as_str()))
        .collect();
    let authors = names(app, entries.iter().map(|e| e.author_id)).await;
    let cards = entries
        .iter()
        .map(|e| {
            let mut card = card(app, req, e, &authors);
            if let Some(snippet) = snippets.get(&i64::from(e.id)) {
                card["snippet"] = json!(tawasul_search::snippet::parts(snippet));
            }
            card
        })
        .collect();
    Ok(Found {
        total: hits.total,
        cards,
        facets: hits.facets,
    })
}

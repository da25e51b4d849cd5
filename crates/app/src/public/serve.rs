//! Public requests through the render cache: a hit costs a lookup; a miss
//! renders, keeps the page with what it depends on, and serves it.

use std::sync::Arc;

use tawasul_domain::Locale;

use super::pages::{PageQuery, PublicResponse, HTML};
use super::Origin;
use crate::cache::deps::{page_deps, Dep};
use crate::cache::CachedPage;
use crate::{App, AppError};

/// What the web layer sends.
#[derive(Debug, Clone)]
pub enum Served {
    Page(Arc<CachedPage>),
    /// 301 to a path on the same host.
    Redirect(String),
}

/// The pages of a one-domain deployment's root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPage {
    Home(Locale),
    Robots,
    NotFound,
}

fn into_page(response: PublicResponse) -> Result<Arc<CachedPage>, String> {
    Ok(Arc::new(match response {
        PublicResponse::Cached(page) => return Ok(page),
        PublicResponse::Redirect { location } => return Err(location),
        PublicResponse::Html { status, body } => CachedPage::new(status, HTML, body),
        PublicResponse::Atom { body } => {
            CachedPage::new(200, "application/atom+xml; charset=utf-8", body)
        }
        PublicResponse::Xml { body } => {
            CachedPage::new(200, "application/xml; charset=utf-8", body)
        }
        PublicResponse::Text { body } => CachedPage::new(200, "text/plain; charset=utf-8", body),
    }))
}

/// The cache key of a site page: origin, decoded path and page number. Only
/// the parameters pages read count, so invented query strings all share
/// the page's one entry. `None`: not cacheable (search, a malformed page
/// number, which answers 404 anyway).
pub fn page_key(origin: &Origin, segments: &[&str], query: &PageQuery) -> Option<String> {
    if segments.last() == Some(&"search") {
        return None;
    }
    let page = match query.page.as_deref() {
        None => 1,
        Some(raw) => raw.parse::<u64>().ok()?,
    };
    Some(format!("{}|/{}|{page}", origin.key(), segments.join("/")))
}

/// The keys an unknown path may be stored under among a site's redirects:
/// the path itself (decoded, no trailing slash), and for an old WordPress
/// upload, the original file of a resized copy (`photo-300x200.jpg`).
pub fn redirect_keys(segments: &[&str]) -> Vec<String> {
    let path = format!("/{}", segments.join("/"));
    let mut keys = vec![path.clone()];
    if path.starts_with("/wp-content/uploads/") {
        if let Some(original) = crate::import::convert::media_key(&path) {
            let original = format!("/wp-content/{original}");
            if original != path {
                keys.push(original);
            }
        }
    }
    keys
}

/// Where a redirect sends the reader: a page of the site below its prefix,
/// a library file (`/uploads/…`, served for every site) as it is.
fn redirect_location(origin: &Origin, path: &str) -> String {
    if path.starts_with("/uploads/") {
        path.to_owned()
    } else {
        format!("{}{path}", origin.prefix)
    }
}

impl App {
    /// Answers a public request for a site, from the cache when it can.
    pub async fn serve_site(
        &self,
        site_id: i32,
        origin: &Origin,
        segments: &[&str],
        query: &PageQuery,
    ) -> Result<Served, AppError> {
        // `/?p=12` would be the home page, from the cache: an old site's
        // item named by its id is looked up first (one indexed query, only
        // for requests that carry such a parameter).
        if let (Some(legacy), true) = (query.legacy.as_deref(), segments.is_empty()) {
            if let Some(path) = self.store().redirect_for(site_id, legacy).await? {
                return Ok(Served::Redirect(redirect_location(origin, &path)));
            }
        }
        let key = page_key(origin, segments, query);
        if let Some(page) = key.as_deref().and_then(|k| self.pages.get(k)) {
            return Ok(Served::Page(page));
        }
        let generation = self.pages.generation();
        let (response, kind) = self
            .render_site_page(site_id, origin, segments, query)
            .await?;
        let page = match into_page(response) {
            Ok(page) => page,
            Err(location) => return Ok(Served::Redirect(location)),
        };
        // Nothing here: perhaps an address of the old site the content
        // came from. Asked only on a miss, by the (site, old path) index.
        if page.status == 404 {
            for old in redirect_keys(segments) {
                if let Some(path) = self.store().redirect_for(site_id, &old).await? {
                    return Ok(Served::Redirect(redirect_location(origin, &path)));
                }
            }
        }
        if let (Some(key), Some(kind), 200) = (key, kind, page.status) {
            let deps = page_deps(site_id, &kind);
            self.pages
                .insert(generation, &origin.key(), key, Arc::clone(&page), deps);
        }
        Ok(Served::Page(page))
    }

    /// Answers a request for the network's own pages.
    pub async fn serve_network(
        &self,
        origin: &Origin,
        which: NetworkPage,
    ) -> Result<Served, AppError> {
        let key = format!("{}|network|{which:?}", origin.key());
        if let Some(page) = self.pages.get(&key) {
            return Ok(Served::Page(page));
        }
        let generation = self.pages.generation();
        let response = match which {
            NetworkPage::Home(locale) => self.network_page(origin, locale).await?,
            NetworkPage::Robots => self.network_robots(origin),
            NetworkPage::NotFound => self.network_not_found(origin).await?,
        };
        let page = match into_page(response) {
            Ok(page) => page,
            Err(location) => return Ok(Served::Redirect(location)),
        };
        self.pages.insert(
            generation,
            &origin.key(),
            key,
            Arc::clone(&page),
            vec![Dep::Network],
        );
        Ok(Served::Page(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            scheme: "http".into(),
            host: "h".into(),
            prefix: "/dp-rabat".into(),
        }
    }

    fn query(page: Option<&str>, q: Option<&str>) -> PageQuery {
        PageQuery {
            page: page.map(str::to_owned),
            q: q.map(str::to_owned),
            ..PageQuery::default()
        }
    }

    #[test]
    fn unknown_paths_are_looked_up_as_old_addresses() {
        assert_eq!(
            redirect_keys(&["2019", "05", "الدخول"]),
            vec!["/2019/05/الدخول"]
        );
        assert_eq!(redirect_keys(&[]), vec!["/"]);
        assert_eq!(
            redirect_keys(&["wp-content", "uploads", "2019", "05", "a-300x200.jpg"]),
            vec![
                "/wp-content/uploads/2019/05/a-300x200.jpg".to_owned(),
                "/wp-content/uploads/2019/05/a.jpg".to_owned()
            ]
        );
    }

    #[test]
    fn cache_keys_count_only_what_pages_read() {
        let key = |segments: &[&str], q: PageQuery| page_key(&origin(), segments, &q);
        assert_eq!(
            key(&["news"], query(None, None)),
            Some("http://h/dp-rabat|/news|1".into())
        );
        assert_eq!(
            key(&["news"], query(Some("1"), Some("ignored"))),
            key(&["news"], query(None, None))
        );
        assert_eq!(
            key(&["news"], query(Some("02"), None)),
            key(&["news"], query(Some("2"), None))
        );
        assert_eq!(key(&["news"], query(Some("two"), None)), None);
        assert_eq!(key(&["search"], query(None, Some("مسار"))), None);
        assert_eq!(key(&["fr", "search"], query(None, None)), None);
    }
}

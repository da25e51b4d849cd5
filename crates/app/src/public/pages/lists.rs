//! Paginated lists: archives of a kind, a category, a tag, a programme,
//! and search results.

use super::*;

impl Page<'_> {
    #[expect(
        clippy::too_many_arguments,
        reason = "every list page differs in these, and a one-use struct would only rename them"
    )]
    pub(super) async fn archive(
        &self,
        query: EntryQuery,
        page: u64,
        title: String,
        description: Option<String>,
        kind: Option<EntryKind>,
        path_of: impl Fn(Locale) -> String,
        active: &str,
    ) -> Result<PublicResponse, AppError> {
        let per_page = self.app.config.site.per_page;
        let result = self
            .app
            .store()
            .public_entries(&query, page, per_page)
            .await?;
        self.list_page(
            result,
            page,
            title,
            description,
            kind,
            path_of,
            active,
            None,
            HashMap::new(),
            None,
        )
        .await
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "every list page differs in these, and a one-use struct would only rename them"
    )]
    pub(super) async fn list_page(
        &self,
        result: tawasul_store::Page<EntrySummary>,
        page: u64,
        title: String,
        description: Option<String>,
        kind: Option<EntryKind>,
        path_of: impl Fn(Locale) -> String,
        active: &str,
        extra_query: Option<String>,
        snippets: HashMap<i32, String>,
        search: Option<SearchForm>,
    ) -> Result<PublicResponse, AppError> {
        let per_page = self.app.config.site.per_page;
        let pages = result.total.div_ceil(per_page).max(1);
        if page > pages {
            return self.not_found().await;
        }
        let path = path_of(self.locale);
        let with_page = |n: u64| {
            let mut params: Vec<String> = extra_query.iter().cloned().collect();
            if n > 1 {
                params.push(format!("page={n}"));
            }
            if params.is_empty() {
                self.url(&path)
            } else {
                format!("{}?{}", self.url(&path), params.join("&"))
            }
        };
        let page_title = if page > 1 {
            format!(
                "{title} — {}",
                self.strings
                    .fill("pagination.page_title", &[("n", &page.to_string())])
            )
        } else {
            title.clone()
        };
        let canonical_path = if page > 1 {
            format!("{path}?page={page}")
        } else {
            path.clone()
        };
        let mut meta = self.meta(
            page_title,
            description.clone().unwrap_or_else(|| title.clone()),
            &canonical_path,
        );
        meta.breadcrumbs = vec![
            self.home_crumb(),
            Crumb {
                label: title.clone(),
                url: None,
            },
        ];
        let mut urls = HashMap::new();
        for l in self.site.locales() {
            meta.alternates.push(Alternate {
                lang: l.as_str(),
                url: self.absolute(&path_of(l)),
            });
            urls.insert(l, self.url(&path_of(l)));
        }
        let view = ArchiveView {
            title,
            description,
            kind: kind.map(EntryKind::as_str),
            entries: result
                .items
                .iter()
                .map(|r| {
                    let mut card = self.card(r);
                    card.snippet = snippets.get(&r.id).cloned();
                    card
                })
                .collect(),
            search,
            pagination: Pagination {
                page,
                pages,
                prev_url: (page > 1).then(|| with_page(page - 1)),
                next_url: (page < pages).then(|| with_page(page + 1)),
            },
        };
        self.render("archive.html", 200, meta, active, urls, |c| {
            c.insert("archive", &view)
        })
        .await
    }

    pub(super) async fn search(
        &self,
        query: &PageQuery,
        page: u64,
    ) -> Result<PublicResponse, AppError> {
        let raw = query.q.as_deref().unwrap_or("").trim();
        let words: Vec<String> = raw
            .split_whitespace()
            .take(MAX_SEARCH_WORDS)
            .map(|w| w.chars().take(50).collect())
            .collect();
        let per_page = self.app.config.site.per_page;
        // Unknown filter values are ignored, as links in the wild carry
        // all sorts; the form offers only real ones.
        let kind = query
            .kind
            .as_deref()
            .and_then(|k| k.parse::<EntryKind>().ok())
            .filter(|k| k.has_archive());
        let newest = query.order.as_deref() == Some("newest");
        let mut snippets = HashMap::new();
        let result = if words.is_empty() {
            tawasul_store::Page {
                items: Vec::new(),
                total: 0,
            }
        } else if let Some(hits) = self
            .app
            .search_entries(
                None,
                tawasul_search::Query {
                    text: raw.chars().take(1_000).collect(),
                    kinds: kind.iter().map(|k| k.as_str().to_owned()).collect(),
                    order: if newest {
                        tawasul_search::Order::Newest
                    } else {
                        tawasul_search::Order::Relevance
                    },
                    // A site's search covers the sites below it: an
                    // academy's finds its directorates' news.
                    sites: vec![self.site.slug.clone()],
                    page: u32::try_from(page).unwrap_or(u32::MAX),
                    per_page: u32::try_from(per_page).unwrap_or(20),
                    ..Default::default()
                },
                false,
            )
            .await?
        {
            let ids: Vec<i32> = hits
                .hits
                .iter()
                .filter_map(|h| i32::try_from(h.id).ok())
                .collect();
            let mut rows = self.app.store().public_summaries_by_ids(&ids).await?;
            rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
            for hit in hits.hits {
                if let Ok(id) = i32::try_from(hit.id) {
                    snippets.insert(id, hit.snippet);
                }
            }
            tawasul_store::Page {
                items: rows,
                total: hits.total,
            }
        } else {
            self.app
                .store()
                .search_public(&[self.site.id], &words, page, per_page)
                .await?
        };
        let title = if raw.is_empty() {
            self.strings.get("search.title")
        } else {
            self.strings.fill("search.results_for", &[("q", raw)])
        };
        let q_param = (!raw.is_empty()).then(|| {
            let mut param = format!(
                "q={}",
                routes::encode_segment(raw)
                    .replace('&', "%26")
                    .replace('+', "%2B")
            );
            if let Some(kind) = kind {
                param.push_str(&format!("&kind={}", kind.as_str()));
            }
            if newest {
                param.push_str("&order=newest");
            }
            param
        });
        let paths = self.paths();
        let form = SearchForm {
            action: self.url(&paths.search(self.locale)),
            q: raw.to_owned(),
            kinds: EntryKind::ARCHIVED
                .iter()
                .map(|k| Choice {
                    value: k.as_str(),
                    label: self.strings.get(&format!("kinds.{}", k.as_str())),
                    selected: Some(*k) == kind,
                })
                .collect(),
            newest,
            total: result.total.to_string(),
        };
        self.list_page(
            result,
            page,
            title,
            None,
            None,
            |l| paths.search(l),
            "search",
            q_param,
            snippets,
            Some(form),
        )
        .await
    }
}

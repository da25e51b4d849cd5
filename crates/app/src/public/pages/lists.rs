//! Paginated lists: archives of a kind, a category, a tag, a programme;
//! search results use the same page (see `search.rs`).

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
}

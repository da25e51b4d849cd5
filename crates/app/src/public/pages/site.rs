//! From a route to a page: what `App::serve_site` renders on a miss.

use super::*;

impl App {
    /// Renders a public page of a site: `segments` are the decoded path
    /// segments below the site's root. Also says what kind of page it is,
    /// for the cache (`None`: never cached).
    pub(in crate::public) async fn render_site_page(
        &self,
        site_id: i32,
        origin: &Origin,
        segments: &[&str],
        query: &PageQuery,
    ) -> Result<(PublicResponse, Option<PageKind>), AppError> {
        let network = self.network();
        let Some(site) = network.site(site_id) else {
            return Err(AppError::NotFound(format!("site #{site_id}")));
        };
        let Some((locale, route)) = routes::parse(segments, site.locales()) else {
            let locale = routes::locale_of(segments, site.locales());
            let page = Page::new(self, &network, site, origin, locale);
            return Ok((page.not_found().await?, None));
        };
        let page = Page::new(self, &network, site, origin, locale);
        let Some(number) = page.page_number(query) else {
            return Ok((page.not_found().await?, None));
        };
        let base = EntryQuery {
            site_ids: vec![site.id],
            locale: Some(locale.as_str().to_owned()),
            ..Default::default()
        };
        let paths = page.paths();
        match route {
            Route::Home => Ok((page.home().await?, Some(PageKind::Home { locale }))),
            Route::Archive(kind) => {
                let response = page
                    .archive(
                        EntryQuery {
                            kind: Some(kind.as_str().to_owned()),
                            ..base
                        },
                        number,
                        page.strings.get(&format!("kinds.{}", kind.as_str())),
                        None,
                        Some(kind),
                        |l| paths.archive(l, kind),
                        kind.path_segment(),
                    )
                    .await?;
                Ok((response, Some(PageKind::Archive { locale, kind })))
            }
            Route::Entry { kind, id, slug } => {
                let (response, translations) = page.entry(id, kind, slug.as_deref()).await?;
                Ok((response, Some(PageKind::Entry { id, translations })))
            }
            Route::Category(slug) => {
                let Some(category) = site.category_by_slug(&slug) else {
                    return Ok((page.not_found().await?, None));
                };
                let name = localized(locale, &category.name_ar, &category.name_fr);
                let response = page
                    .archive(
                        EntryQuery {
                            category_id: Some(category.id),
                            ..base
                        },
                        number,
                        page.strings.fill("archive.category", &[("name", name)]),
                        None,
                        None,
                        |l| paths.category(l, &slug),
                        "",
                    )
                    .await?;
                Ok((response, Some(PageKind::Category { id: category.id })))
            }
            Route::Tag(slug) => {
                let Some(tag) = self.store().tag_by_slug(&slug).await? else {
                    return Ok((page.not_found().await?, None));
                };
                let response = page
                    .archive(
                        EntryQuery {
                            tag_id: Some(tag.id),
                            ..base
                        },
                        number,
                        page.strings.fill("archive.tag", &[("name", &tag.name)]),
                        None,
                        None,
                        |l| paths.tag(l, &slug),
                        "",
                    )
                    .await?;
                Ok((response, Some(PageKind::Tag { id: tag.id })))
            }
            Route::Programme(slug) => {
                let Some(programme) = network.programme_by_slug(&slug) else {
                    return Ok((page.not_found().await?, None));
                };
                let name = localized(locale, &programme.name_ar, &programme.name_fr);
                let description =
                    localized(locale, &programme.description_ar, &programme.description_fr);
                let response = page
                    .archive(
                        EntryQuery {
                            programme_id: Some(programme.id),
                            ..base
                        },
                        number,
                        page.strings.fill("archive.programme", &[("name", name)]),
                        (!description.is_empty()).then(|| description.to_owned()),
                        None,
                        |l| paths.programme(l, &slug),
                        "",
                    )
                    .await?;
                Ok((response, Some(PageKind::Programme { id: programme.id })))
            }
            Route::Search => Ok((page.search(query, number).await?, None)),
            Route::Feed => Ok((page.feed().await?, Some(PageKind::Feed { locale }))),
            Route::Sitemap => Ok((page.sitemap().await?, Some(PageKind::Sitemap))),
            Route::Robots => Ok((page.robots(), Some(PageKind::Plain))),
        }
    }
}

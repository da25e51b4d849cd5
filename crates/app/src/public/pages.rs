//! Assembling public pages: queries, views, template, status.

use std::collections::HashMap;

use std::sync::Arc;

use tawasul_domain::{EntryFields, EntryKind, EntryStatus, Locale};
use tawasul_render::{format_date, Context, Strings};
use tawasul_store::{EntryQuery, EntryRow, EntrySummary};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::routes::{self, Paths, Route};
use super::views::*;
use super::Origin;
use crate::cache::deps::{page_deps, PageKind};
use crate::cache::CachedPage;
use crate::network::{localized, Network, Site};
use crate::{App, AppError};

pub(super) const HTML: &str = "text/html; charset=utf-8";

/// What a public request answers.
#[derive(Debug, Clone)]
pub enum PublicResponse {
    /// A page ready to send in any encoding, from the cache or just made.
    Cached(Arc<CachedPage>),
    Html {
        status: u16,
        body: String,
    },
    /// 301 to a path on the same host.
    Redirect {
        location: String,
    },
    Atom {
        body: String,
    },
    Xml {
        body: String,
    },
    Text {
        body: String,
    },
}

/// The query string parameters public pages understand.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    pub page: Option<String>,
    pub q: Option<String>,
}

const HOME_FEATURED: u64 = 3;
const HOME_PER_KIND: u64 = 4;
const HOME_FROM_NETWORK: u64 = 6;
const MAX_SEARCH_WORDS: usize = 8;

/// What every page of a theme receives, a site's or the network's:
/// language, strings, asset URLs and the theme's colours.
pub(super) fn page_context(app: &App, theme: &str, locale: Locale, strings: &Strings) -> Context {
    let mut context = Context::new();
    context.insert("lang", locale.as_str());
    context.insert("dir", locale.dir());
    context.insert("t", strings.as_value());
    context.insert("now_year", &OffsetDateTime::now_utc().year());
    app.with_renderer(|r| {
        context.insert("assets", r.asset_urls(theme));
        context.insert(
            "theme",
            &ThemeView {
                name: r.display_name(theme).to_owned(),
                colors: r.colors(theme).clone(),
            },
        );
    });
    context
}

/// One request's view of the site: where it is, in which language.
pub(super) struct Page<'a> {
    pub app: &'a App,
    pub network: &'a Network,
    pub site: &'a Site,
    pub origin: &'a Origin,
    pub locale: Locale,
    pub strings: Strings,
}

impl<'a> Page<'a> {
    pub(super) fn new(
        app: &'a App,
        network: &'a Network,
        site: &'a Site,
        origin: &'a Origin,
        locale: Locale,
    ) -> Self {
        let strings = app.with_renderer(|r| r.strings(&site.theme, locale).clone());
        Page {
            app,
            network,
            site,
            origin,
            locale,
            strings,
        }
    }

    pub(super) fn paths(&self) -> Paths<'a> {
        Paths { site: self.site }
    }

    /// A path of this site as the reader's browser should request it.
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin.prefix)
    }

    /// The absolute URL of a path of this site.
    pub(super) fn absolute(&self, path: &str) -> String {
        format!("{}{}{path}", self.origin.base(), self.origin.prefix)
    }

    /// A path of another site of the network, as reachable from this request.
    fn other_site_url(&self, target: &Site, path: &str) -> String {
        if target.id == self.site.id {
            return self.url(path);
        }
        if !self.origin.prefix.is_empty() {
            return format!("/{}{path}", target.slug);
        }
        match target.hosts.first() {
            Some(host) => format!(
                "{}://{host}{}{path}",
                self.origin.scheme,
                self.origin.port_suffix()
            ),
            None => format!("/{}{path}", target.slug),
        }
    }

    fn offset(&self) -> UtcOffset {
        UtcOffset::from_whole_seconds(self.app.config.site.utc_offset_minutes * 60)
            .unwrap_or(UtcOffset::UTC)
    }

    fn human_date(&self, at: OffsetDateTime) -> String {
        format_date(&self.strings, at.to_offset(self.offset()).date())
    }

    fn human_datetime(&self, at: OffsetDateTime) -> String {
        let local = at.to_offset(self.offset());
        format!(
            "{} {:02}:{:02}",
            format_date(&self.strings, local.date()),
            local.hour(),
            local.minute()
        )
    }

    fn kind_label(&self, kind: EntryKind) -> String {
        self.strings.get(&format!("kind.{}", kind.as_str()))
    }

    pub(super) fn card(&self, row: &EntrySummary) -> Card {
        let kind = row.kind.parse().unwrap_or(EntryKind::News);
        let locale: Locale = row.locale.parse().unwrap_or(self.site.default_locale);
        let entry_site = self.network.site(row.site_id).unwrap_or(self.site);
        let path = Paths::entry(kind, row.id, &row.slug);
        Card {
            id: row.id,
            kind: kind.as_str(),
            kind_label: self.kind_label(kind),
            title: row.title.clone(),
            summary: row.summary.clone(),
            url: self.other_site_url(entry_site, &path),
            lang: locale.as_str(),
            dir: locale.dir(),
            published_at: row
                .published_at
                .and_then(|at| at.format(&Rfc3339).ok())
                .unwrap_or_default(),
            published_human: row
                .published_at
                .map(|at| self.human_date(at))
                .unwrap_or_default(),
            cover: row.cover_url.as_ref().map(|url| Cover {
                url: url.clone(),
                alt: row.cover_alt.clone(),
            }),
            category: row
                .category_id
                .and_then(|id| entry_site.category(id))
                .map(|c| Link {
                    name: localized(self.locale, &c.name_ar, &c.name_fr).to_owned(),
                    url: self.other_site_url(
                        entry_site,
                        &Paths { site: entry_site }.category(self.locale, &c.slug),
                    ),
                }),
            site_name: entry_site.name(self.locale).to_owned(),
        }
    }

    fn site_view(&self) -> SiteView {
        let paths = self.paths();
        let contact = &self.site.contact;
        SiteView {
            slug: self.site.slug.clone(),
            kind: self.site.kind.as_str(),
            name: self.site.name(self.locale).to_owned(),
            tagline: self.site.tagline(self.locale).to_owned(),
            home_url: self.url(&paths.home(self.locale)),
            logo_url: self.site.logo_url.clone(),
            feed_url: self.url(&paths.feed(self.locale)),
            search_url: self.url(&paths.search(self.locale)),
            contact: ContactView {
                email: contact.email.clone(),
                phone: contact.phone.clone(),
                address: match self.locale {
                    Locale::Ar => contact.address_ar.clone(),
                    _ => contact.address_fr.clone(),
                },
            },
            social: self.site.social.clone(),
            parent: self.network.parent(self.site).map(|p| Link {
                name: p.name(self.locale).to_owned(),
                url: self.other_site_url(p, &Paths { site: p }.home(self.locale)),
            }),
        }
    }

    fn nav(&self, active: &str) -> Vec<NavItem> {
        let paths = self.paths();
        let mut nav = vec![NavItem {
            label: self.strings.get("nav.home"),
            url: self.url(&paths.home(self.locale)),
            active: active == "home",
        }];
        for kind in EntryKind::ARCHIVED {
            nav.push(NavItem {
                label: self.strings.get(&format!("kinds.{}", kind.as_str())),
                url: self.url(&paths.archive(self.locale, kind)),
                active: active == kind.path_segment(),
            });
        }
        for page in &self.site.menu {
            if page.locale != self.locale.as_str() {
                continue;
            }
            let url = self.url(&Paths::entry(EntryKind::Page, page.id, &page.slug));
            nav.push(NavItem {
                active: active == url,
                label: page.title.clone(),
                url,
            });
        }
        nav
    }

    /// The same page in each of the site's languages.
    fn locale_links(&self, urls: &HashMap<Locale, String>) -> Vec<LocaleLink> {
        self.site
            .locales()
            .into_iter()
            .map(|l| LocaleLink {
                lang: l.as_str(),
                label: self.strings.get(&format!("locale_name.{}", l.as_str())),
                url: urls
                    .get(&l)
                    .cloned()
                    .unwrap_or_else(|| self.url(&self.paths().home(l))),
                current: l == self.locale,
            })
            .collect()
    }

    pub(super) fn meta(&self, title: String, description: String, path: &str) -> PageMeta {
        PageMeta {
            title,
            description,
            canonical: self.absolute(path),
            og_type: "website",
            og_image: None,
            feed_url: self.url(&self.paths().feed(self.locale)),
            breadcrumbs: Vec::new(),
            alternates: Vec::new(),
        }
    }

    fn home_crumb(&self) -> Crumb {
        Crumb {
            label: self.strings.get("nav.home"),
            url: Some(self.url(&self.paths().home(self.locale))),
        }
    }

    /// Renders a template with everything every page receives.
    async fn render(
        &self,
        template: &str,
        status: u16,
        meta: PageMeta,
        active: &str,
        locale_urls: HashMap<Locale, String>,
        extra: impl FnOnce(&mut Context),
    ) -> Result<PublicResponse, AppError> {
        let theme = &self.site.theme;
        let mut context = page_context(self.app, theme, self.locale, &self.strings);
        context.insert("site", &self.site_view());
        context.insert("nav", &self.nav(active));
        context.insert("locales", &self.locale_links(&locale_urls));
        context.insert("page", &meta);
        extra(&mut context);
        let body = self
            .app
            .with_renderer(|r| r.render(Some(&self.site.slug), theme, template, &context))?;
        Ok(PublicResponse::Html { status, body })
    }

    /// The site's 404 page. Its body does not depend on the path asked
    /// for, so it is cached once per site and language, never per path: a
    /// flood of unknown paths costs a lookup, not the cache.
    pub(super) async fn not_found(&self) -> Result<PublicResponse, AppError> {
        let origin = self.origin.key();
        let key = format!("{origin}|404|{}", self.locale);
        if let Some(page) = self.app.pages.get(&key) {
            return Ok(PublicResponse::Cached(page));
        }
        let generation = self.app.pages.generation();
        let title = self.strings.get("not_found.title");
        let mut meta = self.meta(
            title.clone(),
            self.strings.get("not_found.message"),
            &self.paths().home(self.locale),
        );
        meta.breadcrumbs = vec![
            self.home_crumb(),
            Crumb {
                label: title,
                url: None,
            },
        ];
        let PublicResponse::Html { status, body } = self
            .render("404.html", 404, meta, "", HashMap::new(), |_| {})
            .await?
        else {
            unreachable!("render() makes HTML")
        };
        let page = Arc::new(CachedPage::new(status, HTML, body));
        let deps = page_deps(self.site.id, &PageKind::Plain);
        self.app
            .pages
            .insert(generation, &origin, key, Arc::clone(&page), deps);
        Ok(PublicResponse::Cached(page))
    }

    async fn home(&self) -> Result<PublicResponse, AppError> {
        let store = self.app.store();
        let base = EntryQuery {
            site_ids: vec![self.site.id],
            locale: Some(self.locale.as_str().to_owned()),
            ..Default::default()
        };
        let featured = store
            .latest_public(
                &EntryQuery {
                    featured: Some(true),
                    ..base.clone()
                },
                HOME_FEATURED,
            )
            .await?;
        // What is featured stays out of the sections below it: one entry,
        // one place on the page.
        let featured_ids: Vec<i32> = featured.iter().map(|r| r.id).collect();
        let mut sections = Vec::new();
        for kind in EntryKind::ARCHIVED {
            let mut rows = store
                .latest_public(
                    &EntryQuery {
                        kind: Some(kind.as_str().to_owned()),
                        ..base.clone()
                    },
                    HOME_PER_KIND + HOME_FEATURED,
                )
                .await?;
            rows.retain(|r| !featured_ids.contains(&r.id));
            rows.truncate(HOME_PER_KIND as usize);
            if !rows.is_empty() {
                sections.push(Section {
                    kind: kind.as_str(),
                    title: self.strings.get(&format!("kinds.{}", kind.as_str())),
                    archive_url: self.url(&self.paths().archive(self.locale, kind)),
                    entries: rows.iter().map(|r| self.card(r)).collect(),
                });
            }
        }
        let from_network = if self.site.children.is_empty() {
            Vec::new()
        } else {
            store
                .latest_public(
                    &EntryQuery {
                        site_ids: self.site.children.clone(),
                        locale: Some(self.locale.as_str().to_owned()),
                        featured_on_parent: Some(true),
                        ..Default::default()
                    },
                    HOME_FROM_NETWORK,
                )
                .await?
        };
        let path = self.paths().home(self.locale);
        let mut meta = self.meta(
            self.site.name(self.locale).to_owned(),
            self.site.tagline(self.locale).to_owned(),
            &path,
        );
        let mut urls = HashMap::new();
        for l in self.site.locales() {
            let home = self.paths().home(l);
            meta.alternates.push(Alternate {
                lang: l.as_str(),
                url: self.absolute(&home),
            });
            urls.insert(l, self.url(&home));
        }
        let featured: Vec<Card> = featured.iter().map(|r| self.card(r)).collect();
        let from_network: Vec<Card> = from_network.iter().map(|r| self.card(r)).collect();
        self.render("home.html", 200, meta, "home", urls, |c| {
            c.insert("featured", &featured);
            c.insert("sections", &sections);
            c.insert("from_network", &from_network);
        })
        .await
    }

    fn page_number(&self, query: &PageQuery) -> Option<u64> {
        match query.page.as_deref() {
            None => Some(1),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|&n| (1..=100_000).contains(&n)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn archive(
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
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn list_page(
        &self,
        result: tawasul_store::Page<EntrySummary>,
        page: u64,
        title: String,
        description: Option<String>,
        kind: Option<EntryKind>,
        path_of: impl Fn(Locale) -> String,
        active: &str,
        extra_query: Option<String>,
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
            entries: result.items.iter().map(|r| self.card(r)).collect(),
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

    async fn entry(
        &self,
        id: i32,
        kind: EntryKind,
        slug: Option<&str>,
    ) -> Result<(PublicResponse, Vec<i32>), AppError> {
        let store = self.app.store();
        let Some(row) = store.entry(id).await? else {
            return Ok((self.not_found().await?, Vec::new()));
        };
        let status: Option<EntryStatus> = row.status.parse().ok();
        let visible = row.site_id == self.site.id
            && status.is_some_and(EntryStatus::is_public)
            && row
                .published_at
                .is_some_and(|at| at <= OffsetDateTime::now_utc());
        if !visible {
            return Ok((self.not_found().await?, Vec::new()));
        }
        let real_kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
        let path = Paths::entry(real_kind, row.id, &row.slug);
        if real_kind != kind || slug.unwrap_or("") != row.slug {
            let location = self.url(&path);
            return Ok((PublicResponse::Redirect { location }, Vec::new()));
        }
        let locale: Locale = row.locale.parse().unwrap_or(self.site.default_locale);
        if locale != self.locale {
            let page = Page::new(self.app, self.network, self.site, self.origin, locale);
            return Box::pin(page.entry_page(row, path)).await;
        }
        self.entry_page(row, path).await
    }

    /// The page of a visible entry, and the ids of the translations it links.
    async fn entry_page(
        &self,
        row: EntryRow,
        path: String,
    ) -> Result<(PublicResponse, Vec<i32>), AppError> {
        let store = self.app.store();
        let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
        let tags = store.tags_of_entry(row.id).await?;
        let programme_ids = store.programme_ids_of(row.id).await?;
        let translations = store.translations(&row).await?;
        let card = self.card(&EntrySummary::from(&row));

        let fields: Option<EntryFields> = serde_json::from_value(row.fields.clone()).ok();
        let (mut training, mut event, mut announcement) = (None, None, None);
        match fields {
            Some(EntryFields::TrainingReport(r)) => {
                training = Some(TrainingView {
                    starts_on_human: format_date(&self.strings, r.starts_on),
                    ends_on_human: format_date(&self.strings, r.ends_on),
                    venue: r.venue,
                    audience: r.audience,
                    head_count: r.head_count,
                    facilitators: r.facilitators,
                    workshops: r.workshops,
                    recommendations: r.recommendations,
                })
            }
            Some(EntryFields::Event(e)) => {
                event = Some(EventView {
                    starts_human: self.human_datetime(e.starts_at),
                    ends_human: e.ends_at.map(|at| self.human_datetime(at)),
                    venue: e.venue,
                })
            }
            Some(EntryFields::Announcement(a)) => {
                announcement = Some(AnnouncementView {
                    deadline_human: a.deadline.map(|d| format_date(&self.strings, d)),
                    reference: a.reference,
                })
            }
            _ => {}
        }

        let mut urls = HashMap::new();
        let mut translation_links = Vec::new();
        let mut alternates = vec![Alternate {
            lang: self.locale.as_str(),
            url: self.absolute(&path),
        }];
        for t in &translations {
            let Ok(l) = t.locale.parse::<Locale>() else {
                continue;
            };
            let t_kind = t.kind.parse().unwrap_or(kind);
            let t_path = Paths::entry(t_kind, t.id, &t.slug);
            urls.insert(l, self.url(&t_path));
            alternates.push(Alternate {
                lang: l.as_str(),
                url: self.absolute(&t_path),
            });
            translation_links.push(LocaleLink {
                lang: l.as_str(),
                label: self.strings.get(&format!("locale_name.{}", l.as_str())),
                url: self.url(&t_path),
                current: false,
            });
        }
        urls.insert(self.locale, self.url(&path));
        if translations.is_empty() {
            alternates.clear();
        }

        let mut meta = self.meta(row.title.clone(), row.summary.clone(), &path);
        meta.og_type = "article";
        meta.og_image = row
            .cover_url
            .as_ref()
            .map(|u| format!("{}{u}", self.origin.base()));
        meta.alternates = alternates;
        let mut crumbs = vec![self.home_crumb()];
        if kind.has_archive() {
            crumbs.push(Crumb {
                label: self.strings.get(&format!("kinds.{}", kind.as_str())),
                url: Some(self.url(&self.paths().archive(self.locale, kind))),
            });
        }
        crumbs.push(Crumb {
            label: row.title.clone(),
            url: None,
        });
        meta.breadcrumbs = crumbs;

        let view = EntryView {
            html: row.body_html.clone(),
            updated_human: self.human_date(row.updated_at),
            tags: tags
                .iter()
                .map(|t| Link {
                    name: t.name.clone(),
                    url: self.url(&self.paths().tag(self.locale, &t.slug)),
                })
                .collect(),
            programmes: self
                .network
                .programmes
                .iter()
                .filter(|p| programme_ids.contains(&p.id))
                .map(|p| Link {
                    name: localized(self.locale, &p.name_ar, &p.name_fr).to_owned(),
                    url: self.url(&self.paths().programme(self.locale, &p.slug)),
                })
                .collect(),
            translations: translation_links,
            training,
            event,
            announcement,
            card,
        };
        let active = if kind == EntryKind::Page {
            self.url(&path)
        } else {
            kind.path_segment().to_owned()
        };
        let translation_ids = translations.iter().map(|t| t.id).collect();
        let response = self
            .render("entry.html", 200, meta, &active, urls, |c| {
                c.insert("entry", &view)
            })
            .await?;
        Ok((response, translation_ids))
    }

    async fn search(&self, query: &PageQuery, page: u64) -> Result<PublicResponse, AppError> {
        let raw = query.q.as_deref().unwrap_or("").trim();
        let words: Vec<String> = raw
            .split_whitespace()
            .take(MAX_SEARCH_WORDS)
            .map(|w| w.chars().take(50).collect())
            .collect();
        let per_page = self.app.config.site.per_page;
        let result = if words.is_empty() {
            tawasul_store::Page {
                items: Vec::new(),
                total: 0,
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
            format!(
                "q={}",
                routes::encode_segment(raw)
                    .replace('&', "%26")
                    .replace('+', "%2B")
            )
        });
        let paths = self.paths();
        self.list_page(
            result,
            page,
            title,
            None,
            None,
            |l| paths.search(l),
            "search",
            q_param,
        )
        .await
    }
}

impl App {
    /// Renders a public page of a site: `segments` are the decoded path
    /// segments below the site's root. Also says what kind of page it is,
    /// for the cache (`None`: never cached).
    pub(super) async fn render_site_page(
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
            let page = Page::new(self, &network, site, origin, site.default_locale);
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

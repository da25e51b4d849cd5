//! Assembling public pages: queries, views, template, status. One file
//! per kind of page; what they share is here.

mod circular;
mod entry;
mod home;
mod lists;
mod newsletter;
mod search;
mod site;

use std::collections::HashMap;

use std::sync::Arc;

use tawasul_domain::menu::MenuTarget;
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
use crate::media::{srcset, PictureData};
use crate::network::{localized, Network, Site};
use crate::{App, AppError};

pub use circular::CircularPage;
pub use newsletter::NewsletterPage;

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
    /// Search filters: an entry kind, and `newest` for the newest first.
    pub kind: Option<String>,
    pub order: Option<String>,
    /// Search filters: a programme's slug, a category's slug, a site below
    /// this one (on an academy), and publication dates (`YYYY-MM-DD`,
    /// both days included).
    pub programme: Option<String>,
    pub category: Option<String>,
    pub site: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// An old site's way of naming an item on its home page (`?p=12`,
    /// `?page_id=3`): looked up among the site's redirects.
    pub legacy: Option<String>,
}

const HOME_FEATURED: u64 = 3;
const HOME_PER_KIND: u64 = 4;
const HOME_FROM_NETWORK: u64 = 6;
const MAX_SEARCH_WORDS: usize = 8;

/// An entry's cover as a card or its page shows it: a library cover with
/// its renditions, or an imported one by its URL.
fn cover_view(row: &EntrySummary) -> Option<Cover> {
    let url = row.cover_url.clone()?;
    let picture: Option<PictureData> = row
        .cover_image
        .clone()
        .and_then(|json| serde_json::from_value(json).ok());
    Some(match picture {
        Some(picture) => Cover {
            url,
            alt: row.cover_alt.clone(),
            webp_srcset: srcset(&picture.webp),
            jpeg_srcset: srcset(&picture.jpeg),
            width: Some(picture.width),
            height: Some(picture.height),
            caption: picture.caption,
            credit: picture.credit,
        },
        None => Cover {
            url,
            alt: row.cover_alt.clone(),
            webp_srcset: String::new(),
            jpeg_srcset: String::new(),
            width: None,
            height: None,
            caption: String::new(),
            credit: String::new(),
        },
    })
}

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

    pub(super) fn human_datetime(&self, at: OffsetDateTime) -> String {
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
            // Whole seconds: HTML's `<time datetime>` takes at most
            // milliseconds, and entries published from the admin carry
            // nanoseconds.
            published_at: row
                .published_at
                .and_then(|at| at.replace_nanosecond(0).ok())
                .and_then(|at| at.format(&Rfc3339).ok())
                .unwrap_or_default(),
            published_human: row
                .published_at
                .map(|at| self.human_date(at))
                .unwrap_or_default(),
            cover: cover_view(row),
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
            snippet: None,
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
                map_url: contact.map_url.clone(),
            },
            social: self.site.social.clone(),
            footer_links: self
                .site
                .footer_links
                .iter()
                .map(|l| Link {
                    name: localized(self.locale, &l.label_ar, &l.label_fr).to_owned(),
                    url: l.url.clone(),
                })
                .collect(),
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
            children: Vec::new(),
        }];
        for node in self.site.menu(self.locale).nodes {
            // An item whose page is not published (or category gone) is
            // left out, and so are the items under it only when it had none
            // to lead to: they move up.
            let children: Vec<NavItem> = node
                .children
                .iter()
                .filter_map(|c| self.nav_item(&c.target, active))
                .collect();
            match self.nav_item(&node.item.target, active) {
                Some(mut item) => {
                    item.children = children;
                    nav.push(item);
                }
                None => nav.extend(children),
            }
        }
        nav
    }

    /// A menu item as the theme shows it; none when it leads nowhere now.
    fn nav_item(&self, target: &MenuTarget, active: &str) -> Option<NavItem> {
        let paths = self.paths();
        let (label, url, is_active) = match target {
            MenuTarget::Archive { kind } => (
                self.strings.get(&format!("kinds.{}", kind.as_str())),
                self.url(&paths.archive(self.locale, *kind)),
                active == kind.path_segment(),
            ),
            MenuTarget::Page { entry_id } => {
                let page = self.site.menu_page(*entry_id)?;
                let url = self.url(&Paths::entry(EntryKind::Page, page.id, &page.slug));
                (page.title.clone(), url.clone(), active == url)
            }
            MenuTarget::Category { category_id } => {
                let category = self.site.category(*category_id)?;
                let url = self.url(&paths.category(self.locale, &category.slug));
                (
                    localized(self.locale, &category.name_ar, &category.name_fr).to_owned(),
                    url.clone(),
                    active == url,
                )
            }
            MenuTarget::Link { label, url } => (label.clone(), url.clone(), false),
        };
        Some(NavItem {
            label,
            url,
            active: is_active,
            children: Vec::new(),
        })
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
            og_image_width: None,
            og_image_height: None,
            og_image_alt: None,
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
        let body = self.render_body(template, meta, active, locale_urls, extra)?;
        Ok(PublicResponse::Html { status, body })
    }

    /// The HTML of a template with everything every page receives.
    fn render_body(
        &self,
        template: &str,
        meta: PageMeta,
        active: &str,
        locale_urls: HashMap<Locale, String>,
        extra: impl FnOnce(&mut Context),
    ) -> Result<String, AppError> {
        let theme = &self.site.theme;
        let mut context = page_context(self.app, theme, self.locale, &self.strings);
        context.insert("site", &self.site_view());
        context.insert("nav", &self.nav(active));
        context.insert("locales", &self.locale_links(&locale_urls));
        context.insert("page", &meta);
        extra(&mut context);
        Ok(self
            .app
            .with_renderer(|r| r.render(Some(&self.site.slug), theme, template, &context))?)
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
        let body = self.render_body("404.html", meta, "", HashMap::new(), |_| {})?;
        let page = Arc::new(CachedPage::new(404, HTML, body));
        let deps = page_deps(self.site.id, &PageKind::Plain);
        self.app
            .pages
            .insert(generation, &origin, key, Arc::clone(&page), deps);
        Ok(PublicResponse::Cached(page))
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
}

//! The network as held in memory: every site with its hosts, parent,
//! children, categories, plus the programmes. A few hundred rows, read on
//! every public request, changed rarely: loaded whole and swapped whole.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tawasul_domain::menu::{Menu, MenuItem, MenuNode, MenuTarget};
use tawasul_domain::{EntryKind, Locale, SiteKind};
use tawasul_store::{CategoryRow, NetworkRows, ProgrammeRow};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address_ar: Option<String>,
    pub address_fr: Option<String>,
    /// A link to the site's place on a map.
    pub map_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialLink {
    pub network: String,
    pub url: String,
}

pub use tawasul_domain::site_settings::{FooterLink, SOCIAL_NETWORKS};

/// What the `sites.settings` column holds besides the named columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtraSettings {
    /// The library image the logo was made from, for the settings' picker.
    pub logo_media_id: Option<i32>,
    pub footer_links: Vec<FooterLink>,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub id: i32,
    pub slug: String,
    pub kind: SiteKind,
    pub parent_id: Option<i32>,
    pub name_ar: String,
    pub name_fr: String,
    pub tagline_ar: String,
    pub tagline_fr: String,
    pub default_locale: Locale,
    pub theme: String,
    pub logo_url: Option<String>,
    pub logo_media_id: Option<i32>,
    pub contact: Contact,
    pub social: Vec<SocialLink>,
    pub footer_links: Vec<FooterLink>,
    pub hosts: Vec<String>,
    pub children: Vec<i32>,
    pub categories: Vec<CategoryRow>,
    /// The menus' items, by language and order (see [`Site::menu`]).
    pub menu: Vec<MenuEntry>,
    /// The published pages the menus lead to.
    pub menu_pages: Vec<MenuPage>,
}

/// A stored menu item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub id: i32,
    pub locale: String,
    pub parent_id: Option<i32>,
    pub target: MenuTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuPage {
    pub id: i32,
    pub locale: String,
    pub slug: String,
    pub title: String,
}

impl Site {
    /// The site's name in a locale (French stands in for English).
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ar => &self.name_ar,
            Locale::Fr | Locale::En => &self.name_fr,
        }
    }

    pub fn tagline(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ar => &self.tagline_ar,
            Locale::Fr | Locale::En => &self.tagline_fr,
        }
    }

    /// The languages a site publishes in, its default first.
    pub fn locales(&self) -> [Locale; 2] {
        match self.default_locale {
            Locale::Ar => [Locale::Ar, Locale::Fr],
            Locale::Fr | Locale::En => [Locale::Fr, Locale::Ar],
        }
    }

    /// The menu in a language, as a tree.
    pub fn menu(&self, locale: Locale) -> Menu {
        let mut menu = Menu::default();
        let items = self.menu.iter().filter(|m| m.locale == locale.as_str());
        for entry in items.clone().filter(|m| m.parent_id.is_none()) {
            menu.nodes.push(MenuNode {
                item: MenuItem {
                    id: entry.id,
                    target: entry.target.clone(),
                },
                children: items
                    .clone()
                    .filter(|c| c.parent_id == Some(entry.id))
                    .map(|c| MenuItem {
                        id: c.id,
                        target: c.target.clone(),
                    })
                    .collect(),
            });
        }
        menu
    }

    /// Whether a page is in one of the site's menus.
    pub fn menu_has_page(&self, entry_id: i32) -> bool {
        self.menu
            .iter()
            .any(|m| m.target == MenuTarget::Page { entry_id })
    }

    pub fn menu_page(&self, entry_id: i32) -> Option<&MenuPage> {
        self.menu_pages.iter().find(|p| p.id == entry_id)
    }

    pub fn category(&self, id: i32) -> Option<&CategoryRow> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn category_by_slug(&self, slug: &str) -> Option<&CategoryRow> {
        self.categories.iter().find(|c| c.slug == slug)
    }
}

pub fn localized<'a>(locale: Locale, ar: &'a str, fr: &'a str) -> &'a str {
    match locale {
        Locale::Ar => ar,
        Locale::Fr | Locale::En => fr,
    }
}

#[derive(Debug, Clone, Default)]
pub struct Network {
    sites: Vec<Site>,
    by_id: HashMap<i32, usize>,
    by_slug: HashMap<String, usize>,
    by_host: HashMap<String, usize>,
    pub programmes: Vec<ProgrammeRow>,
}

impl Network {
    /// Builds the snapshot. Rows that do not parse (a kind or locale written
    /// by hand in the database) are skipped with a warning rather than
    /// taking every site down.
    pub fn from_rows(rows: NetworkRows) -> Network {
        let mut sites = Vec::with_capacity(rows.sites.len());
        for row in rows.sites {
            let (Ok(kind), Ok(default_locale)) = (row.kind.parse(), row.default_locale.parse())
            else {
                tracing::warn!(site = %row.slug, kind = %row.kind, locale = %row.default_locale, "site skipped: unknown kind or locale");
                continue;
            };
            let contact = serde_json::from_value(row.contact.clone()).unwrap_or_default();
            let social = serde_json::from_value(row.social.clone()).unwrap_or_default();
            let extra: ExtraSettings =
                serde_json::from_value(row.settings.clone()).unwrap_or_default();
            sites.push(Site {
                id: row.id,
                slug: row.slug,
                kind,
                parent_id: row.parent_id,
                name_ar: row.name_ar,
                name_fr: row.name_fr,
                tagline_ar: row.tagline_ar,
                tagline_fr: row.tagline_fr,
                default_locale,
                theme: row.theme,
                logo_url: row.logo_url,
                logo_media_id: extra.logo_media_id,
                contact,
                social,
                footer_links: extra.footer_links,
                hosts: Vec::new(),
                children: Vec::new(),
                categories: Vec::new(),
                menu: Vec::new(),
                menu_pages: Vec::new(),
            });
        }
        let by_id: HashMap<i32, usize> = sites.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut by_host = HashMap::new();
        for host in rows.hosts {
            if let Some(&i) = by_id.get(&host.site_id) {
                sites[i].hosts.push(host.host.clone());
                by_host.insert(host.host.to_ascii_lowercase(), i);
            }
        }
        for category in rows.categories {
            if let Some(&i) = by_id.get(&category.site_id) {
                sites[i].categories.push(category);
            }
        }
        for item in rows.menu_items {
            let Some(&i) = by_id.get(&item.site_id) else {
                continue;
            };
            let target = match item.kind.as_str() {
                "page" => item.entry_id.map(|entry_id| MenuTarget::Page { entry_id }),
                "archive" => item
                    .archive_kind
                    .as_deref()
                    .and_then(|k| k.parse::<EntryKind>().ok())
                    .map(|kind| MenuTarget::Archive { kind }),
                "category" => item
                    .category_id
                    .map(|category_id| MenuTarget::Category { category_id }),
                "link" => Some(MenuTarget::Link {
                    label: item.label,
                    url: item.url,
                }),
                _ => None,
            };
            match target {
                Some(target) => sites[i].menu.push(MenuEntry {
                    id: item.id,
                    locale: item.locale,
                    parent_id: item.parent_id,
                    target,
                }),
                None => {
                    tracing::warn!(item = item.id, kind = %item.kind, "menu item skipped: unknown kind");
                }
            }
        }
        for page in rows.menu_pages {
            if let Some(&i) = by_id.get(&page.site_id) {
                sites[i].menu_pages.push(MenuPage {
                    id: page.id,
                    locale: page.locale,
                    slug: page.slug,
                    title: page.title,
                });
            }
        }
        let links: Vec<(usize, i32)> = sites
            .iter()
            .filter_map(|s| {
                s.parent_id
                    .and_then(|p| by_id.get(&p))
                    .map(|&pi| (pi, s.id))
            })
            .collect();
        for (parent_index, child_id) in links {
            sites[parent_index].children.push(child_id);
        }
        let by_slug = sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.slug.clone(), i))
            .collect();
        Network {
            sites,
            by_id,
            by_slug,
            by_host,
            programmes: rows.programmes,
        }
    }

    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    pub fn site(&self, id: i32) -> Option<&Site> {
        self.by_id.get(&id).map(|&i| &self.sites[i])
    }

    pub fn site_by_slug(&self, slug: &str) -> Option<&Site> {
        self.by_slug.get(slug).map(|&i| &self.sites[i])
    }

    /// The site answering to a Host header value (port and case ignored).
    pub fn site_by_host(&self, host: &str) -> Option<&Site> {
        let name = host_without_port(host).to_ascii_lowercase();
        self.by_host.get(&name).map(|&i| &self.sites[i])
    }

    /// The site and its ancestors, nearest first: whose roles reach it, and
    /// which regions it belongs to. A cycle in hand-edited data ends the walk.
    pub fn lineage(&self, site_id: i32) -> Vec<&Site> {
        let mut out: Vec<&Site> = Vec::new();
        let mut current = self.site(site_id);
        while let Some(site) = current {
            if out.iter().any(|s| s.id == site.id) {
                break;
            }
            out.push(site);
            current = self.parent(site);
        }
        out
    }

    pub fn parent(&self, site: &Site) -> Option<&Site> {
        site.parent_id.and_then(|id| self.site(id))
    }

    pub fn children<'a>(&'a self, site: &'a Site) -> impl Iterator<Item = &'a Site> + 'a {
        site.children.iter().filter_map(|&id| self.site(id))
    }

    pub fn programme_by_slug(&self, slug: &str) -> Option<&ProgrammeRow> {
        self.programmes.iter().find(|p| p.slug == slug)
    }
}

/// `example.org:8080` → `example.org`; `[::1]:8080` → `[::1]`.
pub fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()]);
    }
    host.split_once(':').map_or(host, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tawasul_store::{SiteHostRow, SiteRow};
    use time::OffsetDateTime;

    fn site_row(id: i32, slug: &str, kind: &str, parent: Option<i32>) -> SiteRow {
        SiteRow {
            id,
            slug: slug.into(),
            kind: kind.into(),
            parent_id: parent,
            name_ar: format!("ar {slug}"),
            name_fr: format!("fr {slug}"),
            tagline_ar: String::new(),
            tagline_fr: String::new(),
            default_locale: "ar".into(),
            theme: "default".into(),
            logo_url: None,
            contact: json!({"email": "contact@x.example"}),
            social: json!([]),
            settings: json!({}),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn sites_are_found_by_slug_and_by_host_without_port() {
        let network = Network::from_rows(NetworkRows {
            sites: vec![
                site_row(1, "aref-rsk", "academy", None),
                site_row(2, "dp-rabat", "directorate", Some(1)),
                site_row(3, "broken", "galaxy", None),
            ],
            hosts: vec![SiteHostRow {
                id: 1,
                site_id: 2,
                host: "Rabat.Tawasul.localhost".into(),
                position: 0,
            }],
            ..Default::default()
        });
        assert_eq!(
            network.sites().len(),
            2,
            "a site with an unknown kind is skipped"
        );
        let rabat = network
            .site_by_host("rabat.tawasul.localhost:8080")
            .expect("by host");
        assert_eq!(rabat.slug, "dp-rabat");
        assert_eq!(
            network.parent(rabat).map(|p| p.slug.as_str()),
            Some("aref-rsk")
        );
        let academy = network.site_by_slug("aref-rsk").expect("by slug");
        assert_eq!(network.children(academy).count(), 1);
        assert_eq!(academy.contact.email.as_deref(), Some("contact@x.example"));
        assert!(network.site_by_host("unknown.example").is_none());
    }

    #[test]
    fn ports_are_stripped_from_hosts() {
        for (host, bare) in [
            ("example.org", "example.org"),
            ("example.org:8080", "example.org"),
            ("[::1]:8080", "[::1]"),
            ("[::1]", "[::1]"),
        ] {
            assert_eq!(host_without_port(host), bare);
        }
    }
}

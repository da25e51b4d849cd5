//! Creating sites from the command line (and, later, the admin UI).

use serde_json::json;
use tawasul_domain::{Locale, SiteKind, SiteSlug};
use tawasul_store::NewSite;

use crate::cache::deps::site_change_deps;
use crate::import::network_file::valid_host;
use crate::{App, AppError};

#[derive(Debug, Clone)]
pub struct NewSiteInput {
    pub slug: String,
    pub kind: String,
    pub parent: Option<String>,
    pub name_ar: String,
    pub name_fr: String,
    pub hosts: Vec<String>,
    pub theme: String,
    pub default_locale: String,
}

impl App {
    /// Creates a site, or updates the one with this slug. Returns its id.
    pub async fn add_site(&self, input: NewSiteInput) -> Result<i32, AppError> {
        let slug = SiteSlug::parse(&input.slug)?;
        let kind: SiteKind = input.kind.parse()?;
        let locale: Locale = input.default_locale.parse()?;
        let network = self.network();
        let parent = match &input.parent {
            Some(p) => Some(
                network
                    .site_by_slug(p)
                    .ok_or_else(|| AppError::NotFound(format!("parent site `{p}`")))?,
            ),
            None => None,
        };
        if !kind.accepts_parent(parent.map(|p| p.kind)) {
            return Err(AppError::Conflict(match parent {
                Some(p) => format!("a {kind} cannot belong to a {} (`{}`)", p.kind, p.slug),
                None => format!("a {kind} must belong to a parent site: add --parent"),
            }));
        }
        if input.name_ar.trim().is_empty() || input.name_fr.trim().is_empty() {
            return Err(tawasul_domain::DomainError::field(
                "name",
                "give the site's name in Arabic and French",
            )
            .into());
        }
        if !self.with_renderer(|r| r.has_theme(&input.theme)) {
            return Err(AppError::NotFound(format!("theme `{}`", input.theme)));
        }
        for host in &input.hosts {
            if !valid_host(host) {
                return Err(tawasul_domain::DomainError::field(
                    "host",
                    format!("`{host}` is not a host name (lower-case, no port, no scheme)"),
                )
                .into());
            }
        }
        let existing = network.site_by_slug(slug.as_str());
        let id = self
            .store()
            .upsert_site(NewSite {
                slug: slug.to_string(),
                kind: kind.to_string(),
                parent_id: parent.map(|p| p.id),
                name_ar: input.name_ar.trim().to_owned(),
                name_fr: input.name_fr.trim().to_owned(),
                tagline_ar: existing.map(|s| s.tagline_ar.clone()).unwrap_or_default(),
                tagline_fr: existing.map(|s| s.tagline_fr.clone()).unwrap_or_default(),
                default_locale: locale.to_string(),
                theme: input.theme,
                logo_url: existing.and_then(|s| s.logo_url.clone()),
                contact: existing
                    .and_then(|s| serde_json::to_value(&s.contact).ok())
                    .unwrap_or_else(|| json!({})),
                social: existing
                    .and_then(|s| serde_json::to_value(&s.social).ok())
                    .unwrap_or_else(|| json!([])),
            })
            .await?;
        drop(network);
        self.store().replace_site_hosts(id, &input.hosts).await?;
        self.refresh_network().await?;
        let network = self.network();
        let (parent, children) = network
            .site(id)
            .map(|s| (s.parent_id, s.children.clone()))
            .unwrap_or_default();
        self.publish_change(site_change_deps(id, parent, &children))
            .await?;
        Ok(id)
    }
}

//! Creating sites from the command line (and, later, the admin UI).

use serde_json::json;
use tawasul_domain::{Locale, Operation, SiteKind, SiteSlug};
use tawasul_store::NewSite;

use crate::access::Viewer;
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
    /// A platform admin creates a new site (a slug already taken is a
    /// conflict, not an update), and the audit log records who. The site
    /// exists once this returns, even if the record could not be written:
    /// that failure is logged rather than answered, since refusing would
    /// say the site was not made.
    pub async fn create_site(&self, viewer: &Viewer, input: NewSiteInput) -> Result<i32, AppError> {
        if !viewer.may(&self.network(), 0, Operation::ManageSites) {
            return Err(AppError::Forbidden(
                "only platform administrators create sites".into(),
            ));
        }
        if self.network().site_by_slug(input.slug.trim()).is_some() {
            return Err(AppError::Conflict(format!(
                "a site `{}` exists already",
                input.slug.trim()
            )));
        }
        let slug = input.slug.trim().to_owned();
        let id = self.add_site(input).await?;
        if let Err(e) = self
            .store()
            .audit(Some(viewer.user.id), "site_create", Some(id), &slug, "")
            .await
        {
            tracing::error!(site = %slug, error = %e, "a created site is missing from the audit log");
        }
        Ok(id)
    }

    /// A platform admin changes a site's names, hosts, theme or language;
    /// the audit log records who, as for [`App::create_site`].
    pub async fn update_site(&self, viewer: &Viewer, input: NewSiteInput) -> Result<i32, AppError> {
        if !viewer.may(&self.network(), 0, Operation::ManageSites) {
            return Err(AppError::Forbidden(
                "only platform administrators manage sites".into(),
            ));
        }
        let slug = input.slug.trim().to_owned();
        if self.network().site_by_slug(&slug).is_none() {
            return Err(AppError::NotFound(format!("site `{slug}`")));
        }
        let id = self.add_site(input).await?;
        if let Err(e) = self
            .store()
            .audit(Some(viewer.user.id), "site_update", Some(id), &slug, "")
            .await
        {
            tracing::error!(site = %slug, error = %e, "a site's change is missing from the audit log");
        }
        Ok(id)
    }

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
        self.store()
            .ensure_default_menu(id, &crate::menus::default_archives())
            .await?;
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

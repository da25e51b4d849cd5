//! A site's own settings, changed by its administrators (and platform
//! admins): names, logo from the library, contact, social and footer links,
//! default language, theme. A change goes through the change log like any
//! network change, so every node reloads the sites and drops the pages
//! that show the site's chrome within a second.

use serde_json::{json, Map, Value};
use tawasul_domain::site_settings::{
    ContactSettings, SettingsContext, SiteSettings, SocialLinkSettings,
};
use tawasul_domain::{AuditAction, Operation};
use tawasul_store::SiteSettingsUpdate;

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::cache::deps::site_change_deps;
use crate::media::MediaItem;
use crate::network::{Contact, Site, SocialLink};
use crate::{App, AppError};

/// The width a logo is shown at, at most, on a sharp screen.
const LOGO_WIDTH: i32 = 480;

/// A site's settings as they stand, with what the screens show beside them.
#[derive(Debug, Clone)]
pub struct SettingsState {
    pub site_id: i32,
    pub slug: String,
    pub settings: SiteSettings,
    pub logo_url: Option<String>,
    pub themes: Vec<String>,
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn present(value: &str) -> Option<String> {
    Some(value.to_owned()).filter(|v| !v.is_empty())
}

/// The settings a site has now, in the shape a person edits.
pub fn settings_of(site: &Site) -> SiteSettings {
    SiteSettings {
        name_ar: site.name_ar.clone(),
        name_fr: site.name_fr.clone(),
        tagline_ar: site.tagline_ar.clone(),
        tagline_fr: site.tagline_fr.clone(),
        logo_media_id: site.logo_media_id,
        no_logo: site.logo_url.is_none(),
        contact: ContactSettings {
            address_ar: text(&site.contact.address_ar),
            address_fr: text(&site.contact.address_fr),
            phone: text(&site.contact.phone),
            email: text(&site.contact.email),
            map_url: text(&site.contact.map_url),
        },
        social: site
            .social
            .iter()
            .map(|l| SocialLinkSettings {
                network: l.network.clone(),
                url: l.url.clone(),
            })
            .collect(),
        footer_links: site.footer_links.clone(),
        default_locale: site.default_locale.as_str().to_owned(),
        theme: site.theme.clone(),
    }
}

/// The address a logo is served from: a WebP rendition about as wide as a
/// header shows it (it keeps a PNG's transparency), else the item's own.
fn logo_url(item: &MediaItem) -> String {
    let mut webp: Vec<_> = item
        .renditions
        .iter()
        .filter(|r| r.purpose == "width" && r.format == "webp")
        .collect();
    webp.sort_by_key(|r| r.width);
    webp.iter()
        .find(|r| r.width >= LOGO_WIDTH)
        .or(webp.last())
        .map_or_else(|| item.url.clone(), |r| r.url.clone())
}

impl App {
    fn settings_site(&self, viewer: &Viewer, slug: &str) -> Result<Site, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
        if !viewer.may(&network, site.id, Operation::ManageSiteSettings) {
            return Err(AppError::Forbidden(format!(
                "only the administrators of {} change its settings",
                site.slug
            )));
        }
        Ok(site.clone())
    }

    /// The themes a site may choose among.
    pub fn theme_names(&self) -> Vec<String> {
        self.with_renderer(|r| r.theme_names().map(str::to_owned).collect())
    }

    /// A site's settings, for those who may change them.
    pub fn site_settings(&self, viewer: &Viewer, slug: &str) -> Result<SettingsState, AppError> {
        let site = self.settings_site(viewer, slug)?;
        Ok(SettingsState {
            site_id: site.id,
            slug: site.slug.clone(),
            settings: settings_of(&site),
            logo_url: site.logo_url.clone(),
            themes: self.theme_names(),
        })
    }

    /// Checks and saves a site's settings; every node shows them within a
    /// second, and the audit log names who changed which parts. A refusal
    /// names each wrong field ([`AppError::Invalid`]) and changes nothing.
    pub async fn update_site_settings(
        &self,
        viewer: &Viewer,
        slug: &str,
        input: SiteSettings,
    ) -> Result<(), AppError> {
        let site = self.settings_site(viewer, slug)?;
        let input = input.normalized();
        let logo = match input.logo_media_id {
            Some(id) => match self.store().media(id).await? {
                Some(row) if row.site_id == site.id && row.kind == "image" => {
                    Some(self.media_item_of(&row, &site.slug).await?)
                }
                _ => None,
            },
            None => None,
        };
        let themes = self.theme_names();
        let errors = input.validate(SettingsContext {
            themes: &themes,
            logo_in_library: input.logo_media_id.is_none() || logo.is_some(),
        });
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let before = settings_of(&site);
        let changed = changed_parts(&before, &input);
        if changed.is_empty() {
            return Ok(());
        }
        let logo_url = match (&logo, input.no_logo) {
            (_, true) => None,
            (Some(item), false) if input.logo_media_id != before.logo_media_id => {
                Some(logo_url(item))
            }
            // The same logo, or none chosen, keeps its address (one the
            // network file gave, too).
            _ => site.logo_url.clone(),
        };
        let contact = Contact {
            email: present(&input.contact.email),
            phone: present(&input.contact.phone),
            address_ar: present(&input.contact.address_ar),
            address_fr: present(&input.contact.address_fr),
            map_url: present(&input.contact.map_url),
        };
        let social: Vec<SocialLink> = input
            .social
            .iter()
            .map(|l| SocialLink {
                network: l.network.clone(),
                url: l.url.clone(),
            })
            .collect();
        let mut settings = Map::new();
        settings.insert("logo_media_id".into(), json!(input.logo_media_id));
        settings.insert(
            "footer_links".into(),
            serde_json::to_value(&input.footer_links).unwrap_or_else(|_| json!([])),
        );
        self.store()
            .update_site_settings(
                site.id,
                SiteSettingsUpdate {
                    name_ar: input.name_ar.clone(),
                    name_fr: input.name_fr.clone(),
                    tagline_ar: input.tagline_ar.clone(),
                    tagline_fr: input.tagline_fr.clone(),
                    default_locale: input.default_locale.clone(),
                    theme: input.theme.clone(),
                    logo_url,
                    contact: serde_json::to_value(&contact).unwrap_or_else(|_| json!({})),
                    social: serde_json::to_value(&social).unwrap_or_else(|_| Value::Array(vec![])),
                    settings,
                },
            )
            .await?;
        self.publish_change(site_change_deps(site.id, site.parent_id, &site.children))
            .await?;
        let detail = changed.join(", ");
        if let Err(e) = self
            .audit(AuditEntry {
                site: Some(site.id),
                target: &site.slug,
                detail: &detail,
                ..AuditEntry::new(AuditAction::SiteSettingsUpdate, Some(viewer.user.id))
            })
            .await
        {
            tracing::error!(site = %site.slug, error = %e, "a change of site settings is missing from the audit log");
        }
        Ok(())
    }
}

/// Which parts of the settings differ, by name, for the audit record.
fn changed_parts(before: &SiteSettings, after: &SiteSettings) -> Vec<&'static str> {
    let mut out = Vec::new();
    if (&before.name_ar, &before.name_fr) != (&after.name_ar, &after.name_fr) {
        out.push("names");
    }
    if (&before.tagline_ar, &before.tagline_fr) != (&after.tagline_ar, &after.tagline_fr) {
        out.push("taglines");
    }
    if (before.logo_media_id, before.no_logo) != (after.logo_media_id, after.no_logo) {
        out.push("logo");
    }
    if before.contact != after.contact {
        out.push("contact");
    }
    if before.social != after.social {
        out.push("social");
    }
    if before.footer_links != after.footer_links {
        out.push("footer_links");
    }
    if before.default_locale != after.default_locale {
        out.push("default_locale");
    }
    if before.theme != after.theme {
        out.push("theme");
    }
    out
}

//! A site's settings screen (its administrators and platform admins):
//! names and taglines, the logo picked among the library's images,
//! contact, social and footer links (added, removed and moved by buttons
//! that keep everything typed), language and theme.
//! Contexts: docs/admin-ui.md, "Site settings".

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};
use tawasul_app::{App, Viewer};
use tawasul_domain::site_settings::{
    ContactSettings, FooterLink, SocialLinkSettings, MAX_FOOTER_LINKS, MAX_SOCIAL_LINKS,
    SOCIAL_NETWORKS,
};
use tawasul_domain::SiteSettings;

use super::{
    csrf_refused, error_page, field_errors, render_view, see_other_with, text, AdminUser, Form, Req,
};

/// How many of the library's latest images the logo picker shows.
const LOGO_CHOICES: usize = 24;
/// Rows a form may carry, to bound the parsing of a forged one.
const MAX_ROWS: usize = 40;

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct SiteRef {
    slug: String,
    name: String,
}

/// One image of the logo picker.
#[derive(Serialize)]
struct LogoTile {
    id: i32,
    thumb_url: String,
    name: String,
    checked: bool,
}

/// `site_settings.html`.
#[derive(Serialize)]
struct SettingsView {
    site: SiteRef,
    action: String,
    /// The values shown: stored, or as typed; one spare row at the end of
    /// each list of links.
    form: SiteSettings,
    errors: Map<String, Value>,
    no_logo: bool,
    /// The logo the site has that is no image of its library (the network
    /// file's), while it is kept.
    current_logo: Option<String>,
    logo_choices: Vec<LogoTile>,
    media_url: String,
    networks: Vec<Choice>,
    locales: Vec<Choice>,
    themes: Vec<Choice>,
    can_add_social: bool,
    can_add_footer: bool,
}

/// Reads the form's fields into settings, rows in the order they came.
fn read_form(form: &Form) -> SiteSettings {
    let value = |name: &str| form.get(name).to_owned();
    let rows = |prefix: &str, field: &str| {
        (0..MAX_ROWS)
            .take_while(|i| {
                form.0
                    .iter()
                    .any(|(k, _)| *k == format!("{prefix}.{i}.{field}"))
            })
            .count()
    };
    let social = (0..rows("social", "url"))
        .map(|i| SocialLinkSettings {
            network: value(&format!("social.{i}.network")),
            url: value(&format!("social.{i}.url")),
        })
        .collect();
    let footer_links = (0..rows("footer_links", "url"))
        .map(|i| FooterLink {
            label_ar: value(&format!("footer_links.{i}.label_ar")),
            label_fr: value(&format!("footer_links.{i}.label_fr")),
            url: value(&format!("footer_links.{i}.url")),
        })
        .collect();
    let logo = form.get("logo_media_id").trim();
    let no_logo = logo == "none";
    SiteSettings {
        name_ar: value("name_ar"),
        name_fr: value("name_fr"),
        tagline_ar: value("tagline_ar"),
        tagline_fr: value("tagline_fr"),
        // Anything but a number is no image of the library, and is refused
        // as such rather than taken as "no logo".
        logo_media_id: match logo {
            "" | "none" | "current" => None,
            number => Some(number.parse().unwrap_or(-1)),
        },
        no_logo,
        contact: ContactSettings {
            address_ar: value("contact.address_ar"),
            address_fr: value("contact.address_fr"),
            phone: value("contact.phone"),
            email: value("contact.email"),
            map_url: value("contact.map_url"),
        },
        social,
        footer_links,
        default_locale: value("default_locale"),
        theme: value("theme"),
    }
}

/// A row button of the form: `social.up.2`, `footer_links.remove.0`,
/// `social.add`. Applies it; false when the operation means nothing.
fn apply_row_op(settings: &mut SiteSettings, op: &str) -> bool {
    let mut parts = op.split('.');
    let (Some(list), Some(verb)) = (parts.next(), parts.next()) else {
        return false;
    };
    let index: Option<usize> = parts.next().and_then(|i| i.parse().ok());
    fn apply<T: Default>(rows: &mut Vec<T>, verb: &str, index: Option<usize>, max: usize) -> bool {
        match (verb, index) {
            ("add", None) if rows.len() < max => {
                rows.push(T::default());
                true
            }
            ("remove", Some(i)) if i < rows.len() => {
                rows.remove(i);
                true
            }
            ("up", Some(i)) if i > 0 && i < rows.len() => {
                rows.swap(i - 1, i);
                true
            }
            ("down", Some(i)) if i + 1 < rows.len() => {
                rows.swap(i, i + 1);
                true
            }
            _ => false,
        }
    }
    match list {
        "social" => apply(&mut settings.social, verb, index, MAX_SOCIAL_LINKS),
        "footer_links" => apply(&mut settings.footer_links, verb, index, MAX_FOOTER_LINKS),
        _ => false,
    }
}

async fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    slug: &str,
    typed: Option<SiteSettings>,
    errors: Map<String, Value>,
    status: StatusCode,
) -> Response {
    let state = match app.site_settings(viewer, slug) {
        Ok(state) => state,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let mut form = typed.unwrap_or_else(|| state.settings.clone());
    let library = match app.media_library(viewer, slug, "", 1).await {
        Ok(found) => found.items,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let mut logo_choices: Vec<LogoTile> = library
        .iter()
        .filter(|item| item.kind == "image")
        .take(LOGO_CHOICES)
        .map(|item| LogoTile {
            id: item.id,
            thumb_url: item
                .thumbnail_url
                .clone()
                .unwrap_or_else(|| item.url.clone()),
            name: item.original_name.clone(),
            checked: form.logo_media_id == Some(item.id),
        })
        .collect();
    // The chosen logo stays on the screen when newer images pushed it out.
    if let Some(id) = form.logo_media_id {
        if !logo_choices.iter().any(|t| t.id == id) {
            if let Ok(item) = app.media_item(viewer, id).await {
                if item.kind == "image" {
                    logo_choices.insert(
                        0,
                        LogoTile {
                            id,
                            thumb_url: item.thumbnail_url.unwrap_or(item.url),
                            name: item.original_name,
                            checked: true,
                        },
                    );
                }
            }
        }
    }
    let can_add_social = form.social.len() < MAX_SOCIAL_LINKS;
    let can_add_footer = form.footer_links.len() < MAX_FOOTER_LINKS;
    if form.social.is_empty() {
        form.social.push(SocialLinkSettings::default());
    }
    if form.footer_links.is_empty() {
        form.footer_links.push(FooterLink::default());
    }
    let network = app.network();
    let name = network
        .site_by_slug(slug)
        .map(|s| s.name(req.lang).to_owned())
        .unwrap_or_default();
    drop(network);
    let view = SettingsView {
        site: SiteRef {
            slug: state.slug.clone(),
            name,
        },
        action: format!("/admin/sites/{}/settings", state.slug),
        no_logo: form.no_logo,
        current_logo: state
            .logo_url
            .clone()
            .filter(|_| state.settings.logo_media_id.is_none()),
        form,
        errors,
        logo_choices,
        media_url: format!("/admin/sites/{}/media", state.slug),
        networks: SOCIAL_NETWORKS
            .iter()
            .map(|n| Choice {
                value: (*n).to_owned(),
                label: text(app, req, &format!("site_settings.networks.{n}")),
            })
            .collect(),
        locales: ["ar", "fr"]
            .iter()
            .map(|l| Choice {
                value: (*l).to_owned(),
                label: text(app, req, &format!("site_settings.locale_{l}")),
            })
            .collect(),
        themes: state
            .themes
            .iter()
            .map(|t| Choice {
                value: t.clone(),
                label: t.clone(),
            })
            .collect(),
        can_add_social,
        can_add_footer,
    };
    let title = text(app, req, "site_settings.heading");
    render_view(
        app,
        req,
        Some(viewer),
        &title,
        "site_settings.html",
        &view,
        status,
    )
}

/// `GET /admin/sites/{site}/settings`
pub async fn show(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    page(&app, &req, &viewer, &site, None, Map::new(), StatusCode::OK).await
}

/// `POST /admin/sites/{site}/settings`: a row button (`_op`) shows the
/// form again with the row added, moved or removed; otherwise saves, or
/// shows the form again with what was typed and each error in place.
pub async fn save(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let mut typed = read_form(&form);
    let op = form.get("_op");
    if !op.is_empty() {
        apply_row_op(&mut typed, op);
        return page(
            &app,
            &req,
            &viewer,
            &site,
            Some(typed),
            Map::new(),
            StatusCode::OK,
        )
        .await;
    }
    match app
        .update_site_settings(&viewer, &site, typed.clone())
        .await
    {
        Ok(()) => see_other_with(&format!("/admin/sites/{site}/settings"), "site_settings"),
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => {
                page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    Some(typed),
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_links(n: usize) -> SiteSettings {
        SiteSettings {
            social: (0..n)
                .map(|i| SocialLinkSettings {
                    network: "x".into(),
                    url: format!("https://x.example/{i}"),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn urls(s: &SiteSettings) -> Vec<String> {
        s.social.iter().map(|l| l.url.clone()).collect()
    }

    #[test]
    fn row_buttons_move_remove_and_add_links() {
        let mut s = with_links(3);
        assert!(apply_row_op(&mut s, "social.up.2"));
        assert_eq!(
            urls(&s),
            [
                "https://x.example/0",
                "https://x.example/2",
                "https://x.example/1"
            ]
        );
        assert!(apply_row_op(&mut s, "social.down.0"));
        assert_eq!(urls(&s)[0], "https://x.example/2");
        assert!(apply_row_op(&mut s, "social.remove.1"));
        assert_eq!(s.social.len(), 2);
        assert!(apply_row_op(&mut s, "social.add"));
        assert_eq!(s.social.len(), 3);
        for nothing in [
            "social.up.0",
            "social.down.2",
            "social.remove.9",
            "menu.add",
            "social",
        ] {
            assert!(!apply_row_op(&mut s, nothing), "{nothing}");
        }
        let mut full = with_links(MAX_SOCIAL_LINKS);
        assert!(!apply_row_op(&mut full, "social.add"));
    }

    #[test]
    fn the_form_reads_rows_in_order_and_a_typed_logo_that_is_no_number_is_kept_as_wrong() {
        let form = Form(
            [
                ("social.0.network", "facebook"),
                ("social.0.url", "https://fb.example"),
                ("social.1.network", "youtube"),
                ("social.1.url", "https://yt.example"),
                ("footer_links.0.label_ar", "الوزارة"),
                ("footer_links.0.label_fr", "Ministère"),
                ("footer_links.0.url", "https://men.example"),
                ("logo_media_id", "abc"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        let s = read_form(&form);
        assert_eq!(s.social.len(), 2);
        assert_eq!(s.social[1].network, "youtube");
        assert_eq!(s.footer_links[0].label_fr, "Ministère");
        assert_eq!(s.logo_media_id, Some(-1));
    }
}

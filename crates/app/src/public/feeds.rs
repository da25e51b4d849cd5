//! Machine-read pages: the Atom feed, sitemap.xml and robots.txt of a site,
//! and the network's root page, robots.txt and 404.

use std::fmt::Write as _;

use tawasul_domain::{EntryFields, EntryKind, Locale};
use tawasul_render::format_date;
use tawasul_store::EntryQuery;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::pages::{Page, PublicResponse};
use super::routes::Paths;
use super::views::{PageMeta, Region, RegionSite};
use super::Origin;
use crate::{App, AppError};

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids outright.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl Page<'_> {
    pub(super) async fn feed(&self) -> Result<PublicResponse, AppError> {
        let size = self.app.config.site.feed_size;
        let rows = self
            .app
            .store()
            .latest_public_full(
                &EntryQuery {
                    site_ids: vec![self.site.id],
                    locale: Some(self.locale.as_str().to_owned()),
                    ..Default::default()
                },
                size,
            )
            .await?;
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|r| r.kind != EntryKind::Page.as_str())
            .collect();
        let paths = self.paths();
        let home = self.absolute(&paths.home(self.locale));
        let self_url = self.absolute(&paths.feed(self.locale));
        let updated = rows
            .iter()
            .map(|r| r.updated_at)
            .max()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let name = xml_escape(self.site.name(self.locale));
        let mut xml = String::with_capacity(4096 + rows.len() * 2048);
        let _ = write!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <id>{id}</id>\n  <title>{name}</title>\n",
            lang = self.locale.as_str(),
            id = xml_escape(&home),
        );
        let tagline = self.site.tagline(self.locale);
        if !tagline.is_empty() {
            let _ = writeln!(xml, "  <subtitle>{}</subtitle>", xml_escape(tagline));
        }
        let _ = write!(
            xml,
            "  <updated>{}</updated>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <author><name>{name}</name></author>\n  <generator>Tawasul</generator>\n",
            rfc3339(updated),
            xml_escape(&self_url),
            xml_escape(&home),
        );
        for row in &rows {
            let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
            let url = self.absolute(&Paths::entry(kind, row.id, &row.slug));
            let published = row.published_at.unwrap_or(row.created_at);
            let _ = write!(
                xml,
                "  <entry xml:lang=\"{lang}\">\n    <id>{id}</id>\n    <title>{title}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{id}\"/>\n    <published>{published}</published>\n    <updated>{updated}</updated>\n    <category term=\"{kind}\" label=\"{label}\"/>\n",
                lang = xml_escape(&row.locale),
                id = xml_escape(&url),
                title = xml_escape(&row.title),
                published = rfc3339(published),
                updated = rfc3339(row.updated_at.max(published)),
                kind = kind.as_str(),
                label = xml_escape(&self.strings.get(&format!("kind.{}", kind.as_str()))),
            );
            if !row.summary.is_empty() {
                let _ = writeln!(xml, "    <summary>{}</summary>", xml_escape(&row.summary));
            }
            let mut content = String::new();
            if let Some(cover) = &row.cover_url {
                let _ = write!(
                    content,
                    "<p><img src=\"{}{}\" alt=\"{}\"></p>",
                    self.origin.base(),
                    xml_escape(cover),
                    xml_escape(&row.cover_alt)
                );
            }
            let (facts, after) = self.facts_html(&row.fields);
            content.push_str(&facts);
            content.push_str(&absolutize_links(&row.body_html, &self.origin.base()));
            content.push_str(&after);
            let _ = writeln!(
                xml,
                "    <content type=\"html\">{}</content>\n  </entry>",
                xml_escape(&content)
            );
        }
        xml.push_str("</feed>\n");
        Ok(PublicResponse::Atom { body: xml })
    }

    /// A report's or an event's facts as the page shows them, for feed
    /// readers and the sites that republish the feed: the fact box before
    /// the text, a report's recommendations after it.
    fn facts_html(&self, fields: &serde_json::Value) -> (String, String) {
        let t = |key: &str| xml_escape(&self.strings.get(key));
        let mut before = String::new();
        let mut after = String::new();
        let item = |out: &mut String, label: String, value: &str| {
            if !value.trim().is_empty() {
                let _ = write!(out, "<dt>{label}</dt><dd>{}</dd>", xml_escape(value));
            }
        };
        match serde_json::from_value::<EntryFields>(fields.clone()) {
            Ok(EntryFields::TrainingReport(r)) => {
                let (start, end) = (
                    format_date(&self.strings, r.starts_on),
                    format_date(&self.strings, r.ends_on),
                );
                let dates = if start == end {
                    start
                } else {
                    self.strings
                        .get("training.range")
                        .replace("{start}", &start)
                        .replace("{end}", &end)
                };
                let _ = write!(before, "<h2>{}</h2><dl>", t("training.facts"));
                item(&mut before, t("training.dates"), &dates);
                item(&mut before, t("training.venue"), &r.venue);
                item(&mut before, t("training.audience"), &r.audience);
                item(
                    &mut before,
                    t("training.head_count"),
                    &r.head_count.to_string(),
                );
                item(
                    &mut before,
                    t("training.facilitators"),
                    &r.facilitators.join("، "),
                );
                item(
                    &mut before,
                    t("training.workshops"),
                    &r.workshops.join("، "),
                );
                before.push_str("</dl>");
                if !r.recommendations.is_empty() {
                    let _ = write!(after, "<h2>{}</h2><ol>", t("training.recommendations"));
                    for recommendation in &r.recommendations {
                        let _ = write!(after, "<li>{}</li>", xml_escape(recommendation));
                    }
                    after.push_str("</ol>");
                }
            }
            Ok(EntryFields::Event(e)) => {
                let _ = write!(before, "<h2>{}</h2><dl>", t("event.facts"));
                item(
                    &mut before,
                    t("event.starts"),
                    &self.human_datetime(e.starts_at),
                );
                if let Some(ends) = e.ends_at {
                    item(&mut before, t("event.ends"), &self.human_datetime(ends));
                }
                item(&mut before, t("event.venue"), &e.venue);
                before.push_str("</dl>");
            }
            _ => {}
        }
        (before, after)
    }

    pub(super) async fn sitemap(&self) -> Result<PublicResponse, AppError> {
        let rows = self.app.store().sitemap_entries(self.site.id).await?;
        let paths = self.paths();
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let newest = rows.iter().map(|r| r.updated_at).max();
        for locale in self.site.locales() {
            let mut pages = vec![paths.home(locale)];
            pages.extend(
                EntryKind::ARCHIVED
                    .iter()
                    .map(|k| paths.archive(locale, *k)),
            );
            for path in pages {
                let _ = write!(
                    xml,
                    "  <url><loc>{}</loc>",
                    xml_escape(&self.absolute(&path))
                );
                if let Some(at) = newest {
                    let _ = write!(xml, "<lastmod>{}</lastmod>", at.date());
                }
                xml.push_str("</url>\n");
            }
        }
        for row in &rows {
            let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
            let _ = writeln!(
                xml,
                "  <url><loc>{}</loc><lastmod>{}</lastmod></url>",
                xml_escape(&self.absolute(&Paths::entry(kind, row.id, &row.slug))),
                row.updated_at.date()
            );
        }
        xml.push_str("</urlset>\n");
        Ok(PublicResponse::Xml { body: xml })
    }

    pub(super) fn robots(&self) -> PublicResponse {
        let paths = self.paths();
        let mut body = String::from("User-agent: *\n");
        for locale in self.site.locales() {
            let _ = writeln!(body, "Disallow: {}", self.url(&paths.search(locale)));
        }
        let _ = writeln!(
            body,
            "Allow: /\n\nSitemap: {}",
            self.absolute("/sitemap.xml")
        );
        PublicResponse::Text { body }
    }
}

/// Feed readers show content away from the site: links and images in it
/// must be absolute.
fn absolutize_links(html: &str, base: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{base}/"))
        .replace("src=\"/", &format!("src=\"{base}/"))
}

impl App {
    /// The root of a one-domain deployment: the network by region.
    pub async fn network_page(
        &self,
        origin: &Origin,
        locale: Locale,
    ) -> Result<PublicResponse, AppError> {
        let network = self.network();
        let mut regions = Vec::new();
        let site_link = |slug: &str| format!("{}/{slug}/", origin.prefix);
        for top in network.sites().iter().filter(|s| s.parent_id.is_none()) {
            let mut sites = Vec::new();
            // Depth-first, so each directorate is followed by its schools.
            let mut stack: Vec<i32> = top.children.iter().rev().copied().collect();
            while let Some(id) = stack.pop() {
                if let Some(site) = network.site(id) {
                    sites.push(RegionSite {
                        name: site.name(locale).to_owned(),
                        url: site_link(&site.slug),
                        kind: site.kind.as_str(),
                    });
                    stack.extend(site.children.iter().rev().copied());
                }
            }
            regions.push(Region {
                name: top.name(locale).to_owned(),
                url: site_link(&top.slug),
                sites,
            });
        }
        // Academies first, then anything standing alone.
        regions.sort_by_key(|r| r.sites.is_empty());

        let theme = "default";
        let strings = self.with_renderer(|r| r.strings(theme, locale).clone());
        let root = if locale == Locale::Ar {
            "/".to_owned()
        } else {
            format!("/{locale}/")
        };
        let meta = PageMeta {
            title: strings.get("network.title"),
            description: strings.get("network.description"),
            canonical: format!("{}{root}", origin.base()),
            og_type: "website",
            og_image: None,
            og_image_width: None,
            og_image_height: None,
            og_image_alt: None,
            feed_url: String::new(),
            breadcrumbs: Vec::new(),
            alternates: Vec::new(),
        };
        let mut context = super::pages::page_context(self, theme, locale, &strings);
        context.insert("page", &meta);
        context.insert("regions", &regions);
        let other = if locale == Locale::Ar {
            Locale::Fr
        } else {
            Locale::Ar
        };
        context.insert(
            "other_locale",
            &super::views::LocaleLink {
                lang: other.as_str(),
                label: strings.get(&format!("locale_name.{}", other.as_str())),
                url: if other == Locale::Ar {
                    "/".to_owned()
                } else {
                    format!("/{other}/")
                },
                current: false,
            },
        );
        let body = self.with_renderer(|r| r.render(None, theme, "network.html", &context))?;
        Ok(PublicResponse::Html { status: 200, body })
    }

    /// robots.txt at the root of a one-domain deployment: every site's sitemap.
    pub fn network_robots(&self, origin: &Origin) -> PublicResponse {
        let mut body = String::from("User-agent: *\nAllow: /\n\n");
        for site in self.network().sites() {
            let _ = writeln!(body, "Sitemap: {}/{}/sitemap.xml", origin.base(), site.slug);
        }
        PublicResponse::Text { body }
    }

    /// The network's own 404, for paths that name no site.
    pub async fn network_not_found(&self, origin: &Origin) -> Result<PublicResponse, AppError> {
        let PublicResponse::Html { body, .. } = self.network_page(origin, Locale::Ar).await? else {
            return Ok(PublicResponse::Text {
                body: "Not found".to_owned(),
            });
        };
        Ok(PublicResponse::Html { status: 404, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_and_forbidden_characters() {
        assert_eq!(
            xml_escape("a < b & \"c\" 'd' >"),
            "a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt;"
        );
        assert_eq!(xml_escape("bell\u{7}tab\t"), "belltab\t");
    }

    #[test]
    fn feed_content_links_become_absolute() {
        assert_eq!(
            absolutize_links("<a href=\"/news/1-x\">x</a><img src=\"/uploads/a.jpg\"><a href=\"https://e.org\">", "http://h"),
            "<a href=\"http://h/news/1-x\">x</a><img src=\"http://h/uploads/a.jpg\"><a href=\"https://e.org\">"
        );
    }
}

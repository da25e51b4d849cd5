//! One entry's page, in the entry's own language.

use super::*;

impl Page<'_> {
    pub(super) async fn entry(
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
    pub(super) async fn entry_page(
        &self,
        row: EntryRow,
        path: String,
    ) -> Result<(PublicResponse, Vec<i32>), AppError> {
        let store = self.app.store();
        let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
        let tags = store.tags_of_entry(row.id).await?;
        let programme_ids = store.programme_ids_of(row.id).await?;
        let translations = store.public_translations(&row).await?;
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
        // A library cover knows the size of its OpenGraph JPEG.
        if let Some(picture) = row
            .cover_image
            .clone()
            .and_then(|json| serde_json::from_value::<crate::media::PictureData>(json).ok())
        {
            meta.og_image = Some(format!("{}{}", self.origin.base(), picture.og.url));
            meta.og_image_width = Some(picture.og.width);
            meta.og_image_height = Some(picture.og.height);
        }
        if meta.og_image.is_some() && !row.cover_alt.trim().is_empty() {
            meta.og_image_alt = Some(row.cover_alt.clone());
        }
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

        let gallery = self
            .app
            .gallery_images(
                row.site_id,
                &row.locale,
                &tawasul_store::gallery_ids(&row.gallery),
            )
            .await?;
        let view = EntryView {
            gallery,
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
}

impl App {
    /// An entry as its public page would show it, whatever its state: the
    /// editor's live preview. Nothing is cached or written.
    pub async fn preview_entry_page(
        &self,
        row: EntryRow,
        origin: &Origin,
    ) -> Result<String, AppError> {
        let network = self.network();
        let site = network
            .site(row.site_id)
            .ok_or_else(|| AppError::NotFound(format!("site #{}", row.site_id)))?;
        let locale: Locale = row.locale.parse().unwrap_or(site.default_locale);
        let page = Page::new(self, &network, site, origin, locale);
        let kind: EntryKind = row.kind.parse().unwrap_or(EntryKind::News);
        let path = Paths::entry(kind, row.id, &row.slug);
        match page.entry_page(row, path).await?.0 {
            PublicResponse::Html { body, .. } => Ok(body),
            _ => Err(AppError::NotFound("a preview".into())),
        }
    }
}

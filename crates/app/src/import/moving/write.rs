//! The second pass: writing a planned move, item by item. Each item is
//! remembered by its old id as soon as it is written, so running again
//! finds it (and changes nothing when nothing changed) and a run cut short
//! resumes where it stopped.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::json;
use tawasul_domain::{
    slug, validate_text, EntryFields, EntryKind, Locale, Role, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
};
use tawasul_render::markdown;
use tawasul_store::{EntryDraft, ImportTarget, MediaRow, Saved};
use time::OffsetDateTime;

use super::files::{fetch, find_local};
use super::plan::{reader_outcome, spawn_reader, Plan};
use super::report::MoveReport;
use super::source::{
    is_mostly_arabic, ItemKind, SiteTarget, SourceEvent, SourceItem, SourceStatus,
};
use super::{MoveOptions, OnProgress, Progress};
use crate::cache::deps::Dep;
use crate::import::convert::links::{old_key, rewrite};
use crate::import::convert::{self, media_key, MediaMap, MediaRef};
use crate::import::slugs::SlugBook;
use crate::media::{default_meta, Uploaded};
use crate::network::Site;
use crate::public::routes::{encode_segment, Paths};
use crate::{App, AppError};

/// An entry of the site as the writer needs to know it.
struct Known {
    slug: String,
    title: String,
}

pub(super) struct Writer<'a> {
    app: &'a App,
    site: Site,
    options: &'a MoveOptions,
    plan: Plan,
    known: HashMap<String, ImportTarget>,
    author: Option<i32>,
    report: MoveReport,
    authors: HashMap<String, i32>,
    /// Old category slug → (id, new slug).
    categories: HashMap<String, (i32, String)>,
    /// Tag name → id.
    tags: HashMap<String, i32>,
    media: MediaMap,
    /// Library item → where it is served, whether it is an image, its alt
    /// texts (ar, fr).
    items: HashMap<i32, (String, bool, String, String)>,
    /// Old address key → new path: the redirects, and the map links are
    /// rewritten with.
    links: HashMap<String, String>,
    /// WordPress id of a post or page → its new path.
    entry_paths: HashMap<i64, String>,
    entries: HashMap<i32, Known>,
    by_slug: HashMap<String, i32>,
    claimed: HashSet<i32>,
    slugs: SlugBook,
    /// Entries whose links named items not written yet.
    relink: Vec<(i32, EntryDraft)>,
    /// Each attachment brought in: its file address, its post, its old
    /// page addresses and its library item.
    attachments_done: Vec<(String, Option<i64>, Vec<String>, i32)>,
}

fn clean_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        markdown::truncate_words(text, max.saturating_sub(1))
    }
}

impl<'a> Writer<'a> {
    pub(super) async fn new(
        app: &'a App,
        site: &Site,
        options: &'a MoveOptions,
        plan: Plan,
        known: HashMap<String, ImportTarget>,
        author: Option<i32>,
        report: MoveReport,
    ) -> Result<Writer<'a>, AppError> {
        let store = app.store();
        let mut entries = HashMap::new();
        let mut by_slug = HashMap::new();
        for (id, slug, _kind, title) in store.entry_slugs(site.id).await? {
            by_slug.insert(slug.clone(), id);
            entries.insert(id, Known { slug, title });
        }
        let slugs = SlugBook::new(by_slug.keys().cloned());
        let claimed = known
            .values()
            .filter(|t| t.kind == "entry")
            .map(|t| t.id)
            .collect();
        let links = store.redirects_of(site.id).await?.into_iter().collect();
        Ok(Writer {
            app,
            site: site.clone(),
            options,
            plan,
            known,
            author,
            report,
            authors: HashMap::new(),
            categories: HashMap::new(),
            tags: HashMap::new(),
            media: MediaMap::default(),
            items: HashMap::new(),
            links,
            entry_paths: HashMap::new(),
            entries,
            by_slug,
            claimed,
            slugs,
            relink: Vec::new(),
            attachments_done: Vec::new(),
        })
    }

    fn source(&self) -> &'static str {
        self.options.format.source()
    }

    pub(super) async fn run(&mut self, progress: OnProgress<'_>) -> Result<(), AppError> {
        self.write_authors().await?;
        self.write_terms().await?;
        self.write_media(progress).await?;
        self.write_entries(progress).await?;
        self.write_links().await?;
        self.write_redirects().await?;
        self.app.refresh_network().await?;
        self.app.publish_change(vec![Dep::All]).await?;
        Ok(())
    }

    pub(super) fn finish(self) -> MoveReport {
        self.report
    }

    async fn write_authors(&mut self) -> Result<(), AppError> {
        if self.author.is_some() {
            return Ok(());
        }
        let store = self.app.store();
        for author in std::mem::take(&mut self.plan.authors) {
            let email = author.email.trim().to_lowercase();
            if email.is_empty() || !email.contains('@') {
                self.report.note(
                    None,
                    "",
                    format!(
                        "the author {} has no e-mail address: their entries have no author (give --author to choose one)",
                        author.name
                    ),
                );
                continue;
            }
            let id = match store.user_by_email(&email).await? {
                Some(user) => {
                    self.report.tally("author").unchanged += 1;
                    user.id
                }
                None => {
                    let name = if author.name.trim().is_empty() {
                        email.clone()
                    } else {
                        clean_line(&author.name)
                    };
                    // No password: the person is invited to set one.
                    let id = store.upsert_user(&email, &name, None, false).await?;
                    store
                        .set_membership(id, self.site.id, Role::Contributor.as_str())
                        .await?;
                    self.report.tally("author").created += 1;
                    self.report.note(
                        None,
                        &name,
                        format!("an account was made for {email}, without a password: invite them"),
                    );
                    id
                }
            };
            self.authors.insert(author.key.clone(), id);
            if !author.email.is_empty() {
                self.authors.insert(email, id);
            }
        }
        Ok(())
    }

    async fn write_terms(&mut self) -> Result<(), AppError> {
        let store = self.app.store();
        let wordpress = self.options.format == super::Format::WordPress;
        for term in std::mem::take(&mut self.plan.categories) {
            let name = clean_line(if term.name.trim().is_empty() {
                &term.slug
            } else {
                &term.name
            });
            let new_slug = if slug::validate(&term.slug).is_ok() {
                term.slug.clone()
            } else {
                slug::slugify(&name)
            };
            if new_slug.is_empty() {
                self.report.note(
                    None,
                    &name,
                    "the category has no letter to make an address from: left out",
                );
                continue;
            }
            let tally = match self.site.category_by_slug(&new_slug) {
                None => &mut self.report.tally("category").created,
                Some(c) if c.name_ar == name && c.name_fr == name => {
                    &mut self.report.tally("category").unchanged
                }
                Some(_) => &mut self.report.tally("category").updated,
            };
            *tally += 1;
            let id = store
                .upsert_category(self.site.id, &new_slug, [&name, &name])
                .await?;
            let path = format!("/category/{}", encode_segment(&new_slug));
            if wordpress {
                self.links
                    .insert(format!("/category/{}", term.slug), path.clone());
                if let Some(parent) = &term.parent {
                    self.links
                        .insert(format!("/category/{parent}/{}", term.slug), path.clone());
                }
                // The address WordPress gives a category without pretty
                // permalinks, as `?p=` is a post's.
                if let Some(number) = term.number {
                    self.links.insert(format!("?cat={number}"), path);
                }
            }
            self.categories.insert(term.slug, (id, new_slug));
        }
        let mut pairs = Vec::new();
        let mut old = Vec::new();
        for (old_slug, name) in std::mem::take(&mut self.plan.tags) {
            let name = clean_line(&name);
            let tag_slug = [slug::slugify(&name), slug::slugify(&old_slug)]
                .into_iter()
                .find(|s| !s.is_empty());
            let Some(tag_slug) = tag_slug else {
                self.report
                    .note(None, &name, "the tag has no letter or digit: left out");
                continue;
            };
            old.push((old_slug, name.clone(), tag_slug.clone()));
            pairs.push((tag_slug, name));
        }
        for (tag_slug, _) in &pairs {
            let exists = store.tag_by_slug(tag_slug).await?.is_some();
            let tally = self.report.tally("tag");
            if exists {
                tally.unchanged += 1;
            } else {
                tally.created += 1;
            }
        }
        let rows = store.ensure_tags(&pairs).await?;
        for ((old_slug, name, tag_slug), row) in old.into_iter().zip(rows) {
            let path = format!("/tag/{}", encode_segment(&tag_slug));
            if wordpress {
                if !old_slug.is_empty() {
                    self.links.insert(format!("/tag/{old_slug}"), path.clone());
                    self.links.insert(format!("?tag={old_slug}"), path.clone());
                }
            } else {
                self.links.insert(format!("/search/label/{name}"), path);
            }
            self.tags.insert(name, row.id);
        }
        Ok(())
    }

    fn locale_of_text(&self, text: &str) -> Locale {
        match is_mostly_arabic(text) {
            Some(true) => Locale::Ar,
            Some(false) => Locale::Fr,
            None => match self.plan.channel.language.as_deref() {
                Some("ar") => Locale::Ar,
                Some("fr") => Locale::Fr,
                _ => self.site.default_locale,
            },
        }
    }

    async fn write_media(&mut self, progress: OnProgress<'_>) -> Result<(), AppError> {
        let store = self.app.store();
        let known_ids: Vec<i32> = self
            .known
            .values()
            .filter(|t| t.kind == "media")
            .map(|t| t.id)
            .collect();
        let rows: HashMap<i32, MediaRow> = store
            .media_of_site(self.site.id, &known_ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let attachments = std::mem::take(&mut self.plan.attachments);
        let files = std::mem::take(&mut self.plan.files);
        let videos = std::mem::take(&mut self.plan.videos);
        let total = attachments.len() + files.len() + videos.len();
        let mut done = 0;
        for attachment in &attachments {
            done += 1;
            progress(Progress {
                phase: "media",
                done,
                total,
            });
            let Some(id) = self
                .bring_file(
                    &rows,
                    &attachment.key,
                    &attachment.url,
                    &attachment.title,
                    attachment.line,
                    &attachment.alt,
                    &attachment.caption,
                    "attachment",
                )
                .await?
            else {
                continue;
            };
            let shown = self.items.get(&id).is_some_and(|(_, image, _, _)| *image)
                || attachment.url.to_ascii_lowercase().ends_with(".mp4");
            let media = MediaRef { id, shown };
            if let Some(key) = media_key(&attachment.url) {
                self.media.by_key.insert(key, media);
            }
            if let Some(number) = attachment.number {
                self.media.by_attachment.insert(number, media);
            }
            self.attachments_done.push((
                attachment.url.clone(),
                attachment.parent,
                attachment.old_keys.clone(),
                id,
            ));
        }
        for file in &files {
            done += 1;
            progress(Progress {
                phase: "media",
                done,
                total,
            });
            let Some(key) = media_key(&file.url) else {
                continue;
            };
            let Some(id) = self
                .bring_file(
                    &rows,
                    &format!("file:{key}"),
                    &file.url,
                    &file.title,
                    file.line,
                    "",
                    "",
                    "file",
                )
                .await?
            else {
                continue;
            };
            let shown = self.items.get(&id).is_some_and(|(_, image, _, _)| *image);
            self.media.by_key.insert(key, MediaRef { id, shown });
        }
        for (url, title, line) in &videos {
            done += 1;
            progress(Progress {
                phase: "media",
                done,
                total,
            });
            let key = format!("video:{url}");
            if let Some(target) = self.known.get(&key).filter(|t| rows.contains_key(&t.id)) {
                self.report.tally("video").unchanged += 1;
                self.media.videos.insert(url.clone(), target.id);
                continue;
            }
            match self
                .app
                .store_video_link(self.site.id, &self.site.slug, url, default_meta(), None)
                .await
            {
                Ok(Uploaded { item, created }) => {
                    let tally = self.report.tally("video");
                    if created {
                        tally.created += 1;
                    } else {
                        tally.unchanged += 1;
                    }
                    self.remember(&key, "media", item.id).await?;
                    self.media.videos.insert(url.clone(), item.id);
                }
                Err(AppError::Media(e)) => {
                    self.report.note(
                        Some(*line),
                        title,
                        format!("the video {url} was refused: {e}"),
                    );
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn remember(&mut self, key: &str, kind: &'static str, id: i32) -> Result<(), AppError> {
        let target = ImportTarget { kind, id };
        if self.known.get(key) != Some(&target) {
            self.app
                .store()
                .record_import_source(self.site.id, self.source(), key, target)
                .await?;
            self.known.insert(key.to_owned(), target);
        }
        Ok(())
    }

    /// Brings one file into the library (or finds it there from an
    /// earlier run): its item id, or `None` with a line in the report.
    #[expect(clippy::too_many_arguments, reason = "one call site per kind of file")]
    async fn bring_file(
        &mut self,
        rows: &HashMap<i32, MediaRow>,
        key: &str,
        url: &str,
        title: &str,
        line: usize,
        alt: &str,
        caption: &str,
        kind: &str,
    ) -> Result<Option<i32>, AppError> {
        if let Some(row) = self.known.get(key).and_then(|t| rows.get(&t.id)) {
            let item = self.app.media_item_of(row, &self.site.slug).await?;
            self.items.insert(
                row.id,
                (
                    item.url,
                    row.kind == "image",
                    row.alt_ar.clone(),
                    row.alt_fr.clone(),
                ),
            );
            self.report.tally(kind).unchanged += 1;
            return Ok(Some(row.id));
        }
        let name = url
            .split(['?', '#'])
            .next()
            .and_then(|u| u.rsplit('/').next())
            .map(|n| {
                percent_encoding::percent_decode_str(n)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        let received = if let Some(path) = find_local(
            &super::files::FileSources {
                uploads: self.options.uploads.clone(),
                fetch: false,
            },
            url,
        ) {
            let mut file = match tokio::fs::File::open(&path).await {
                Ok(file) => file,
                Err(e) => {
                    self.report.note(
                        Some(line),
                        title,
                        format!("cannot read {}: {e}", path.display()),
                    );
                    return Ok(None);
                }
            };
            self.app.receive_media(&name, &mut file).await
        } else if self.options.fetch_media
            && (url.starts_with("http://") || url.starts_with("https://"))
        {
            match fetch(url).await {
                Ok(bytes) => self.app.receive_media(&name, &mut bytes.as_slice()).await,
                Err(why) => {
                    self.report
                        .note(Some(line), title, format!("{why}; the file is left out"));
                    return Ok(None);
                }
            }
        } else {
            // Said in the plan already.
            return Ok(None);
        };
        let received = match received {
            Ok(received) => received,
            Err(AppError::Media(e)) => {
                self.report.note(
                    Some(line),
                    title,
                    format!("the file {url} was refused: {e}"),
                );
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let mut meta = default_meta();
        let alt = truncate(&clean_line(alt), 300);
        if self.locale_of_text(&alt) == Locale::Ar {
            meta.alt_ar = alt.clone();
        } else {
            meta.alt_fr = alt.clone();
        }
        meta.caption = truncate(caption.trim(), 1_000);
        match self
            .app
            .store_upload(self.site.id, &self.site.slug, received, meta, None)
            .await
        {
            Ok(Uploaded { item, created }) => {
                let tally = self.report.tally(kind);
                if created {
                    tally.created += 1;
                } else {
                    tally.unchanged += 1;
                }
                let image = item.kind == "image";
                self.items.insert(
                    item.id,
                    (
                        item.url.clone(),
                        image,
                        item.alt_ar.clone(),
                        item.alt_fr.clone(),
                    ),
                );
                self.remember(key, "media", item.id).await?;
                Ok(Some(item.id))
            }
            Err(AppError::Media(e)) => {
                self.report.note(
                    Some(line),
                    title,
                    format!("the file {url} was refused: {e}"),
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn write_entries(&mut self, progress: OnProgress<'_>) -> Result<(), AppError> {
        let (mut rx, handle) = spawn_reader(self.options.format, self.options.file.clone());
        let map = Arc::new(std::mem::take(&mut self.media));
        let total = self.plan.entries;
        let mut done = 0usize;
        while let Some(event) = rx.recv().await {
            let SourceEvent::Item(item) = event else {
                continue;
            };
            if item.kind == ItemKind::Attachment {
                continue;
            }
            done += 1;
            if done.is_multiple_of(50) || done == total {
                progress(Progress {
                    phase: "entries",
                    done,
                    total,
                });
            }
            self.write_entry(&item, Arc::clone(&map)).await?;
        }
        reader_outcome(self.options, handle).await?;
        self.media = Arc::try_unwrap(map).unwrap_or_default();
        Ok(())
    }

    fn new_place(&self, dest: &str) -> Option<String> {
        let key = old_key(dest, &self.plan.channel.hosts)?;
        if key == "/" {
            return Some("/".to_owned());
        }
        self.links.get(&key).cloned()
    }

    fn is_old(&self, dest: &str) -> bool {
        old_key(dest, &self.plan.channel.hosts).is_some_and(|k| k != "/")
    }

    async fn write_entry(&mut self, item: &SourceItem, map: Arc<MediaMap>) -> Result<(), AppError> {
        let label = item.kind.label();
        let kind = if item.kind == ItemKind::Page {
            EntryKind::Page
        } else {
            EntryKind::News
        };
        let converted = convert::html_to_markdown(&item.content, map.clone());
        let (body, unresolved) = rewrite(
            &converted.markdown,
            |dest| self.new_place(dest),
            |dest| self.is_old(dest),
        );
        let title = clean_line(&item.title);
        let title = if title.is_empty() {
            format!("{label} {}", item.key.rsplit(':').next().unwrap_or(""))
        } else {
            truncate(&title, MAX_TITLE_CHARS)
        };
        let plain = markdown::plain_text(&body);
        let locale = self.locale_of_text(&format!("{title} {plain}"));
        let excerpt = convert::html_text(&item.excerpt);
        let summary = if excerpt.is_empty() {
            markdown::first_paragraph_text(&body, 280)
        } else {
            excerpt
        };
        let summary = truncate(&clean_line(&summary), MAX_SUMMARY_CHARS.min(600));
        if let Err(e) = validate_text(&title, &summary) {
            self.report
                .note(Some(item.line), &title, format!("left out: {e}"));
            return Ok(());
        }

        // Where the entry lives: found again by its old id, else a new slug.
        let mapped = self
            .known
            .get(&item.key)
            .filter(|t| t.kind == "entry")
            .and_then(|t| self.entries.get(&t.id).map(|k| (t.id, k.slug.clone())));
        let entry_slug = match mapped {
            Some((_, slug)) => slug,
            None => self.new_slug(item, &title, kind),
        };

        let now = OffsetDateTime::now_utc();
        let (status, published_at, scheduled_at) = match &item.status {
            SourceStatus::Published => ("published", Some(item.date.unwrap_or(now)), None),
            SourceStatus::Scheduled => match item.date {
                Some(at) if at > now => ("approved", None, Some(at)),
                at => {
                    self.report.note(
                        Some(item.line),
                        &title,
                        "its scheduled time has passed: it is published",
                    );
                    ("published", Some(at.unwrap_or(now)), None)
                }
            },
            SourceStatus::Pending => ("in_review", None, None),
            SourceStatus::Draft | SourceStatus::Private | SourceStatus::Discarded(_) => {
                ("draft", None, None)
            }
        };

        let mut categories = item.categories.iter();
        let category_id = categories
            .next()
            .and_then(|(slug, _)| self.categories.get(slug))
            .map(|(id, _)| *id);
        let mut tag_ids: Vec<i32> = item
            .tags
            .iter()
            .filter_map(|(_, name)| self.tags.get(&clean_line(name)).copied())
            .collect();
        // One category per entry here: the others become tags.
        let extra: Vec<(String, String)> = categories
            .map(|(_, name)| (slug::slugify(name), clean_line(name)))
            .filter(|(s, _)| !s.is_empty())
            .collect();
        if !extra.is_empty() {
            for row in self.app.store().ensure_tags(&extra).await? {
                tag_ids.push(row.id);
            }
        }
        tag_ids.sort_unstable();
        tag_ids.dedup();

        let cover = match item
            .thumbnail
            .and_then(|n| map.by_attachment.get(&n).copied())
        {
            Some(media) => match self
                .app
                .resolve_cover(self.site.id, locale.as_str(), media.id)
                .await?
            {
                Ok(cover) => Some(cover),
                Err(why) => {
                    self.report
                        .note(Some(item.line), &title, format!("no cover: {why}"));
                    None
                }
            },
            None => None,
        };
        for id in &converted.shown {
            if let Some((_, true, ar, fr)) = self.items.get(id) {
                let alt = if locale == Locale::Fr { fr } else { ar };
                // The text's own alt (between the brackets) wins over the
                // library's: only a photo with neither is reported.
                if alt.is_empty() && body.contains(&format!("![](media:{id})")) {
                    self.report.note(
                        Some(item.line),
                        &title,
                        format!(
                            "the photo media:{id} has no alt text in {}",
                            locale.as_str()
                        ),
                    );
                }
            }
        }
        let author_id = self.author.or_else(|| {
            item.author
                .as_ref()
                .and_then(|key| self.authors.get(key).copied())
        });
        let body_html = self
            .app
            .render_body(self.site.id, locale.as_str(), &body)
            .await?;
        let fields = if kind == EntryKind::Page {
            EntryFields::Page
        } else {
            EntryFields::News
        };
        let draft = EntryDraft {
            site_id: self.site.id,
            kind: kind.as_str().to_owned(),
            locale: locale.as_str().to_owned(),
            translation_key: None,
            slug: entry_slug.clone(),
            title: title.clone(),
            summary,
            body_md: body,
            body_html,
            cover: cover.unwrap_or_default(),
            category_id,
            fields: serde_json::to_value(&fields).unwrap_or_else(|_| json!({})),
            status: status.to_owned(),
            published_at,
            featured: false,
            featured_on_parent: false,
            menu_order: None,
            tag_ids,
            programme_ids: Vec::new(),
            author_id,
        };
        let store = self.app.store();
        let saved = store.upsert_entry_by_slug(draft.clone(), "import").await?;
        let id = saved.id();
        self.remember(&item.key, "entry", id).await?;
        self.claimed.insert(id);
        self.entries.insert(
            id,
            Known {
                slug: entry_slug.clone(),
                title: title.clone(),
            },
        );
        let mut touched = store.set_entry_schedule(id, scheduled_at).await?;
        touched |= store.set_entry_author(id, author_id).await?;
        if let Some(gallery) = &converted.gallery {
            let numbers = if gallery.is_empty() {
                item.number
                    .and_then(|n| self.plan.children.get(&n).cloned())
                    .unwrap_or_default()
            } else {
                gallery.clone()
            };
            let ids: Vec<i32> = numbers
                .iter()
                .filter_map(|n| map.by_attachment.get(n))
                .filter(|m| m.shown)
                .map(|m| m.id)
                .take(crate::media::MAX_GALLERY)
                .collect();
            touched |= store.set_entry_gallery(id, &ids).await?;
        }
        let tally = self.report.tally(label);
        match saved {
            Saved::Created(_) => tally.created += 1,
            Saved::Updated(_) => tally.updated += 1,
            Saved::Unchanged(_) if touched => tally.updated += 1,
            Saved::Unchanged(_) => tally.unchanged += 1,
        }

        let path = Paths::entry(kind, id, &entry_slug);
        for (n, key) in item.old_keys.iter().enumerate() {
            // The item's own link is what the old site answered; the other
            // structures are guesses, which an earlier item's link beats.
            if n == 0 {
                self.links.insert(key.clone(), path.clone());
            } else {
                self.links
                    .entry(key.clone())
                    .or_insert_with(|| path.clone());
            }
        }
        if let Some(number) = item.number {
            self.entry_paths.insert(number, path);
        }
        if unresolved > 0 {
            self.relink.push((id, draft));
        }
        Ok(())
    }

    /// A slug for an item written for the first time: the old site's, or
    /// one made from the title, numbered when taken. An entry with this
    /// slug and title that no import claims is taken to be this item
    /// written by a run that stopped before remembering it.
    fn new_slug(&mut self, item: &SourceItem, title: &str, kind: EntryKind) -> String {
        let wanted = [slug::slugify(&item.slug), slug::slugify(title)]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_else(|| {
                format!(
                    "{}-{}",
                    kind.path_segment(),
                    item.key.rsplit(':').next().unwrap_or("")
                )
            });
        if let Some(&id) = self.by_slug.get(&wanted) {
            let same = self.entries.get(&id).is_some_and(|k| k.title == title);
            if same && !self.claimed.contains(&id) {
                return wanted;
            }
        }
        let given = self.slugs.take_derived(&wanted);
        if given != wanted {
            self.report
                .renumber(Some(item.line), title, &wanted, &given);
        }
        self.by_slug.insert(given.clone(), 0);
        given
    }

    /// Links to items written after the text that named them.
    async fn write_links(&mut self) -> Result<(), AppError> {
        let store = self.app.store();
        for (id, mut draft) in std::mem::take(&mut self.relink) {
            let (body, _) = rewrite(&draft.body_md, |d| self.new_place(d), |_| false);
            if body == draft.body_md {
                continue;
            }
            draft.body_html = self
                .app
                .render_body(self.site.id, &draft.locale, &body)
                .await?;
            draft.body_md = body;
            let saved = store.upsert_entry_by_slug(draft, "import").await?;
            debug_assert_eq!(saved.id(), id);
        }
        Ok(())
    }

    async fn write_redirects(&mut self) -> Result<(), AppError> {
        let hosts = self.plan.channel.hosts.clone();
        for (url, parent, old_keys, media_id) in std::mem::take(&mut self.attachments_done) {
            let Some((served, ..)) = self.items.get(&media_id) else {
                continue;
            };
            let served = served.clone();
            if let Some(key) = old_key(&url, &hosts) {
                self.links.entry(key).or_insert_with(|| served.clone());
            }
            let page = parent
                .and_then(|p| self.entry_paths.get(&p).cloned())
                .unwrap_or(served);
            for key in old_keys {
                self.links
                    .entry(key.clone())
                    .or_insert_with(|| page.clone());
            }
        }
        for (key, target) in self.plan.channel.site_keys.clone() {
            let path = match target {
                SiteTarget::Home => "/".to_owned(),
                SiteTarget::Feed => "/feed.atom".to_owned(),
                SiteTarget::Category(slug) => format!("/category/{}", encode_segment(&slug)),
                SiteTarget::Tag(slug) => format!("/tag/{}", encode_segment(&slug)),
            };
            self.links.entry(key).or_insert(path);
        }
        let mut pairs: Vec<(String, String)> = self
            .links
            .iter()
            .filter(|(old, new)| old.as_str() != "/" && old != new)
            .map(|(old, new)| (old.clone(), new.clone()))
            .collect();
        pairs.sort();
        self.report.redirects = self
            .app
            .store()
            .upsert_redirects(self.site.id, &pairs)
            .await? as usize;
        Ok(())
    }
}

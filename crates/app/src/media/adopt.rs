//! Adopting imported photos: entries imported before imported photos were
//! library items show files of the uploads folder by address (a cover in
//! `cover_url` with no `cover_media_id`, images of the text as
//! `/uploads/<hash>.jpg`). Each such file becomes an item of the entry's
//! site (the same file once per site, as any upload), described with the
//! entry's alt text in its language, and the entry shows the item: its
//! cover resolved as a chosen cover is, its images as `media:<id>`. The
//! file itself stays where it was, so old links and feeds still find it.
//!
//! `tawasul media adopt-imported` runs it, and so does a server that starts
//! after the upgrade (once: an upkeep task). Safe to run twice at once:
//! an item is unique per site and content, and an entry is changed only if
//! it is still as it was read (compare-and-set), so a save, or another
//! server doing the same, wins and nothing is written twice. The change is
//! a version of the entry with its revision (no author), so a form opened
//! before it is told the entry changed rather than saving over the cover.

use std::collections::HashMap;
use std::time::Duration;

use tawasul_media::MediaError;
use tawasul_render::markdown;
use tawasul_store::{CoverEdit, EntryRow};

use super::imported::KnownAlts;
use crate::cache::deps::{entry_change_deps, Dep};
use crate::{App, AppError};

/// The upkeep task an upgrade leaves (migration `m20261203_500001`).
const UPKEEP_TASK: &str = "adopt_imported_photos";

/// How long a starting server holds the task before another may take it
/// (it stopped half-way): far more than a network's photos take.
const UPKEEP_LEASE: Duration = Duration::from_secs(30 * 60);

/// Entries read at a time.
const BATCH: u64 = 100;

/// What adopting imported photos did, or would do in a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdoptReport {
    pub dry_run: bool,
    /// Entries whose cover or text shows an imported file.
    pub entries: usize,
    /// Of those, the entries that now show library photos instead.
    pub adopted: usize,
    /// Covers and images of texts that became library photos.
    pub covers: usize,
    pub images: usize,
    /// Library items made from imported files, and imported files the
    /// library held already (the same file, uploaded or imported again).
    pub items_made: usize,
    pub items_found: usize,
    /// Entries changed by someone else while they were read (a save,
    /// another server adopting them): left to what that change wrote.
    pub changed_meanwhile: usize,
    /// What stays as it was, and why: one line per file of a site.
    pub left: Vec<String>,
}

impl std::fmt::Display for AdoptReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (would, made) = if self.dry_run {
            ("would show", "to make")
        } else {
            ("now show", "made")
        };
        writeln!(
            f,
            "{} entries showed imported photos: {} {would} library photos ({} covers, {} images in texts)",
            self.entries, self.adopted, self.covers, self.images
        )?;
        write!(
            f,
            "library items: {} {made}, {} already in the library",
            self.items_made, self.items_found
        )?;
        if self.changed_meanwhile > 0 {
            write!(
                f,
                "\n{} entries changed meanwhile and were left to that change",
                self.changed_meanwhile
            )?;
        }
        write!(f, "\n{} files left as they were", self.left.len())?;
        for line in &self.left {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// The stored name of a file an import stored by its address
/// (`/uploads/<32 hex digits>.<image extension>`), else `None`: library
/// files are named by a longer hash, and other addresses are not files.
pub fn imported_file_name(address: &str) -> Option<&str> {
    let name = address.strip_prefix("/uploads/")?;
    let (hash, extension) = name.split_once('.')?;
    let hex = hash.len() == 32
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (hex && ["jpg", "png", "webp", "gif", "svg"].contains(&extension)).then_some(name)
}

/// A site being adopted: its files already brought in (or refused).
struct SiteRun<'a> {
    id: i32,
    slug: &'a str,
    /// Stored name → its library item, or `None` when it stays as it was.
    files: HashMap<String, Option<i32>>,
    deps: Vec<Dep>,
}

impl App {
    /// Makes the imported photos of every site's entries (or of the site
    /// `site_slug`) items of their site's library, and the entries show
    /// those items; with `dry_run`, only says what it would do.
    pub async fn adopt_imported_photos(
        &self,
        site_slug: Option<&str>,
        dry_run: bool,
    ) -> Result<AdoptReport, AppError> {
        let sites: Vec<(i32, String)> = {
            let network = self.network();
            match site_slug {
                Some(slug) => {
                    let site = network
                        .site_by_slug(slug)
                        .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
                    vec![(site.id, site.slug.clone())]
                }
                None => network
                    .sites()
                    .iter()
                    .map(|s| (s.id, s.slug.clone()))
                    .collect(),
            }
        };
        let mut report = AdoptReport {
            dry_run,
            ..AdoptReport::default()
        };
        for (id, slug) in &sites {
            let mut run = SiteRun {
                id: *id,
                slug,
                files: HashMap::new(),
                deps: Vec::new(),
            };
            let mut after = 0;
            loop {
                let rows = self
                    .store()
                    .entries_with_upload_links(run.id, after, BATCH)
                    .await?;
                let Some(last) = rows.last() else {
                    break;
                };
                after = last.id;
                let full = rows.len() as u64 == BATCH;
                for row in rows {
                    self.adopt_entry(&mut run, row, &mut report).await?;
                }
                if !run.deps.is_empty() {
                    self.publish_change(std::mem::take(&mut run.deps)).await?;
                }
                if !full {
                    break;
                }
            }
        }
        // Every site done: a server starting later has nothing left to do.
        if !dry_run && site_slug.is_none() {
            self.store().finish_upkeep(UPKEEP_TASK).await?;
        }
        if !dry_run && report.adopted > 0 {
            tracing::info!(
                entries = report.adopted,
                covers = report.covers,
                images = report.images,
                made = report.items_made,
                found = report.items_found,
                left = report.left.len(),
                "imported photos are now items of their sites' libraries"
            );
        }
        Ok(report)
    }

    /// What a server does once after the upgrade, in the background: the
    /// adoption of every site, when no other server has it in hand. Costs
    /// one update that changes nothing once done. Failures are logged; the
    /// task is then left for the next start.
    pub async fn adopt_imported_photos_once(&self) {
        match self.store().claim_upkeep(UPKEEP_TASK, UPKEEP_LEASE).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not ask whether imported photos are to be adopted");
                return;
            }
        }
        match self.adopt_imported_photos(None, false).await {
            Ok(report) => {
                for line in &report.left {
                    tracing::warn!(file = %line, "an imported photo could not become a library item; it is shown as before");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "adopting imported photos failed; the next start tries again");
                if let Err(e) = self.store().release_upkeep(UPKEEP_TASK).await {
                    tracing::warn!(error = %e, "could not let go of the adoption of imported photos");
                }
            }
        }
    }

    async fn adopt_entry(
        &self,
        run: &mut SiteRun<'_>,
        row: EntryRow,
        report: &mut AdoptReport,
    ) -> Result<(), AppError> {
        let cover_name = match row.cover_media_id {
            None => row.cover_url.as_deref().and_then(imported_file_name),
            Some(_) => None,
        };
        let images: Vec<(String, String)> = markdown::images(&row.body_md)
            .into_iter()
            .filter_map(|image| {
                imported_file_name(&image.destination).map(|name| (name.to_owned(), image.alt))
            })
            .collect();
        if cover_name.is_none() && images.is_empty() {
            return Ok(());
        }
        report.entries += 1;
        let photos = cover_name
            .map(|name| (name.to_owned(), row.cover_alt.clone()))
            .into_iter()
            .chain(images.iter().cloned());
        let mut items: HashMap<String, i32> = HashMap::new();
        for (name, alt) in photos {
            let alts = KnownAlts::of(&row.locale, &alt);
            if let Some(id) = self.library_item_for(run, &name, &alts, report).await? {
                items.insert(name, id);
            }
        }
        let cover_item = cover_name.and_then(|name| items.get(name).copied());
        let shown = images
            .iter()
            .filter(|(name, _)| items.contains_key(name))
            .count();
        if cover_item.is_none() && shown == 0 {
            return Ok(());
        }
        if report.dry_run {
            report.adopted += 1;
            report.covers += usize::from(cover_item.is_some());
            report.images += shown;
            return Ok(());
        }

        let cover = match cover_item {
            Some(id) => match self.resolve_cover(run.id, &row.locale, id).await? {
                Ok(cover) => Some(cover),
                Err(why) => {
                    report.left.push(format!(
                        "{}: the cover of «{}» (#{}): {why}",
                        run.slug, row.title, row.id
                    ));
                    None
                }
            },
            None => None,
        };
        let body = if shown > 0 {
            let markdown = markdown::rewrite_image_destinations(&row.body_md, &|address| {
                imported_file_name(address)
                    .and_then(|name| items.get(name))
                    .map(|id| format!("{}{id}", markdown::MEDIA_SCHEME))
            });
            let html = self.render_body(run.id, &row.locale, &markdown).await?;
            Some((markdown, html))
        } else {
            None
        };
        let written = self
            .store()
            .adopt_entry_photos(
                &row,
                cover.as_ref(),
                body.as_ref().map(|(md, html)| (md.as_str(), html.as_str())),
            )
            .await?;
        if !written {
            report.changed_meanwhile += 1;
            return Ok(());
        }
        report.adopted += 1;
        report.covers += usize::from(cover.is_some());
        if body.is_some() {
            report.images += shown;
        }
        let before = self.entry_facts(&row).await?;
        let CoverEdit {
            media_id,
            url,
            alt,
            image,
        } = cover.unwrap_or_else(|| CoverEdit {
            media_id: row.cover_media_id,
            url: row.cover_url.clone(),
            alt: row.cover_alt.clone(),
            image: row.cover_image.clone(),
        });
        let (body_md, body_html) =
            body.unwrap_or_else(|| (row.body_md.clone(), row.body_html.clone()));
        let after = EntryRow {
            cover_media_id: media_id,
            cover_url: url,
            cover_alt: alt,
            cover_image: image,
            body_md,
            body_html,
            ..row
        };
        let after = self.entry_facts(&after).await?;
        run.deps
            .extend(entry_change_deps(Some(&before), Some(&after)));
        Ok(())
    }

    /// The library item of the site for an imported file, brought in the
    /// first time the site's run meets it; `None` when it stays as it was
    /// (missing, or refused by the library), with a line in the report.
    async fn library_item_for(
        &self,
        run: &mut SiteRun<'_>,
        name: &str,
        alts: &KnownAlts,
        report: &mut AdoptReport,
    ) -> Result<Option<i32>, AppError> {
        if let Some(known) = run.files.get(name) {
            if let (Some(id), false) = (known, report.dry_run) {
                self.fill_missing_alts(*id, alts).await?;
            }
            return Ok(*known);
        }
        let bytes = match self.storage().get(name).await {
            Ok(bytes) => Some(bytes),
            Err(MediaError::NotFound(_)) => None,
            Err(e) => return Err(AppError::Media(e)),
        };
        let found = match bytes {
            None => Err("the file is missing from the media storage".to_owned()),
            Some(bytes) if report.dry_run => {
                let hash = tawasul_media::ContentHash::of(&bytes).hex();
                match self.store().media_by_hash(run.id, &hash).await? {
                    Some(item) => {
                        report.items_found += 1;
                        Ok(item.id)
                    }
                    None => {
                        report.items_made += 1;
                        // No item yet: any number says "would be shown".
                        Ok(0)
                    }
                }
            }
            Some(bytes) => {
                match self
                    .add_imported_photo(run.id, run.slug, name, &mut bytes.as_slice(), alts)
                    .await?
                {
                    Ok(photo) => {
                        if photo.created {
                            report.items_made += 1;
                        } else {
                            report.items_found += 1;
                        }
                        Ok(photo.id)
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
        };
        let item = match found {
            Ok(id) => Some(id),
            Err(why) => {
                report
                    .left
                    .push(format!("{}: /uploads/{name}: {why}", run.slug));
                None
            }
        };
        run.files.insert(name.to_owned(), item);
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_an_import_stored_by_address_are_adopted() {
        let table = [
            ("/uploads/0123456789abcdef0123456789abcdef.jpg", true),
            ("/uploads/0123456789abcdef0123456789abcdef.svg", true),
            // A library rendition: named by its SHA-256.
            (
                "/uploads/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.webp",
                false,
            ),
            ("/uploads/0123456789ABCDEF0123456789ABCDEF.jpg", false),
            ("/uploads/0123456789abcdef0123456789abcdef.pdf", false),
            (
                "/uploads/originals/0123456789abcdef0123456789abcdef.jpg",
                false,
            ),
            (
                "https://example.org/uploads/0123456789abcdef0123456789abcdef.jpg",
                false,
            ),
            ("media:12", false),
        ];
        for (address, adopted) in table {
            assert_eq!(imported_file_name(address).is_some(), adopted, "{address}");
        }
    }
}

//! A folder's photos into its site's media library: each file once (the
//! library keeps one item per site and content, so importing again finds
//! the same items), described with the alt texts the folder gives it.

use std::collections::HashMap;

use tawasul_render::markdown;
use tawasul_store::CoverEdit;

use super::folder::{FolderPlan, PlannedEntry};
use super::ImportReport;
use crate::media::KnownAlts;
use crate::{App, AppError, ImportProblem};

/// Stored name of a planned file → its item in the site's library.
pub(super) type Photos = HashMap<String, i32>;

impl App {
    /// Brings every photo of the plan into the site's library. A file the
    /// library refuses (it could not be decoded) stops the import before
    /// any entry is written, naming the file.
    pub(super) async fn bring_folder_photos(
        &self,
        site_id: i32,
        plan: &FolderPlan,
        report: &mut ImportReport,
    ) -> Result<Photos, AppError> {
        let site_slug = self
            .network()
            .site(site_id)
            .map(|s| s.slug.clone())
            .ok_or_else(|| AppError::NotFound(format!("site #{site_id}")))?;
        // What the entries say of each photo, in file order.
        let mut alts: HashMap<&str, KnownAlts> = HashMap::new();
        for entry in &plan.entries {
            for photo in &entry.photos {
                alts.entry(photo.file.stored_name.as_str())
                    .or_default()
                    .add(entry.locale.as_str(), &photo.alt);
            }
        }
        let mut photos = Photos::new();
        let mut problems = Vec::new();
        for file in &plan.media {
            let mut reader = tokio::fs::File::open(&file.source)
                .await
                .map_err(|e| AppError::io(format!("reading {}", file.source.display()), e))?;
            let name = file
                .source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.stored_name.clone());
            let known = alts
                .get(file.stored_name.as_str())
                .cloned()
                .unwrap_or_default();
            match self
                .add_imported_photo(site_id, &site_slug, &name, &mut reader, &known)
                .await?
            {
                Ok(photo) => {
                    report.media += 1;
                    report.library_new += usize::from(photo.created);
                    photos.insert(file.stored_name.clone(), photo.id);
                }
                Err(e) => problems.push(ImportProblem {
                    file: file.source.clone(),
                    line: None,
                    message: format!("the media library refuses this photo: {e}"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Import(problems));
        }
        Ok(photos)
    }

    /// An entry's cover and text as they show its photos from the library:
    /// the cover resolved as a chosen cover is, the images of the text as
    /// `media:<id>`, and the text's HTML.
    pub(super) async fn with_library_photos(
        &self,
        site_id: i32,
        entry: &PlannedEntry,
        photos: &Photos,
    ) -> Result<(CoverEdit, String, String), AppError> {
        let locale = entry.locale.as_str();
        let cover = match entry
            .cover
            .as_ref()
            .and_then(|file| photos.get(&file.stored_name))
        {
            Some(&id) => self
                .resolve_cover(site_id, locale, id)
                .await?
                // A photo withheld since (consent withdrawn) has no
                // renditions: it stays the cover and shows nothing, as a
                // chosen cover does.
                .unwrap_or(CoverEdit {
                    media_id: Some(id),
                    ..CoverEdit::default()
                }),
            None => CoverEdit::default(),
        };
        let body_md = markdown::rewrite_image_destinations(&entry.body_md, &|dest| {
            entry
                .photos
                .iter()
                .find(|photo| photo.destination.as_deref() == Some(dest))
                .and_then(|photo| photos.get(&photo.file.stored_name))
                .map(|id| format!("{}{id}", markdown::MEDIA_SCHEME))
        });
        let body_html = self.render_body(site_id, locale, &body_md).await?;
        Ok((cover, body_md, body_html))
    }
}

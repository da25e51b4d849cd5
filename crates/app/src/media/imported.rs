//! Photos that arrive by import (a Markdown folder, a WordPress or Blogger
//! export) become items of their site's library like any upload: checked
//! by content, stored once per site by content hash, made into renditions,
//! described with the alt text the import knows. An officer then finds
//! them in the editor's picker, describes them, and the consent rules
//! apply to them as to the photos uploaded in the admin.

use tawasul_media::MediaError;
use tokio::io::AsyncRead;

use super::{default_meta, meta_of, MAX_ALT_CHARS};
use crate::{App, AppError};

/// A photo an import brought into a site's library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LibraryPhoto {
    pub id: i32,
    /// `false`: the library held this very file already.
    pub created: bool,
}

/// The alt texts an import knows for a photo, by language: the first one
/// given in each language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KnownAlts {
    pub ar: String,
    pub fr: String,
}

impl KnownAlts {
    /// The alt text an entry in `locale` gives the photo.
    pub fn of(locale: &str, alt: &str) -> KnownAlts {
        let mut alts = KnownAlts::default();
        alts.add(locale, alt);
        alts
    }

    /// Adds what an entry in `locale` says, unless the language has one.
    pub fn add(&mut self, locale: &str, alt: &str) {
        let slot = if locale == "fr" {
            &mut self.fr
        } else {
            &mut self.ar
        };
        if slot.is_empty() {
            *slot = clean_alt(alt);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ar.is_empty() && self.fr.is_empty()
    }
}

/// An alt text as the library keeps one: one line, within its length.
fn clean_alt(alt: &str) -> String {
    let line = alt
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    line.chars().take(MAX_ALT_CHARS).collect()
}

impl App {
    /// Adds a photo an import brings to a site's library, read from
    /// `reader` and named `name` there, with the alt texts the import
    /// knows. The library may hold it already (the same file, imported
    /// again or uploaded): then it is that item, given the alt texts it
    /// lacks, never two. `Ok(Err(_))`: the library refuses the file, and
    /// says why.
    pub(crate) async fn add_imported_photo(
        &self,
        site_id: i32,
        site_slug: &str,
        name: &str,
        reader: &mut (dyn AsyncRead + Send + Unpin),
        alts: &KnownAlts,
    ) -> Result<Result<LibraryPhoto, MediaError>, AppError> {
        let received = match self.receive_media(name, reader).await {
            Ok(received) => received,
            Err(AppError::Media(e)) => return Ok(Err(e)),
            Err(e) => return Err(e),
        };
        let mut meta = default_meta();
        meta.alt_ar = alts.ar.clone();
        meta.alt_fr = alts.fr.clone();
        let uploaded = match self
            .store_upload(site_id, site_slug, received, meta, None)
            .await
        {
            Ok(uploaded) => uploaded,
            Err(AppError::Media(e)) => return Ok(Err(e)),
            Err(e) => return Err(e),
        };
        if uploaded.item.kind != "image" {
            return Ok(Err(MediaError::UnsupportedType(format!(
                "a {} file, not a photo",
                uploaded.item.type_label
            ))));
        }
        if !uploaded.created {
            self.fill_missing_alts(uploaded.item.id, alts).await?;
        }
        Ok(Ok(LibraryPhoto {
            id: uploaded.item.id,
            created: uploaded.created,
        }))
    }

    /// Gives an item the alt texts it lacks among `alts`; what the library
    /// has already (typed by an officer, or from an earlier import) stays.
    /// The entries showing it are rendered again when one was added.
    pub(crate) async fn fill_missing_alts(
        &self,
        id: i32,
        alts: &KnownAlts,
    ) -> Result<(), AppError> {
        if alts.is_empty() {
            return Ok(());
        }
        let Some(row) = self.store().media(id).await? else {
            return Ok(());
        };
        let mut meta = meta_of(&row);
        let mut added = false;
        for (slot, known) in [(&mut meta.alt_ar, &alts.ar), (&mut meta.alt_fr, &alts.fr)] {
            if slot.trim().is_empty() && !known.is_empty() {
                known.clone_into(slot);
                added = true;
            }
        }
        if !added {
            return Ok(());
        }
        if let Some(updated) = self.store().update_media_meta(id, &meta).await? {
            self.rerender_entries_using(&updated).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_alt_text_in_each_language_is_kept_on_one_line() {
        let mut alts = KnownAlts::of("ar", "  قسم\nدراسي ");
        alts.add("ar", "another");
        alts.add("fr", "");
        alts.add("fr", "Une classe\u{7}");
        assert_eq!(
            alts,
            KnownAlts {
                ar: "قسم دراسي".into(),
                fr: "Une classe".into()
            }
        );
        assert_eq!(clean_alt(&"x".repeat(400)).chars().count(), MAX_ALT_CHARS);
    }
}

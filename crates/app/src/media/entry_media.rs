//! An entry's cover and gallery from the media library: what authors type
//! (item numbers), checked against the site's library; the cover resolved
//! into what pages show (renditions, alt text in the entry's language, the
//! OpenGraph image) and stored with the entry, so lists of cards cost no
//! extra query; the gallery's pictures read for the entry's page; and what
//! the publishing rules ask of both.

use serde::{Deserialize, Serialize};
use tawasul_domain::{FieldErrors, Problem};
use tawasul_store::{gallery_ids, CoverEdit, EntryRow, MediaRow, RenditionRow};

use super::item_view;
use crate::editorial::EntryInput;
use crate::public::views::GalleryImage;
use crate::{App, AppError};

/// Most photos a gallery holds: a report's photos, not an archive.
pub const MAX_GALLERY: usize = 60;

/// OpenGraph asks for an image at least this wide.
const OG_MIN_WIDTH: u32 = 1200;

/// What a page needs to show a library image as a responsive `<picture>`.
/// Stored as an entry's `cover_image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PictureData {
    /// Size of the largest rendition: the browser reserves the space.
    pub width: u32,
    pub height: u32,
    /// `(url, width)` of the WebP renditions, and of the JPEG ones.
    pub webp: Vec<(String, u32)>,
    pub jpeg: Vec<(String, u32)>,
    /// The JPEG for OpenGraph.
    pub og: OgImage,
    /// The library's caption and credit, shown under a cover. Covers stored
    /// before they were kept have none until the entry or photo changes.
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub credit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OgImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// `a.webp 640w, b.webp 1600w`.
pub fn srcset(candidates: &[(String, u32)]) -> String {
    candidates
        .iter()
        .map(|(url, w)| format!("{url} {w}w"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The item numbers an author typed, in order, each once: `12`, `12, 13`,
/// `media:12 media:13`, `12،13`. Empty text is no item.
pub fn parse_media_ids(text: &str) -> Result<Vec<i32>, Problem> {
    let mut ids = Vec::new();
    for word in text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '،' | ';' | '؛'))
        .filter(|w| !w.is_empty())
    {
        let number = word
            .strip_prefix(tawasul_render::markdown::MEDIA_SCHEME)
            .unwrap_or(word);
        match number.parse::<i32>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => {
                let word: String = word.chars().take(40).collect();
                return Err(Problem::new(
                    "not_a_number",
                    format!("`{word}` is not the number of a media item (e.g. 12 or media:12)"),
                )
                .with("word", word));
            }
        }
    }
    Ok(ids)
}

/// The picture of an item from its renditions (scaled ones only: the
/// square thumbnail crops).
pub(crate) fn picture_of(media_id: i32, renditions: &[RenditionRow]) -> Option<PictureData> {
    let scaled: Vec<&RenditionRow> = renditions
        .iter()
        .filter(|r| r.media_id == media_id && r.purpose == "width")
        .collect();
    let list = |format: &str| -> Vec<(String, u32)> {
        let mut list: Vec<(String, u32)> = scaled
            .iter()
            .filter(|r| r.format == format)
            .map(|r| (format!("/uploads/{}", r.stored_name), r.width.max(0) as u32))
            .collect();
        list.sort_by_key(|(_, w)| *w);
        list
    };
    let largest = scaled.iter().max_by_key(|r| r.width)?;
    let jpegs: Vec<&&RenditionRow> = scaled.iter().filter(|r| r.format == "jpeg").collect();
    // The smallest JPEG wide enough for OpenGraph, else the largest there is.
    let og = jpegs
        .iter()
        .filter(|r| r.width.max(0) as u32 >= OG_MIN_WIDTH)
        .min_by_key(|r| r.width)
        .or_else(|| jpegs.iter().max_by_key(|r| r.width))?;
    Some(PictureData {
        width: largest.width.max(0) as u32,
        height: largest.height.max(0) as u32,
        webp: list("webp"),
        jpeg: list("jpeg"),
        og: OgImage {
            url: format!("/uploads/{}", og.stored_name),
            width: og.width.max(0) as u32,
            height: og.height.max(0) as u32,
        },
        caption: String::new(),
        credit: String::new(),
    })
}

/// An item's alt text in a language.
fn alt_in(row: &MediaRow, locale: &str) -> String {
    if locale == "fr" {
        row.alt_fr.clone()
    } else {
        row.alt_ar.clone()
    }
}

/// Why an item cannot be a cover or a gallery photo, if it cannot.
fn not_a_photo(id: i32, row: Option<&MediaRow>) -> Option<Problem> {
    match row {
        None => Some(not_in_library(id)),
        Some(row) if row.kind != "image" => Some(
            Problem::new(
                "not_an_image",
                format!("media:{id} («{}») is not an image", row.original_name),
            )
            .with("photo", format!("media:{id}"))
            .with("name", row.original_name.clone()),
        ),
        Some(_) => None,
    }
}

/// A library number the site's library does not hold.
pub(crate) fn not_in_library(id: i32) -> Problem {
    Problem::new(
        "not_in_library",
        format!("media:{id} is not in this site's media library"),
    )
    .with("photo", format!("media:{id}"))
}

/// A photo going out without alt text in the entry's language.
pub(crate) fn without_alt(row: &MediaRow, locale: &str) -> Problem {
    let (code, language) = if locale == "fr" {
        ("no_alt_fr", "French")
    } else {
        ("no_alt_ar", "Arabic")
    };
    Problem::new(
        code,
        format!(
            "the photo «{}» (media:{}) has no alt text in {language}: describe it for readers who cannot see it",
            row.original_name, row.id
        ),
    )
    .with("photo", format!("media:{}", row.id))
    .with("name", row.original_name.clone())
}

/// A photo of minors going out without the parents' consent on file.
pub(crate) fn minors_without_consent(row: &MediaRow) -> Problem {
    Problem::new(
        "minors_without_consent",
        format!(
            "the photo «{}» (media:{}) shows minors and no consent is on file: record the parents' consent (rights: consent_on_file) or use another photo",
            row.original_name, row.id
        ),
    )
    .with("photo", format!("media:{}", row.id))
    .with("name", row.original_name.clone())
}

impl App {
    /// The cover an entry in `locale` shows for item `id` of its site, or
    /// why the item cannot be one.
    pub(crate) async fn resolve_cover(
        &self,
        site_id: i32,
        locale: &str,
        id: i32,
    ) -> Result<Result<CoverEdit, Problem>, AppError> {
        let rows = self.store().media_of_site(site_id, &[id]).await?;
        if let Some(why) = not_a_photo(id, rows.first()) {
            return Ok(Err(why));
        }
        let Some(row) = rows.first() else {
            return Ok(Err(not_in_library(id)));
        };
        let renditions = self.store().renditions_of(&[id]).await?;
        let Some(mut picture) = picture_of(id, &renditions) else {
            return Ok(Err(Problem::new(
                "no_renditions",
                format!("media:{id} has no renditions yet"),
            )
            .with("photo", format!("media:{id}"))));
        };
        picture.caption = row.caption.clone();
        picture.credit = row.credit.clone();
        Ok(Ok(CoverEdit {
            media_id: Some(id),
            url: Some(picture.og.url.clone()),
            alt: alt_in(row, locale),
            image: serde_json::to_value(&picture).ok(),
        }))
    }

    /// Checks the cover and gallery an author typed against the site's
    /// library, adding what is wrong to `errors`. `None` where the input
    /// leaves the entry's own as they are.
    pub(crate) async fn check_entry_media(
        &self,
        site_id: i32,
        locale: &str,
        input: &EntryInput,
        errors: &mut FieldErrors,
    ) -> Result<(Option<CoverEdit>, Option<Vec<i32>>), AppError> {
        let mut cover = None;
        if let Some(text) = &input.cover {
            match parse_media_ids(text) {
                Err(why) => errors.add_problem("cover_media", why),
                Ok(ids) if ids.len() > 1 => errors.add_problem(
                    "cover_media",
                    Problem::new("cover_one_photo", "a cover is one photo: give one number"),
                ),
                Ok(ids) => match ids.first() {
                    None => cover = Some(CoverEdit::default()),
                    Some(&id) => match self.resolve_cover(site_id, locale, id).await? {
                        Ok(found) => cover = Some(found),
                        Err(why) => errors.add_problem("cover_media", why),
                    },
                },
            }
        }
        let mut gallery = None;
        if let Some(text) = &input.gallery {
            match parse_media_ids(text) {
                Err(why) => errors.add_problem("gallery", why),
                Ok(ids) if ids.len() > MAX_GALLERY => errors.add_problem(
                    "gallery",
                    Problem::new(
                        "gallery_too_many",
                        format!("a gallery holds at most {MAX_GALLERY} photos"),
                    )
                    .with("max", MAX_GALLERY.to_string()),
                ),
                Ok(ids) => {
                    let rows = self.store().media_of_site(site_id, &ids).await?;
                    let wrong: Vec<Problem> = ids
                        .iter()
                        .filter_map(|&id| not_a_photo(id, rows.iter().find(|r| r.id == id)))
                        .collect();
                    if wrong.is_empty() {
                        gallery = Some(ids);
                    }
                    for problem in wrong {
                        errors.add_problem("gallery", problem);
                    }
                }
            }
        }
        Ok((cover, gallery))
    }

    /// The entry's cover and gallery as the author typed them, for the
    /// live preview: what resolves is shown, the rest is left out.
    pub(crate) async fn preview_entry_media(
        &self,
        row: &mut EntryRow,
        input: &EntryInput,
    ) -> Result<(), AppError> {
        if let Some(text) = &input.cover {
            let cover = match parse_media_ids(text)
                .ok()
                .and_then(|ids| ids.first().copied())
            {
                Some(id) => self
                    .resolve_cover(row.site_id, &row.locale, id)
                    .await?
                    .unwrap_or_default(),
                None => CoverEdit::default(),
            };
            row.cover_media_id = cover.media_id;
            row.cover_url = cover.url;
            row.cover_alt = cover.alt;
            row.cover_image = cover.image;
        }
        if let Some(text) = &input.gallery {
            let ids = parse_media_ids(text).unwrap_or_default();
            row.gallery = tawasul_store::gallery_text(&ids);
        }
        Ok(())
    }

    /// What the entry's cover and gallery photos need before it goes out:
    /// alt text in its language, consent on file for photos of minors.
    pub(crate) async fn entry_media_problems(
        &self,
        row: &EntryRow,
    ) -> Result<Vec<Problem>, AppError> {
        let gallery = gallery_ids(&row.gallery);
        let mut ids: Vec<i32> = row
            .cover_media_id
            .into_iter()
            .chain(gallery.clone())
            .collect();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.store().media_of_site(row.site_id, &ids).await?;
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for id in row
            .cover_media_id
            .into_iter()
            .chain(gallery.iter().copied())
        {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let Some(media) = rows.iter().find(|r| r.id == id) else {
                problems.push(not_in_library(id));
                continue;
            };
            if alt_in(media, &row.locale).trim().is_empty() {
                problems.push(without_alt(media, &row.locale));
            }
            if media.depicts_minors && media.rights != "consent_on_file" {
                problems.push(minors_without_consent(media));
            }
        }
        Ok(problems)
    }

    /// The photos of a gallery as the entry's page shows them, in order;
    /// items no longer in the library are left out.
    pub async fn gallery_images(
        &self,
        site_id: i32,
        locale: &str,
        ids: &[i32],
    ) -> Result<Vec<GalleryImage>, AppError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.store().media_of_site(site_id, ids).await?;
        let found: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let renditions = self.store().renditions_of(&found).await?;
        Ok(ids
            .iter()
            .filter_map(|id| rows.iter().find(|r| r.id == *id))
            .filter_map(|row| {
                let picture = picture_of(row.id, &renditions)?;
                let view = item_view(row, "", &renditions);
                let thumbnail = |format: &str| {
                    view.renditions
                        .iter()
                        .find(|r| r.purpose == "thumbnail" && r.format == format)
                        .map(|r| r.url.clone())
                };
                let largest_jpeg = picture.jpeg.last().map(|(url, _)| url.clone())?;
                Some(GalleryImage {
                    id: row.id,
                    alt: alt_in(row, locale),
                    caption: row.caption.clone(),
                    credit: row.credit.clone(),
                    thumbnail_url: thumbnail("jpeg").unwrap_or_else(|| largest_jpeg.clone()),
                    thumbnail_webp: thumbnail("webp"),
                    full_url: largest_jpeg,
                    webp_srcset: srcset(&picture.webp),
                    jpeg_srcset: srcset(&picture.jpeg),
                    width: picture.width,
                    height: picture.height,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_type_item_numbers_in_several_ways() {
        let cases: [(&str, Result<Vec<i32>, ()>); 9] = [
            ("", Ok(vec![])),
            ("   ", Ok(vec![])),
            ("12", Ok(vec![12])),
            ("media:12", Ok(vec![12])),
            ("12, 13 14", Ok(vec![12, 13, 14])),
            ("12،13؛ media:14\n15", Ok(vec![12, 13, 14, 15])),
            ("12 12 13", Ok(vec![12, 13])),
            ("12 abc", Err(())),
            ("0", Err(())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_media_ids(text).map_err(|_| ()), expected, "{text:?}");
        }
        let why = parse_media_ids("12 photo.jpg").expect_err("a file name");
        assert!(why.english.contains("photo.jpg"), "{why}");
        assert_eq!(why.args, [("word", "photo.jpg".to_owned())]);
    }

    fn rendition(media_id: i32, width: i32, format: &str, purpose: &str) -> RenditionRow {
        RenditionRow {
            id: width,
            media_id,
            width,
            height: width * 3 / 4,
            format: format.into(),
            purpose: purpose.into(),
            stored_name: format!("{media_id}-{width}.{format}"),
            size: 1000,
        }
    }

    #[test]
    fn a_picture_takes_the_scaled_renditions_and_an_opengraph_jpeg_of_1200_pixels_or_the_largest() {
        let mut all = Vec::new();
        for w in [320, 640, 1024, 1600] {
            all.push(rendition(5, w, "webp", "width"));
            all.push(rendition(5, w, "jpeg", "width"));
        }
        all.push(rendition(5, 400, "jpeg", "thumbnail"));
        all.push(rendition(6, 2000, "jpeg", "width"));
        let picture = picture_of(5, &all).expect("a picture");
        assert_eq!((picture.width, picture.height), (1600, 1200));
        assert_eq!(picture.jpeg.len(), 4);
        assert_eq!(picture.webp[0], ("/uploads/5-320.webp".to_owned(), 320));
        assert_eq!(picture.og.url, "/uploads/5-1600.jpeg");

        // A photo narrower than 1200 px: its largest JPEG.
        let small: Vec<RenditionRow> = [320, 800]
            .into_iter()
            .map(|w| rendition(7, w, "jpeg", "width"))
            .collect();
        assert_eq!(
            picture_of(7, &small).expect("small").og.url,
            "/uploads/7-800.jpeg"
        );
        assert!(picture_of(8, &all).is_none());
        assert_eq!(
            srcset(&picture.jpeg[..2]),
            "/uploads/5-320.jpeg 320w, /uploads/5-640.jpeg 640w"
        );
    }
}

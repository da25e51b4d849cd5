//! The editor's photo picker: the photos an entry shows (its cover, its
//! gallery in order) and the site's latest photos, each a tile with its
//! choices, so nobody types a library number. What the form sends back
//! (`cover_media`, `gallery` in page order, `alt_{id}`) is read here too.

use std::collections::HashMap;

use serde::Serialize;
use tawasul_app::media::{parse_media_ids, MediaItem};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::{Locale, Operation};

use super::Form;

/// How many of the library's latest photos the picker shows besides the
/// chosen ones; the search finds the others.
const LATEST: usize = 12;

/// One photo of the picker.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PhotoTile {
    /// A number, or `__ID__` in the script's template.
    pub id: String,
    pub thumb_url: String,
    pub name: String,
    /// In the entry's language.
    pub alt: String,
    pub cover: bool,
    pub gallery: bool,
}

/// The picker as the editor's template receives it.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoPicker {
    pub api_url: String,
    /// `ar` or `fr`: the language of the alt texts shown.
    pub locale: String,
    pub cover: Option<i32>,
    pub tiles: Vec<PhotoTile>,
    /// The tile the script copies for photos found or uploaded.
    pub blank: PhotoTile,
    /// The viewer may write alt texts into the library.
    pub can_describe: bool,
}

/// What the entry shows, as the editor holds it: the cover's number and
/// the gallery's text, stored or as typed.
pub struct Chosen<'a> {
    pub cover: &'a str,
    pub gallery: &'a str,
    pub locale: &'a str,
    /// Alt texts as typed in a form being shown again.
    pub typed_alts: &'a HashMap<i32, String>,
}

fn tile(item: &MediaItem, locale: Locale, cover: Option<i32>, gallery: &[i32]) -> PhotoTile {
    PhotoTile {
        id: item.id.to_string(),
        thumb_url: item
            .thumbnail_url
            .clone()
            .unwrap_or_else(|| item.url.clone()),
        name: item.original_name.clone(),
        alt: match locale {
            Locale::Fr => item.alt_fr.clone(),
            _ => item.alt_ar.clone(),
        },
        cover: cover == Some(item.id),
        gallery: gallery.contains(&item.id),
    }
}

/// The picker of an entry on `site`: the chosen photos first (cover, then
/// the gallery in its order), then the library's latest photos.
pub async fn picker(
    app: &App,
    viewer: &Viewer,
    site_id: i32,
    chosen: Chosen<'_>,
) -> Result<PhotoPicker, AppError> {
    let network = app.network();
    let site = network
        .site(site_id)
        .ok_or_else(|| AppError::NotFound(format!("site #{site_id}")))?;
    let locale: Locale = chosen.locale.parse().unwrap_or(site.default_locale);
    let cover = chosen.cover.trim().parse::<i32>().ok();
    // Numbers typed by hand before the picker existed may be anything;
    // what does not read as numbers is no choice.
    let gallery = parse_media_ids(chosen.gallery).unwrap_or_default();
    let mut tiles: Vec<PhotoTile> = Vec::new();
    for id in cover.iter().chain(gallery.iter()) {
        if tiles.iter().any(|t| t.id == id.to_string()) {
            continue;
        }
        match app.media_item(viewer, *id).await {
            Ok(item) if item.kind == "image" => tiles.push(tile(&item, locale, cover, &gallery)),
            // A photo deleted from the library since: nothing to show or keep.
            Ok(_) | Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    match app.media_library(viewer, &site.slug, "", 1).await {
        Ok(page) => {
            let latest = page
                .items
                .iter()
                .filter(|item| item.kind == "image")
                .filter(|item| !tiles.iter().any(|t| t.id == item.id.to_string()))
                .take(LATEST)
                .map(|item| tile(item, locale, cover, &gallery))
                .collect::<Vec<_>>();
            tiles.extend(latest);
        }
        // Someone who may only read the entry sees its photos, not the library.
        Err(AppError::Forbidden(_)) => {}
        Err(e) => return Err(e),
    }
    for tile in &mut tiles {
        if let Some(alt) = tile
            .id
            .parse::<i32>()
            .ok()
            .and_then(|id| chosen.typed_alts.get(&id))
        {
            alt.clone_into(&mut tile.alt);
        }
    }
    Ok(PhotoPicker {
        api_url: format!("/api/v1/sites/{}/media", site.slug),
        locale: locale.as_str().to_owned(),
        cover,
        tiles,
        blank: PhotoTile {
            id: "__ID__".to_owned(),
            thumb_url: String::new(),
            name: String::new(),
            alt: String::new(),
            cover: false,
            gallery: false,
        },
        can_describe: app.may_manage_media(viewer, site_id, Operation::Edit),
    })
}

/// The gallery as the form sends it: one box per photo, in the page's
/// order, after an empty field that says the form has a gallery at all
/// (so unticking every photo empties it). `None`: the form has none.
pub fn gallery_field(form: &Form) -> Option<String> {
    let values = form.all("gallery");
    if values.is_empty() {
        return None;
    }
    Some(
        values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// The alt texts typed beside the chosen photos (`alt_{id}`): the cover,
/// the gallery's and those shown in the text; the others are hidden in
/// the page and left alone.
pub fn typed_alts(form: &Form) -> HashMap<i32, String> {
    let chosen: Vec<String> = form
        .all("gallery")
        .into_iter()
        .chain(form.all("cover_media"))
        .chain(ids_in_text(form.get("body")))
        .collect();
    form.0
        .iter()
        .filter_map(|(name, value)| {
            let id = name.strip_prefix("alt_")?;
            chosen
                .iter()
                .any(|c| c == id)
                .then(|| Some((id.parse::<i32>().ok()?, value.trim().to_owned())))?
        })
        .collect()
}

/// The library numbers a Markdown text shows as images or links
/// (`](media:12)`).
fn ids_in_text(text: &str) -> Vec<String> {
    text.split("](media:")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then_some(digits)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_gallery_is_the_ticked_photos_in_page_order() {
        let ticked = form(&[("gallery", ""), ("gallery", "7"), ("gallery", "3")]);
        assert_eq!(gallery_field(&ticked).as_deref(), Some("7, 3"));
        let none_ticked = form(&[("gallery", "")]);
        assert_eq!(gallery_field(&none_ticked).as_deref(), Some(""));
        let no_picker = form(&[("title", "x")]);
        assert_eq!(
            gallery_field(&no_picker),
            None,
            "a form without it changes nothing"
        );
    }

    #[test]
    fn only_the_alt_texts_of_chosen_photos_and_photos_in_the_text_are_read() {
        let sent = form(&[
            ("cover_media", "4"),
            ("gallery", ""),
            ("gallery", "7"),
            ("alt_4", " تلاميذ في القسم "),
            ("alt_7", "Atelier"),
            ("alt_9", "not chosen"),
            ("alt_x", "not a number"),
        ]);
        let alts = typed_alts(&sent);
        assert_eq!(alts.len(), 2);
        assert_eq!(alts.get(&4).map(String::as_str), Some("تلاميذ في القسم"));
        assert_eq!(alts.get(&7).map(String::as_str), Some("Atelier"));

        let in_text = form(&[
            ("body", "نص.\n\n![](media:9)\n\n[دليل](media:11) media:12"),
            ("alt_9", "ورشة"),
            ("alt_12", "named, not shown"),
        ]);
        let alts = typed_alts(&in_text);
        assert_eq!(
            alts.get(&9).map(String::as_str),
            Some("ورشة"),
            "a photo in the text"
        );
        assert!(!alts.contains_key(&12), "a number in prose is not a photo");
    }
}

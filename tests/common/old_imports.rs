//! Entries as imports wrote them before imported photos were library
//! items, as an upgraded database holds them: each photo a file stored by
//! address (`/uploads/<32 hex digits>.jpg`), the cover in `cover_url` with
//! no library item, the images of the text by that address, and no item in
//! the site's library. Made from the demo (whose import now makes library
//! items) with store calls, before any page of the site is read.

use std::collections::HashMap;

use tawasul_app::App;
use tawasul_store::{AdminQuery, CoverEdit, EntryRow};

/// An imported photo as it was kept then.
#[derive(Debug, Clone)]
pub struct OldPhoto {
    /// `/uploads/<32 hex digits>.<ext>`.
    pub url: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// The entries of `site`, every state, deleted ones too.
pub async fn entries_of(app: &App, site: &str) -> Vec<EntryRow> {
    let store = app.store();
    let site_id = app.network().site_by_slug(site).expect("a site").id;
    let listed = store
        .admin_entries(
            &AdminQuery {
                site_ids: vec![site_id],
                ..Default::default()
            },
            1,
            500,
        )
        .await
        .expect("the site's entries")
        .items;
    let mut rows = Vec::new();
    for entry in listed {
        rows.push(
            store
                .entry_any(entry.id)
                .await
                .expect("an entry")
                .expect("it exists"),
        );
    }
    rows
}

/// Turns every entry of `site` that shows library photos back into what
/// an import wrote before, and empties the site's library. Returns the
/// old photos by the library item they were.
pub async fn as_imported_before(app: &App, site: &str) -> HashMap<i32, OldPhoto> {
    let store = app.store();
    let site_id = app.network().site_by_slug(site).expect("a site").id;
    let items = store
        .search_media(site_id, &[], 1, 500)
        .await
        .expect("the library")
        .items;
    let mut photos = HashMap::new();
    for item in &items {
        let bytes = app
            .storage()
            .get(&item.stored_name)
            .await
            .expect("the original file");
        let extension = item.stored_name.rsplit('.').next().expect("an extension");
        let name = format!("{}.{extension}", &item.hash[..32]);
        app.storage()
            .put(&name, bytes.clone())
            .await
            .expect("the file stored by address");
        photos.insert(
            item.id,
            OldPhoto {
                url: format!("/uploads/{name}"),
                bytes,
            },
        );
    }
    for row in entries_of(app, site).await {
        if let Some(photo) = row.cover_media_id.and_then(|id| photos.get(&id)) {
            store
                .refresh_entry_cover(
                    row.id,
                    &CoverEdit {
                        media_id: None,
                        url: Some(photo.url.clone()),
                        alt: row.cover_alt.clone(),
                        image: None,
                    },
                )
                .await
                .expect("the cover as imported then");
        }
        let mut body = row.body_md.clone();
        for (id, photo) in &photos {
            body = body.replace(&format!("](media:{id})"), &format!("]({})", photo.url));
        }
        if body != row.body_md {
            // The store's compare-and-set write of a text, used backwards.
            let html = tawasul_render::markdown::to_safe_html(&body);
            let row = store
                .entry_any(row.id)
                .await
                .expect("an entry")
                .expect("it exists");
            assert!(store
                .adopt_entry_photos(&row, None, Some((&body, &html)))
                .await
                .expect("the text as imported then"));
        }
    }
    for item in &items {
        store
            .delete_media(item.id)
            .await
            .expect("the library emptied");
    }
    photos
}

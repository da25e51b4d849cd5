//! Photos imported before imported photos were library items: adopted by
//! `tawasul media adopt-imported` and by a server starting after the
//! upgrade. The public page shows the same photo with the same alt text,
//! the old file still answers, the library holds each file once, and doing
//! it again, or twice at once, changes nothing more.

mod common;

use std::time::Duration;

use common::old_imports::{as_imported_before, entries_of};
use common::{select_attr, TestApp};
use tawasul_app::media::AdoptReport;
use tawasul_store::EntryRow;

const SITE: &str = "dp-rabat";
const TRAINING: &str = "ateliers-nouveau-curriculum";

/// The training report of the demo with a cover and a photo in its text.
async fn training(test: &TestApp) -> EntryRow {
    entries_of(&test.app, SITE)
        .await
        .into_iter()
        .find(|e| e.slug == TRAINING)
        .expect("the demo's training report")
}

/// What a reader sees of an entry's photos: the cover's address and alt
/// text, the OpenGraph image, the photos of the text with their alt texts.
struct Shown {
    cover: Vec<(String, String)>,
    og_image: Vec<String>,
    in_text: Vec<String>,
}

async fn shown(test: &TestApp, row: &EntryRow) -> Shown {
    let page = test
        .get(&format!("/{SITE}/training/{}-{}", row.id, row.slug))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let html = page.html();
    let cover = select_attr(&html, ".entry-cover img", "src")
        .into_iter()
        .zip(select_attr(&html, ".entry-cover img", "alt"))
        .collect();
    Shown {
        cover,
        og_image: select_attr(&html, "meta[property='og:image']", "content"),
        in_text: select_attr(&html, ".prose img", "alt"),
    }
}

async fn library_size(test: &TestApp, site: &str) -> u64 {
    let id = test.app.network().site_by_slug(site).expect("a site").id;
    test.app
        .store()
        .search_media(id, &[], 1, 1)
        .await
        .expect("the library")
        .total
}

async fn adopt(test: &TestApp, site: Option<&str>, dry_run: bool) -> AdoptReport {
    test.app
        .adopt_imported_photos(site, dry_run)
        .await
        .expect("the adoption runs")
}

#[tokio::test]
async fn old_imported_photos_become_library_items_and_the_page_shows_them_as_before() {
    let test = TestApp::with_demo().await;
    let old = as_imported_before(&test.app, SITE).await;
    assert_eq!(library_size(&test, SITE).await, 0);
    let before = training(&test).await;
    let old_cover = before.cover_url.clone().expect("an imported cover");
    assert!(before.cover_media_id.is_none() && before.body_md.contains("](/uploads/"));
    let page_before = shown(&test, &before).await;
    assert_eq!(
        page_before.cover,
        [(old_cover.clone(), before.cover_alt.clone())]
    );
    assert_eq!(page_before.og_image.len(), 1);
    assert_eq!(page_before.in_text.len(), 1);

    // A dry run counts and writes nothing.
    let dry = adopt(&test, Some(SITE), true).await;
    let covered = entries_of(&test.app, SITE)
        .await
        .iter()
        .filter(|e| e.cover_url.is_some())
        .count();
    assert_eq!(dry.covers, covered, "{dry}");
    assert_eq!(
        (dry.images, dry.items_made, dry.items_found),
        (1, old.len(), 0),
        "{dry}"
    );
    assert!(dry.left.is_empty(), "{dry}");
    assert_eq!(library_size(&test, SITE).await, 0);
    assert_eq!(training(&test).await, before);

    let report = adopt(&test, Some(SITE), false).await;
    assert_eq!(
        (report.adopted, report.covers, report.images),
        (dry.adopted, dry.covers, 1),
        "{report}"
    );
    assert_eq!(
        (report.items_made, report.items_found),
        (old.len(), 0),
        "{report}"
    );
    assert_eq!(library_size(&test, SITE).await, old.len() as u64);

    // The entry shows library items: its cover resolved as a chosen one,
    // its text's photo as `media:N`, with the same alt texts.
    let after = training(&test).await;
    let cover_id = after.cover_media_id.expect("a library cover");
    assert_eq!(after.cover_alt, before.cover_alt);
    assert!(after.cover_image.is_some());
    assert!(!after.body_md.contains("/uploads/"), "{}", after.body_md);
    assert!(after.body_md.contains("](media:"), "{}", after.body_md);
    // A version of its own, so a form opened before is told; nobody's.
    assert_eq!(after.version, before.version + 1);
    let history = test.app.store().revisions(after.id).await.expect("history");
    let last = history.last().expect("a revision");
    assert_eq!((last.version, last.author_id), (after.version, None));
    assert_eq!(last.cover_media_id, Some(cover_id));
    let item = test
        .app
        .store()
        .media(cover_id)
        .await
        .expect("the item")
        .expect("it exists");
    assert_eq!(
        item.alt_ar, before.cover_alt,
        "the alt text is the library's now"
    );
    let original = test
        .app
        .storage()
        .get(&item.stored_name)
        .await
        .expect("the original");
    assert!(
        old.values().any(|photo| photo.bytes == original),
        "the library keeps the very file"
    );

    // The page: the same photo (now in renditions) with the same alt text,
    // an OpenGraph image that answers, and the old file still in place.
    let page_after = shown(&test, &after).await;
    assert_eq!(page_after.cover.len(), 1);
    assert_eq!(page_after.cover[0].1, before.cover_alt);
    assert_eq!(page_after.in_text, page_before.in_text);
    assert_eq!(page_after.og_image.len(), 1);
    let og = page_after.og_image[0]
        .split_once("/uploads/")
        .map(|(_, name)| format!("/uploads/{name}"))
        .expect("an uploaded file");
    let image = test.get(&og).await;
    assert_eq!(image.status, 200);
    assert_eq!(image.header("content-type"), Some("image/jpeg"));
    assert_eq!(test.get(&page_after.cover[0].0).await.status, 200);
    assert_eq!(
        test.get(&old_cover).await.status,
        200,
        "old links still work"
    );

    // Again: nothing more to do, nothing made twice.
    let again = adopt(&test, None, false).await;
    assert_eq!(
        (again.entries, again.adopted, again.items_made),
        (0, 0, 0),
        "{again}"
    );
    assert_eq!(library_size(&test, SITE).await, old.len() as u64);
    assert_eq!(training(&test).await, after);
}

#[tokio::test]
async fn the_same_file_in_two_entries_is_one_item_described_in_each_language() {
    let test = TestApp::with_demo().await;
    // The academy's back-to-school news, in Arabic and in French, show the
    // same classroom photo in their texts.
    let old = as_imported_before(&test.app, "aref-rsk").await;
    let report = adopt(&test, Some("aref-rsk"), false).await;
    assert_eq!(report.items_made, old.len(), "{report}");
    let rentree: Vec<EntryRow> = entries_of(&test.app, "aref-rsk")
        .await
        .into_iter()
        .filter(|e| e.translation_key.as_deref() == Some("rentree-2026"))
        .collect();
    assert_eq!(rentree.len(), 2);
    let ids: Vec<i32> = rentree
        .iter()
        .map(|e| {
            let at = e.body_md.find("](media:").expect("a library photo") + "](media:".len();
            e.body_md[at..]
                .split(')')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an item number")
        })
        .collect();
    assert_eq!(ids[0], ids[1], "one item for one file");
    let item = test
        .app
        .store()
        .media(ids[0])
        .await
        .expect("the item")
        .expect("it exists");
    assert!(
        !item.alt_ar.is_empty() && !item.alt_fr.is_empty(),
        "{item:?}"
    );
}

#[tokio::test]
async fn two_servers_adopting_at_once_make_each_photo_once_and_each_entry_once() {
    let test = TestApp::with_demo().await;
    let old = as_imported_before(&test.app, SITE).await;
    let other = test.another_process().await;
    let (one, two) = tokio::join!(
        test.app.adopt_imported_photos(Some(SITE), false),
        other.adopt_imported_photos(Some(SITE), false),
    );
    let (one, two) = (one.expect("one runs"), two.expect("the other runs"));
    let covered = entries_of(&test.app, SITE)
        .await
        .iter()
        .filter(|e| e.cover_url.is_some())
        .count();
    assert_eq!(one.adopted + two.adopted, covered, "{one}\n{two}");
    assert_eq!(one.items_made + two.items_made, old.len(), "{one}\n{two}");
    assert_eq!(library_size(&test, SITE).await, old.len() as u64);
    for entry in entries_of(&test.app, SITE).await {
        assert!(
            entry.cover_url.is_none() || entry.cover_media_id.is_some(),
            "{}",
            entry.slug
        );
    }
}

#[tokio::test]
async fn a_server_starting_after_the_upgrade_adopts_them_once() {
    let test = TestApp::with_demo().await;
    as_imported_before(&test.app, SITE).await;
    // What the upgrade's migration leaves for the next start.
    test.app
        .store()
        .schedule_upkeep("adopt_imported_photos")
        .await
        .expect("the task");
    let node = test.another_process().await;
    common::serve_node(node).await;
    let mut waited = Duration::ZERO;
    while training(&test).await.cover_media_id.is_none() {
        assert!(waited < Duration::from_secs(60), "never adopted");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    // Done: the next server to start has nothing to claim.
    let mut claimed = true;
    for _ in 0..600 {
        claimed = test
            .app
            .store()
            .claim_upkeep("adopt_imported_photos", Duration::from_secs(1))
            .await
            .expect("asked");
        if !claimed {
            break;
        }
        // Still running: let it go back and look again.
        test.app
            .store()
            .release_upkeep("adopt_imported_photos")
            .await
            .expect("released");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!claimed, "the task is done");
    for entry in entries_of(&test.app, SITE).await {
        assert!(entry.cover_url.is_none() || entry.cover_media_id.is_some());
    }
}

#[tokio::test]
async fn a_missing_file_is_left_as_it_was_and_said() {
    let test = TestApp::with_demo().await;
    let old = as_imported_before(&test.app, SITE).await;
    let before = training(&test).await;
    let cover = before.cover_url.clone().expect("a cover");
    test.app
        .storage()
        .delete(cover.trim_start_matches("/uploads/"))
        .await
        .expect("deleted");
    let report = adopt(&test, Some(SITE), false).await;
    assert_eq!(report.left.len(), 1, "{report}");
    assert!(report.left[0].contains(&cover), "{report}");
    assert_eq!(report.items_made, old.len() - 1, "{report}");
    let after = training(&test).await;
    assert_eq!(after.cover_url, before.cover_url, "nothing lost");
    assert!(after.cover_media_id.is_none());
    assert!(
        after.body_md.contains("](media:"),
        "its text's photo is adopted"
    );
}

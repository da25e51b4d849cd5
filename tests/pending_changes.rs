//! Fixing a published entry through a pending change, in the admin's
//! pages as a browser without JavaScript uses them: the editor's fix is
//! kept beside the live text, goes to review, can be sent back with words,
//! and replaces the live text only when a publisher publishes it.

mod common;

use common::admin::{editor_form, post_form, Answer, Browser};
use common::demo::{ADMIN, EDITOR_RABAT, EDITOR_SALE, PUBLISHER_RABAT};
use common::TestApp;
use serde_json::{json, Value};

const LIVE: &str = "انعقد اللقاء يوم الاثنين بحضور 40 أستاذا.";
const FIXED: &str = "انعقد اللقاء يوم الثلاثاء بحضور 40 أستاذا.";

/// A news item the Rabat editor wrote and the publisher published: its id
/// and its public address.
async fn published_news(test: &TestApp) -> (i64, String) {
    let writer = test.login(EDITOR_RABAT).await;
    let publisher = test.login(PUBLISHER_RABAT).await;
    let created = writer
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "locale": "ar", "title": "لقاء تربوي بالرباط", "body": LIVE}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("an id");
    for (who, action) in [
        (&writer, "submit"),
        (&publisher, "approve"),
        (&publisher, "publish"),
    ] {
        who.post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": action}),
        )
        .await
        .expect(200);
    }
    let entry = publisher
        .get(&format!("/api/v1/entries/{id}"))
        .await
        .expect(200);
    let url = entry.json["url"]
        .as_str()
        .expect("a public address")
        .to_owned();
    (id, url)
}

/// The version the change's forms carry now.
fn change_version(page: &Answer) -> String {
    page.attrs("[data-test=change-publish-form] input[name=version], [data-test=change-discard-form] input[name=version]", "value")
        .into_iter()
        .next()
        .expect("a form of the change")
}

#[tokio::test]
async fn an_editor_fixes_a_published_entry_through_a_change_the_publisher_publishes() {
    let test = TestApp::with_demo().await;
    let (id, url) = published_news(&test).await;
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    let publisher = Browser::login(&test, PUBLISHER_RABAT).await;
    let entry = format!("/admin/entries/{id}");
    let change = format!("{entry}/change");

    // The editor may not edit the live text, but opens a form that writes a change.
    let page = editor.get(&entry).await;
    assert_eq!(page.status, 200);
    assert!(page.has("[data-test=change-banner]"), "{}", page.body);
    assert_eq!(
        page.attrs("[data-test=entry-form]", "action"),
        vec![change.clone()]
    );
    assert!(page.has("[data-test=change-submit]"));

    let saved = post_form(&editor, &change, &editor_form(&page, &[("body", FIXED)])).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location, entry);

    // Readers still read the live text; the editor finds the fix where they left it.
    let public = test.get(&url).await;
    assert!(public.body.contains(LIVE) && !public.body.contains(FIXED));
    let page = editor.get(&entry).await;
    assert_eq!(page.texts("textarea[name=body]").join(""), FIXED);
    assert!(page
        .texts("[data-test=change-status]")
        .join(" ")
        .contains("قيد الكتابة"));

    // Sent to review: the publisher is told on the dashboard and the entry.
    let submitted = post_form(
        &editor,
        &change,
        &[
            editor_form(&page, &[]),
            vec![("then".into(), "submit".into())],
        ]
        .concat(),
    )
    .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let board = publisher.get("/admin/").await;
    assert!(
        board
            .texts("[data-test=dash-changes_to_review]")
            .join(" ")
            .contains("لقاء تربوي بالرباط"),
        "{}",
        board.body
    );
    let live = publisher.get(&entry).await;
    assert_eq!(
        live.attrs("[data-test=change-review-link]", "href"),
        vec![change.clone()]
    );

    // The change's screen shows both lines and the page as it would read.
    let review = publisher.get(&change).await;
    assert_eq!(review.status, 200);
    let diff = review.texts("[data-test=diff]").join(" ");
    assert!(
        diff.contains("الاثنين") && diff.contains("الثلاثاء"),
        "{diff}"
    );
    assert_eq!(
        review.attrs("[data-test=change-frame]", "src"),
        vec![format!("{change}/preview")]
    );
    let preview = publisher.get(&format!("{change}/preview")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains(FIXED));

    // Sent back: words are required, and the editor reads them.
    let version = change_version(&review);
    let refused = publisher
        .post(
            &format!("{change}/step"),
            &[
                ("action", "send_back"),
                ("version", &version),
                ("comment", " "),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.has("[data-test=field-error-comment], #err-comment"),
        "{}",
        refused.body
    );
    let sent_back = publisher
        .post(
            &format!("{change}/step"),
            &[
                ("action", "send_back"),
                ("version", &version),
                ("comment", "اذكروا عدد الأستاذات أيضاً"),
            ],
        )
        .await;
    assert_eq!(sent_back.status, 303);
    let page = editor.get(&entry).await;
    assert!(page
        .texts("[data-test=change-comment]")
        .join("")
        .contains("عدد الأستاذات"));

    // Fixed again, resubmitted, published: readers read the fix.
    let again = post_form(
        &editor,
        &change,
        &[
            editor_form(&page, &[("body", FIXED)]),
            vec![("then".into(), "submit".into())],
        ]
        .concat(),
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.body);
    let review = publisher.get(&change).await;
    let published = publisher
        .post(
            &format!("{change}/step"),
            &[("action", "publish"), ("version", &change_version(&review))],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let public = test.get(&url).await;
    assert!(public.body.contains(FIXED) && !public.body.contains(LIVE));

    // The history keeps both: the fix is a revision by its writer, each step an event.
    let api = test.login(PUBLISHER_RABAT).await;
    let writer_id = test.login(EDITOR_RABAT).await.user_id();
    let history = api
        .get(&format!("/api/v1/entries/{id}/revisions"))
        .await
        .expect(200);
    let newest = &history.json["revisions"][0];
    assert_eq!(newest["body"], json!(FIXED), "{newest}");
    assert_eq!(newest["author_id"], json!(writer_id), "{newest}");
    let events = test
        .app
        .store()
        .workflow_events(i32::try_from(id).expect("an id"))
        .await
        .expect("events");
    let steps: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for step in ["change_submit", "change_send_back", "change_publish"] {
        assert!(steps.contains(&step), "{steps:?}");
    }
    // Nothing is pending any more.
    let page = editor.get(&entry).await;
    assert!(!page.has("[data-test=change-view]"));
    assert!(publisher.get(&change).await.status == 404);
}

#[tokio::test]
async fn only_the_sites_people_propose_changes_and_only_publishers_publish_them() {
    let test = TestApp::with_demo().await;
    let (id, url) = published_news(&test).await;
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    let stranger = Browser::login(&test, EDITOR_SALE).await;
    let entry = format!("/admin/entries/{id}");
    let change = format!("{entry}/change");

    let page = editor.get(&entry).await;
    let form = editor_form(&page, &[("body", FIXED)]);
    // An editor of another directorate can neither write nor read it.
    let refused = post_form(&stranger, &change, &form).await;
    assert_eq!(refused.status, 403);
    assert_eq!(stranger.get(&change).await.status, 403);

    let saved = post_form(&editor, &change, &form).await;
    assert_eq!(saved.status, 303);
    let mine = editor.get(&change).await;
    assert_eq!(mine.status, 200);
    // Its writer sees no publish button, and a forged one is refused.
    assert!(!mine.has("[data-test=change-publish]"));
    let version = change_version(&mine);
    let forged = editor
        .post(
            &format!("{change}/step"),
            &[("action", "publish"), ("version", &version)],
        )
        .await;
    assert_eq!(forged.status, 403);

    // A form from before another save is told, and changes nothing.
    let stale = editor
        .post(
            &format!("{change}/step"),
            &[("action", "discard"), ("version", "99")],
        )
        .await;
    assert_eq!(stale.status, 409);

    // Its writer may give up on it: the live text never moved.
    let discarded = editor
        .post(
            &format!("{change}/step"),
            &[("action", "discard"), ("version", &version)],
        )
        .await;
    assert_eq!(discarded.status, 303);
    assert_eq!(editor.get(&change).await.status, 404);
    assert!(test.get(&url).await.body.contains(LIVE));

    // A platform admin, like a publisher, edits the live text directly.
    let admin = Browser::login(&test, ADMIN).await;
    let page = admin.get(&entry).await;
    assert!(!page.has("[data-test=change-banner]"));
    assert_eq!(
        page.attrs("[data-test=entry-form]", "action"),
        vec![entry.clone()]
    );
}

#[tokio::test]
async fn the_editors_autosave_keeps_the_change_and_a_second_writer_is_told() {
    let test = TestApp::with_demo().await;
    let (id, url) = published_news(&test).await;
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    let change = format!("/admin/entries/{id}/change");
    let page = editor.get(&format!("/admin/entries/{id}")).await;
    let autosave = |fields: Vec<(String, String)>| {
        let request = test
            .client
            .post(test.url(&change))
            .header("cookie", &editor.cookie)
            .header("x-csrf-token", &editor.csrf)
            .header("accept", "application/json")
            .form(&fields);
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let body: Value = serde_json::from_str(&response.text().await.expect("a body"))
                .unwrap_or(Value::Null);
            (status, body)
        }
    };
    let (status, body) = autosave(editor_form(&page, &[("body", FIXED)])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], json!(1));
    let (status, body) = autosave(editor_form(&page, &[("body", FIXED), ("version", "1")])).await;
    assert_eq!((status, body["version"].clone()), (200, json!(2)));
    // The same form again, from a tab still at version 1: told, not lost.
    let (status, body) =
        autosave(editor_form(&page, &[("body", "نص آخر"), ("version", "1")])).await;
    assert_eq!(status, 409, "{body}");
    assert!(test.get(&url).await.body.contains(LIVE));
}

#[tokio::test]
async fn a_contributor_proposes_a_fix_to_their_own_published_entry_over_the_api() {
    use common::demo::{CONTRIBUTOR_ALAMAL, REGIONAL};
    let test = TestApp::with_demo().await;
    let writer = test.login(CONTRIBUTOR_ALAMAL).await;
    let supervisor = test.login(REGIONAL).await;
    let id = writer
        .post(
            "/api/v1/sites/ecole-al-amal/entries",
            &json!({"kind": "news", "locale": "ar", "title": "يوم مفتوح بالمدرسة", "body": LIVE}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    let step = |who: &common::ApiClient, action: &str| {
        let (who, action) = (who.clone(), action.to_owned());
        async move {
            who.post(
                &format!("/api/v1/entries/{id}/transitions"),
                &json!({"action": action}),
            )
            .await
            .expect(200);
        }
    };
    step(&writer, "submit").await;
    step(&supervisor, "approve").await;
    step(&supervisor, "publish").await;
    // The live text is closed to its contributor, a change is not.
    writer
        .put(
            &format!("/api/v1/entries/{id}"),
            &json!({"title": "يوم مفتوح بالمدرسة", "body": FIXED, "version": 1}),
        )
        .await
        .expect(403);
    assert_eq!(
        writer
            .get(&format!("/api/v1/entries/{id}/change"))
            .await
            .status,
        404
    );
    let change = writer
        .put(
            &format!("/api/v1/entries/{id}/change"),
            &json!({"title": "يوم مفتوح بالمدرسة", "body": FIXED}),
        )
        .await
        .expect(200);
    assert_eq!(change.json["status"], json!("draft"));
    let version = change.json["version"].as_i64().expect("a version");
    let submitted = writer
        .post(
            &format!("/api/v1/entries/{id}/change/steps"),
            &json!({"action": "submit", "version": version}),
        )
        .await
        .expect(200);
    assert_eq!(submitted.json["change"]["status"], json!("in_review"));
    // Nobody but a publisher publishes it.
    writer
        .post(
            &format!("/api/v1/entries/{id}/change/steps"),
            &json!({"action": "publish", "version": version + 1}),
        )
        .await
        .expect(403);
    let published = supervisor
        .post(
            &format!("/api/v1/entries/{id}/change/steps"),
            &json!({"action": "publish", "version": version + 1}),
        )
        .await
        .expect(200);
    assert_eq!(published.json["change"], Value::Null);
    assert_eq!(published.json["entry"]["body"], json!(FIXED));
    assert_eq!(published.json["entry"]["status"], json!("published"));
}

#[tokio::test]
async fn a_change_begun_on_an_imported_cover_keeps_it_once_the_photo_is_in_the_library() {
    let test = TestApp::with_demo().await;
    common::old_imports::as_imported_before(&test.app, "dp-rabat").await;
    let entry = common::old_imports::entries_of(&test.app, "dp-rabat")
        .await
        .into_iter()
        .find(|e| e.status == "published" && e.cover_url.is_some() && e.cover_media_id.is_none())
        .expect("a published entry with an imported cover");
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    let path = format!("/admin/entries/{}", entry.id);
    let page = editor.get(&path).await;
    let body = format!("{}\n\nفقرة مضافة.", entry.body_md);
    let saved = post_form(
        &editor,
        &format!("{path}/change"),
        &editor_form(&page, &[("body", &body)]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Meanwhile the photo becomes a library item (the upgrade's adoption).
    test.app
        .adopt_imported_photos(Some("dp-rabat"), false)
        .await
        .expect("adopted");
    let adopted = test
        .app
        .store()
        .entry(entry.id)
        .await
        .expect("read")
        .expect("the entry");
    let cover = adopted.cover_media_id.expect("a library cover now");

    let api = test.login(EDITOR_RABAT).await;
    let change = api
        .get(&format!("/api/v1/entries/{}/change", entry.id))
        .await
        .expect(200);
    let version = change.json["version"].as_i64().expect("a version");
    api.post(
        &format!("/api/v1/entries/{}/change/steps", entry.id),
        &json!({"action": "submit", "version": version}),
    )
    .await
    .expect(200);
    let publisher = test.login(PUBLISHER_RABAT).await;
    let published = publisher
        .post(
            &format!("/api/v1/entries/{}/change/steps", entry.id),
            &json!({"action": "publish", "version": version + 1}),
        )
        .await
        .expect(200);
    assert_eq!(
        published.json["entry"]["cover_media"],
        json!(cover),
        "{}",
        published.json
    );
}

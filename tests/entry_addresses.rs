//! An entry's address: short by default, chosen by its author when they
//! want, and old links still arriving after it changes.

mod common;

use common::admin::{editor_form, post_form, Browser};
use common::demo::{EDITOR_RABAT, PUBLISHER_RABAT};
use common::TestApp;
use serde_json::json;

const TITLE: &str = "لقاء تواصلي مع جمعيات آباء وأمهات وأولياء التلاميذ بمديرية الرباط";

async fn entry(test: &TestApp, id: i64) -> serde_json::Value {
    test.login(PUBLISHER_RABAT)
        .await
        .get(&format!("/api/v1/entries/{id}"))
        .await
        .expect(200)
        .json
}

#[tokio::test]
async fn an_author_chooses_a_short_address_and_old_links_still_arrive() {
    let test = TestApp::with_demo().await;
    let api = test.login(EDITOR_RABAT).await;
    let id = api
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "locale": "ar", "title": TITLE, "body": "نص اللقاء."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    // The default is the title's first words, readable Arabic.
    assert_eq!(
        entry(&test, id).await["slug"],
        json!("لقاء-تواصلي-مع-جمعيات-آباء")
    );

    let editor = Browser::login(&test, EDITOR_RABAT).await;
    let path = format!("/admin/entries/{id}");
    let page = editor.get(&path).await;
    assert_eq!(
        page.attrs("input[name=slug]", "value"),
        vec!["لقاء-تواصلي-مع-جمعيات-آباء".to_owned()]
    );
    // Chosen, cleaned as a title would be, and kept when the title changes.
    let saved = post_form(
        &editor,
        &path,
        &editor_form(&page, &[("slug", "لقاء الأسر 2026")]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(entry(&test, id).await["slug"], json!("لقاء-الأسر-2026"));
    let page = editor.get(&path).await;
    let saved = post_form(
        &editor,
        &path,
        &editor_form(&page, &[("title", "لقاء مع الأسر")]),
    )
    .await;
    assert_eq!(saved.status, 303);
    assert_eq!(entry(&test, id).await["slug"], json!("لقاء-الأسر-2026"));

    // An address another entry has is refused beside the field, in Arabic.
    let other = api
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "locale": "ar", "title": "خبر آخر", "body": "نص."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    let other_path = format!("/admin/entries/{other}");
    let page = editor.get(&other_path).await;
    let refused = post_form(
        &editor,
        &other_path,
        &editor_form(&page, &[("slug", "لقاء-الأسر-2026")]),
    )
    .await;
    assert_eq!(refused.status, 422);
    let message = refused.texts("#err-slug").join("");
    assert!(message.contains("مادة أخرى"), "{message}");
    assert_eq!(
        refused.attrs("input[name=slug]", "value"),
        vec!["لقاء-الأسر-2026".to_owned()],
        "what was typed stays"
    );

    // Published, then given a new address by its publisher: the old one answers 301.
    let publisher = test.login(PUBLISHER_RABAT).await;
    for (who, action) in [
        (&api, "submit"),
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
    let old_url = entry(&test, id).await["url"]
        .as_str()
        .expect("a url")
        .to_owned();
    let browser = Browser::login(&test, PUBLISHER_RABAT).await;
    let page = browser.get(&path).await;
    let saved = post_form(
        &browser,
        &path,
        &editor_form(&page, &[("slug", "lqaa-2026")]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let new_url = entry(&test, id).await["url"]
        .as_str()
        .expect("a url")
        .to_owned();
    assert!(new_url.ends_with("lqaa-2026"), "{new_url}");
    let old = test.get(&old_url).await;
    assert_eq!(old.status, 301, "{old_url}");
    assert_eq!(old.header("location"), Some(new_url.as_str()));
    assert_eq!(test.get(&new_url).await.status, 200);
}

//! A directorate's menus: its site admin puts a new page in the menu,
//! adds an external link under it and reorders; readers find the page in
//! the header, the link behind the page's disclosure button; the other
//! language's menu stays as it was.

mod common;

use common::admin::{form_fields, post_form, Browser};
use common::demo::{EDITOR_RABAT, SITE_ADMIN_KENITRA};
use common::{select_attr, select_text, TestApp};
use serde_json::json;

const MENU: &str = "/admin/sites/dp-kenitra/menu";

fn nav_labels(page: &common::Page) -> Vec<String> {
    select_text(&page.html(), ".main-nav .nav-list > li > a")
}

#[tokio::test]
async fn a_site_admin_builds_the_menu_with_a_new_page_and_a_link_under_it() {
    let test = TestApp::with_demo().await;
    let before_ar = nav_labels(&test.get("/dp-kenitra/").await);
    let before_fr = nav_labels(&test.get("/dp-kenitra/fr/").await);
    assert!(before_ar.len() >= 5, "home and the archives: {before_ar:?}");

    let api = test.login(SITE_ADMIN_KENITRA).await;
    let id = api
        .post(
            "/api/v1/sites/dp-kenitra/entries",
            &json!({"kind": "page", "locale": "ar", "title": "التسجيل في الأولى ابتدائي",
                    "body": "مواعيد ووثائق التسجيل."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    for action in ["submit", "approve", "publish"] {
        api.post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": action}),
        )
        .await
        .expect(200);
    }
    assert_eq!(
        nav_labels(&test.get("/dp-kenitra/").await),
        before_ar,
        "not in the menu by itself"
    );

    let admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    let page = admin.get(MENU).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let items_before = page.texts("[data-test=menu-item]").len();
    let id = id.to_string();
    let added = admin
        .post(MENU, &[("locale", "ar"), ("kind", "page"), ("page", &id)])
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    // A link that does not read is refused beside its field, typed text kept.
    let refused = admin
        .post(
            MENU,
            &[
                ("locale", "ar"),
                ("kind", "link"),
                ("label", "مسار"),
                ("url", "massar.men.gov.ma"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.has("[data-test='field-error-url']"));
    assert_eq!(refused.attrs("input[name=label]", "value"), ["مسار"]);
    let added = admin
        .post(
            MENU,
            &[
                ("locale", "ar"),
                ("kind", "link"),
                ("label", "مسار"),
                ("url", "https://massar.men.gov.ma"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = admin.get(MENU).await;
    assert_eq!(page.texts("[data-test=menu-item]").len(), items_before + 2);
    let ids = page.attrs("[data-test=menu-item]", "data-item-id");
    let link = ids.last().expect("the link").clone();
    let moved = admin
        .post(MENU, &[("locale", "ar"), ("item", &link), ("op", "indent")])
        .await;
    assert_eq!(moved.status, 303);
    let page = admin.get(MENU).await;
    assert_eq!(
        page.attrs("[data-test=menu-item]", "data-nested")
            .last()
            .map(String::as_str),
        Some("true"),
        "the link is under the page"
    );
    // The page moves up once, with the link under it.
    let page_item = page.attrs("[data-test=menu-item]", "data-item-id")[items_before].clone();
    admin
        .post(
            MENU,
            &[("locale", "ar"), ("item", &page_item), ("op", "up")],
        )
        .await;

    let home = test.get("/dp-kenitra/").await;
    let labels = nav_labels(&home);
    assert_eq!(labels.len(), before_ar.len() + 1, "{labels:?}");
    assert_eq!(
        labels[labels.len() - 2],
        "التسجيل في الأولى ابتدائي",
        "{labels:?}"
    );
    let html = home.html();
    assert_eq!(
        select_text(&html, ".main-nav .nav-sub a"),
        ["مسار"],
        "the link under the page"
    );
    let controls = select_attr(&html, ".main-nav [data-nav-toggle]", "aria-controls");
    let subs = select_attr(&html, ".main-nav .nav-sub", "id");
    assert_eq!(
        controls, subs,
        "the disclosure button controls the list under it"
    );
    assert_eq!(
        select_attr(&html, ".main-nav [data-nav-toggle]", "aria-expanded"),
        ["false"]
    );
    assert_eq!(
        nav_labels(&test.get("/dp-kenitra/fr/").await),
        before_fr,
        "the French menu is its own"
    );

    // Removing the page from the menu lifts the link to the first level
    // (a save gives the items new numbers: read them again).
    let page = admin.get(MENU).await;
    let labels = page.texts("[data-test=menu-item] bdi");
    let at = labels
        .iter()
        .position(|l| l == "التسجيل في الأولى ابتدائي")
        .expect("the page in the editor");
    let page_item = page.attrs("[data-test=menu-item]", "data-item-id")[at].clone();
    admin
        .post(
            MENU,
            &[("locale", "ar"), ("item", &page_item), ("op", "remove")],
        )
        .await;
    let labels = nav_labels(&test.get("/dp-kenitra/").await);
    assert_eq!(
        labels[labels.len() - 2],
        "مسار",
        "the link in the page's place: {labels:?}"
    );
    assert!(!labels.contains(&"التسجيل في الأولى ابتدائي".to_owned()));
    let audit = admin.get("/admin/audit?action=menu_update").await;
    assert_eq!(audit.status, 200);
    assert!(
        audit.texts("[data-test=audit-record], tr, li").len() > 1 || audit.body.contains("menu")
    );
}

#[tokio::test]
async fn only_the_sites_admins_edit_its_menus() {
    let test = TestApp::with_demo().await;
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    assert_eq!(editor.get("/admin/sites/dp-rabat/menu").await.status, 403);
    let kenitra = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    assert_eq!(kenitra.get("/admin/sites/dp-rabat/menu").await.status, 403);
    let page = kenitra.get(&format!("{MENU}?locale=fr")).await;
    assert_eq!(page.status, 200);
    let fields = form_fields(&page, "form[data-test=menu-add-form]", &[]);
    let refused = post_form(&kenitra, MENU, &fields).await;
    assert_eq!(refused.status, 422, "no kind chosen");
}

#[tokio::test]
async fn a_page_is_put_in_the_menu_from_its_editor() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    let new = admin
        .get("/admin/sites/dp-kenitra/entries/new?kind=page")
        .await;
    assert!(
        new.has("[data-test=in-menu]"),
        "the box is offered for a page"
    );
    let mut fields = common::admin::editor_form(
        &new,
        &[
            ("title", "امتحانات البكالوريا"),
            ("body", "مواعيد الامتحانات."),
        ],
    );
    fields.push(("in_menu".into(), "1".into()));
    let created = post_form(&admin, "/admin/sites/dp-kenitra/entries", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id: i64 = created
        .location
        .trim_start_matches("/admin/entries/")
        .parse()
        .expect("an id");
    let api = test.login(SITE_ADMIN_KENITRA).await;
    for action in ["submit", "approve", "publish"] {
        api.post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": action}),
        )
        .await
        .expect(200);
    }
    let labels = nav_labels(&test.get("/dp-kenitra/").await);
    assert_eq!(
        labels.last().map(String::as_str),
        Some("امتحانات البكالوريا"),
        "{labels:?}"
    );

    let editor = admin.get(&format!("/admin/entries/{id}")).await;
    assert_eq!(editor.attrs("[data-test=in-menu][checked]", "value"), ["1"]);
    let fields: Vec<(String, String)> = form_fields(&editor, "form[data-test=entry-form]", &[])
        .into_iter()
        .filter(|(k, _)| k != "in_menu")
        .collect();
    let saved = post_form(&admin, &format!("/admin/entries/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let labels = nav_labels(&test.get("/dp-kenitra/").await);
    assert!(
        !labels.contains(&"امتحانات البكالوريا".to_owned()),
        "{labels:?}"
    );
}

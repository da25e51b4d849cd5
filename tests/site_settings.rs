//! A directorate runs its own identity: its site admin changes the logo
//! (picked among the library's images), contact and links from the admin
//! or the API; the public pages show it at once, on every node; refusals
//! say what to fix beside each field and keep what was typed.

mod common;

use std::io::Cursor;

use common::admin::{form_fields, post_form, Browser};
use common::demo::{ADMIN, EDITOR_RABAT, SITE_ADMIN_KENITRA};
use common::{ApiClient, TestApp};
use reqwest::Method;
use serde_json::json;

const FORM: &str = "form[data-test=settings-form]";
const PAGE: &str = "/admin/sites/dp-kenitra/settings";

fn png() -> Vec<u8> {
    let img =
        image::RgbaImage::from_fn(640, 200, |x, _| image::Rgba([0, 90, (x % 256) as u8, 200]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("a png");
    out
}

async fn upload_logo(client: &ApiClient) -> i64 {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png()).file_name("logo-kenitra.png"),
    );
    let response = client
        .request(Method::POST, "/api/v1/sites/dp-kenitra/media")
        .multipart(form)
        .send()
        .await
        .expect("request");
    common::ApiResponse::read(response).await.expect(201).json["id"]
        .as_i64()
        .expect("an id")
}

#[tokio::test]
async fn a_site_admin_changes_the_logo_contact_and_links_and_readers_see_them_at_once() {
    let test = TestApp::with_demo().await;
    let api = test.login(SITE_ADMIN_KENITRA).await;
    let logo = upload_logo(&api).await;
    let other_node = test.another_process().await;
    // The home is cached before the change.
    let before = test.get("/dp-kenitra/").await;
    let imported = common::select_attr(&before.html(), "img.brand-logo", "src");
    assert_eq!(imported.len(), 1, "the imported logo");

    let admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    let entries = admin.get("/admin/sites/dp-kenitra/entries").await;
    assert!(entries.has("[data-test=settings-link]"));
    let page = admin.get(PAGE).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.has("[data-test=logo-current] input[checked]"),
        "the imported logo is kept by default"
    );
    let logo_value = logo.to_string();
    assert!(
        page.attrs("[data-test=logo-tile] input", "value")
            .contains(&logo_value),
        "the new image is offered by its thumbnail"
    );
    let fields = form_fields(
        &page,
        FORM,
        &[
            ("logo_media_id", &logo_value),
            ("contact.phone", "+212 5 37 99 88 77"),
            ("contact.email", "Accueil@DP-Kenitra.example"),
            (
                "contact.map_url",
                "https://www.openstreetmap.org/#map=16/34.2610/-6.5802",
            ),
            ("social.0.network", "instagram"),
            ("social.0.url", "https://instagram.com/dp.kenitra"),
            ("footer_links.0.label_ar", "بوابة مسار"),
            ("footer_links.0.label_fr", "Portail Massar"),
            ("footer_links.0.url", "https://massar.men.gov.ma"),
        ],
    );
    let saved = post_form(&admin, PAGE, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let again = admin.get(PAGE).await;
    assert_eq!(saved.location, PAGE, "back to the settings");
    assert_eq!(
        again.attrs("input[name='contact.email']", "value"),
        ["accueil@dp-kenitra.example"]
    );

    let home = test.get("/dp-kenitra/").await;
    assert!(home.body.contains("+212 5 37 99 88 77"), "the new phone");
    assert!(home.body.contains("accueil@dp-kenitra.example"));
    assert!(home.body.contains("https://instagram.com/dp.kenitra"));
    assert!(home.body.contains("https://massar.men.gov.ma"));
    assert!(home.body.contains("بوابة مسار"));
    assert!(home.body.contains("openstreetmap.org"));
    let logo_src = common::select_attr(&home.html(), "img.brand-logo", "src");
    assert!(
        logo_src.len() == 1 && logo_src != imported,
        "the header shows the library's image: {logo_src:?}"
    );
    let french = test.get("/dp-kenitra/fr/").await;
    assert!(
        french.body.contains("Portail Massar"),
        "the footer link in French"
    );

    // Another node reads the change log and shows the same.
    other_node
        .apply_recorded_changes()
        .await
        .expect("read the log");
    let network = other_node.network();
    let site = network.site_by_slug("dp-kenitra").expect("the site");
    assert_eq!(site.contact.phone.as_deref(), Some("+212 5 37 99 88 77"));
    assert_eq!(
        site.logo_media_id,
        Some(i32::try_from(logo).expect("an id"))
    );
    drop(network);

    // The audit log names who changed what.
    let audit = admin.get("/admin/audit?action=site_settings_update").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("contact"), "{}", audit.body);

    // The API reads the same settings.
    let read = api
        .get("/api/v1/sites/dp-kenitra/settings")
        .await
        .expect(200);
    assert_eq!(read.json["contact"]["phone"], "+212 5 37 99 88 77");
    assert_eq!(read.json["logo_media_id"], json!(logo));
    assert_eq!(read.json["footer_links"][0]["label_fr"], "Portail Massar");
}

#[tokio::test]
async fn a_refused_form_says_what_to_fix_beside_each_field_and_keeps_what_was_typed() {
    let test = TestApp::with_demo().await;
    for lang in ["ar", "fr"] {
        let admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
        let page = admin.get(&format!("{PAGE}?lang={lang}")).await;
        let fields = form_fields(
            &page,
            FORM,
            &[
                ("name_fr", ""),
                ("contact.phone", "05 37 XX"),
                ("contact.email", "accueil@"),
                ("contact.map_url", "javascript:alert(1)"),
                ("social.0.network", "facebook"),
                ("social.0.url", "facebook.com/dp"),
                ("footer_links.0.label_ar", "الوزارة"),
                ("footer_links.0.url", "https://www.men.gov.ma"),
            ],
        );
        let refused = post_form(&admin, &format!("{PAGE}?lang={lang}"), &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        for field in [
            "name_fr",
            "contact.phone",
            "contact.email",
            "contact.map_url",
            "social.0.url",
            "footer_links.0.label_fr",
        ] {
            assert!(
                refused.has(&format!("[data-test='field-error-{field}']")),
                "{lang}: an error beside {field}"
            );
        }
        // What was typed is all there.
        assert_eq!(
            refused.attrs("input[name='contact.phone']", "value"),
            ["05 37 XX"]
        );
        assert_eq!(
            refused.attrs("input[name='social.0.url']", "value"),
            ["facebook.com/dp"]
        );
        assert_eq!(
            refused.attrs("input[name='footer_links.0.label_ar']", "value"),
            ["الوزارة"]
        );
        let errors = refused.texts(".field-error").join(" ");
        match lang {
            "ar" => assert!(
                errors.contains("https://") && errors.contains("مطلوب"),
                "{errors}"
            ),
            _ => assert!(
                errors.contains("obligatoire") && errors.contains("adresse"),
                "{errors}"
            ),
        }
        for english in ["required", "write an", "digits"] {
            assert!(!errors.contains(english), "{lang}: English in {errors}");
        }
    }
    // Nothing was saved.
    let home = test.get("/dp-kenitra/").await;
    assert!(!home.body.contains("05 37 XX"));
}

#[tokio::test]
async fn row_buttons_add_move_and_remove_links_without_losing_what_was_typed() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    let page = admin.get(PAGE).await;
    let mut fields = form_fields(&page, FORM, &[("tagline_fr", "Une école pour tous")]);
    fields.push(("_op".into(), "social.add".into()));
    let added = post_form(&admin, PAGE, &fields).await;
    assert_eq!(added.status, 200);
    let rows = added.texts("[data-test=social-row]").len();
    assert_eq!(rows, page.texts("[data-test=social-row]").len() + 1);
    assert_eq!(
        added.attrs("input[name=tagline_fr]", "value"),
        ["Une école pour tous"],
        "the form is shown again, nothing saved nor lost"
    );
    let mut fields = form_fields(&added, FORM, &[]);
    let last = rows - 1;
    fields.retain(|(k, _)| !k.starts_with(&format!("social.{last}.")));
    fields.push((format!("social.{last}.network"), "telegram".into()));
    fields.push((
        format!("social.{last}.url"),
        "https://t.me/dpkenitra".into(),
    ));
    fields.push(("_op".into(), format!("social.up.{last}")));
    let moved = post_form(&admin, PAGE, &fields).await;
    let urls = moved.attrs("[data-test=social-row] input[type=url]", "value");
    assert_eq!(urls[last - 1], "https://t.me/dpkenitra", "{urls:?}");
    let mut fields = form_fields(&moved, FORM, &[]);
    fields.push(("_op".into(), "social.remove.0".into()));
    let removed = post_form(&admin, PAGE, &fields).await;
    assert_eq!(removed.texts("[data-test=social-row]").len(), rows - 1);
    let saved = post_form(&admin, PAGE, &form_fields(&removed, FORM, &[])).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let home = test.get("/dp-kenitra/fr/").await;
    assert!(home.body.contains("https://t.me/dpkenitra"));
    assert!(home.body.contains("Une école pour tous"));
}

#[tokio::test]
async fn only_the_sites_admins_and_platform_admins_change_its_settings() {
    let test = TestApp::with_demo().await;
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    assert_eq!(
        editor.get("/admin/sites/dp-rabat/settings").await.status,
        403
    );
    let kenitra = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    assert_eq!(
        kenitra.get("/admin/sites/dp-rabat/settings").await.status,
        403
    );
    let platform = Browser::login(&test, ADMIN).await;
    assert_eq!(
        platform.get("/admin/sites/dp-rabat/settings").await.status,
        200
    );

    let editor_api = test.login(EDITOR_RABAT).await;
    editor_api
        .get("/api/v1/sites/dp-rabat/settings")
        .await
        .expect(403);
    let api = test.login(SITE_ADMIN_KENITRA).await;
    let mut settings = api
        .get("/api/v1/sites/dp-kenitra/settings")
        .await
        .expect(200)
        .json;
    for extra in ["site", "logo_url", "themes"] {
        settings.as_object_mut().expect("an object").remove(extra);
    }
    settings["contact"]["email"] = json!("pas une adresse");
    settings["theme"] = json!("neon");
    let refused = api
        .put("/api/v1/sites/dp-kenitra/settings", &settings)
        .await;
    let refused = refused.expect(422);
    let fields = refused.error_fields();
    assert!(fields.contains(&"contact.email".to_owned()), "{fields:?}");
    assert!(fields.contains(&"theme".to_owned()), "{fields:?}");
    settings["contact"]["email"] = json!("contact@dp-kenitra.example");
    settings["theme"] = json!("default");
    settings["tagline_ar"] = json!("مدرسة للجميع");
    let saved = api
        .put("/api/v1/sites/dp-kenitra/settings", &settings)
        .await
        .expect(200);
    assert_eq!(saved.json["theme"], "default");
    let home = test.get("/dp-kenitra/").await;
    assert!(home.body.contains("مدرسة للجميع"));
}

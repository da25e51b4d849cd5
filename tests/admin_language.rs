//! Every admin page speaks the person's language: no English sentence
//! reaches an Arabic or a French page, refusals included (a photo without
//! alt text, a number that is not in the library, a text too long).

mod common;

use std::io::Cursor;

use common::admin::{editor_form, post_form, Answer, Browser};
use common::demo::{EDITOR_RABAT, PUBLISHER_RABAT, SITE_ADMIN_KENITRA};
use common::{ApiClient, TestApp};
use reqwest::Method;
use serde_json::json;

/// Words of English sentences that French and Arabic never use.
const ENGLISH: &[&str] = &[
    "the", "is", "and", "your", "with", "this", "cannot", "must", "not", "has", "have", "please",
    "should", "already", "there", "which", "been", "yet", "give", "write",
];

/// The text a person reads on the page: what they typed (form values,
/// code) is theirs and left out.
fn read_text(page: &Answer) -> String {
    let html = page.html();
    let body = scraper::Selector::parse("body").expect("a selector");
    let mut out = String::new();
    for node in html.select(&body).flat_map(|b| b.descendants()) {
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let theirs = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                matches!(
                    e.name(),
                    "script" | "style" | "textarea" | "option" | "code" | "pre" | "template"
                )
            })
        });
        if !theirs {
            out.push_str(text);
            out.push(' ');
        }
    }
    out
}

fn english_in(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| ENGLISH.contains(&w.to_lowercase().as_str()))
        .map(str::to_owned)
        .collect()
}

fn assert_spoken(label: &str, page: &Answer) {
    let text = read_text(page);
    let found = english_in(&text);
    assert!(
        found.is_empty(),
        "{label}: English words {found:?} in\n{text}"
    );
}

fn jpeg(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, seed])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .expect("a jpeg");
    out
}

/// A photo in Rabat's library with no alt text in any language.
async fn undescribed_photo(client: &ApiClient) -> i64 {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(jpeg(7)).file_name("IMG_2041.jpg"),
    );
    let response = client
        .request(Method::POST, "/api/v1/sites/dp-rabat/media")
        .multipart(form)
        .send()
        .await
        .expect("request");
    common::ApiResponse::read(response).await.expect(201).json["id"]
        .as_i64()
        .expect("an id")
}

#[tokio::test]
async fn no_english_reaches_an_arabic_or_a_french_admin_page() {
    let test = TestApp::with_demo().await;
    let editor_api = test.login(EDITOR_RABAT).await;
    let publisher_api = test.login(PUBLISHER_RABAT).await;
    let photo = undescribed_photo(&editor_api).await;
    // A report whose photo has no alt text: its approval is refused.
    let id = editor_api
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "locale": "ar", "title": "يوم دراسي حول التقويم",
                    "body": format!("نص اليوم الدراسي.\n\n![](media:{photo})")}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    editor_api
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": "submit"}),
        )
        .await
        .expect(200);

    let recommendation = editor_api
        .get("/api/v1/sites/dp-rabat/recommendations")
        .await
        .expect(200)
        .json["recommendations"][0]["id"]
        .as_i64()
        .expect("a recommendation of a published training report");

    for lang in ["ar", "fr"] {
        let editor = Browser::login(&test, EDITOR_RABAT).await;
        let publisher = Browser::login(&test, PUBLISHER_RABAT).await;
        // The interface language is remembered from `?lang=`.
        editor.get(&format!("/admin/?lang={lang}")).await;
        publisher.get(&format!("/admin/?lang={lang}")).await;
        let pages = [
            "/admin/",
            "/admin/sites/dp-rabat/entries",
            "/admin/sites/dp-rabat/entries/new?kind=training_report",
            "/admin/sites/dp-rabat/media",
            "/admin/account",
            "/admin/search?q=التكوين",
            "/admin/entries/999999",
        ];
        for path in pages {
            let page = editor.get(path).await;
            assert_spoken(&format!("{lang} {path}"), &page);
        }
        for path in [
            format!("/admin/entries/{id}"),
            format!("/admin/entries/{id}/review"),
            format!("/admin/entries/{id}/history"),
            "/admin/sites/dp-rabat/recommendations?overdue=1".to_owned(),
            format!("/admin/sites/dp-rabat/recommendations/{recommendation}"),
        ] {
            let page = publisher.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            assert_spoken(&format!("{lang} {path}"), &page);
        }
        let read_only = editor
            .get(&format!(
                "/admin/sites/dp-rabat/recommendations/{recommendation}"
            ))
            .await;
        assert_spoken(&format!("{lang} a recommendation, read only"), &read_only);
        let long_note = "م".repeat(600);
        let path = format!("/admin/sites/dp-rabat/recommendations/{recommendation}");
        for (due_on, note, error) in [
            ("31/12", "", "[data-test=error-due_on]"),
            ("2027-01-15", long_note.as_str(), "[data-test=error-note]"),
        ] {
            let refused = publisher
                .post(
                    &path,
                    &[
                        ("status", "open"),
                        ("owner", ""),
                        ("service", ""),
                        ("due_on", due_on),
                        ("note", note),
                    ],
                )
                .await;
            assert_eq!(refused.status, 422, "{}", refused.body);
            assert!(refused.has(error), "{error}");
            assert_spoken(&format!("{lang} a refused follow-up {error}"), &refused);
        }

        // Refusals that name what to fix.
        let review = publisher.get(&format!("/admin/entries/{id}/review")).await;
        let version = review
            .attrs(
                "[data-test=action-form-approve] input[name=version]",
                "value",
            )
            .into_iter()
            .next()
            .expect("the approve form");
        let refused = publisher
            .post(
                &format!("/admin/entries/{id}/transition"),
                &[("action", "approve"), ("version", &version)],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("IMG_2041.jpg"), "the photo is named");
        assert_spoken(&format!("{lang} approval refused"), &refused);

        let new = editor
            .get("/admin/sites/dp-rabat/entries/new?kind=news")
            .await;
        let refused = post_form(
            &editor,
            "/admin/sites/dp-rabat/entries",
            &editor_form(&new, &[("title", "خبر"), ("body", &"ن".repeat(200_001))]),
        )
        .await;
        assert_eq!(refused.status, 422, "{}", refused.location);
        assert_spoken(&format!("{lang} text too long"), &refused);
        let refused = post_form(
            &editor,
            "/admin/sites/dp-rabat/entries",
            &editor_form(&new, &[("title", "خبر"), ("cover_media", "media:999999")]),
        )
        .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("media:999999"), "the number is named");
        assert_spoken(&format!("{lang} cover not in the library"), &refused);

        // A site's settings, and their refusal.
        let site_admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
        let settings = format!("/admin/sites/dp-kenitra/settings?lang={lang}");
        let page = site_admin.get(&settings).await;
        assert_eq!(page.status, 200);
        assert_spoken(&format!("{lang} site settings"), &page);
        let refused = site_admin
            .post(
                &settings,
                &[
                    ("name_ar", ""),
                    ("contact.email", "x@"),
                    ("contact.phone", "abc"),
                    ("social.0.network", "myspace"),
                    ("social.0.url", "ftp://x"),
                    ("default_locale", "en"),
                    ("theme", "neon"),
                    ("logo_media_id", "999999"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert_spoken(&format!("{lang} site settings refused"), &refused);
        let menu = format!("/admin/sites/dp-kenitra/menu?lang={lang}");
        let page = site_admin.get(&menu).await;
        assert_eq!(page.status, 200);
        assert_spoken(&format!("{lang} menu"), &page);
        let refused = site_admin
            .post(
                &menu,
                &[("kind", "link"), ("label", ""), ("url", "ftp://x")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert_spoken(&format!("{lang} menu refused"), &refused);
    }
    drop(publisher_api);
}

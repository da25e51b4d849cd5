//! What an outside audit found open, each closed and kept closed: who sees
//! an entry's history and text, embargoes, membership by invitation, page
//! numbers, searches without a role, where a photo is used, control
//! characters, translation links, the live preview, answers kept by
//! caches, and a photo of minors whose consent is withdrawn.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test: a panic there is a failing test"
)]

mod common;

use std::io::Cursor;

use common::{demo, ApiClient, ApiResponse, Credential, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use tawasul_app::NewUserInput;

const RABAT: &str = "dp-rabat";
const OUTSIDER: (&str, &str) = ("personne@tawasul.example", "une-phrase-sans-role-2026");

/// Signs in someone who has an account and no role anywhere.
async fn outsider(test: &TestApp) -> ApiClient {
    test.app
        .add_user(NewUserInput {
            email: OUTSIDER.0.to_owned(),
            name: "Personne".to_owned(),
            password: Some(OUTSIDER.1.to_owned()),
            membership: None,
            platform_admin: false,
        })
        .await
        .unwrap();
    test.login(OUTSIDER).await
}

/// A page of the admin (HTML) as the client's session sees it.
async fn admin_get(client: &ApiClient, path: &str) -> ApiResponse {
    ApiResponse::read(
        client
            .request_without_csrf(Method::GET, path)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// An admin form posted with the session's CSRF token.
async fn admin_post(client: &ApiClient, path: &str, fields: &[(&str, &str)]) -> ApiResponse {
    let Credential::Session { csrf, .. } = &client.credential else {
        panic!("a session");
    };
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    ApiResponse::read(
        client
            .request_without_csrf(Method::POST, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn act(client: &ApiClient, id: i64, body: Value) -> ApiResponse {
    client
        .post(&format!("/api/v1/entries/{id}/transitions"), &body)
        .await
}

/// A news item of dp-rabat, written by its editor, sent back once with a
/// reviewer's comment, then published. Returns its id and public URL.
async fn published_news(test: &TestApp, title: &str, comment: &str) -> (i64, String) {
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let id = editor
        .post(
            &format!("/api/v1/sites/{RABAT}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": title,
                    "body": "افتتحت الدورة التكوينية صباح اليوم."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .unwrap();
    act(&editor, id, json!({"action": "submit"}))
        .await
        .expect(200);
    act(
        &publisher,
        id,
        json!({"action": "request_changes", "comment": comment}),
    )
    .await
    .expect(200);
    act(&editor, id, json!({"action": "submit"}))
        .await
        .expect(200);
    act(&publisher, id, json!({"action": "approve"}))
        .await
        .expect(200);
    let url = act(&publisher, id, json!({"action": "publish"}))
        .await
        .expect(200)
        .json["url"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, url)
}

// 1. The admin editor showed any public entry's history to anyone signed in.
#[tokio::test]
async fn someone_without_a_role_opens_neither_the_editor_nor_the_history_of_a_public_entry() {
    let test = TestApp::with_demo().await;
    let comment = "ملاحظة داخلية: صححوا اسم المؤطر";
    let (id, _) = published_news(&test, "يوم دراسي حول التعليم الأولي", comment).await;
    let nobody = outsider(&test).await;

    let editor_page = admin_get(&nobody, &format!("/admin/entries/{id}")).await;
    assert_eq!(editor_page.status, 403, "{}", editor_page.text);
    assert!(!editor_page.text.contains(comment));
    assert!(
        !editor_page.text.contains("افتتحت الدورة"),
        "no Markdown source"
    );
    let history = admin_get(&nobody, &format!("/admin/entries/{id}/history")).await;
    assert_eq!(history.status, 403);
    assert!(!history.text.contains(comment));
    nobody
        .get(&format!("/api/v1/entries/{id}/events"))
        .await
        .expect_problem(403, "forbidden");

    // What readers see stays readable over the API.
    nobody
        .get(&format!("/api/v1/entries/{id}"))
        .await
        .expect(200);
    // Its own editors still work on it.
    let editor = test.login(demo::EDITOR_RABAT).await;
    let page = admin_get(&editor, &format!("/admin/entries/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(comment));
}

// 4. An entry published for a later time leaked before it.
#[tokio::test]
async fn an_embargoed_entry_shows_nowhere_before_its_time_but_to_its_editors() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let entry = |locale: &str, title: &str, at: &str| {
        format!(
            "+++\nkind = \"news\"\nlocale = \"{locale}\"\ntitle = \"{title}\"\nslug = \"{locale}-resultats\"\nstatus = \"published\"\npublished_at = {at}\ntranslation = \"resultats-2027\"\n+++\n\nنص الخبر.\n"
        )
    };
    common::write(
        &dir.path().join("live.md"),
        &entry("fr", "Calendrier des examens", "2026-01-05T09:00:00Z"),
    );
    common::write(
        &dir.path().join("embargo.md"),
        &entry("ar", "نتائج المباراة قبل إعلانها", "2036-06-30T09:00:00Z"),
    );
    test.app.import_markdown(dir.path(), RABAT).await.unwrap();
    let admin = test.login(demo::ADMIN).await;
    let listed = admin
        .get(&format!("/api/v1/sites/{RABAT}/entries?status=published"))
        .await
        .expect(200);
    let find = |title: &str| {
        listed.json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["title"] == title)
            .unwrap_or_else(|| panic!("{title} in {}", listed.text))
            .clone()
    };
    let embargoed = find("نتائج المباراة قبل إعلانها");
    let live = find("Calendrier des examens");
    let id = embargoed["id"].as_i64().unwrap();

    let nobody = outsider(&test).await;
    nobody
        .get(&format!("/api/v1/entries/{id}"))
        .await
        .expect_problem(403, "forbidden");
    let other_editor = test.login(demo::EDITOR_SALE).await;
    other_editor
        .get(&format!("/api/v1/entries/{id}"))
        .await
        .expect_problem(403, "forbidden");
    let refused = admin_get(&nobody, &format!("/admin/entries/{id}")).await;
    assert_eq!(refused.status, 403);
    assert!(!refused.text.contains("نص الخبر"));

    let sitemap = test.get(&format!("/{RABAT}/sitemap.xml")).await;
    assert_eq!(sitemap.status, 200);
    assert!(!sitemap.body.contains("ar-resultats"), "{}", sitemap.body);
    assert!(sitemap.body.contains("fr-resultats"), "{}", sitemap.body);
    let live_url = admin
        .get(&format!("/api/v1/entries/{}", live["id"]))
        .await
        .expect(200)
        .json["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let live_page = test.get(&live_url).await;
    assert_eq!(live_page.status, 200);
    assert!(
        !live_page.body.contains("ar-resultats"),
        "no link to the embargoed translation"
    );

    // Those who work on the site still reach it.
    let editor = test.login(demo::EDITOR_RABAT).await;
    editor
        .get(&format!("/api/v1/entries/{id}"))
        .await
        .expect(200);
}

// 3. A site admin attached any account by id, and the invitation told who
// had an account.
#[tokio::test]
async fn people_join_a_site_by_invitation_and_no_answer_tells_who_has_an_account() {
    let test = TestApp::with_demo().await;
    let kenitra_admin = test.login(demo::SITE_ADMIN_KENITRA).await;
    let editor_rabat = test.login(demo::EDITOR_RABAT).await;
    let someone_elses_id = editor_rabat.user_id();

    kenitra_admin
        .put(
            &format!("/api/v1/sites/dp-kenitra/members/{someone_elses_id}"),
            &json!({"role": "site_admin"}),
        )
        .await
        .expect_problem(404, "not-found");
    kenitra_admin
        .put(
            "/api/v1/sites/dp-kenitra/members/999999",
            &json!({"role": "editor"}),
        )
        .await
        .expect_problem(404, "not-found");
    let members = kenitra_admin
        .get("/api/v1/sites/dp-kenitra/members")
        .await
        .expect(200);
    assert!(
        !members.text.contains(demo::EDITOR_RABAT.0),
        "{}",
        members.text
    );

    // Without a name, a known address and an unknown one get one answer.
    let known = kenitra_admin
        .post(
            "/api/v1/sites/dp-kenitra/members",
            &json!({"email": demo::EDITOR_RABAT.0, "role": "editor"}),
        )
        .await
        .expect_problem(422, "invalid");
    let unknown = kenitra_admin
        .post(
            "/api/v1/sites/dp-kenitra/members",
            &json!({"email": "inconnu@tawasul.example", "role": "editor"}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(known.error_fields(), unknown.error_fields());
    assert_eq!(known.json["errors"], unknown.json["errors"]);
}

// 7. A huge page number panicked the server.
#[tokio::test]
async fn any_page_number_gets_an_answer() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::ADMIN).await;
    for list in ["media", "institutions", "contacts", "entries"] {
        for page in ["9223372036854775807", "18446744073709551615", "1000001"] {
            let response = admin
                .get(&format!("/api/v1/sites/dp-sale/{list}?page={page}"))
                .await;
            assert!(
                matches!(response.status, 200 | 400 | 422),
                "{list} page {page}: {} {}",
                response.status,
                response.text
            );
        }
    }
    let log = admin_get(
        &admin,
        "/admin/sites/dp-sale/outbox?page=9223372036854775807",
    )
    .await;
    assert_eq!(log.status, 200);
}

// 8. Searching a site's entries skipped the role check.
#[tokio::test]
async fn searching_a_site_takes_a_role_on_it_as_listing_does() {
    let test = TestApp::with_demo().await;
    let nobody = outsider(&test).await;
    for path in [
        format!("/admin/sites/{RABAT}/entries"),
        format!("/admin/sites/{RABAT}/entries?q=%D8%A7%D9%84%D8%AA%D8%B9%D9%84%D9%8A%D9%85"),
        format!("/admin/search?site={RABAT}&q=%D8%A7%D9%84%D8%AA%D8%B9%D9%84%D9%8A%D9%85"),
    ] {
        let page = admin_get(&nobody, &path).await;
        assert_eq!(page.status, 403, "{path}");
    }
    let editor_sale = test.login(demo::EDITOR_SALE).await;
    let page = admin_get(
        &editor_sale,
        &format!("/admin/search?site={RABAT}&q=%D8%A7%D9%84%D8%AA%D8%B9%D9%84%D9%8A%D9%85"),
    )
    .await;
    assert_eq!(page.status, 403, "an editor of another directorate");
    let editor = test.login(demo::EDITOR_RABAT).await;
    let page = admin_get(
        &editor,
        &format!("/admin/search?site={RABAT}&q=%D8%A7%D9%84%D8%AA%D8%B9%D9%84%D9%8A%D9%85"),
    )
    .await;
    assert_eq!(page.status, 200);
}

fn small_jpeg(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, seed])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

async fn upload(client: &ApiClient, site: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> i64 {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("صورة.jpg"),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let response = client
        .request(Method::POST, &format!("/api/v1/sites/{site}/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    ApiResponse::read(response).await.expect(201).json["id"]
        .as_i64()
        .unwrap()
}

// 9. A photo's "used in" showed others' drafts and the trash.
#[tokio::test]
async fn where_a_photo_is_used_names_only_entries_the_reader_may_open() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_SALE).await;
    let contributor = test.login(demo::CONTRIBUTOR_ALAMAL).await;
    let media = upload(
        &editor,
        "ecole-al-amal",
        small_jpeg(3),
        &[("alt_ar", "ساحة المدرسة")],
    )
    .await;
    for title in ["مسودة لم تنشر بعد", "مادة في سلة المهملات"] {
        let id = editor
            .post(
                "/api/v1/sites/ecole-al-amal/entries",
                &json!({"kind": "news", "locale": "ar", "title": title,
                        "body": format!("![](media:{media})")}),
            )
            .await
            .expect(201)
            .json["id"]
            .as_i64()
            .unwrap();
        if title.contains("سلة") {
            editor
                .delete(&format!("/api/v1/entries/{id}"))
                .await
                .expect(204);
        }
    }
    let own = contributor
        .post(
            "/api/v1/sites/ecole-al-amal/entries",
            &json!({"kind": "news", "locale": "ar", "title": "مادتي",
                    "body": format!("![](media:{media})")}),
        )
        .await
        .expect(201);

    let item = contributor
        .get(&format!("/api/v1/media/{media}"))
        .await
        .expect(200);
    assert!(!item.text.contains("مسودة لم تنشر بعد"), "{}", item.text);
    assert!(!item.text.contains("سلة المهملات"), "{}", item.text);
    assert_eq!(item.json["used_in"].as_array().unwrap().len(), 1);
    assert_eq!(item.json["used_in"][0]["entry_id"], own.json["id"]);
    let page = admin_get(&contributor, &format!("/admin/media/{media}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("مسودة لم تنشر بعد"));
    assert!(!page.text.contains("سلة المهملات"));
    // The editor sees the draft (and the site's admin would see the trash).
    let seen = editor
        .get(&format!("/api/v1/media/{media}"))
        .await
        .expect(200);
    assert!(seen.text.contains("مسودة لم تنشر بعد"));
}

// 11. A control character in a title killed every mail about the entry.
#[tokio::test]
async fn control_characters_are_refused_at_the_door_with_the_field_named() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let cases = [
        (json!({"title": "ورشة\u{0}تكوينية", "body": "نص"}), "title"),
        (json!({"title": "ورشة\u{85}تكوينية", "body": "نص"}), "title"),
        (json!({"title": "ورشة", "body": "نص\u{1b}[31m"}), "body"),
        (
            json!({"title": "ورشة", "body": "نص", "tags": ["وسم\u{7}"]}),
            "tags.0",
        ),
    ];
    for (mut entry, field) in cases {
        entry["kind"] = json!("news");
        entry["locale"] = json!("ar");
        let refused = editor
            .post(&format!("/api/v1/sites/{RABAT}/entries"), &entry)
            .await
            .expect_problem(422, "invalid");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
        assert!(refused.text.contains("U+00"), "{}", refused.text);
    }
    // Line breaks and tabs are text in a body.
    editor
        .post(
            &format!("/api/v1/sites/{RABAT}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "ورشة",
                    "body": "سطر أول\r\n\tسطر ثان"}),
        )
        .await
        .expect(201);

    // The admin's form keeps what was typed and names the field.
    let Credential::Session { .. } = &editor.credential else {
        panic!()
    };
    let refused = admin_post(
        &editor,
        &format!("/admin/sites/{RABAT}/entries"),
        &[
            ("kind", "news"),
            ("locale", "ar"),
            ("title", "عنوان\u{0}خفي"),
            ("body", "نص محفوظ"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("نص محفوظ"));
    assert!(refused.text.contains("U+0000"), "{}", refused.text);
    assert!(
        refused.text.contains("رمز تحكم"),
        "in the person's language"
    );
}

// 13. `translation_of` wrote to entries the writer could not read.
#[tokio::test]
async fn a_translation_links_only_to_an_entry_its_writer_can_open() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_SALE).await;
    let contributor = test.login(demo::CONTRIBUTOR_ALAMAL).await;
    let hidden = editor
        .post(
            "/api/v1/sites/ecole-al-amal/entries",
            &json!({"kind": "news", "locale": "fr", "title": "Brouillon de l'éditeur", "body": "x"}),
        )
        .await
        .expect(201)
        .json;
    let hidden_id = hidden["id"].as_i64().unwrap();
    let linking = |other: i64| {
        json!({"kind": "news", "locale": "ar", "title": "ترجمة", "body": "نص",
               "translation_of": other})
    };
    let refused = contributor
        .post("/api/v1/sites/ecole-al-amal/entries", &linking(hidden_id))
        .await
        .expect_problem(422, "invalid");
    let missing = contributor
        .post("/api/v1/sites/ecole-al-amal/entries", &linking(999_999))
        .await
        .expect_problem(422, "invalid");
    assert_eq!(
        refused.json["errors"], missing.json["errors"],
        "no answer tells which ids exist"
    );
    let untouched = test
        .app
        .store()
        .entry_any(i32::try_from(hidden_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.translation_key, None);

    // The editor, who can open it, links a translation to it.
    let translation = editor
        .post("/api/v1/sites/ecole-al-amal/entries", &linking(hidden_id))
        .await
        .expect(201);
    assert!(translation.json["id"].as_i64().is_some());
}

// 14. The live preview went out without a policy, for any entry id.
#[tokio::test]
async fn the_live_preview_is_framed_only_here_and_only_for_the_sites_own_people() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let id = editor
        .post(
            &format!("/api/v1/sites/{RABAT}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "مسودة للمعاينة", "body": "نص"}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let fields = [
        ("id", id.as_str()),
        ("kind", "news"),
        ("locale", "ar"),
        ("title", "مسودة للمعاينة"),
        ("body", "نص"),
    ];
    let preview = admin_post(&editor, &format!("/admin/sites/{RABAT}/preview"), &fields).await;
    assert_eq!(preview.status, 200);
    let csp = preview
        .header("content-security-policy")
        .unwrap_or_default();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(preview.header("x-frame-options"), Some("SAMEORIGIN"));

    let editor_sale = test.login(demo::EDITOR_SALE).await;
    let refused = admin_post(&editor_sale, "/admin/sites/dp-sale/preview", &fields).await;
    assert!(
        matches!(refused.status, 403 | 404),
        "{} {}",
        refused.status,
        refused.text
    );
    assert!(!refused.text.contains("مسودة للمعاينة"));
}

// Also: answers of the API are the caller's alone.
#[tokio::test]
async fn no_cache_keeps_what_the_api_answers_a_signed_in_caller() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    for path in [
        "/api/v1/tokens",
        "/api/v1/sites",
        "/api/v1/sites/dp-rabat/entries",
    ] {
        let response = editor.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("cache-control"), Some("no-store"), "{path}");
    }
    let page = test.get("/dp-rabat/").await;
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(!csp.contains("https:;"), "no image from any host: {csp}");
}

// 18. Withdrawing consent after publication changed nothing.
#[tokio::test]
async fn a_photo_of_minors_whose_consent_is_withdrawn_leaves_the_public_site_at_once() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let media = upload(
        &editor,
        RABAT,
        small_jpeg(9),
        &[
            ("alt_ar", "تلاميذ في الساحة"),
            ("depicts_minors", "true"),
            ("rights", "consent_on_file"),
        ],
    )
    .await;
    let id = editor
        .post(
            &format!("/api/v1/sites/{RABAT}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "أنشطة الحياة المدرسية",
                    "body": format!("نص الخبر.\n\n![](media:{media})\n"),
                    "cover_media": media}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .unwrap();
    act(&editor, id, json!({"action": "submit"}))
        .await
        .expect(200);
    act(&publisher, id, json!({"action": "approve"}))
        .await
        .expect(200);
    let url = act(&publisher, id, json!({"action": "publish"}))
        .await
        .expect(200)
        .json["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = test.get(&url).await;
    let pictures = common::select_attr(&before.html(), "picture img", "src");
    assert!(!pictures.is_empty(), "{}", before.body);
    let photo_url = pictures[0].clone();
    assert_eq!(test.get(&photo_url).await.status, 200);

    // The parents withdraw their consent.
    editor
        .put(&format!("/api/v1/media/{media}"), &json!({"rights": "own"}))
        .await
        .expect(200);
    let after = test.get(&url).await;
    assert_eq!(after.status, 200);
    assert!(
        common::select_attr(&after.html(), "picture img", "src").is_empty(),
        "{}",
        after.body
    );
    assert!(!after.body.contains(&photo_url));
    let og = common::select_attr(&after.html(), "meta[property='og:image']", "content");
    assert!(og.is_empty(), "{og:?}");
    assert_eq!(test.get(&photo_url).await.status, 404, "its files are gone");

    // The publishers are told, once each, and the change is recorded.
    let mails = test.app.store().outbox(None, 100).await.unwrap();
    let told: Vec<&str> = mails
        .iter()
        .filter(|m| {
            m.data
                .as_deref()
                .is_some_and(|d| d.contains("photo_withheld"))
        })
        .map(|m| m.to_address.as_str())
        .collect();
    assert!(told.contains(&demo::PUBLISHER_RABAT.0), "{told:?}");
    let mut unique = told.clone();
    unique.dedup();
    assert_eq!(unique.len(), told.len());
    let audit = test.app.store().audit_log(None, 50).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "media_consent_withdrawn"
        && a.target.ends_with(&format!("(media:{media})"))));

    // Consent on file again: the photo comes back.
    editor
        .put(
            &format!("/api/v1/media/{media}"),
            &json!({"rights": "consent_on_file"}),
        )
        .await
        .expect(200);
    let again = test.get(&url).await;
    assert!(!common::select_attr(&again.html(), "picture img", "src").is_empty());
}

// 17. The first third of a JPEG uploaded with 201 and became grey renditions.
#[tokio::test]
async fn a_photo_cut_off_in_transfer_is_refused_with_a_message_saying_so() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let whole = small_jpeg(5);
    let cut = whole[..whole.len() / 3].to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(cut).file_name("cut.jpg"),
    );
    let response = editor
        .request(Method::POST, &format!("/api/v1/sites/{RABAT}/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let refused = ApiResponse::read(response)
        .await
        .expect_problem(422, "truncated-image");
    assert!(
        refused.json["errors"]["file"].as_str().is_some(),
        "{}",
        refused.text
    );
    let library = editor
        .get(&format!("/api/v1/sites/{RABAT}/media"))
        .await
        .expect(200);
    assert!(!library.text.contains("cut.jpg"), "nothing was kept");
}

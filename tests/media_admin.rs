//! The media library in the admin and on the public pages, over real HTTP:
//! the library screens as a browser without script uses them (cookie,
//! CSRF, several files in one form, refusals shown as pages in the user's
//! language), where an item is used and the refusal to delete it, an
//! entry's cover and gallery (editor, API, publishing rules, public page,
//! OpenGraph), linked videos that load nothing before a click, uploaded
//! videos, and the temporary files a crash leaves, removed at start-up.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test: a panic there is a failing test"
)]

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::{Duration, SystemTime};

use common::{demo, select_attr, select_text, ApiClient, ApiResponse, TestApp};
use image::{ImageFormat, Rgb, RgbImage};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

const SITE: &str = "dp-rabat";

/// A photo-like picture, different for each seed.
fn photo(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(31) ^ y.wrapping_mul(17) ^ seed.wrapping_mul(7919)) % 29;
        Rgb([
            ((x * 255 / w) + n).min(255) as u8,
            ((y * 255 / h) + n).min(255) as u8,
            (seed * 40 % 255) as u8,
        ])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .unwrap();
    out
}

/// The smallest file the library takes for an MP4 video: its `ftyp` box.
fn mp4() -> Vec<u8> {
    let mut out = 24u32.to_be_bytes().to_vec();
    out.extend_from_slice(b"ftypisom\0\0\x02\0isomavc1");
    out.extend_from_slice(b"\0\0\0\x08free");
    out.extend_from_slice(&[0u8; 64]);
    out
}

/// A browser without script: its cookies and the CSRF token of its pages.
struct Browser<'a> {
    test: &'a TestApp,
    cookies: BTreeMap<String, String>,
    csrf: String,
}

struct Answer {
    status: u16,
    location: String,
    body: String,
}

impl Answer {
    fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    fn texts(&self, selector: &str) -> Vec<String> {
        select_text(&self.html(), selector)
    }

    fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        select_attr(&self.html(), selector, attr)
    }
}

impl<'a> Browser<'a> {
    async fn signed_in(test: &'a TestApp, (email, password): (&str, &str)) -> Browser<'a> {
        let mut browser = Browser {
            test,
            cookies: BTreeMap::new(),
            csrf: String::new(),
        };
        browser.get("/admin/login").await;
        let answer = browser
            .post_form(
                "/admin/login",
                &[
                    ("email", email),
                    ("password", password),
                    ("next", "/admin/"),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        browser.get("/admin/").await;
        assert!(!browser.csrf.is_empty(), "the dashboard gives a CSRF token");
        browser
    }

    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> Answer {
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(COOKIE, header.join("; "));
        }
        let response = request.send().await.unwrap();
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.text().await.unwrap_or_default();
        let page = scraper::Html::parse_document(&body);
        if let Some(token) = select_attr(&page, "meta[name=csrf-token]", "content")
            .into_iter()
            .find(|t| !t.is_empty())
        {
            self.csrf = token;
        }
        Answer {
            status,
            location,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let request = self.test.client.get(self.test.url(path));
        self.send(request).await
    }

    /// Posts a form with the page's CSRF token first, as the pages do.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all = vec![("_csrf", self.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_form(path, &all).await
    }

    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .test
            .client
            .post(self.test.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", format!("http://{}", self.test.addr))
            .body(body);
        self.send(request).await
    }

    /// The upload form: `_csrf` first, then the files, then `extra`.
    async fn upload(
        &mut self,
        csrf: &str,
        files: Vec<(&str, Vec<u8>)>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut form = reqwest::multipart::Form::new().text("_csrf", csrf.to_owned());
        for (name, bytes) in files {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        for (k, v) in extra {
            form = form.text(k.to_string(), v.to_string());
        }
        let request = self
            .test
            .client
            .post(self.test.url(&format!("/admin/sites/{SITE}/media")))
            .multipart(form);
        self.send(request).await
    }
}

async fn api_upload(
    client: &ApiClient,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> i64 {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let response = client
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{SITE}/media"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let answer = ApiResponse::read(response).await.expect(201);
    answer.json["id"].as_i64().unwrap()
}

async fn transition(client: &ApiClient, id: i64, action: &str) -> ApiResponse {
    client
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({ "action": action }),
        )
        .await
}

#[tokio::test]
async fn the_library_takes_several_files_in_one_form_and_shows_each_refusal_in_arabic() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::signed_in(&test, demo::EDITOR_RABAT).await;

    // The site's screens lead to its library.
    let entries = browser.get(&format!("/admin/sites/{SITE}/entries")).await;
    assert_eq!(
        entries.attrs("[data-test=media-link]", "href"),
        [format!("/admin/sites/{SITE}/media")]
    );
    let library = browser.get(&format!("/admin/sites/{SITE}/media")).await;
    assert_eq!(library.status, 200, "{}", library.body);
    // The demo's imported photos are there already, each described in its
    // entry's language (the other language's alt text is missing).
    assert_eq!(library.texts("[data-test=media-empty]").len(), 0);
    let imported = library.texts("[data-test=media-item]").len();
    assert!(imported > 0);
    let undescribed = library.texts("[data-test=missing-alt]").len();
    assert!(undescribed <= imported, "{undescribed} of {imported}");
    let form_csrf = library.attrs("[data-test=upload-form] input[name=_csrf]", "value");
    assert_eq!(form_csrf, [browser.csrf.clone()]);

    // Without the token, nothing is read.
    let refused = browser
        .upload("forged", vec![("a.jpg", photo(64, 48, 1))], &[])
        .await;
    assert_eq!(refused.status, 403);

    // Two photos and a file that is none: the photos go in, the other is
    // named with the reason, in the interface's language.
    let csrf = browser.csrf.clone();
    let random: Vec<u8> = (0..2048u32).map(|i| (i * 7 + 3) as u8).collect();
    let answer = browser
        .upload(
            &csrf,
            vec![
                ("ورشة-القراءة.jpg", photo(640, 480, 2)),
                ("notes.exe", random),
                ("atelier.jpg", photo(480, 640, 3)),
            ],
            &[("credit", "مصلحة التواصل"), ("rights", "own")],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let results = answer.texts("[data-test=upload-result]");
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(
        results[1].contains("notes.exe") && results[1].contains("غير مقبول"),
        "{results:?}"
    );
    assert_eq!(answer.attrs("[data-test=upload-result] a", "href").len(), 2);
    assert_eq!(answer.texts("[data-test=media-item]").len(), imported + 2);

    // Nothing chosen: a page that says so, not an error.
    let csrf = browser.csrf.clone();
    let none = browser.upload(&csrf, vec![], &[]).await;
    assert_eq!(none.status, 422);
    assert_eq!(none.texts("[data-test=upload-error]").len(), 1);

    // All good: back to the grid with a message.
    let csrf = browser.csrf.clone();
    let all_good = browser
        .upload(&csrf, vec![("third.jpg", photo(320, 240, 4))], &[])
        .await;
    assert_eq!(all_good.status, 303, "{}", all_good.body);
    let grid = browser.get(&all_good.location).await;
    assert_eq!(grid.texts("[data-test=flash]").len(), 1);
    assert_eq!(grid.texts("[data-test=media-item]").len(), imported + 3);
    let thumbnails = grid.attrs("[data-test=media-item] img", "src");
    assert_eq!(thumbnails.len(), imported + 3);
    assert!(thumbnails.iter().all(|src| src.starts_with("/uploads/")));
    // Each new photo lacks its alt texts, and says so.
    assert_eq!(grid.texts("[data-test=missing-alt]").len(), undescribed + 6);

    // Search by name (ورشة القراءة).
    let found = browser
        .get(&format!(
            "/admin/sites/{SITE}/media?q=%D9%88%D8%B1%D8%B4%D8%A9%20%D8%A7%D9%84%D9%82%D8%B1%D8%A7%D8%A1%D8%A9"
        ))
        .await;
    assert_eq!(
        found.texts("[data-test=media-item]").len(),
        1,
        "{}",
        found.body
    );
    let item_url = found.attrs("[data-test=media-item] .media-card-name a", "href")[0].clone();

    // The item's page: the Markdown to copy, renditions, the description.
    let item = browser.get(&item_url).await;
    assert_eq!(item.status, 200);
    let id = item_url.rsplit('/').next().unwrap();
    assert_eq!(
        item.texts("[data-test=snippet]"),
        [format!("![](media:{id})")]
    );
    assert!(item.attrs("[data-test=renditions] a", "href").len() >= 4);
    assert_eq!(item.texts("[data-test=used-nowhere]").len(), 1);
    assert_eq!(item.attrs("input[name=credit]", "value"), ["مصلحة التواصل"]);

    // A focal point out of the image: refused beside its field, with
    // everything typed kept.
    let refused = browser
        .post(
            &item_url,
            &[
                ("alt_ar", "تلاميذ يقرؤون في المكتبة"),
                ("alt_fr", "Des élèves lisent"),
                ("rights", "own"),
                ("focal_x", "1.5"),
                ("focal_y", "0.2"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.texts("[data-test=field-error-focal_x]").len(), 1);
    assert_eq!(refused.attrs("input[name=focal_x]", "value"), ["1.5"]);
    assert_eq!(
        refused.texts("textarea[name=alt_ar]"),
        ["تلاميذ يقرؤون في المكتبة"]
    );

    let saved = browser
        .post(
            &item_url,
            &[
                ("alt_ar", "تلاميذ يقرؤون في المكتبة"),
                ("alt_fr", "Des élèves lisent"),
                ("caption", "ورشة القراءة"),
                ("rights", "consent_on_file"),
                ("depicts_minors", "1"),
                ("focal_x", "0,25"),
                ("focal_y", "0.75"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let item = browser.get(&saved.location).await;
    assert_eq!(item.texts("[data-test=flash]").len(), 1);
    assert_eq!(item.attrs("input[name=focal_x]", "value"), ["0.25"]);
    assert_eq!(item.attrs("#f-depicts_minors[checked]", "value"), ["1"]);
    assert_eq!(item.texts("[data-test=missing-alt]").len(), 0);
    assert_eq!(
        item.texts("[data-test=snippet]"),
        [format!("![تلاميذ يقرؤون في المكتبة](media:{id})")]
    );

    // An editor of another site may not open it.
    let mut outsider = Browser::signed_in(&test, demo::EDITOR_SALE).await;
    let elsewhere = outsider.get(&item_url).await;
    assert_eq!(elsewhere.status, 403);
}

#[tokio::test]
async fn an_item_an_entry_uses_is_not_deleted_and_the_page_names_the_entry() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let media = api_upload(
        &editor,
        "salle.jpg",
        photo(400, 300, 5),
        &[("alt_ar", "القاعة")],
    )
    .await;
    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "تجهيز القاعة", "body": "نص.", "gallery": [media]}),
        )
        .await
        .expect(201);
    let entry_id = entry.json["id"].as_i64().unwrap();
    assert_eq!(entry.json["gallery"], json!([media]));

    let mut browser = Browser::signed_in(&test, demo::EDITOR_RABAT).await;
    let item_url = format!("/admin/media/{media}");
    let page = browser.get(&item_url).await;
    assert_eq!(
        page.attrs("[data-test=used-in] a", "href"),
        [format!("/admin/entries/{entry_id}")]
    );
    let refused = browser.post(&format!("{item_url}/delete"), &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.texts("[data-test=delete-refused]").len(), 1);
    assert!(refused.texts("[data-test=delete-refused] a")[0].contains("تجهيز القاعة"));
    assert_eq!(browser.get(&item_url).await.status, 200, "still there");

    // Out of the gallery, it may go.
    let current = editor
        .get(&format!("/api/v1/entries/{entry_id}"))
        .await
        .expect(200);
    editor
        .put(
            &format!("/api/v1/entries/{entry_id}"),
            &json!({"title": "تجهيز القاعة", "body": "نص.", "gallery": [], "version": current.json["version"]}),
        )
        .await
        .expect(200);
    let page = browser.get(&item_url).await;
    assert_eq!(page.texts("[data-test=used-nowhere]").len(), 1);
    let deleted = browser.post(&format!("{item_url}/delete"), &[]).await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(deleted.location, format!("/admin/sites/{SITE}/media"));
    assert_eq!(browser.get(&item_url).await.status, 404);
}

#[tokio::test]
async fn a_cover_and_a_gallery_go_out_with_their_rules_and_show_as_pictures_and_in_opengraph() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let cover = api_upload(
        &editor,
        "cover.jpg",
        photo(1800, 1200, 6),
        &[("alt_ar", "افتتاح السنة الدراسية")],
    )
    .await;
    let pupils = api_upload(
        &editor,
        "pupils.jpg",
        photo(800, 600, 7),
        &[("alt_ar", "تلاميذ في الساحة"), ("depicts_minors", "true")],
    )
    .await;
    let hall = api_upload(
        &editor,
        "hall.jpg",
        photo(600, 800, 8),
        &[("alt_ar", "القاعة")],
    )
    .await;
    let document = {
        let response = editor
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/sites/{SITE}/media"),
            )
            .multipart(
                reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(
                        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec(),
                    )
                    .file_name("note.pdf"),
                ),
            )
            .send()
            .await
            .unwrap();
        ApiResponse::read(response).await.expect(201).json["id"]
            .as_i64()
            .unwrap()
    };

    // Only the site's photos can be a cover or be in a gallery.
    let refused = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "الدخول المدرسي", "cover_media": document, "gallery": [pupils, 999_999]}),
        )
        .await
        .expect_problem(422, "invalid");
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(fields, ["cover_media", "gallery"], "{}", refused.text);

    let created = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "الدخول المدرسي", "summary": "انطلاق السنة.", "body": "انطلقت السنة الدراسية.", "cover_media": cover, "gallery": [pupils, hall]}),
        )
        .await
        .expect(201);
    let entry_id = created.json["id"].as_i64().unwrap();
    assert_eq!(created.json["cover_media"], cover);
    assert_eq!(created.json["gallery"], json!([pupils, hall]));

    // The editor shows them as chosen photos (the cover, then the gallery
    // in its order), never as numbers to type.
    let mut browser = Browser::signed_in(&test, demo::EDITOR_RABAT).await;
    let editor_page = browser.get(&format!("/admin/entries/{entry_id}")).await;
    assert_eq!(
        editor_page.attrs("input[name=cover_media][checked]", "value"),
        [cover.to_string()]
    );
    assert_eq!(
        editor_page.attrs("input[name=gallery][checked]", "value"),
        [pupils.to_string(), hall.to_string()]
    );
    // The chosen photos first, then the library's latest (the demo's
    // imported photos among them): each a thumbnail, the document not
    // offered.
    let tiles = editor_page.attrs("[data-photo-grid] [data-photo]", "data-photo");
    assert_eq!(
        tiles[..3],
        [cover.to_string(), pupils.to_string(), hall.to_string()]
    );
    assert!(!tiles.contains(&document.to_string()), "{tiles:?}");
    assert_eq!(
        editor_page
            .attrs("[data-photo-grid] [data-photo] img", "src")
            .len(),
        tiles.len(),
        "each photo is a thumbnail"
    );
    assert!(editor_page
        .attrs("input[name=cover_media]", "type")
        .iter()
        .chain(editor_page.attrs("input[name=gallery]", "type").iter())
        .all(|t| t == "radio" || t == "checkbox" || t == "hidden"));
    assert_eq!(
        editor_page.attrs("[data-test=media-library-link]", "href"),
        [format!("/admin/sites/{SITE}/media")]
    );
    let version = editor_page.attrs("input[name=version]", "value")[0].clone();
    let typo = browser
        .post(
            &format!("/admin/entries/{entry_id}"),
            &[
                ("version", &version),
                ("locale", "ar"),
                ("title", "الدخول المدرسي"),
                ("summary", "انطلاق السنة."),
                ("body", "انطلقت السنة الدراسية."),
                ("cover_media", "غلاف"),
                ("gallery", &format!("{pupils} {hall}")),
            ],
        )
        .await;
    assert_eq!(typo.status, 422, "{}", typo.body);
    let said = typo.texts("[data-test=field-error-cover_media]");
    assert_eq!(said.len(), 1);
    assert!(
        said[0].starts_with("تعذر قبول صورة الغلاف"),
        "a lead-in in the page's language, then the detail: {said:?}"
    );
    assert_eq!(
        typo.attrs("input[name=gallery][checked]", "value"),
        [pupils.to_string(), hall.to_string()],
        "the gallery stays as it was sent"
    );

    // A gallery photo of pupils without consent stops the approval, by name.
    transition(&editor, entry_id, "submit").await.expect(200);
    let stopped = transition(&publisher, entry_id, "approve")
        .await
        .expect_problem(422, "invalid");
    let message = stopped.json["errors"]["gallery"].as_str().unwrap();
    assert!(
        message.contains("pupils.jpg") && message.contains("consent"),
        "{message}"
    );
    publisher
        .put(
            &format!("/api/v1/media/{pupils}"),
            &json!({"rights": "consent_on_file"}),
        )
        .await
        .expect(200);
    transition(&publisher, entry_id, "approve")
        .await
        .expect(200);
    let published = transition(&publisher, entry_id, "publish")
        .await
        .expect(200);
    let url = published.json["url"].as_str().unwrap().to_owned();

    let page = test.get(&url).await;
    assert_eq!(page.status, 200);
    let html = page.html();
    // The cover: a responsive picture with its size set.
    let webp = select_attr(
        &html,
        ".entry-cover picture source[type='image/webp']",
        "srcset",
    );
    assert_eq!(webp.len(), 1, "{}", page.body);
    assert!(webp[0].contains(".webp 320w"), "{}", webp[0]);
    let img = select_attr(&html, ".entry-cover picture img", "alt");
    assert_eq!(img, ["افتتاح السنة الدراسية"]);
    assert_eq!(select_attr(&html, ".entry-cover img", "width").len(), 1);
    // OpenGraph: the 1200 px (or larger) JPEG, its size and description.
    let og = select_attr(&html, "meta[property='og:image']", "content");
    assert!(
        og[0].starts_with("http://") && og[0].contains("/uploads/") && og[0].ends_with(".jpg"),
        "{og:?}"
    );
    let width: u32 = select_attr(&html, "meta[property='og:image:width']", "content")[0]
        .parse()
        .unwrap();
    assert!(width >= 1200, "{width}");
    assert_eq!(
        select_attr(&html, "meta[property='og:image:height']", "content").len(),
        1
    );
    assert_eq!(
        select_attr(&html, "meta[property='og:image:alt']", "content"),
        ["افتتاح السنة الدراسية"]
    );
    let og_path = og[0].split_once("/uploads/").unwrap().1;
    let og_image = test.get(&format!("/uploads/{og_path}")).await;
    assert_eq!(og_image.status, 200);
    // The gallery: thumbnails linked to their largest JPEG, in order.
    let links = select_attr(&html, "[data-gallery] a[data-gallery-item]", "href");
    assert_eq!(links.len(), 2, "{}", page.body);
    assert!(links
        .iter()
        .all(|l| l.starts_with("/uploads/") && l.ends_with(".jpg")));
    assert_eq!(
        select_attr(&html, "[data-gallery] img", "alt"),
        ["تلاميذ في الساحة", "القاعة"]
    );
    assert_eq!(select_attr(&html, "script[src*='media.']", "src").len(), 1);

    // Cards show the cover as a picture too.
    let archive = test.get(&format!("/{SITE}/news/")).await;
    let card = select_attr(&archive.html(), ".card picture img.card-cover", "alt");
    assert!(
        card.contains(&"افتتاح السنة الدراسية".to_owned()),
        "{}",
        archive.body
    );

    // A better description of the cover reaches the page and OpenGraph.
    editor
        .put(
            &format!("/api/v1/media/{cover}"),
            &json!({"alt_ar": "افتتاح السنة الدراسية بالمؤسسة"}),
        )
        .await
        .expect(200);
    let page = test.get(&url).await;
    assert_eq!(
        select_attr(&page.html(), "meta[property='og:image:alt']", "content"),
        ["افتتاح السنة الدراسية بالمؤسسة"]
    );
    assert!(
        select_text(&page.html(), ".entry-cover figcaption").is_empty(),
        "no caption, no empty line"
    );

    // The caption and credit typed in the library show under the cover and
    // under the gallery's photo.
    for (id, caption) in [(cover, "حفل الافتتاح"), (hall, "قاعة الأنشطة")] {
        editor
            .put(
                &format!("/api/v1/media/{id}"),
                &json!({"caption": caption, "credit": "مديرية الرباط"}),
            )
            .await
            .expect(200);
    }
    let page = test.get(&url).await;
    assert_eq!(
        select_text(&page.html(), ".entry-cover figcaption"),
        ["حفل الافتتاح · مديرية الرباط"]
    );
    assert_eq!(
        select_text(&page.html(), ".gallery-caption"),
        ["قاعة الأنشطة · مديرية الرباط"]
    );
}

#[tokio::test]
async fn a_linked_video_loads_nothing_before_a_click_and_an_uploaded_one_plays_in_place() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::signed_in(&test, demo::EDITOR_RABAT).await;
    browser.get(&format!("/admin/sites/{SITE}/media")).await;

    // A link to another site is refused on the page, with what was typed.
    let refused = browser
        .post(
            &format!("/admin/sites/{SITE}/media/video"),
            &[
                ("video_url", "https://vimeo.com/123456"),
                ("caption", "حفل"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.texts("[data-test=field-error-video_url]").len(), 1);
    assert_eq!(
        refused.attrs("input[name=video_url]", "value"),
        ["https://vimeo.com/123456"]
    );

    let added = browser
        .post(
            &format!("/admin/sites/{SITE}/media/video"),
            &[
                ("video_url", "https://youtu.be/dQw4w9WgXcQ"),
                ("caption", "حفل التميز"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let video: i64 = added.location.rsplit('/').next().unwrap().parse().unwrap();

    let editor = test.login(demo::EDITOR_RABAT).await;
    let file = api_upload(&editor, "atelier.mp4", mp4(), &[]).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "حفل التميز",
                    "body": format!("شاهدوا الحفل:\n\n![](media:{video})\n\nوالورشة:\n\n![الورشة](media:{file})\n")}),
        )
        .await
        .expect(201);
    let id = entry.json["id"].as_i64().unwrap();
    for (who, action) in [
        (&editor, "submit"),
        (&publisher, "approve"),
        (&publisher, "publish"),
    ] {
        transition(who, id, action).await.expect(200);
    }
    let url = editor.get(&format!("/api/v1/entries/{id}")).await.json["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = test.get(&url).await;
    let html = page.html();
    let placeholder = scraper::Selector::parse(".prose a.video-embed").unwrap();
    let link = html.select(&placeholder).next().expect("a placeholder");
    assert_eq!(
        link.value().attr("href"),
        Some("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    );
    assert_eq!(link.value().attr("data-video-provider"), Some("youtube"));
    assert_eq!(link.value().attr("data-video-id"), Some("dQw4w9WgXcQ"));
    assert!(link.text().collect::<String>().contains("حفل التميز"));
    // Nothing from the video's site is in the page until the click.
    for absent in ["<iframe", "ytimg", "youtube-nocookie", "googlevideo"] {
        assert!(!page.body.contains(absent), "{absent} in the page");
    }
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-src https://www.youtube-nocookie.com https://www.facebook.com;"),
        "{csp}"
    );
    // The uploaded video: the browser's player, nothing fetched before play.
    let players = select_attr(&html, ".prose video[controls][preload=none]", "src");
    assert_eq!(players.len(), 1, "{}", page.body);
    assert!(players[0].starts_with("/uploads/") && players[0].ends_with(".mp4"));
    assert_eq!(test.get(&players[0]).await.status, 200);
}

#[tokio::test]
async fn temporary_upload_files_a_crash_left_go_when_the_server_starts() {
    let mut paths = Vec::new();
    let test = TestApp::start_with(|config| {
        let incoming = config.uploads_dir().join(".incoming");
        std::fs::create_dir_all(&incoming).unwrap();
        for (name, age) in [
            (".upload.1.0.0.tmp", Duration::from_secs(3 * 3600)),
            (".upload.1.1.0.tmp", Duration::from_secs(60)),
        ] {
            let path = incoming.join(name);
            let file = std::fs::File::create(&path).unwrap();
            file.set_modified(SystemTime::now() - age).unwrap();
            paths.push(path);
        }
    })
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while paths[0].exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!paths[0].exists(), "a file of three hours ago is gone");
    assert!(paths[1].exists(), "an upload in progress stays");
    assert_eq!(test.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn a_refused_approval_in_the_admin_names_the_photo_without_alt_text() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let media = api_upload(
        &editor,
        "قسم-بلا-وصف.jpg",
        photo(640, 480, 5),
        &[("rights", "own")],
    )
    .await;
    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "خبر بصورة",
                    "body": format!("نص.\n\n![](media:{media})\n")}),
        )
        .await
        .expect(201);
    let id = entry.json["id"].as_i64().unwrap();
    transition(&editor, id, "submit").await.expect(200);

    let mut publisher = Browser::signed_in(&test, demo::PUBLISHER_RABAT).await;
    publisher.get(&format!("/admin/entries/{id}")).await;
    let refused = publisher
        .post(
            &format!("/admin/entries/{id}/transition"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("قسم-بلا-وصف.jpg"),
        "the page names the photo to describe"
    );
}

#[tokio::test]
async fn an_uploaded_video_answers_byte_ranges_as_phones_ask_for_them() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let mut bytes = mp4();
    bytes.extend((0..4000u32).map(|i| (i % 251) as u8));
    let item = api_upload(&editor, "atelier.mp4", bytes.clone(), &[]).await;
    let url = editor
        .get(&format!("/api/v1/media/{item}"))
        .await
        .expect(200)
        .json["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let len = bytes.len();

    let whole = test.get(&url).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let etag = whole.header("etag").unwrap().to_owned();

    let fetch = |range: String, if_range: Option<String>| {
        let mut request = test.client.get(test.url(&url)).header("range", range);
        if let Some(tag) = if_range {
            request = request.header("if-range", tag);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let range = response
                .headers()
                .get("content-range")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, range, response.bytes().await.unwrap().to_vec())
        }
    };
    // What Safari asks first, then a seek into the middle, then the end.
    let (status, range, body) = fetch("bytes=0-1".into(), None).await;
    assert_eq!(
        (status, range.as_deref()),
        (206, Some(&*format!("bytes 0-1/{len}")))
    );
    assert_eq!(body, bytes[..2]);
    let (status, range, body) = fetch("bytes=1000-2999".into(), Some(etag.clone())).await;
    assert_eq!(status, 206);
    assert_eq!(range.as_deref(), Some(&*format!("bytes 1000-2999/{len}")));
    assert_eq!(body, bytes[1000..3000]);
    let (status, _, body) = fetch("bytes=-10".into(), None).await;
    assert_eq!((status, body.as_slice()), (206, &bytes[len - 10..]));
    // Past the end: 416 naming the length; another version: the whole file.
    let (status, range, _) = fetch(format!("bytes={len}-"), None).await;
    assert_eq!(
        (status, range.as_deref()),
        (416, Some(&*format!("bytes */{len}")))
    );
    let (status, _, body) = fetch("bytes=0-9".into(), Some("\"another\"".into())).await;
    assert_eq!((status, body.len()), (200, len));

    // A theme's files answer ranges too, of the file itself.
    let page = test.get("/dp-rabat/").await;
    let css = select_attr(&page.html(), "link[rel=stylesheet]", "href")
        .into_iter()
        .next()
        .expect("a stylesheet");
    let response = test
        .client
        .get(test.url(&css))
        .header("range", "bytes=0-9")
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 206);
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(response.bytes().await.unwrap().len(), 10);
}

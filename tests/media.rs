//! The media library over HTTP: uploads checked by content and stored once,
//! renditions served for good without EXIF, bad files refused with their
//! status, library images rendered as responsive pictures, and the rule
//! that no photo of minors goes out without consent on file.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test: a panic there is a failing test"
)]

mod common;

use std::io::Cursor;

use common::{demo, ApiClient, ApiResponse, TestApp};
use image::{ImageFormat, Rgb, RgbImage};
use serde_json::{json, Value};

const SITE: &str = "dp-rabat";

/// A photo-like picture: gradients plus noise, so it compresses as a photo.
fn photo(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut state = seed | 1;
    RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state % 24) as u32;
        Rgb([
            ((x * 255 / w) + n).min(255) as u8,
            ((y * 255 / h) + n).min(255) as u8,
            (((x + y) * 128 / (w + h)) + n).min(255) as u8,
        ])
    })
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// An EXIF block as a phone writes it: a camera make, an orientation and
/// a GPS latitude (big-endian TIFF).
fn exif_block(orientation: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    t.extend_from_slice(&3u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 6, 0, 0, 0, 50]);
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 56]);
    t.extend_from_slice(&[0, 0, 0, 0]);
    t.extend_from_slice(b"Phone\0");
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x00, 0x01, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    t.extend_from_slice(&[0x00, 0x02, 0, 5, 0, 0, 0, 3, 0, 0, 0, 86]);
    t.extend_from_slice(&[0, 0, 0, 0]);
    for (num, den) in [(33u32, 1u32), (35, 1), (0, 1)] {
        t.extend_from_slice(&num.to_be_bytes());
        t.extend_from_slice(&den.to_be_bytes());
    }
    t
}

/// A phone photo: landscape pixels with EXIF orientation 6 ("rotate 90°
/// to show"), so it shows portrait, and a GPS position.
fn phone_photo(w: u32, h: u32, seed: u64) -> Vec<u8> {
    // Phones save at a high quality.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&photo(w, h, seed))
        .unwrap();
    let exif = exif_block(6);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((exif.len() + 8) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&exif);
    [&jpeg[..2], &app1, &jpeg[2..]].concat()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[&kind[..], data].concat()).to_be_bytes());
    out
}

/// A tiny PNG whose header declares `w`×`h` pixels: a decompression bomb.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        png_chunk(b"IHDR", &ihdr),
        png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        png_chunk(b"IEND", &[]),
    ]
    .concat()
}

async fn upload_form(
    client: &ApiClient,
    site: &str,
    form: reqwest::multipart::Form,
) -> ApiResponse {
    let response = client
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{site}/media"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    ApiResponse::read(response).await
}

async fn upload(
    client: &ApiClient,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> ApiResponse {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    upload_form(client, SITE, form).await
}

fn id_of(response: &ApiResponse) -> i64 {
    response.json["id"].as_i64().unwrap()
}

fn renditions(item: &Value) -> Vec<Value> {
    item["renditions"].as_array().cloned().unwrap_or_default()
}

fn stored_files(test: &TestApp) -> Vec<String> {
    let mut names = Vec::new();
    let mut dirs = vec![test.app.config.uploads_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            } else {
                names.push(entry.path().display().to_string());
            }
        }
    }
    names.sort();
    names
}

#[tokio::test]
async fn a_phone_photo_becomes_upright_light_renditions_without_exif_stored_once() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let original = phone_photo(1200, 800, 1);

    let first = upload(
        &editor,
        "IMG_2024.jpg",
        original.clone(),
        &[("alt_ar", "ورشة التكوين"), ("rights", "own")],
    )
    .await
    .expect(201);
    let item = &first.json;
    assert_eq!(item["kind"], "image");
    assert_eq!(item["mime"], "image/jpeg");
    assert_eq!(item["original_name"], "IMG_2024.jpg");
    // Orientation 6 is applied: the landscape pixels show portrait.
    assert_eq!(
        (item["width"].as_i64(), item["height"].as_i64()),
        (Some(800), Some(1200))
    );
    let all = renditions(item);
    assert!(all.iter().any(|r| r["format"] == "webp"), "{all:?}");
    assert!(all.iter().any(|r| r["format"] == "jpeg"), "{all:?}");
    assert!(all.iter().any(|r| r["purpose"] == "thumbnail"), "{all:?}");

    for r in &all {
        let url = r["url"].as_str().unwrap();
        let response = test.client.get(test.url(url)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let bytes = response.bytes().await.unwrap();
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&bytes[..]))
                .is_err(),
            "{url} carries EXIF"
        );
        assert!(!bytes.windows(5).any(|w| w == b"Phone"), "{url}");
        let shown = image::load_from_memory(&bytes).unwrap();
        assert!(shown.height() >= shown.width(), "{url} is not upright");
    }
    let largest_jpeg = all
        .iter()
        .filter(|r| r["format"] == "jpeg" && r["purpose"] == "width")
        .map(|r| r["size"].as_i64().unwrap())
        .max()
        .unwrap();
    assert!(
        largest_jpeg < original.len() as i64,
        "the largest rendition ({largest_jpeg} bytes) is lighter than the photo ({} bytes)",
        original.len()
    );

    // The original, with its GPS, is kept out of reach of readers.
    let files_before = stored_files(&test);
    let second = upload(&editor, "copie.jpg", original, &[])
        .await
        .expect(200);
    assert_eq!(id_of(&second), id_of(&first));
    assert_eq!(second.json["created"], false);
    assert_eq!(stored_files(&test), files_before, "nothing stored twice");

    let library = editor
        .get(&format!("/api/v1/sites/{SITE}/media?q=ورشة التكوين"))
        .await
        .expect(200);
    assert_eq!(library.json["total"], 1);
    let none = editor
        .get(&format!("/api/v1/sites/{SITE}/media?q=absent"))
        .await
        .expect(200);
    assert_eq!(none.json["total"], 0);
}

#[tokio::test]
async fn bad_files_are_refused_with_a_clear_status_and_leave_nothing() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;

    // A PNG renamed .jpg is taken for what it is.
    let png = encode(&photo(64, 48, 2), ImageFormat::Png);
    let renamed = upload(&editor, "photo.jpg", png, &[]).await.expect(201);
    assert_eq!(renamed.json["mime"], "image/png");

    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    upload(&editor, "data.jpg", random, &[])
        .await
        .expect_problem(415, "unsupported-type");
    upload(&editor, "empty.jpg", Vec::new(), &[])
        .await
        .expect_problem(422, "empty-file");
    upload(&editor, "bomb.png", png_bomb(30_000, 30_000), &[])
        .await
        .expect_problem(422, "image-too-large");
    upload(
        &editor,
        "photo.jpg",
        phone_photo(64, 48, 3),
        &[("rights", "stolen")],
    )
    .await
    .expect_problem(422, "invalid");

    // A file name that climbs out of the folder is only a label.
    let traversal = upload(
        &editor,
        "../../../etc/passwd.jpg",
        phone_photo(64, 48, 4),
        &[],
    )
    .await
    .expect(201);
    assert_eq!(traversal.json["original_name"], "passwd.jpg");
    let uploads = test.app.config.uploads_dir();
    for file in stored_files(&test) {
        assert!(file.starts_with(&uploads.display().to_string()), "{file}");
        assert!(!file.contains("passwd"), "{file}");
        assert!(!file.ends_with(".tmp"), "a temporary file was left: {file}");
    }
    // The server keeps serving.
    assert_eq!(test.get(&format!("/{SITE}/")).await.status, 200);
}

#[tokio::test]
async fn only_members_of_the_site_see_and_use_its_library() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let outsider = test.login(demo::EDITOR_SALE).await;
    let item = upload(&editor, "a.jpg", phone_photo(64, 48, 5), &[])
        .await
        .expect(201);
    let id = id_of(&item);

    upload(&outsider, "b.jpg", phone_photo(64, 48, 6), &[])
        .await
        .expect_problem(403, "forbidden");
    outsider
        .get(&format!("/api/v1/sites/{SITE}/media"))
        .await
        .expect_problem(403, "forbidden");
    outsider
        .get(&format!("/api/v1/media/{id}"))
        .await
        .expect_problem(403, "forbidden");
    outsider
        .put(&format!("/api/v1/media/{id}"), &json!({"alt_ar": "x"}))
        .await
        .expect_problem(403, "forbidden");
    outsider
        .delete(&format!("/api/v1/media/{id}"))
        .await
        .expect_problem(403, "forbidden");
    test.anonymous()
        .get(&format!("/api/v1/sites/{SITE}/media"))
        .await
        .expect_problem(401, "unauthenticated");
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
async fn a_photo_of_pupils_goes_out_only_with_consent_and_shows_as_a_picture() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let photo_item = upload(
        &editor,
        "تلاميذ-القسم.jpg",
        phone_photo(1200, 800, 7),
        &[
            ("alt_ar", "تلاميذ في القسم"),
            ("depicts_minors", "true"),
            ("rights", "own"),
        ],
    )
    .await
    .expect(201);
    let media = id_of(&photo_item);

    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({
                "kind": "news",
                "locale": "ar",
                "title": "الدخول المدرسي في القسم",
                "body": format!("استقبل التلاميذ في أجواء احتفالية.\n\n![](media:{media})\n"),
            }),
        )
        .await
        .expect(201);
    let entry_id = entry.json["id"].as_i64().unwrap();
    assert!(
        entry.json["html"].as_str().unwrap().contains("<picture>"),
        "{}",
        entry.json["html"]
    );
    transition(&editor, entry_id, "submit").await.expect(200);

    // Minors without consent: refused, and the message names the photo.
    let refused = transition(&publisher, entry_id, "approve")
        .await
        .expect_problem(422, "invalid");
    let message = refused.json["errors"]["body"].as_str().unwrap();
    assert!(message.contains("تلاميذ-القسم.jpg"), "{message}");
    assert!(message.contains("consent"), "{message}");

    // While the entry uses it, the photo cannot be deleted.
    let used = editor
        .get(&format!("/api/v1/media/{media}"))
        .await
        .expect(200);
    assert_eq!(used.json["used_in"][0]["entry_id"], entry_id);
    editor
        .delete(&format!("/api/v1/media/{media}"))
        .await
        .expect_problem(409, "conflict");

    // Consent recorded: it goes out.
    editor
        .put(
            &format!("/api/v1/media/{media}"),
            &json!({ "rights": "consent_on_file" }),
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
    let webp = common::select_attr(&html, "picture source[type='image/webp']", "srcset");
    assert_eq!(webp.len(), 1, "{}", page.body);
    assert!(
        webp[0].contains(".webp ") && webp[0].contains("w,"),
        "{}",
        webp[0]
    );
    let img = scraper::Selector::parse("picture img").unwrap();
    let img = html.select(&img).next().expect("an img in the picture");
    assert_eq!(img.value().attr("alt"), Some("تلاميذ في القسم"));
    assert!(img.value().attr("srcset").unwrap().contains(".jpg "));
    assert!(img.value().attr("width").is_some() && img.value().attr("height").is_some());
    assert!(!page.body.contains("media:"), "{}", page.body);

    // A better description reaches the public page without a new version.
    editor
        .put(
            &format!("/api/v1/media/{media}"),
            &json!({ "alt_ar": "تلاميذ القسم الأول في يوم الدخول" }),
        )
        .await
        .expect(200);
    let page = test.get(&url).await;
    assert!(
        page.body.contains("تلاميذ القسم الأول في يوم الدخول"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn an_image_without_alt_text_in_the_entrys_language_is_named_on_publishing() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let item = upload(
        &editor,
        "atelier.jpg",
        phone_photo(320, 240, 8),
        &[("alt_ar", "ورشة")],
    )
    .await
    .expect(201);
    let media = id_of(&item);
    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({
                "kind": "news",
                "locale": "fr",
                "title": "Atelier de formation",
                "body": format!("Les enseignants en atelier.\n\n![](media:{media})\n"),
            }),
        )
        .await
        .expect(201);
    let entry_id = entry.json["id"].as_i64().unwrap();
    transition(&editor, entry_id, "submit").await.expect(200);
    let refused = transition(&publisher, entry_id, "approve")
        .await
        .expect_problem(422, "invalid");
    let message = refused.json["errors"]["body"].as_str().unwrap();
    assert!(
        message.contains("atelier.jpg") && message.contains("French"),
        "{message}"
    );

    editor
        .put(
            &format!("/api/v1/media/{media}"),
            &json!({ "alt_fr": "Enseignants en atelier" }),
        )
        .await
        .expect(200);
    transition(&publisher, entry_id, "approve")
        .await
        .expect(200);

    // Unused, it may go: its files too.
    let loose = upload(
        &editor,
        "loose.png",
        encode(&photo(40, 30, 9), ImageFormat::Png),
        &[],
    )
    .await
    .expect(201);
    let loose_files: Vec<String> = renditions(&loose.json)
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect();
    editor
        .delete(&format!("/api/v1/media/{}", id_of(&loose)))
        .await
        .expect(204);
    for url in loose_files {
        assert_eq!(test.get(&url).await.status, 404, "{url}");
    }
}

#[tokio::test]
async fn restoring_an_old_version_brings_its_photos_back_as_pictures() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let item = upload(
        &editor,
        "ورشة.jpg",
        phone_photo(900, 600, 11),
        &[("alt_ar", "ورشة القراءة"), ("rights", "own")],
    )
    .await
    .expect(201);
    let media = id_of(&item);
    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({
                "kind": "news", "locale": "ar", "title": "ورشة القراءة",
                "body": format!("نص الورشة.\n\n![](media:{media})\n"),
            }),
        )
        .await
        .expect(201);
    let id = entry.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/entries/{id}");
    editor
        .put(
            &path,
            &json!({"version": 1, "title": "ورشة القراءة", "body": "نص بلا صورة."}),
        )
        .await
        .expect(200);
    let restored = editor
        .post(
            &format!("{path}/revisions/1/restore"),
            &json!({"version": 2}),
        )
        .await
        .expect(200);
    let html = restored.json["html"].as_str().unwrap();
    assert!(html.contains("<picture>"), "{html}");
    assert!(html.contains("ورشة القراءة"), "the alt text: {html}");
}

#[tokio::test]
async fn restoring_an_old_version_brings_back_its_cover_and_gallery() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let mut ids = Vec::new();
    for (name, seed) in [("أ.jpg", 21), ("ب.jpg", 22)] {
        let item = upload(
            &editor,
            name,
            phone_photo(900, 600, seed),
            &[("alt_ar", "صورة"), ("rights", "own")],
        )
        .await
        .expect(201);
        ids.push(id_of(&item));
    }
    let (a, b) = (ids[0], ids[1]);
    let entry = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "locale": "ar", "title": "صور الورشة", "body": "نص.",
                    "cover_media": a}),
        )
        .await
        .expect(201);
    let id = entry.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/entries/{id}");
    let changed = editor
        .put(
            &path,
            &json!({"version": 1, "title": "صور الورشة", "body": "نص.",
                    "cover_media": b, "gallery": [a, b]}),
        )
        .await
        .expect(200);
    assert_eq!(changed.json["cover_media"], b);

    let restored = editor
        .post(
            &format!("{path}/revisions/1/restore"),
            &json!({"version": 2}),
        )
        .await
        .expect(200);
    assert_eq!(restored.json["cover_media"], a, "version 1's cover");
    assert_eq!(
        restored.json["gallery"],
        json!([]),
        "version 1 had no gallery"
    );

    // The history says what changed in the photos.
    let diff = editor
        .get(&format!("{path}/diff?from=1&to=2"))
        .await
        .expect(200);
    let fields = diff.json["fields"].to_string();
    assert!(fields.contains(&format!("media:{b}")), "{fields}");

    let again = editor
        .post(
            &format!("{path}/revisions/2/restore"),
            &json!({"version": 3}),
        )
        .await
        .expect(200);
    assert_eq!(again.json["cover_media"], b);
    assert_eq!(again.json["gallery"], json!([a, b]));
}

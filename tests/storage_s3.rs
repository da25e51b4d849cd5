//! Media in an S3-compatible bucket, so that web nodes keep nothing of
//! their own: a real S3 server (`s3s-fs`, which checks request signatures)
//! on a loopback port, serving a temporary folder; the app stores uploads,
//! renditions and originals there and serves them through `/uploads` with
//! their ETag, 304 and byte ranges; a second node on another data folder
//! serves the same photo; a wrong key stops the start with a sentence; and
//! `tawasul storage migrate` moves a local library into the bucket once.
//!
//! Without `s3s-fs` on the PATH each test says it was skipped and passes,
//! unless `TAWASUL_REQUIRE_S3=1` (CI), where that is a failure.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test: a panic there is a failing test"
)]

mod common;

use std::path::Path;

use common::s3::{free_port, photo, video, S3Server, BUCKET};
use common::{demo, ApiClient, ApiResponse, TestApp};
use tawasul_app::{App, Config};

const SITE: &str = "dp-rabat";

async fn upload(client: &ApiClient, name: &str, bytes: Vec<u8>) -> ApiResponse {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        )
        .text("alt_ar", "صورة")
        .text("rights", "own");
    let response = client
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{SITE}/media"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    ApiResponse::read(response).await
}

/// Every file under `dir`, hidden ones left out.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_photo_uploaded_through_one_node_is_served_from_the_bucket_by_another() {
    let Some(s3) =
        S3Server::start("a_photo_uploaded_through_one_node_is_served_from_the_bucket_by_another")
    else {
        return;
    };
    let test = TestApp::with_demo_and(|config| s3.configure(config)).await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    // The demo's imported photos are library items: their originals are
    // in the bucket already.
    let before = files_under(&s3.object("originals")).len();
    let uploaded = upload(&editor, "atelier.jpg", photo(1400, 900, 7))
        .await
        .expect(201);
    let item = uploaded.json;
    let renditions: Vec<String> = item["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect();
    assert!(renditions.len() >= 4, "{item}");

    // Renditions and the original are objects of the bucket; the node's
    // own uploads folder keeps none of them.
    for url in &renditions {
        let name = url.strip_prefix("/uploads/").unwrap();
        assert!(s3.object(name).is_file(), "{name} is not in the bucket");
    }
    let originals = files_under(&s3.object("originals"));
    assert_eq!(originals.len(), before + 1, "{originals:?}");
    assert!(
        files_under(&test.app.config.uploads_dir()).is_empty(),
        "{:?}",
        files_under(&test.app.config.uploads_dir())
    );
    // The original keeps the phone's GPS: it has no address.
    let original = test
        .get(&format!("/uploads/originals%2F{}", originals[0]))
        .await;
    assert_eq!(original.status, 404);

    let url = &renditions[0];
    let whole = test.client.get(test.url(url)).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        whole.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let body = whole.bytes().await.unwrap();
    let name = url.strip_prefix("/uploads/").unwrap();
    assert_eq!(body.as_ref(), std::fs::read(s3.object(name)).unwrap());
    assert_eq!(etag, format!("\"{}\"", name.split('.').next().unwrap()));

    let again = test.get_with(url, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);

    let part = test
        .client
        .get(test.url(url))
        .header("range", "bytes=10-109")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 10-109/{}", body.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &body[10..110]);
    let past = test
        .get_with(url, &[("range", &format!("bytes={}-", body.len()))])
        .await;
    assert_eq!(past.status, 416);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{}", body.len()).as_str())
    );
    assert_eq!(
        test.get(&format!("/uploads/{}.jpg", "0".repeat(64)))
            .await
            .status,
        404
    );

    // Another node: same database and bucket, a data folder of its own.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut config = test.app.config.clone();
    config.database.url = test.app.config.database_url();
    config.paths.data = elsewhere.path().to_owned();
    let other = common::serve_node(App::open(config).await.unwrap()).await;
    for url in &renditions {
        let response = test
            .client
            .get(format!("http://{other}{url}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{url} on the other node");
        let name = url.strip_prefix("/uploads/").unwrap();
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            std::fs::read(s3.object(name)).unwrap()
        );
    }
}

#[tokio::test]
async fn a_video_larger_than_a_part_is_uploaded_in_parts_and_played_by_ranges() {
    let Some(s3) =
        S3Server::start("a_video_larger_than_a_part_is_uploaded_in_parts_and_played_by_ranges")
    else {
        return;
    };
    let test = TestApp::with_demo_and(|config| s3.configure(config)).await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    // Past one 8 MiB part: a multipart upload of two parts.
    let bytes = video(9 * 1024 * 1024 + 123);
    let item = upload(&editor, "sortie.mp4", bytes.clone())
        .await
        .expect(201)
        .json;
    assert_eq!(item["kind"], "video");
    let url = item["url"].as_str().unwrap();
    let name = url.strip_prefix("/uploads/").unwrap();
    assert_eq!(std::fs::read(s3.object(name)).unwrap(), bytes);

    // A player seeking across the parts' boundary, and to the end.
    let boundary = 8 * 1024 * 1024;
    for (range, expected) in [
        (
            format!("bytes={}-{}", boundary - 100, boundary + 99),
            &bytes[boundary - 100..boundary + 100],
        ),
        ("bytes=-1000".to_owned(), &bytes[bytes.len() - 1000..]),
    ] {
        let response = test
            .client
            .get(test.url(url))
            .header("range", &range)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 206, "{range}");
        assert_eq!(response.headers()["content-type"], "video/mp4");
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            expected,
            "{range}"
        );
    }
    let whole = test.client.get(test.url(url)).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(
        whole.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &bytes[..]);
}

#[tokio::test]
async fn a_wrong_key_a_missing_bucket_or_no_server_stop_the_start_with_a_sentence() {
    let Some(s3) =
        S3Server::start("a_wrong_key_a_missing_bucket_or_no_server_stop_the_start_with_a_sentence")
    else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let open = |adjust: &dyn Fn(&mut Config)| {
        let mut config = Config::default();
        config.paths.data = data.path().to_owned();
        s3.configure(&mut config);
        adjust(&mut config);
        async move { App::open(config).await.unwrap_err().to_string() }
    };

    let message = open(&|c| c.storage.secret_access_key = "wrong-secret".to_owned()).await;
    assert!(
        message.contains("refused the access key")
            && message.contains("TAWASUL_S3_SECRET_ACCESS_KEY")
            && message.contains(&s3.endpoint),
        "{message}"
    );
    let message = open(&|c| c.storage.access_key_id = "nobody".to_owned()).await;
    assert!(message.contains("TAWASUL_S3_ACCESS_KEY_ID"), "{message}");

    let message = open(&|c| c.storage.bucket = "no-such-bucket".to_owned()).await;
    assert!(
        message.contains("storage.bucket `no-such-bucket`") && message.contains("does not exist"),
        "{message}"
    );

    let closed = format!("http://127.0.0.1:{}", free_port());
    let message = open(&|c| c.storage.endpoint = closed.clone()).await;
    assert!(
        message.contains(&format!("storage.endpoint {closed}")),
        "{message}"
    );

    let message = open(&|c| c.storage.secret_access_key = String::new()).await;
    assert!(
        message.contains("TAWASUL_S3_SECRET_ACCESS_KEY"),
        "{message}"
    );
    // Nothing was left in the bucket by the checks.
    assert!(files_under(&s3.root.path().join(BUCKET)).is_empty());
}

#[tokio::test]
async fn storage_migrate_moves_a_local_library_into_the_bucket_and_a_second_run_copies_nothing() {
    let Some(s3) = S3Server::start(
        "storage_migrate_moves_a_local_library_into_the_bucket_and_a_second_run_copies_nothing",
    ) else {
        return;
    };
    // A network that ran on one server, with its files on the local disk.
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let item = upload(&editor, "atelier.jpg", photo(1200, 800, 3))
        .await
        .expect(201)
        .json;
    let local = test.app.config.uploads_dir();
    let files = files_under(&local);
    assert!(
        files.iter().any(|f| f.starts_with("originals/")),
        "{files:?}"
    );

    // The same database, now with [storage] pointing at the bucket.
    let mut config = test.app.config.clone();
    config.database.url = test.app.config.database_url();
    s3.configure(&mut config);
    let app = App::open(config).await.unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |done: u64, total: u64| seen.lock().unwrap().push((done, total));
    let first = app.migrate_uploads(&local, &progress).await.unwrap();
    assert_eq!(first.files, files.len() as u64);
    assert_eq!((first.copied, first.already_there), (files.len() as u64, 0));
    assert!(first.damaged.is_empty() && first.ignored.is_empty());
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&(files.len() as u64, files.len() as u64))
    );
    for file in &files {
        assert_eq!(
            std::fs::read(s3.object(file)).unwrap(),
            std::fs::read(local.join(file)).unwrap(),
            "{file}"
        );
    }

    let second = app.migrate_uploads(&local, &|_, _| {}).await.unwrap();
    assert_eq!(
        (second.copied, second.already_there),
        (0, files.len() as u64)
    );

    // A node on the bucket serves what the single server had stored.
    let node = common::serve_node(app).await;
    let thumbnail = item["thumbnail_url"].as_str().unwrap();
    let response = test
        .client
        .get(format!("http://{node}{thumbnail}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // With the local backend there is nothing to migrate, and it says so.
    let refused = test
        .app
        .migrate_uploads(&local, &|_, _| {})
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("storage.backend"), "{refused}");
}

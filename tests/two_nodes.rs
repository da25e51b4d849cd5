//! Two web nodes as a network runs them behind a proxy: two `tawasul serve`
//! processes on one database (PostgreSQL when `TAWASUL_TEST_DATABASE_URL`
//! names a server, as in CI; else one SQLite file) and one S3 bucket
//! (`s3s-fs`), each with its own data folder and so its own search index.
//! What one node receives, the other serves: a photo with its renditions, a
//! published entry on its cached pages and in its search; an entry
//! scheduled for publication is published once between them.
//!
//! Without `s3s-fs` on the PATH the test says it was skipped and passes,
//! unless `TAWASUL_REQUIRE_S3=1` (CI).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::s3::{free_port, photo, S3Server, ACCESS_KEY, BUCKET, PREFIX, SECRET_KEY};
use common::{demo, demo_content, login_at, ApiClient, ApiResponse};
use serde_json::json;
use tawasul_app::{App, Config};
use tempfile::TempDir;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const SITE: &str = "dp-rabat";
/// How long a node may take to see another's change. Generous: this is a
/// bound for a loaded CI machine, not a measure (the change log is read
/// four times a second).
const PATIENCE: Duration = Duration::from_secs(20);

/// A `tawasul serve` process on a free port, with a data folder of its own.
/// Stopped when dropped; its log is printed when the test fails.
struct Node {
    child: Child,
    base: String,
    data: TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log =
                std::fs::read_to_string(self.data.path().join("server.log")).unwrap_or_default();
            eprintln!("--- log of the node at {}:\n{log}", self.base);
        }
    }
}

impl Node {
    async fn start(database_url: &str, s3: &S3Server, client: &reqwest::Client) -> Node {
        let data = tempfile::tempdir().expect("a data folder");
        let port = free_port();
        let log = std::fs::File::create(data.path().join("server.log")).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_tawasul"))
            .arg("serve")
            .arg("--data")
            .arg(data.path())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("TAWASUL_DATABASE_URL", database_url)
            .env("TAWASUL_STORAGE_BACKEND", "s3")
            .env("TAWASUL_STORAGE_ENDPOINT", &s3.endpoint)
            .env("TAWASUL_STORAGE_REGION", "us-east-1")
            .env("TAWASUL_STORAGE_BUCKET", BUCKET)
            .env("TAWASUL_STORAGE_PATH_STYLE", "true")
            .env("TAWASUL_STORAGE_PREFIX", PREFIX)
            .env("TAWASUL_S3_ACCESS_KEY_ID", ACCESS_KEY)
            .env("TAWASUL_S3_SECRET_ACCESS_KEY", SECRET_KEY)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start tawasul serve");
        let node = Node {
            child,
            base: format!("http://127.0.0.1:{port}"),
            data,
        };
        let started = std::time::Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", node.base)).send().await {
                if r.status() == 200 {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the node at {} did not answer /healthz",
                node.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        node
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Polls `check` until it holds or [`PATIENCE`] runs out.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !check().await {
        assert!(started.elapsed() < PATIENCE, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn upload_photo(editor: &ApiClient) -> ApiResponse {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(photo(1400, 900, 11)).file_name("atelier.jpg"),
        )
        .text("alt_ar", "ورشة تكوينية")
        .text("rights", "own");
    let response = editor
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{SITE}/media"),
        )
        .multipart(form)
        .send()
        .await
        .expect("upload");
    ApiResponse::read(response).await
}

/// A news entry written, reviewed and approved on one node; returns its id.
async fn approved_news(editor: &ApiClient, publisher: &ApiClient, title: &str) -> i64 {
    let created = editor
        .post(
            &format!("/api/v1/sites/{SITE}/entries"),
            &json!({"kind": "news", "title": title, "body": "يوم دراسي حول التعلم الرقمي."}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    let path = format!("/api/v1/entries/{id}/transitions");
    editor
        .post(&path, &json!({"action": "submit"}))
        .await
        .expect(200);
    publisher
        .post(&path, &json!({"action": "approve"}))
        .await
        .expect(200);
    id
}

async fn publish_events(client: &ApiClient, id: i64) -> usize {
    let events = client
        .get(&format!("/api/v1/entries/{id}/events"))
        .await
        .expect(200);
    events.json["events"]
        .as_array()
        .expect("a list of events")
        .iter()
        .filter(|e| e["action"] == "publish")
        .count()
}

#[tokio::test]
async fn two_server_processes_on_one_database_and_one_bucket_serve_the_same_network() {
    let Some(s3) = S3Server::start(
        "two_server_processes_on_one_database_and_one_bucket_serve_the_same_network",
    ) else {
        return;
    };
    let shared = tempfile::tempdir().expect("temp dir");
    let database_url = match common::test_database_url().await {
        Some(url) => url,
        None => format!(
            "sqlite://{}?mode=rwc",
            shared.path().join("network.db").display()
        ),
    };
    // The network is loaded once, as `tawasul import` would before the
    // nodes start.
    {
        let mut config = Config::default();
        config.paths.data = shared.path().join("loader");
        config.database.url = database_url.clone();
        s3.configure(&mut config);
        let app = App::open(config).await.expect("open the app");
        app.load_network(&demo_content())
            .await
            .expect("load the demo network");
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let first = Node::start(&database_url, &s3, &client).await;
    let second = Node::start(&database_url, &s3, &client).await;
    let editor = login_at(&client, &first.base, demo::EDITOR_RABAT).await;
    let publisher = login_at(&client, &first.base, demo::PUBLISHER_RABAT).await;

    // A photo uploaded through the first node: the second serves it and
    // every rendition, with the same bytes.
    let item = upload_photo(&editor).await.expect(201).json;
    let renditions: Vec<String> = item["renditions"]
        .as_array()
        .expect("renditions")
        .iter()
        .filter_map(|r| r["url"].as_str().map(str::to_owned))
        .collect();
    assert!(renditions.len() >= 4, "{item}");
    for url in &renditions {
        let here = client.get(first.url(url)).send().await.expect("get");
        let there = client.get(second.url(url)).send().await.expect("get");
        assert_eq!(
            (here.status().as_u16(), there.status().as_u16()),
            (200, 200),
            "{url}"
        );
        assert_eq!(
            here.bytes().await.expect("body"),
            there.bytes().await.expect("body"),
            "{url}"
        );
    }

    // The second node's news archive is in its cache before the publish…
    let archive = second.url(&format!("/{SITE}/news"));
    let before = client.get(&archive).send().await.expect("archive");
    assert_eq!(before.status(), 200);
    let title = "يوم دراسي حول التعلم الرقمي بالمديرية";
    assert!(!before.text().await.expect("body").contains(title));
    let id = approved_news(&editor, &publisher, title).await;
    publisher
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": "publish"}),
        )
        .await
        .expect(200);
    // …and shows the entry once the first node published it; its own
    // index finds it too.
    eventually("the second node's archive shows the new entry", || {
        let (client, archive) = (client.clone(), archive.clone());
        async move {
            let page = client.get(&archive).send().await.expect("archive");
            page.status() == 200 && page.text().await.expect("body").contains(title)
        }
    })
    .await;
    let search = second.url("/api/v1/search?q=%D8%A7%D9%84%D8%B1%D9%82%D9%85%D9%8A");
    eventually("the second node's search finds the new entry", || {
        let (client, search) = (client.clone(), search.clone());
        async move {
            let found = client.get(&search).send().await.expect("search");
            assert_eq!(found.status(), 200, "search on the second node");
            let body: serde_json::Value =
                serde_json::from_str(&found.text().await.expect("body")).expect("json");
            body["hits"]
                .as_array()
                .is_some_and(|hits| hits.iter().any(|h| h["id"].as_i64() == Some(id)))
        }
    })
    .await;

    // An entry scheduled a few seconds ahead: both nodes watch the clock,
    // one publishes it, once.
    let scheduled = approved_news(&editor, &publisher, "إعلان عن مباراة ولوج المراكز").await;
    let at = (OffsetDateTime::now_utc() + time::Duration::seconds(3))
        .format(&Rfc3339)
        .expect("a date");
    let answer = publisher
        .post(
            &format!("/api/v1/entries/{scheduled}/transitions"),
            &json!({"action": "publish", "at": at}),
        )
        .await
        .expect(200);
    assert_eq!(answer.json["status"], "approved", "{}", answer.text);
    let reader = login_at(&client, &second.base, demo::PUBLISHER_RABAT).await;
    eventually("the scheduled entry is published", || {
        let reader = reader.clone();
        async move {
            reader
                .get(&format!("/api/v1/entries/{scheduled}"))
                .await
                .expect(200)
                .json["status"]
                == "published"
        }
    })
    .await;
    // Both nodes have looked at the clock again since.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(publish_events(&reader, scheduled).await, 1);
}

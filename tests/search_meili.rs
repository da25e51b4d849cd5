//! A network on Meilisearch (`search.backend = "meilisearch"`) indexes,
//! searches, filters and highlights like one on the embedded index; while
//! the engine is down the public page says so, and what changed meanwhile
//! is indexed once it is back.
//!
//! The server is `TAWASUL_TEST_MEILI_URL` (with `TAWASUL_TEST_MEILI_KEY`),
//! as `.ci/run` starts it, or else a `meilisearch` binary on the PATH that
//! the test starts itself; with neither, the tests that need one say they
//! are skipped. The test of an engine that does not answer needs none.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{demo, TestApp};
use serde_json::json;

const MASTER_KEY: &str = "tawasul-test-master-key-0123456789";

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A Meilisearch server this test started; stopped when dropped.
struct Spawned {
    child: Child,
    _db: tempfile::TempDir,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary_on_path() -> bool {
    Command::new("meilisearch")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts `meilisearch` on this port and waits until it answers.
async fn spawn_meilisearch(port: u16) -> Spawned {
    let db = tempfile::tempdir().expect("temp dir");
    let child = Command::new("meilisearch")
        .arg("--db-path")
        .arg(db.path().join("data.ms"))
        .arg("--dump-dir")
        .arg(db.path().join("dumps"))
        .args(["--http-addr", &format!("127.0.0.1:{port}")])
        .args([
            "--master-key",
            MASTER_KEY,
            "--no-analytics",
            "--env",
            "development",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start meilisearch");
    let spawned = Spawned { child, _db: db };
    let health = format!("http://127.0.0.1:{port}/health");
    for _ in 0..200 {
        if reqwest::get(&health)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return spawned;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("meilisearch did not answer on port {port}");
}

/// The server to test against: its URL, key, and the process when this
/// test started it. `None` (and a message) when there is none.
async fn meilisearch(test: &str) -> Option<(String, String, Option<Spawned>)> {
    if let Ok(url) = std::env::var("TAWASUL_TEST_MEILI_URL") {
        let key = std::env::var("TAWASUL_TEST_MEILI_KEY").unwrap_or_default();
        return Some((url, key, None));
    }
    if binary_on_path() {
        let port = free_port();
        let spawned = spawn_meilisearch(port).await;
        return Some((
            format!("http://127.0.0.1:{port}"),
            MASTER_KEY.to_owned(),
            Some(spawned),
        ));
    }
    eprintln!("{test}: skipped: no TAWASUL_TEST_MEILI_URL and no `meilisearch` binary on the PATH");
    None
}

fn unique_index(name: &str) -> String {
    format!("tawasul_e2e_{name}_{}", std::process::id())
}

/// Publishes a news entry on dp-rabat and returns its id.
async fn publish_news(test: &TestApp, title: &str, body: &str) -> i64 {
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let id = editor
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "title": title, "body": body}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("id");
    let path = format!("/api/v1/entries/{id}/transitions");
    for action in ["submit", "approve", "publish"] {
        let who = if action == "submit" {
            &editor
        } else {
            &publisher
        };
        who.post(&path, &json!({"action": action}))
            .await
            .expect(200);
    }
    id
}

async fn hit_ids(test: &TestApp, query: &str) -> Vec<i64> {
    test.app.sync_search().await.expect("sync the index");
    let found = test
        .anonymous()
        .get(&format!("/api/v1/search?{query}"))
        .await
        .expect(200);
    found.json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_i64())
        .collect()
}

#[tokio::test]
async fn a_network_on_meilisearch_searches_like_the_embedded_one() {
    let Some((url, key, _server)) =
        meilisearch("a_network_on_meilisearch_searches_like_the_embedded_one").await
    else {
        return;
    };
    let index = unique_index("network");
    let test = TestApp::with_demo_and(|c| {
        c.search.backend = "meilisearch".to_owned();
        c.search.url = url.clone();
        c.search.index = index.clone();
        c.search.api_key = key.clone();
    })
    .await;
    let engine = test.app.search_index().expect("the engine is open");
    assert_eq!(engine.engine(), "meilisearch");
    let health = test.get("/healthz").await;
    assert_eq!(health.body, "ok\nsearch: meilisearch ok\n");

    let exams = publish_news(
        &test,
        "نتائج الامتحانات الإشهادية بالمُدِيرِيَّة",
        "أعلنت المديرية نتائج الامتحان الإشهادي لتلاميذ السنة السادسة.",
    )
    .await;
    // Spellings, and singular for plural.
    for words in ["الامتحانات", "الامتحان", "امتحان", "نتيجة الامتحان", "التلميذ"]
    {
        let ids = hit_ids(&test, &format!("q={}&site=dp-rabat", encode(words))).await;
        assert!(ids.contains(&exams), "{words} finds it: {ids:?}");
    }
    // A region covers its directorates; another directorate does not.
    let words = encode("الامتحانات الإشهادية");
    assert!(hit_ids(&test, &format!("q={words}&site=aref-rsk"))
        .await
        .contains(&exams));
    assert!(!hit_ids(&test, &format!("q={words}&site=dp-sale"))
        .await
        .contains(&exams));

    // The public page: found, highlighted, escaped, filtered by kind.
    let page = test.get(&format!("/dp-rabat/search?q={words}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("/news/{exams}-")), "found");
    let marks = common::select_text(&page.html(), ".card-snippet mark");
    assert!(
        marks.iter().any(|m| m.contains("الامتحان")),
        "the words found are marked: {marks:?}"
    );
    let events = test
        .get(&format!("/dp-rabat/search?q={words}&kind=event"))
        .await;
    assert!(
        !events.body.contains(&format!("/news/{exams}-")),
        "only events"
    );

    // Unpublishing takes it out; reindexing rebuilds from the database.
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    publisher
        .post(
            &format!("/api/v1/entries/{exams}/transitions"),
            &json!({"action": "unpublish"}),
        )
        .await
        .expect(200);
    assert!(!hit_ids(&test, &format!("q={words}")).await.contains(&exams));
    let indexed = test
        .app
        .rebuild_index(None, &|_, _| {})
        .await
        .expect("reindex");
    assert!(indexed > 0);
    let count = engine.count().await.expect("count");
    assert!(count > 0 && count <= indexed, "{count} of {indexed}");
    let _ = engine.clear().await;
}

#[tokio::test]
async fn when_meilisearch_is_down_the_page_says_so_and_nothing_is_lost() {
    let port = free_port();
    let index = unique_index("down");
    let test = TestApp::with_demo_and(|c| {
        c.search.backend = "meilisearch".to_owned();
        c.search.url = format!("http://127.0.0.1:{port}");
        c.search.index = index.clone();
        c.search.api_key = MASTER_KEY.to_owned();
    })
    .await;
    assert!(test.app.search_index().is_none(), "nothing answers there");
    let health = test.get("/healthz").await;
    assert_eq!(health.status, 200, "pages are still served");
    assert_eq!(health.body, "ok\nsearch: meilisearch unavailable\n");
    let id = publish_news(&test, "قافلة طبية لفائدة التلاميذ", "قافلة طبية.").await;
    test.app.sync_search().await.expect("the log waits");
    let page = test
        .get(&format!("/dp-rabat/search?q={}", encode("قافلة طبية")))
        .await;
    assert_eq!(page.status, 200);
    let note = common::select_text(&page.html(), ".search-note");
    assert_eq!(
        note,
        ["محرك البحث غير متاح حاليا: النتائج تشمل العناوين والملخصات فقط."]
    );
    assert!(
        page.body.contains(&format!("/news/{id}-")),
        "titles are still searched"
    );

    if !binary_on_path() {
        eprintln!("the engine's return is not tested: no `meilisearch` binary on the PATH");
        return;
    }
    let _server = spawn_meilisearch(port).await;
    let mut found = Vec::new();
    // The server tries again within five seconds, then catches up.
    for _ in 0..100 {
        test.app.sync_search().await.expect("sync");
        if test.app.search_index().is_some() {
            found = hit_ids(&test, &format!("q={}", encode("قافلة طبية"))).await;
            if found.contains(&id) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found.contains(&id), "indexed once the engine is back");
    let health = test.get("/healthz").await;
    assert_eq!(health.body, "ok\nsearch: meilisearch ok\n");
}

//! The render cache: pages come from memory, and no stale page is served
//! after any kind of change, on this node or another.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{write, TestApp};
use tawasul_app::NewSiteInput;

fn news(title: &str, status: &str, featured_on_parent: bool) -> String {
    format!(
        "+++\nkind = \"news\"\nlocale = \"ar\"\ntitle = \"{title}\"\nslug = \"cache-test\"\nstatus = \"{status}\"\npublished_at = 2026-11-22T10:00:00Z\ncategory = \"formation-continue\"\ntags = [\"اختبار الذاكرة\"]\nfeatured_on_parent = {featured_on_parent}\n+++\n\nنص الخبر {title}.\n"
    )
}

async fn import(test: &TestApp, dir: &Path, text: &str) {
    write(&dir.join("cache-test.md"), text);
    test.app
        .import_markdown(dir, "dp-rabat")
        .await
        .expect("import");
}

/// Whether a request is answered from the cache.
async fn served_from_cache(test: &TestApp, path: &str) -> bool {
    let before = test.app.pages.stats().hits;
    let page = test.get(path).await;
    assert!(
        page.status == 200 || page.status == 404,
        "{path}: {}",
        page.status
    );
    test.app.pages.stats().hits > before
}

async fn entry_path(test: &TestApp) -> String {
    test.get("/dp-rabat/news/")
        .await
        .links("main a")
        .into_iter()
        .find(|l| l.contains("-cache-test"))
        .expect("the test entry is listed")
}

#[tokio::test]
async fn a_page_is_rendered_once_then_served_from_memory() {
    let test = TestApp::with_demo().await;
    let first = test.get("/dp-rabat/").await;
    assert!(served_from_cache(&test, "/dp-rabat/").await);
    let second = test.get("/dp-rabat/").await;
    assert_eq!(first.body, second.body);
    assert_eq!(
        second.header("cache-control"),
        Some("public, max-age=30, stale-while-revalidate=60")
    );
    assert_eq!(second.header("vary"), Some("accept-encoding"));
    for encoding in ["br", "gzip"] {
        let page = test
            .get_with("/dp-rabat/", &[("accept-encoding", encoding)])
            .await;
        assert_eq!(page.header("content-encoding"), Some(encoding));
    }
}

#[tokio::test]
async fn publishing_editing_and_unpublishing_leave_no_stale_page_and_touch_nothing_else() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let related = [
        "/dp-rabat/",
        "/dp-rabat/news/",
        "/dp-rabat/feed.atom",
        "/dp-rabat/sitemap.xml",
        "/aref-rsk/",
        "/dp-rabat/category/formation-continue",
    ];
    let unrelated = [
        "/dp-sale/",
        "/dp-rabat/events/",
        "/dp-rabat/fr/",
        "/aref-rsk/news/",
        "/",
    ];
    for path in related.iter().chain(&unrelated) {
        test.get(path).await;
    }

    // Publishing: every page that lists it shows it.
    import(&test, dir.path(), &news("خبر أول", "published", true)).await;
    let entry = entry_path(&test).await;
    for path in related {
        let page = test.get(path).await;
        assert!(
            page.body.contains("خبر أول") || page.body.contains("cache-test"),
            "{path} is stale after publishing"
        );
    }
    for path in unrelated {
        assert!(
            served_from_cache(&test, path).await,
            "{path} was dropped by an unrelated change"
        );
    }

    // Editing: the new title everywhere, the old one nowhere.
    test.get(&entry).await;
    import(&test, dir.path(), &news("خبر معدل", "published", true)).await;
    for path in related.iter().chain([&entry.as_str()]) {
        let page = test.get(path).await;
        assert!(
            !page.body.contains("خبر أول"),
            "{path} still shows the old title"
        );
    }
    assert!(test.get(&entry).await.body.contains("خبر معدل"));
    for path in unrelated {
        assert!(
            served_from_cache(&test, path).await,
            "{path} was dropped by an unrelated edit"
        );
    }

    // No longer featured on the academy: it leaves the academy home.
    import(&test, dir.path(), &news("خبر معدل", "published", false)).await;
    assert!(!test.get("/aref-rsk/").await.body.contains("خبر معدل"));

    // Unpublishing: gone from every page, its own answers 404.
    import(&test, dir.path(), &news("خبر معدل", "draft", false)).await;
    assert_eq!(test.get(&entry).await.status, 404);
    for path in related {
        assert!(
            !test.get(path).await.body.contains("خبر معدل"),
            "{path} still shows an unpublished entry"
        );
    }
}

#[tokio::test]
async fn changing_a_site_reaches_its_pages_its_family_and_nothing_else() {
    let test = TestApp::with_demo().await;
    for path in [
        "/dp-rabat/",
        "/dp-rabat/news/",
        "/aref-rsk/fr/",
        "/dp-kenitra/",
        "/fr/",
    ] {
        test.get(path).await;
    }
    let network = test.app.network();
    let rabat = network.site_by_slug("dp-rabat").expect("site");
    test.app
        .add_site(NewSiteInput {
            slug: "dp-rabat".into(),
            kind: "directorate".into(),
            parent: Some("aref-rsk".into()),
            name_ar: rabat.name_ar.clone(),
            name_fr: "Direction provinciale de Rabat (renommée)".into(),
            hosts: rabat.hosts.clone(),
            theme: "default".into(),
            default_locale: "ar".into(),
        })
        .await
        .expect("rename");
    assert!(test.get("/dp-rabat/fr/").await.body.contains("(renommée)"));
    assert!(
        test.get("/fr/").await.body.contains("(renommée)"),
        "the network root lists the new name"
    );
    assert!(
        served_from_cache(&test, "/dp-kenitra/").await,
        "a sibling is not touched"
    );
}

#[tokio::test]
async fn a_change_made_by_another_process_reaches_this_servers_cache_without_a_restart() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    test.get("/dp-rabat/news/").await;
    let other = test.another_process().await;
    write(
        &dir.path().join("cache-test.md"),
        &news("من عملية أخرى", "published", false),
    );
    let changed_at = Instant::now();
    other
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("import elsewhere");
    let mut seen = None;
    while changed_at.elapsed() < Duration::from_secs(5) {
        if test
            .get("/dp-rabat/news/")
            .await
            .body
            .contains("من عملية أخرى")
        {
            seen = Some(changed_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // How fast is for the benchmark to say; five seconds only bound the wait.
    let seen = seen.expect("the server never saw the other process's change");
    println!("seen after {seen:?}");
}

#[tokio::test]
async fn floods_of_query_strings_paths_and_hosts_do_not_grow_the_cache() {
    let test = TestApp::with_demo().await;
    test.get("/dp-rabat/news/").await;
    test.get("/dp-rabat/nowhere").await;
    let before = test.app.pages.stats().pages;
    for i in 0..300 {
        test.get(&format!("/dp-rabat/news/?utm_source=x{i}&fbclid={i}"))
            .await;
        test.get(&format!("/dp-rabat/wp-content/{i}.php")).await;
        test.get(&format!("/dp-rabat/news/?page={}", 1000 + i))
            .await;
    }
    assert_eq!(
        test.app.pages.stats().pages,
        before,
        "no page per invented URL"
    );
    for i in 0..200 {
        let page = test.get_on_host(&format!("h{i}.invalid"), "/").await;
        assert_eq!(page.status, 200);
    }
    assert!(
        test.app.pages.stats().pages <= before + 64,
        "{:?}",
        test.app.pages.stats()
    );

    let huge = "gzip;q=0.5, ".repeat(1000);
    let page = test
        .get_with(
            "/dp-rabat/",
            &[
                ("accept-encoding", &huge),
                ("if-none-match", "\"unterminated, W/, *x"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
}

#[tokio::test]
async fn a_small_cache_degrades_to_rendering_not_to_errors() {
    let test = TestApp::with_demo_and(|config| config.cache.max_mb = 1).await;
    let mut paths = vec![
        "/dp-rabat/".to_owned(),
        "/aref-rsk/".to_owned(),
        "/dp-sale/".to_owned(),
    ];
    for archive in [
        "/dp-rabat/news/",
        "/aref-rsk/news/",
        "/dp-sale/news/",
        "/dp-kenitra/news/",
    ] {
        paths.extend(
            test.get(archive)
                .await
                .links("main a")
                .into_iter()
                .filter(|l| l.matches('/').count() == 3 && !l.ends_with('/')),
        );
    }
    for _ in 0..3 {
        for path in &paths {
            assert_eq!(test.get(path).await.status, 200, "{path}");
        }
    }
    let stats = test.app.pages.stats();
    assert!(stats.bytes <= 1024 * 1024, "{stats:?}");

    let off = TestApp::with_demo_and(|config| config.cache.enabled = false).await;
    assert_eq!(off.get("/dp-rabat/").await.status, 200);
    assert_eq!(off.get("/dp-rabat/").await.status, 200);
    assert_eq!(off.app.pages.stats().pages, 0);
}

/// The database round trips of a page rendered from scratch (the fewest
/// over three tries, as the background change watcher adds one now and then).
async fn round_trips(test: &TestApp, path: &str) -> u64 {
    // The server's own background work (the change log, the search index,
    // the mail queue) shares the counter: the fewest of several tries is
    // the page's own.
    let mut fewest = u64::MAX;
    for _ in 0..10 {
        test.app.pages.invalidate(&[tawasul_app::cache::Dep::All]);
        let before = test.app.store().queries_run();
        assert_eq!(test.get(path).await.status, 200, "{path}");
        fewest = fewest.min(test.app.store().queries_run() - before);
    }
    fewest
}

#[tokio::test]
async fn pages_need_few_database_round_trips() {
    let test = TestApp::with_demo().await;
    let entry = test
        .get("/dp-rabat/news/")
        .await
        .links("main a")
        .into_iter()
        .find(|l| l.matches('/').count() == 3 && !l.ends_with('/'))
        .expect("entry");
    let budget = [
        (
            "/aref-rsk/",
            1,
            "academy home: featured, four kinds and its directorates' featured, in one query",
        ),
        (
            "/dp-rabat/",
            1,
            "directorate home: featured and four kinds, in one query",
        ),
        (
            "/dp-rabat/news/",
            2,
            "archive: its total (an index-only count), then the page",
        ),
        (
            entry.as_str(),
            4,
            "entry: itself, its tags, its programmes, its translations when it has any",
        ),
        ("/dp-rabat/feed.atom", 1, "feed"),
        ("/dp-rabat/sitemap.xml", 1, "sitemap"),
    ];
    for (path, most, what) in budget {
        let trips = round_trips(&test, path).await;
        println!("{trips} round trips: {what}");
        assert!(trips <= most, "{path}: {trips} round trips, budget {most}");
    }
    test.get("/dp-rabat/").await;
    let mut fewest = u64::MAX;
    for _ in 0..10 {
        let before = test.app.store().queries_run();
        test.get("/dp-rabat/").await;
        fewest = fewest.min(test.app.store().queries_run() - before);
    }
    assert_eq!(fewest, 0, "a cached page costs no round trip");
}

#[tokio::test]
async fn in_development_a_changed_template_shows_on_the_next_request() {
    let themes = tempfile::tempdir().expect("themes");
    let copy = themes.path().join("default");
    std::fs::create_dir_all(copy.join("templates/partials")).expect("mkdir");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for dir in ["", "templates", "templates/partials", "static", "i18n"] {
        std::fs::create_dir_all(copy.join(dir)).expect("mkdir");
        for file in std::fs::read_dir(source.join(dir)).expect("read").flatten() {
            if file.path().is_file() {
                std::fs::copy(file.path(), copy.join(dir).join(file.file_name())).expect("copy");
            }
        }
    }
    let root = themes.path().to_owned();
    let test = TestApp::with_demo_and(|config| {
        config.paths.themes = Some(root);
        config.server.reload_templates = true;
    })
    .await;
    assert!(!test
        .get("/dp-rabat/nowhere")
        .await
        .body
        .contains("edited-404"));
    write(
        &copy.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"edited-404\">{{ t.not_found.title }}</h1>{% endblock content %}",
    );
    let edited_at = Instant::now();
    let mut seen = false;
    while edited_at.elapsed() < Duration::from_secs(5) {
        if test
            .get("/dp-rabat/nowhere")
            .await
            .body
            .contains("edited-404")
        {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the edited template was never served");
}

#[tokio::test]
async fn an_entry_appears_when_its_publication_time_comes() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let at = soon
        .replace_nanosecond(0)
        .expect("whole second")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let text = news("خبر مبرمج", "published", false).replace("2026-11-22T10:00:00Z", &at);
    import(&test, dir.path(), &text).await;
    assert!(
        !test.get("/dp-rabat/news/").await.body.contains("خبر مبرمج"),
        "not before its time"
    );
    let mut seen = false;
    while time::OffsetDateTime::now_utc() < soon + time::Duration::seconds(8) {
        if test.get("/dp-rabat/news/").await.body.contains("خبر مبرمج") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        seen,
        "the cached archive never showed the entry once its time came"
    );
}

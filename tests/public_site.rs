//! What a reader, a feed reader and a search engine get from the sites of
//! the demo network, over real HTTP.

mod common;

use common::{select_attr, select_text, TestApp};
use tawasul_store::EntryQuery;

/// The first entry link of an archive page, as a site-relative path.
async fn first_entry_path(test: &TestApp, archive: &str) -> String {
    let page = test.get(archive).await;
    assert_eq!(page.status, 200, "{archive}");
    page.links("main a")
        .into_iter()
        .find(|href| {
            let parts: Vec<&str> = href.trim_matches('/').split('/').collect();
            parts.len() == 3
                && parts[2]
                    .split('-')
                    .next()
                    .is_some_and(|id| id.parse::<u32>().is_ok())
        })
        .unwrap_or_else(|| panic!("no entry link in {archive}"))
}

#[tokio::test]
async fn the_root_lists_the_network_by_region() {
    let test = TestApp::with_demo().await;
    let page = test.get("/").await;
    assert_eq!(page.status, 200);
    let html = page.html();
    assert_eq!(select_attr(&html, "html", "lang"), ["ar"]);
    assert_eq!(select_attr(&html, "html", "dir"), ["rtl"]);
    let links = page.links("a");
    for slug in [
        "aref-rsk",
        "dp-rabat",
        "dp-sale",
        "dp-kenitra",
        "dp-skhirate-temara",
        "ecole-al-amal",
    ] {
        assert!(
            links.contains(&format!("/{slug}/")),
            "{slug} missing from {links:?}"
        );
    }
    assert!(page.body.contains("الأكاديمية الجهوية للتربية والتكوين"));

    let french = test.get("/fr/").await;
    assert_eq!(french.status, 200);
    assert_eq!(select_attr(&french.html(), "html", "dir"), ["ltr"]);
    assert!(
        french.body.contains("Direction provinciale"),
        "French names on the French root"
    );
}

#[tokio::test]
async fn a_site_is_found_by_its_host_or_by_its_path() {
    let test = TestApp::with_demo().await;
    let by_path = test.get("/dp-rabat/").await;
    let by_host = test.get_on_host("rabat.tawasul.localhost", "/").await;
    assert_eq!(by_path.status, 200);
    assert_eq!(by_host.status, 200);
    for page in [&by_path, &by_host] {
        assert!(page.body.contains("المديرية الإقليمية بالرباط"));
    }
    // Links stay on the way the reader came in.
    assert!(by_path
        .links("nav a")
        .iter()
        .all(|l| l.starts_with("/dp-rabat/")));
    assert!(by_host
        .links("nav a")
        .iter()
        .all(|l| !l.starts_with("/dp-rabat/")));
    let canonical = select_attr(&by_host.html(), "link[rel=canonical]", "href");
    assert_eq!(
        canonical,
        [format!(
            "http://rabat.tawasul.localhost:{}/",
            test.addr.port()
        )]
    );

    let no_slash = test.get("/dp-rabat").await;
    assert_eq!(no_slash.status, 301);
    assert_eq!(no_slash.header("location"), Some("/dp-rabat/"));
}

#[tokio::test]
async fn unknown_sites_and_pages_answer_404_in_the_right_look() {
    let test = TestApp::with_demo().await;
    let unknown_site = test.get("/no-such-site/news/").await;
    assert_eq!(unknown_site.status, 404);
    assert!(
        unknown_site.body.contains("<html"),
        "the network's own page, not a bare error"
    );

    let unknown_host = test.get_on_host("unknown.example", "/wp-login.php").await;
    assert_eq!(unknown_host.status, 404);

    let unknown_page = test.get("/dp-rabat/wp-admin/").await;
    assert_eq!(unknown_page.status, 404);
    assert!(
        unknown_page.body.contains("المديرية الإقليمية بالرباط"),
        "the site's header on its 404"
    );
    assert!(unknown_page
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));

    for path in [
        "/dp-rabat/news/?page=abc",
        "/dp-rabat/news/?page=0",
        "/dp-rabat/news/?page=999",
        "/dp-rabat/news/999999-x",
        "/dp-rabat/category/none",
        "/dp-rabat/tag/none",
        "/dp-rabat/programme/none",
        "/dp-rabat/%FF",
    ] {
        assert_eq!(test.get(path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn every_kind_of_page_is_valid_html5_with_language_and_sharing_metadata() {
    let test = TestApp::with_demo().await;
    let mut pages = vec![
        ("/aref-rsk/".to_owned(), "ar"),
        ("/aref-rsk/fr/".to_owned(), "fr"),
        ("/dp-kenitra/".to_owned(), "ar"),
        ("/dp-rabat/news/".to_owned(), "ar"),
        ("/dp-rabat/training/".to_owned(), "ar"),
        ("/dp-rabat/announcements/".to_owned(), "ar"),
        ("/dp-rabat/events/".to_owned(), "ar"),
        ("/aref-rsk/fr/news/".to_owned(), "fr"),
        ("/aref-rsk/programme/massar".to_owned(), "ar"),
        (
            "/dp-rabat/search?q=%D8%A7%D9%84%D8%AA%D9%83%D9%88%D9%8A%D9%86".to_owned(),
            "ar",
        ),
        ("/dp-rabat/nothing-here".to_owned(), "ar"),
    ];
    for archive in [
        "/aref-rsk/news/",
        "/dp-rabat/training/",
        "/aref-rsk/announcements/",
        "/aref-rsk/events/",
        "/aref-rsk/fr/news/",
    ] {
        let lang = if archive.contains("/fr/") { "fr" } else { "ar" };
        pages.push((first_entry_path(&test, archive).await, lang));
    }
    for (path, lang) in pages {
        let page = test.get(&path).await;
        assert!(
            page.status == 200 || path.contains("nothing-here"),
            "{path}: {}",
            page.status
        );
        let html = page.html();
        assert!(
            html.errors.is_empty(),
            "{path} is not valid HTML5: {:?}",
            html.errors
        );
        assert!(page.body.starts_with("<!DOCTYPE html>"), "{path}");
        assert_eq!(select_attr(&html, "html", "lang"), [lang], "{path}");
        let dir = if lang == "ar" { "rtl" } else { "ltr" };
        assert_eq!(select_attr(&html, "html", "dir"), [dir], "{path}");
        assert_eq!(select_text(&html, "h1").len(), 1, "{path}: one h1");
        let canonical = select_attr(&html, "link[rel=canonical]", "href");
        assert!(
            canonical.len() == 1 && canonical[0].starts_with("http://"),
            "{path}: {canonical:?}"
        );
        assert_eq!(
            select_attr(&html, "meta[property='og:title']", "content").len(),
            1,
            "{path}"
        );
        assert_eq!(
            select_attr(&html, "meta[name='twitter:card']", "content").len(),
            1,
            "{path}"
        );
        assert!(
            select_attr(&html, "img", "src").len() == select_attr(&html, "img", "alt").len(),
            "{path}: every image has alt text"
        );
        for attr in ["src", "href"] {
            for url in select_attr(&html, "link[rel=stylesheet], link[rel=icon], script", attr) {
                assert!(url.starts_with('/'), "{path}: {url} is not self-hosted");
            }
        }
    }
}

#[tokio::test]
async fn a_training_report_shows_its_facts_and_recommendations() {
    let test = TestApp::with_demo().await;
    let path = first_entry_path(&test, "/dp-rabat/training/").await;
    let page = test.get(&path).await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let article = select_attr(&html, "article", "class");
    assert!(article[0].contains("training_report"), "{article:?}");
    let facts = select_text(&html, "dl dd");
    assert!(
        facts.len() >= 4,
        "a fact box with dates, venue, audience, head count: {facts:?}"
    );
    assert!(
        facts.iter().any(|f| f.chars().any(|c| c.is_ascii_digit())),
        "{facts:?}"
    );
    let lists = select_text(&html, "ol li");
    assert!(lists.len() >= 3, "recommendations are listed: {lists:?}");
    assert_eq!(
        select_attr(&html, "meta[property='og:type']", "content"),
        ["article"]
    );
    let image = select_attr(&html, "meta[property='og:image']", "content");
    assert!(
        image.is_empty() || image[0].starts_with("http://"),
        "{image:?}"
    );
}

#[tokio::test]
async fn mixed_arabic_and_french_paragraphs_each_take_their_own_direction() {
    let test = TestApp::with_demo().await;
    let mut found_french_in_arabic = false;
    for archive in [
        "/aref-rsk/training/",
        "/dp-sale/news/",
        "/dp-kenitra/training/",
    ] {
        let listing = test.get(archive).await;
        for link in listing.links("main a") {
            if link.matches('/').count() != 3 || link.ends_with('/') {
                continue;
            }
            let page = test.get(&link).await;
            if page.status != 200 {
                continue;
            }
            let html = page.html();
            let paragraphs = scraper::Selector::parse(".prose p").expect("selector");
            for p in html.select(&paragraphs) {
                assert_eq!(
                    p.value().attr("dir"),
                    Some("auto"),
                    "{link}: every paragraph finds its direction"
                );
                let text: String = p.text().collect();
                let latin = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
                let arabic = text
                    .chars()
                    .filter(|c| ('\u{0600}'..='\u{06FF}').contains(c))
                    .count();
                if latin > 40 && arabic == 0 {
                    found_french_in_arabic = true;
                }
            }
        }
    }
    assert!(
        found_french_in_arabic,
        "the demo has French paragraphs inside Arabic articles"
    );
}

#[tokio::test]
async fn a_stale_slug_or_kind_redirects_to_the_canonical_url() {
    let test = TestApp::with_demo().await;
    let path = first_entry_path(&test, "/dp-rabat/news/").await;
    let (prefix, id_slug) = path.rsplit_once('/').expect("path");
    let id = id_slug.split('-').next().expect("id");
    for stale in [
        format!("{prefix}/{id}-old-title"),
        format!("{prefix}/{id}"),
        format!("/dp-rabat/events/{id_slug}"),
    ] {
        let page = test.get(&stale).await;
        assert_eq!(page.status, 301, "{stale}");
        assert_eq!(page.header("location"), Some(path.as_str()), "{stale}");
    }
    // An entry of another site is not reachable through this one.
    let other = first_entry_path(&test, "/dp-sale/news/").await;
    let other_id_slug = other.rsplit('/').next().expect("id-slug");
    assert_eq!(
        test.get(&format!("/dp-rabat/news/{other_id_slug}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_academy_home_shows_what_its_directorates_featured_on_it() {
    let test = TestApp::with_demo().await;
    let network = test.app.network();
    let academy = network.site_by_slug("aref-rsk").expect("academy");
    let featured = test
        .app
        .store()
        .public_entries(
            &EntryQuery {
                site_ids: academy.children.clone(),
                locale: Some("ar".into()),
                featured_on_parent: Some(true),
                ..Default::default()
            },
            1,
            6,
        )
        .await
        .expect("query");
    assert!(
        !featured.items.is_empty(),
        "the demo features directorate news on the academy"
    );
    let home = test.get("/aref-rsk/").await;
    let titles = select_text(&home.html(), "a, h2, h3");
    for entry in &featured.items {
        assert!(
            titles.iter().any(|t| t.contains(entry.title.trim())),
            "{} is not on the academy home",
            entry.title
        );
    }
    // A directorate's home shows only its own entries.
    let rabat = test.get("/dp-rabat/").await;
    let sale_only: Vec<_> = featured
        .items
        .iter()
        .filter(|e| Some(e.site_id) == network.site_by_slug("dp-sale").map(|s| s.id))
        .collect();
    for entry in sale_only {
        assert!(
            !rabat.body.contains(entry.title.trim()),
            "{} leaked onto Rabat's home",
            entry.title
        );
    }
}

#[tokio::test]
async fn translations_link_to_each_other() {
    let test = TestApp::with_demo().await;
    let home = test.get("/aref-rsk/fr/").await;
    let mut checked = 0;
    for link in home.links("main a") {
        if link.matches('/').count() != 3 || link.ends_with('/') {
            continue;
        }
        let page = test.get(&link).await;
        let html = page.html();
        let alternates = select_attr(&html, "link[rel=alternate][hreflang]", "hreflang");
        if alternates.contains(&"ar".to_owned()) {
            assert!(
                alternates.contains(&"fr".to_owned()),
                "{link}: {alternates:?}"
            );
            let site = format!("/{}/", link.split('/').nth(1).expect("site"));
            assert!(
                select_attr(&html, "a[hreflang=ar]", "href")
                    .iter()
                    .any(|h| h.starts_with(&site)),
                "{link}"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "the French academy home links at least one translated entry"
    );
}

#[tokio::test]
async fn feeds_are_atom_that_feed_readers_accept() {
    let test = TestApp::with_demo().await;
    for path in [
        "/aref-rsk/feed.atom",
        "/aref-rsk/fr/feed.atom",
        "/dp-rabat/feed.atom",
    ] {
        let page = test.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(
            page.header("content-type"),
            Some("application/atom+xml; charset=utf-8")
        );
        let feed =
            feed_rs::parser::parse(page.body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!feed.entries.is_empty(), "{path}");
        assert!(feed.updated.is_some(), "{path}");
        for entry in &feed.entries {
            assert!(!entry.title.as_ref().expect("title").content.is_empty());
            let href = &entry.links[0].href;
            assert!(href.starts_with("http://"), "{href}");
            let entry_path = href
                .splitn(4, '/')
                .nth(3)
                .map(|p| format!("/{p}"))
                .expect("path");
            assert_eq!(test.get(&entry_path).await.status, 200, "{href}");
            assert!(entry.published.is_some());
        }
    }
}

#[tokio::test]
async fn sitemaps_list_only_pages_that_exist() {
    let test = TestApp::with_demo().await;
    let page = test.get("/dp-sale/sitemap.xml").await;
    assert_eq!(page.status, 200);
    let doc = roxmltree::Document::parse(&page.body).expect("sitemap is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let locs: Vec<&str> = root
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.len() > 10, "{locs:?}");
    for loc in locs {
        let path = loc
            .splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .expect("path");
        assert_eq!(test.get(&path).await.status, 200, "{loc}");
    }
    let robots = test.get("/dp-sale/robots.txt").await;
    assert!(
        robots.body.contains(&format!(
            "Sitemap: http://127.0.0.1:{}/dp-sale/sitemap.xml",
            test.addr.port()
        )),
        "{}",
        robots.body
    );
    let root_robots = test.get("/robots.txt").await;
    assert_eq!(
        root_robots.body.matches("Sitemap:").count(),
        6,
        "{}",
        root_robots.body
    );
}

#[tokio::test]
async fn unchanged_pages_answer_304_and_pages_travel_compressed() {
    let test = TestApp::with_demo().await;
    let first = test.get("/dp-rabat/").await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    let again = test
        .get_with("/dp-rabat/", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert!(first
        .header("content-security-policy")
        .is_some_and(|c| c.contains("script-src 'self'")));

    for encoding in ["br", "gzip"] {
        let page = test
            .get_with("/dp-rabat/", &[("accept-encoding", encoding)])
            .await;
        assert_eq!(page.header("content-encoding"), Some(encoding));
    }
}

#[tokio::test]
async fn theme_files_and_uploads_are_fingerprinted_and_cached_for_good() {
    let test = TestApp::with_demo().await;
    let home = test.get("/dp-rabat/").await;
    let html = home.html();
    let css = select_attr(&html, "link[rel=stylesheet]", "href");
    let style = test.get(&css[0]).await;
    assert_eq!(style.status, 200);
    assert_eq!(
        style.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        style.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    for encoding in ["br", "gzip"] {
        let compressed = test
            .get_with(&css[0], &[("accept-encoding", encoding)])
            .await;
        assert_eq!(compressed.header("content-encoding"), Some(encoding));
    }
    let wrong = css[0].replace("style.", "style.0000");
    assert_eq!(test.get(&wrong).await.status, 404);

    let image = select_attr(&html, "img", "src")
        .into_iter()
        .find(|s| s.starts_with("/uploads/"))
        .expect("an uploaded image");
    let photo = test.get(&image).await;
    assert_eq!(photo.status, 200);
    assert!(photo
        .header("content-type")
        .is_some_and(|c| c.starts_with("image/")));
    assert_eq!(
        photo.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(test.get("/uploads/../tawasul.db").await.status, 404);
}

#[tokio::test]
async fn health_answers_while_the_database_does() {
    let test = TestApp::start().await;
    let page = test.get("/healthz").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "ok\nsearch: embedded ok\n");
}

#[tokio::test]
async fn a_featured_entry_appears_once_on_the_home_page() {
    let test = TestApp::with_demo().await;
    for home in ["/aref-rsk/", "/aref-rsk/fr/", "/dp-rabat/", "/dp-kenitra/"] {
        let page = test.get(home).await;
        let featured = page.links(".section--featured a, .hero a");
        assert!(!featured.is_empty(), "{home} features something");
        let everywhere = page.links("main a");
        for url in &featured {
            let in_featured = featured.iter().filter(|u| *u == url).count();
            let in_main = everywhere.iter().filter(|u| *u == url).count();
            assert_eq!(
                in_main, in_featured,
                "{home}: {url} is featured and listed again"
            );
        }
    }
}

#[tokio::test]
async fn an_entry_published_from_the_admin_carries_a_valid_html_time() {
    let test = TestApp::with_demo().await;
    let editor = test.login(common::demo::EDITOR_RABAT).await;
    let publisher = test.login(common::demo::PUBLISHER_RABAT).await;
    let id = editor
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &serde_json::json!({"kind": "news", "locale": "ar", "title": "يوم تحسيسي",
                                "body": "نص الخبر."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    for (who, action) in [
        (&editor, "submit"),
        (&publisher, "approve"),
        (&publisher, "publish"),
    ] {
        who.post(
            &format!("/api/v1/entries/{id}/transitions"),
            &serde_json::json!({ "action": action }),
        )
        .await
        .expect(200);
    }
    let url = editor.get(&format!("/api/v1/entries/{id}")).await.json["url"]
        .as_str()
        .expect("a public URL")
        .to_owned();
    let page = test.get(&url).await;
    let times = common::select_attr(&page.html(), "time", "datetime");
    assert!(!times.is_empty(), "{}", page.body);
    for time in times {
        // YYYY-MM-DDTHH:MM:SSZ, no fraction of a second.
        assert_eq!(time.len(), 20, "{time}");
        assert!(time.ends_with('Z') && !time.contains('.'), "{time}");
    }
}

#[tokio::test]
async fn a_page_not_found_answers_in_the_language_of_its_address() {
    let test = TestApp::with_demo().await;
    for (path, lang) in [
        ("/dp-rabat/fr/nulle-part", "fr"),
        ("/dp-rabat/nowhere", "ar"),
        ("/dp-rabat/fr/nulle-part", "fr"),
    ] {
        let page = test.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        let langs = select_attr(&page.html(), "html", "lang");
        assert_eq!(langs, [lang], "{path}");
    }
}

#[tokio::test]
async fn a_training_reports_feed_entry_carries_its_facts_and_recommendations() {
    let test = TestApp::with_demo().await;
    let page = test.get("/dp-rabat/fr/feed.atom").await;
    assert_eq!(page.status, 200);
    let feed = feed_rs::parser::parse(page.body.as_bytes()).expect("an Atom feed");
    let report = feed
        .entries
        .iter()
        .find(|e| e.links[0].href.contains("formation-massar-directeurs"))
        .expect("the Massar report is in the French feed");
    let html = &report
        .content
        .as_ref()
        .expect("content")
        .body
        .as_ref()
        .expect("a body");
    let text = scraper::Html::parse_fragment(html)
        .root_element()
        .text()
        .collect::<String>();
    for fact in [
        "Salle multimédia de la Direction provinciale de Rabat",
        "Directeurs et secrétaires d'établissements primaires et collégiaux",
        "56",
        "Mme Imane Tazi",
        "Saisie et validation des notes du contrôle continu",
        "Désigner dans chaque établissement un référent Massar",
    ] {
        assert!(
            text.contains(fact),
            "{fact} missing from the feed entry:\n{text}"
        );
    }
    // The facts come before the text, the recommendations after it.
    let venue = text.find("Salle multimédia").expect("the venue");
    let body = text.find("Une formation sur poste").expect("the text");
    let recommendation = text.find("référent Massar").expect("a recommendation");
    assert!(venue < body && body < recommendation);
}

#[tokio::test]
async fn a_french_home_with_little_in_french_points_to_the_arabic_news() {
    let test = TestApp::with_demo().await;
    let kenitra = test.get("/dp-kenitra/fr/").await;
    assert_eq!(kenitra.status, 200);
    let html = kenitra.html();
    let note = select_text(&html, "[data-test=other-language]").join(" ");
    assert!(note.contains("publiées en arabe"), "{note}");
    assert_eq!(
        select_attr(&html, "[data-test=other-language] a", "href"),
        vec!["/dp-kenitra/".to_owned()]
    );
    assert_eq!(
        select_attr(&html, "[data-test=other-language] a", "hreflang"),
        vec!["ar".to_owned()]
    );
    // A French home with news of its own, and the Arabic home, say nothing.
    let publisher = test.login(common::demo::PUBLISHER_RABAT).await;
    for n in 1..=3 {
        let id = publisher
            .post(
                "/api/v1/sites/dp-rabat/entries",
                &serde_json::json!({"kind": "news", "locale": "fr", "title": format!("Actualité {n}"), "body": "Texte."}),
            )
            .await
            .expect(201)
            .json["id"]
            .as_i64()
            .expect("an id");
        for action in ["submit", "approve", "publish"] {
            publisher
                .post(
                    &format!("/api/v1/entries/{id}/transitions"),
                    &serde_json::json!({"action": action}),
                )
                .await
                .expect(200);
        }
    }
    for path in ["/dp-rabat/fr/", "/dp-kenitra/"] {
        let page = test.get(path).await;
        assert!(
            select_text(&page.html(), "[data-test=other-language]").is_empty(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_announcement_leaves_the_home_page_after_its_last_day_and_stays_in_its_archive() {
    let test = TestApp::with_demo().await;
    let publisher = test.login(common::demo::PUBLISHER_RABAT).await;
    let day = |days: i64| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(days))
            .date()
            .to_string()
    };
    let mut ids = Vec::new();
    for (title, deadline) in [("مباراة انتهى أجلها", day(-2)), ("مباراة مفتوحة", day(2))]
    {
        let id = publisher
            .post(
                "/api/v1/sites/dp-rabat/entries",
                &serde_json::json!({"kind": "announcement", "locale": "ar", "title": title,
                                    "body": "التفاصيل.", "fields": {"deadline": deadline}}),
            )
            .await
            .expect(201)
            .json["id"]
            .as_i64()
            .expect("an id");
        for action in ["submit", "approve", "publish"] {
            publisher
                .post(
                    &format!("/api/v1/entries/{id}/transitions"),
                    &serde_json::json!({"action": action}),
                )
                .await
                .expect(200);
        }
        ids.push(id);
    }
    let home = test.get("/dp-rabat/").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("مباراة مفتوحة"),
        "an open announcement is on the home page"
    );
    assert!(
        !home.body.contains("مباراة انتهى أجلها"),
        "a closed one is not"
    );
    let archive = test.get("/dp-rabat/announcements/").await;
    assert_eq!(archive.status, 200);
    assert!(
        archive.body.contains("مباراة انتهى أجلها"),
        "it stays in the archive"
    );
}

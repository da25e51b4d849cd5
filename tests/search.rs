//! Search as readers and editors use it: across Arabic spellings, across a
//! region, fresh after a publish, never showing drafts to the public, and
//! never failing on what people type.

mod common;

use common::{demo, TestApp};
use serde_json::json;

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Publishes a news entry on dp-rabat and returns its id.
async fn publish_news(test: &TestApp, title: &str, body: &str) -> i64 {
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let created = editor
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "title": title, "body": body}),
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
    publisher
        .post(&path, &json!({"action": "publish"}))
        .await
        .expect(200);
    id
}

async fn hit_ids(test: &TestApp, query: &str) -> Vec<i64> {
    // What the server's watcher does four times a second, done now.
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
async fn a_query_in_one_spelling_finds_an_article_written_in_another() {
    let test = TestApp::with_demo().await;
    let id = publish_news(
        &test,
        "افتتاح المُستشفى المدرسي الجديد بالرباط",
        "استقبلت المدرسة التلاميذ في المستشفى الجديد.",
    )
    .await;
    for spelling in ["مستشفي", "المستشفى", "مُسْتَشْفَى", "المـسـتـشـفـى"]
    {
        let ids = hit_ids(&test, &format!("q={}&site=dp-rabat", encode(spelling))).await;
        assert!(ids.contains(&id), "{spelling} finds it: {ids:?}");
    }
}

#[tokio::test]
async fn the_public_search_page_highlights_the_words_found() {
    let test = TestApp::with_demo().await;
    publish_news(
        &test,
        "قافلة طبية لفائدة التلاميذ",
        "نظمت المديرية قافلة طبية <b>مهمة</b>.",
    )
    .await;
    test.app.sync_search().await.expect("sync");
    let page = test
        .get(&format!("/dp-rabat/search?q={}", encode("قافلة")))
        .await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let snippets = common::select_text(&html, ".card-snippet mark");
    assert!(snippets.iter().any(|m| m.contains("قافلة")), "{snippets:?}");
    assert!(!page.body.contains("<b>مهمة</b>"), "the text is escaped");
}

#[tokio::test]
async fn an_academy_search_covers_its_directorates() {
    let test = TestApp::with_demo().await;
    let id = publish_news(&test, "ملتقى جهوي للتوجيه المدرسي", "لقاء التوجيه.").await;
    let region = hit_ids(&test, &format!("q={}&site=aref-rsk", encode("التوجيه"))).await;
    assert!(region.contains(&id));
    let other = hit_ids(&test, &format!("q={}&site=dp-sale", encode("التوجيه"))).await;
    assert!(!other.contains(&id));
}

#[tokio::test]
async fn an_unpublished_entry_leaves_the_results_and_drafts_never_show() {
    let test = TestApp::with_demo().await;
    let id = publish_news(&test, "إعلان عن مباراة التوظيف", "مباراة.").await;
    let query = format!("q={}", encode("مباراة التوظيف"));
    assert!(hit_ids(&test, &query).await.contains(&id));
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    publisher
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": "unpublish"}),
        )
        .await
        .expect(200);
    assert!(
        !hit_ids(&test, &query).await.contains(&id),
        "gone once unpublished"
    );

    let editor = test.login(demo::EDITOR_RABAT).await;
    let drafts = editor
        .get(&format!("/api/v1/search?{query}&drafts=true"))
        .await
        .expect(200);
    assert!(drafts.json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .any(|h| h["id"] == id));
    test.anonymous()
        .get(&format!("/api/v1/search?{query}&drafts=true"))
        .await
        .expect_problem(401, "unauthenticated");
    test.login(demo::EDITOR_SALE)
        .await
        .get(&format!("/api/v1/search?{query}&drafts=true&site=dp-rabat"))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_second_server_on_the_same_folder_searches_the_index_read_only() {
    let test = TestApp::with_demo().await;
    // The first server holds the index's writer; a second one on the same
    // data folder cannot, so it searches the same index read-only and
    // follows what the first commits, rather than answering 503.
    let other = test.another_process().await;
    let node = common::serve_node(std::sync::Arc::clone(&other)).await;
    let id = publish_news(&test, "يوم دراسي حول الرقمنة", "الرقمنة.").await;
    test.app.sync_search().await.expect("sync the index");
    let search = format!("http://{node}/api/v1/search?q={}", encode("الرقمنة"));
    let mut found = Vec::new();
    // The reader notices the writer's commit within about a second.
    for _ in 0..100 {
        let response = test.client.get(&search).send().await.expect("search");
        assert_eq!(response.status(), 200, "the second server searches");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.expect("body")).expect("json");
        found = body["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .filter_map(|h| h["id"].as_i64())
            .collect();
        if found.contains(&id) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found.contains(&id), "found by the second server: {found:?}");
    assert!(test.app.search_writable());
    assert!(!other.search_writable());
    // Its watcher leaves the log to the writer.
    assert_eq!(other.sync_search().await.expect("sync"), 0);
}

#[tokio::test]
async fn what_people_type_never_breaks_the_search() {
    let test = TestApp::with_demo().await;
    let api = test.anonymous();
    let long = "مدرسة ".repeat(1000);
    for query in [
        String::new(),
        encode("\"\":*()-"),
        encode("ًٌٍَُِّْ"),
        encode(&long),
        encode("\"مسار"),
    ] {
        api.get(&format!("/api/v1/search?q={query}"))
            .await
            .expect(200);
    }
    for bad in [
        "page=-1",
        "page=1000000000",
        "order=best",
        "from=yesterday",
        "kind=poem",
    ] {
        api.get(&format!("/api/v1/search?q=x&{bad}"))
            .await
            .expect_problem(400, "invalid");
    }
    api.get("/api/v1/search?q=x&site=nowhere")
        .await
        .expect_problem(404, "not-found");
}

#[tokio::test]
async fn the_search_page_filters_by_kind_and_orders_by_date() {
    let test = TestApp::with_demo().await;
    let news = publish_news(&test, "لقاء تواصلي حول الدعم الاجتماعي", "الدعم الاجتماعي.").await;
    test.app.sync_search().await.expect("sync");
    let query = encode("الدعم الاجتماعي");
    let all = test.get(&format!("/dp-rabat/search?q={query}")).await;
    assert_eq!(all.status, 200);
    assert!(
        all.body.contains(&format!("/news/{news}-")),
        "the news is found"
    );
    let form = all.html();
    assert_eq!(
        common::select_attr(&form, "select[name=kind] option", "value").len(),
        5
    );
    let events = test
        .get(&format!(
            "/dp-rabat/search?q={query}&kind=event&order=newest"
        ))
        .await;
    assert_eq!(events.status, 200);
    assert!(
        !events.body.contains(&format!("/news/{news}-")),
        "only events"
    );
    let selected = common::select_attr(
        &events.html(),
        "select[name=kind] option[selected]",
        "value",
    );
    assert_eq!(selected, ["event"]);
    let odd = test
        .get(&format!("/dp-rabat/search?q={query}&kind=poem&order=x"))
        .await;
    assert_eq!(
        odd.status, 200,
        "unknown filters are ignored, not an error page"
    );
}

#[tokio::test]
async fn the_search_page_narrows_by_programme_date_and_site_below() {
    let test = TestApp::with_demo().await;
    let editor = test.login(demo::EDITOR_RABAT).await;
    let publisher = test.login(demo::PUBLISHER_RABAT).await;
    let tayssir = editor
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "title": "قافلة الكتب المتنقلة", "body": "قافلة الكتب في القرى.",
                    "programmes": ["tayssir"]}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("id");
    for action in ["submit", "approve", "publish"] {
        let who = if action == "submit" {
            &editor
        } else {
            &publisher
        };
        who.post(
            &format!("/api/v1/entries/{tayssir}/transitions"),
            &json!({"action": action}),
        )
        .await
        .expect(200);
    }
    let other = publish_news(&test, "قافلة الكتب في المدينة", "قافلة أخرى.").await;
    test.app.sync_search().await.expect("sync");
    let q = encode("قافلة الكتب");
    let found = |body: &str, id: i64| body.contains(&format!("/news/{id}-"));

    let by_programme = test
        .get(&format!("/dp-rabat/search?q={q}&programme=tayssir"))
        .await;
    assert!(found(&by_programme.body, tayssir));
    assert!(
        !found(&by_programme.body, other),
        "other programmes left out"
    );
    let chosen = common::select_attr(
        &by_programme.html(),
        "select[name=programme] option[selected]",
        "value",
    );
    assert_eq!(chosen, ["tayssir"], "the form shows what was chosen");
    let next_page_link_keeps_it = by_programme.html();
    assert!(
        common::select_attr(
            &next_page_link_keeps_it,
            "details.search-more[open]",
            "class"
        )
        .len()
            == 1
    );

    let today = time::OffsetDateTime::now_utc().date();
    let since_today = test
        .get(&format!("/dp-rabat/search?q={q}&from={today}"))
        .await;
    assert!(found(&since_today.body, tayssir) && found(&since_today.body, other));
    let before = test
        .get(&format!("/dp-rabat/search?q={q}&to=2020-01-01"))
        .await;
    assert!(!found(&before.body, tayssir) && !found(&before.body, other));
    // Dates typed the wrong way round are read the right way round;
    // nonsense dates are ignored.
    let swapped = test
        .get(&format!(
            "/dp-rabat/search?q={q}&from=2100-01-01&to=2020-01-01"
        ))
        .await;
    assert!(found(&swapped.body, tayssir));
    let nonsense = test
        .get(&format!(
            "/dp-rabat/search?q={q}&from=yesterday&to=2026-02-30"
        ))
        .await;
    assert_eq!(nonsense.status, 200);
    assert!(found(&nonsense.body, tayssir));

    // The academy's page offers the sites below it and narrows to one.
    let academy = test.get(&format!("/aref-rsk/search?q={q}")).await;
    assert!(found(&academy.body, tayssir), "the region covers dp-rabat");
    let sites = common::select_attr(&academy.html(), "select[name=site] option", "value");
    assert!(sites.contains(&"dp-rabat".to_owned()) && sites.contains(&"dp-sale".to_owned()));
    let in_sale = test
        .get(&format!("/aref-rsk/search?q={q}&site=dp-sale"))
        .await;
    assert!(!found(&in_sale.body, tayssir));
    // A site that is not below is ignored, never a way around the region.
    let elsewhere = test
        .get(&format!("/dp-sale/search?q={q}&site=dp-rabat"))
        .await;
    assert_eq!(elsewhere.status, 200);
    let own_results = elsewhere
        .body
        .split("class=\"search-wider\"")
        .next()
        .unwrap_or_default();
    assert!(!found(own_results, tayssir));
}

#[tokio::test]
async fn a_directorates_search_offers_the_academys_results_for_the_same_words() {
    let test = TestApp::with_demo().await;
    let admin = test.login(demo::ADMIN).await;
    let created = admin
        .post(
            "/api/v1/sites/aref-rsk/entries",
            &json!({"kind": "announcement", "title": "نتائج مباراة توظيف الأطر النظامية",
                    "body": "تعلن الأكاديمية عن نتائج مباراة توظيف الأطر النظامية."}),
        )
        .await
        .expect(201);
    let academy = created.json["id"].as_i64().expect("id");
    for action in ["submit", "approve", "publish"] {
        admin
            .post(
                &format!("/api/v1/entries/{academy}/transitions"),
                &json!({"action": action}),
            )
            .await
            .expect(200);
    }
    let local = publish_news(
        &test,
        "لقاء حول مباراة توظيف الأطر النظامية",
        "لقاء إخباري بالمديرية.",
    )
    .await;
    test.app.sync_search().await.expect("sync");
    let q = encode("مباراة توظيف الأطر النظامية");

    let page = test.get(&format!("/dp-rabat/search?q={q}")).await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let listed = common::select_attr(&html, "ul.cards a[href]", "href");
    let offered = common::select_attr(&html, ".search-wider .cards a[href]", "href");
    assert!(
        offered
            .iter()
            .any(|h| h.contains(&format!("/aref-rsk/announcements/{academy}-"))),
        "the academy's entry is offered: {offered:?}"
    );
    assert!(
        !offered.iter().any(|h| h.contains(&format!("/{local}-"))),
        "the directorate's own hit is not offered again"
    );
    assert!(
        listed
            .iter()
            .any(|h| h.contains(&format!("/news/{local}-"))),
        "and stays in the directorate's results"
    );
    let title = common::select_text(&html, ".search-wider h2");
    assert_eq!(title.len(), 1);
    assert!(
        title[0].contains("الأكاديمية"),
        "names the academy: {title:?}"
    );
    let more = common::select_attr(&html, ".search-wider > p > a", "href");
    assert_eq!(more, [format!("/aref-rsk/search?q={q}")]);
    let there = test.get(&more[0]).await;
    assert!(there.body.contains(&format!("/announcements/{academy}-")));
    assert!(
        common::select_text(&there.html(), ".search-wider h2").is_empty(),
        "an academy has nothing above it to offer"
    );

    let nothing_above = test
        .get(&format!(
            "/dp-rabat/search?q={}",
            encode("لقاء إخباري بالمديرية")
        ))
        .await;
    assert!(
        common::select_text(&nothing_above.html(), ".search-wider h2").is_empty(),
        "no offer when the academy has nothing for these words"
    );
    let by_kind = test.get(&format!("/dp-rabat/search?q={q}&kind=news")).await;
    assert!(
        common::select_text(&by_kind.html(), ".search-wider h2").is_empty(),
        "the reader's filters hold on the academy too"
    );
}

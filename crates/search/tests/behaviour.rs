//! One behavioural suite, written against `&dyn SearchIndex`, run for each
//! backend: the embedded index always, Meilisearch when
//! `TAWASUL_TEST_MEILI_URL` is set (with `TAWASUL_TEST_MEILI_KEY` if needed).

use tawasul_search::{Document, EmbeddedIndex, Order, Query, SearchIndex};
use time::macros::datetime;
use time::OffsetDateTime;

fn doc(id: i64, site: &str, title: &str, body: &str) -> Document {
    let ancestors = match site {
        "agadir" | "tiznit" => vec!["souss-massa".to_owned(), "ministere".to_owned()],
        "casa" => vec!["casa-settat".to_owned(), "ministere".to_owned()],
        "souss-massa" | "casa-settat" => vec!["ministere".to_owned()],
        _ => vec![],
    };
    Document {
        id,
        site: site.to_owned(),
        ancestors,
        kind: "news".to_owned(),
        locale: "ar".to_owned(),
        status: "published".to_owned(),
        title: title.to_owned(),
        summary: String::new(),
        body: body.to_owned(),
        category: None,
        tags: vec![],
        programmes: vec![],
        published_at: Some(datetime!(2026-01-01 10:00 UTC) + time::Duration::days(id)),
    }
}

fn corpus() -> Vec<Document> {
    let mut docs = vec![
        doc(
            1,
            "agadir",
            "افتتاح المَدْرَسَةِ الجديدة بأكادير",
            "دشن المدير الإقليمي مدرسة ابتدائية جديدة.",
        ),
        doc(
            2,
            "tiznit",
            "زيارة مستشفى الأطفال",
            "زار التلاميذ مستشفي الحسن الثاني في إطار أنشطة الدعم الاجتماعي.",
        ),
        doc(
            3,
            "casa",
            "دورة تكوينية حول الدعم الاجتماعي",
            "نظمت المديرية دورة تكوينية لفائدة الأساتذة حول الدعم الاجتماعي المباشر.",
        ),
        doc(
            4,
            "souss-massa",
            "نتائج امتحانات البكالوريا ٢٠٢٦",
            "أعلنت الأكاديمية نتائج الدورة العادية لسنة 2026.",
        ),
        doc(
            5,
            "agadir",
            "Formation des enseignants à l'éducation numérique",
            "Les Éducations nouvelles et la formation continue des inspectrices.",
        ),
        doc(
            6,
            "casa",
            "اجتماع أحمد مع جمعيات الآباء",
            "ترأس السيد احمد اجتماعا مع جمعيات آباء وأمهات التلاميذ.",
        ),
        doc(
            7,
            "tiznit",
            "Titre <script>alert('x')</script> مسار",
            "نص عن <b>منظومة مسار</b> & الدعم.",
        ),
        doc(
            8,
            "agadir",
            "والتعليم الأولي في الوسط القروي",
            "توسيع التعليم الأولي بالوسط القروي.",
        ),
        doc(
            9,
            "tiznit",
            "لقاء الوزارة مع الشركاء",
            "عقدت وزارة التربية الوطنية لقاء مع الشركاء.",
        ),
    ];
    docs[2].kind = "training_report".to_owned();
    docs[2].programmes = vec!["tayssir".to_owned()];
    docs[2].category = Some("formation".to_owned());
    docs[3].kind = "announcement".to_owned();
    docs[4].locale = "fr".to_owned();
    docs[7].status = "draft".to_owned();
    docs[7].published_at = None;
    docs
}

async fn ids(index: &dyn SearchIndex, q: &Query) -> Vec<i64> {
    let hits = index.search(q).await.expect("search");
    let mut ids: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
    ids.sort_unstable();
    ids
}

async fn find(index: &dyn SearchIndex, text: &str) -> Vec<i64> {
    ids(index, &Query::public(text)).await
}

async fn suite(index: &dyn SearchIndex) {
    index.clear().await.expect("clear");
    index.upsert(corpus()).await.expect("upsert");
    assert_eq!(index.count().await.expect("count"), 9);

    // Spelling variants find each other, both ways.
    for q in [
        "المدرسة",
        "مدرسه",
        "بالمدرسة",
        "للمدرسة",
        "مُدَرِّسَةٌ",
        "الـمـدرسـة",
        "فالمدرسه",
    ] {
        assert!(find(index, q).await.contains(&1), "{q}");
    }
    for q in ["أحمد", "احمد", "إحمد"] {
        assert_eq!(find(index, q).await, [6], "{q}");
    }
    for q in ["مستشفى", "مستشفي", "المستشفى"] {
        assert_eq!(find(index, q).await, [2], "{q}");
    }
    for q in ["2026", "٢٠٢٦", "۲۰۲۶"] {
        assert_eq!(find(index, q).await, [4], "{q}");
    }
    for q in ["education", "Éducations", "ÉDUCATION", "formations"] {
        assert_eq!(find(index, q).await, [5], "{q}");
    }
    // A root و: وزارة (light10: زار) and الوزارة (وزار) still meet.
    assert_eq!(find(index, "الوزارة").await, [9]);
    assert_eq!(find(index, "وزارة").await, [9]);
    // Drafts are not public…
    assert!(find(index, "التعليم").await.is_empty());
    // …but whoever may read them asks for them.
    let mut drafts = Query::public("والتعليم");
    drafts.statuses = vec!["draft".to_owned(), "published".to_owned()];
    assert_eq!(ids(index, &drafts).await, [8]);

    // One typo in a word of five letters or more.
    assert_eq!(find(index, "تكوينيه").await, [3]);
    assert_eq!(find(index, "الاساتزة").await, [3]);
    assert_eq!(find(index, "fromation").await, [5]);

    // Phrases: the words next to each other, in order.
    assert_eq!(find(index, "\"الدعم الاجتماعي\"").await, [2, 3]);
    assert_eq!(find(index, "\"دورة تكوينية\"").await, [3]);
    assert!(find(index, "\"الاجتماعي الدعم\"").await.is_empty());

    // Regional queries cover the directorates.
    let mut region = Query::public("الدعم");
    region.sites = vec!["souss-massa".to_owned()];
    assert_eq!(ids(index, &region).await, [2, 7]);
    region.sites = vec!["casa-settat".to_owned()];
    assert_eq!(ids(index, &region).await, [3]);
    region.sites = vec!["ministere".to_owned()];
    assert_eq!(ids(index, &region).await, [2, 3, 7]);

    // Filters.
    let mut q = Query::public("الدعم");
    q.kinds = vec!["training_report".to_owned()];
    assert_eq!(ids(index, &q).await, [3]);
    let mut q = Query::public("الدعم");
    q.programmes = vec!["tayssir".to_owned()];
    assert_eq!(ids(index, &q).await, [3]);
    let mut q = Query::public("الدعم");
    q.category = Some("formation".to_owned());
    assert_eq!(ids(index, &q).await, [3]);
    let mut q = Query::public("الدعم");
    q.from = Some(datetime!(2026-01-03 12:00 UTC));
    q.to = Some(datetime!(2026-01-05 00:00 UTC));
    assert_eq!(ids(index, &q).await, [3]);

    // Facets count every hit, not only the page.
    let mut q = Query::public("الدعم");
    q.per_page = 1;
    let hits = index.search(&q).await.expect("search");
    assert_eq!(hits.total, 3);
    assert_eq!(hits.hits.len(), 1);
    assert_eq!(hits.facets.kinds.get("news"), Some(&2));
    assert_eq!(hits.facets.kinds.get("training_report"), Some(&1));
    assert_eq!(hits.facets.sites.get("tiznit"), Some(&2));
    assert_eq!(hits.facets.sites.get("casa"), Some(&1));

    // Newest first, and pagination over it.
    let mut q = Query::public("الدعم");
    q.order = Order::Newest;
    q.per_page = 2;
    let page1 = index.search(&q).await.expect("search");
    let got: Vec<i64> = page1.hits.iter().map(|h| h.id).collect();
    assert_eq!(got, [7, 3]);
    assert_eq!(
        page1.hits[0].published_at,
        Some(datetime!(2026-01-08 10:00 UTC))
    );
    q.page = 2;
    let page2 = index.search(&q).await.expect("search");
    let got: Vec<i64> = page2.hits.iter().map(|h| h.id).collect();
    assert_eq!(got, [2]);
    assert_eq!(page2.total, 3);
    q.page = 99;
    assert!(index.search(&q).await.expect("search").hits.is_empty());

    // Snippets: original (vowelled) text, escaped, marked.
    let hits = index.search(&Query::public("مسار")).await.expect("search");
    assert_eq!(hits.hits.len(), 1);
    let hit = &hits.hits[0];
    assert_eq!(hit.title, "Titre <script>alert('x')</script> مسار");
    assert_eq!(
        hit.snippet,
        "نص عن &lt;b&gt;منظومة <mark>مسار</mark>&lt;/b&gt; &amp; الدعم."
    );
    let hits = index.search(&Query::public("مدرسة")).await.expect("search");
    assert!(
        hits.hits
            .iter()
            .any(|h| h.snippet.contains("<mark>مدرسة</mark>")),
        "{:?}",
        hits.hits
    );

    // When no entry holds every word, entries holding some are shown, and
    // the result says so.
    let hits = index
        .search(&Query::public("مستشفى الغائبة"))
        .await
        .expect("search");
    assert_eq!(hits.hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2]);
    assert!(hits.partial, "only some of the words");
    let hits = index
        .search(&Query::public("مستشفى الأطفال"))
        .await
        .expect("search");
    assert!(!hits.partial, "every word");

    // Relevance: the title outweighs the body.
    let hits = index
        .search(&Query::public("مستشفى الدعم"))
        .await
        .expect("search");
    assert_eq!(hits.hits.first().map(|h| h.id), Some(2));

    // Bad queries never fail.
    let long = "تكوين ".repeat(1000);
    for text in [
        "",
        "   ",
        "!!!",
        "\u{064E}\u{0650}",
        "\"",
        "\"\"",
        "title:",
        "*",
        "(",
        "-",
        "a:b*(c",
        "\"unclosed phrase",
        "AND OR NOT",
        "\\",
        "{}[]^~",
        long.as_str(),
    ] {
        index.search(&Query::public(text)).await.expect(text);
    }
    for text in ["", "!!! ...", "\u{064E}\u{0650}\u{0651}"] {
        let hits = index.search(&Query::public(text)).await.expect("search");
        assert_eq!(hits.total, 0);
        assert!(hits.hits.is_empty());
    }

    // Updates replace, removals disappear at once.
    let mut changed = corpus().remove(1);
    changed.title = "زيارة مصحة".to_owned();
    changed.body = "نص جديد".to_owned();
    index.upsert(vec![changed]).await.expect("upsert");
    assert!(find(index, "مستشفى").await.is_empty());
    assert_eq!(find(index, "مصحة").await, [2]);
    index.remove(vec![2, 3, 12345]).await.expect("remove");
    assert!(find(index, "مصحة").await.is_empty());
    assert!(find(index, "تكوينية").await.is_empty());
    assert_eq!(index.count().await.expect("count"), 7);

    index.clear().await.expect("clear");
    assert_eq!(index.count().await.expect("count"), 0);
    assert!(find(index, "احمد").await.is_empty());
}

#[tokio::test]
async fn embedded_backend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = EmbeddedIndex::open(dir.path()).expect("open");
    suite(&index).await;
}

/// Query words that stand next to each other in a text rank it first.
#[tokio::test]
async fn neighbouring_words_rank_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = EmbeddedIndex::open(dir.path()).expect("open");
    let far = doc(
        1,
        "agadir",
        "مهرجان المسرح",
        "افتتح المهرجان بعد الدخول إلى القاعة، وحضرته الجمعيات والفرق والمؤسسات المدرسية.",
    );
    let near = doc(
        2,
        "agadir",
        "مهرجان المسرح",
        "تستعد المؤسسات والجمعيات والفرق لتنظيم الدخول المدرسي بعد العطلة.",
    );
    index.upsert(vec![far, near]).await.expect("upsert");
    let hits = index
        .search(&Query::public("الدخول المدرسى"))
        .await
        .expect("search");
    let got: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
    assert_eq!(got, [2, 1]);
}

#[tokio::test]
async fn embedded_index_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let index = EmbeddedIndex::open(dir.path()).expect("open");
        index.upsert(corpus()).await.expect("upsert");
    }
    // The old writer thread releases its lock once its channel closes.
    let mut reopened = None;
    for _ in 0..50 {
        match EmbeddedIndex::open(dir.path()) {
            Ok(index) => {
                reopened = Some(index);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    let index = reopened.expect("reopen");
    assert_eq!(index.count().await.expect("count"), 9);
    assert_eq!(find(&index, "احمد").await, [6]);
}

#[tokio::test]
async fn concurrent_writes_are_batched_and_all_visible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = EmbeddedIndex::open(dir.path()).expect("open");
    let started = std::time::Instant::now();
    let writes = (0..50).map(|i| {
        let index = index.clone();
        async move {
            let mut d = doc(100 + i, "agadir", "خبر", "نص");
            d.published_at = Some(OffsetDateTime::UNIX_EPOCH);
            index.upsert(vec![d]).await
        }
    });
    for r in futures_join(writes).await {
        r.expect("upsert");
    }
    assert_eq!(index.count().await.expect("count"), 50);
    // 50 writes share a handful of commits, not 50 × 100 ms.
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("join"));
    }
    out
}

#[cfg(feature = "meilisearch")]
#[tokio::test]
async fn meilisearch_backend() {
    let Ok(url) = std::env::var("TAWASUL_TEST_MEILI_URL") else {
        eprintln!(
            "TAWASUL_TEST_MEILI_URL is not set: the Meilisearch run of the search suite is skipped"
        );
        return;
    };
    let config = tawasul_search::MeiliConfig {
        url,
        api_key: std::env::var("TAWASUL_TEST_MEILI_KEY").ok(),
        index: format!("tawasul_test_{}", std::process::id()),
    };
    let index = tawasul_search::MeiliIndex::connect(config)
        .await
        .expect("connect");
    suite(&index).await;
}

//! Importing content: the demo network and folders of Markdown, including
//! everything a clumsy or hostile author can put in a file.

mod common;

use std::path::Path;

use common::{demo_content, write, TestApp};
use tawasul_app::AppError;

const GOOD_NEWS: &str = r#"+++
kind = "news"
locale = "ar"
title = "افتتاح قاعة متعددة الوسائط"
status = "published"
published_at = 2026-11-02T10:00:00Z
tags = ["الرقمنة"]
+++

افتتحت المديرية قاعة متعددة الوسائط لفائدة الأساتذة.
"#;

const GOOD_REPORT: &str = r#"+++
kind = "training_report"
locale = "fr"
title = "Atelier sur l'évaluation formative"
slug = "atelier-evaluation"
status = "published"
published_at = 2026-10-20T09:00:00Z

[training]
starts_on = 2026-10-19
ends_on = 2026-10-20
venue = "Centre régional des métiers de l'éducation"
audience = "Enseignants du primaire"
head_count = 35
facilitators = ["Mme Amal"]
workshops = ["Grilles d'évaluation"]
recommendations = ["Généraliser les grilles"]
+++

Deux journées de travail sur l'évaluation formative.
"#;

async fn entry_count(test: &TestApp, site: &str) -> u64 {
    let id = test.app.network().site_by_slug(site).expect("site").id;
    test.app.store().count_entries(id).await.expect("count")
}

fn problems(err: AppError) -> Vec<String> {
    match err {
        AppError::Import(problems) => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected an import refusal, got {other}"),
    }
}

#[tokio::test]
async fn loading_the_demo_again_updates_instead_of_duplicating() {
    let test = TestApp::with_demo().await;
    let before = entry_count(&test, "dp-rabat").await;
    let (report, logins) = test
        .app
        .load_network(&demo_content())
        .await
        .expect("second load");
    assert_eq!(report.created, 0, "{report}");
    assert_eq!(report.updated, 0, "{report}");
    assert!(report.unchanged >= 30, "{report}");
    assert_eq!(entry_count(&test, "dp-rabat").await, before);
    assert!(logins.iter().any(|l| l.roles.contains("platform admin")));
}

#[tokio::test]
async fn editing_a_file_and_importing_again_updates_the_entry_with_a_revision() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    write(&dir.path().join("news.md"), GOOD_NEWS);
    let first = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("import");
    assert_eq!(first.created, 1);

    write(
        &dir.path().join("news.md"),
        &GOOD_NEWS.replace("لفائدة الأساتذة", "لفائدة الأساتذة والتلاميذ"),
    );
    let second = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("import again");
    assert_eq!((second.created, second.updated), (0, 1), "{second}");

    let page = test.get("/dp-rabat/news/").await;
    let link = page
        .links("main a")
        .into_iter()
        .find(|l| l.contains("news/") && !l.ends_with('/'))
        .expect("link");
    let id: i32 = link
        .rsplit('/')
        .next()
        .and_then(|s| s.split('-').next())
        .and_then(|s| s.parse().ok())
        .expect("id");
    let revisions = test.app.store().revisions(id).await.expect("revisions");
    assert_eq!(revisions.len(), 2);
    assert!(revisions[1].body_md.contains("والتلاميذ"));
    let entry = test.get(&link).await;
    assert!(entry.body.contains("والتلاميذ"));
}

#[tokio::test]
async fn malformed_front_matter_is_reported_with_file_and_line_and_nothing_is_imported() {
    let test = TestApp::with_demo().await;
    let before = entry_count(&test, "dp-rabat").await;
    let dir = tempfile::tempdir().expect("dir");
    write(&dir.path().join("a-good.md"), GOOD_NEWS);
    write(&dir.path().join("b-report.md"), GOOD_REPORT);
    write(
        &dir.path().join("c-broken.md"),
        "+++\nkind = \"news\"\nlocale = \"ar\"\ntitle = \"عنوان بلا نهاية\nstatus = \"published\"\n+++\n\nنص.\n",
    );
    write(
        &dir.path().join("d-no-front-matter.md"),
        "# Just Markdown\n",
    );
    let err = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect_err("refused");
    let problems = problems(err);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("c-broken.md:4:"), "{problems:#?}");
    assert!(
        problems[1].contains("d-no-front-matter.md:1:"),
        "{problems:#?}"
    );
    assert_eq!(
        entry_count(&test, "dp-rabat").await,
        before,
        "nothing half-imported"
    );
}

#[tokio::test]
async fn each_mistake_in_an_entry_is_named() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let cases = [
        (
            "kind.md",
            GOOD_NEWS.replace("kind = \"news\"", "kind = \"blog\""),
            ":2: unknown entry kind `blog`",
        ),
        (
            "category.md",
            GOOD_NEWS.replace("tags =", "category = \"sport\"\ntags ="),
            "unknown category `sport`",
        ),
        (
            "programme.md",
            GOOD_NEWS.replace("tags =", "programmes = [\"hogwarts\"]\ntags ="),
            "unknown programme `hogwarts`",
        ),
        (
            "no-date.md",
            GOOD_NEWS.replace("published_at = 2026-11-02T10:00:00Z\n", ""),
            "needs `published_at`",
        ),
        (
            "local-time.md",
            GOOD_NEWS.replace("2026-11-02T10:00:00Z", "2026-11-02T10:00:00"),
            "a zone",
        ),
        (
            "no-training.md",
            GOOD_REPORT
                .split("[training]")
                .next()
                .expect("head")
                .to_owned()
                + "+++\nBody\n",
            "needs its [training] table",
        ),
        (
            "backwards.md",
            GOOD_REPORT.replace("ends_on = 2026-10-20", "ends_on = 2026-10-01"),
            "cannot end before it starts",
        ),
        (
            "missing-field.md",
            GOOD_REPORT.replace("head_count = 35\n", ""),
            "missing field `head_count`",
        ),
        (
            "wrong-table.md",
            GOOD_NEWS.replace(
                "+++\n\n",
                "[event]\nstarts_at = 2026-12-01T09:00:00Z\n+++\n\n",
            ),
            "a news cannot have a [event] table",
        ),
        (
            "cover.md",
            GOOD_NEWS.replace(
                "tags =",
                "cover = \"missing.jpg\"\ncover_alt = \"x\"\ntags =",
            ),
            "does not exist",
        ),
        (
            "no-alt.md",
            GOOD_NEWS.replace(
                "tags =",
                "cover = \"../../../content/media/classroom.jpg\"\ntags =",
            ),
            "needs `cover_alt`",
        ),
        (
            "bad-slug.md",
            GOOD_NEWS.replace("tags =", "slug = \"Bad Slug!\"\ntags ="),
            "not a valid slug",
        ),
        (
            "unknown-key.md",
            GOOD_NEWS.replace("tags =", "colour = \"red\"\ntags ="),
            "colour",
        ),
    ];
    for (file, text, _) in &cases {
        write(&dir.path().join(file), text);
    }
    let err = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect_err("refused");
    let problems = problems(err);
    for (file, _, expected) in &cases {
        assert!(
            problems
                .iter()
                .any(|p| p.contains(file) && p.contains(expected)),
            "{file}: expected a problem containing {expected:?} in {problems:#?}"
        );
    }
}

#[tokio::test]
async fn two_entries_with_the_same_slug_in_a_site_are_a_clear_conflict() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    write(&dir.path().join("one.md"), GOOD_REPORT);
    write(&dir.path().join("two/again.md"), GOOD_REPORT);
    let problems = problems(
        test.app
            .import_markdown(dir.path(), "dp-rabat")
            .await
            .expect_err("refused"),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("again.md")
            && problems[0].contains("one.md")
            && problems[0].contains("atelier-evaluation"),
        "{problems:?}"
    );

    // The same slug in another site is another entry.
    std::fs::remove_dir_all(dir.path().join("two")).expect("rm");
    test.app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("rabat");
    test.app
        .import_markdown(dir.path(), "dp-sale")
        .await
        .expect("salé");
}

#[tokio::test]
async fn importing_into_an_unknown_site_or_folder_says_so() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    match test.app.import_markdown(dir.path(), "dp-atlantis").await {
        Err(AppError::NotFound(what)) => assert!(what.contains("dp-atlantis")),
        other => panic!("{other:?}"),
    }
    let missing = dir.path().join("nope");
    let problems = problems(
        test.app
            .import_markdown(&missing, "dp-rabat")
            .await
            .expect_err("refused"),
    );
    assert!(problems[0].contains("does not exist"), "{problems:?}");
}

#[tokio::test]
async fn a_broken_network_file_is_refused_whole() {
    let test = TestApp::start().await;
    let dir = tempfile::tempdir().expect("dir");
    write(
        &dir.path().join("network.toml"),
        "[[site]]\nslug = \"aref-x\"\nkind = \"academy\"\nname_ar = \"أ\"\nname_fr = \"A\"\nhosts = [\"A.example:80\"]\n\n[[user]]\nemail = \"not-an-email\"\nname = \"X\"\npassword = \"short\"\n",
    );
    let problems = problems(
        test.app
            .load_network(dir.path())
            .await
            .expect_err("refused"),
    );
    let all = problems.join("\n");
    assert!(all.contains("is not a host name"), "{all}");
    assert!(all.contains("not an e-mail address"), "{all}");
    assert!(all.contains("at least 12 characters"), "{all}");
    assert!(test.app.network().sites().is_empty(), "nothing written");
}

#[tokio::test]
async fn site_template_overrides_change_only_their_site() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    write(
        &dir.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"lost\">{{ t.not_found.title }}</h1><p>Salé</p>{% endblock content %}",
    );
    test.app
        .import_markdown(dir.path(), "dp-sale")
        .await
        .expect("import");
    assert!(test
        .get("/dp-sale/nowhere")
        .await
        .body
        .contains("id=\"lost\""));
    assert!(!test
        .get("/dp-rabat/nowhere")
        .await
        .body
        .contains("id=\"lost\""));

    write(
        &dir.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}{% if %}{% endblock content %}",
    );
    let problems = problems(
        test.app
            .import_markdown(dir.path(), "dp-sale")
            .await
            .expect_err("refused"),
    );
    assert!(problems[0].contains("templates"), "{problems:?}");
}

#[tokio::test]
async fn images_are_stored_once_by_content_and_links_rewritten() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media");
    let some_jpeg = std::fs::read_dir(&photo)
        .expect("media")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "jpg"))
        .expect("a demo photo");
    std::fs::copy(&some_jpeg, dir.path().join("photo.jpg")).expect("copy");
    std::fs::copy(&some_jpeg, dir.path().join("same-photo.jpg")).expect("copy");
    write(
        &dir.path().join("news.md"),
        &GOOD_NEWS
            .replace(
                "tags =",
                "cover = \"photo.jpg\"\ncover_alt = \"قاعة\"\ntags =",
            )
            .replace(
                "لفائدة الأساتذة.",
                "لفائدة الأساتذة.\n\n![صورة القاعة](same-photo.jpg)",
            ),
    );
    std::fs::write(
        dir.path().join("fake.jpg"),
        b"<?php echo 'not an image'; ?>",
    )
    .expect("fake");
    write(
        &dir.path().join("fake.md"),
        &GOOD_REPORT.replace("+++\n\nDeux", "+++\n\n![x](fake.jpg)\n\nDeux"),
    );
    let problems = problems(
        test.app
            .import_markdown(dir.path(), "dp-rabat")
            .await
            .expect_err("refused"),
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("fake.md") && p.contains("is not a JPEG")),
        "{problems:?}"
    );

    std::fs::remove_file(dir.path().join("fake.md")).expect("rm");
    test.app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("import");
    let page = test.get("/dp-rabat/news/").await;
    let link = page
        .links("main a")
        .into_iter()
        .find(|l| l.contains("/news/") && !l.ends_with('/'))
        .expect("entry");
    let entry = test.get(&link).await;
    let images = common::select_attr(&entry.html(), ".prose img", "src");
    assert_eq!(images.len(), 1);
    assert!(
        images[0].starts_with("/uploads/") && images[0].ends_with(".jpg"),
        "{images:?}"
    );
    assert_eq!(test.get(&images[0]).await.status, 200);
}

#[tokio::test]
async fn imported_photos_are_library_items_with_their_alt_text_in_the_editors_picker() {
    let test = TestApp::with_demo().await;
    let site = test
        .app
        .network()
        .site_by_slug("dp-rabat")
        .expect("site")
        .id;
    let library = || async {
        test.app
            .store()
            .search_media(site, &[], 1, 500)
            .await
            .expect("the library")
            .items
    };
    let before = library().await.len();
    let dir = tempfile::tempdir().expect("dir");
    let media = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media");
    std::fs::copy(media.join("science-lab.jpg"), dir.path().join("cover.jpg")).expect("copy");
    // The same file under another name, and another photo.
    std::fs::copy(media.join("science-lab.jpg"), dir.path().join("again.jpg")).expect("copy");
    std::fs::copy(media.join("running-race.jpg"), dir.path().join("race.jpg")).expect("copy");
    write(
        &dir.path().join("news.md"),
        &GOOD_NEWS
            .replace(
                "tags =",
                "cover = \"cover.jpg\"\ncover_alt = \"مختبر العلوم بالإعدادية\"\ntags =",
            )
            .replace(
                "لفائدة الأساتذة.",
                "لفائدة الأساتذة.\n\n![المختبر من جديد](again.jpg)\n\n![سباق التلاميذ](race.jpg)",
            ),
    );
    let report = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("import");
    assert_eq!((report.media, report.library_new), (2, 2), "{report}");

    // Two files, two items, each with the alt text the file gave it.
    let items = library().await;
    assert_eq!(items.len(), before + 2);
    let lab = items
        .iter()
        .find(|i| i.original_name == "cover.jpg")
        .expect("the cover's item");
    assert_eq!(lab.alt_ar, "مختبر العلوم بالإعدادية");
    assert_eq!(lab.kind, "image");
    let race = items
        .iter()
        .find(|i| i.original_name == "race.jpg")
        .expect("the text's photo's item");
    assert_eq!(race.alt_ar, "سباق التلاميذ");

    // The entry shows them as the library's: a chosen cover, `media:N`.
    let entry = test
        .app
        .store()
        .entry_by_slug(
            site,
            &tawasul_domain::slug::slugify("افتتاح قاعة متعددة الوسائط"),
        )
        .await
        .expect("read")
        .expect("imported");
    assert_eq!(entry.cover_media_id, Some(lab.id));
    assert_eq!(entry.cover_alt, lab.alt_ar);
    assert!(entry
        .body_md
        .contains(&format!("![المختبر من جديد](media:{})", lab.id)));
    assert!(entry
        .body_md
        .contains(&format!("![سباق التلاميذ](media:{})", race.id)));
    let revisions = test.app.store().revisions(entry.id).await.expect("history");
    assert_eq!(
        revisions[0].cover_media_id,
        Some(lab.id),
        "the history knows it"
    );

    let editor = common::admin::Browser::login(&test, common::demo::EDITOR_RABAT).await;
    let page = editor.get(&format!("/admin/entries/{}", entry.id)).await;
    assert_eq!(
        page.attrs("input[name=cover_media][checked]", "value"),
        [lab.id.to_string()]
    );
    assert_eq!(
        page.attrs(&format!("[name=alt_{}]", lab.id), "value"),
        [lab.alt_ar.as_str()]
    );

    // Importing again finds the same items and changes nothing.
    let again = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("import again");
    assert_eq!((again.unchanged, again.library_new), (1, 0), "{again}");
    assert_eq!(library().await.len(), before + 2);
}

#[tokio::test]
async fn a_photo_the_library_refuses_is_named_before_anything_is_written() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let media = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media");
    std::fs::copy(media.join("logo-rabat.svg"), dir.path().join("logo.svg")).expect("copy");
    write(
        &dir.path().join("news.md"),
        &GOOD_NEWS.replace(
            "tags =",
            "cover = \"logo.svg\"\ncover_alt = \"شعار\"\ntags =",
        ),
    );
    let problems = problems(
        test.app
            .import_markdown(dir.path(), "dp-rabat")
            .await
            .expect_err("refused"),
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("news.md") && p.contains("SVG")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_title_that_repeats_gets_a_numbered_slug_and_only_chosen_slugs_clash() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    // Three files without a slug, the same title each year.
    for year in ["2023", "2024", "2025"] {
        write(&dir.path().join(format!("{year}.md")), GOOD_NEWS);
    }
    // And one whose author chose the slug a title would give.
    let derived = tawasul_domain::slug::slugify("افتتاح قاعة متعددة الوسائط");
    write(
        &dir.path().join("chosen.md"),
        &GOOD_NEWS.replace("tags =", &format!("slug = \"{derived}\"\ntags =")),
    );
    test.app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("imported");
    let site = test
        .app
        .network()
        .site_by_slug("dp-rabat")
        .expect("site")
        .id;
    let store = test.app.store();
    for slug in [
        derived.clone(),
        format!("{derived}-2"),
        format!("{derived}-3"),
        format!("{derived}-4"),
    ] {
        assert!(
            store.entry_by_slug(site, &slug).await.expect("q").is_some(),
            "{slug}"
        );
    }
    // Importing again gives each file the same slug: nothing new.
    let report = test
        .app
        .import_markdown(dir.path(), "dp-rabat")
        .await
        .expect("again");
    assert_eq!(report.created, 0, "{report}");
}

//! Moving a school's Blogger blog in: an export written here (Arabic and
//! French posts, a page, a draft, labels, images) imported into a site,
//! its old addresses answering 301 to pages that answer 200, and a second
//! run changing nothing.

mod common;

use std::path::Path;

use common::exports::{blogger, jpeg, write_file, BloggerEntry};
use common::TestApp;
use tawasul_app::import::moving::{Format, MoveOptions, MoveReport};
use tawasul_app::AppError;

const SITE: &str = "dp-sale";

fn entries() -> Vec<BloggerEntry> {
    vec![
        BloggerEntry {
            id: 1,
            title: "رحلة إلى المتحف".into(),
            html: "<div>زار التلاميذ <b>المتحف</b> الوطني.</div><div><br /></div><div class=\"separator\"><a href=\"https://blogger.googleusercontent.com/img/b/R29v/s1600/musee.jpg\"><img border=\"0\" src=\"https://blogger.googleusercontent.com/img/b/R29v/w400-h300/musee.jpg\" alt=\"التلاميذ في المتحف\" /></a></div><div>اقرأ <a href=\"https://ecole-old.blogspot.com/2020/04/fete-du-livre.html\">fête du livre</a></div>".into(),
            published: "2020-03-04T10:00:00.000+01:00".into(),
            labels: vec!["رحلات".into(), "Vie scolaire".into()],
            path: "/2020/03/blog-post.html".into(),
            draft: false,
            ..BloggerEntry::default()
        },
        BloggerEntry {
            id: 2,
            title: "Fête du livre".into(),
            html: "<p>Une journée de <i>lecture</i>.</p><iframe allowfullscreen=\"\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" width=\"320\"></iframe>".into(),
            published: "2020-04-20T09:00:00.000+01:00".into(),
            labels: vec!["Vie scolaire".into()],
            path: "/2020/04/fete-du-livre.html".into(),
            draft: false,
            ..BloggerEntry::default()
        },
        BloggerEntry {
            id: 3,
            title: "Brouillon".into(),
            html: "x".into(),
            published: "2020-05-01T09:00:00.000+01:00".into(),
            path: String::new(),
            draft: true,
            ..BloggerEntry::default()
        },
        BloggerEntry {
            id: 4,
            page: true,
            title: "Contact".into(),
            html: "<p>Tél. 05 37 00 00 00</p>".into(),
            published: "2019-01-01T09:00:00.000+01:00".into(),
            path: "/p/contact.html".into(),
            ..BloggerEntry::default()
        },
    ]
}

fn fixture(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let file = dir.join("blog.xml");
    write_file(&file, blogger(&entries()).as_bytes());
    let images = dir.join("images");
    write_file(&images.join("musee.jpg"), &jpeg(3));
    (file, images)
}

fn options(file: &Path, images: &Path, dry_run: bool) -> MoveOptions {
    MoveOptions {
        format: Format::Blogger,
        file: file.to_owned(),
        site: SITE.to_owned(),
        uploads: Some(images.to_owned()),
        fetch_media: false,
        author: None,
        dry_run,
    }
}

async fn import(test: &TestApp, options: &MoveOptions) -> MoveReport {
    test.app.move_in(options, &|_| {}).await.expect("import")
}

async fn moved_to(test: &TestApp, old: &str) -> String {
    let page = test.get(old).await;
    assert_eq!(page.status, 301, "{old} should redirect");
    let location = page.header("location").expect("location").to_owned();
    let target = test.get(&location).await;
    assert_eq!(target.status, 200, "{old} → {location}");
    location
}

#[tokio::test]
async fn a_blogger_blog_moves_in_and_its_old_addresses_lead_to_the_new_pages() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, images) = fixture(dir.path());

    let dry = import(&test, &options(&file, &images, true)).await;
    assert_eq!(dry.tallies["post"].found, 3, "{dry}");
    assert_eq!(dry.tallies["page"].found, 1, "{dry}");
    assert_eq!(dry.skipped["comment"].0, 4, "{dry}");

    let report = import(&test, &options(&file, &images, false)).await;
    assert_eq!(report.tallies["post"].created, 3, "{report}");
    assert_eq!(report.tallies["file"].created, 1, "{report}");

    let museum = moved_to(&test, "/dp-sale/2020/03/blog-post.html").await;
    assert!(museum.starts_with("/dp-sale/news/"), "{museum}");
    let page = test.get(&museum).await;
    assert!(page.body.contains("رحلة إلى المتحف"));
    assert!(
        page.body.contains("/uploads/"),
        "the photo, from the library"
    );
    let fete = moved_to(&test, "/dp-sale/2020/04/fete-du-livre.html").await;
    assert!(
        page.body
            .contains(&format!("href=\"{}\"", fete.trim_start_matches("/dp-sale"))),
        "link to the post written after it"
    );
    let contact = moved_to(&test, "/dp-sale/p/contact.html").await;
    assert!(contact.starts_with("/dp-sale/pages/"), "{contact}");
    assert_eq!(
        moved_to(&test, "/dp-sale/feeds/posts/default").await,
        "/dp-sale/feed.atom"
    );
    let label = moved_to(&test, "/dp-sale/search/label/Vie%20scolaire").await;
    assert!(label.starts_with("/dp-sale/tag/"), "{label}");
    // A tag's page lists the entries of its language: the French ones
    // under /fr/.
    let french = label.replacen("/dp-sale/", "/dp-sale/fr/", 1);
    assert!(
        test.get(&french).await.body.contains("Fête du livre"),
        "{french}"
    );
    let page = test.get(&fete).await;
    assert!(page.body.contains("dQw4w9WgXcQ"), "the video");

    let again = import(&test, &options(&file, &images, false)).await;
    for (kind, tally) in &again.tallies {
        assert_eq!((tally.created, tally.updated), (0, 0), "{kind}: {again}");
    }
    assert_eq!(again.redirects, 0);
}

#[tokio::test]
async fn a_wordpress_file_given_as_blogger_is_refused() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("wp.xml");
    write_file(&file, common::exports::wxr("1.2", &[]).as_bytes());
    match test
        .app
        .move_in(&options(&file, dir.path(), false), &|_| {})
        .await
    {
        Err(AppError::Import(problems)) => {
            assert!(
                problems[0].to_string().contains("not an Atom <feed>"),
                "{problems:?}"
            )
        }
        other => panic!("{other:?}"),
    }
}

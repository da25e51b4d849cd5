//! Moving a directorate's WordPress site in: an export written here (Arabic
//! and French, classic and block markup, shortcodes, attachments, pages,
//! drafts, scheduled and private posts, hostile HTML) imported into a site,
//! its old addresses answering 301 to pages that answer 200, a second run
//! changing nothing, and bad files refused with nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::exports::{jpeg, percent, sample_site, write_file, wxr, WpItem};
use common::TestApp;
use tawasul_app::import::moving::{Format, MoveOptions, MoveReport};
use tawasul_app::AppError;

const SITE: &str = "dp-rabat";

/// The export, and a copy of the old upload folder (without absent.jpg).
fn fixture(dir: &Path, version: &str) -> (PathBuf, PathBuf) {
    let file = dir.join("export.xml");
    write_file(&file, wxr(version, &sample_site()).as_bytes());
    let uploads = dir.join("uploads");
    write_file(&uploads.join("2019/09/rentree.jpg"), &jpeg(1));
    write_file(&uploads.join("2019/10/atelier.jpg"), &jpeg(2));
    (file, uploads)
}

fn options(file: &Path, uploads: &Path, dry_run: bool) -> MoveOptions {
    MoveOptions {
        format: Format::WordPress,
        file: file.to_owned(),
        site: SITE.to_owned(),
        uploads: Some(uploads.to_owned()),
        fetch_media: false,
        author: None,
        dry_run,
    }
}

async fn import(test: &TestApp, options: &MoveOptions) -> MoveReport {
    test.app
        .move_in(options, &|_| {})
        .await
        .expect("the import runs")
}

async fn entry_count(test: &TestApp) -> u64 {
    let id = test.app.network().site_by_slug(SITE).expect("site").id;
    test.app.store().count_entries(id).await.expect("count")
}

async fn redirect_count(test: &TestApp) -> u64 {
    let id = test.app.network().site_by_slug(SITE).expect("site").id;
    test.app.store().count_redirects(id).await.expect("count")
}

/// Follows one 301 and expects the page it leads to to answer 200.
async fn moved_to(test: &TestApp, old: &str) -> String {
    let page = test.get(old).await;
    assert_eq!(page.status, 301, "{old} should redirect");
    let location = page.header("location").expect("a location").to_owned();
    let target = test.get(&location).await;
    assert_eq!(target.status, 200, "{old} → {location}");
    location
}

fn notes(report: &MoveReport) -> Vec<String> {
    report.notes.iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn a_dry_run_reports_everything_and_writes_nothing() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, uploads) = fixture(dir.path(), "1.2");
    let before = entry_count(&test).await;
    let report = import(&test, &options(&file, &uploads, true)).await;
    assert_eq!(entry_count(&test).await, before, "nothing written");
    assert_eq!(redirect_count(&test).await, 0);
    assert_eq!(report.tallies["post"].found, 7, "{report}");
    assert_eq!(report.tallies["page"].found, 1);
    assert_eq!(report.tallies["attachment"].found, 3);
    assert_eq!(report.skipped["nav_menu_item"].0, 1);
    let notes = notes(&report);
    let has = |needle: &str| notes.iter().any(|n| n.contains(needle));
    assert!(has("absent.jpg is not in the upload folder"), "{notes:#?}");
    assert!(
        has("atelier.jpg»: this photo has no alt text"),
        "{notes:#?}"
    );
    assert!(
        has("«Page piégée»: a <script> element was left out"),
        "{notes:#?}"
    );
    assert!(has("«مذكرة داخلية»: was private"), "{notes:#?}");
    // Every problem names its place in the file.
    assert!(
        notes
            .iter()
            .all(|n| n.starts_with("line ") || n.starts_with('-')),
        "{notes:#?}"
    );
    let text = report.to_string();
    assert!(text.starts_with("Dry run: nothing was written."), "{text}");
}

#[tokio::test]
async fn a_wordpress_site_moves_in_and_its_old_addresses_lead_to_the_new_pages() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, uploads) = fixture(dir.path(), "1.2");
    let report = import(&test, &options(&file, &uploads, false)).await;
    assert_eq!(report.tallies["post"].created, 7, "{report}");
    assert_eq!(report.tallies["page"].created, 1, "{report}");
    assert_eq!(report.tallies["attachment"].created, 2, "{report}");
    assert_eq!(report.tallies["video"].created, 1, "{report}");

    // Old addresses of every kind answer 301 to a page that answers 200.
    let rentree = moved_to(&test, "/dp-rabat/?p=10").await;
    assert!(rentree.starts_with("/dp-rabat/news/"), "{rentree}");
    let slug = percent("الدخول-المدرسي");
    for old in [
        format!("/dp-rabat/2019/09/02/{slug}/"),
        format!("/dp-rabat/2019/09/{slug}/"),
        format!("/dp-rabat/{slug}/"),
    ] {
        assert_eq!(moved_to(&test, &old).await, rentree, "{old}");
    }
    let about = moved_to(&test, "/dp-rabat/?page_id=20").await;
    assert!(about.starts_with("/dp-rabat/pages/"), "{about}");
    assert_eq!(
        moved_to(&test, &format!("/dp-rabat/{}/", percent("من-نحن"))).await,
        about
    );
    assert_eq!(
        moved_to(&test, "/dp-rabat/feed/").await,
        "/dp-rabat/feed.atom"
    );
    assert_eq!(
        moved_to(&test, "/dp-rabat/?attachment_id=100").await,
        rentree
    );
    let photo = moved_to(
        &test,
        "/dp-rabat/wp-content/uploads/2019/09/rentree-300x200.jpg",
    )
    .await;
    assert!(photo.starts_with("/uploads/"), "{photo}");
    assert_eq!(
        moved_to(&test, "/dp-rabat/wp-content/uploads/2019/09/rentree.jpg").await,
        photo
    );
    // Categories and tags keep their address, or are sent to it.
    for old in [
        format!("/dp-rabat/category/{}/", percent("أخبار")),
        "/dp-rabat/tag/rentree/".to_owned(),
    ] {
        let page = test.get(&old).await;
        match page.status {
            200 => {}
            301 => {
                moved_to(&test, &old).await;
            }
            other => panic!("{old} answered {other}"),
        }
    }
    // An address that never existed is still a 404.
    assert_eq!(test.get("/dp-rabat/2019/09/02/nothing/").await.status, 404);

    // The Arabic post: its photo from the library with its caption, its
    // video, its link to a post written after it pointed at the new page.
    let page = test.get(&rentree).await;
    assert!(page.body.contains("الدخول المدرسي 2019"));
    assert!(page.body.contains("<figcaption"), "caption kept");
    assert!(page.body.contains("تلاميذ في أول يوم"));
    assert!(page.body.contains("/uploads/"), "library photo");
    assert!(page.body.contains("dQw4w9WgXcQ"), "the video");
    assert!(
        page.body.contains("<sup>2</sup>"),
        "HTML Markdown cannot say"
    );
    let atelier = moved_to(&test, "/dp-rabat/?p=11").await;
    let atelier_path = atelier.trim_start_matches("/dp-rabat");
    assert!(
        page.body.contains(&format!("href=\"{atelier_path}\"")),
        "link to {atelier_path} in the Arabic post"
    );
    // The French post, from block markup, links back.
    let page = test.get(&atelier).await;
    assert!(page.body.contains("Remise des prix"));
    let rentree_path = rentree.trim_start_matches("/dp-rabat");
    assert!(
        page.body.contains(&format!("href=\"{rentree_path}\"")),
        "link back"
    );
    assert!(!page.body.contains("wp:paragraph"));

    // The hostile post is there, and harmless.
    let hostile = moved_to(&test, "/dp-rabat/?p=16").await;
    let page = test.get(&hostile).await;
    for needle in ["alert('x", "onerror", "onclick", "javascript:"] {
        assert!(!page.body.contains(needle), "{needle} in the page");
    }

    // Drafts, scheduled and private posts are not public.
    let site = test.app.network().site_by_slug(SITE).expect("site").id;
    let store = test.app.store();
    let by_title = |title: &'static str| async move {
        let all = store.entry_slugs(site).await.expect("slugs");
        let (id, ..) = all
            .into_iter()
            .find(|(_, _, _, t)| t == title)
            .unwrap_or_else(|| panic!("{title}"));
        store.entry(id).await.expect("entry").expect("live")
    };
    assert_eq!(by_title("Brouillon du bilan").await.status, "draft");
    let scheduled = by_title("Réunion des directeurs").await;
    assert_eq!(scheduled.status, "approved");
    assert!(scheduled.scheduled_at.is_some());
    assert_eq!(by_title("مذكرة داخلية").await.status, "draft");
    assert_eq!(test.get("/dp-rabat/?p=12").await.status, 301);
    // The same title twice: the second one's derived slug is numbered.
    let all = store.entry_slugs(site).await.expect("slugs");
    let mut twins: Vec<(&String, i32)> = all
        .iter()
        .filter(|(_, _, _, t)| t == "Atelier d'écriture")
        .map(|(id, s, _, _)| (s, *id))
        .collect();
    twins.sort();
    let slugs: Vec<&str> = twins.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(slugs, vec!["atelier-decriture", "atelier-decriture-2"]);
    // …which the report says once, in its line of numbered addresses.
    assert_eq!(report.renumbered.len(), 1, "{report}");
    assert_eq!(report.renumbered[0].given, "atelier-decriture-2");
    assert!(
        report
            .to_string()
            .contains("1 addresses were taken, the entries got a number: `atelier-decriture` → `atelier-decriture-2`"),
        "{report}"
    );
    // A category's `?cat=ID` address leads to it.
    assert_eq!(
        moved_to(&test, "/dp-rabat/?cat=4").await,
        "/dp-rabat/category/actualites"
    );
    let first = store.entry(twins[0].1).await.expect("entry").expect("live");
    // The cover and the gallery come from the library.
    let rentree_row = by_title("الدخول المدرسي 2019").await;
    let cover = rentree_row.cover_media_id.expect("a library cover");
    // …described with the attachment's alt text, known to the history, and
    // chosen in the editor's picker.
    let item = store.media(cover).await.expect("item").expect("exists");
    assert_eq!(item.alt_ar, "تلاميذ في القسم");
    assert_eq!(rentree_row.cover_alt, item.alt_ar);
    let history = store.revisions(rentree_row.id).await.expect("history");
    assert_eq!(history.last().and_then(|r| r.cover_media_id), Some(cover));
    let editor = common::admin::Browser::login(&test, common::demo::EDITOR_RABAT).await;
    let page = editor
        .get(&format!("/admin/entries/{}", rentree_row.id))
        .await;
    assert_eq!(
        page.attrs("input[name=cover_media][checked]", "value"),
        [cover.to_string()]
    );
    assert_eq!(
        page.attrs(&format!("[name=alt_{cover}]"), "value"),
        [item.alt_ar.as_str()]
    );
    assert_eq!(first.gallery.split_whitespace().count(), 2);

    // Authors: matched by e-mail, or made without a password.
    let editor = store
        .user_by_email("editeur.rabat@tawasul.example")
        .await
        .expect("user")
        .expect("exists");
    assert_eq!(first.author_id, Some(editor.id));
    let new = store
        .user_by_email("admin@dp-old.ma")
        .await
        .expect("user")
        .expect("created");
    assert!(new.password_hash.is_none());
    assert_eq!(rentree_row.author_id, Some(new.id));
}

#[tokio::test]
async fn importing_again_changes_nothing() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, uploads) = fixture(dir.path(), "1.1");
    import(&test, &options(&file, &uploads, false)).await;
    let entries = entry_count(&test).await;
    let redirects = redirect_count(&test).await;
    let again = import(&test, &options(&file, &uploads, false)).await;
    for (kind, tally) in &again.tallies {
        assert_eq!((tally.created, tally.updated), (0, 0), "{kind}: {again}");
    }
    assert_eq!(again.redirects, 0, "{again}");
    assert_eq!(entry_count(&test).await, entries);
    assert_eq!(redirect_count(&test).await, redirects);
}

#[tokio::test]
async fn an_import_cut_short_resumes_without_duplicates() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, uploads) = fixture(dir.path(), "1.2");
    // The first run sees only the first items (three posts), as if it had
    // stopped there.
    let all = sample_site();
    let half = dir.path().join("half.xml");
    write_file(&half, wxr("1.2", &all[..6]).as_bytes());
    import(&test, &options(&half, &uploads, false)).await;
    let report = import(&test, &options(&file, &uploads, false)).await;
    let posts = report.tallies["post"];
    assert_eq!(posts.found, 7);
    assert_eq!((posts.created, posts.unchanged), (4, 3), "{report}");
    let twice = import(&test, &options(&file, &uploads, false)).await;
    assert_eq!(twice.tallies["post"].created, 0);
    assert_eq!(twice.tallies["post"].unchanged, 7, "{twice}");
}

#[tokio::test]
async fn bad_files_are_refused_whole_with_their_line() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (_, uploads) = fixture(dir.path(), "1.2");
    let before = entry_count(&test).await;
    let refusal = |err: AppError| match err {
        AppError::Import(problems) => problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        other => panic!("expected a refusal, got {other}"),
    };
    let attempt = |name: &str, text: String| {
        let path = dir.path().join(name);
        write_file(&path, text.as_bytes());
        options(&path, &uploads, false)
    };

    let cut = wxr("1.2", &sample_site());
    let cut = attempt("cut.xml", cut[..cut.len() / 2].to_owned());
    let problems = refusal(test.app.move_in(&cut, &|_| {}).await.expect_err("cut"));
    assert!(problems[0].contains("cut.xml:"), "{problems:?}");

    let broken = attempt(
        "broken.xml",
        wxr("1.2", &sample_site()).replace("</wp:post_name>", "</wp:post_nam>"),
    );
    let problems = refusal(
        test.app
            .move_in(&broken, &|_| {})
            .await
            .expect_err("broken"),
    );
    assert!(problems[0].contains("not well-formed"), "{problems:?}");

    let future = attempt("future.xml", wxr("3.0", &sample_site()));
    let problems = refusal(
        test.app
            .move_in(&future, &|_| {})
            .await
            .expect_err("version"),
    );
    assert!(problems[0].contains("WXR version 3.0"), "{problems:?}");

    let mut twice = sample_site();
    twice.push(WpItem::post(
        10,
        "Encore",
        "encore",
        "2020-01-01 00:00:00",
        "x",
    ));
    let twice = attempt("twice.xml", wxr("1.2", &twice));
    let problems = refusal(
        test.app
            .move_in(&twice, &|_| {})
            .await
            .expect_err("duplicate"),
    );
    assert!(
        problems[0].contains("«Encore» has the id post:10"),
        "{problems:?}"
    );

    assert_eq!(entry_count(&test).await, before, "nothing half-written");
    assert_eq!(redirect_count(&test).await, 0);
}

#[tokio::test]
async fn everything_can_be_given_to_one_account() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, uploads) = fixture(dir.path(), "1.2");
    let mut opts = options(&file, &uploads, false);
    opts.author = Some("editeur.rabat@tawasul.example".into());
    import(&test, &opts).await;
    let store = test.app.store();
    assert!(store
        .user_by_email("admin@dp-old.ma")
        .await
        .expect("q")
        .is_none());
    opts.author = Some("nobody@nowhere.ma".into());
    match test.app.move_in(&opts, &|_| {}).await {
        Err(AppError::NotFound(what)) => assert!(what.contains("nobody@nowhere.ma")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_command_line_shows_progress_and_the_report() {
    if std::env::var(common::PG_ENV).is_ok_and(|v| !v.is_empty()) {
        // The command is the same on PostgreSQL; this checks its output.
        return;
    }
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (file, uploads) = fixture(dir.path(), "1.2");
    let output = Command::new(env!("CARGO_BIN_EXE_tawasul"))
        .arg("--data")
        .arg(test.data.path())
        .args(["import", "wordpress"])
        .arg(&file)
        .args(["--site", SITE, "--uploads"])
        .arg(&uploads)
        .env("TAWASUL_LOG", "warn")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("post: 7 found, 7 created"), "{stdout}");
    assert!(stderr.contains("entries  ["), "{stderr}");
    // The running server sees the import within a second or so.
    let mut status = 0;
    for _ in 0..30 {
        status = test.get("/dp-rabat/?p=10").await.status;
        if status == 301 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 301);
}

/// Writes a large export (10,000 posts by default, `TAWASUL_LARGE_COUNT`)
/// to `TAWASUL_LARGE_EXPORT`, for measuring the import's time and memory
/// with the binary (see docs/import.md). Not a test of its own.
#[test]
#[ignore = "writes a file for measuring; run by hand"]
fn write_a_large_export_for_measuring() {
    let Ok(path) = std::env::var("TAWASUL_LARGE_EXPORT") else {
        return;
    };
    let count: u32 = std::env::var("TAWASUL_LARGE_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000);
    let paragraph = "<p>انعقد اجتماع المجلس الإداري للمديرية لدراسة حصيلة الموسم الدراسي وبرمجة الأنشطة المقبلة، بحضور رؤساء المصالح والمفتشين.</p>\n<p>Le conseil a examiné le bilan de l'année et les <strong>priorités</strong> de la rentrée, avec les inspecteurs et les chefs de service.</p>\n";
    let items: Vec<WpItem> = (1..=count)
        .map(|n| {
            let day = 1 + n % 28;
            let month = 1 + n % 12;
            let year = 2010 + n % 15;
            let mut item = WpItem::post(
                n,
                // Titles repeat, as in real archives.
                &format!("اجتماع المجلس الإداري {}", n % 500),
                &format!("اجتماع-المجلس-{}", n % 500),
                &format!("{year}-{month:02}-{day:02} 09:00:00"),
                &format!(
                    "{}{}<p>انظر <a href=\"https://www.dp-old.ma/?p={}\">الخبر السابق</a>.</p>",
                    paragraph.repeat(3),
                    if n % 3 == 0 {
                        "[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]"
                    } else {
                        ""
                    },
                    n.saturating_sub(1).max(1)
                ),
            );
            item.categories = vec![("أخبار".into(), "أخبار".into())];
            item.tags = vec![(format!("tag-{}", n % 50), format!("Thème {}", n % 50))];
            item
        })
        .collect();
    write_file(Path::new(&path), wxr("1.2", &items).as_bytes());
}

/// A tiny stand-in for the old site: answers every request with `body`,
/// or 404 for paths containing "missing", and counts the requests.
async fn old_site(
    body: Vec<u8>,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..n]).into_owned();
                let response = if head.lines().next().unwrap_or("").contains("missing") {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                } else {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&body);
                    r
                };
                let _ = socket.write_all(&response).await;
            });
        }
    });
    (addr, hits)
}

#[tokio::test]
async fn files_are_fetched_from_the_old_site_when_asked() {
    let test = TestApp::with_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let (addr, hits) = old_site(jpeg(7)).await;
    let mut photo = WpItem::attachment(100, 10, "2019/09/rentree.jpg", "Élèves en classe");
    photo.attachment_url = format!("http://{addr}/wp-content/uploads/2019/09/rentree.jpg");
    let mut gone = WpItem::attachment(101, 10, "2019/09/missing.jpg", "Perdue");
    gone.attachment_url = format!("http://{addr}/wp-content/uploads/2019/09/missing.jpg");
    let mut post = WpItem::post(
        10,
        "La rentrée",
        "la-rentree",
        "2019-09-02 09:00:00",
        "<p>Bonne rentrée.</p>",
    );
    post.thumbnail = Some(100);
    let file = dir.path().join("export.xml");
    write_file(&file, wxr("1.2", &[photo, gone, post]).as_bytes());
    let options = MoveOptions {
        format: Format::WordPress,
        file,
        site: SITE.to_owned(),
        uploads: None,
        fetch_media: true,
        author: None,
        dry_run: false,
    };
    let report = import(&test, &options).await;
    assert_eq!(report.tallies["attachment"].created, 1, "{report}");
    let notes = notes(&report);
    assert!(
        notes.iter().any(|n| n.contains("missing.jpg answered 404")),
        "{notes:#?}"
    );
    let hits_after_first = hits.load(std::sync::atomic::Ordering::SeqCst);
    // Once in the library, a file is not fetched again.
    import(&test, &options).await;
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        hits_after_first + 1,
        "only the missing file is asked again"
    );
}

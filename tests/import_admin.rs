//! Moving a directorate's WordPress site in from the admin: a site admin
//! uploads the export, reads the dry run's report (nothing written yet),
//! confirms, follows the import running in the background, and the old
//! addresses then lead to the new pages. Only the site's admins may; a
//! file that is no export is refused in the person's language with nothing
//! kept; one import at a time per site; an import whose process died is
//! shown as interrupted and runs again, changing nothing twice.

mod common;

use std::time::{Duration, Instant};

use common::admin::{Answer, Browser};
use common::exports::{percent, sample_site, wxr};
use common::{demo, TestApp};
use tawasul_store::job_state;

const SITE: &str = "dp-kenitra";
const IMPORT: &str = "/admin/sites/dp-kenitra/import";

fn export() -> Vec<u8> {
    wxr("1.2", &sample_site()).into_bytes()
}

fn upload_form(csrf: &str, bytes: Vec<u8>, file_name: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_owned())
        .text("format", "auto")
        .text("author", "match")
        .part(
            "export",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(file_name.to_owned())
                .mime_str("application/xml")
                .expect("mime"),
        )
}

/// Uploads an export; the answer is the job's page.
async fn upload(browser: &Browser<'_>, bytes: Vec<u8>) -> String {
    let answer = browser
        .post_multipart(IMPORT, upload_form(&browser.csrf, bytes, "export.xml"))
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(
        answer.location.starts_with(&format!("{IMPORT}/")),
        "{}",
        answer.location
    );
    answer.location
}

/// Follows a job's progress the way the page's script does, until it ends.
async fn wait_until_finished(browser: &Browser<'_>, job: &str) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let answer = browser.get(&format!("{job}/progress")).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let progress: serde_json::Value =
            serde_json::from_str(&answer.body).expect("progress as JSON");
        if progress["active"] == false {
            return progress;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import never ended: {progress}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The report's counts on a job's page: (kind, found, created, updated).
fn tallies(page: &Answer) -> Vec<(String, u64, u64, u64)> {
    let number = |attr: &str| -> Vec<u64> {
        page.attrs("[data-test=tally]", attr)
            .iter()
            .map(|v| v.parse().expect("a number"))
            .collect()
    };
    let (found, created, updated) = (
        number("data-found"),
        number("data-created"),
        number("data-updated"),
    );
    page.attrs("[data-test=tally]", "data-kind")
        .into_iter()
        .enumerate()
        .map(|(i, kind)| (kind, found[i], created[i], updated[i]))
        .collect()
}

fn tally(page: &Answer, kind: &str) -> (u64, u64, u64) {
    tallies(page)
        .into_iter()
        .find(|(k, ..)| k == kind)
        .map(|(_, found, created, updated)| (found, created, updated))
        .unwrap_or_else(|| panic!("no {kind} in the report"))
}

async fn entry_count(test: &TestApp) -> u64 {
    let id = test.app.network().site_by_slug(SITE).expect("site").id;
    test.app.store().count_entries(id).await.expect("count")
}

async fn redirect_count(test: &TestApp) -> u64 {
    let id = test.app.network().site_by_slug(SITE).expect("site").id;
    test.app.store().count_redirects(id).await.expect("count")
}

/// The exports kept in the data folder, waiting for their import.
fn kept_files(test: &TestApp) -> usize {
    std::fs::read_dir(test.data.path().join("imports")).map_or(0, |dir| dir.count())
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

fn job_id(url: &str) -> i32 {
    url.rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a job id")
}

#[tokio::test]
async fn a_site_admin_uploads_reads_the_report_confirms_and_old_addresses_lead_to_new_pages() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, demo::SITE_ADMIN_KENITRA).await;
    let entries = admin.get(&format!("/admin/sites/{SITE}/entries")).await;
    assert_eq!(
        entries.attrs("[data-test=import-link]", "href"),
        [IMPORT],
        "the site's tools lead to the import"
    );
    let form = admin.get(IMPORT).await;
    assert_eq!(form.status, 200);
    assert!(form.has("[data-test=import-form]"));
    assert!(form.has("[data-test=import-none]"), "no import yet");

    let before = entry_count(&test).await;
    let job = upload(&admin, export()).await;

    // The dry run's report: counts by type, what is skipped and why, every
    // problem with its item and line; nothing written yet.
    let page = admin.get(&job).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.attrs("[data-test=job-state]", "data-state"),
        ["planned"]
    );
    assert_eq!(
        page.attrs("[data-test=import-report]", "data-dry-run"),
        ["true"]
    );
    assert_eq!(tally(&page, "post"), (7, 7, 0));
    assert_eq!(tally(&page, "page"), (1, 1, 0));
    assert_eq!(tally(&page, "attachment").0, 3);
    assert_eq!(
        page.attrs("[data-test=skipped]", "data-what"),
        ["nav_menu_item"]
    );
    let notes = page.texts("[data-test=note]");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Page piégée") && n.contains("<script>")),
        "{notes:#?}"
    );
    assert!(
        !page.attrs("[data-test=note]", "data-line").is_empty(),
        "problems name their line"
    );
    assert!(page.has("[data-test=confirm]"));
    assert_eq!(entry_count(&test).await, before, "nothing written");
    assert_eq!(redirect_count(&test).await, 0);

    let confirmed = admin.post(&format!("{job}/confirm"), &[]).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(confirmed.location, job);
    let progress = wait_until_finished(&admin, &job).await;
    assert_eq!(progress["state"], "done", "{progress}");

    // The import's own report, numbered addresses in one line.
    let page = admin.get(&job).await;
    assert_eq!(page.attrs("[data-test=job-state]", "data-state"), ["done"]);
    assert_eq!(
        page.attrs("[data-test=import-report]", "data-dry-run"),
        ["false"]
    );
    assert_eq!(tally(&page, "post"), (7, 7, 0));
    assert_eq!(
        page.attrs("[data-test=report-renumbered]", "data-count"),
        ["1"],
        "the title used twice"
    );
    assert!(!page.has("[data-test=confirm]"));
    assert!(entry_count(&test).await >= before + 8);
    assert_eq!(kept_files(&test), 0, "the export is deleted once imported");

    // Old addresses answer 301 to pages that answer 200, `?cat=` too.
    let rentree = moved_to(&test, &format!("/{SITE}/?p=10")).await;
    assert!(rentree.starts_with(&format!("/{SITE}/news/")), "{rentree}");
    let slug = percent("الدخول-المدرسي");
    assert_eq!(
        moved_to(&test, &format!("/{SITE}/2019/09/02/{slug}/")).await,
        rentree
    );
    assert!(moved_to(&test, &format!("/{SITE}/?page_id=20"))
        .await
        .starts_with(&format!("/{SITE}/pages/")));
    let news = moved_to(&test, &format!("/{SITE}/?cat=3")).await;
    assert!(news.starts_with(&format!("/{SITE}/category/")), "{news}");
    assert_eq!(
        moved_to(&test, &format!("/{SITE}/?cat=4")).await,
        format!("/{SITE}/category/actualites")
    );

    // The site's past imports, in Arabic by default and in French.
    let list = admin.get(&format!("{IMPORT}?lang=fr")).await;
    assert_eq!(list.attrs("[data-test=import-job]", "data-state"), ["done"]);
    assert!(list.body.contains("Terminé"), "the state in French");
    assert!(
        list.texts("[data-test=import-job]")[0].contains("Abdelilah Chraibi"),
        "who sent it"
    );
    let list = admin.get(&format!("{IMPORT}?lang=ar")).await;
    assert!(list.body.contains("انتهى"), "the state in Arabic");
}

#[tokio::test]
async fn only_the_sites_admins_and_platform_admins_may_import() {
    let test = TestApp::with_demo().await;
    let other_admin = Browser::login(&test, demo::SITE_ADMIN_KENITRA).await;
    for path in [
        "/admin/sites/dp-rabat/import".to_owned(),
        "/admin/sites/dp-rabat/import/1".to_owned(),
    ] {
        assert_eq!(other_admin.get(&path).await.status, 403, "{path}");
    }
    let refused = other_admin
        .post_multipart(
            "/admin/sites/dp-rabat/import",
            upload_form(&other_admin.csrf, export(), "export.xml"),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(kept_files(&test), 0, "nothing received for them");

    let editor = Browser::login(&test, demo::EDITOR_RABAT).await;
    assert_eq!(editor.get("/admin/sites/dp-rabat/import").await.status, 403);
    let entries = editor.get("/admin/sites/dp-rabat/entries").await;
    assert!(!entries.has("[data-test=import-link]"));
    let contributor = Browser::login(&test, demo::CONTRIBUTOR_ALAMAL).await;
    assert_eq!(
        contributor
            .get("/admin/sites/ecole-al-amal/import")
            .await
            .status,
        403
    );
    // An academy's publisher reaches the directorate, but is no admin of it.
    let regional = Browser::login(&test, demo::REGIONAL).await;
    assert_eq!(
        regional.get("/admin/sites/dp-rabat/import").await.status,
        403
    );

    let platform = Browser::login(&test, demo::ADMIN).await;
    assert_eq!(
        platform.get("/admin/sites/dp-rabat/import").await.status,
        200
    );

    // Without the form's token nothing is received either.
    let forged = other_admin
        .post_multipart(IMPORT, upload_form("forged", export(), "export.xml"))
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(kept_files(&test), 0);
}

#[tokio::test]
async fn a_file_that_is_no_export_is_refused_in_the_persons_language_and_nothing_is_kept() {
    let test = TestApp::with_demo_and(|config| config.import.max_mb = 1).await;
    let admin = Browser::login(&test, demo::SITE_ADMIN_KENITRA).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let refused = admin
        .post_multipart(
            &format!("{IMPORT}?lang=fr"),
            upload_form(&admin.csrf, png, "photo.png"),
        )
        .await;
    assert_eq!(refused.status, 422);
    let message = refused.texts("[data-test=form-error]").join(" ");
    assert!(
        message.contains("Ce fichier ne peut pas être importé"),
        "{message}"
    );

    // WordPress's markers, then a broken file: refused with its line.
    let broken = wxr("1.2", &sample_site()).replace("</wp:post_name>", "</wp:post_nam>");
    let refused = admin
        .post_multipart(
            &format!("{IMPORT}?lang=ar"),
            upload_form(&admin.csrf, broken.into_bytes(), "export.xml"),
        )
        .await;
    assert_eq!(refused.status, 422);
    let message = refused.texts("[data-test=form-error]").join(" ");
    assert!(message.contains("لا يمكن استيراد هذا الملف"), "{message}");
    assert!(message.contains("السطر"), "the line: {message}");

    // Larger than `[import] max_mb`: a sentence, not a bare 413.
    let mut huge = export();
    huge.extend(std::iter::repeat_n(b' ', 1024 * 1024));
    let refused = admin
        .post_multipart(
            &format!("{IMPORT}?lang=fr"),
            upload_form(&admin.csrf, huge, "export.xml"),
        )
        .await;
    assert_eq!(refused.status, 413);
    let message = refused.texts("[data-test=form-error]").join(" ");
    assert!(message.contains("1 Mo"), "{message}");

    let list = admin.get(IMPORT).await;
    assert!(list.has("[data-test=import-none]"), "no job was kept");
    assert_eq!(kept_files(&test), 0, "no file was kept");
    assert_eq!(redirect_count(&test).await, 0);
}

#[tokio::test]
async fn one_import_at_a_time_and_an_interrupted_one_runs_again_changing_nothing_twice() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, demo::SITE_ADMIN_KENITRA).await;
    let first = upload(&admin, export()).await;
    let second = upload(&admin, export()).await;

    // The first is running on another server, alive.
    let store = test.app.store();
    let now = time::OffsetDateTime::now_utc();
    store
        .set_import_job_heartbeat(job_id(&first), job_state::RUNNING, now)
        .await
        .expect("a running job");
    let refused = admin.post(&format!("{second}/confirm?lang=fr"), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .texts("[data-test=form-error]")
            .join(" ")
            .contains("Un autre import est en cours"),
        "{}",
        refused.body
    );
    if !std::env::var(common::PG_ENV).is_ok_and(|v| !v.is_empty()) {
        // The command line waits its turn too (it reads the same rows).
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("export.xml");
        std::fs::write(&file, export()).expect("write");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_tawasul"))
            .arg("--data")
            .arg(test.data.path())
            .args(["import", "wordpress"])
            .arg(&file)
            .args(["--site", SITE])
            .env("TAWASUL_LOG", "warn")
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(
            stderr.contains("started from the admin is running"),
            "{stderr}"
        );
    }
    let list = admin.get(IMPORT).await;
    assert!(list.has("[data-test=import-running]"));
    let running = admin.get(&first).await;
    assert!(
        running.body.contains("http-equiv=\"refresh\""),
        "the page follows it without JavaScript"
    );
    assert!(running.has("[data-test=refresh]"));

    // Its server died: a later visit sees it interrupted, to run again.
    store
        .set_import_job_heartbeat(
            job_id(&first),
            job_state::RUNNING,
            now - time::Duration::minutes(5),
        )
        .await
        .expect("a stale job");
    let page = admin.get(&first).await;
    assert_eq!(
        page.attrs("[data-test=job-state]", "data-state"),
        ["interrupted"]
    );
    assert!(page.has("[data-test=job-interrupted]"));
    let again = admin.post(&format!("{first}/again"), &[]).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(wait_until_finished(&admin, &first).await["state"], "done");
    let entries = entry_count(&test).await;
    let redirects = redirect_count(&test).await;

    // The second, confirmed now the site is free, finds everything there.
    let confirmed = admin.post(&format!("{second}/confirm"), &[]).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(wait_until_finished(&admin, &second).await["state"], "done");
    let page = admin.get(&second).await;
    for (kind, _, created, updated) in tallies(&page) {
        assert_eq!((created, updated), (0, 0), "{kind} changed on a second run");
    }
    assert_eq!(
        page.attrs("[data-test=report-redirects]", "data-redirects"),
        ["0"]
    );
    assert_eq!(entry_count(&test).await, entries);
    assert_eq!(redirect_count(&test).await, redirects);
    // A job that ended is not started again.
    let twice = admin.post(&format!("{second}/confirm"), &[]).await;
    assert_eq!(twice.status, 409);
}

#[tokio::test]
async fn an_export_left_unconfirmed_for_a_week_is_deleted_and_asked_for_again() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, demo::SITE_ADMIN_KENITRA).await;
    let job = upload(&admin, export()).await;
    assert_eq!(
        test.app.clean_stale_import_files().await,
        0,
        "a fresh one stays"
    );
    let file = std::fs::read_dir(test.data.path().join("imports"))
        .expect("the imports folder")
        .next()
        .expect("the export")
        .expect("an entry")
        .path();
    let eight_days_ago = std::time::SystemTime::now() - Duration::from_secs(8 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .expect("open")
        .set_modified(eight_days_ago)
        .expect("age the file");
    assert_eq!(test.app.clean_stale_import_files().await, 1);
    assert_eq!(kept_files(&test), 0);
    let refused = admin.post(&format!("{job}/confirm?lang=fr"), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .texts("[data-test=form-error]")
            .join(" ")
            .contains("Envoyez-le de nouveau"),
        "{}",
        refused.body
    );
}

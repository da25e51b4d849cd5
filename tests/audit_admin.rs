//! The audit log as the people who answer for a network read it: every
//! sign-in (and every failed one), role given and taken, site setting,
//! library deletion, consent, token and account change is there, as a
//! sentence in Arabic or French; platform admins read it all, a site's
//! admins their site's records and nothing else; it is filtered by person,
//! site, period and kind of act, and downloads as a spreadsheet that opens
//! cleanly and runs nothing.

mod common;

use std::io::Cursor;

use common::admin::{Answer, Browser};
use common::demo::{ADMIN, EDITOR_RABAT, SITE_ADMIN_KENITRA};
use common::{ApiClient, ApiResponse, TestApp};
use serde_json::json;
use tawasul_app::NewSiteInput;
use tawasul_domain::Locale;
use tawasul_store::NewAudit;

const KENITRA: &str = "dp-kenitra";
const INVITED: &str = "nouvelle.recrue@tawasul.example";
/// A token's name a spreadsheet would run, were it not defused.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

fn small_jpeg(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, seed])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .expect("encode");
    out
}

async fn upload(client: &ApiClient, site: &str, fields: &[(&str, &str)]) -> i64 {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(small_jpeg(3)).file_name("تلاميذ-الساحة.jpg"),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let response = client
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/sites/{site}/media"),
        )
        .multipart(form)
        .send()
        .await
        .expect("upload");
    ApiResponse::read(response).await.expect(201).json["id"]
        .as_i64()
        .expect("an id")
}

async fn name_of(test: &TestApp, email: &str) -> String {
    test.app
        .store()
        .user_by_email(email)
        .await
        .expect("read")
        .expect("an account")
        .name
}

/// The kinds of act of the records a page shows, newest first.
fn actions(page: &Answer) -> Vec<String> {
    page.attrs("[data-test=audit-record]", "data-action")
}

/// What everybody did in the story the tests read back.
async fn a_week_of_work(test: &TestApp) {
    // The editor mistypes their password once, then signs in, makes a
    // token for a script (named to trap a spreadsheet) and revokes it.
    test.try_login((EDITOR_RABAT.0, "pas le bon mot de passe"))
        .await
        .expect(401);
    let editor = test.login(EDITOR_RABAT).await;
    let token = editor
        .post("/api/v1/tokens", &json!({"name": FORMULA}))
        .await
        .expect(201);
    let id = token.json["id"].as_i64().expect("the token's id");
    editor
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .expect(204);

    // Kénitra's admin invites a newcomer, makes them an editor, then
    // takes the role back; records a photo's consent, withdraws it, and
    // deletes the photo.
    let site_admin = Browser::login(test, SITE_ADMIN_KENITRA).await;
    let invited = site_admin
        .post(
            &format!("/admin/sites/{KENITRA}/members"),
            &[
                ("email", INVITED),
                ("name", "Nouvelle Recrue"),
                ("role", "contributor"),
            ],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    let newcomer = test
        .app
        .store()
        .user_by_email(INVITED)
        .await
        .expect("read")
        .expect("the newcomer")
        .id;
    let changed = site_admin
        .post(
            &format!("/admin/sites/{KENITRA}/members/{newcomer}"),
            &[("role", "editor")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let removed = site_admin
        .post(
            &format!("/admin/sites/{KENITRA}/members/{newcomer}/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let api = test.login(SITE_ADMIN_KENITRA).await;
    let photo = upload(
        &api,
        KENITRA,
        &[
            ("alt_ar", "تلاميذ في الساحة"),
            ("depicts_minors", "true"),
            ("rights", "own"),
        ],
    )
    .await;
    for rights in ["consent_on_file", "own"] {
        api.put(
            &format!("/api/v1/media/{photo}"),
            &json!({"rights": rights}),
        )
        .await
        .expect(200);
    }
    api.delete(&format!("/api/v1/media/{photo}"))
        .await
        .expect(204);

    // The platform admin renames the directorate, and disables and
    // enables the newcomer's account.
    let network = test.app.network();
    let site = network.site_by_slug(KENITRA).expect("Kénitra");
    let parent = site
        .parent_id
        .and_then(|id| network.site(id))
        .map(|p| p.slug.clone());
    let admin = test
        .app
        .viewer_by_email(ADMIN.0)
        .await
        .expect("read")
        .expect("the admin");
    test.app
        .update_site(
            &admin,
            NewSiteInput {
                slug: KENITRA.into(),
                kind: site.kind.as_str().into(),
                parent,
                name_ar: site.name_ar.clone(),
                name_fr: "Direction provinciale de Kénitra".into(),
                hosts: site.hosts.clone(),
                theme: site.theme.clone(),
                default_locale: site.default_locale.as_str().into(),
            },
        )
        .await
        .expect("the site is saved");
    test.app
        .disable_account(Some(&admin), newcomer)
        .await
        .expect("disabled");
    test.app
        .enable_account(Some(&admin), newcomer)
        .await
        .expect("enabled");
}

#[tokio::test]
async fn every_act_that_matters_is_in_the_log_as_a_sentence_in_both_languages() {
    let test = TestApp::with_demo().await;
    a_week_of_work(&test).await;
    let admin = Browser::login(&test, ADMIN).await;
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let seen = actions(&page);
    for action in [
        "login_failed",
        "login",
        "token_create",
        "token_revoke",
        "member_set",
        "member_remove",
        "media_consent_recorded",
        "media_consent_withdrawn",
        "media_delete",
        "site_update",
        "account_disable",
        "account_enable",
    ] {
        assert!(
            seen.iter().any(|a| a == action),
            "{action} missing: {seen:?}"
        );
    }
    assert_eq!(seen[0], "login", "newest first: the admin's own sign-in");

    // Each reads as a sentence, never a code: in Arabic...
    let site_admin = name_of(&test, SITE_ADMIN_KENITRA.0).await;
    let editor = name_of(&test, EDITOR_RABAT.0).await;
    let sentences = page.texts("[data-test=audit-sentence]");
    let strings = test.app.admin().strings(Locale::Ar);
    let role = strings.get("role.editor");
    assert!(
        sentences
            .iter()
            .any(|s| s.contains(&site_admin) && s.contains("Nouvelle Recrue") && s.contains(&role)),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .all(|s| !s.contains("member_set") && !s.contains('{')),
        "{sentences:?}"
    );
    // ...and in French.
    let page = admin.get("/admin/audit?lang=fr").await;
    let sentences = page.texts("[data-test=audit-sentence]");
    assert!(
        sentences.iter().any(|s| s.contains(&site_admin)
            && s.contains("a donné à")
            && s.contains("Nouvelle Recrue")
            && s.contains("Rédacteur")
            && s.contains("Direction provinciale de Kénitra")),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s.contains("Échec de connexion") && s.contains(EDITOR_RABAT.0)),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s.contains(&editor) && s.contains("a révoqué le jeton")),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s.contains("a supprimé le fichier") && s.contains("تلاميذ-الساحة.jpg")),
        "{sentences:?}"
    );
    assert!(sentences
        .iter()
        .any(|s| s.contains("a désactivé le compte de") && s.contains("Nouvelle Recrue")));
}

#[tokio::test]
async fn a_site_admin_reads_their_sites_records_and_nothing_else() {
    let test = TestApp::with_demo().await;
    a_week_of_work(&test).await;
    let site_admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    let home = site_admin.get("/admin/").await;
    assert!(home.has("[data-test=audit-link]"), "the menu leads there");
    let page = site_admin.get("/admin/audit").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut seen = actions(&page);
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "media_consent_recorded",
            "media_consent_withdrawn",
            "media_delete",
            "member_remove",
            "member_set",
            "site_update",
        ],
        "Kénitra's records only: no sign-in, token or account"
    );
    let sites = page.attrs("[data-test=audit-site] option[value]", "value");
    assert_eq!(sites, ["", KENITRA], "only their site to choose");
    assert_eq!(
        site_admin.get("/admin/audit?site=dp-rabat").await.status,
        403
    );
    let export = site_admin.get("/admin/audit/export").await;
    assert_eq!(export.status, 200);
    assert!(!export.body.contains(EDITOR_RABAT.0), "{}", export.body);
    // An address typed tells a site admin nothing about who has an account.
    let nobody = site_admin
        .get("/admin/audit?person=personne%40nulle.part")
        .await;
    assert!(!nobody.has("[data-test=audit-unknown-person]"));

    // An editor has no log to read, and no link to it.
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    assert!(!editor.get("/admin/").await.has("[data-test=audit-link]"));
    assert_eq!(editor.get("/admin/audit").await.status, 403);
    assert_eq!(editor.get("/admin/audit/export").await.status, 403);
}

#[tokio::test]
async fn the_log_is_filtered_by_person_site_period_and_act_and_paged() {
    let test = TestApp::with_demo().await;
    a_week_of_work(&test).await;
    let admin = Browser::login(&test, ADMIN).await;

    let person = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("person", EDITOR_RABAT.0)
        .finish();
    let mine = admin.get(&format!("/admin/audit?{person}")).await;
    let mut seen = actions(&mine);
    seen.sort();
    assert_eq!(
        seen,
        ["login", "login_failed", "token_create", "token_revoke"]
    );

    let failed = admin.get("/admin/audit?action=login_failed").await;
    assert_eq!(actions(&failed), ["login_failed"]);
    let on_site = admin
        .get(&format!("/admin/audit?site={KENITRA}&action=member_set"))
        .await;
    assert_eq!(actions(&on_site), ["member_set", "member_set"]);

    let offset = time::UtcOffset::from_whole_seconds(test.app.config.site.utc_offset_minutes * 60)
        .expect("an offset");
    let today = time::OffsetDateTime::now_utc().to_offset(offset).date();
    let (yesterday, tomorrow) = (
        today.previous_day().expect("a day"),
        today.next_day().expect("a day"),
    );
    let within = admin
        .get(&format!("/admin/audit?from={yesterday}&to={tomorrow}"))
        .await;
    assert_eq!(
        within.texts("[data-test=audit-total]"),
        admin
            .get("/admin/audit")
            .await
            .texts("[data-test=audit-total]")
    );
    let ahead = admin.get(&format!("/admin/audit?from={tomorrow}")).await;
    assert!(ahead.has("[data-test=audit-empty]"));
    let before = admin.get(&format!("/admin/audit?to={yesterday}")).await;
    assert!(before.has("[data-test=audit-empty]"));
    let form = admin
        .get(&format!("/admin/audit?from={yesterday}&action=login"))
        .await;
    assert_eq!(
        form.attrs("#f-from", "value"),
        [yesterday.to_string()],
        "the filters stay filled in"
    );

    let unknown = admin.get("/admin/audit?person=personne%40nulle.part").await;
    assert!(unknown.has("[data-test=audit-unknown-person]"));
    assert!(unknown.has("[data-test=audit-empty]"));

    // Fifty a page, newest first; the next page keeps the filters.
    let site_id = test.app.network().site_by_slug(KENITRA).expect("site").id;
    for n in 0..55 {
        test.app
            .store()
            .record_audit(NewAudit {
                actor_id: None,
                action: "site_update",
                site_id: Some(site_id),
                subject_user_id: None,
                target: KENITRA,
                detail: &format!("lot {n}"),
            })
            .await
            .expect("a record");
    }
    let first = admin.get("/admin/audit?action=site_update").await;
    assert_eq!(actions(&first).len(), 50);
    assert_eq!(first.texts("[data-test=audit-detail]")[0], "lot 54");
    let next = first.attrs("[data-test=page-next]", "href");
    assert_eq!(next.len(), 1);
    assert!(next[0].contains("action=site_update"), "{next:?}");
    let second = admin.get(&next[0]).await;
    assert_eq!(actions(&second).len(), 6, "55 and the one of the story");
}

#[tokio::test]
async fn the_export_opens_in_a_spreadsheet_and_runs_nothing() {
    let test = TestApp::with_demo().await;
    a_week_of_work(&test).await;
    let admin = Browser::login(&test, ADMIN).await;
    let response = test
        .client
        .get(test.url("/admin/audit/export?action=token_create&lang=fr"))
        .header("cookie", &admin.cookie)
        .send()
        .await
        .expect("export");
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("attachment")));
    let body = response.text().await.expect("the file");
    assert!(
        body.starts_with('\u{feff}'),
        "the mark Excel reads UTF-8 by"
    );
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    let header = lines.next().expect("a header");
    assert_eq!(
        header,
        "Date;Personne;Adresse électronique;Opération;Site;Concerne;Objet;Description;Détails"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{body}");
    assert!(rows[0].contains("Création d’un jeton"), "{}", rows[0]);
    assert!(rows[0].contains(EDITOR_RABAT.0), "{}", rows[0]);
    // The token's name never starts a cell as a formula.
    assert!(
        !body.contains(";=HYPERLINK") && !body.contains("\"=HYPERLINK"),
        "{body}"
    );
    assert!(body.contains(";\"'=HYPERLINK"), "{body}");

    // The screen links to the export of what it shows.
    let page = admin.get("/admin/audit?action=token_create").await;
    assert_eq!(
        page.attrs("[data-test=audit-export]", "href"),
        ["/admin/audit/export?action=token_create"]
    );
}

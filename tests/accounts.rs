//! Accounts as platform admins look after them: the communication officer
//! who left in September is disabled and refused at once, on every node,
//! by every way in; nobody disables themselves nor the last platform
//! admin; the people screen finds anyone with their roles, last sign-in
//! and state; a reset link is mailed without the admin ever seeing it; a
//! site's members show when each last signed in; and the operator does
//! the same from the command line.

mod common;

use std::path::Path;
use std::process::Command;

use common::admin::Browser;
use common::demo::{
    ADMIN, EDITOR_RABAT, EDITOR_SALE, PUBLISHER_RABAT, REGIONAL, SITE_ADMIN_KENITRA,
};
use common::{login_at, serve_node, TestApp};
use serde_json::json;
use tawasul_app::{AppError, NewUserInput};
use tawasul_domain::DisableRefusal;

const NEW_PASSWORD: &str = "une-nouvelle-phrase-de-passe-2026";

/// The account's id, as the people screen links to it.
async fn person_id(test: &TestApp, email: &str) -> i32 {
    test.app
        .store()
        .user_by_email(email)
        .await
        .expect("read")
        .expect("an account")
        .id
}

/// The reset tokens mailed to `email`, oldest first.
async fn reset_tokens(test: &TestApp, email: &str) -> Vec<String> {
    let marker = "/admin/password/reset?token=";
    let mut mails = test.app.store().outbox(None, 500).await.expect("outbox");
    mails.sort_by_key(|m| m.id);
    mails
        .iter()
        .filter(|m| m.to_address == email)
        .filter_map(|m| {
            let start = m.body_text.find(marker)? + marker.len();
            Some(
                m.body_text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect(),
            )
        })
        .collect()
}

/// Posts the admin's login form as a browser does; the status, the page
/// and whether a session cookie came back.
async fn admin_login(
    test: &TestApp,
    (email, password): (&str, &str),
    lang: &str,
) -> (u16, String, bool) {
    let response = test
        .client
        .post(test.url(&format!("/admin/login?lang={lang}")))
        .header("cookie", format!("tawasul_lang={lang}"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/admin/"),
        ])
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    let signed_in = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().is_ok_and(|c| c.starts_with("tawasul_session=")));
    (status, response.text().await.unwrap_or_default(), signed_in)
}

fn admin_string(test: &TestApp, lang: tawasul_domain::Locale, key: &str) -> String {
    test.app.admin().strings(lang).get(key)
}

#[tokio::test]
async fn a_disabled_account_is_refused_at_once_on_every_node_and_by_every_way_in() {
    let test = TestApp::with_demo().await;
    // The officer works on two nodes at once, and has a script's token.
    let here = test.login(EDITOR_RABAT).await;
    let other_node = serve_node(test.another_process().await).await;
    let there = login_at(&test.client, &format!("http://{other_node}"), EDITOR_RABAT).await;
    let token = here
        .post("/api/v1/tokens", &json!({"name": "نشر النتائج"}))
        .await
        .expect(201)
        .json["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let script = test.bearer(&token);
    script.get("/api/v1/me").await.expect(200);
    there.get("/api/v1/me").await.expect(200);
    // A reset link asked for before the account is disabled.
    test.anonymous()
        .post(
            "/api/v1/auth/password/forgot",
            &json!({"email": EDITOR_RABAT.0}),
        )
        .await
        .expect(202);
    let old_link = reset_tokens(&test, EDITOR_RABAT.0)
        .await
        .pop()
        .expect("a reset link was mailed");

    let admin = Browser::login(&test, ADMIN).await;
    let id = person_id(&test, EDITOR_RABAT.0).await;
    let page = admin.get(&format!("/admin/people/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("[data-test=disable-form]"));
    let done = admin
        .post(&format!("/admin/people/{id}/disable"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location, format!("/admin/people/{id}"));

    // Their next request is refused, on this node and on the other one,
    // with a session or with the token.
    here.get("/api/v1/me").await.expect(401);
    there.get("/api/v1/me").await.expect(401);
    script.get("/api/v1/me").await.expect(401);

    // Signing in is refused with a sentence, in the person's language,
    // only to whoever knows the password; a wrong one reads as usual.
    let (status, body, signed_in) = admin_login(&test, EDITOR_RABAT, "ar").await;
    assert_eq!((status, signed_in), (403, false));
    let sentence = admin_string(&test, tawasul_domain::Locale::Ar, "errors.account_disabled");
    assert!(body.contains(&sentence), "{body}");
    let (status, body, _) = admin_login(&test, EDITOR_RABAT, "fr").await;
    assert_eq!(status, 403);
    let sentence = admin_string(&test, tawasul_domain::Locale::Fr, "errors.account_disabled");
    assert!(body.contains(&sentence), "{body}");
    let (status, body, _) = admin_login(&test, (EDITOR_RABAT.0, "not the password"), "fr").await;
    assert_eq!(status, 401);
    assert!(
        !body.contains(&sentence),
        "a wrong password tells nothing more"
    );
    test.try_login(EDITOR_RABAT)
        .await
        .expect_problem(403, "account-disabled");

    // Reset links do not let it in: the old one is void, and no new one
    // is mailed (the form answers as for anyone).
    let reset = test
        .anonymous()
        .post(
            "/api/v1/auth/password/reset",
            &json!({"token": old_link, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reset.status, 422, "{}", reset.text);
    let before = reset_tokens(&test, EDITOR_RABAT.0).await.len();
    test.anonymous()
        .post(
            "/api/v1/auth/password/forgot",
            &json!({"email": EDITOR_RABAT.0}),
        )
        .await
        .expect(202);
    assert_eq!(reset_tokens(&test, EDITOR_RABAT.0).await.len(), before);

    // Enabled again, the person signs in anew; the old sessions and the
    // token stay ended.
    let done = admin.post(&format!("/admin/people/{id}/enable"), &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    here.get("/api/v1/me").await.expect(401);
    script.get("/api/v1/me").await.expect(401);
    test.login(EDITOR_RABAT)
        .await
        .get("/api/v1/me")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_disabled_person_hears_of_no_work() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, ADMIN).await;
    let publisher = person_id(&test, PUBLISHER_RABAT.0).await;
    let done = admin
        .post(&format!("/admin/people/{publisher}/disable"), &[])
        .await;
    assert_eq!(done.status, 303);

    let writer = test.login(EDITOR_RABAT).await;
    let id = writer
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &json!({"kind": "news", "locale": "ar", "title": "لقاء تواصلي مع الأسر",
                    "body": "نص اللقاء."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    writer
        .post(
            &format!("/api/v1/entries/{id}/transitions"),
            &json!({"action": "submit"}),
        )
        .await
        .expect(200);
    let mails = test.app.store().outbox(None, 500).await.expect("outbox");
    let workflow_to = |email: &str| {
        mails
            .iter()
            .filter(|m| m.kind == "workflow" && m.to_address == email)
            .count()
    };
    assert_eq!(
        workflow_to(REGIONAL.0),
        1,
        "the region's supervisor hears of it"
    );
    assert_eq!(
        workflow_to(PUBLISHER_RABAT.0),
        0,
        "the disabled publisher does not"
    );
    let held = test
        .app
        .store()
        .digest_items_waiting(PUBLISHER_RABAT.0)
        .await
        .expect("digest items");
    assert!(held.is_empty(), "nor in a digest");
}

#[tokio::test]
async fn nobody_disables_themselves_nor_the_last_platform_admin() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, ADMIN).await;
    let me = person_id(&test, ADMIN.0).await;

    let page = admin.get(&format!("/admin/people/{me}")).await;
    assert!(!page.has("[data-test=disable-form]"), "no button to press");
    assert!(page.has("[data-test=cannot-disable-self]"));
    let refused = admin
        .post(&format!("/admin/people/{me}/disable"), &[])
        .await;
    assert_eq!(refused.status, 409);
    let sentence = admin_string(
        &test,
        tawasul_domain::Locale::Ar,
        "people.cannot_disable_yourself",
    );
    assert_eq!(refused.texts("[data-test=form-error]"), [sentence]);
    test.login(ADMIN).await.get("/api/v1/me").await.expect(200);

    // A second platform admin may be disabled while the first remains...
    let second = test
        .app
        .add_user(NewUserInput {
            email: "deuxieme.admin@tawasul.example".into(),
            name: "Deuxième administratrice".into(),
            password: Some(NEW_PASSWORD.into()),
            membership: None,
            platform_admin: true,
        })
        .await
        .expect("a second platform admin");
    let done = admin
        .post(&format!("/admin/people/{second}/disable"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    // ...and then the first is the last one enabled: not even the operator
    // disables it.
    match test.app.disable_account_by_email(ADMIN.0).await {
        Err(AppError::CannotDisable(DisableRefusal::LastPlatformAdmin)) => {}
        other => panic!("the last platform admin was not kept: {other:?}"),
    }
    test.login(ADMIN).await.get("/api/v1/me").await.expect(200);
}

#[tokio::test]
async fn two_platform_admins_disabling_each_other_at_once_leave_one_enabled() {
    let test = TestApp::with_demo().await;
    let second = test
        .app
        .add_user(NewUserInput {
            email: "deuxieme.admin@tawasul.example".into(),
            name: "Deuxième administratrice".into(),
            password: Some(NEW_PASSWORD.into()),
            membership: None,
            platform_admin: true,
        })
        .await
        .expect("a second platform admin");
    let first = person_id(&test, ADMIN.0).await;
    let viewer = |id| {
        let app = std::sync::Arc::clone(&test.app);
        async move { app.viewer(id).await.expect("read").expect("enabled") }
    };
    let (one, two) = (viewer(first).await, viewer(second).await);
    // On two nodes, as two admins would.
    let other_node = test.another_process().await;
    let (a, b) = tokio::join!(
        test.app.disable_account(Some(&one), second),
        other_node.disable_account(Some(&two), first),
    );
    assert!(a.is_ok() != b.is_ok(), "exactly one of them: {a:?} {b:?}");
    let refused = if a.is_ok() { b } else { a };
    assert!(
        matches!(
            refused,
            Err(AppError::CannotDisable(DisableRefusal::LastPlatformAdmin))
        ),
        "{refused:?}"
    );
    let enabled = test
        .app
        .store()
        .count_other_platform_admins(0)
        .await
        .expect("count");
    assert_eq!(enabled, 1);
}

#[tokio::test]
async fn the_people_screen_finds_anyone_with_roles_last_sign_in_and_state() {
    let test = TestApp::with_demo().await;
    // Thirty people invited by the import of a school network, who have
    // not signed in yet.
    for n in 0..30 {
        test.app
            .add_user(NewUserInput {
                email: format!("enseignant{n:02}@ecoles.example"),
                name: format!("أستاذ {n:02}"),
                password: None,
                membership: Some(("dp-sale".into(), "contributor".into())),
                platform_admin: false,
            })
            .await
            .expect("a person");
    }
    test.login(EDITOR_RABAT).await;
    let admin = Browser::login(&test, ADMIN).await;

    let found = admin.get("/admin/people?q=RABAT").await;
    assert_eq!(found.status, 200, "{}", found.body);
    let emails: Vec<String> = found.texts("[data-test=person] th .muted");
    assert!(
        emails.contains(&EDITOR_RABAT.0.to_owned())
            && emails.contains(&PUBLISHER_RABAT.0.to_owned()),
        "{emails:?}"
    );
    assert!(!emails.contains(&EDITOR_SALE.0.to_owned()), "{emails:?}");
    let html = found.html();
    let editor_row = format!(
        "[data-test=person][data-user-id='{}']",
        person_id(&test, EDITOR_RABAT.0).await
    );
    let state = common::select_attr(&html, &editor_row, "data-state");
    assert_eq!(state, ["active"], "signed in just now");
    let last = common::select_text(&html, &format!("{editor_row} [data-test=last-login]"));
    assert!(last[0].starts_with("20"), "a date: {last:?}");
    let roles = common::select_text(&html, &format!("{editor_row} [data-test=membership]"));
    assert_eq!(roles.len(), 1, "{roles:?}");
    assert!(
        roles[0].contains("محرر"),
        "the editor's role, in Arabic: {roles:?}"
    );
    let publisher_row = format!(
        "[data-test=person][data-user-id='{}']",
        person_id(&test, PUBLISHER_RABAT.0).await
    );
    assert_eq!(
        common::select_attr(&html, &publisher_row, "data-state"),
        ["invited"]
    );

    // Searching by name, in Arabic, and paging through the invited.
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", "أستاذ")
        .append_pair("state", "invited")
        .finish();
    let invited = admin.get(&format!("/admin/people?{query}")).await;
    assert_eq!(invited.texts("[data-test=person]").len(), 25);
    assert!(invited.texts("[data-test=people-total]")[0].contains("30"));
    let next = invited.attrs("[data-test=page-next]", "href");
    assert_eq!(next.len(), 1);
    let second = admin.get(&next[0]).await;
    assert_eq!(second.texts("[data-test=person]").len(), 5);
    assert!(second.has("[data-test=page-prev]"));

    // Nobody else sees it: not a site admin, not an editor.
    let site_admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    assert_eq!(site_admin.get("/admin/people").await.status, 403);
    let id = person_id(&test, EDITOR_RABAT.0).await;
    assert_eq!(
        site_admin.get(&format!("/admin/people/{id}")).await.status,
        403
    );
    assert_eq!(
        site_admin
            .post(&format!("/admin/people/{id}/disable"), &[])
            .await
            .status,
        403
    );
    test.login(EDITOR_RABAT)
        .await
        .get("/api/v1/me")
        .await
        .expect(200);
    // A form without its token changes nothing.
    let forged = test
        .client
        .post(test.url(&format!("/admin/people/{id}/disable")))
        .header("cookie", &admin.cookie)
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .expect("send");
    assert_eq!(forged.status().as_u16(), 403);
    test.login(EDITOR_RABAT)
        .await
        .get("/api/v1/me")
        .await
        .expect(200);
}

#[tokio::test]
async fn an_admin_sends_a_reset_link_the_admin_never_sees() {
    let test = TestApp::with_demo().await;
    let admin = Browser::login(&test, ADMIN).await;
    let id = person_id(&test, EDITOR_SALE.0).await;
    let done = admin
        .post(&format!("/admin/people/{id}/reset-link"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.get(&done.location).await;
    assert_eq!(page.status, 200);

    let links = reset_tokens(&test, EDITOR_SALE.0).await;
    assert_eq!(links.len(), 1, "one mail through the outbox");
    assert!(!done.body.contains(&links[0]) && !page.body.contains(&links[0]));
    let mail = test
        .app
        .store()
        .outbox(None, 500)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.to_address == EDITOR_SALE.0)
        .expect("the mail");
    assert_eq!(mail.kind, "password_reset");
    assert!(
        mail.body_text.contains("administrateur"),
        "{}",
        mail.body_text
    );

    // The person sets a password with it and signs in with that one.
    test.anonymous()
        .post(
            "/api/v1/auth/password/reset",
            &json!({"token": links[0], "password": NEW_PASSWORD}),
        )
        .await
        .expect(204);
    test.login((EDITOR_SALE.0, NEW_PASSWORD)).await;

    // A disabled account gets no link: the page says why.
    admin
        .post(&format!("/admin/people/{id}/disable"), &[])
        .await;
    let refused = admin
        .post(&format!("/admin/people/{id}/reset-link"), &[])
        .await;
    assert_eq!(refused.status, 409);
    let sentence = admin_string(&test, tawasul_domain::Locale::Ar, "people.reset_disabled");
    assert_eq!(refused.texts("[data-test=form-error]"), [sentence]);
    assert_eq!(reset_tokens(&test, EDITOR_SALE.0).await.len(), 1);
}

#[tokio::test]
async fn a_sites_members_show_when_each_last_signed_in() {
    let test = TestApp::with_demo().await;
    let site_admin = Browser::login(&test, SITE_ADMIN_KENITRA).await;
    let page = site_admin.get("/admin/sites/dp-kenitra/members").await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let id = person_id(&test, SITE_ADMIN_KENITRA.0).await;
    let mine = common::select_text(
        &html,
        &format!("[data-test=member][data-user-id='{id}'] [data-test=member-last-login]"),
    );
    assert_eq!(mine.len(), 1);
    let today = time::OffsetDateTime::now_utc().year().to_string();
    assert!(mine[0].contains(&today), "signed in just now: {mine:?}");
    let never = admin_string(&test, tawasul_domain::Locale::Ar, "members.never_signed_in");
    let others = page.texts("[data-test=member-last-login]");
    assert!(others.iter().any(|t| t == &never), "{others:?}");
}

// ------------------------------------------------ the command line

fn tawasul(data: &Path, db: Option<&str>, args: &[&str]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tawasul"));
    command.arg("--data").arg(data).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("TAWASUL_") {
            command.env_remove(key);
        }
    }
    command.env("TAWASUL_LOG", "warn");
    if let Some(url) = db {
        command.env("TAWASUL_DATABASE_URL", url);
    }
    let output = command.output().expect("run tawasul");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn the_operator_disables_and_enables_from_the_command_line() {
    let data = tempfile::tempdir().expect("dir");
    let db = common::test_database_url().await;
    let run = |args: &[&str]| tawasul(data.path(), db.as_deref(), args);
    assert!(run(&["migrate"]).0);
    for (email, admin) in [
        ("directrice@tawasul.example", true),
        ("agent@tawasul.example", false),
    ] {
        let mut args = vec!["user", "add", "--email", email, "--name", "Personne"];
        if admin {
            args.push("--platform-admin");
        }
        let (ok, text) = run(&args);
        assert!(ok, "{text}");
    }
    let (ok, text) = run(&["user", "disable", "--email", "agent@tawasul.example"]);
    assert!(ok && text.contains("disabled"), "{text}");
    let (ok, text) = run(&[
        "token",
        "create",
        "--email",
        "agent@tawasul.example",
        "--name",
        "x",
    ]);
    assert!(
        !ok && text.contains("enable"),
        "a disabled account makes no token: {text}"
    );
    let (ok, text) = run(&["user", "enable", "--email", "agent@tawasul.example"]);
    assert!(ok && text.contains("sign in again"), "{text}");
    let (ok, text) = run(&["user", "disable", "--email", "directrice@tawasul.example"]);
    assert!(
        !ok && text.contains("last enabled platform administrator"),
        "{text}"
    );
    let (ok, text) = run(&["user", "disable", "--email", "personne@tawasul.example"]);
    assert!(!ok && text.contains("personne@tawasul.example"), "{text}");
}

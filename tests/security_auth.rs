//! What protects an account once someone else is after it, as its owner
//! meets it over real HTTP: reset links that die when the password changes,
//! a forgotten-password form that cannot flood a mailbox, a new password
//! that signs everybody else out, tokens that cannot outlive themselves, a
//! login that checks where it was posted from, and a render cache that
//! invented hosts cannot switch off.

mod common;

use common::demo::{EDITOR_RABAT, PUBLISHER_RABAT};
use common::{ApiClient, ApiResponse, TestApp};
use reqwest::Method;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const NEW_PASSWORD: &str = "une-nouvelle-phrase-de-passe-2026";

/// The reset tokens mailed to `email`, oldest first.
async fn reset_tokens(test: &TestApp, email: &str) -> Vec<String> {
    let marker = "/admin/password/reset?token=";
    let mut mails = test.app.store().outbox(None, 100).await.expect("outbox");
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

async fn forgot(test: &TestApp, email: &str) -> ApiResponse {
    test.anonymous()
        .post("/api/v1/auth/password/forgot", &json!({"email": email}))
        .await
}

/// `POST /auth/password/forgot` from a client behind the proxy at `client`.
async fn forgot_from(test: &TestApp, client: &str, email: &str) -> u16 {
    test.anonymous()
        .request(Method::POST, "/api/v1/auth/password/forgot")
        .header("content-type", "application/json")
        .header("x-forwarded-for", client)
        .body(json!({"email": email}).to_string())
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

async fn reset(test: &TestApp, token: &str, password: &str) -> ApiResponse {
    test.anonymous()
        .post(
            "/api/v1/auth/password/reset",
            &json!({"token": token, "password": password}),
        )
        .await
}

/// Creates a token with the client's credential; the answer as it is.
async fn make_token(client: &ApiClient, body: serde_json::Value) -> ApiResponse {
    client.post("/api/v1/tokens", &body).await
}

fn secret(created: &ApiResponse) -> String {
    created.json["token"]
        .as_str()
        .expect("the new token's secret")
        .to_owned()
}

fn expiry(created: &ApiResponse) -> Option<OffsetDateTime> {
    created.json["expires_at"]
        .as_str()
        .map(|at| OffsetDateTime::parse(at, &Rfc3339).expect("an RFC 3339 time"))
}

/// Posts an admin form without a session (login, forgotten password).
async fn post_admin_form(
    test: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (u16, String, bool) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = test
        .client
        .post(test.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let signed_in = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().is_ok_and(|c| c.starts_with("tawasul_session=")));
    (status, response.text().await.unwrap_or_default(), signed_in)
}

// ------------------------------------------------ #5a reset links die

#[tokio::test]
async fn using_one_reset_link_kills_the_other_links_of_the_account() {
    let test = TestApp::with_demo().await;
    forgot(&test, EDITOR_RABAT.0).await.expect(202);
    forgot(&test, EDITOR_RABAT.0).await.expect(202);
    let tokens = reset_tokens(&test, EDITOR_RABAT.0).await;
    assert_eq!(tokens.len(), 2, "two links in the mailbox");

    reset(&test, &tokens[1], NEW_PASSWORD).await.expect(204);

    let older = reset(&test, &tokens[0], "encore-une-autre-2026")
        .await
        .expect_problem(422, "invalid");
    assert_eq!(older.error_fields(), ["token"]);
    test.login((EDITOR_RABAT.0, NEW_PASSWORD)).await;
}

#[tokio::test]
async fn changing_the_password_kills_the_reset_links_in_the_mailbox() {
    let test = TestApp::with_demo().await;
    forgot(&test, EDITOR_RABAT.0).await.expect(202);
    let tokens = reset_tokens(&test, EDITOR_RABAT.0).await;
    assert_eq!(tokens.len(), 1);

    let editor = test.login(EDITOR_RABAT).await;
    editor
        .post(
            "/api/v1/auth/password",
            &json!({"current": EDITOR_RABAT.1, "password": NEW_PASSWORD}),
        )
        .await
        .expect(204);

    let stale = reset(&test, &tokens[0], "celle-du-voleur-2026")
        .await
        .expect_problem(422, "invalid");
    assert_eq!(stale.error_fields(), ["token"]);
    test.login((EDITOR_RABAT.0, NEW_PASSWORD)).await;
    test.try_login((EDITOR_RABAT.0, "celle-du-voleur-2026"))
        .await
        .expect(401);
}

// ------------------------------------------- #5b no flood of reset mails

#[tokio::test]
async fn an_account_gets_three_reset_mails_an_hour_and_the_answer_never_changes() {
    let test = TestApp::with_demo().await;
    for attempt in 1..=6 {
        let answer = forgot(&test, EDITOR_RABAT.0).await;
        assert_eq!(answer.status, 202, "attempt {attempt}: {}", answer.text);
        assert!(answer.text.is_empty(), "attempt {attempt}: {}", answer.text);
    }
    assert_eq!(reset_tokens(&test, EDITOR_RABAT.0).await.len(), 3);
    // The limit is the account's: a colleague asking now gets a link.
    forgot(&test, PUBLISHER_RABAT.0).await.expect(202);
    assert_eq!(reset_tokens(&test, PUBLISHER_RABAT.0).await.len(), 1);
}

#[tokio::test]
async fn the_admins_forgot_form_mails_no_more_and_shows_the_same_page() {
    let test = TestApp::with_demo().await;
    let mut pages = Vec::new();
    for _ in 0..5 {
        let (status, body, _) = post_admin_form(
            &test,
            "/admin/password/forgot",
            &[("email", EDITOR_RABAT.0)],
            &[],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("data-test=\"forgot-sent\""), "{body}");
        pages.push(body);
    }
    assert!(
        pages.iter().all(|p| p == &pages[0]),
        "the same page whether a mail was sent or not"
    );
    assert_eq!(reset_tokens(&test, EDITOR_RABAT.0).await.len(), 3);
}

#[tokio::test]
async fn one_client_cannot_mail_reset_links_to_many_people() {
    let test = TestApp::with_demo_and(|config| config.server.behind_proxy = true).await;
    let client = "203.0.113.7";
    for i in 0..20 {
        let status = forgot_from(&test, client, &format!("personne{i}@tawasul.example")).await;
        assert_eq!(status, 202);
    }
    assert_eq!(
        forgot_from(&test, client, EDITOR_RABAT.0).await,
        202,
        "the same answer past the limit"
    );
    assert!(
        reset_tokens(&test, EDITOR_RABAT.0).await.is_empty(),
        "nothing mailed past the client's limit"
    );
    // Another client is not held back by this one.
    assert_eq!(
        forgot_from(&test, "198.51.100.2", EDITOR_RABAT.0).await,
        202
    );
    assert_eq!(reset_tokens(&test, EDITOR_RABAT.0).await.len(), 1);
}

// ------------------------------------ #5c a new password signs others out

#[tokio::test]
async fn changing_the_password_signs_out_the_other_devices_but_not_this_one() {
    let test = TestApp::with_demo().await;
    let laptop = test.login(EDITOR_RABAT).await;
    let phone = test.login(EDITOR_RABAT).await;
    let colleague = test.login(PUBLISHER_RABAT).await;

    laptop
        .post(
            "/api/v1/auth/password",
            &json!({"current": EDITOR_RABAT.1, "password": NEW_PASSWORD}),
        )
        .await
        .expect(204);

    laptop.get("/api/v1/me").await.expect(200);
    phone
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    colleague.get("/api/v1/me").await.expect(200);
}

// ---------------------------------------- #5d a reset revokes the tokens

#[tokio::test]
async fn a_reset_revokes_the_accounts_api_tokens_and_ends_its_sessions() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let created = make_token(&editor, json!({"name": "import des rapports"}))
        .await
        .expect(201);
    let script = test.bearer(&secret(&created));
    script.get("/api/v1/me").await.expect(200);
    let colleague = test.login(PUBLISHER_RABAT).await;
    let colleagues_token = test.bearer(&secret(
        &make_token(&colleague, json!({"name": "script"}))
            .await
            .expect(201),
    ));

    forgot(&test, EDITOR_RABAT.0).await.expect(202);
    let tokens = reset_tokens(&test, EDITOR_RABAT.0).await;
    reset(&test, &tokens[0], NEW_PASSWORD).await.expect(204);

    script
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    editor
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    let signed_in_again = test.login((EDITOR_RABAT.0, NEW_PASSWORD)).await;
    let listed = signed_in_again.get("/api/v1/tokens").await.expect(200);
    assert_eq!(listed.json["tokens"], json!([]), "{}", listed.text);
    colleagues_token.get("/api/v1/me").await.expect(200);
}

// ----------------------------------- #5e a token cannot outlive itself

#[tokio::test]
async fn a_token_cannot_make_a_token_that_outlives_it() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let monthly = make_token(&editor, json!({"name": "mensuel", "expires_days": 30}))
        .await
        .expect(201);
    let monthly_expiry = expiry(&monthly).expect("it expires");
    let script = test.bearer(&secret(&monthly));

    for body in [
        json!({"name": "pour toujours"}),
        json!({"name": "plus long", "expires_days": 31}),
        json!({"name": "dix ans", "expires_days": 3650}),
    ] {
        let refused = make_token(&script, body.clone())
            .await
            .expect_problem(422, "invalid");
        assert_eq!(refused.error_fields(), ["expires_days"], "{body}");
    }
    let weekly = make_token(&script, json!({"name": "hebdo", "expires_days": 7}))
        .await
        .expect(201);
    assert!(expiry(&weekly).is_some_and(|at| at <= monthly_expiry));

    // A session, or a token that never expires, may still make a
    // permanent one.
    let permanent = make_token(&editor, json!({"name": "serveur"}))
        .await
        .expect(201);
    assert_eq!(expiry(&permanent), None);
    let made_by_permanent = make_token(&test.bearer(&secret(&permanent)), json!({"name": "autre"}))
        .await
        .expect(201);
    assert_eq!(expiry(&made_by_permanent), None);
}

// ------------------------------- #15 the Origin check and forwarded hosts

#[tokio::test]
async fn a_login_from_another_site_is_refused_even_with_a_forged_forwarded_host() {
    let direct = TestApp::with_demo().await;
    let evil = [
        ("origin", "https://evil.example"),
        ("x-forwarded-host", "evil.example"),
    ];

    let mut api = direct
        .anonymous()
        .request(Method::POST, "/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(json!({"email": EDITOR_RABAT.0, "password": EDITOR_RABAT.1}).to_string());
    for (name, value) in evil {
        api = api.header(name, value);
    }
    let refused = ApiResponse::read(api.send().await.expect("send"))
        .await
        .expect_problem(403, "csrf");
    assert!(refused.header("set-cookie").is_none());

    let credentials = [
        ("email", EDITOR_RABAT.0),
        ("password", EDITOR_RABAT.1),
        ("next", "/admin/"),
    ];
    let (status, _, signed_in) =
        post_admin_form(&direct, "/admin/login", &credentials, &evil).await;
    assert_eq!((status, signed_in), (403, false), "the admin's login form");

    let (status, body, _) = post_admin_form(
        &direct,
        "/dp-rabat/newsletter",
        &[("email", "lecteur@exemple.ma")],
        &evil,
    )
    .await;
    assert_eq!(status, 403, "the newsletter's form: {body}");

    // Behind a proxy, the forwarded host is the server's own name.
    let proxied = TestApp::with_demo_and(|config| config.server.behind_proxy = true).await;
    let (status, _, signed_in) = post_admin_form(
        &proxied,
        "/admin/login",
        &credentials,
        &[
            ("origin", "https://tawasul.example"),
            ("x-forwarded-host", "tawasul.example"),
        ],
    )
    .await;
    assert_eq!((status, signed_in), (303, true));
    let (status, _, signed_in) = post_admin_form(
        &proxied,
        "/admin/login",
        &credentials,
        &[
            ("origin", "https://evil.example"),
            ("x-forwarded-host", "tawasul.example"),
        ],
    )
    .await;
    assert_eq!((status, signed_in), (403, false));
}

// -------------------------------------- #6 invented hosts and the cache

#[tokio::test]
async fn invented_hosts_do_not_switch_the_render_cache_off_for_real_sites() {
    let test = TestApp::with_demo().await;
    for i in 0..100 {
        let page = test.get_on_host(&format!("h{i}.invalid"), "/").await;
        assert_eq!(page.status, 200);
    }
    test.get("/dp-rabat/").await;
    let hits = test.app.pages.stats().hits;
    assert_eq!(test.get("/dp-rabat/").await.status, 200);
    assert!(
        test.app.pages.stats().hits > hits,
        "the second request is served from the cache: {:?}",
        test.app.pages.stats()
    );
}

//! Two-factor sign-in as a person meets it: set up from the account page
//! with an authenticator app, then a code asked after the password, in
//! the admin and over the API; recovery codes that work once; a code that
//! works once; guesses that run out; a platform that requires it of its
//! admins; and a platform admin who turns it off for someone who lost
//! their phone.

mod common;

use common::admin::Browser;
use common::demo::{ADMIN, EDITOR_RABAT};
use common::TestApp;
use serde_json::json;
use tawasul_app::totp;

/// What the server answered a browser.
struct Reply {
    status: u16,
    location: String,
    cookies: Vec<String>,
    body: String,
}

impl Reply {
    /// The value of a cookie the answer set (`name=value`), if any.
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .filter_map(|c| c.split(';').next())
            .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
            .map(str::to_owned)
    }

    fn texts(&self, selector: &str) -> Vec<String> {
        common::select_text(&scraper::Html::parse_document(&self.body), selector)
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Reply {
        status,
        location: headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        cookies: headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect(),
        body: response.text().await.unwrap_or_default(),
    }
}

/// Posts a form as a browser on the admin's own pages does.
async fn post(test: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Reply {
    send(
        test.client
            .post(test.url(path))
            .header("cookie", cookie)
            .header("origin", test.url(""))
            .form(fields),
    )
    .await
}

async fn get(test: &TestApp, path: &str, cookie: &str) -> Reply {
    send(test.client.get(test.url(path)).header("cookie", cookie)).await
}

/// The secret of the enrolment shown on the page, from its otpauth address.
fn secret_of(body: &str) -> Vec<u8> {
    let html = scraper::Html::parse_document(body);
    let uri = common::select_attr(&html, "[data-test=totp-uri]", "href");
    let uri = uri.first().expect("an otpauth address");
    assert!(uri.starts_with("otpauth://totp/Tawasul"), "{uri}");
    let secret = uri
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("a secret");
    let shown = common::select_text(&html, "[data-test=totp-secret]");
    assert_eq!(shown[0].replace(' ', ""), secret, "the same secret as text");
    totp::base32_decode(secret).expect("base32")
}

/// The code the app shows `steps` steps from now.
fn code(secret: &[u8], steps: i64) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    totp::code_at(secret, totp::step_of(now) + steps)
}

/// Sets up two-factor sign-in for a signed-in browser; the secret and the
/// recovery codes.
async fn set_up(browser: &Browser<'_>) -> (Vec<u8>, Vec<String>) {
    let started = browser.post("/admin/account/two-factor/start", &[]).await;
    assert_eq!(started.status, 303, "{}", started.body);
    let page = browser.get("/admin/account/two-factor").await;
    assert_eq!(page.status, 200);
    let secret = secret_of(&page.body);

    let wrong = browser
        .post("/admin/account/two-factor/confirm", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.has("[data-test=field-error-code]"));
    let confirmed = browser
        .post(
            "/admin/account/two-factor/confirm",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.body);
    let codes = confirmed.texts("[data-test=recovery-code]");
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Signs in through the admin's two steps; the session cookie.
async fn sign_in_with_code(test: &TestApp, credentials: (&str, &str), second: &str) -> Reply {
    let first = post(
        test,
        "/admin/login",
        "",
        &[
            ("email", credentials.0),
            ("password", credentials.1),
            ("next", "/admin/account"),
        ],
    )
    .await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert!(
        first.location.starts_with("/admin/login/code?"),
        "{}",
        first.location
    );
    assert!(
        first.cookie("tawasul_session").is_none(),
        "no session before the code"
    );
    let challenge = first.cookie("tawasul_login_code").expect("the challenge");
    let page = get(test, &first.location, &challenge).await;
    assert_eq!(page.status, 200);
    post(
        test,
        "/admin/login/code",
        &challenge,
        &[("code", second), ("next", "/admin/account")],
    )
    .await
}

#[tokio::test]
async fn after_setting_it_up_signing_in_asks_the_apps_code_as_a_second_step() {
    let test = TestApp::with_demo().await;
    let browser = Browser::login(&test, EDITOR_RABAT).await;
    let account = browser.get("/admin/account").await;
    assert!(account.has("[data-test=two-factor-link]"));
    let (secret, recovery) = set_up(&browser).await;
    let account = browser.get("/admin/account/two-factor").await;
    assert!(account.texts("[data-test=two-factor-state]")[0].contains("10"));

    // The password alone no longer signs in: the app's code does, once.
    let next_code = code(&secret, 1);
    let signed_in = sign_in_with_code(&test, EDITOR_RABAT, &next_code).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location, "/admin/account");
    let session = signed_in.cookie("tawasul_session").expect("a session");
    assert_eq!(get(&test, "/admin/account", &session).await.status, 200);
    let replayed = sign_in_with_code(&test, EDITOR_RABAT, &next_code).await;
    assert_eq!(replayed.status, 401, "a code works once");
    assert!(replayed.cookie("tawasul_session").is_none());

    // A recovery code, typed any way, works once.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let with_recovery = sign_in_with_code(&test, EDITOR_RABAT, &typed).await;
    assert_eq!(with_recovery.status, 303, "{}", with_recovery.body);
    assert!(with_recovery.cookie("tawasul_session").is_some());
    let again = sign_in_with_code(&test, EDITOR_RABAT, &recovery[0]).await;
    assert_eq!(again.status, 401);

    // Over the API, the code goes with the password.
    test.try_login(EDITOR_RABAT)
        .await
        .expect_problem(401, "code-required");
    test.anonymous()
        .post(
            "/api/v1/auth/login",
            &json!({"email": EDITOR_RABAT.0, "password": EDITOR_RABAT.1, "code": recovery[1]}),
        )
        .await
        .expect(200);

    // New recovery codes replace the old; turning it off takes a code.
    let renewed = browser
        .post("/admin/account/two-factor/renew", &[("code", &recovery[2])])
        .await;
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    let fresh = renewed.texts("[data-test=recovery-code]");
    assert_eq!(fresh.len(), 10);
    assert!(!fresh.contains(&recovery[3]));
    let refused = browser
        .post(
            "/admin/account/two-factor/disable",
            &[("code", &recovery[3])],
        )
        .await;
    assert_eq!(refused.status, 422, "an old recovery code is void");
    let off = browser
        .post("/admin/account/two-factor/disable", &[("code", &fresh[0])])
        .await;
    assert_eq!(off.status, 303, "{}", off.body);
    test.login(EDITOR_RABAT).await;

    let audit = test.app.store().audit_log(None, 100).await.expect("audit");
    for action in [
        "two_factor_enable",
        "recovery_code_used",
        "login_code_failed",
        "recovery_codes_renew",
        "two_factor_disable",
    ] {
        assert!(audit.iter().any(|a| a.action == action), "{action}");
    }
}

#[tokio::test]
async fn wrong_codes_run_out_and_the_password_is_asked_again() {
    let test = TestApp::with_demo().await;
    let browser = Browser::login(&test, EDITOR_RABAT).await;
    let (secret, _) = set_up(&browser).await;
    let first = post(
        &test,
        "/admin/login",
        "",
        &[
            ("email", EDITOR_RABAT.0),
            ("password", EDITOR_RABAT.1),
            ("next", "/admin/"),
        ],
    )
    .await;
    let challenge = first.cookie("tawasul_login_code").expect("the challenge");
    // Codes that are not the app's (nor its neighbours', but by a chance
    // of one in a million).
    let right: u32 = code(&secret, 0).parse().expect("digits");
    let wrong = |n: u32| format!("{:06}", (right + n) % 1_000_000);
    for left in (1..=4).rev() {
        let answer = post(
            &test,
            "/admin/login/code",
            &challenge,
            &[("code", &wrong(500_000 + left)), ("next", "/admin/")],
        )
        .await;
        assert_eq!(answer.status, 401);
        let error = answer.texts("[data-test=login-error]");
        assert!(error[0].contains(&left.to_string()), "{error:?}");
    }
    // The fifth wrong code ends the sign-in, and the account's throttle,
    // counting wrong codes as wrong passwords, holds it a while.
    let last = post(
        &test,
        "/admin/login/code",
        &challenge,
        &[("code", &wrong(1)), ("next", "/admin/")],
    )
    .await;
    assert_eq!(last.status, 401);
    assert!(
        last.body.contains("data-test=\"login-form\""),
        "back to the password"
    );
    let right_too_late = post(
        &test,
        "/admin/login/code",
        &challenge,
        &[("code", &code(&secret, 1)), ("next", "/admin/")],
    )
    .await;
    assert!(right_too_late.cookie("tawasul_session").is_none());
    assert_eq!(test.try_login(EDITOR_RABAT).await.status, 429);
}

#[tokio::test]
async fn a_platform_that_requires_it_leads_its_admins_to_set_it_up_first() {
    let test = TestApp::with_demo_and(|config| {
        config.auth.require_two_factor_for_platform_admins = true;
    })
    .await;
    let admin = Browser::login(&test, ADMIN).await;
    for path in ["/admin/", "/admin/people", "/admin/account"] {
        let answer = admin.get(path).await;
        assert_eq!(answer.status, 303, "{path}");
        assert_eq!(answer.location, "/admin/account/two-factor");
    }
    let page = admin.get("/admin/account/two-factor").await;
    assert!(page.has("[data-test=two-factor-required]"));
    let api = test.login(ADMIN).await;
    api.get("/api/v1/me")
        .await
        .expect_problem(403, "two-factor-required");
    // Others are not asked.
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    assert_eq!(editor.get("/admin/").await.status, 200);

    let (secret, _) = set_up(&admin).await;
    assert_eq!(admin.get("/admin/people").await.status, 200);
    let page = admin.get("/admin/account/two-factor").await;
    assert!(page.has("[data-test=two-factor-cannot-disable]"));
    let refused = admin
        .post(
            "/admin/account/two-factor/disable",
            &[("code", &code(&secret, 1))],
        )
        .await;
    assert_eq!(refused.status, 403, "required: it stays on");
}

#[tokio::test]
async fn a_platform_admin_turns_it_off_for_someone_who_lost_their_phone() {
    let test = TestApp::with_demo().await;
    let editor = Browser::login(&test, EDITOR_RABAT).await;
    set_up(&editor).await;
    test.try_login(EDITOR_RABAT)
        .await
        .expect_problem(401, "code-required");

    let admin = Browser::login(&test, ADMIN).await;
    let id = test
        .app
        .store()
        .user_by_email(EDITOR_RABAT.0)
        .await
        .expect("read")
        .expect("the editor")
        .id;
    let page = admin.get(&format!("/admin/people/{id}")).await;
    assert!(page.has("[data-test=two-factor-off-form]"));
    let done = admin
        .post(&format!("/admin/people/{id}/two-factor-off"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    test.login(EDITOR_RABAT).await;
    let audit = test.app.store().audit_log(None, 50).await.expect("audit");
    assert!(audit.iter().any(|a| a.action == "two_factor_reset"));
}

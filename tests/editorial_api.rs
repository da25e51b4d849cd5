//! The editorial API as its users meet it, over real HTTP: signing in,
//! the protections around a session, API tokens for scripts, the workflow
//! from draft to public page, who reaches what in the network, history,
//! the trash, password resets, bad input and two people saving at once.

mod common;

use common::demo::{
    ADMIN, CONTRIBUTOR_ALAMAL, EDITOR_RABAT, EDITOR_SALE, PUBLISHER_RABAT, REGIONAL,
    SITE_ADMIN_KENITRA,
};
use common::{ApiClient, ApiResponse, Credential, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const TITLE: &str = "تقرير الدورة التكوينية حول تدريس التعلمات الأساسية";

/// A training report as an editor starts it: the text, and only some of
/// the facts a submission needs.
fn report_draft(title: &str) -> Value {
    json!({
        "kind": "training_report",
        "locale": "ar",
        "title": title,
        "summary": "حصيلة ثلاثة أيام من التكوين لفائدة أساتذة التعليم الابتدائي",
        "body": "## افتتاح الدورة\n\nافتتح السيد المدير الإقليمي أشغال الدورة.\n\n## الورشات\n\nاشتغل المشاركون في أربع ورشات.",
        "fields": {"venue": "مركز التكوين بالرباط"},
    })
}

/// Every fact a training report needs to go to review.
fn complete_facts() -> Value {
    json!({
        "venue": "مركز التكوين بالرباط",
        "starts_on": "2026-10-12",
        "ends_on": "2026-10-14",
        "audience": "أساتذة التعليم الابتدائي",
        "head_count": 42,
        "facilitators": ["ذ. سعاد العلوي", "ذ. محمد الإدريسي"],
    })
}

/// The report with its facts complete and a changed body.
fn report_complete(title: &str, body: &str, version: i64) -> Value {
    let mut entry = report_draft(title);
    entry["fields"] = complete_facts();
    entry["body"] = json!(body);
    entry["version"] = json!(version);
    entry
}

fn id_of(entry: &Value) -> i64 {
    entry["id"].as_i64().expect("an entry id")
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("format a time")
}

/// Creates a draft report on a site; it must succeed.
async fn create(client: &ApiClient, site: &str, entry: &Value) -> Value {
    client
        .post(&format!("/api/v1/sites/{site}/entries"), entry)
        .await
        .expect(201)
        .json
}

async fn act(client: &ApiClient, id: i64, action: &str) -> ApiResponse {
    act_with(client, id, json!({"action": action})).await
}

async fn act_with(client: &ApiClient, id: i64, body: Value) -> ApiResponse {
    client
        .post(&format!("/api/v1/entries/{id}/transitions"), &body)
        .await
}

async fn show(client: &ApiClient, id: i64) -> ApiResponse {
    client.get(&format!("/api/v1/entries/{id}")).await
}

/// A dp-rabat report written by the editor, completed and submitted.
async fn report_in_review(editor: &ApiClient, title: &str) -> i64 {
    let draft = create(editor, "dp-rabat", &report_draft(title)).await;
    let id = id_of(&draft);
    editor
        .put(
            &format!("/api/v1/entries/{id}"),
            &report_complete(title, "نص التقرير الكامل.", 1),
        )
        .await
        .expect(200);
    act(editor, id, "submit").await.expect(200);
    id
}

/// The workflow events of an entry, newest first.
async fn events(client: &ApiClient, id: i64) -> Vec<Value> {
    client
        .get(&format!("/api/v1/entries/{id}/events"))
        .await
        .expect(200)
        .json["events"]
        .as_array()
        .expect("a list of events")
        .clone()
}

/// A refused save of an outdated version: 409, `stale-version`, and the
/// version to reload. (That the problem's own `status` member is 409 is the
/// concern of `a_stale_save_answers_a_problem_whose_status_is_the_http_status`.)
#[track_caller]
fn assert_stale(response: &ApiResponse, current_version: i64) {
    assert_eq!(response.status, 409, "{}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    assert!(
        response.json["type"]
            .as_str()
            .is_some_and(|t| t.ends_with(":stale-version")),
        "{}",
        response.text
    );
    assert_eq!(
        response.json["current_version"], current_version,
        "{}",
        response.text
    );
}

fn count_actions(events: &[Value], action: &str) -> usize {
    events.iter().filter(|e| e["action"] == action).count()
}

fn site_slugs(response: &ApiResponse) -> Vec<String> {
    response.json["sites"]
        .as_array()
        .expect("a list of sites")
        .iter()
        .map(|s| s["slug"].as_str().expect("a slug").to_owned())
        .collect()
}

// ------------------------------------------------------------ signing in

#[tokio::test]
async fn signing_in_gives_the_user_a_csrf_token_and_a_cookie_scripts_cannot_read() {
    let test = TestApp::with_demo().await;
    let response = test.try_login(EDITOR_RABAT).await.expect(200);
    assert_eq!(response.json["user"]["email"], EDITOR_RABAT.0);
    assert_eq!(
        response.json["user"]["memberships"],
        json!([{"site": "dp-rabat", "role": "editor"}])
    );
    let csrf = response.json["csrf_token"].as_str().unwrap_or_default();
    assert!(csrf.len() >= 32, "a long random CSRF token: {csrf:?}");
    let cookie = response.header("set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("tawasul_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP without a proxy: a Secure cookie would never come back"
    );

    // However the address is typed.
    let editor = test
        .login(("Editeur.Rabat@Tawasul.example ", EDITOR_RABAT.1))
        .await;
    let me = editor.get("/api/v1/me").await.expect(200);
    assert_eq!(me.json["email"], EDITOR_RABAT.0);
    assert_eq!(me.json["name"], "Hicham Amrani");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_problem() {
    let test = TestApp::with_demo().await;
    let response = test
        .try_login((EDITOR_RABAT.0, "not-the-password"))
        .await
        .expect_problem(401, "unauthenticated");
    assert!(response.header("set-cookie").is_none());
    // Nor does an address without an account tell it has none.
    let unknown = test
        .try_login(("nobody@tawasul.example", "not-the-password"))
        .await
        .expect_problem(401, "unauthenticated");
    assert_eq!(unknown.json["detail"], response.json["detail"]);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let test = TestApp::with_demo().await;
    for attempt in 1..=5 {
        let response = test.try_login((EDITOR_RABAT.0, "guess-123456")).await;
        assert_eq!(response.status, 401, "attempt {attempt}: {}", response.text);
    }
    let locked = test
        .try_login((EDITOR_RABAT.0, "guess-123456"))
        .await
        .expect_problem(429, "throttled");
    let retry_after: u64 = locked
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        (1..=15 * 60).contains(&retry_after),
        "locked for at most the lockout: {retry_after}"
    );
    test.try_login(EDITOR_RABAT)
        .await
        .expect_problem(429, "throttled");
    // The lock is on the account: a colleague at the same address signs in.
    test.login(PUBLISHER_RABAT).await;
}

#[tokio::test]
async fn a_login_posted_from_another_site_is_refused() {
    let test = TestApp::with_demo().await;
    let body = json!({"email": EDITOR_RABAT.0, "password": EDITOR_RABAT.1}).to_string();
    let post = |origin: String| {
        test.anonymous()
            .request(Method::POST, "/api/v1/auth/login")
            .header("content-type", "application/json")
            .header("origin", origin)
            .body(body.clone())
            .send()
    };
    let foreign = ApiResponse::read(post("https://evil.example".into()).await.expect("send")).await;
    let foreign = foreign.expect_problem(403, "csrf");
    assert!(foreign.header("set-cookie").is_none());
    let own = ApiResponse::read(post(format!("http://{}", test.addr)).await.expect("send")).await;
    own.expect(200);
}

#[tokio::test]
async fn after_logout_the_cookie_opens_nothing() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    editor.get("/api/v1/me").await.expect(200);
    let logout = editor
        .send(Method::POST, "/api/v1/auth/logout", None)
        .await
        .expect(204);
    assert!(
        logout
            .header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the browser is told to forget the cookie"
    );
    editor
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    editor
        .post("/api/v1/sites/dp-rabat/entries", &report_draft(TITLE))
        .await
        .expect(401);
}

#[tokio::test]
async fn logging_out_everywhere_ends_the_sessions_on_other_devices() {
    let test = TestApp::with_demo().await;
    let laptop = test.login(EDITOR_RABAT).await;
    let phone = test.login(EDITOR_RABAT).await;
    let colleague = test.login(PUBLISHER_RABAT).await;
    let ended = phone
        .send(Method::POST, "/api/v1/auth/logout-everywhere", None)
        .await
        .expect(200);
    assert_eq!(ended.json["sessions_ended"], 2);
    laptop.get("/api/v1/me").await.expect(401);
    phone.get("/api/v1/me").await.expect(401);
    colleague.get("/api/v1/me").await.expect(200);
}

// ------------------------------------------------------------------ CSRF

#[tokio::test]
async fn a_write_signed_in_by_cookie_needs_the_sessions_csrf_token() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let other_session = test.login(EDITOR_RABAT).await;
    let body = report_draft(TITLE).to_string();
    let post = |csrf: Option<String>| {
        let mut request = editor
            .request_without_csrf(Method::POST, "/api/v1/sites/dp-rabat/entries")
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    let missing = ApiResponse::read(post(None).await.expect("send")).await;
    missing.expect_problem(403, "csrf");
    let wrong = ApiResponse::read(post(Some("forged".into())).await.expect("send")).await;
    wrong.expect_problem(403, "csrf");
    let Credential::Session {
        csrf: other_csrf, ..
    } = &other_session.credential
    else {
        panic!("a session");
    };
    let of_another_session =
        ApiResponse::read(post(Some(other_csrf.clone())).await.expect("send")).await;
    of_another_session.expect_problem(403, "csrf");

    // Reading needs no token, and nothing was written by the refused posts.
    let list = ApiResponse::read(
        editor
            .request_without_csrf(Method::GET, "/api/v1/sites/dp-rabat/entries?status=draft")
            .send()
            .await
            .expect("send"),
    )
    .await
    .expect(200);
    assert_eq!(list.json["total"], 0, "{}", list.text);

    editor
        .post("/api/v1/sites/dp-rabat/entries", &report_draft(TITLE))
        .await
        .expect(201);
}

// ------------------------------------------------------------ API tokens

#[tokio::test]
async fn an_api_token_signs_scripts_in_until_it_is_revoked() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let created = editor
        .post("/api/v1/tokens", &json!({"name": "import des rapports"}))
        .await
        .expect(201);
    let secret = created.json["token"]
        .as_str()
        .expect("the secret")
        .to_owned();
    let token_id = created.json["id"].as_i64().expect("an id");
    assert!(secret.starts_with("tws_"), "{secret}");

    // The secret is shown once: the list names the token, not its secret.
    let listed = editor.get("/api/v1/tokens").await.expect(200);
    assert!(!listed.text.contains(&secret));
    assert_eq!(listed.json["tokens"][0]["name"], "import des rapports");
    assert!(secret.starts_with(listed.json["tokens"][0]["prefix"].as_str().unwrap_or("?")));

    let script = test.bearer(&secret);
    let me = script.get("/api/v1/me").await.expect(200);
    assert_eq!(me.json["email"], EDITOR_RABAT.0);
    // No CSRF token: a browser never sends a bearer token on its own.
    let entry = create(&script, "dp-rabat", &report_draft(TITLE)).await;
    assert_eq!(entry["author_id"], editor.user["id"]);
    // The token carries its owner's rights, no more.
    script
        .post("/api/v1/sites/dp-sale/entries", &report_draft(TITLE))
        .await
        .expect_problem(403, "forbidden");

    editor
        .delete(&format!("/api/v1/tokens/{token_id}"))
        .await
        .expect(204);
    script
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
    script
        .post("/api/v1/sites/dp-rabat/entries", &report_draft(TITLE))
        .await
        .expect(401);
    test.bearer("tws_made-up")
        .get("/api/v1/me")
        .await
        .expect(401);
}

#[tokio::test]
async fn nobody_revokes_someone_elses_token() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let created = editor
        .post("/api/v1/tokens", &json!({"name": "script"}))
        .await
        .expect(201);
    let token_id = created.json["id"].as_i64().expect("an id");
    let other = test.login(EDITOR_SALE).await;
    other
        .delete(&format!("/api/v1/tokens/{token_id}"))
        .await
        .expect(404);
    test.bearer(created.json["token"].as_str().expect("secret"))
        .get("/api/v1/me")
        .await
        .expect(200);
}

// -------------------------------------------------------------- workflow

#[tokio::test]
async fn a_training_report_goes_from_draft_to_the_public_site_and_back() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let publisher = test.login(PUBLISHER_RABAT).await;

    // The editor starts a report in Arabic with some facts still missing.
    let draft = create(&editor, "dp-rabat", &report_draft(TITLE)).await;
    let id = id_of(&draft);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["version"], 1);
    assert_eq!(draft["title"], TITLE);
    assert_eq!(draft["site"], "dp-rabat");
    assert!(draft["url"].is_null(), "a draft has no public address");
    assert!(draft["html"]
        .as_str()
        .is_some_and(|h| h.contains("افتتاح الدورة</h2>")));

    // It cannot go to review half-filled, and says what is missing.
    let refused = act(&editor, id, "submit")
        .await
        .expect_problem(422, "invalid");
    let missing = refused.error_fields();
    for field in [
        "fields.audience",
        "fields.starts_on",
        "fields.ends_on",
        "fields.head_count",
    ] {
        assert!(
            missing.contains(&field.to_owned()),
            "{field} in {missing:?}"
        );
    }
    assert!(!missing.contains(&"fields.venue".to_owned()));
    assert_eq!(show(&editor, id).await.json["status"], "draft");

    // The editor completes it.
    let body_v2 = "## افتتاح الدورة\n\nافتتح السيد المدير الإقليمي أشغال الدورة.\n\n## التوصيات\n\nتعميم التجربة على باقي المؤسسات.";
    let saved = editor
        .put(
            &format!("/api/v1/entries/{id}"),
            &report_complete(TITLE, body_v2, 1),
        )
        .await
        .expect(200);
    assert_eq!(saved.json["version"], 2);
    assert_eq!(saved.json["fields"]["head_count"], 42);

    // A save made on version 1 (another tab) loses nothing of version 2.
    let stale = editor
        .put(
            &format!("/api/v1/entries/{id}"),
            &report_complete(TITLE, "نص قديم من نافذة أخرى", 1),
        )
        .await
        .expect(409);
    assert_stale(&stale, 2);
    let current = show(&editor, id).await.expect(200);
    assert_eq!(current.json["version"], 2);
    assert_eq!(current.json["body"], body_v2);

    // To review; only a publisher decides.
    let submitted = act(&editor, id, "submit").await.expect(200);
    assert_eq!(submitted.json["status"], "in_review");
    act(&editor, id, "approve")
        .await
        .expect_problem(403, "forbidden");
    act(&publisher, id, "publish")
        .await
        .expect_problem(409, "illegal-transition");

    // Sent back with a comment the author reads.
    let no_comment = act(&publisher, id, "request_changes")
        .await
        .expect_problem(422, "invalid");
    assert_eq!(no_comment.error_fields(), ["comment"]);
    let comment = "المرجو إضافة أسماء المؤطرين وصور الورشات";
    let sent_back = act_with(
        &publisher,
        id,
        json!({"action": "request_changes", "comment": comment}),
    )
    .await
    .expect(200);
    assert_eq!(sent_back.json["status"], "draft");
    let history = events(&editor, id).await;
    let request = history
        .iter()
        .find(|e| e["action"] == "request_changes")
        .expect("the request for changes in the history");
    assert_eq!(request["comment"], comment);
    assert_eq!(request["actor_id"], publisher.user["id"]);
    assert_eq!(request["from"], "in_review");
    assert_eq!(request["to"], "draft");

    act(&editor, id, "submit").await.expect(200);
    let approved = act(&publisher, id, "approve").await.expect(200);
    assert_eq!(approved.json["status"], "approved");

    // A publication time in the past is a mistake, not "now".
    let an_hour_ago = rfc3339(OffsetDateTime::now_utc() - Duration::hours(1));
    let past = act_with(
        &publisher,
        id,
        json!({"action": "publish", "at": an_hour_ago}),
    )
    .await
    .expect_problem(422, "invalid");
    assert_eq!(past.error_fields(), ["at"]);
    assert_eq!(show(&editor, id).await.json["status"], "approved");

    let published = act(&publisher, id, "publish").await.expect(200);
    assert_eq!(published.json["status"], "published");
    assert!(published.json["published_at"].is_string());
    let url = published.json["url"]
        .as_str()
        .expect("a published entry has a public address")
        .to_owned();
    assert!(
        url.starts_with(&format!("/dp-rabat/training/{id}-")),
        "{url}"
    );
    let page = test.get(&url).await;
    assert_eq!(page.status, 200, "{url}");
    assert!(page.body.contains(TITLE), "the Arabic title on {url}");
    assert!(page.body.contains("تعميم التجربة على باقي المؤسسات"));

    // Withdrawn: the address answers with the site's own 404.
    let unpublished = act(&publisher, id, "unpublish").await.expect(200);
    assert_eq!(unpublished.json["status"], "draft");
    assert!(unpublished.json["url"].is_null());
    let gone = test.get(&url).await;
    assert_eq!(gone.status, 404, "{url}");
    assert!(!gone.body.contains(TITLE));
    assert!(
        gone.body.contains("المديرية الإقليمية بالرباط"),
        "the site's own 404 page"
    );

    let actions: Vec<String> = events(&editor, id)
        .await
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "submit",
            "request_changes",
            "submit",
            "approve",
            "publish",
            "unpublish"
        ]
    );
}

#[tokio::test]
async fn a_stale_save_answers_a_problem_whose_status_is_the_http_status() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let id = id_of(&create(&editor, "dp-rabat", &report_draft(TITLE)).await);
    let path = format!("/api/v1/entries/{id}");
    editor
        .put(&path, &report_complete(TITLE, "النسخة الثانية", 1))
        .await
        .expect(200);
    let stale = editor
        .put(&path, &report_complete(TITLE, "نافذة قديمة", 1))
        .await;
    assert_stale(&stale, 2);
    // RFC 9457 and API.md: `status` is the HTTP status code; the entry's
    // workflow state, if given, needs a member of its own.
    assert_eq!(stale.json["status"], 409, "{}", stale.text);
}

// ------------------------------------------------------------ scheduling

#[tokio::test]
async fn a_publication_set_a_few_seconds_ahead_waits_for_its_time_then_happens_once() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let publisher = test.login(PUBLISHER_RABAT).await;
    let id = report_in_review(&editor, TITLE).await;
    act(&publisher, id, "approve").await.expect(200);

    let at = OffsetDateTime::now_utc() + Duration::seconds(3);
    let scheduled = act_with(
        &publisher,
        id,
        json!({"action": "publish", "at": rfc3339(at)}),
    )
    .await
    .expect(200);
    assert_eq!(
        scheduled.json["status"], "approved",
        "published before its time: {}",
        scheduled.text
    );
    assert!(scheduled.json["scheduled_at"].is_string());
    assert!(scheduled.json["url"].is_null());
    assert_eq!(test.app.publish_due().await.expect("publish due"), 0);
    assert_eq!(show(&editor, id).await.json["status"], "approved");

    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    // The server's own watcher may have been first; either way it is out.
    test.app.publish_due().await.expect("publish due");
    let published = show(&editor, id).await.expect(200);
    assert_eq!(published.json["status"], "published");
    assert!(published.json["scheduled_at"].is_null());
    let history = events(&editor, id).await;
    assert_eq!(count_actions(&history, "publish"), 1, "{history:?}");
    assert_eq!(
        history
            .iter()
            .find(|e| e["action"] == "publish")
            .map(|e| e["actor_id"].clone()),
        Some(publisher.user["id"].clone()),
        "the history names who scheduled it"
    );

    let other_node = test.another_process().await;
    assert_eq!(test.app.publish_due().await.expect("publish due"), 0);
    assert_eq!(other_node.publish_due().await.expect("publish due"), 0);
    assert_eq!(count_actions(&events(&editor, id).await, "publish"), 1);
    let url = published.json["url"].as_str().expect("a public address");
    assert_eq!(test.get(url).await.status, 200);
}

/// The same guarantee without depending on how near "now" a schedule may
/// be set: an entry scheduled for later, made due by moving its schedule in
/// the database, published by two nodes racing each other (and the
/// server's watcher).
#[tokio::test]
async fn two_nodes_racing_publish_a_scheduled_entry_exactly_once() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let publisher = test.login(PUBLISHER_RABAT).await;
    let id = report_in_review(&editor, TITLE).await;
    act(&publisher, id, "approve").await.expect(200);
    let later = OffsetDateTime::now_utc() + Duration::minutes(10);
    let scheduled = act_with(
        &publisher,
        id,
        json!({"action": "publish", "at": rfc3339(later)}),
    )
    .await
    .expect(200);
    assert_eq!(scheduled.json["status"], "approved");
    assert!(scheduled.json["scheduled_at"].is_string());
    assert_eq!(test.app.publish_due().await.expect("publish due"), 0);

    let entry_id = i32::try_from(id).expect("an i32 id");
    let moved = test
        .app
        .store()
        .transition_entry(
            entry_id,
            &tawasul_store::StatusChange {
                action: "schedule".into(),
                from: "approved".into(),
                to: "approved".into(),
                published_at: None,
                scheduled_at: Some(Some(OffsetDateTime::now_utc() - Duration::seconds(1))),
                comment: String::new(),
                actor_id: None,
                expected_version: None,
                mails: Vec::new(),
            },
        )
        .await
        .expect("move the schedule");
    assert!(matches!(moved, tawasul_store::Outcome::Done(_)));

    let other_node = test.another_process().await;
    let (here, there) = tokio::join!(test.app.publish_due(), other_node.publish_due());
    let published_now = here.expect("publish due") + there.expect("publish due");
    assert!(published_now <= 1, "published {published_now} times");
    let entry = show(&editor, id).await.expect(200);
    assert_eq!(entry.json["status"], "published");
    assert_eq!(count_actions(&events(&editor, id).await, "publish"), 1);
    assert_eq!(test.app.publish_due().await.expect("publish due"), 0);
    assert_eq!(other_node.publish_due().await.expect("publish due"), 0);
    assert_eq!(count_actions(&events(&editor, id).await, "publish"), 1);
}

// ----------------------------------------------------------------- reach

#[tokio::test]
async fn an_editor_of_another_directorate_can_neither_read_nor_touch_a_draft() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let draft = create(&editor, "dp-rabat", &report_draft(TITLE)).await;
    let id = id_of(&draft);
    let path = format!("/api/v1/entries/{id}");

    let sale = test.login(EDITOR_SALE).await;
    sale.get(&path).await.expect_problem(403, "forbidden");
    sale.put(&path, &report_complete("عنوان مغير", "نص مغير", 1))
        .await
        .expect_problem(403, "forbidden");
    sale.delete(&path).await.expect_problem(403, "forbidden");
    for action in ["submit", "approve", "publish"] {
        let response = act(&sale, id, action).await;
        assert_eq!(response.status, 403, "{action}: {}", response.text);
    }
    sale.get(&format!("{path}/revisions")).await.expect(403);
    sale.get(&format!("{path}/events")).await.expect(403);
    sale.post(&format!("{path}/feature"), &json!({"on": true}))
        .await
        .expect(403);
    sale.get("/api/v1/sites/dp-rabat/entries")
        .await
        .expect_problem(403, "forbidden");

    let contributor = test.login(CONTRIBUTOR_ALAMAL).await;
    contributor
        .get(&path)
        .await
        .expect_problem(403, "forbidden");
    contributor
        .get("/api/v1/sites/dp-rabat/entries")
        .await
        .expect(403);

    let untouched = show(&editor, id).await.expect(200);
    assert_eq!(untouched.json["version"], 1);
    assert_eq!(untouched.json["status"], "draft");
    assert_eq!(untouched.json["title"], TITLE);
    assert_eq!(untouched.json["deleted"], false);
}

#[tokio::test]
async fn undeleting_an_entry_that_is_not_in_the_trash_hands_no_draft_to_outsiders() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let id = id_of(&create(&editor, "dp-rabat", &report_draft(TITLE)).await);
    for outsider in [EDITOR_SALE, CONTRIBUTOR_ALAMAL, SITE_ADMIN_KENITRA] {
        let client = test.login(outsider).await;
        let response = client
            .send(
                Method::POST,
                &format!("/api/v1/entries/{id}/undelete"),
                None,
            )
            .await;
        assert!(
            !response.text.contains(TITLE),
            "{} read the draft through undelete: {} {}",
            outsider.0,
            response.status,
            response.text
        );
        response.expect(403);
    }
}

#[tokio::test]
async fn the_regional_supervisor_publishes_and_features_a_directorates_entry() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let local_publisher = test.login(PUBLISHER_RABAT).await;
    let regional = test.login(REGIONAL).await;
    let id = report_in_review(&editor, TITLE).await;

    act(&regional, id, "approve").await.expect(200);
    // Nothing is featured before it is out.
    regional
        .post(
            &format!("/api/v1/entries/{id}/feature"),
            &json!({"on": true}),
        )
        .await
        .expect_problem(403, "forbidden");
    let published = act(&regional, id, "publish").await.expect(200);
    assert_eq!(published.json["status"], "published");
    assert_eq!(published.json["featured_on_parent"], false);

    // Featuring puts it on the academy's site: the academy's publisher
    // decides, not the directorate's.
    local_publisher
        .post(
            &format!("/api/v1/entries/{id}/feature"),
            &json!({"on": true}),
        )
        .await
        .expect_problem(403, "forbidden");
    let featured = regional
        .post(
            &format!("/api/v1/entries/{id}/feature"),
            &json!({"on": true}),
        )
        .await
        .expect(200);
    assert_eq!(featured.json["featured_on_parent"], true);
    let academy = test.get("/aref-rsk/").await;
    assert_eq!(academy.status, 200);
    assert!(
        academy.body.contains(TITLE),
        "the featured report on the academy's home"
    );
}

#[tokio::test]
async fn the_sites_list_shows_only_the_sites_the_caller_reaches() {
    let test = TestApp::with_demo().await;
    let all = [
        "aref-rsk",
        "dp-rabat",
        "dp-sale",
        "dp-kenitra",
        "dp-skhirate-temara",
        "ecole-al-amal",
    ];
    let cases: [((&str, &str), &[&str]); 6] = [
        (EDITOR_RABAT, &["dp-rabat"]),
        (EDITOR_SALE, &["dp-sale", "ecole-al-amal"]),
        (CONTRIBUTOR_ALAMAL, &["ecole-al-amal"]),
        (SITE_ADMIN_KENITRA, &["dp-kenitra"]),
        (REGIONAL, &all),
        (ADMIN, &all),
    ];
    for (user, expected) in cases {
        let client = test.login(user).await;
        let sites = client.get("/api/v1/sites").await.expect(200);
        let mut slugs = site_slugs(&sites);
        slugs.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(slugs, expected, "{}", user.0);
    }
    let sale = test.login(EDITOR_SALE).await;
    let sites = sale.get("/api/v1/sites").await.expect(200);
    let school = sites.json["sites"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["slug"] == "ecole-al-amal"))
        .expect("the school");
    assert_eq!(school["kind"], "school");
    assert_eq!(school["parent"], "dp-sale");
    assert_eq!(school["role"], "editor", "inherited from the directorate");
    test.anonymous().get("/api/v1/sites").await.expect(401);
}

// ------------------------------------------------------------- revisions

#[tokio::test]
async fn every_save_is_a_revision_that_can_be_compared_and_brought_back() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let mut first = report_draft("العنوان الأول");
    first["body"] = json!("السطر الأول\nالسطر الثاني\nالسطر الثالث");
    let id = id_of(&create(&editor, "dp-rabat", &first).await);
    let path = format!("/api/v1/entries/{id}");

    let mut second = first.clone();
    second["title"] = json!("العنوان الثاني");
    second["body"] = json!("السطر الأول\nالسطر الثاني معدل\nالسطر الثالث");
    second["version"] = json!(1);
    editor.put(&path, &second).await.expect(200);
    let mut third = second.clone();
    third["body"] = json!("السطر الأول\nالسطر الثاني معدل\nالسطر الثالث\nسطر جديد");
    third["version"] = json!(2);
    assert_eq!(
        editor.put(&path, &third).await.expect(200).json["version"],
        3
    );

    let revisions = editor.get(&format!("{path}/revisions")).await.expect(200);
    assert_eq!(revisions.json["current_version"], 3);
    let versions: Vec<i64> = revisions.json["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|r| r["version"].as_i64().expect("a version"))
        .collect();
    assert_eq!(versions, [3, 2, 1], "newest first");
    assert_eq!(revisions.json["revisions"][2]["body"], first["body"]);

    let diff = editor
        .get(&format!("{path}/diff?from=1&to=2"))
        .await
        .expect(200);
    assert_eq!(diff.json["from"], 1);
    assert_eq!(diff.json["to"], 2);
    let rows = diff.json["body"].as_array().expect("diff rows");
    let changed: Vec<&Value> = rows.iter().filter(|r| r["op"] != "same").collect();
    assert_eq!(changed.len(), 1, "{rows:?}");
    assert_eq!(changed[0]["op"], "changed");
    assert_eq!(changed[0]["left"], "السطر الثاني");
    assert_eq!(changed[0]["right"], "السطر الثاني معدل");
    let fields = diff.json["fields"].as_array().expect("field changes");
    assert!(
        fields.iter().any(|f| f["field"] == "title"
            && f["before"] == "العنوان الأول"
            && f["after"] == "العنوان الثاني"),
        "{fields:?}"
    );

    // Bringing back version 1 needs the version one is looking at.
    let stale = editor
        .post(
            &format!("{path}/revisions/1/restore"),
            &json!({"version": 2}),
        )
        .await;
    assert_stale(&stale, 3);
    let restored = editor
        .post(
            &format!("{path}/revisions/1/restore"),
            &json!({"version": 3}),
        )
        .await
        .expect(200);
    assert_eq!(restored.json["version"], 4);
    assert_eq!(restored.json["body"], first["body"]);
    assert_eq!(restored.json["title"], "العنوان الأول");
    let revisions = editor.get(&format!("{path}/revisions")).await.expect(200);
    assert_eq!(
        revisions.json["revisions"].as_array().map(Vec::len),
        Some(4)
    );
    let history = events(&editor, id).await;
    let restore = history
        .iter()
        .find(|e| e["action"] == "restore")
        .expect("the restore in the history");
    assert_eq!(restore["comment"], "version 1");
    assert_eq!(restore["version"], 4);
}

// ----------------------------------------------------------------- trash

#[tokio::test]
async fn a_deleted_draft_goes_to_the_trash_where_only_an_admin_of_its_site_reaches() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let id = id_of(&create(&editor, "dp-rabat", &report_draft(TITLE)).await);
    let path = format!("/api/v1/entries/{id}");

    editor.delete(&path).await.expect(204);
    editor.get(&path).await.expect_problem(404, "not-found");
    let list = editor
        .get("/api/v1/sites/dp-rabat/entries")
        .await
        .expect(200);
    assert!(
        !list.json["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["id"] == id),
        "{}",
        list.text
    );
    act(&editor, id, "submit").await.expect(404);

    let kenitra_admin = test.login(SITE_ADMIN_KENITRA).await;
    kenitra_admin
        .post(&format!("{path}/undelete"), &json!({}))
        .await
        .expect_problem(403, "forbidden");
    let publisher = test.login(PUBLISHER_RABAT).await;
    publisher
        .send(Method::POST, &format!("{path}/undelete"), None)
        .await
        .expect(403);

    let admin = test.login(ADMIN).await;
    let back = admin
        .send(Method::POST, &format!("{path}/undelete"), None)
        .await
        .expect(200);
    assert_eq!(back.json["deleted"], false);
    let again = show(&editor, id).await.expect(200);
    assert_eq!(again.json["title"], TITLE);
    assert_eq!(again.json["version"], 1);
    assert_eq!(again.json["status"], "draft");
}

// -------------------------------------------------------- password reset

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_one_time_link() {
    let test = TestApp::with_demo().await;
    let anonymous = test.anonymous();
    let before_reset = test.login(EDITOR_RABAT).await;

    anonymous
        .post(
            "/api/v1/auth/password/forgot",
            &json!({"email": "personne@tawasul.example"}),
        )
        .await
        .expect(202);
    assert!(
        test.app
            .store()
            .outbox(None, 10)
            .await
            .expect("outbox")
            .is_empty(),
        "no mail for an address without an account"
    );
    anonymous
        .post(
            "/api/v1/auth/password/forgot",
            &json!({"email": EDITOR_RABAT.0}),
        )
        .await
        .expect(202);
    let mails = test.app.store().outbox(None, 10).await.expect("outbox");
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to_address, EDITOR_RABAT.0);
    let marker = "/admin/password/reset?token=";
    let start = mail
        .body_text
        .find(marker)
        .unwrap_or_else(|| panic!("a reset link in {}", mail.body_text))
        + marker.len();
    let token: String = mail.body_text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 32, "{token}");

    let new_password = "une-nouvelle-phrase-de-passe-2026";
    anonymous
        .post(
            "/api/v1/auth/password/reset",
            &json!({"token": token, "password": new_password}),
        )
        .await
        .expect(204);
    test.try_login(EDITOR_RABAT).await.expect(401);
    test.login((EDITOR_RABAT.0, new_password)).await;
    before_reset.get("/api/v1/me").await.expect(401);

    let reused = anonymous
        .post(
            "/api/v1/auth/password/reset",
            &json!({"token": token, "password": "encore-une-autre-2026"}),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(reused.error_fields(), ["token"]);
    test.login((EDITOR_RABAT.0, new_password)).await;
}

// ------------------------------------------------------------- bad input

#[tokio::test]
async fn bad_input_is_refused_with_a_problem_that_says_what_is_wrong() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let entries = "/api/v1/sites/dp-rabat/entries";

    let mut long = report_draft(TITLE);
    long["title"] = json!("ت".repeat(10_000));
    let too_long = editor
        .post(entries, &long)
        .await
        .expect_problem(422, "invalid");
    assert_eq!(too_long.error_fields(), ["title"]);

    let not_json = ApiResponse::read(
        editor
            .request(Method::POST, entries)
            .header("content-type", "application/json")
            .body("{\"kind\": \"news\", \"title\": ")
            .send()
            .await
            .expect("send"),
    )
    .await;
    not_json.expect_problem(400, "malformed");

    let no_type = ApiResponse::read(
        editor
            .request(Method::POST, entries)
            .body(report_draft(TITLE).to_string())
            .send()
            .await
            .expect("send"),
    )
    .await;
    no_type.expect_problem(415, "unsupported-media-type");

    let misspelt = editor
        .post(
            entries,
            &json!({"kind": "news", "locale": "ar", "titel": TITLE, "title": TITLE}),
        )
        .await
        .expect_problem(422, "invalid");
    assert!(misspelt.text.contains("titel"), "{}", misspelt.text);

    let draft = create(&editor, "dp-rabat", &report_draft(TITLE)).await;
    let no_version = editor
        .put(
            &format!("/api/v1/entries/{}", id_of(&draft)),
            &report_draft("عنوان بلا نسخة"),
        )
        .await
        .expect_problem(422, "invalid");
    assert_eq!(no_version.error_fields(), ["version"]);
    editor
        .delete(&format!("/api/v1/entries/{}", id_of(&draft)))
        .await
        .expect(204);

    editor
        .get(&format!("{entries}?page=-1"))
        .await
        .expect_problem(400, "invalid");
    editor.get(&format!("{entries}?page=abc")).await.expect(400);

    for id in ["abc", "0", "-3", "99999999999", "1.5"] {
        let response = editor.get(&format!("/api/v1/entries/{id}")).await;
        let response = response.expect_problem(404, "not-found");
        assert!(response.json["detail"].is_string(), "{id}");
    }
    editor
        .get("/api/v1/entries/999999")
        .await
        .expect_problem(404, "not-found");
    editor
        .get("/api/v1/no-such-thing")
        .await
        .expect_problem(404, "not-found");

    // None of it was stored.
    let list = editor
        .get(&format!("{entries}?status=draft"))
        .await
        .expect(200);
    assert_eq!(list.json["total"], 0, "{}", list.text);
}

#[tokio::test]
async fn an_unknown_kind_or_action_is_named_in_the_problem() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let mut wrong_kind = report_draft(TITLE);
    wrong_kind["kind"] = json!("press_release");
    let refused = editor
        .post("/api/v1/sites/dp-rabat/entries", &wrong_kind)
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["kind"]);
    let id = id_of(&create(&editor, "dp-rabat", &report_draft(TITLE)).await);
    let refused = act(&editor, id, "publish_now")
        .await
        .expect_problem(422, "invalid");
    assert_eq!(refused.error_fields(), ["action"]);
    editor
        .post("/api/v1/sites/no-such-site/entries", &report_draft(TITLE))
        .await
        .expect_problem(404, "not-found");
}

// ------------------------------------------------------------ concurrency

#[tokio::test]
async fn of_two_people_saving_the_same_version_at_once_exactly_one_wins() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let publisher = test.login(PUBLISHER_RABAT).await;
    let id = id_of(&create(&editor, "dp-rabat", &report_draft(TITLE)).await);
    let path = format!("/api/v1/entries/{id}");

    // A few rounds, so that the race is really run.
    for version in 1..=5_i64 {
        let mine = report_complete(TITLE, &format!("نص المحرر، النسخة {version}"), version);
        let theirs = report_complete(TITLE, &format!("نص الناشرة، النسخة {version}"), version);
        let (a, b) = tokio::join!(editor.put(&path, &mine), publisher.put(&path, &theirs));
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "saving version {version}: {} / {}",
            a.text,
            b.text
        );
        let (winner, loser, text) = if a.status == 200 {
            (a, b, &mine)
        } else {
            (b, a, &theirs)
        };
        assert_eq!(winner.json["version"], version + 1);
        assert_stale(&loser, version + 1);
        let stored = show(&editor, id).await.expect(200);
        assert_eq!(stored.json["body"], text["body"], "version {version}");
        assert_eq!(stored.json["version"], version + 1);
    }
    let revisions = editor.get(&format!("{path}/revisions")).await.expect(200);
    assert_eq!(
        revisions.json["revisions"].as_array().map(Vec::len),
        Some(6),
        "one revision per winning save"
    );
}

#[tokio::test]
async fn of_two_reviewers_approving_at_once_one_decides() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let local = test.login(PUBLISHER_RABAT).await;
    let regional = test.login(REGIONAL).await;
    for round in 0..3 {
        let id = report_in_review(&editor, &format!("{TITLE} {round}")).await;
        let (a, b) = tokio::join!(act(&local, id, "approve"), act(&regional, id, "approve"));
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: {} / {}",
            a.text,
            b.text
        );
        assert_eq!(show(&editor, id).await.json["status"], "approved");
        assert_eq!(count_actions(&events(&editor, id).await, "approve"), 1);
    }
}

#[tokio::test]
async fn two_editors_starting_entries_with_the_same_title_at_once_both_keep_theirs() {
    let test = TestApp::with_demo().await;
    let editor = test.login(EDITOR_RABAT).await;
    let publisher = test.login(PUBLISHER_RABAT).await;
    let mut slugs = Vec::new();
    for round in 0..3 {
        let title = format!("اجتماع تنسيقي {round}");
        let entry = report_draft(&title);
        let (a, b) = tokio::join!(
            editor.post("/api/v1/sites/dp-rabat/entries", &entry),
            publisher.post("/api/v1/sites/dp-rabat/entries", &entry)
        );
        assert_eq!(
            (a.status, b.status),
            (201, 201),
            "round {round}: {} / {}",
            a.text,
            b.text
        );
        assert_ne!(a.json["slug"], b.json["slug"]);
        slugs.push(a.json["slug"].clone());
        slugs.push(b.json["slug"].clone());
    }
    assert_eq!(slugs.len(), 6);
}

//! The admin interface over real HTTP, as a browser without JavaScript
//! would use it: forms, redirects, cookies, CSRF tokens, and every refusal
//! shown on the page with nothing typed lost.

mod common;

use common::TestApp;
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};

/// A browser: its cookies, and the CSRF token of the last page it read.
struct Browser<'a> {
    test: &'a TestApp,
    cookies: std::collections::BTreeMap<String, String>,
    csrf: String,
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    fn has(&self, selector: &str) -> bool {
        let selector = scraper::Selector::parse(selector).expect("selector");
        self.html().select(&selector).next().is_some()
    }

    fn text_of(&self, selector: &str) -> String {
        common::select_text(&self.html(), selector).join(" ")
    }
}

fn meta_csrf(body: &str) -> Option<String> {
    let html = scraper::Html::parse_document(body);
    common::select_attr(&html, "meta[name=csrf-token]", "content")
        .into_iter()
        .next()
        .filter(|t| !t.is_empty())
}

impl<'a> Browser<'a> {
    fn new(test: &'a TestApp) -> Self {
        Browser {
            test,
            cookies: Default::default(),
            csrf: String::new(),
        }
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header(COOKIE, header.join("; "));
        }
        let response = request.send().await.expect("request");
        self.keep(&response);
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        if let Some(token) = meta_csrf(&body) {
            self.csrf = token;
        }
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let request = self.test.client.get(self.test.url(path));
        self.send(request).await
    }

    /// Posts a form as the browser would, with the page's CSRF token.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let origin = format!("http://{}", self.test.addr);
        let request = self
            .test
            .client
            .post(self.test.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin)
            .body(body);
        let csrf = std::mem::take(&mut self.csrf);
        let answer = self.send(request).await;
        if self.csrf.is_empty() {
            self.csrf = csrf;
        }
        answer
    }

    async fn login(&mut self, email: &str, password: &str) {
        self.get("/admin/login").await;
        let answer = self
            .post(
                "/admin/login",
                &[
                    ("email", email),
                    ("password", password),
                    ("next", "/admin/"),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(answer.location(), "/admin/");
        let dashboard = self.get("/admin/").await;
        assert_eq!(dashboard.status, 200);
    }
}

const EDITOR: (&str, &str) = ("editeur.rabat@tawasul.example", "demo-editor-2026");
const PUBLISHER: (&str, &str) = ("publication.rabat@tawasul.example", "demo-publisher-2026");
const EDITOR_SALE: (&str, &str) = ("editeur.sale@tawasul.example", "demo-editor-sale-2026");

fn entry_id_of(location: &str) -> i32 {
    location
        .trim_start_matches("/admin/entries/")
        .parse()
        .expect("an entry's page")
}

async fn new_report(browser: &mut Browser<'_>, title: &str, body: &str) -> i32 {
    browser
        .get("/admin/sites/dp-rabat/entries/new?kind=training_report")
        .await;
    let answer = browser
        .post(
            "/admin/sites/dp-rabat/entries",
            &[
                ("kind", "training_report"),
                ("locale", "ar"),
                ("title", title),
                ("body", body),
                ("f_venue", "مركز التكوين بالرباط"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    entry_id_of(answer.location())
}

#[tokio::test]
async fn pages_of_the_admin_ask_for_a_login_and_come_back_afterwards() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    let answer = browser.get("/admin/sites/dp-rabat/entries").await;
    assert_eq!(answer.status, 303);
    assert_eq!(
        answer.location(),
        "/admin/login?next=%2Fadmin%2Fsites%2Fdp-rabat%2Fentries"
    );
    browser.get(answer.location()).await;
    let answer = browser
        .post(
            "/admin/login",
            &[
                ("email", EDITOR.0),
                ("password", EDITOR.1),
                ("next", "/admin/sites/dp-rabat/entries"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.location(), "/admin/sites/dp-rabat/entries");
    let cookie = answer
        .headers
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_wrong_password_says_so_and_keeps_the_address_typed() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.get("/admin/login").await;
    let answer = browser
        .post(
            "/admin/login",
            &[("email", EDITOR.0), ("password", "not my password at all")],
        )
        .await;
    assert_eq!(answer.status, 401);
    assert!(answer.has("[data-test=login-error]"), "{}", answer.body);
    let typed = common::select_attr(&answer.html(), "[data-test=login-email]", "value");
    assert_eq!(typed, [EDITOR.0]);
}

#[tokio::test]
async fn the_login_page_never_sends_people_off_the_site() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.get("/admin/login").await;
    for next in ["https://evil.example/", "//evil.example/", "/dp-rabat/"] {
        let answer = browser
            .post(
                "/admin/login",
                &[("email", EDITOR.0), ("password", EDITOR.1), ("next", next)],
            )
            .await;
        assert_eq!(answer.location(), "/admin/", "next={next}");
    }
}

#[tokio::test]
async fn a_form_without_its_csrf_token_changes_nothing() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    let before = test
        .app
        .store()
        .count_entries(site_id(&test, "dp-rabat"))
        .await
        .expect("count");
    browser.csrf = "forged".to_owned();
    let answer = browser
        .post(
            "/admin/sites/dp-rabat/entries",
            &[("kind", "news"), ("locale", "ar"), ("title", "مقال مزور")],
        )
        .await;
    assert_eq!(answer.status, 403);
    assert!(answer.has("[data-test=error-page]"));
    let after = test
        .app
        .store()
        .count_entries(site_id(&test, "dp-rabat"))
        .await
        .expect("count");
    assert_eq!(before, after);
}

fn site_id(test: &TestApp, slug: &str) -> i32 {
    test.app.network().site_by_slug(slug).expect("site").id
}

#[tokio::test]
async fn a_refused_save_shows_the_error_beside_its_field_and_keeps_the_text() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    let id = new_report(&mut browser, "تقرير الدورة", "النص الأول").await;
    browser.get(&format!("/admin/entries/{id}")).await;
    let long_body = "فقرة مهمة كتبها المحرر ولا يجوز أن تضيع.";
    let answer = browser
        .post(
            &format!("/admin/entries/{id}"),
            &[
                ("version", "1"),
                ("kind", "training_report"),
                ("locale", "ar"),
                ("title", ""),
                ("body", long_body),
                ("f_head_count", "كثير"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.has("[data-test=field-error-title]"),
        "{}",
        answer.body
    );
    assert!(answer.has("[data-test=field-error-f_head_count]"));
    assert!(answer.text_of("textarea[name=body]").contains(long_body));
    let stored = test
        .app
        .store()
        .entry(id)
        .await
        .expect("read")
        .expect("entry");
    assert_eq!(stored.body_md, "النص الأول", "nothing half-written");
}

#[tokio::test]
async fn a_stale_save_shows_what_the_other_person_changed_and_keeps_this_ones_text() {
    let test = TestApp::with_demo().await;
    let mut first = Browser::new(&test);
    first.login(EDITOR.0, EDITOR.1).await;
    let id = new_report(&mut first, "تقرير", "السطر الأول").await;
    let mut second = Browser::new(&test);
    second.login(PUBLISHER.0, PUBLISHER.1).await;
    second.get(&format!("/admin/entries/{id}")).await;
    let saved = second
        .post(
            &format!("/admin/entries/{id}"),
            &[
                ("version", "1"),
                ("kind", "training_report"),
                ("locale", "ar"),
                ("title", "تقرير"),
                ("body", "سطر كتبه الناشر"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    first.get(&format!("/admin/entries/{id}")).await;
    let answer = first
        .post(
            &format!("/admin/entries/{id}"),
            &[
                ("version", "1"),
                ("kind", "training_report"),
                ("locale", "ar"),
                ("title", "تقرير"),
                ("body", "سطر كتبه المحرر"),
            ],
        )
        .await;
    assert_eq!(answer.status, 409);
    assert!(answer.has("[data-test=conflict]"), "{}", answer.body);
    assert!(answer
        .text_of("textarea[name=body]")
        .contains("سطر كتبه المحرر"));
    assert!(answer
        .text_of("[data-test=conflict]")
        .contains("سطر كتبه الناشر"));
}

#[tokio::test]
async fn autosave_answers_in_json_with_the_new_version() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    let id = new_report(&mut browser, "مسودة", "نص").await;
    browser.get(&format!("/admin/entries/{id}")).await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("version", "1"),
            ("kind", "training_report"),
            ("locale", "ar"),
            ("title", "مسودة"),
            ("body", "نص أطول"),
        ])
        .finish();
    let request = test
        .client
        .post(test.url(&format!("/admin/entries/{id}")))
        .header("accept", "application/json")
        .header("x-csrf-token", browser.csrf.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone());
    let answer = browser.send(request).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).expect("json");
    assert_eq!(json["version"], 2);
    let request = test
        .client
        .post(test.url(&format!("/admin/entries/{id}")))
        .header("accept", "application/json")
        .header("x-csrf-token", browser.csrf.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.replace("%D8%A3%D8%B7%D9%88%D9%84", "x"));
    let stale = browser.send(request).await;
    assert_eq!(stale.status, 409);
}

#[tokio::test]
async fn the_workflow_buttons_move_the_entry_and_say_what_happened() {
    let test = TestApp::with_demo().await;
    let mut editor = Browser::new(&test);
    editor.login(EDITOR.0, EDITOR.1).await;
    let id = new_report(&mut editor, "تقرير ناقص", "نص التقرير").await;
    editor.get(&format!("/admin/entries/{id}")).await;
    let refused = editor
        .post(
            &format!("/admin/entries/{id}/transition"),
            &[("action", "submit"), ("version", "1")],
        )
        .await;
    assert_eq!(refused.status, 422, "the report's facts are missing");
    assert!(
        refused.has("[data-test=field-error-f_audience]"),
        "{}",
        refused.body
    );

    let saved = editor
        .post(
            &format!("/admin/entries/{id}"),
            &[
                ("version", "1"),
                ("kind", "training_report"),
                ("locale", "ar"),
                ("title", "تقرير كامل"),
                ("body", "نص التقرير"),
                ("f_starts_on", "2026-11-10"),
                ("f_ends_on", "2026-11-11"),
                ("f_venue", "مركز التكوين"),
                ("f_audience", "أساتذة التعليم الابتدائي"),
                ("f_head_count", "35"),
                ("f_recommendations", "تعميم التجربة\nتتبع الأثر"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let submitted = editor
        .post(
            &format!("/admin/entries/{id}/transition"),
            &[("action", "submit"), ("version", "2")],
        )
        .await;
    assert_eq!(submitted.status, 303);
    let page = editor.get(submitted.location()).await;
    assert!(page.has("[data-test=flash]"));
    assert_eq!(page.text_of("[data-test=status]").trim(), "قيد المراجعة");

    let mut outsider = Browser::new(&test);
    outsider.login(EDITOR_SALE.0, EDITOR_SALE.1).await;
    let refused = outsider.get(&format!("/admin/entries/{id}")).await;
    assert_eq!(refused.status, 403);
    assert!(refused.has("[data-test=error-page]"));

    let mut publisher = Browser::new(&test);
    publisher.login(PUBLISHER.0, PUBLISHER.1).await;
    let review = publisher.get(&format!("/admin/entries/{id}/review")).await;
    assert_eq!(review.status, 200);
    assert!(review.text_of("[data-test=diff]").contains("نص التقرير"));
    let approved = publisher
        .post(
            &format!("/admin/entries/{id}/transition"),
            &[("action", "approve"), ("version", "2")],
        )
        .await;
    assert_eq!(approved.status, 303);
    let past = publisher
        .post(
            &format!("/admin/entries/{id}/transition"),
            &[("action", "publish"), ("at", "2020-01-01T10:00")],
        )
        .await;
    assert_eq!(past.status, 422);
    assert!(past.has("[data-test=field-error-at]"), "{}", past.body);
    let published = publisher
        .post(
            &format!("/admin/entries/{id}/transition"),
            &[("action", "publish"), ("at", "")],
        )
        .await;
    assert_eq!(published.status, 303);
    let row = test
        .app
        .store()
        .entry(id)
        .await
        .expect("read")
        .expect("entry");
    assert_eq!(row.status, "published");
}

#[tokio::test]
async fn the_preview_is_the_sites_own_page_of_the_text_as_typed() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    browser.get("/admin/sites/dp-rabat/entries/new").await;
    let answer = browser
        .post(
            "/admin/sites/dp-rabat/preview",
            &[
                ("kind", "news"),
                ("locale", "ar"),
                ("title", "عنوان لم يحفظ بعد"),
                ("body", "**نص** <script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("عنوان لم يحفظ بعد"));
    assert!(answer.body.contains("<strong>نص</strong>"));
    assert!(
        !answer.body.contains("<script>alert(1)"),
        "sanitised like the public page"
    );
    assert!(
        test.app
            .store()
            .entry_by_slug(site_id(&test, "dp-rabat"), "عنوان-لم-يحفظ-بعد")
            .await
            .expect("read")
            .is_none(),
        "a preview writes nothing"
    );
}

#[tokio::test]
async fn the_interface_speaks_the_language_chosen_and_remembers_it() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    let arabic = browser.get("/admin/login").await;
    assert!(arabic.body.contains("<html lang=\"ar\" dir=\"rtl\""));
    let french = browser.get("/admin/login?lang=fr").await;
    assert!(french.body.contains("<html lang=\"fr\" dir=\"ltr\""));
    let remembered = french
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("tawasul_lang=fr"));
    assert!(remembered);
}

#[tokio::test]
async fn a_reset_link_from_the_forgot_form_sets_a_new_password_once() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.get("/admin/password/forgot").await;
    let answer = browser
        .post("/admin/password/forgot", &[("email", EDITOR.0)])
        .await;
    assert!(answer.has("[data-test=forgot-sent]"));
    let unknown = browser
        .post(
            "/admin/password/forgot",
            &[("email", "nobody@tawasul.example")],
        )
        .await;
    assert_eq!(
        unknown.body.len(),
        answer.body.len(),
        "the same answer either way"
    );
    let mail = test.app.store().outbox(None, 5).await.expect("outbox");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to_address, EDITOR.0);
    let link = mail[0]
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/admin/password/reset?token="))
        .expect("a link in the mail");
    let path = &link[link.find("/admin/").expect("path")..];
    let form = browser.get(path).await;
    assert_eq!(form.status, 200);
    let token = path.split("token=").nth(1).expect("token");
    let done = browser
        .post(
            "/admin/password/reset",
            &[
                ("token", token),
                ("password", "a brand new password"),
                ("password_confirm", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let again = browser.get(path).await;
    assert_eq!(again.status, 404, "a link works once");
    browser.login(EDITOR.0, "a brand new password").await;
}

#[tokio::test]
async fn a_platform_admin_changes_a_sites_hosts_and_the_site_answers_there() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser
        .login("admin@tawasul.example", "demo-admin-2026")
        .await;
    let form = browser.get("/admin/sites?edit=dp-rabat").await;
    assert_eq!(form.status, 200);
    let answer = browser
        .post(
            "/admin/sites",
            &[
                ("update", "1"),
                ("slug", "dp-rabat"),
                ("kind", "directorate"),
                ("parent", "aref-rsk"),
                ("name_ar", "المديرية الإقليمية بالرباط"),
                ("name_fr", "Direction provinciale de Rabat"),
                ("hosts", "rabat.tawasul.localhost\nwww.dp-rabat.example"),
                ("theme", "default"),
                ("locale", "ar"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let page = test.get_on_host("www.dp-rabat.example", "/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("المديرية الإقليمية بالرباط"));

    let mut editor = Browser::new(&test);
    editor.login(EDITOR.0, EDITOR.1).await;
    assert_eq!(editor.get("/admin/sites").await.status, 403);
}

#[tokio::test]
async fn editors_find_their_drafts_by_searching_the_sites_entries() {
    let test = TestApp::with_demo().await;
    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    let id = new_report(&mut browser, "تقرير عن ورشة الحساب الذهني", "نص").await;
    test.app.sync_search().await.expect("sync the index");
    let found = browser
        .get("/admin/sites/dp-rabat/entries?q=%D8%A7%D9%84%D8%AD%D8%B3%D8%A7%D8%A8")
        .await;
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains(&format!("/admin/entries/{id}")),
        "the draft is found"
    );
    let none = browser
        .get(
            "/admin/sites/dp-rabat/entries?q=%D8%A7%D9%84%D8%AD%D8%B3%D8%A7%D8%A8&status=published",
        )
        .await;
    assert!(
        !none.body.contains(&format!("/admin/entries/{id}")),
        "filters still apply"
    );
}

#[tokio::test]
async fn a_regional_supervisor_searches_every_directorates_drafts_and_others_only_their_own() {
    let test = TestApp::with_demo().await;
    let mut editor = Browser::new(&test);
    editor.login(EDITOR.0, EDITOR.1).await;
    let id = new_report(
        &mut editor,
        "تقرير الدورة التكوينية في الروبوتيك",
        "تعلم التلاميذ أسس الروبوتيك في ورشات تطبيقية.",
    )
    .await;
    test.app.sync_search().await.expect("sync the index");
    // Another spelling of the word, as people type it.
    let path = "/admin/search?q=%D8%A8%D8%A7%D9%84%D8%B1%D9%88%D8%A8%D9%88%D8%AA%D9%8A%D9%83";

    let mut supervisor = Browser::new(&test);
    let (email, password) = common::demo::REGIONAL;
    supervisor.login(email, password).await;
    let found = supervisor.get(path).await;
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains(&format!("/admin/entries/{id}")),
        "the region's supervisor finds a directorate's draft"
    );
    assert!(
        found.has("[data-test=snippet] mark"),
        "with the word marked"
    );
    let published_only = supervisor.get(&format!("{path}&status=published")).await;
    assert!(!published_only
        .body
        .contains(&format!("/admin/entries/{id}")));
    let in_sale = supervisor.get(&format!("{path}&site=dp-sale")).await;
    assert!(!in_sale.body.contains(&format!("/admin/entries/{id}")));

    let mut elsewhere = Browser::new(&test);
    let (email, password) = common::demo::EDITOR_SALE;
    elsewhere.login(email, password).await;
    let theirs = elsewhere.get(path).await;
    assert_eq!(theirs.status, 200);
    assert!(
        !theirs.body.contains(&format!("/admin/entries/{id}")),
        "another directorate's draft stays hidden"
    );
    let forbidden = elsewhere.get(&format!("{path}&site=dp-rabat")).await;
    assert_eq!(
        forbidden.status, 403,
        "searching drafts where one does not edit"
    );

    for odd in [
        "",
        "?q=%22%3A*(",
        "?q=x&page=-1",
        "?q=x&page=1000000000",
        "?q=%D9%8E%D9%8F",
    ] {
        let answer = supervisor.get(&format!("/admin/search{odd}")).await;
        assert_eq!(answer.status, 200, "{odd}");
    }
}

/// Every field of the editor's form as the browser would send it unchanged:
/// inputs (checked boxes only), text areas and selected options.
fn editor_form_fields(page: &Answer) -> Vec<(String, String)> {
    let html = page.html();
    let form = scraper::Selector::parse("form[data-test=entry-form]").expect("as the demo has it");
    let form = html.select(&form).next().expect("the editor's form");
    let fields = scraper::Selector::parse("input, textarea, select").expect("as the demo has it");
    let option = scraper::Selector::parse("option").expect("as the demo has it");
    let mut out = Vec::new();
    for field in form.select(&fields) {
        let element = field.value();
        let Some(name) = element.attr("name") else {
            continue;
        };
        let value = match element.name() {
            "textarea" => field.text().collect::<String>(),
            "select" => {
                let options: Vec<_> = field.select(&option).collect();
                let chosen = options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first());
                match chosen {
                    Some(o) => o
                        .value()
                        .attr("value")
                        .map(str::to_owned)
                        .unwrap_or_else(|| o.text().collect()),
                    None => continue,
                }
            }
            _ => {
                let kind = element.attr("type").unwrap_or("text");
                if matches!(kind, "checkbox" | "radio") && element.attr("checked").is_none() {
                    continue;
                }
                if matches!(kind, "submit" | "button" | "file") {
                    continue;
                }
                element.attr("value").unwrap_or_default().to_owned()
            }
        };
        out.push((name.to_owned(), value));
    }
    out
}

/// Opens an entry in the editor and saves the form as it is.
async fn save_unchanged(browser: &mut Browser<'_>, id: i32) -> Answer {
    let page = browser.get(&format!("/admin/entries/{id}")).await;
    assert_eq!(page.status, 200);
    let fields = editor_form_fields(&page);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(&format!("/admin/entries/{id}"), &fields).await
}

#[tokio::test]
async fn saving_an_imported_entry_unchanged_keeps_its_cover_and_its_translation() {
    let test = TestApp::with_demo().await;
    let mut admin = Browser::new(&test);
    admin
        .login(common::demo::ADMIN.0, common::demo::ADMIN.1)
        .await;

    // A cover imported before imported photos were library items (not
    // adopted yet): the form shows no photo chosen, and saving keeps it.
    common::old_imports::as_imported_before(&test.app, "dp-rabat").await;
    let before = common::old_imports::entries_of(&test.app, "dp-rabat")
        .await
        .into_iter()
        .find(|e| e.kind == "event")
        .expect("as the demo has it");
    assert!(before.cover_url.is_some() && before.cover_media_id.is_none());
    let saved = save_unchanged(&mut admin, before.id).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = test
        .app
        .store()
        .entry_any(before.id)
        .await
        .expect("as the demo has it")
        .expect("as the demo has it");
    assert_eq!(after.cover_url, before.cover_url, "the cover is kept");
    assert_eq!(after.cover_alt, before.cover_alt);

    // A translation stays linked to its original.
    let original = entry_titled_with_key(&test, "aref-rsk", "ar").await;
    let translation = entry_titled_with_key(&test, "aref-rsk", "fr").await;
    let saved = save_unchanged(&mut admin, translation.id).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = test
        .app
        .store()
        .entry_any(translation.id)
        .await
        .expect("as the demo has it")
        .expect("as the demo has it");
    assert_eq!(after.translation_key, original.translation_key);

    // The link is a title to choose among the other language's entries,
    // never a number to type.
    let page = admin
        .get(&format!("/admin/entries/{}", translation.id))
        .await;
    assert!(!page.has("input[name=translation_of]"));
    let chosen = common::select_text(&page.html(), "select[name=translation_of] option[selected]");
    assert_eq!(chosen.len(), 1, "{}", page.body);
    assert!(chosen[0].starts_with(&original.title), "{chosen:?}");
    let offered = common::select_attr(&page.html(), "select[name=translation_of] option", "value");
    assert!(offered.len() > 2, "{offered:?}");
    for id in offered.iter().filter(|v| !v.is_empty()) {
        let id: i32 = id.parse().expect("an entry's number");
        let row = test
            .app
            .store()
            .entry_any(id)
            .await
            .expect("as the demo has it")
            .expect("an entry");
        assert_eq!(row.locale, "ar", "only the other language is offered");
        assert_ne!(row.id, translation.id, "not the entry itself");
    }
}

#[tokio::test]
async fn the_picker_shows_an_adopted_cover_as_chosen_and_saving_unchanged_keeps_it() {
    let test = TestApp::with_demo().await;
    common::old_imports::as_imported_before(&test.app, "dp-rabat").await;
    let imported = common::old_imports::entries_of(&test.app, "dp-rabat")
        .await
        .into_iter()
        .find(|e| e.kind == "event")
        .expect("as the demo has it");
    test.app
        .adopt_imported_photos(Some("dp-rabat"), false)
        .await
        .expect("adopted");
    let adopted = test
        .app
        .store()
        .entry_any(imported.id)
        .await
        .expect("as the demo has it")
        .expect("as the demo has it");
    let cover = adopted.cover_media_id.expect("a library cover");

    let mut admin = Browser::new(&test);
    admin
        .login(common::demo::ADMIN.0, common::demo::ADMIN.1)
        .await;
    let page = admin.get(&format!("/admin/entries/{}", adopted.id)).await;
    assert_eq!(page.status, 200);
    let html = page.html();
    assert_eq!(
        common::select_attr(&html, "input[name=cover_media][checked]", "value"),
        [cover.to_string()],
        "the adopted cover is the chosen one"
    );
    assert_eq!(
        common::select_attr(&html, &format!("[name=alt_{cover}]"), "value"),
        [imported.cover_alt.as_str()],
        "its alt text, editable in place"
    );

    let saved = save_unchanged(&mut admin, adopted.id).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = test
        .app
        .store()
        .entry_any(adopted.id)
        .await
        .expect("as the demo has it")
        .expect("as the demo has it");
    assert_eq!(after.cover_media_id, Some(cover));
    assert_eq!(after.cover_url, adopted.cover_url);
    assert_eq!(after.cover_alt, imported.cover_alt);
    assert_eq!(after.cover_image, adopted.cover_image);
}

#[tokio::test]
async fn a_form_opened_before_the_adoption_is_told_the_entry_changed_and_the_cover_stays() {
    let test = TestApp::with_demo().await;
    common::old_imports::as_imported_before(&test.app, "dp-rabat").await;
    let imported = common::old_imports::entries_of(&test.app, "dp-rabat")
        .await
        .into_iter()
        .find(|e| e.kind == "event")
        .expect("as the demo has it");
    let mut admin = Browser::new(&test);
    admin
        .login(common::demo::ADMIN.0, common::demo::ADMIN.1)
        .await;
    let page = admin.get(&format!("/admin/entries/{}", imported.id)).await;
    let fields = editor_form_fields(&page);

    // The server adopts the photos while the form is open…
    test.app
        .adopt_imported_photos(None, false)
        .await
        .expect("adopted");
    let adopted = test
        .app
        .store()
        .entry_any(imported.id)
        .await
        .expect("as the demo has it")
        .expect("as the demo has it");
    assert_eq!(adopted.version, imported.version + 1);

    // …so the form, which chose no library cover, is not saved over it.
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = admin
        .post(&format!("/admin/entries/{}", imported.id), &fields)
        .await;
    assert_eq!(saved.status, 409, "{}", saved.body);
    let after = test
        .app
        .store()
        .entry_any(imported.id)
        .await
        .expect("as the demo has it")
        .expect("as the demo has it");
    assert_eq!(after, adopted);
}

/// The first entry of a site, in `locale`, that has a translation.
async fn entry_titled_with_key(
    test: &TestApp,
    site: &str,
    locale: &str,
) -> tawasul_store::EntryRow {
    let site_id = test
        .app
        .network()
        .site_by_slug(site)
        .expect("as the demo has it")
        .id;
    let items = test
        .app
        .store()
        .admin_entries(
            &tawasul_store::AdminQuery {
                site_ids: vec![site_id],
                ..Default::default()
            },
            1,
            200,
        )
        .await
        .expect("as the demo has it")
        .items;
    let mut rows = Vec::new();
    for item in items {
        rows.push(
            test.app
                .store()
                .entry_any(item.id)
                .await
                .expect("as the demo has it")
                .expect("as the demo has it"),
        );
    }
    rows.into_iter()
        .filter(|r| r.translation_key.is_some() && r.locale == locale && r.kind == "news")
        .min_by_key(|r| r.id)
        .expect("a translated entry")
}

#[tokio::test]
async fn the_authors_dashboard_marks_a_draft_sent_back_with_the_reviewers_words() {
    let test = TestApp::with_demo().await;
    let writer = test.login(EDITOR).await;
    let reviewer = test.login(PUBLISHER).await;
    let id = writer
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &serde_json::json!({"kind": "news", "locale": "ar", "title": "لقاء تواصلي مع الأسر",
                                "body": "نص اللقاء."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    let step = |who: &common::ApiClient, body: serde_json::Value| {
        let who = who.clone();
        async move {
            who.post(&format!("/api/v1/entries/{id}/transitions"), &body)
                .await
                .expect(200);
        }
    };
    step(&writer, serde_json::json!({"action": "submit"})).await;
    step(
        &reviewer,
        serde_json::json!({"action": "request_changes", "comment": "أضيفوا عدد الأسر الحاضرة"}),
    )
    .await;

    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    let board = browser.get("/admin/").await;
    assert_eq!(board.status, 200);
    let marked = board.text_of("[data-test=dash-my_drafts] [data-test=change-request]");
    assert!(marked.contains("أضيفوا عدد الأسر الحاضرة"), "{marked}");
    assert!(marked.contains("طُلبت تعديلات"), "{marked}");

    // Sent back a second time, the card shows the newest request only.
    step(&writer, serde_json::json!({"action": "submit"})).await;
    step(
        &reviewer,
        serde_json::json!({"action": "request_changes", "comment": "شكراً، بقي العنوان"}),
    )
    .await;
    let board = browser.get("/admin/").await;
    let marked = board.text_of("[data-test=dash-my_drafts] [data-test=change-request]");
    assert!(
        marked.contains("بقي العنوان") && !marked.contains("عدد الأسر"),
        "{marked}"
    );
}

#[tokio::test]
async fn a_published_entry_has_a_short_link_to_share_and_a_short_address() {
    let test = TestApp::with_demo().await;
    let writer = test.login(EDITOR).await;
    let publisher = test.login(PUBLISHER).await;
    let title = "انطلاق عملية الدخول المدرسي برسم الموسم الدراسي 2026-2027 بمديرية الرباط";
    let id = writer
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &serde_json::json!({"kind": "news", "locale": "ar", "title": title, "body": "نص."}),
        )
        .await
        .expect(201)
        .json["id"]
        .as_i64()
        .expect("an id");
    for (who, action) in [
        (&writer, "submit"),
        (&publisher, "approve"),
        (&publisher, "publish"),
    ] {
        who.post(
            &format!("/api/v1/entries/{id}/transitions"),
            &serde_json::json!({ "action": action }),
        )
        .await
        .expect(200);
    }
    let url = writer.get(&format!("/api/v1/entries/{id}")).await.json["url"]
        .as_str()
        .expect("a public address")
        .to_owned();
    let first_words: String =
        url::form_urlencoded::byte_serialize("انطلاق-عملية-الدخول-المدرسي-برسم".as_bytes())
            .collect();
    assert!(
        url.ends_with(&format!("/news/{id}-{first_words}")),
        "the first words of the title: {url}"
    );

    let mut browser = Browser::new(&test);
    browser.login(EDITOR.0, EDITOR.1).await;
    let page = browser.get(&format!("/admin/entries/{id}")).await;
    let html = page.html();
    let short = common::select_attr(&html, "[data-test=short-url]", "value");
    let expected = format!("http://{}/dp-rabat/news/{id}", test.addr);
    assert_eq!(short, std::slice::from_ref(&expected));
    let shares = common::select_attr(&html, "[data-test=share] a", "href");
    assert_eq!(shares.len(), 4, "{shares:?}");
    assert!(shares[0].starts_with("https://wa.me/?text="));
    assert!(
        shares.iter().all(|s| s.contains("dp-rabat%2Fnews%2F")),
        "{shares:?}"
    );

    let short_path = expected.trim_start_matches(&format!("http://{}", test.addr));
    let answer = test.get(short_path).await;
    assert_eq!(answer.status, 301);
    assert_eq!(answer.header("location"), Some(url.as_str()));
}

#[tokio::test]
async fn the_reviewer_reads_the_article_as_readers_will_with_new_passages_marked() {
    let test = TestApp::with_demo().await;
    let author = test.login(common::demo::EDITOR_RABAT).await;
    let reviewer = test.login(common::demo::PUBLISHER_RABAT).await;
    let body = "**افتتاح** الورشة صباحا.\n\nالفقرة الثانية كما كانت.\n\nالفقرة الثالثة.";
    let created = author
        .post(
            "/api/v1/sites/dp-rabat/entries",
            &serde_json::json!({"kind": "news", "title": "ورشة القراءة", "body": body}),
        )
        .await
        .expect(201);
    let id = created.json["id"].as_i64().expect("id");
    let act = |action: &'static str| serde_json::json!({"action": action, "comment": "المرجو توضيح الفقرة الثانية."});
    let transitions = format!("/api/v1/entries/{id}/transitions");
    author.post(&transitions, &act("submit")).await.expect(200);

    let mut publisher = Browser::new(&test);
    publisher.login(PUBLISHER.0, PUBLISHER.1).await;
    let review = publisher.get(&format!("/admin/entries/{id}/review")).await;
    assert_eq!(review.status, 200);
    let frames = common::select_attr(&review.html(), "[data-test=review-frame]", "src");
    assert_eq!(frames, [format!("/admin/entries/{id}/preview")]);
    let first = publisher.get(&frames[0]).await;
    assert_eq!(first.status, 200);
    assert!(
        first.body.contains("<strong>افتتاح</strong>"),
        "rendered, not Markdown"
    );
    assert!(!first.body.contains("**"), "{}", first.body);
    assert!(first.body.contains("ورشة القراءة"), "with its title");
    assert!(
        !first.body.contains("review-changed"),
        "a first review marks nothing: all of it is new"
    );

    reviewer
        .post(&transitions, &act("request_changes"))
        .await
        .expect(200);
    let version = author.get(&format!("/api/v1/entries/{id}")).await.json["version"]
        .as_i64()
        .expect("version");
    author
        .put(
            &format!("/api/v1/entries/{id}"),
            &serde_json::json!({"kind": "news", "title": "ورشة القراءة", "version": version,
                    "body": "**افتتاح** الورشة صباحا.\n\nالفقرة الثانية بعد التوضيح المطلوب.\n\nالفقرة الثالثة."}),
        )
        .await
        .expect(200);
    author.post(&transitions, &act("submit")).await.expect(200);

    let again = publisher.get(&format!("/admin/entries/{id}/preview")).await;
    assert_eq!(again.status, 200);
    let marked = common::select_text(&again.html(), "ins.review-changed");
    assert_eq!(marked.len(), 1, "{}", again.body);
    assert!(marked[0].contains("بعد التوضيح المطلوب"), "{marked:?}");
    let hint = publisher.get(&format!("/admin/entries/{id}/review")).await;
    assert!(hint
        .text_of("[data-test=review-rendered]")
        .contains("المظللة"));

    // Only those who may decide see it; the public page never marks.
    let mut outsider = Browser::new(&test);
    outsider.login(EDITOR_SALE.0, EDITOR_SALE.1).await;
    assert_eq!(
        outsider
            .get(&format!("/admin/entries/{id}/preview"))
            .await
            .status,
        403
    );
    let mut writer = Browser::new(&test);
    writer.login(EDITOR.0, EDITOR.1).await;
    assert_eq!(
        writer
            .get(&format!("/admin/entries/{id}/preview"))
            .await
            .status,
        403,
        "the author does not review their own"
    );
}

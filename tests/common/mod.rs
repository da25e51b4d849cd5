//! The harness of the end-to-end tests: a real server on a free port over a
//! real database (SQLite in a temporary folder, or a fresh PostgreSQL
//! database when `TAWASUL_TEST_DATABASE_URL` names a server).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

pub mod admin;
pub mod exports;
pub mod old_imports;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::header::HeaderMap;
use tawasul_app::{App, Config};
use tempfile::TempDir;

pub mod s3;

pub const PG_ENV: &str = "TAWASUL_TEST_DATABASE_URL";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo_content() -> PathBuf {
    repo_root().join("content")
}

/// A database URL for one test: `None` means SQLite in the data folder.
pub async fn test_database_url() -> Option<String> {
    let server = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())?;
    Some(
        tawasul_store::testing::fresh_postgres_database(&server)
            .await
            .expect("create a scratch PostgreSQL database"),
    )
}

pub struct TestApp {
    pub app: Arc<App>,
    pub addr: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub data: TempDir,
    server: tokio::task::JoinHandle<()>,
}

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestApp {
    /// An empty network.
    pub async fn start() -> TestApp {
        TestApp::start_with(|_| {}).await
    }

    /// An empty network, with the configuration adjusted by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default();
        config.paths.data = data.path().to_owned();
        if let Some(url) = test_database_url().await {
            config.database.url = url;
        }
        adjust(&mut config);
        let app = App::open(config).await.expect("open the app");
        // The server opens it too, in its own task: opened here first, a
        // test that searches at once never races it. An engine that does not
        // answer is the server's to report and retry, as in production.
        if let Err(e) = app.open_search().await {
            eprintln!("search not open yet: {e}");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn({
            let app = Arc::clone(&app);
            async move {
                let _ = axum_serve(app, listener).await;
            }
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            app,
            addr,
            client,
            data,
            server,
        }
    }

    /// The demo network of `content/`, as `tawasul demo` loads it.
    pub async fn with_demo() -> TestApp {
        TestApp::with_demo_and(|_| {}).await
    }

    pub async fn with_demo_and(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let test = TestApp::start_with(adjust).await;
        test.app
            .load_network(&demo_content())
            .await
            .expect("load the demo network");
        test
    }

    /// A second process on the same database and data folder (another web
    /// node, or a command-line import next to the server).
    pub async fn another_process(&self) -> Arc<App> {
        App::open(self.app.config.clone())
            .await
            .expect("open a second app")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
        }
    }

    /// A page fetched as a browser would ask for it on the site's own host.
    pub async fn get_on_host(&self, host: &str, path: &str) -> Page {
        let host = format!("{host}:{}", self.addr.port());
        self.get_with(path, &[("host", &host)]).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn axum_serve(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    tawasul_web::serve(app, listener).await
}

/// Serves `app` on a free port as another web node (it opens its search
/// index and watches the change log like any server); returns its address.
pub async fn serve_node(app: Arc<App>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum_serve(app, listener).await;
    });
    addr
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// Every `href` of `a` elements matching `selector`.
    pub fn links(&self, selector: &str) -> Vec<String> {
        let html = self.html();
        let selector = scraper::Selector::parse(selector).expect("selector");
        html.select(&selector)
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect()
    }
}

pub fn select_text(html: &scraper::Html, selector: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

pub fn select_attr(html: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    html.select(&selector)
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

/// Writes a file, creating its folders.
pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The demo users of `content/network.toml`, as (e-mail, password).
pub mod demo {
    pub type Credentials = (&'static str, &'static str);

    pub const ADMIN: Credentials = ("admin@tawasul.example", "demo-admin-2026");
    /// Publisher on the academy, and so on all its directorates.
    pub const REGIONAL: Credentials =
        ("superviseur.regional@tawasul.example", "demo-regional-2026");
    pub const EDITOR_RABAT: Credentials = ("editeur.rabat@tawasul.example", "demo-editor-2026");
    pub const PUBLISHER_RABAT: Credentials =
        ("publication.rabat@tawasul.example", "demo-publisher-2026");
    pub const EDITOR_SALE: Credentials = ("editeur.sale@tawasul.example", "demo-editor-sale-2026");
    /// Contributor on ecole-al-amal, a school of dp-sale.
    pub const CONTRIBUTOR_ALAMAL: Credentials = (
        "contributrice.alamal@tawasul.example",
        "demo-contributor-2026",
    );
    pub const SITE_ADMIN_KENITRA: Credentials =
        ("admin.kenitra@tawasul.example", "demo-siteadmin-2026");
}

/// What an API call answered; `json` is `Null` when the body is not JSON.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: serde_json::Value,
}

impl ApiResponse {
    pub async fn read(response: reqwest::Response) -> ApiResponse {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        ApiResponse {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> ApiResponse {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        self
    }

    /// Asserts an `application/problem+json` answer with this status and a
    /// `type` ending in `kind`.
    #[track_caller]
    pub fn expect_problem(self, status: u16, kind: &str) -> ApiResponse {
        let response = self.expect(status);
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{}",
            response.text
        );
        let problem_type = response.json["type"].as_str().unwrap_or_default();
        assert!(
            problem_type.ends_with(&format!(":{kind}")),
            "a problem of type …:{kind} expected, got {}",
            response.text
        );
        assert_eq!(response.json["status"], status, "{}", response.text);
        response
    }

    /// The names in the problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_object()
            .map(|errors| errors.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// How an API client proves who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    Anonymous,
    /// A browser session: the cookie (`name=value`) and its CSRF token.
    Session {
        cookie: String,
        csrf: String,
    },
    Bearer(String),
}

/// A client of the JSON API, signed in or not. Requests that change
/// something carry the session's CSRF token, as the admin's pages do.
#[derive(Debug, Clone)]
pub struct ApiClient {
    client: reqwest::Client,
    base: String,
    pub credential: Credential,
    /// The user JSON of the login, `Null` for other clients.
    pub user: serde_json::Value,
}

impl ApiClient {
    /// A request with the credential but without any CSRF token.
    pub fn request_without_csrf(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match &self.credential {
            Credential::Anonymous => request,
            Credential::Session { cookie, .. } => request.header("cookie", cookie.as_str()),
            Credential::Bearer(token) => request.bearer_auth(token),
        }
    }

    /// A request with the credential and, for a session, its CSRF token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.request_without_csrf(method, path);
        match &self.credential {
            Credential::Session { csrf, .. } => request.header("x-csrf-token", csrf.as_str()),
            _ => request,
        }
    }

    /// Sends `body` (if any) as JSON.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> ApiResponse {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        ApiResponse::read(request.send().await.expect("API request")).await
    }

    pub async fn get(&self, path: &str) -> ApiResponse {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> ApiResponse {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &serde_json::Value) -> ApiResponse {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> ApiResponse {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// The signed-in user's id (from the login).
    pub fn user_id(&self) -> i64 {
        self.user["id"].as_i64().expect("a signed-in client")
    }
}

/// Signs in on the server at `base` (the login must succeed) and returns
/// a client of the new session.
pub async fn login_at(
    client: &reqwest::Client,
    base: &str,
    (email, password): (&str, &str),
) -> ApiClient {
    let anonymous = ApiClient {
        client: client.clone(),
        base: base.to_owned(),
        credential: Credential::Anonymous,
        user: serde_json::Value::Null,
    };
    let response = anonymous
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
        .expect(200);
    let cookie = response
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let csrf = response.json["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    ApiClient {
        credential: Credential::Session { cookie, csrf },
        user: response.json["user"].clone(),
        ..anonymous
    }
}

impl TestApp {
    /// A client of the API that has not signed in.
    pub fn anonymous(&self) -> ApiClient {
        ApiClient {
            client: self.client.clone(),
            base: self.url(""),
            credential: Credential::Anonymous,
            user: serde_json::Value::Null,
        }
    }

    /// A client of the API that sends `Authorization: Bearer <token>`.
    pub fn bearer(&self, token: &str) -> ApiClient {
        ApiClient {
            credential: Credential::Bearer(token.to_owned()),
            ..self.anonymous()
        }
    }

    /// `POST /api/v1/auth/login`, whatever it answers.
    pub async fn try_login(&self, (email, password): (&str, &str)) -> ApiResponse {
        self.anonymous()
            .post(
                "/api/v1/auth/login",
                &serde_json::json!({"email": email, "password": password}),
            )
            .await
    }

    /// Signs in (the login must succeed) and returns a client of the new
    /// session.
    pub async fn login(&self, credentials: (&str, &str)) -> ApiClient {
        login_at(&self.client, &self.url(""), credentials).await
    }
}

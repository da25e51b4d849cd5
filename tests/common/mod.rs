//! The harness of the end-to-end tests: a real server on a free port over a
//! real database (SQLite in a temporary folder, or a fresh PostgreSQL
//! database when `TAWASUL_TEST_DATABASE_URL` names a server).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::header::HeaderMap;
use tawasul_app::{App, Config};
use tempfile::TempDir;

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

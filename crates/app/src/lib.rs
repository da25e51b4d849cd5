//! The use cases of Tawasul. The web server and the command line call only
//! this crate; it orchestrates the store, the renderer (and, as they land,
//! search, media and mail) so that every entry point behaves the same.

pub mod access;
pub mod audit;
pub mod auth;
pub mod cache;
mod changes;
pub mod config;
pub mod delivery;
pub mod delivery_log;
pub mod digest;
pub mod directory;
pub mod editorial;
mod error;
pub mod import;
pub mod media;
mod members;
pub mod menus;
pub mod network;
pub mod newsletter;
mod notify;
pub mod password;
pub mod people;
pub mod public;
pub mod recommendations;
pub mod search;
pub mod site_settings;
mod sites;
pub mod totp;
pub mod two_factor;
mod users;
mod watch;

use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, RwLock};

use tawasul_render::Renderer;
use tawasul_store::{NetworkRows, Store};

pub use access::Viewer;
pub use config::Config;
pub use editorial::{EntryInput, TransitionInput};
pub use error::{AppError, ImportProblem};
pub use members::Member;
pub use network::Network;
pub use sites::NewSiteInput;
pub use users::NewUserInput;

/// The rows the web crate shows, as the store reads them: the web crate
/// reaches data only through `App`, and names these types from here.
pub mod rows {
    pub use tawasul_store::{
        gallery_ids, gallery_text, AdminEntry, ApiTokenRow, EntryRow, OutboxRow, Page, RevisionRow,
    };
}

/// The running system: configuration, database, themes and the network
/// snapshot. Shared by every request (`Arc<App>`).
pub struct App {
    pub config: Config,
    store: Store,
    renderer: RwLock<Renderer>,
    /// The admin interface's templates, strings and static files.
    admin: tawasul_render::Admin,
    network: RwLock<Arc<Network>>,
    /// Rendered public pages.
    pub pages: cache::PageCache,
    cache_control: String,
    /// The last change-log record this process has applied.
    seen_change: AtomicI64,
    /// Records this process wrote (and so applied) but has not yet read back.
    own_changes: Mutex<std::collections::HashSet<i64>>,
    /// Held while writing a change and while reading the log.
    change_log_lock: tokio::sync::Mutex<()>,
    /// The mail transport and templates, made on first use.
    mailer: std::sync::OnceLock<delivery::Mailer>,
    /// The address this process's server really listens on (`--listen`
    /// and port 0 included), once it does.
    listening: std::sync::OnceLock<std::net::SocketAddr>,
    /// The search index, once a serving process opened it.
    search: std::sync::OnceLock<Arc<dyn tawasul_search::SearchIndex>>,
    /// The last index-log row the search index applied.
    search_cursor: AtomicI64,
    /// The index is another process's, searched read-only here.
    search_read_only: std::sync::atomic::AtomicBool,
    /// Held while the search engine is being opened (once at a time).
    search_opening: tokio::sync::Mutex<()>,
    /// When this server last tried to reach Meilisearch.
    search_retry: Mutex<Option<std::time::Instant>>,
    /// What the snapshot was built from, to skip rebuilding it for nothing.
    network_rows: Mutex<NetworkRows>,
    /// Where media files live (`[storage]`), made and checked once at open.
    storage: Arc<dyn tawasul_media::Storage>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Opens the data folder and database, brings the schema up to date,
    /// loads the themes and the network.
    pub async fn open(config: Config) -> Result<Arc<App>, AppError> {
        std::fs::create_dir_all(&config.paths.data).map_err(|e| {
            AppError::io(
                format!("creating the data folder {}", config.paths.data.display()),
                e,
            )
        })?;
        let storage = media::open_storage(&config).await?;
        let store = Store::connect(&config.database_url(), config.database.max_connections).await?;
        store.migrate().await?;
        let renderer = Renderer::load(config.paths.themes.as_deref())?;
        let admin = tawasul_render::Admin::load()?;
        let pages = cache::PageCache::new(config.cache.enabled, config.cache.max_mb * 1024 * 1024);
        let seen_change = AtomicI64::new(store.last_change_id().await?);
        let cache_control = format!(
            "public, max-age={}, stale-while-revalidate={}",
            config.cache.max_age_seconds, config.cache.stale_while_revalidate_seconds
        );
        let app = App {
            pages,
            cache_control,
            seen_change,
            own_changes: Mutex::new(Default::default()),
            change_log_lock: tokio::sync::Mutex::new(()),
            config,
            store,
            renderer: RwLock::new(renderer),
            admin,
            network: RwLock::new(Arc::new(Network::default())),
            network_rows: Mutex::new(NetworkRows::default()),
            search: std::sync::OnceLock::new(),
            mailer: std::sync::OnceLock::new(),
            listening: std::sync::OnceLock::new(),
            search_cursor: AtomicI64::new(0),
            search_read_only: std::sync::atomic::AtomicBool::new(false),
            search_opening: tokio::sync::Mutex::new(()),
            search_retry: Mutex::new(None),
            storage,
        };
        app.refresh_network().await?;
        Ok(Arc::new(app))
    }

    pub fn admin(&self) -> &tawasul_render::Admin {
        &self.admin
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current network snapshot; cheap (an `Arc` clone).
    pub fn network(&self) -> Arc<Network> {
        match self.network.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn with_renderer<T>(&self, f: impl FnOnce(&Renderer) -> T) -> T {
        match self.renderer.read() {
            Ok(guard) => f(&guard),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Reloads sites, hosts, categories, programmes and site templates from
    /// the database, after a change made through this process.
    pub async fn refresh_network(&self) -> Result<(), AppError> {
        let rows = self.store.load_network().await?;
        self.install_network(rows);
        Ok(())
    }

    /// Reloads the network only if the database holds another one than the
    /// snapshot: what web nodes run periodically to see changes made by
    /// another process. Returns whether it changed.
    pub async fn refresh_network_if_changed(&self) -> Result<bool, AppError> {
        let rows = self.store.load_network().await?;
        let same = match self.network_rows.lock() {
            Ok(last) => *last == rows,
            Err(poisoned) => *poisoned.into_inner() == rows,
        };
        if !same {
            // Changed without a change-log record (edited by hand in the
            // database): nothing says which pages, so all of them.
            self.install_network(rows);
            self.pages.invalidate(&[cache::Dep::All]);
        }
        Ok(!same)
    }

    /// The template overrides of a site, sorted by name.
    pub(crate) fn site_templates(&self, site_id: i32) -> Vec<(String, String)> {
        let rows = match self.network_rows.lock() {
            Ok(rows) => rows,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut templates: Vec<(String, String)> = rows
            .templates
            .iter()
            .filter(|t| t.site_id == site_id)
            .map(|t| (t.name.clone(), t.source.clone()))
            .collect();
        templates.sort();
        templates
    }

    fn install_network(&self, rows: NetworkRows) {
        let mut by_site: std::collections::HashMap<i32, Vec<(String, String)>> = Default::default();
        for t in &rows.templates {
            by_site
                .entry(t.site_id)
                .or_default()
                .push((t.name.clone(), t.source.clone()));
        }
        let network = Network::from_rows(rows.clone());
        {
            let mut renderer = match self.renderer.write() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            for site in network.sites() {
                let templates = by_site.remove(&site.id).unwrap_or_default();
                if let Err(e) = renderer.set_site_templates(&site.slug, &site.theme, &templates) {
                    tracing::error!(site = %site.slug, error = %e, "site templates refused; the theme's are used");
                }
            }
        }
        match self.network.write() {
            Ok(mut slot) => *slot = Arc::new(network),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(network),
        }
        match self.network_rows.lock() {
            Ok(mut last) => *last = rows,
            Err(poisoned) => *poisoned.into_inner() = rows,
        }
    }

    /// Loads the themes again from disk, keeping the sites' overrides, and
    /// drops every cached page. What `server.reload_templates` runs when a
    /// theme file changes.
    pub fn reload_themes(&self) -> Result<(), AppError> {
        let renderer = Renderer::load(self.config.paths.themes.as_deref())?;
        match self.renderer.write() {
            Ok(mut slot) => *slot = renderer,
            Err(poisoned) => *poisoned.into_inner() = renderer,
        }
        let rows = match self.network_rows.lock() {
            Ok(rows) => rows.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        self.install_network(rows);
        self.pages.invalidate(&[cache::Dep::All]);
        Ok(())
    }

    /// The `Cache-Control` value of public pages.
    pub fn cache_control(&self) -> &str {
        &self.cache_control
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        self.store.ping().await.is_ok()
    }
}

impl App {
    /// Records where the server listens, for links when no public address
    /// is configured. Says once, at start, that such links only work here.
    pub fn set_listening(&self, addr: std::net::SocketAddr) {
        if self.listening.set(addr).is_ok() && self.config.server.public_url.is_empty() {
            tracing::warn!(
                %addr,
                "server.public_url is not set: links in mails will point to http://{addr}, \
                 which only this machine can open; set it to the address readers use"
            );
        }
    }

    /// The base of links in e-mails: `server.public_url`, else the address
    /// the server really listens on, else the configured one.
    pub fn public_base_url(&self) -> String {
        if !self.config.server.public_url.is_empty() {
            return self
                .config
                .server
                .public_url
                .trim_end_matches('/')
                .to_owned();
        }
        match self.listening.get() {
            Some(addr) => format!("http://{addr}"),
            None => self.config.public_base_url(),
        }
    }
}

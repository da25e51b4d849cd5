//! Configuration: built-in defaults, then `tawasul.toml`, then `TAWASUL_*`
//! environment variables (`TAWASUL_SERVER_LISTEN` sets `server.listen`).
//! With nothing configured, everything lives in one local data folder.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::AppError;

const SECTIONS: [&str; 7] = [
    "server", "database", "paths", "site", "cache", "auth", "mail",
];

#[derive(Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub paths: PathsConfig,
    pub site: SiteConfig,
    pub cache: CacheConfig,
    pub auth: AuthConfig,
    pub mail: MailConfig,
}

/// How mail leaves: `.eml` files in the data folder (the default, so a
/// demo needs no mail server) or an SMTP relay.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `file` or `smtp`.
    pub transport: String,
    pub from_address: String,
    pub from_name: String,
    /// For `file`: the folder of the `.eml` files; default `<data>/mail`.
    pub folder: Option<PathBuf>,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_security: String,
    pub smtp_username: String,
    pub smtp_password: String,
    /// Connections kept open to the relay.
    pub smtp_connections: u32,
    /// Messages per second at most (0: as fast as the relay takes them).
    pub rate_per_second: u32,
    /// DKIM: all three, or none.
    pub dkim_selector: String,
    pub dkim_domain: String,
    pub dkim_key_file: Option<PathBuf>,
    /// The hour (0-23, site time: `site.utc_offset_minutes`) the daily
    /// digest of workflow notices goes to those who chose it.
    pub digest_hour: u8,
    /// The day (`monday` … `sunday`) and hour of each site's weekly
    /// newsletter; `off`: servers make no issue on their own.
    pub newsletter_day: String,
    pub newsletter_hour: u8,
    /// The `mailto:` of newsletters' `List-Unsubscribe` header, for mail
    /// programs that unsubscribe by mail; empty: `from_address`. Someone
    /// (or something) should read that mailbox: the subject names the link.
    pub unsubscribe_mailbox: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: "file".to_owned(),
            from_address: "no-reply@tawasul.localhost".to_owned(),
            from_name: "Tawasul · تواصل".to_owned(),
            folder: None,
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: "starttls".to_owned(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            smtp_connections: 4,
            rate_per_second: 0,
            dkim_selector: String::new(),
            dkim_domain: String::new(),
            dkim_key_file: None,
            digest_hour: 7,
            newsletter_day: "monday".to_owned(),
            newsletter_hour: 7,
            unsubscribe_mailbox: String::new(),
        }
    }
}

/// The relay's password stays out of logs.
impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &self.transport)
            .field("from_address", &self.from_address)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &if self.smtp_password.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// A session unused this long ends (minutes).
    pub session_idle_minutes: u32,
    /// A session ends this long after login, however busy (hours).
    pub session_absolute_hours: u32,
    /// How long a password-reset link works (minutes).
    pub reset_link_minutes: u32,
    /// How long an invitation link works (hours).
    pub invitation_hours: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            reset_link_minutes: 60,
            invitation_hours: 168,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Keep rendered public pages in memory.
    pub enabled: bool,
    /// Memory for cached pages, in megabytes.
    pub max_mb: usize,
    /// How long browsers and proxies may reuse a page without asking.
    pub max_age_seconds: u32,
    /// How long a proxy may serve a page while it fetches a fresh one.
    pub stale_while_revalidate_seconds: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: true,
            max_mb: 64,
            max_age_seconds: 30,
            stale_while_revalidate_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Trust `X-Forwarded-Proto` and `X-Forwarded-Host` from a reverse proxy.
    pub behind_proxy: bool,
    /// Development: reload the themes of `paths.themes` when one of their
    /// files changes (and drop every cached page). Off in production, where
    /// templates are compiled once at start.
    pub reload_templates: bool,
    /// The address people reach the server at, for links in e-mails
    /// (`https://tawasul.men.gov.ma`); empty: `http://` + `listen`. Never
    /// taken from a request's Host header, which anyone can forge.
    pub public_url: String,
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path?mode=rwc` or `postgres://user:password@host/db`; empty:
    /// a SQLite file in the data folder.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PathsConfig {
    /// The data folder: database file, uploads, mail outbox.
    pub data: PathBuf,
    /// Extra themes (one sub-folder each), besides the built-in ones.
    pub themes: Option<PathBuf>,
    /// Where media files are stored; default `<data>/uploads`.
    pub uploads: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Entries per archive page.
    pub per_page: u64,
    /// Entries per feed.
    pub feed_size: u64,
    /// Offset from UTC of the dates readers see, in minutes (Morocco: +60).
    pub utc_offset_minutes: i32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            behind_proxy: false,
            reload_templates: false,
            public_url: String::new(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: String::new(),
            max_connections: 10,
        }
    }
}

impl Default for PathsConfig {
    fn default() -> Self {
        PathsConfig {
            data: PathBuf::from("tawasul-data"),
            themes: None,
            uploads: None,
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            per_page: 12,
            feed_size: 20,
            utc_offset_minutes: 60,
        }
    }
}

/// Passwords in database URLs stay out of logs.
impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server)
            .field("database", &self.database)
            .field("paths", &self.paths)
            .field("site", &self.site)
            .field("cache", &self.cache)
            .field("auth", &self.auth)
            .field("mail", &self.mail)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// Reads the configuration: defaults, then the file (`path`, or
    /// `tawasul.toml` when it exists), then the environment.
    pub fn load(path: Option<&Path>) -> Result<Config, AppError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match path {
            Some(p) if !p.exists() => {
                return Err(AppError::Config(format!(
                    "the configuration file {} does not exist",
                    p.display()
                )))
            }
            Some(p) => figment = figment.merge(Toml::file_exact(p)),
            None if Path::new("tawasul.toml").exists() => {
                figment = figment.merge(Toml::file_exact("tawasul.toml"))
            }
            None => {}
        }
        figment = figment.merge(Self::environment());
        let config: Config = figment.extract().map_err(|e| {
            AppError::Config(
                e.into_iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        config.validate()?;
        Ok(config)
    }

    /// `TAWASUL_SITE_PER_PAGE` → `site.per_page`: the first word names the
    /// section, the rest the key. Other `TAWASUL_*` variables (the tests'
    /// `TAWASUL_TEST_*`, `TAWASUL_LOG`) are not configuration and are ignored.
    fn environment() -> Env {
        fn section_key(key: &str) -> Option<String> {
            let key = key.to_ascii_lowercase();
            let section = SECTIONS
                .iter()
                .find(|s| key.starts_with(&format!("{s}_")))?;
            Some(format!("{section}.{}", &key[section.len() + 1..]))
        }
        Env::prefixed("TAWASUL_")
            .filter(|key| section_key(key.as_str()).is_some())
            .map(|key| section_key(key.as_str()).unwrap_or_default().into())
    }

    /// Checks what types alone cannot, naming the key and the expected form.
    pub fn validate(&self) -> Result<(), AppError> {
        let url = &self.database.url;
        if !url.is_empty()
            && !["sqlite:", "postgres://", "postgresql://"]
                .iter()
                .any(|p| url.starts_with(p))
        {
            return Err(AppError::Config(format!(
                "database.url `{}` is not supported: expected sqlite://PATH?mode=rwc or postgres://USER@HOST/DB",
                redact_url(url)
            )));
        }
        if !(1..=1000).contains(&self.database.max_connections) {
            return Err(AppError::Config(format!(
                "database.max_connections must be between 1 and 1000, not {}",
                self.database.max_connections
            )));
        }
        if !(1..=100).contains(&self.site.per_page) {
            return Err(AppError::Config(format!(
                "site.per_page must be between 1 and 100, not {}",
                self.site.per_page
            )));
        }
        if !(1..=200).contains(&self.site.feed_size) {
            return Err(AppError::Config(format!(
                "site.feed_size must be between 1 and 200, not {}",
                self.site.feed_size
            )));
        }
        if !(-720..=840).contains(&self.site.utc_offset_minutes) {
            return Err(AppError::Config(format!(
                "site.utc_offset_minutes must be between -720 and 840, not {}",
                self.site.utc_offset_minutes
            )));
        }
        if self.server.reload_templates && self.paths.themes.is_none() {
            return Err(AppError::Config(
                "server.reload_templates needs paths.themes: the folder of the themes to watch"
                    .to_owned(),
            ));
        }
        if !(1..=65_536).contains(&self.cache.max_mb) {
            return Err(AppError::Config(format!(
                "cache.max_mb must be between 1 and 65536, not {}",
                self.cache.max_mb
            )));
        }
        let auth = &self.auth;
        for (key, value, range) in [
            (
                "auth.session_idle_minutes",
                auth.session_idle_minutes,
                5..=10_080,
            ),
            (
                "auth.session_absolute_hours",
                auth.session_absolute_hours,
                1..=2_160,
            ),
            (
                "auth.reset_link_minutes",
                auth.reset_link_minutes,
                5..=10_080,
            ),
            ("auth.invitation_hours", auth.invitation_hours, 1..=2_160),
        ] {
            if !range.contains(&value) {
                return Err(AppError::Config(format!(
                    "{key} must be between {} and {}, not {value}",
                    range.start(),
                    range.end()
                )));
            }
        }
        let public_url = &self.server.public_url;
        if !public_url.is_empty()
            && (!(public_url.starts_with("http://") || public_url.starts_with("https://"))
                || public_url.ends_with('/'))
        {
            return Err(AppError::Config(format!(
                "server.public_url `{public_url}` must start with http:// or https:// and not end with /"
            )));
        }
        let mail = &self.mail;
        if !["file", "smtp"].contains(&mail.transport.as_str()) {
            return Err(AppError::Config(format!(
                "mail.transport must be \"file\" or \"smtp\", not `{}`",
                mail.transport
            )));
        }
        if mail.transport == "smtp" && mail.smtp_host.is_empty() {
            return Err(AppError::Config(
                "mail.smtp_host is needed with mail.transport = \"smtp\"".to_owned(),
            ));
        }
        if !["none", "starttls", "tls"].contains(&mail.smtp_security.as_str()) {
            return Err(AppError::Config(format!(
                "mail.smtp_security must be none, starttls or tls, not `{}`",
                mail.smtp_security
            )));
        }
        if !(1..=64).contains(&mail.smtp_connections) {
            return Err(AppError::Config(format!(
                "mail.smtp_connections must be between 1 and 64, not {}",
                mail.smtp_connections
            )));
        }
        if !crate::import::network_file::valid_email(&mail.from_address) {
            return Err(AppError::Config(format!(
                "mail.from_address `{}` is not an e-mail address",
                mail.from_address
            )));
        }
        let dkim_parts = [
            !mail.dkim_selector.is_empty(),
            !mail.dkim_domain.is_empty(),
            mail.dkim_key_file.is_some(),
        ];
        if dkim_parts.iter().any(|p| *p) && !dkim_parts.iter().all(|p| *p) {
            return Err(AppError::Config(
                "mail.dkim_selector, mail.dkim_domain and mail.dkim_key_file go together"
                    .to_owned(),
            ));
        }
        for (key, hour) in [
            ("mail.digest_hour", mail.digest_hour),
            ("mail.newsletter_hour", mail.newsletter_hour),
        ] {
            if hour > 23 {
                return Err(AppError::Config(format!(
                    "{key} must be an hour between 0 and 23, not {hour}"
                )));
            }
        }
        if mail.newsletter_day != "off"
            && tawasul_domain::digest::parse_weekday(&mail.newsletter_day).is_none()
        {
            return Err(AppError::Config(format!(
                "mail.newsletter_day must be a day such as monday (or off), not `{}`",
                mail.newsletter_day
            )));
        }
        if !mail.unsubscribe_mailbox.is_empty()
            && !crate::import::network_file::valid_email(&mail.unsubscribe_mailbox)
        {
            return Err(AppError::Config(format!(
                "mail.unsubscribe_mailbox `{}` is not an e-mail address",
                mail.unsubscribe_mailbox
            )));
        }
        if self.paths.data.as_os_str().is_empty() {
            return Err(AppError::Config(
                "paths.data must name a folder, for example \"tawasul-data\"".to_owned(),
            ));
        }
        Ok(())
    }

    /// The database URL, defaulting to a SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.paths.data.join("tawasul.db").display()
            )
        } else {
            self.database.url.clone()
        }
    }

    /// The base of links in e-mails: `server.public_url`, else the listen address.
    pub fn public_base_url(&self) -> String {
        if self.server.public_url.is_empty() {
            format!("http://{}", self.server.listen)
        } else {
            self.server.public_url.clone()
        }
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.paths
            .uploads
            .clone()
            .unwrap_or_else(|| self.paths.data.join("uploads"))
    }
}

#[cfg(test)]
#[expect(
    clippy::result_large_err,
    reason = "figment::Jail closures must return figment::Error"
)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_err(jail_setup: impl FnOnce(&mut Jail) -> figment::error::Result<()>) -> String {
        let mut message = String::new();
        Jail::expect_with(|jail| {
            jail_setup(jail)?;
            message = Config::load(None)
                .expect_err("config must be refused")
                .to_string();
            Ok(())
        });
        message
    }

    #[test]
    fn nothing_configured_means_a_local_data_folder() {
        Jail::expect_with(|_| {
            let config = Config::load(None).expect("defaults load");
            assert_eq!(config.paths.data, PathBuf::from("tawasul-data"));
            assert!(config
                .database_url()
                .starts_with("sqlite://tawasul-data/tawasul.db"));
            assert_eq!(config.server.listen.port(), 8080);
            Ok(())
        });
    }

    #[test]
    fn file_then_environment() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "tawasul.toml",
                "[server]\nlisten = \"0.0.0.0:9000\"\n[site]\nper_page = 20\n",
            )?;
            jail.set_env("TAWASUL_SITE_PER_PAGE", "30");
            jail.set_env("TAWASUL_DATABASE_MAX_CONNECTIONS", "4");
            jail.set_env("TAWASUL_TEST_SOMETHING_ELSE", "ignored");
            let config = Config::load(None).expect("loads");
            assert_eq!(config.server.listen.port(), 9000);
            assert_eq!(config.site.per_page, 30);
            assert_eq!(config.database.max_connections, 4);
            Ok(())
        });
    }

    #[test]
    fn a_wrong_value_names_its_key() {
        let table = [
            ("[server]\nlisten = \"everywhere\"\n", "server.listen"),
            ("[site]\nper_page = \"many\"\n", "site.per_page"),
            ("[site]\nper_page = 0\n", "site.per_page"),
            ("[database]\nurl = \"mysql://x\"\n", "database.url"),
            ("[server]\nlisen = \"0.0.0.0:1\"\n", "lisen"),
            ("[databse]\nurl = \"x\"\n", "databse"),
            (
                "[server]\nreload_templates = true\n",
                "server.reload_templates",
            ),
            ("[mail]\ndigest_hour = 24\n", "mail.digest_hour"),
            (
                "[mail]\nnewsletter_day = \"someday\"\n",
                "mail.newsletter_day",
            ),
            (
                "[mail]\nunsubscribe_mailbox = \"nobody\"\n",
                "mail.unsubscribe_mailbox",
            ),
        ];
        for (file, key) in table {
            let message = load_err(|jail| jail.create_file("tawasul.toml", file).map(drop));
            assert!(message.contains(key), "{file:?} -> {message}");
        }
        let message = load_err(|jail| {
            jail.set_env("TAWASUL_DATABASE_MAX_CONNECTIONS", "lots");
            Ok(())
        });
        assert!(
            message.to_lowercase().contains("database.max_connections"),
            "{message}"
        );
    }

    #[test]
    fn the_example_file_is_the_defaults_and_stays_true() {
        let example = include_str!("../../../tawasul.example.toml");
        let parsed: Config = toml::from_str(example).expect("the example parses");
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let mut config = Config::default();
        config.database.url = "postgres://tawasul:s3cret@db/tawasul".into();
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://tawasul:***@db/tawasul"),
            "{shown}"
        );
    }
}

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

const SECTIONS: [&str; 10] = [
    "server", "database", "paths", "site", "cache", "auth", "mail", "storage", "search", "import",
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
    pub storage: StorageConfig,
    pub search: SearchConfig,
    pub import: ImportConfig,
}

/// Moving an old site in from the admin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// The largest export file the admin accepts, in MB (the command line
    /// reads files of any size).
    pub max_mb: u32,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig { max_mb: 200 }
    }
}

/// Which search engine serves the network: the index in the data folder
/// (`embedded`, the default) or a Meilisearch server (`meilisearch`) that
/// every web node shares. The server's key is never in the file: it comes
/// from `TAWASUL_MEILI_KEY`.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// `embedded` or `meilisearch`.
    pub backend: String,
    /// For `meilisearch`: the server's address, `http://127.0.0.1:7700`.
    pub url: String,
    /// For `meilisearch`: the index of this network (nodes of one network
    /// share it; two networks on one server need two names).
    pub index: String,
    /// From the environment only ([`SearchConfig::read_credentials`]).
    #[serde(skip)]
    pub api_key: String,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            backend: "embedded".to_owned(),
            url: "http://127.0.0.1:7700".to_owned(),
            index: "tawasul_entries".to_owned(),
            api_key: String::new(),
        }
    }
}

/// The key stays out of logs.
impl fmt::Debug for SearchConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchConfig")
            .field("backend", &self.backend)
            .field("url", &redact_url(&self.url))
            .field("index", &self.index)
            .field("api_key", &if self.api_key.is_empty() { "" } else { "***" })
            .finish()
    }
}

impl SearchConfig {
    /// Takes Meilisearch's key from `TAWASUL_MEILI_KEY`.
    pub fn read_credentials(&mut self) {
        self.api_key = std::env::var("TAWASUL_MEILI_KEY").unwrap_or_default();
    }

    /// Whether the network searches through a Meilisearch server.
    pub fn is_meilisearch(&self) -> bool {
        self.backend == "meilisearch"
    }

    /// Checks the `[search]` keys, naming the one that is wrong.
    pub fn validate(&self) -> Result<(), AppError> {
        match self.backend.as_str() {
            "embedded" => return Ok(()),
            "meilisearch" => {}
            other => {
                return Err(AppError::Config(format!(
                    "search.backend must be \"embedded\" or \"meilisearch\", not `{other}`"
                )))
            }
        }
        let url = &self.url;
        let host = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        if host
            .is_none_or(|h| h.trim_end_matches('/').is_empty() || h.contains(['?', '#', ' ', '@']))
        {
            return Err(AppError::Config(format!(
                "search.url `{}` must be the address of the Meilisearch server, such as http://127.0.0.1:7700",
                redact_url(url)
            )));
        }
        let index_ok = (1..=400).contains(&self.index.len())
            && self
                .index
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !index_ok {
            return Err(AppError::Config(format!(
                "search.index `{}` must be 1 to 400 letters, digits, hyphens and underscores",
                self.index
            )));
        }
        Ok(())
    }
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
    /// 0: the usual port for `tls`: 465 with `required`, 587 otherwise.
    pub smtp_port: u16,
    /// How the connection to the relay is protected: `required` (TLS from
    /// the first byte, port 465), `starttls` (plain, then STARTTLS, which
    /// must succeed: port 587) or `none` (a relay on this host or a trusted
    /// network).
    pub tls: String,
    /// The CA certificates (PEM) that sign the relay's certificate, for a
    /// relay with a private CA: trusted instead of the public authorities.
    pub ca_file: Option<PathBuf>,
    /// The former name of `tls` (`none`, `starttls` or `tls`), still read;
    /// empty: not set.
    pub smtp_security: String,
    pub smtp_username: String,
    pub smtp_password: String,
    /// Connections kept open to the relay.
    pub smtp_connections: u32,
    /// Messages per second at most (0: as fast as the relay takes them).
    pub rate_per_second: u32,
    /// A circular's documents travel attached when together they weigh at
    /// most this (MB); beyond, as personal download links (0: always links).
    pub attachment_max_mb: u32,
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
            smtp_port: 0,
            tls: "starttls".to_owned(),
            ca_file: None,
            smtp_security: String::new(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            smtp_connections: 4,
            rate_per_second: 0,
            attachment_max_mb: 5,
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
            .field("tls", &self.tls)
            .field("ca_file", &self.ca_file)
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

impl MailConfig {
    /// The TLS mode in force (`required`, `starttls` or `none`): `tls`, or
    /// what the former `smtp_security` says when it is set (the checks at
    /// load refuse the two disagreeing).
    pub fn tls_mode(&self) -> &str {
        match self.smtp_security.as_str() {
            "" => &self.tls,
            "tls" => "required",
            former => former,
        }
    }

    /// The relay's port: `smtp_port`, or the usual one for the TLS mode.
    pub fn relay_port(&self) -> u16 {
        match (self.smtp_port, self.tls_mode()) {
            (0, "required") => 465,
            (0, _) => 587,
            (port, _) => port,
        }
    }

    /// Checks the TLS keys and reads the files the mail section names (CA
    /// certificates, DKIM key), so that a mistake stops the server at
    /// start rather than shows up in the delivery log.
    fn validate(&self) -> Result<(), AppError> {
        const MODES: &str =
            "required (TLS from the first byte, port 465), starttls (port 587) or none";
        if !["required", "starttls", "none"].contains(&self.tls.as_str()) {
            return Err(AppError::Config(format!(
                "mail.tls must be {MODES}, not `{}`",
                self.tls
            )));
        }
        if !self.smtp_security.is_empty() {
            if !["none", "starttls", "tls"].contains(&self.smtp_security.as_str()) {
                return Err(AppError::Config(format!(
                    "mail.smtp_security (the former name of mail.tls) must be none, starttls or tls, not `{}`",
                    self.smtp_security
                )));
            }
            // `tls` at its default may just be unset.
            if self.tls != "starttls" && self.tls_mode() != self.tls {
                return Err(AppError::Config(format!(
                    "mail.smtp_security = \"{}\" and mail.tls = \"{}\" disagree: mail.smtp_security is the former name of mail.tls; keep only mail.tls",
                    self.smtp_security, self.tls
                )));
            }
        }
        // The two usual ports speak differently from the first byte: the
        // other mode there fails every time, with an obscure error.
        match (self.tls_mode(), self.relay_port()) {
            ("starttls", 465) => {
                return Err(AppError::Config(
                    "mail.smtp_port is 465, which speaks TLS from the first byte: set mail.tls = \"required\" (or the relay's STARTTLS port, usually 587)".to_owned(),
                ))
            }
            ("required", 587) => {
                return Err(AppError::Config(
                    "mail.smtp_port is 587, which starts in plain text: set mail.tls = \"starttls\" (or the relay's TLS port, usually 465)".to_owned(),
                ))
            }
            _ => {}
        }
        if let Some(file) = &self.ca_file {
            if self.tls_mode() == "none" {
                return Err(AppError::Config(format!(
                    "mail.ca_file is set ({}) but mail.tls = \"none\": set mail.tls to required or starttls, or remove mail.ca_file",
                    file.display()
                )));
            }
            let pem = std::fs::read_to_string(file).map_err(|e| {
                AppError::Config(format!(
                    "mail.ca_file {} cannot be read: {e}",
                    file.display()
                ))
            })?;
            tawasul_mail::TlsOptions::with_ca_pem(pem).map_err(|e| {
                let detail = match e {
                    tawasul_mail::SendError::Tls(detail) => detail,
                    other => other.to_string(),
                };
                AppError::Config(format!("mail.ca_file {}: {detail}", file.display()))
            })?;
        }
        if let Some(file) = &self.dkim_key_file {
            let pem = std::fs::read_to_string(file).map_err(|e| {
                AppError::Config(format!(
                    "mail.dkim_key_file {} cannot be read: {e}",
                    file.display()
                ))
            })?;
            tawasul_mail::Dkim::from_pem(&self.dkim_selector, &self.dkim_domain, &pem).map_err(
                |e| match e {
                    tawasul_mail::DkimError::Name(which) => AppError::Config(format!(
                        "mail.dkim_{which} must be a DNS name (letters, digits, '-', '.', '_'), not `{}`",
                        if which == "selector" {
                            &self.dkim_selector
                        } else {
                            &self.dkim_domain
                        }
                    )),
                    other => {
                        AppError::Config(format!("mail.dkim_key_file {}: {other}", file.display()))
                    }
                },
            )?;
        }
        Ok(())
    }
}

/// Where media files live: the uploads folder (`local`, the default), or
/// an S3-compatible bucket (`s3`) that every web node reads and writes
/// alike. The bucket's key is never in the file: it comes from
/// `TAWASUL_S3_ACCESS_KEY_ID` and `TAWASUL_S3_SECRET_ACCESS_KEY` (or
/// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// `local` or `s3`.
    pub backend: String,
    /// For `s3`: the server's address, `https://s3.example.ma`.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// `endpoint/bucket/…` (MinIO, Ceph and most servers of one's own)
    /// rather than `bucket.endpoint/…`.
    pub path_style: bool,
    /// A folder of the bucket for these files, when the bucket is shared.
    pub prefix: String,
    /// From the environment only ([`StorageConfig::read_credentials`]).
    #[serde(skip)]
    pub access_key_id: String,
    #[serde(skip)]
    pub secret_access_key: String,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            backend: "local".to_owned(),
            endpoint: String::new(),
            region: "us-east-1".to_owned(),
            bucket: String::new(),
            path_style: true,
            prefix: String::new(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
        }
    }
}

/// The secret key stays out of logs.
impl fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageConfig")
            .field("backend", &self.backend)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &if self.secret_access_key.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .finish()
    }
}

impl StorageConfig {
    /// Takes the bucket's key from the environment: `TAWASUL_S3_*` first,
    /// else the `AWS_*` variables other S3 tools read.
    pub fn read_credentials(&mut self) {
        let var = |names: [&str; 2]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
                .unwrap_or_default()
        };
        self.access_key_id = var(["TAWASUL_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"]);
        self.secret_access_key = var(["TAWASUL_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"]);
    }

    /// Checks the `[storage]` keys, naming the one that is wrong.
    pub fn validate(&self) -> Result<(), AppError> {
        match self.backend.as_str() {
            "local" => return Ok(()),
            "s3" => {}
            other => {
                return Err(AppError::Config(format!(
                    "storage.backend must be \"local\" or \"s3\", not `{other}`"
                )))
            }
        }
        let endpoint = &self.endpoint;
        if endpoint.is_empty() {
            return Err(AppError::Config(
                "storage.endpoint is needed with storage.backend = \"s3\": the address of the S3 server, such as https://s3.example.ma".to_owned(),
            ));
        }
        let host = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"));
        if host.is_none_or(|h| h.trim_end_matches('/').is_empty() || h.contains(['?', '#', ' '])) {
            return Err(AppError::Config(format!(
                "storage.endpoint `{endpoint}` must be an address such as https://s3.example.ma"
            )));
        }
        if self.region.trim().is_empty() {
            return Err(AppError::Config(
                "storage.region is needed with storage.backend = \"s3\" (us-east-1 for most servers of one's own)".to_owned(),
            ));
        }
        let bucket = &self.bucket;
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !bucket_ok {
            return Err(AppError::Config(format!(
                "storage.bucket `{bucket}` is not a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens"
            )));
        }
        let prefix = self.prefix.trim_matches('/');
        if !prefix.is_empty() && tawasul_media::storage::validate_name(prefix).is_err() {
            return Err(AppError::Config(format!(
                "storage.prefix `{}` must be folder names of letters, digits, dots, hyphens and underscores, separated by /",
                self.prefix
            )));
        }
        if self.access_key_id.is_empty() || self.secret_access_key.is_empty() {
            return Err(AppError::Config(
                "storage.backend = \"s3\" needs the bucket's key in the environment: TAWASUL_S3_ACCESS_KEY_ID and TAWASUL_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)".to_owned(),
            ));
        }
        Ok(())
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
    /// Platform admins sign in with a code from an authenticator app as
    /// well as their password: one who has not set it up yet is led to
    /// do so before anything else.
    pub require_two_factor_for_platform_admins: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            reset_link_minutes: 60,
            invitation_hours: 168,
            require_two_factor_for_platform_admins: false,
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
    /// The embedded search index's folder; default `<data>/search`. Each
    /// web node keeps its own (a second process that finds it taken
    /// searches it read-only).
    pub search: Option<PathBuf>,
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
            search: None,
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
            .field("storage", &self.storage)
            .field("search", &self.search)
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
        let mut config: Config = figment.extract().map_err(|e| {
            AppError::Config(
                e.into_iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        config.storage.read_credentials();
        config.search.read_credentials();
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
        if !(1..=64).contains(&mail.smtp_connections) {
            return Err(AppError::Config(format!(
                "mail.smtp_connections must be between 1 and 64, not {}",
                mail.smtp_connections
            )));
        }
        if mail.attachment_max_mb > 50 {
            return Err(AppError::Config(format!(
                "mail.attachment_max_mb must be between 0 and 50 (most mail servers refuse messages past 25 MB), not {}",
                mail.attachment_max_mb
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
        mail.validate()?;
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
        self.storage.validate()?;
        self.search.validate()?;
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

    pub fn search_dir(&self) -> PathBuf {
        self.paths
            .search
            .clone()
            .unwrap_or_else(|| self.paths.data.join("search"))
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

    /// A CA certificate (`openssl req -x509`, P-256), for `mail.ca_file`.
    const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBmjCCAT+gAwIBAgIUOCBP5gfai42FgUDIGN/lCmH05TowCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWVGF3YXN1bCBjb25maWcgdGVzdCBDQTAgFw0yNjEyMDMxMDMy
NTZaGA8yMTI2MTEwOTEwMzI1NlowITEfMB0GA1UEAwwWVGF3YXN1bCBjb25maWcg
dGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHRh7OZHkT4P2H9nH5tb
jsQBLFaT4t9aZnCfrmuvFsDkzRQgF/jDEM2FPBJsJUSHpCQCSTgtDZMypJgEjXV9
6/SjUzBRMB0GA1UdDgQWBBTSILlja71TvAvzJMJyHFtjIjuRRTAfBgNVHSMEGDAW
gBTSILlja71TvAvzJMJyHFtjIjuRRTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0kAMEYCIQDGNekb6rpT8ogo2nYHrqho1yAuxkRiL9Kc2uYDD/CEhwIhAJIR
uTQWNaiG96o7uLyeCCKQRXDKrdTaNemUOQN4qGbK
-----END CERTIFICATE-----
";
    /// A DKIM key (`openssl genpkey -algorithm ed25519`), for tests only.
    const TEST_DKIM_KEY: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDAklxn+hPnjs0wXR13KC2KiXjxWk+zRLuHlEUmQPOFZ
-----END PRIVATE KEY-----
";

    fn load_mail(files: &[(&str, &str)], env: &[(&str, &str)]) -> Result<MailConfig, String> {
        let mut loaded = Err(String::new());
        Jail::expect_with(|jail| {
            for (name, content) in files {
                jail.create_file(name, content)?;
            }
            for (key, value) in env {
                jail.set_env(key, value);
            }
            loaded = Config::load(None)
                .map(|c| c.mail)
                .map_err(|e| e.to_string());
            Ok(())
        });
        loaded
    }

    #[test]
    fn the_relays_tls_port_and_files_are_checked_at_load() {
        let ca = ("ca.pem", TEST_CA);
        let key = ("dkim.pem", TEST_DKIM_KEY);
        let not_pem = ("notes.txt", "the relay's CA is on the intranet");
        // (case, files, the message names these)
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [&'a str]);
        let refused: &[Case<'_>] = &[
            (
                "an unknown mode",
                vec![("tawasul.toml", "[mail]\ntls = \"yes\"\n")],
                &["mail.tls", "required", "starttls", "none"],
            ),
            (
                "STARTTLS on 465",
                vec![("tawasul.toml", "[mail]\ntls = \"starttls\"\nsmtp_port = 465\n")],
                &["mail.smtp_port", "465", "mail.tls = \"required\""],
            ),
            (
                "implicit TLS on 587",
                vec![("tawasul.toml", "[mail]\ntls = \"required\"\nsmtp_port = 587\n")],
                &["mail.smtp_port", "587", "mail.tls = \"starttls\""],
            ),
            (
                "a CA file that is not there",
                vec![("tawasul.toml", "[mail]\nca_file = \"missing-ca.pem\"\n")],
                &["mail.ca_file", "missing-ca.pem", "cannot be read"],
            ),
            (
                "a CA file without a certificate",
                vec![not_pem, ("tawasul.toml", "[mail]\nca_file = \"notes.txt\"\n")],
                &["mail.ca_file", "notes.txt", "no certificate"],
            ),
            (
                "a CA file without TLS",
                vec![ca, ("tawasul.toml", "[mail]\ntls = \"none\"\nca_file = \"ca.pem\"\n")],
                &["mail.ca_file", "mail.tls = \"none\""],
            ),
            (
                "the former name disagreeing",
                vec![("tawasul.toml", "[mail]\nsmtp_security = \"none\"\ntls = \"required\"\n")],
                &["mail.smtp_security", "mail.tls"],
            ),
            (
                "a DKIM key that is not there",
                vec![(
                    "tawasul.toml",
                    "[mail]\ndkim_selector = \"s1\"\ndkim_domain = \"dp.example.ma\"\ndkim_key_file = \"missing.pem\"\n",
                )],
                &["mail.dkim_key_file", "missing.pem"],
            ),
            (
                "a DKIM key that is not a key",
                vec![not_pem, (
                    "tawasul.toml",
                    "[mail]\ndkim_selector = \"s1\"\ndkim_domain = \"dp.example.ma\"\ndkim_key_file = \"notes.txt\"\n",
                )],
                &["mail.dkim_key_file", "notes.txt", "PEM"],
            ),
            (
                "a DKIM selector that is no DNS name",
                vec![key, (
                    "tawasul.toml",
                    "[mail]\ndkim_selector = \"s 1\"\ndkim_domain = \"dp.example.ma\"\ndkim_key_file = \"dkim.pem\"\n",
                )],
                &["mail.dkim_selector", "s 1"],
            ),
        ];
        for (case, files, named) in refused {
            let message = load_mail(files, &[]).expect_err(case);
            for part in *named {
                assert!(message.contains(part), "{case}: {part:?} not in {message}");
            }
        }

        let mail = load_mail(
            &[
                ca,
                key,
                (
                    "tawasul.toml",
                    "[mail]\ntransport = \"smtp\"\nsmtp_host = \"relay.dp.example.ma\"\ntls = \"required\"\nca_file = \"ca.pem\"\n\
                     dkim_selector = \"s1\"\ndkim_domain = \"dp.example.ma\"\ndkim_key_file = \"dkim.pem\"\n",
                ),
            ],
            &[],
        )
        .expect("a relay with a private CA and a DKIM key");
        assert_eq!((mail.tls_mode(), mail.relay_port()), ("required", 465));

        let mail = load_mail(&[], &[]).expect("defaults");
        assert_eq!((mail.tls_mode(), mail.relay_port()), ("starttls", 587));
        let mail = load_mail(&[], &[("TAWASUL_MAIL_TLS", "none")]).expect("none");
        assert_eq!((mail.tls_mode(), mail.relay_port()), ("none", 587));
        let mail = load_mail(
            &[("tawasul.toml", "[mail]\ntls = \"none\"\nsmtp_port = 25\n")],
            &[],
        )
        .expect("a port of one's own");
        assert_eq!(mail.relay_port(), 25);
        // Files written with the former name still work.
        let mail = load_mail(
            &[("tawasul.toml", "[mail]\nsmtp_security = \"tls\"\n")],
            &[],
        )
        .expect("the former name");
        assert_eq!((mail.tls_mode(), mail.relay_port()), ("required", 465));
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

    const S3: &str =
        "[storage]\nbackend = \"s3\"\nendpoint = \"https://s3.example.ma\"\nbucket = \"media\"\n";

    #[test]
    fn a_wrong_storage_key_is_named() {
        let table = [
            ("[storage]\nbackend = \"ftp\"\n", "storage.backend"),
            (
                "[storage]\nbackend = \"s3\"\nbucket = \"media\"\n",
                "storage.endpoint",
            ),
            (
                &S3.replace("https://s3.example.ma", "s3.example.ma"),
                "storage.endpoint",
            ),
            (
                &S3.replace("\"media\"", "\"Media_Files\""),
                "storage.bucket",
            ),
            (&format!("{S3}region = \"\"\n"), "storage.region"),
            (&format!("{S3}prefix = \"../up\"\n"), "storage.prefix"),
            (&format!("{S3}path_style = \"yes\"\n"), "storage.path_style"),
            // The key is never written in the file.
            (
                &format!("{S3}secret_access_key = \"x\"\n"),
                "secret_access_key",
            ),
        ];
        for (file, key) in table {
            let message = load_err(|jail| {
                jail.set_env("TAWASUL_S3_ACCESS_KEY_ID", "id");
                jail.set_env("TAWASUL_S3_SECRET_ACCESS_KEY", "secret");
                jail.create_file("tawasul.toml", file).map(drop)
            });
            assert!(message.contains(key), "{file:?} -> {message}");
        }
        let message = load_err(|jail| jail.create_file("tawasul.toml", S3).map(drop));
        assert!(
            message.contains("TAWASUL_S3_ACCESS_KEY_ID") && message.contains("AWS_ACCESS_KEY_ID"),
            "{message}"
        );
    }

    #[test]
    fn a_wrong_search_key_is_named() {
        let table = [
            ("[search]\nbackend = \"solr\"\n", "search.backend"),
            (
                "[search]\nbackend = \"meilisearch\"\nurl = \"127.0.0.1:7700\"\n",
                "search.url",
            ),
            (
                "[search]\nbackend = \"meilisearch\"\nindex = \"a b\"\n",
                "search.index",
            ),
            // The key is never written in the file.
            ("[search]\napi_key = \"x\"\n", "api_key"),
            ("[search]\nengine = \"embedded\"\n", "engine"),
        ];
        for (file, key) in table {
            let message = load_err(|jail| jail.create_file("tawasul.toml", file).map(drop));
            assert!(message.contains(key), "{file:?} -> {message}");
        }
    }

    #[test]
    fn meilisearch_is_chosen_in_the_file_and_its_key_comes_from_the_environment() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "tawasul.toml",
                "[search]\nbackend = \"meilisearch\"\nurl = \"http://10.0.0.5:7700\"\nindex = \"rsk\"\n",
            )?;
            jail.set_env("TAWASUL_MEILI_KEY", "meili-secret");
            let config = Config::load(None).expect("loads");
            assert!(config.search.is_meilisearch());
            assert_eq!(config.search.url, "http://10.0.0.5:7700");
            assert_eq!(config.search.index, "rsk");
            assert_eq!(config.search.api_key, "meili-secret");
            let shown = format!("{config:?}");
            assert!(!shown.contains("meili-secret"), "{shown}");
            jail.set_env("TAWASUL_SEARCH_INDEX", "rsk_staging");
            let config = Config::load(None).expect("loads");
            assert_eq!(config.search.index, "rsk_staging");
            Ok(())
        });
    }

    #[test]
    fn the_buckets_key_comes_from_the_environment_and_stays_out_of_logs() {
        Jail::expect_with(|jail| {
            jail.create_file("tawasul.toml", S3)?;
            jail.set_env("AWS_ACCESS_KEY_ID", "aws-id");
            jail.set_env("AWS_SECRET_ACCESS_KEY", "aws-secret");
            let config = Config::load(None).expect("AWS_* variables are enough");
            assert_eq!(config.storage.access_key_id, "aws-id");
            jail.set_env("TAWASUL_S3_ACCESS_KEY_ID", "own-id");
            jail.set_env("TAWASUL_S3_SECRET_ACCESS_KEY", "own-secret");
            jail.set_env("TAWASUL_STORAGE_PREFIX", "tawasul/prod");
            let config = Config::load(None).expect("loads");
            assert_eq!(config.storage.access_key_id, "own-id");
            assert_eq!(config.storage.secret_access_key, "own-secret");
            assert_eq!(config.storage.prefix, "tawasul/prod");
            let shown = format!("{config:?}");
            assert!(!shown.contains("own-secret"), "{shown}");
            Ok(())
        });
    }
}

//! Persistence of Tawasul: sea-orm entities and the repositories over them.
//! `Store::connect` opens SQLite or PostgreSQL from a URL and runs the
//! migrations; it is the only crate that speaks SQL. Callers get plain
//! records (`entities::*::Model` re-exported under record names) and never
//! build queries themselves.

mod accounts;
mod changes;
mod circulars;
mod digest;
mod directory;
mod editorial;
pub mod entities;
mod entries;
mod error;
mod import_jobs;
mod imports;
mod index_log;
mod media;
mod menus;
mod network;
mod newsletter;
mod outbox;
mod pending_changes;
mod people;
mod recommendations;
mod two_factor;
mod upkeep;
mod users;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

pub use accounts::{ApiTokenRow, NewSession, SessionRow};
pub use changes::Change;
pub use circulars::{
    reminder_mail_key, CircularDelivery, CircularRecipientRow, CircularRow, CircularSend,
    NewCircularRecipient,
};
pub use digest::{DigestItemRow, HELD_KIND};
pub use directory::{
    notice_mail_key, AudienceRow, ContactInput, ContactRow, DirectoryQuery, ImportCounts,
    InstitutionInput, InstitutionRow, NewNotice, NoticeDelivery, NoticeRow,
};
pub use editorial::{
    Activity, AdminEntry, AdminQuery, ChangePublication, EntryEdit, Outcome, StatusChange,
};
pub use entries::{EntryDraft, EntryQuery, EntrySummary, Page, Saved};
pub use error::StoreError;
pub use import_jobs::{job_state, ImportJobRow, NewImportJob};
pub use imports::{ImportTarget, RedirectRow};
pub use media::{
    gallery_ids, gallery_text, CoverEdit, MediaMeta, MediaRow, NewMedia, NewRendition, RenditionRow,
};
pub use menus::NewMenuItem;
pub use network::{NetworkRows, NewSite, SiteSettingsUpdate};
pub use newsletter::{IssueMail, NewIssue, NewsletterIssueRow, SubscriberRow};
pub use outbox::{
    AuditFilter, AuditRow, Delivery, NewAudit, NewMail, OutboxPage, OutboxRow, OutboxScope,
};
pub use pending_changes::ChangeStep;
pub use people::{AccountFilter, Disabled};
pub use recommendations::{
    FieldChange as RecommendationChange, RecommendationEventRow, RecommendationQuery,
    RecommendationRow, RecommendationWrite,
};
pub use two_factor::LoginChallengeRow;

pub type SiteRow = entities::site::Model;
pub type SiteHostRow = entities::site_host::Model;
pub type MenuItemRow = entities::menu_item::Model;
pub type SiteTemplateRow = entities::site_template::Model;
pub type UserRow = entities::user::Model;
pub type MembershipRow = entities::membership::Model;
pub type ProgrammeRow = entities::programme::Model;
pub type CategoryRow = entities::category::Model;
pub type TagRow = entities::tag::Model;
pub type EntryRow = entities::entry::Model;
pub type RevisionRow = entities::revision::Model;
pub type WorkflowEventRow = entities::workflow_event::Model;
pub type PendingChangeRow = entities::pending_change::Model;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database. Cheap to clone: it wraps a connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Statements sent, for stating the round trips a page costs.
    queries: Arc<AtomicU64>,
}

impl Store {
    /// Opens the database at `url` (`sqlite://…?mode=rwc` or `postgres://…`)
    /// with a pool of at most `max_connections`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections.max(1))
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let mut db = Database::connect(options).await?;
        let queries = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&queries);
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        if db.get_database_backend() == DbBackend::Sqlite {
            // WAL lets readers go on while the importer or an editor writes.
            db.execute_unprepared("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
                .await?;
        }
        Ok(Store { db, queries })
    }

    /// How many statements this store has sent so far.
    pub fn queries_run(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Brings the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Answers when the database does: what `/healthz` asks.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            DbBackend::MySql => "mysql",
        }
    }
}

/// The highest page number any list serves. Beyond it a page would skip
/// more rows than a database counts in a signed 64-bit offset; nobody
/// pages that far, so a larger number is read as this one (an empty page).
pub const MAX_PAGE: u64 = 1_000_000;
/// The most rows one page may hold.
pub const MAX_PER_PAGE: u64 = 1_000;

/// How many rows to skip for `page` (1-based) of `per_page` rows: the one
/// place where a page number from a URL becomes an offset, clamped so that
/// no number, however large, overflows or reaches the database out of range.
pub fn page_offset(page: u64, per_page: u64) -> u64 {
    page.clamp(1, MAX_PAGE).saturating_sub(1) * per_page.clamp(1, MAX_PER_PAGE)
}

pub(crate) fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Scratch databases for tests: each test gets its own, so tests never see
/// each other's rows and need no ordering.
pub mod testing {
    use std::sync::atomic::{AtomicU32, Ordering};

    use sea_orm::{ConnectionTrait, Database};

    use crate::Result;

    static COUNTER: AtomicU32 = AtomicU32::new(0);

    /// Creates an empty PostgreSQL database on the server of `server_url`
    /// and returns its URL. Names start with `tawasul_t_` so a CI run can
    /// drop the leftovers of earlier runs.
    pub async fn fresh_postgres_database(server_url: &str) -> Result<String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!(
            "tawasul_t_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Database::connect(server_url).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        admin.close().await?;
        let (without_query, query) = match server_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (server_url, String::new()),
        };
        let base = match without_query.rfind('/') {
            Some(slash) if slash > without_query.find("://").map_or(0, |i| i + 2) => {
                &without_query[..slash]
            }
            _ => without_query,
        };
        Ok(format!("{base}/{name}{query}"))
    }
}

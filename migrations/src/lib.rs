//! The schema of Tawasul, one append-only migration set for SQLite and
//! PostgreSQL. Migrations are named by date and intent and written against
//! table names, never against entities, so they stay true as entities change.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_network;
mod m20261123_000002_change_log;
mod m20261123_000003_list_indexes;
mod m20261202_000001_accounts;
mod m20261202_000002_index_log;
mod m20261202_000003_outbox_claims;
mod m20261202_000004_media;
mod m20261202_000005_outbox_templates;
mod m20261202_000006_directory;
mod m20261202_000007_newsletter;
mod m20261202_000008_entry_media;
mod m20261202_000009_revision_media;
mod m20261203_000001_circulars;
mod m20261203_100001_import_sources;
mod m20261203_200001_import_jobs;
mod m20261203_300001_pending_changes;
mod m20261203_500001_upkeep_tasks;
mod m20261210_100001_account_state;
mod m20261210_100002_two_factor;
mod m20261211_000001_menus;
mod m20261212_000001_recommendations;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_network::Migration),
            Box::new(m20261123_000002_change_log::Migration),
            Box::new(m20261123_000003_list_indexes::Migration),
            Box::new(m20261202_000001_accounts::Migration),
            Box::new(m20261202_000002_index_log::Migration),
            Box::new(m20261202_000003_outbox_claims::Migration),
            Box::new(m20261202_000004_media::Migration),
            Box::new(m20261202_000005_outbox_templates::Migration),
            Box::new(m20261202_000006_directory::Migration),
            Box::new(m20261202_000007_newsletter::Migration),
            Box::new(m20261202_000008_entry_media::Migration),
            Box::new(m20261202_000009_revision_media::Migration),
            Box::new(m20261203_000001_circulars::Migration),
            Box::new(m20261203_100001_import_sources::Migration),
            Box::new(m20261203_200001_import_jobs::Migration),
            Box::new(m20261203_300001_pending_changes::Migration),
            Box::new(m20261210_100001_account_state::Migration),
            Box::new(m20261210_100002_two_factor::Migration),
            Box::new(m20261203_500001_upkeep_tasks::Migration),
            Box::new(m20261211_000001_menus::Migration),
            Box::new(m20261212_000001_recommendations::Migration),
        ]
    }
}

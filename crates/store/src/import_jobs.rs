//! Imports of old sites run from the admin: one row per uploaded export,
//! from its dry run to the end of its import (migration
//! `m20261203_200001_import_jobs` says what each column holds).
//!
//! A job takes its site with `active_site_id` when it is confirmed and
//! gives it back when it ends; the column's unique index is what refuses a
//! second import into the site, on every node at once.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use time::OffsetDateTime;

use crate::entities::import_job;
use crate::{now, Result, Store};

pub type ImportJobRow = import_job::Model;

/// The states a job goes through, as stored.
pub mod job_state {
    /// The dry run is done; the import waits for the person to confirm.
    pub const PLANNED: &str = "planned";
    /// Confirmed, about to run.
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
    /// Its process stopped before the end (seen from its heartbeat).
    pub const INTERRUPTED: &str = "interrupted";
}

/// An uploaded export whose dry run is done.
#[derive(Debug, Clone)]
pub struct NewImportJob {
    pub site_id: i32,
    pub format: String,
    pub file_path: String,
    pub file_name: String,
    pub file_size: i64,
    pub fetch_media: bool,
    pub author_email: Option<String>,
    /// The dry run's report, as JSON.
    pub report: String,
    pub created_by: Option<i32>,
}

impl Store {
    pub async fn create_import_job(&self, job: NewImportJob) -> Result<ImportJobRow> {
        Ok(import_job::ActiveModel {
            site_id: Set(job.site_id),
            format: Set(job.format),
            file_path: Set(job.file_path),
            file_name: Set(job.file_name),
            file_size: Set(job.file_size),
            fetch_media: Set(job.fetch_media),
            author_email: Set(job.author_email),
            state: Set(job_state::PLANNED.to_owned()),
            active_site_id: Set(None),
            phase: Set(String::new()),
            done: Set(0),
            total: Set(0),
            report: Set(job.report),
            error: Set(None),
            created_by: Set(job.created_by),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    pub async fn import_job(&self, id: i32) -> Result<Option<ImportJobRow>> {
        Ok(import_job::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// A site's jobs, newest first.
    pub async fn import_jobs_of(&self, site_id: i32, limit: u64) -> Result<Vec<ImportJobRow>> {
        Ok(import_job::Entity::find()
            .filter(import_job::Column::SiteId.eq(site_id))
            .order_by_desc(import_job::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The job that holds the site now, if one does.
    pub async fn active_import_job(&self, site_id: i32) -> Result<Option<ImportJobRow>> {
        Ok(import_job::Entity::find()
            .filter(import_job::Column::ActiveSiteId.eq(site_id))
            .one(&self.db)
            .await?)
    }

    /// The files of the jobs that hold their site now (queued or running).
    pub async fn active_import_files(&self) -> Result<Vec<String>> {
        Ok(import_job::Entity::find()
            .select_only()
            .column(import_job::Column::FilePath)
            .filter(import_job::Column::ActiveSiteId.is_not_null())
            .into_tuple::<String>()
            .all(&self.db)
            .await?)
    }

    /// Gives the site back from a job whose process stopped beating before
    /// `stale_before`: it is interrupted. Returns how many were.
    pub async fn interrupt_stale_import(
        &self,
        site_id: i32,
        stale_before: OffsetDateTime,
    ) -> Result<u64> {
        let result = import_job::Entity::update_many()
            .col_expr(
                import_job::Column::State,
                Expr::value(job_state::INTERRUPTED),
            )
            .col_expr(
                import_job::Column::ActiveSiteId,
                Expr::value(Option::<i32>::None),
            )
            .filter(import_job::Column::ActiveSiteId.eq(site_id))
            .filter(
                Condition::any()
                    .add(import_job::Column::HeartbeatAt.lt(stale_before))
                    .add(import_job::Column::HeartbeatAt.is_null()),
            )
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Takes the site for a job and queues it: a planned job being
    /// confirmed, or one that failed or was interrupted being run again.
    /// `Ok(false)` when the job is in none of these states (someone else
    /// started it); a conflict when another job holds the site.
    pub async fn queue_import_job(
        &self,
        id: i32,
        site_id: i32,
        stale_before: OffsetDateTime,
    ) -> Result<bool> {
        let stamp = now();
        let result = import_job::Entity::update_many()
            .col_expr(import_job::Column::State, Expr::value(job_state::QUEUED))
            .col_expr(import_job::Column::ActiveSiteId, Expr::value(Some(site_id)))
            .col_expr(import_job::Column::HeartbeatAt, Expr::value(Some(stamp)))
            .col_expr(
                import_job::Column::ConfirmedAt,
                Expr::col(import_job::Column::ConfirmedAt).if_null(stamp),
            )
            .col_expr(
                import_job::Column::Error,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                import_job::Column::FinishedAt,
                Expr::value(Option::<OffsetDateTime>::None),
            )
            .filter(import_job::Column::Id.eq(id))
            .filter(import_job::Column::SiteId.eq(site_id))
            .filter(
                Condition::any()
                    .add(import_job::Column::State.is_in([
                        job_state::PLANNED,
                        job_state::FAILED,
                        job_state::INTERRUPTED,
                    ]))
                    .add(
                        Condition::all()
                            .add(
                                import_job::Column::State
                                    .is_in([job_state::QUEUED, job_state::RUNNING]),
                            )
                            .add(import_job::Column::HeartbeatAt.lt(stale_before)),
                    ),
            )
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// The process that queued the job starts it.
    pub async fn import_job_started(&self, id: i32) -> Result<bool> {
        let stamp = now();
        let result = import_job::Entity::update_many()
            .col_expr(import_job::Column::State, Expr::value(job_state::RUNNING))
            .col_expr(import_job::Column::StartedAt, Expr::value(Some(stamp)))
            .col_expr(import_job::Column::HeartbeatAt, Expr::value(Some(stamp)))
            .filter(import_job::Column::Id.eq(id))
            .filter(import_job::Column::State.eq(job_state::QUEUED))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Where a running job stands; also its heartbeat.
    pub async fn import_job_progress(
        &self,
        id: i32,
        phase: &str,
        done: i64,
        total: i64,
    ) -> Result<()> {
        import_job::Entity::update_many()
            .col_expr(import_job::Column::Phase, Expr::value(phase))
            .col_expr(import_job::Column::Done, Expr::value(done))
            .col_expr(import_job::Column::Total, Expr::value(total))
            .col_expr(import_job::Column::HeartbeatAt, Expr::value(Some(now())))
            .filter(import_job::Column::Id.eq(id))
            .filter(import_job::Column::State.eq(job_state::RUNNING))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The end of a run (`done` or `failed`): the site is free again.
    pub async fn finish_import_job(
        &self,
        id: i32,
        state: &str,
        report: Option<String>,
        error: Option<String>,
    ) -> Result<()> {
        let mut update = import_job::Entity::update_many()
            .col_expr(import_job::Column::State, Expr::value(state))
            .col_expr(
                import_job::Column::ActiveSiteId,
                Expr::value(Option::<i32>::None),
            )
            .col_expr(import_job::Column::FinishedAt, Expr::value(Some(now())))
            .col_expr(import_job::Column::Error, Expr::value(error));
        if let Some(report) = report {
            update = update.col_expr(import_job::Column::Report, Expr::value(report));
        }
        update
            .filter(import_job::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Moves a job's heartbeat, as a process that died would have left it
    /// (for tests of what a later visit sees).
    pub async fn set_import_job_heartbeat(
        &self,
        id: i32,
        state: &str,
        at: OffsetDateTime,
    ) -> Result<()> {
        let row = import_job::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(crate::StoreError::NotFound("import job"))?;
        let mut active: import_job::ActiveModel = row.clone().into();
        active.state = Set(state.to_owned());
        active.heartbeat_at = Set(Some(at));
        if matches!(state, job_state::QUEUED | job_state::RUNNING) {
            active.active_site_id = Set(Some(row.site_id));
        }
        active.update(&self.db).await?;
        Ok(())
    }
}

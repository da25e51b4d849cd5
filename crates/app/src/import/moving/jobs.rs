//! Moving in from the admin: a site admin uploads an export, reads the dry
//! run's report, confirms, and the import runs in a background task of the
//! node that received the file, while the page follows its progress.
//!
//! Each upload is an `import_jobs` row (`store::import_jobs`), so every
//! node and every later visit see where it stands. The running process
//! touches the row every few seconds; a job whose heartbeat stopped was
//! left by a process that died, and is shown as interrupted, to be run
//! again (the import resumes by design: every item is remembered by its
//! old id).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tawasul_domain::Operation;
use tawasul_store::{job_state, ImportJobRow, NewImportJob};
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

use super::{Format, MoveOptions, MoveReport};
use crate::{App, AppError, ImportProblem, Viewer};

/// How often a running job tells the database it is alive.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// A job silent for this long belongs to a process that stopped.
const STALE_AFTER: time::Duration = time::Duration::seconds(30);
/// How many past imports a site's page lists.
const LISTED: u64 = 50;
/// An export nobody confirmed (or ran again) for this long is deleted: it
/// is uploaded again when wanted.
const KEEP_FILES: Duration = Duration::from_secs(7 * 24 * 3600);
/// The most of a file read to tell which system wrote it.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Where a job stands, as people see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Planned,
    Queued,
    Running,
    Done,
    Failed,
    Interrupted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Planned => job_state::PLANNED,
            JobState::Queued => job_state::QUEUED,
            JobState::Running => job_state::RUNNING,
            JobState::Done => job_state::DONE,
            JobState::Failed => job_state::FAILED,
            JobState::Interrupted => job_state::INTERRUPTED,
        }
    }

    /// Still going: the page follows it.
    pub fn is_active(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }

    /// May be started again (it resumes).
    pub fn may_run_again(self) -> bool {
        matches!(self, JobState::Failed | JobState::Interrupted)
    }
}

/// A job of a site, read for a page.
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub id: i32,
    pub site_id: i32,
    pub format: Format,
    pub file_name: String,
    pub file_size: i64,
    pub fetch_media: bool,
    /// Every entry goes to this account; `None`: the export's authors.
    pub author_email: Option<String>,
    pub state: JobState,
    pub phase: String,
    pub done: i64,
    pub total: i64,
    /// The dry run's report until the import ends, then the import's.
    pub report: MoveReport,
    pub error: Option<String>,
    pub created_by: Option<i32>,
    /// The name of who uploaded it, when the account still exists.
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl ImportJob {
    fn from_row(row: ImportJobRow, now: OffsetDateTime) -> ImportJob {
        let alive = row.heartbeat_at.is_some_and(|at| at >= now - STALE_AFTER);
        let state = match row.state.as_str() {
            job_state::QUEUED if alive => JobState::Queued,
            job_state::RUNNING if alive => JobState::Running,
            job_state::QUEUED | job_state::RUNNING | job_state::INTERRUPTED => {
                JobState::Interrupted
            }
            job_state::DONE => JobState::Done,
            job_state::FAILED => JobState::Failed,
            _ => JobState::Planned,
        };
        let format = if row.format == Format::Blogger.source() {
            Format::Blogger
        } else {
            Format::WordPress
        };
        // A report the code of another version cannot read is shown as
        // empty rather than failing the page.
        let report = serde_json::from_str(&row.report).unwrap_or_default();
        ImportJob {
            id: row.id,
            site_id: row.site_id,
            format,
            file_name: row.file_name,
            file_size: row.file_size,
            fetch_media: row.fetch_media,
            author_email: row.author_email,
            state,
            phase: row.phase,
            done: row.done,
            total: row.total,
            report,
            error: row.error,
            created_by: row.created_by,
            created_by_name: None,
            created_at: row.created_at,
            finished_at: row.finished_at,
        }
    }
}

/// An export being received, written to a file under the data folder as
/// it arrives, never held whole in memory.
#[derive(Debug)]
pub struct ImportUpload {
    path: PathBuf,
    file: tokio::fs::File,
    written: u64,
    limit: u64,
}

impl ImportUpload {
    /// Adds a piece of the file. `Ok(false)`: the file is larger than the
    /// configured limit; it is deleted and nothing more is taken.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<bool, AppError> {
        self.written += chunk.len() as u64;
        if self.written > self.limit {
            return Ok(false);
        }
        self.file.write_all(chunk).await.map_err(|e| AppError::Io {
            context: format!("writing {}", self.path.display()),
            source: e,
        })?;
        Ok(true)
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Gives the file up (a refused form, a file too large).
    pub async fn discard(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}

/// What the person chose with the file.
#[derive(Debug, Clone, Default)]
pub struct JobChoices {
    /// `None`: told from the file.
    pub format: Option<Format>,
    pub fetch_media: bool,
    /// Every entry goes to the person importing, rather than to the
    /// export's authors matched by e-mail.
    pub author_me: bool,
    /// The name of the file on the person's computer.
    pub file_name: String,
}

/// Which system wrote an export, from its first bytes: a WXR file is RSS
/// that names WordPress's export namespace, a Blogger backup an Atom feed
/// of Blogger's.
pub fn detect_format(path: &Path) -> Option<Format> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .ok()?;
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{FEFF}').trim_start();
    if !text.starts_with('<') {
        return None;
    }
    if text.contains("<rss") && text.contains("wordpress.org/export/") {
        Some(Format::WordPress)
    } else if text.contains("<feed") && text.contains("blogger") {
        Some(Format::Blogger)
    } else {
        None
    }
}

fn refused(path: &Path, message: &str) -> AppError {
    AppError::Import(vec![ImportProblem {
        file: path.to_owned(),
        line: None,
        message: message.to_owned(),
    }])
}

impl App {
    /// The largest export the admin accepts, in bytes.
    pub fn import_max_bytes(&self) -> u64 {
        u64::from(self.config.import.max_mb) * 1024 * 1024
    }

    fn import_folder(&self) -> PathBuf {
        self.config.paths.data.join("imports")
    }

    /// Checks that `viewer` may move an old site into `site`.
    fn import_site(&self, viewer: &Viewer, site: &str) -> Result<i32, AppError> {
        let network = self.network();
        let row = network
            .site_by_slug(site)
            .ok_or_else(|| AppError::NotFound(format!("site `{site}`")))?;
        if !viewer.may(&network, row.id, Operation::ImportSite) {
            return Err(AppError::Forbidden(format!(
                "only an administrator of {} moves an old site into it",
                row.slug
            )));
        }
        Ok(row.id)
    }

    /// Opens the file an export is received into, after checking that
    /// `viewer` may import into `site` (so nothing is written for someone
    /// who may not).
    pub async fn begin_import_upload(
        &self,
        viewer: &Viewer,
        site: &str,
    ) -> Result<ImportUpload, AppError> {
        self.import_site(viewer, site)?;
        let folder = self.import_folder();
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| AppError::Io {
                context: format!("creating {}", folder.display()),
                source: e,
            })?;
        let mut bytes = [0u8; 12];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Config(format!("no randomness: {e}")))?;
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = folder.join(format!("{name}.xml"));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| AppError::Io {
                context: format!("creating {}", path.display()),
                source: e,
            })?;
        Ok(ImportUpload {
            path,
            file,
            written: 0,
            limit: self.import_max_bytes(),
        })
    }

    /// Reads a received export through and plans its import (the dry
    /// run), remembered as a planned job. A file that is not an export of
    /// the chosen system (or of either, when none was chosen) is refused
    /// with its line, deleted, and no job is kept.
    pub async fn plan_import_job(
        &self,
        viewer: &Viewer,
        site: &str,
        mut upload: ImportUpload,
        choices: JobChoices,
    ) -> Result<ImportJob, AppError> {
        let site_id = match self.import_site(viewer, site) {
            Ok(id) => id,
            Err(e) => {
                upload.discard().await;
                return Err(e);
            }
        };
        if let Err(e) = upload.file.flush().await {
            upload.discard().await;
            return Err(AppError::Io {
                context: "saving the export".to_owned(),
                source: e,
            });
        }
        let path = upload.path.clone();
        let size = upload.written;
        drop(upload.file);
        let outcome = self
            .plan_import_file(viewer, site, site_id, &path, size, choices)
            .await;
        if outcome.is_err() {
            let _ = tokio::fs::remove_file(&path).await;
        }
        outcome
    }

    async fn plan_import_file(
        &self,
        viewer: &Viewer,
        site: &str,
        site_id: i32,
        path: &Path,
        size: u64,
        choices: JobChoices,
    ) -> Result<ImportJob, AppError> {
        if size == 0 {
            return Err(refused(path, "the file is empty"));
        }
        let detected = {
            let path = path.to_owned();
            tokio::task::spawn_blocking(move || detect_format(&path))
                .await
                .ok()
                .flatten()
        };
        let format = match (choices.format, detected) {
            (Some(chosen), _) => chosen,
            (None, Some(found)) => found,
            (None, None) => {
                return Err(refused(
                    path,
                    "this is neither a WordPress export (WXR) nor a Blogger backup",
                ))
            }
        };
        let author_email = choices.author_me.then(|| viewer.user.email.clone());
        let options = MoveOptions {
            format,
            file: path.to_owned(),
            site: site.to_owned(),
            uploads: None,
            fetch_media: choices.fetch_media,
            author: author_email.clone(),
            dry_run: true,
        };
        let report = self.move_in(&options, &|_| {}).await?;
        let report_json = serde_json::to_string(&report)
            .map_err(|e| AppError::Config(format!("the report cannot be written: {e}")))?;
        let row = self
            .store()
            .create_import_job(NewImportJob {
                site_id,
                format: format.source().to_owned(),
                file_path: path.to_string_lossy().into_owned(),
                file_name: choices.file_name.chars().take(200).collect(),
                file_size: i64::try_from(size).unwrap_or(i64::MAX),
                fetch_media: choices.fetch_media,
                author_email,
                report: report_json,
                created_by: Some(viewer.user.id),
            })
            .await?;
        Ok(ImportJob::from_row(row, OffsetDateTime::now_utc()))
    }

    /// Deletes the exports of this node's data folder that waited longer
    /// than a week (planned and never confirmed, failed, interrupted),
    /// never one whose import runs now. Returns how many went.
    pub async fn clean_stale_import_files(&self) -> usize {
        let folder = self.import_folder();
        let Ok(mut dir) = tokio::fs::read_dir(&folder).await else {
            return 0;
        };
        let active = match self.store().active_import_files().await {
            Ok(paths) => paths,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the running imports");
                return 0;
            }
        };
        let mut removed = 0;
        while let Ok(Some(entry)) = dir.next_entry().await {
            let path = entry.path();
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|at| at.elapsed().ok())
                .is_some_and(|age| age > KEEP_FILES);
            let running = active.iter().any(|p| Path::new(p) == path);
            if old && !running && tokio::fs::remove_file(&path).await.is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Refuses when an import from the admin into `site` is running on
    /// some node now: the command line keeps to one import at a time too.
    pub async fn refuse_while_importing(&self, site: &str) -> Result<(), AppError> {
        let Some(site_row) = self.network().site_by_slug(site).cloned() else {
            return Ok(());
        };
        let Some(row) = self.store().active_import_job(site_row.id).await? else {
            return Ok(());
        };
        let job = ImportJob::from_row(row, OffsetDateTime::now_utc());
        if job.state.is_active() {
            return Err(AppError::Conflict(format!(
                "an import into {site} started from the admin is running (import {}): wait until it ends",
                job.id
            )));
        }
        Ok(())
    }

    /// The imports of a site, newest first, with the one running now.
    pub async fn import_jobs(
        &self,
        viewer: &Viewer,
        site: &str,
    ) -> Result<Vec<ImportJob>, AppError> {
        let site_id = self.import_site(viewer, site)?;
        let now = OffsetDateTime::now_utc();
        let jobs = self
            .store()
            .import_jobs_of(site_id, LISTED)
            .await?
            .into_iter()
            .map(|row| ImportJob::from_row(row, now))
            .collect();
        self.with_uploaders(jobs).await
    }

    /// Names who uploaded each job, in one query.
    async fn with_uploaders(&self, mut jobs: Vec<ImportJob>) -> Result<Vec<ImportJob>, AppError> {
        let mut ids: Vec<i32> = jobs.iter().filter_map(|j| j.created_by).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(jobs);
        }
        let users = self.store().users_by_ids(&ids).await?;
        for job in &mut jobs {
            job.created_by_name = users
                .iter()
                .find(|u| Some(u.id) == job.created_by)
                .map(|u| u.name.clone());
        }
        Ok(jobs)
    }

    /// One import of a site.
    pub async fn import_job(
        &self,
        viewer: &Viewer,
        site: &str,
        id: i32,
    ) -> Result<ImportJob, AppError> {
        let site_id = self.import_site(viewer, site)?;
        match self.store().import_job(id).await? {
            Some(row) if row.site_id == site_id => {
                let job = ImportJob::from_row(row, OffsetDateTime::now_utc());
                let mut named = self.with_uploaders(vec![job]).await?;
                named
                    .pop()
                    .ok_or_else(|| AppError::NotFound(format!("import {id}")))
            }
            _ => Err(AppError::NotFound(format!("import {id}"))),
        }
    }

    /// Starts a planned import (the person confirmed), or runs a failed or
    /// interrupted one again, in a background task of this process.
    /// Refused with a conflict while another import into the site runs.
    pub async fn start_import_job(
        self: &Arc<Self>,
        viewer: &Viewer,
        site: &str,
        id: i32,
    ) -> Result<ImportJob, AppError> {
        let job = self.import_job(viewer, site, id).await?;
        let row = self
            .store()
            .import_job(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("import {id}")))?;
        let path = PathBuf::from(&row.file_path);
        if !path.is_file() {
            // Received by another node, or already imported and deleted.
            return Err(AppError::NotFound(format!(
                "the export of import {id} on this server"
            )));
        }
        let stale_before = OffsetDateTime::now_utc() - STALE_AFTER;
        let store = self.store();
        store
            .interrupt_stale_import(job.site_id, stale_before)
            .await?;
        let queued = match store.queue_import_job(id, job.site_id, stale_before).await {
            Ok(queued) => queued,
            Err(tawasul_store::StoreError::Conflict(_)) => {
                return Err(AppError::Conflict(
                    "another import into this site is running".to_owned(),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        if !queued {
            return Err(AppError::Conflict(
                "this import has already started".to_owned(),
            ));
        }
        let options = MoveOptions {
            format: job.format,
            file: path,
            site: site.to_owned(),
            uploads: None,
            fetch_media: job.fetch_media,
            author: job.author_email.clone(),
            dry_run: false,
        };
        let app = Arc::clone(self);
        tokio::spawn(async move { app.run_import_job(id, options).await });
        self.import_job(viewer, site, id).await
    }

    async fn run_import_job(self: Arc<Self>, id: i32, options: MoveOptions) {
        let store = self.store();
        match store.import_job_started(id).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::error!(error = %e, job = id, "could not start the import");
                return;
            }
        }
        let (tx, mut rx) = tokio::sync::watch::channel((String::new(), 0usize, 0usize));
        let beat = tokio::spawn({
            let app = Arc::clone(&self);
            async move {
                let mut tick = tokio::time::interval(HEARTBEAT);
                loop {
                    tick.tick().await;
                    let (phase, done, total) = rx.borrow_and_update().clone();
                    let written = app
                        .store()
                        .import_job_progress(
                            id,
                            &phase,
                            i64::try_from(done).unwrap_or(i64::MAX),
                            i64::try_from(total).unwrap_or(i64::MAX),
                        )
                        .await;
                    if let Err(e) = written {
                        tracing::warn!(error = %e, job = id, "could not record the import's progress");
                    }
                }
            }
        });
        let progress = move |p: super::Progress<'_>| {
            tx.send_replace((p.phase.to_owned(), p.done, p.total));
        };
        // In a task of its own, so that a panic in the importer ends the
        // job as failed instead of leaving its heartbeat beating forever.
        let outcome = tokio::spawn({
            let app = Arc::clone(&self);
            let options = options.clone();
            async move { app.move_in(&options, &progress).await }
        })
        .await
        .unwrap_or_else(|e| {
            Err(AppError::Io {
                context: "the import stopped on an internal error".to_owned(),
                source: std::io::Error::other(e.to_string()),
            })
        });
        beat.abort();
        let finished = match outcome {
            Ok(report) => {
                let json = serde_json::to_string(&report).ok();
                let finished = store
                    .finish_import_job(id, job_state::DONE, json, None)
                    .await;
                // The file served its purpose; a new import uploads anew.
                if finished.is_ok() {
                    let _ = tokio::fs::remove_file(&options.file).await;
                }
                finished
            }
            Err(e) => {
                tracing::warn!(error = %e, job = id, "an import from the admin failed");
                store
                    .finish_import_job(id, job_state::FAILED, None, Some(e.to_string()))
                    .await
            }
        };
        if let Err(e) = finished {
            tracing::error!(error = %e, job = id, "could not record the end of an import");
        }
    }
}

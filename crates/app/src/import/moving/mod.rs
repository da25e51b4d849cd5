//! Moving a site in from another publishing system (WordPress, Blogger):
//! the export is read as a stream twice. The first pass plans: it reads
//! every record, converts every text, lists the files and videos it needs,
//! and finds what refuses the file as a whole (malformed XML, an unknown
//! version, two items with one id) before anything is written. The second
//! pass writes, item by item, each remembered by its old id
//! (`import_sources`): running again updates and never duplicates, and a
//! run cut short resumes. Old addresses are stored as redirects.

pub mod files;
pub mod jobs;
mod plan;
pub mod read;
pub mod report;
pub mod source;
mod write;
pub mod xml;

use std::path::{Path, PathBuf};

use files::FileSources;
pub use read::Format;
pub use report::{MoveReport, Note, Renumbered, Tally};

use crate::{App, AppError, ImportProblem};

/// What a move is asked to do.
#[derive(Debug, Clone)]
pub struct MoveOptions {
    pub format: Format,
    pub file: PathBuf,
    pub site: String,
    /// A local copy of the old site's upload folder.
    pub uploads: Option<PathBuf>,
    /// Download files from the old site when they are not in `uploads`.
    pub fetch_media: bool,
    /// Give every entry to this account (an e-mail) rather than matching
    /// the export's authors.
    pub author: Option<String>,
    /// Read, check and report; write nothing.
    pub dry_run: bool,
}

/// Where a move stands: a phase, and how far into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    pub phase: &'a str,
    pub done: usize,
    pub total: usize,
}

/// Told how a move goes, for a progress bar.
pub type OnProgress<'a> = &'a (dyn Fn(Progress<'_>) + Send + Sync);

fn refusal(file: &Path, line: Option<usize>, message: impl Into<String>) -> AppError {
    AppError::Import(vec![ImportProblem {
        file: file.to_owned(),
        line,
        message: message.into(),
    }])
}

impl App {
    /// Imports a WordPress or Blogger export into a site (or, with
    /// `dry_run`, says what it would do). Refused whole, with nothing
    /// written, when the file cannot be read as a whole; problems with
    /// single items are lines of the report.
    pub async fn move_in(
        &self,
        options: &MoveOptions,
        progress: OnProgress<'_>,
    ) -> Result<MoveReport, AppError> {
        let site = self
            .network()
            .site_by_slug(&options.site)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("site `{}`", options.site)))?;
        if options.uploads.as_deref().is_some_and(|d| !d.is_dir()) {
            return Err(AppError::NotFound(format!(
                "the upload folder {}",
                options
                    .uploads
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .display()
            )));
        }
        let author = match &options.author {
            Some(email) => Some(
                self.store()
                    .user_by_email(&email.trim().to_lowercase())
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("the account {email}")))?
                    .id,
            ),
            None => None,
        };
        let sources = FileSources {
            uploads: options.uploads.clone(),
            fetch: options.fetch_media,
        };
        let known = self
            .store()
            .import_sources(site.id, options.format.source())
            .await?;
        let mut report = MoveReport {
            dry_run: options.dry_run,
            ..MoveReport::default()
        };
        let plan = plan::plan(options, &sources, &known, &mut report, progress).await?;
        if options.dry_run {
            return Ok(report);
        }
        let mut writer =
            write::Writer::new(self, &site, options, plan, known, author, report).await?;
        writer.run(progress).await?;
        Ok(writer.finish())
    }
}

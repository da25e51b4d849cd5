use std::path::PathBuf;

use tawasul_domain::{DomainError, FieldErrors};
use tawasul_render::RenderError;
use tawasul_store::StoreError;

/// One problem in one file of an import, with the line when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the import was refused, nothing was written:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Import(Vec<ImportProblem>),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Store(StoreError),
    #[error("password hashing failed: {0}")]
    Password(String),
    /// Not signed in, or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The right password of a disabled account: said only to whoever
    /// knows the password.
    #[error("this account is disabled: ask a platform administrator")]
    AccountDisabled,
    /// An account that may not be disabled (oneself, the last platform admin).
    #[error("{0}")]
    CannotDisable(tawasul_domain::DisableRefusal),
    /// Too many failed attempts: try again after this many seconds.
    #[error("too many failed attempts: try again in {retry_after_seconds} seconds")]
    Throttled { retry_after_seconds: u64 },
    /// The entry changed since the caller read it: this is it now.
    #[error("the entry was changed by someone else (now at version {})", .current.version)]
    Stale {
        current: Box<tawasul_store::EntryRow>,
    },
    /// The search index failed (the database, the truth, is untouched).
    #[error("search: {0}")]
    Search(String),
    /// The workflow does not allow this step from the entry's state.
    #[error("{0}")]
    IllegalTransition(String),
    /// An upload or a media file was refused or could not be stored
    /// (`MediaError::http_status` says how to answer).
    #[error(transparent)]
    Media(#[from] tawasul_media::MediaError),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => AppError::Conflict(what),
            StoreError::NotFound(what) => AppError::NotFound(what.to_owned()),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        AppError::Io {
            context: context.into(),
            source,
        }
    }
}

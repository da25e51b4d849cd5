use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique rule was broken: a slug, an e-mail or a host already taken.
    #[error("{0}")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            // The database's wording names tables and columns: say it in
            // the reader's terms, keep the wording for the log.
            tracing::debug!(%detail, "unique constraint");
            let what = if detail.contains("slug") {
                "this slug is already taken"
            } else if detail.contains("email") {
                "this e-mail address already has an account"
            } else if detail.contains("host") {
                "this host name belongs to another site"
            } else {
                "this value is already taken"
            };
            return StoreError::Conflict(what.to_owned());
        }
        StoreError::Database(err)
    }
}

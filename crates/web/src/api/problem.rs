//! Errors of the JSON API as `application/problem+json` (RFC 9457), with a
//! stable `type` per kind of problem and the offending fields in `errors`.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use tawasul_app::AppError;
use tawasul_domain::DomainError;

/// A problem, boxed: it travels in `Err` through every handler.
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemBody>);

impl std::ops::Deref for Problem {
    type Target = ProblemBody;
    fn deref(&self) -> &ProblemBody {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemBody {
        &mut self.0
    }
}

#[derive(Debug, Clone)]
pub struct ProblemBody {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: BTreeMap<String, String>,
    /// Members added to the problem object (e.g. `current_version`).
    pub extra: Map<String, Value>,
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Problem(Box::new(ProblemBody {
            status,
            kind,
            title,
            detail: detail.into(),
            errors: BTreeMap::new(),
            extra: Map::new(),
            retry_after: None,
        }))
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            "Malformed request",
            detail,
        )
    }

    pub fn unauthenticated() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in first",
            "this needs a session (POST /api/v1/auth/login) or an API token (Authorization: Bearer)",
        )
    }

    pub fn csrf() -> Self {
        Problem::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Missing or wrong CSRF token",
            "requests signed in by a session cookie must send the session's token in X-CSRF-Token",
        )
    }

    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut problem = Problem::new(status, "invalid", "Invalid input", message.clone());
        problem.errors.insert(field.to_owned(), message);
        problem
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Self {
        let detail = err.to_string();
        match err {
            AppError::Invalid(errors) | AppError::Domain(DomainError::Invalid(errors)) => {
                let mut problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Invalid input",
                    "some fields need attention",
                );
                problem.errors = errors
                    .iter()
                    .map(|(f, m)| (f.to_owned(), m.to_owned()))
                    .collect();
                problem
            }
            AppError::Domain(DomainError::UnknownValue { what, .. }) => {
                let mut problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Invalid input",
                    detail.clone(),
                );
                problem.errors.insert(what.replace(' ', "_"), detail);
                problem
            }
            AppError::NotFound(_) => {
                Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
            }
            AppError::Conflict(_) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
            }
            AppError::Stale { current } => {
                let mut problem = Problem::new(
                    StatusCode::CONFLICT,
                    "stale-version",
                    "The entry changed since you read it",
                    detail,
                );
                problem
                    .extra
                    .insert("current_version".into(), json!(current.version));
                problem
                    .extra
                    .insert("entry_status".into(), json!(current.status));
                problem
            }
            AppError::IllegalTransition(_) => Problem::new(
                StatusCode::CONFLICT,
                "illegal-transition",
                "The workflow does not allow this step now",
                detail,
            ),
            AppError::Unauthorized(_) => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Not signed in",
                detail,
            ),
            AppError::Forbidden(_) => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
            }
            AppError::AccountDisabled => Problem::new(
                StatusCode::FORBIDDEN,
                "account-disabled",
                "This account is disabled",
                detail,
            ),
            AppError::CannotDisable(_) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
            }
            AppError::Throttled {
                retry_after_seconds,
            } => {
                let mut problem = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    "Too many attempts",
                    detail,
                );
                problem.retry_after = Some(retry_after_seconds);
                problem
                    .extra
                    .insert("retry_after".into(), json!(retry_after_seconds));
                problem
            }
            AppError::Search(_) => {
                tracing::error!(error = %detail, "search failed");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "search-unavailable",
                    "Search is unavailable",
                    "the search index does not answer; try again in a moment",
                )
            }
            AppError::Media(e) => {
                let status = StatusCode::from_u16(e.http_status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                if status.is_server_error() {
                    tracing::error!(error = ?e, "a media file could not be handled");
                    return Problem::new(
                        status,
                        e.code(),
                        "The file could not be handled",
                        "the file could not be stored or processed on our side; it was logged",
                    );
                }
                let title = match status {
                    StatusCode::PAYLOAD_TOO_LARGE => "Too large",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported file type",
                    StatusCode::NOT_FOUND => "Not found",
                    _ => "Invalid file",
                };
                let mut problem = Problem::new(status, e.code(), title, detail.clone());
                problem.errors.insert("file".into(), detail);
                problem
            }
            AppError::Import(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Invalid input",
                detail,
            ),
            AppError::Config(_)
            | AppError::Io { .. }
            | AppError::Render(_)
            | AppError::Store(_)
            | AppError::Password(_) => {
                tracing::error!(error = %detail, "request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "something went wrong on our side; it was logged",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let problem = *self.0;
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(format!("urn:tawasul:problem:{}", problem.kind)),
        );
        body.insert("title".into(), json!(problem.title));
        body.insert("status".into(), json!(problem.status.as_u16()));
        body.insert("detail".into(), json!(problem.detail));
        body.insert("errors".into(), json!(problem.errors));
        body.extend(problem.extra);
        let mut response = (problem.status, Value::Object(body).to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = problem.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

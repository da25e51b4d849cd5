//! The mail delivery log: platform admins see every message, site admins
//! the messages about their sites.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::App;
use time::format_description::well_known::Rfc3339;

use super::{ApiUser, Problem};

const STATUSES: [&str; 4] = ["queued", "sent", "failed", "sending"];

#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
}

pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Query(query): Query<OutboxQuery>,
) -> Result<Response, Problem> {
    let status = query.status.filter(|s| !s.is_empty());
    if let Some(s) = &status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(Problem::field(
                StatusCode::BAD_REQUEST,
                "status",
                format!("one of {}", STATUSES.join(", ")),
            ));
        }
    }
    let rows = app.outbox_for(&viewer, status.as_deref(), 200).await?;
    let network = app.network();
    let at = |t: Option<time::OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    let messages: Vec<Value> = rows
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "kind": m.kind,
                "site": m.site_id.and_then(|id| network.site(id)).map(|s| s.slug.clone()),
                "to": m.to_address,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "last_error": m.last_error,
                "created_at": at(Some(m.created_at)),
                "sent_at": at(m.sent_at),
            })
        })
        .collect();
    Ok(Json(json!({ "messages": messages })).into_response())
}

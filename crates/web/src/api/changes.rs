//! Pending changes of published entries over the API (docs/api.md): the
//! same use cases as the admin's change screens.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::editorial::PendingChange;
use tawasul_app::rows::EntryRow;
use tawasul_app::App;
use tawasul_domain::ChangeAction;

use super::entries::{entry_json, rfc3339, EntryBody};
use super::{path_id, ApiUser, JsonBody, Problem};

fn change_json(change: &PendingChange, entry: &EntryRow) -> Value {
    json!({
        "entry_id": change.entry_id,
        "status": change.status.as_str(),
        "version": change.version,
        "base_version": change.base_version,
        "live_moved_on": change.live_moved_on(entry),
        "author_id": change.author_id,
        "comment": change.comment,
        "content": change.content,
        "updated_at": rfc3339(Some(change.updated_at)),
        "submitted_at": rfc3339(change.submitted_at),
    })
}

/// `GET /entries/{id}/change`: the pending change, or 404.
pub async fn show(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let entry = app.entry_for(&viewer, id).await?;
    let change = app.pending_change(&viewer, id).await?.ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "no-change",
            "No pending change",
            "this entry has no pending change",
        )
    })?;
    Ok(Json(change_json(&change, &entry)).into_response())
}

/// `PUT /entries/{id}/change`: starts the change (no `version`) or saves it.
pub async fn save(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EntryBody>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let entry = app.entry_for(&viewer, id).await?;
    let version = body.version();
    let change = app
        .save_change(&viewer, id, version, body.into_input(&entry.locale))
        .await?;
    Ok(Json(change_json(&change, &entry)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    action: String,
    version: i32,
    #[serde(default)]
    comment: String,
}

/// `POST /entries/{id}/change/steps`: submit, send_back, publish, discard.
pub async fn step(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StepBody>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let action: ChangeAction = body.action.parse().map_err(|_| {
        Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "action",
            "one of submit, send_back, publish, discard",
        )
    })?;
    let change = app
        .change_step(&viewer, id, body.version, action, &body.comment)
        .await?;
    let entry = app.entry_for(&viewer, id).await?;
    Ok(Json(json!({
        "change": change.map(|c| change_json(&c, &entry)),
        "entry": entry_json(&app, &entry).await?,
    }))
    .into_response())
}

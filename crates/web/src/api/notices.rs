//! Sending a published entry as a notice to audiences, and the notices
//! sent with their delivery (publishers of the entry's site).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tawasul_app::directory::NoticeRequest;
use tawasul_app::{App, Viewer};

use super::{path_id, ApiUser, JsonBody, Problem};

/// `POST /entries/{id}/notices` `{audience_ids, confirm, key?}`: without
/// `confirm`, how many it would reach; with it, 201 and the notice (200
/// and the same notice when this request was already made).
pub async fn send(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NoticeRequest>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    if !body.confirm {
        return reach(&app, &viewer, id, &body).await;
    }
    let (notice, created) = app.send_notice(&viewer, id, &body).await?;
    Ok(sent(json!(notice), "created", created))
}

/// What a request not yet confirmed answers: how many it would reach,
/// through which audiences.
pub(super) async fn reach(
    app: &App,
    viewer: &Viewer,
    id: i32,
    body: &NoticeRequest,
) -> Result<Response, Problem> {
    let preview = app.notice_preview(viewer, id, &body.audience_ids).await?;
    Ok(Json(json!({
        "count": preview.recipients,
        "audiences": preview.audiences,
    }))
    .into_response())
}

/// A sending's answer: 201 when it wrote something new, else 200 (the
/// request was made before), with `flag` saying which.
pub(super) fn sent(mut body: Value, flag: &str, new: bool) -> Response {
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    if let Value::Object(map) = &mut body {
        map.insert(flag.into(), json!(new));
    }
    (status, Json(body)).into_response()
}

/// `GET /entries/{id}/notices`: newest first, with delivery counts.
pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "entry")?;
    Ok(Json(json!({ "notices": app.notices(&viewer, id).await? })))
}

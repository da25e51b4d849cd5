//! Internal circulars (docs/circulars.md): sending an approved circular to
//! audiences, where each copy stands, the list as a spreadsheet, and a
//! reminder by hand (publishers and administrators of the entry's site).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tawasul_app::directory::NoticeRequest;
use tawasul_app::App;

use super::notices::{reach, sent};
use super::{path_id, ApiUser, JsonBody, Problem};

/// `POST /entries/{id}/circular` `{audience_ids, confirm, key?}`: without
/// `confirm`, how many it would reach; with it, 201 and the circular (200
/// when this request was already made, or reached nobody new).
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
    let (circular, new) = app.send_circular(&viewer, id, &body).await?;
    Ok(sent(json!(circular), "sent", new))
}

/// `GET /entries/{id}/circular`: the reference, the counts, and each
/// institution's and person's delivery and acknowledgement.
pub async fn show(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "entry")?;
    match app.circular_status(&viewer, id).await? {
        Some(view) => Ok(Json(json!(view))),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-sent",
            "Not sent yet",
            "this circular has not been sent to anyone yet",
        )),
    }
}

/// `GET /entries/{id}/circular.csv`: the same list as a spreadsheet.
pub async fn csv(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "entry")?;
    let body = app.circular_csv(&viewer, id).await?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"circular-{id}-acknowledgements.csv\""
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `POST /entries/{id}/circular/reminders`: a reminder to everyone who
/// has not acknowledged; 409 within an hour of the last one.
pub async fn remind(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "entry")?;
    let queued = app.remind_circular(&viewer, id).await?;
    Ok(Json(json!({ "queued": queued })))
}

//! The media library over the API: uploads (multipart, streamed to a
//! temporary file, never held whole in memory), video links, the library of
//! a site, an item with where it is used, its description, its deletion.

use std::sync::Arc;

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::media::{MediaInput, MediaItem, ReceivedFile, Uploaded};
use tawasul_app::{App, AppError, Viewer};
use tokio::io::AsyncWriteExt;

use super::{path_id, ApiUser, JsonBody, Problem};

/// Longest text field of an upload form, in bytes: a caption is short.
const MAX_TEXT_FIELD: usize = 8 * 1024;

/// The body limit of the upload route: the largest file plus the form.
pub const UPLOAD_BODY_LIMIT: usize = tawasul_app::media::MAX_VIDEO_BYTES as usize + 1024 * 1024;

fn multipart_problem(e: &MultipartError) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Too large",
            format!(
                "the upload is larger than the limit of {} MB",
                tawasul_app::media::MAX_VIDEO_BYTES / (1024 * 1024)
            ),
        )
    } else {
        Problem::malformed(format!("the upload was cut off or malformed: {e}"))
    }
}

fn rejection_problem(rejection: MultipartRejection) -> Problem {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Send a multipart form",
        format!(
            "upload files as multipart/form-data with a `file` field ({})",
            rejection.body_text()
        ),
    )
}

/// A short text field, refused past [`MAX_TEXT_FIELD`] rather than buffered.
async fn small_text(field: &mut Field<'_>, name: &str) -> Result<String, Problem> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_problem(&e))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_TEXT_FIELD {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                name,
                "this field is too long",
            ));
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, name, "not UTF-8 text"))
}

/// Why a file field could not be received.
#[derive(Debug)]
pub enum ReceiveError {
    /// The file was refused (too large) or could not be stored.
    App(AppError),
    /// The request was cut off or malformed.
    Request(MultipartError),
}

/// Streams a file field into a temporary file: the field's chunks are
/// pumped through a small pipe into the app's spooler, so at most a few
/// chunks are in memory whatever the file's size.
pub async fn receive(app: &App, field: &mut Field<'_>) -> Result<ReceivedFile, ReceiveError> {
    let name = field.file_name().unwrap_or("file").to_owned();
    let (mut writer, reader) = tokio::io::duplex(64 * 1024);
    let pump = async move {
        while let Some(chunk) = field.chunk().await.map_err(ReceiveError::Request)? {
            // The spooler stopped reading (a limit): its error says why.
            if writer.write_all(&chunk).await.is_err() {
                break;
            }
        }
        Ok::<(), ReceiveError>(())
    };
    let spool = async move {
        let mut reader = reader;
        // Returning drops the reader, which stops the pump.
        app.receive_media(&name, &mut reader).await
    };
    let (pumped, received) = tokio::join!(pump, spool);
    let received = received.map_err(ReceiveError::App)?;
    // A request cut off mid-file ends the pipe early: what was received is
    // not the file, and goes (with its temporary file) here.
    pumped?;
    Ok(received)
}

/// [`receive`], refused as a problem.
pub async fn receive_field(app: &App, field: &mut Field<'_>) -> Result<ReceivedFile, Problem> {
    receive(app, field).await.map_err(|e| match e {
        ReceiveError::App(e) => Problem::from(e),
        ReceiveError::Request(e) => multipart_problem(&e),
    })
}

fn flag(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "on" | "yes"
    )
}

fn fraction(field: &str, value: &str) -> Result<Option<f32>, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse::<f32>().map(Some).map_err(|_| {
        Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            field,
            "a number from 0 to 1",
        )
    })
}

/// Sets one text field of an upload form on `input`; unknown names are ignored.
pub fn apply_text_field(input: &mut MediaInput, name: &str, value: String) -> Result<(), Problem> {
    match name {
        "alt_ar" => input.alt_ar = Some(value),
        "alt_fr" => input.alt_fr = Some(value),
        "caption" => input.caption = Some(value),
        "credit" => input.credit = Some(value),
        "rights" => input.rights = Some(value),
        "depicts_minors" => input.depicts_minors = Some(flag(&value)),
        "focal_x" => input.focal_x = fraction("focal_x", &value)?,
        "focal_y" => input.focal_y = fraction("focal_y", &value)?,
        _ => {}
    }
    Ok(())
}

fn item_json(item: &MediaItem) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

fn uploaded_response(uploaded: Uploaded) -> Response {
    let mut body = item_json(&uploaded.item);
    if let Value::Object(map) = &mut body {
        map.insert("created".into(), json!(uploaded.created));
    }
    // The same file again names the item already there: 200, not 201.
    let status = if uploaded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(body)).into_response()
}

/// `POST /api/v1/sites/{site}/media`: multipart `file` (or `video_url`)
/// with `alt_ar`, `alt_fr`, `caption`, `credit`, `rights`, `depicts_minors`,
/// `focal_x`, `focal_y`. 201 with the item and its `renditions`; 200 when
/// the site already held this file.
pub async fn upload(
    State(app): State<Arc<App>>,
    Path(site): Path<String>,
    ApiUser(viewer): ApiUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Problem> {
    // Refused before a byte of the file is read.
    app.may_upload(&viewer, &site)?;
    let mut multipart = multipart.map_err(rejection_problem)?;
    let mut input = MediaInput::default();
    let mut file: Option<ReceivedFile> = None;
    let mut video_url: Option<String> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_problem(&e))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_some() => {
                return Err(Problem::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "file",
                    "send one file per request",
                ))
            }
            "file" => file = Some(receive_field(&app, &mut field).await?),
            "video_url" => video_url = Some(small_text(&mut field, "video_url").await?),
            other => {
                let value = small_text(&mut field, other).await?;
                apply_text_field(&mut input, other, value)?;
            }
        }
    }
    let uploaded = match (file, video_url.filter(|u| !u.trim().is_empty())) {
        (Some(file), None) => app.add_media(&viewer, &site, file, input).await?,
        (None, Some(url)) => app.add_video_link(&viewer, &site, &url, input).await?,
        (Some(_), Some(_)) => {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file",
                "send a file or a video link, not both",
            ))
        }
        (None, None) => {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file",
                "choose a file to upload (or give a video_url)",
            ))
        }
    };
    Ok(uploaded_response(uploaded))
}

#[derive(Debug, Deserialize)]
pub struct LibraryQuery {
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

/// `GET /api/v1/sites/{site}/media?q=&page=`: a site's library, newest first.
pub async fn list(
    State(app): State<Arc<App>>,
    Path(site): Path<String>,
    ApiUser(viewer): ApiUser,
    Query(query): Query<LibraryQuery>,
) -> Result<Json<Value>, Problem> {
    let page = app
        .media_library(&viewer, &site, &query.q, query.page.unwrap_or(1))
        .await?;
    Ok(Json(json!({
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
    })))
}

async fn item_with_usage(app: &App, viewer: &Viewer, id: i32) -> Result<Value, AppError> {
    let item = app.media_item(viewer, id).await?;
    let used_in = app.media_usage(viewer, id).await?;
    let mut body = item_json(&item);
    if let Value::Object(map) = &mut body {
        map.insert("used_in".into(), json!(used_in));
    }
    Ok(body)
}

/// `GET /api/v1/media/{id}`: an item, with the entries that use it.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    ApiUser(viewer): ApiUser,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "media item")?;
    Ok(Json(item_with_usage(&app, &viewer, id).await?))
}

/// What `PUT /api/v1/media/{id}` changes; absent fields stay as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaUpdate {
    alt_ar: Option<String>,
    alt_fr: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    rights: Option<String>,
    depicts_minors: Option<bool>,
    focal_x: Option<f32>,
    focal_y: Option<f32>,
}

/// `PUT /api/v1/media/{id}`: describes an item (editors and above).
pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    ApiUser(viewer): ApiUser,
    JsonBody(update): JsonBody<MediaUpdate>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "media item")?;
    let input = MediaInput {
        alt_ar: update.alt_ar,
        alt_fr: update.alt_fr,
        caption: update.caption,
        credit: update.credit,
        rights: update.rights,
        depicts_minors: update.depicts_minors,
        focal_x: update.focal_x,
        focal_y: update.focal_y,
    };
    app.update_media(&viewer, id, input).await?;
    Ok(Json(item_with_usage(&app, &viewer, id).await?))
}

/// `DELETE /api/v1/media/{id}`: 204; 409 while an entry uses the item.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    ApiUser(viewer): ApiUser,
) -> Result<StatusCode, Problem> {
    let id = path_id(&id, "media item")?;
    app.delete_media(&viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

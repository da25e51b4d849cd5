//! The media library in the admin: a site's grid (search, pages), uploads
//! of several files at once (a plain multipart form; `admin.js` sends the
//! same files one by one to the API to show progress), video links, an
//! item's page (alt texts, caption, credit, rights, minors, focal point,
//! renditions, where it is used) and its deletion, refused while an entry
//! uses it. Every refusal is a page in the user's language, never a 500.

use std::sync::Arc;

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};
use tawasul_app::media::{MediaInput, MediaItem, MediaUse, ReceivedFile, RIGHTS};
use tawasul_app::{App, AppError, Viewer};
use tawasul_domain::Operation;
use tawasul_media::MediaError;

use super::{
    base_context, csrf_refused, error_page, render, see_other_with, text, AdminUser, Form, Req,
};
use crate::api::media::{apply_text_field, ReceiveError};
use crate::session::{csrf_header, csrf_matches};

/// Files one form may send: a workshop's photos, not an archive.
const MAX_FILES: usize = 30;
/// Longest text field of the upload form, in bytes.
const MAX_TEXT_FIELD: usize = 8 * 1024;

/// The body limit of the upload form: as for the API, the largest file
/// plus the form (several photos fit; a large video goes alone).
pub const UPLOAD_BODY_LIMIT: usize = crate::api::media::UPLOAD_BODY_LIMIT;

/// What an upload, a link or a save was refused for, in the user's language.
fn refusal(app: &App, req: &Req, err: &AppError) -> String {
    match err {
        AppError::Media(e) => media_error_text(app, req, e),
        AppError::Invalid(errors) => errors
            .iter()
            .map(|(_, message)| message.to_owned())
            .collect::<Vec<_>>()
            .join(" "),
        AppError::Forbidden(_) => text(app, req, "errors.forbidden"),
        AppError::Conflict(detail) => detail.clone(),
        _ => text(app, req, "errors.server"),
    }
}

/// A media error as a sentence of `media_errors` (by its stable code).
fn media_error_text(app: &App, req: &Req, err: &MediaError) -> String {
    let key = format!("media_errors.{}", err.code().replace('-', "_"));
    let translated = text(app, req, &key);
    if translated.is_empty() || translated == key {
        if err.http_status() >= 500 {
            tracing::error!(error = %err, "a media operation failed");
            return text(app, req, "errors.server");
        }
        return err.to_string();
    }
    let limit = match err {
        MediaError::TooLarge { limit } => limit / (1024 * 1024),
        _ => tawasul_app::media::MAX_FILE_BYTES / (1024 * 1024),
    };
    translated.replace("{limit}", &limit.to_string())
}

fn alt_status(app: &App, req: &Req, item: &MediaItem) -> Vec<String> {
    let mut missing = Vec::new();
    if item.kind == "image" {
        for (lang, alt) in [("ar", &item.alt_ar), ("fr", &item.alt_fr)] {
            if alt.trim().is_empty() {
                missing.push(text(app, req, &format!("media.no_alt_{lang}")));
            }
        }
    }
    missing
}

/// How an editor inserts the item in an entry's Markdown.
fn snippet(item: &MediaItem, lang: &str) -> String {
    match item.kind.as_str() {
        "image" => {
            let alt = if lang == "fr" {
                &item.alt_fr
            } else {
                &item.alt_ar
            };
            format!("![{}](media:{})", alt.replace(['[', ']'], ""), item.id)
        }
        "video_link" | "video" => format!("![](media:{})", item.id),
        _ => format!(
            "[{}](media:{})",
            item.original_name.replace(['[', ']'], ""),
            item.id
        ),
    }
}

fn card(app: &App, req: &Req, item: &MediaItem) -> Value {
    json!({
        "id": item.id,
        "kind": item.kind,
        "kind_label": text(app, req, &format!("media.kind_{}", item.kind)),
        "type_label": item.type_label,
        "name": item.original_name,
        "thumbnail_url": item.thumbnail_url,
        "alt": if req.lang.as_str() == "fr" { &item.alt_fr } else { &item.alt_ar },
        // A linked video has no file, so no size.
        "size_label": if item.kind == "video_link" { "" } else { item.size_label.as_str() },
        "width": item.width,
        "height": item.height,
        "missing": alt_status(app, req, item),
        "depicts_minors": item.depicts_minors,
        "url": format!("/admin/media/{}", item.id),
        "snippet": snippet(item, req.lang.as_str()),
    })
}

fn rights_options(app: &App, req: &Req) -> Vec<Value> {
    RIGHTS
        .iter()
        .map(|r| json!({"value": r, "label": text(app, req, &format!("media.rights_{r}"))}))
        .collect()
}

/// One file's fate in a no-script upload.
struct FileResult {
    name: String,
    outcome: Result<(MediaItem, bool), String>,
}

/// What the library page shows besides the grid.
#[derive(Default)]
struct LibraryExtras {
    results: Vec<FileResult>,
    /// A refusal of the whole upload (no file, too large, malformed).
    upload_error: Option<String>,
    video_errors: Map<String, Value>,
    video_form: Map<String, Value>,
}

async fn library_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    site: &str,
    extras: LibraryExtras,
    status: StatusCode,
) -> Response {
    let q = req.query_param("q").unwrap_or_default().trim().to_owned();
    let page = req
        .query_param("page")
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let found = match app.media_library(viewer, site, &q, page).await {
        Ok(found) => found,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let network = app.network();
    let Some(site_row) = network.site_by_slug(site) else {
        return error_page(app, req, Some(viewer), &AppError::NotFound(site.to_owned()));
    };
    let link = |p: u64| {
        let mut url = format!("/admin/sites/{site}/media?page={p}");
        if !q.is_empty() {
            url.push_str("&q=");
            url.push_str(&url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
        }
        url
    };
    let title = format!(
        "{} · {}",
        text(app, req, "media.heading"),
        site_row.name(req.lang)
    );
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site_row.slug, "name": site_row.name(req.lang), "entries_url": format!("/admin/sites/{site}/entries")}),
    );
    let items: Vec<Value> = found.items.iter().map(|i| card(app, req, i)).collect();
    ctx.insert("items", &items);
    ctx.insert("q", &q);
    ctx.insert("page", &found.page);
    ctx.insert("pages", &found.pages);
    ctx.insert("total", &found.total);
    ctx.insert("prev_url", &(found.page > 1).then(|| link(found.page - 1)));
    ctx.insert(
        "next_url",
        &(found.page < found.pages).then(|| link(found.page + 1)),
    );
    ctx.insert("upload_url", &format!("/admin/sites/{site}/media"));
    ctx.insert("api_url", &format!("/api/v1/sites/{site}/media"));
    ctx.insert("video_url", &format!("/admin/sites/{site}/media/video"));
    ctx.insert("rights", &rights_options(app, req));
    ctx.insert(
        "limits",
        &text(app, req, "media.limits")
            .replace(
                "{files}",
                &(tawasul_app::media::MAX_FILE_BYTES / (1024 * 1024)).to_string(),
            )
            .replace(
                "{video}",
                &(tawasul_app::media::MAX_VIDEO_BYTES / (1024 * 1024)).to_string(),
            ),
    );
    let results: Vec<Value> = extras
        .results
        .iter()
        .map(|r| match &r.outcome {
            Ok((item, created)) => json!({
                "name": r.name, "ok": true,
                "message": text(app, req, if *created { "media.uploaded" } else { "media.already_there" }),
                "url": format!("/admin/media/{}", item.id),
            }),
            Err(message) => json!({"name": r.name, "ok": false, "message": message}),
        })
        .collect();
    ctx.insert("results", &results);
    ctx.insert(
        "results_failed",
        &extras.results.iter().any(|r| r.outcome.is_err()),
    );
    ctx.insert("upload_error", &extras.upload_error);
    ctx.insert("video_errors", &extras.video_errors);
    ctx.insert("video_form", &extras.video_form);
    ctx.insert("upload_messages", &upload_messages(app, req));
    render(app, req, "media.html", &ctx, status)
}

/// The upload refusals in the person's language, by the API's problem
/// code, for the script that sends files one by one.
pub(super) fn upload_messages(app: &App, req: &Req) -> Map<String, Value> {
    [
        "unsupported_type",
        "empty_file",
        "too_large",
        "active_content",
        "office_active_content",
        "uncheckable_document",
        "truncated_image",
        "undecodable_image",
        "image_too_large",
        "storage_full",
    ]
    .iter()
    .map(|code| {
        (
            (*code).to_owned(),
            Value::String(text(app, req, &format!("media_errors.{code}")).replace(
                "{limit}",
                &(tawasul_app::media::MAX_FILE_BYTES / (1024 * 1024)).to_string(),
            )),
        )
    })
    .collect()
}

/// `GET /admin/sites/{site}/media?q=&page=`: the site's library.
pub async fn library(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    library_page(
        &app,
        &req,
        &viewer,
        &site,
        LibraryExtras::default(),
        StatusCode::OK,
    )
    .await
}

fn multipart_refusal(app: &App, req: &Req, e: &MultipartError) -> (StatusCode, String) {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            media_error_text(
                app,
                req,
                &MediaError::TooLarge {
                    limit: tawasul_app::media::MAX_VIDEO_BYTES,
                },
            ),
        )
    } else {
        (StatusCode::BAD_REQUEST, text(app, req, "media.upload_cut"))
    }
}

/// `POST /admin/sites/{site}/media` (multipart: `_csrf` first, then
/// `file` repeated, `credit`, `rights`, `depicts_minors`): stores each
/// file. All stored: back to the grid with a message; otherwise the grid
/// with each file's fate.
pub async fn upload(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    // The script sends the token as a header; the form, as its first field.
    let mut csrf_ok = csrf_matches(&viewer, csrf_header(&req.headers));
    if let Err(e) = app.may_upload(&viewer, &site) {
        return error_page(&app, &req, Some(&viewer), &e);
    }
    let refuse = |status: StatusCode, message: String| {
        let app = Arc::clone(&app);
        let (req, viewer, site) = (req.clone(), viewer.clone(), site.clone());
        async move {
            let extras = LibraryExtras {
                upload_error: Some(message),
                ..LibraryExtras::default()
            };
            library_page(&app, &req, &viewer, &site, extras, status).await
        }
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(_) => {
            if !csrf_ok {
                return csrf_refused(&app, &req, &viewer);
            }
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                text(&app, &req, "media.upload_cut"),
            )
            .await;
        }
    };
    let mut files: Vec<(String, Result<ReceivedFile, String>)> = Vec::new();
    let mut input = MediaInput::default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let (status, message) = multipart_refusal(&app, &req, &e);
                return refuse(status, message).await;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name != "_csrf" && !csrf_ok {
            // Nothing is read before the token is checked.
            return csrf_refused(&app, &req, &viewer);
        }
        match name.as_str() {
            "_csrf" => {
                let token = field.text().await.unwrap_or_default();
                csrf_ok = csrf_ok || csrf_matches(&viewer, Some(token.as_str()));
            }
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                // A form sent without choosing a file has one empty part.
                if file_name.is_empty() {
                    while let Ok(Some(_)) = field.chunk().await {}
                    continue;
                }
                if files.len() >= MAX_FILES {
                    return refuse(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        text(&app, &req, "media.too_many").replace("{n}", &MAX_FILES.to_string()),
                    )
                    .await;
                }
                let received = match crate::api::media::receive(&app, &mut field).await {
                    Ok(file) => Ok(file),
                    Err(ReceiveError::App(e)) => Err(refusal(&app, &req, &e)),
                    // The rest of the request is lost with this field.
                    Err(ReceiveError::Request(e)) => {
                        let (status, message) = multipart_refusal(&app, &req, &e);
                        return refuse(status, message).await;
                    }
                };
                files.push((file_name, received));
            }
            other => {
                let mut bytes = Vec::new();
                while let Ok(Some(chunk)) = field.chunk().await {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > MAX_TEXT_FIELD {
                        break;
                    }
                }
                let value = String::from_utf8_lossy(&bytes).into_owned();
                if apply_text_field(&mut input, other, value).is_err() {
                    return refuse(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        text(&app, &req, "media.upload_cut"),
                    )
                    .await;
                }
            }
        }
    }
    if !csrf_ok {
        return csrf_refused(&app, &req, &viewer);
    }
    if files.is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            text(&app, &req, "media.no_file"),
        )
        .await;
    }
    let mut results = Vec::with_capacity(files.len());
    for (name, received) in files {
        let outcome = match received {
            Err(message) => Err(message),
            Ok(file) => app
                .add_media(&viewer, &site, file, input.clone())
                .await
                .map(|u| (u.item, u.created))
                .map_err(|e| refusal(&app, &req, &e)),
        };
        results.push(FileResult { name, outcome });
    }
    if results.iter().all(|r| r.outcome.is_ok()) {
        return see_other_with(&format!("/admin/sites/{site}/media"), "media_upload");
    }
    let status = if results.iter().any(|r| r.outcome.is_ok()) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let extras = LibraryExtras {
        results,
        ..LibraryExtras::default()
    };
    library_page(&app, &req, &viewer, &site, extras, status).await
}

/// `POST /admin/sites/{site}/media/video` (`video_url`, `caption`,
/// `alt_ar`, `alt_fr`): adds a YouTube or Facebook video to the library.
pub async fn add_video(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let input = MediaInput {
        caption: Some(form.get("caption").to_owned()),
        alt_ar: Some(form.get("alt_ar").to_owned()),
        alt_fr: Some(form.get("alt_fr").to_owned()),
        ..MediaInput::default()
    };
    match app
        .add_video_link(&viewer, &site, form.get("video_url"), input)
        .await
    {
        Ok(added) => see_other_with(&format!("/admin/media/{}", added.item.id), "media_video"),
        Err(e @ (AppError::Invalid(_) | AppError::Media(_))) => {
            let field = match &e {
                AppError::Invalid(errors) => errors
                    .iter()
                    .next()
                    .map_or("video_url", |(f, _)| f)
                    .to_owned(),
                _ => "video_url".to_owned(),
            };
            let mut video_errors = Map::new();
            video_errors.insert(field, Value::String(refusal(&app, &req, &e)));
            let video_form: Map<String, Value> = ["video_url", "caption", "alt_ar", "alt_fr"]
                .iter()
                .map(|k| ((*k).to_owned(), Value::String(form.get(k).to_owned())))
                .collect();
            let extras = LibraryExtras {
                video_errors,
                video_form,
                ..LibraryExtras::default()
            };
            library_page(
                &app,
                &req,
                &viewer,
                &site,
                extras,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// What the item page shows besides the item.
#[derive(Default)]
struct ItemExtras {
    errors: Map<String, Value>,
    /// The values typed in a refused form.
    typed: Option<Form>,
    delete_error: Option<String>,
}

fn usage_view(app: &App, req: &Req, uses: &[MediaUse]) -> Vec<Value> {
    uses.iter()
        .map(|u| {
            json!({
                "entry_id": u.entry_id,
                "title": u.title,
                "status_label": text(app, req, &format!("status.{}", u.status)),
                "deleted": u.deleted,
                "url": format!("/admin/entries/{}", u.entry_id),
            })
        })
        .collect()
}

async fn item_page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    id: i32,
    extras: ItemExtras,
    status: StatusCode,
) -> Response {
    let item = match app.media_item(viewer, id).await {
        Ok(item) => item,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let used_in = match app.media_usage(viewer, id).await {
        Ok(uses) => uses,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let network = app.network();
    let Some(site) = network.site_by_slug(&item.site) else {
        return error_page(
            app,
            req,
            Some(viewer),
            &AppError::NotFound(item.site.clone()),
        );
    };
    let title = if item.original_name.is_empty() {
        format!("media:{}", item.id)
    } else {
        item.original_name.clone()
    };
    let mut ctx = base_context(app, req, Some(viewer), &title);
    ctx.insert(
        "site",
        &json!({"slug": site.slug, "name": site.name(req.lang), "library_url": format!("/admin/sites/{}/media", site.slug)}),
    );
    // The form shows what was typed when it was refused, else the item.
    let mut form = json!({
        "alt_ar": item.alt_ar, "alt_fr": item.alt_fr, "caption": item.caption,
        "credit": item.credit, "rights": item.rights,
        "depicts_minors": item.depicts_minors,
        "focal_x": format!("{:.2}", item.focal_x), "focal_y": format!("{:.2}", item.focal_y),
    });
    if let Some(typed) = &extras.typed {
        for name in [
            "alt_ar", "alt_fr", "caption", "credit", "rights", "focal_x", "focal_y",
        ] {
            form[name] = json!(typed.get(name));
        }
        form["depicts_minors"] = json!(!typed.get("depicts_minors").is_empty());
    }
    let preview = item
        .renditions
        .iter()
        .filter(|r| r.purpose == "width" && r.format == "jpeg")
        .min_by_key(|r| (r.width - 1024).abs())
        .map(|r| json!({"url": r.url, "width": r.width, "height": r.height}));
    let renditions: Vec<Value> = item
        .renditions
        .iter()
        .map(|r| {
            json!({
                "url": r.url, "width": r.width, "height": r.height,
                "format": r.format.to_uppercase(),
                "purpose_label": text(app, req, &format!("media.purpose_{}", r.purpose)),
                "size_label": tawasul_app::media::size_label(r.size),
            })
        })
        .collect();
    ctx.insert("item", &card(app, req, &item));
    ctx.insert(
        "details",
        &json!({
            "original_name": item.original_name, "type_label": item.type_label,
            "size_label": item.size_label, "width": item.width, "height": item.height,
            "public_url": item.url, "created_at": item.created_at.get(..10).unwrap_or_default(),
            "video": item.video,
        }),
    );
    ctx.insert("form", &form);
    // Where the marker sits on the photo, in percent (physical left/top:
    // image coordinates do not turn with the page's direction).
    ctx.insert(
        "marker",
        &json!({
            "x": (item.focal_x * 100.0).round(),
            "y": (item.focal_y * 100.0).round(),
        }),
    );
    ctx.insert("preview", &preview);
    ctx.insert("renditions", &renditions);
    ctx.insert("used_in", &usage_view(app, req, &used_in));
    ctx.insert("rights", &rights_options(app, req));
    ctx.insert("errors", &extras.errors);
    ctx.insert("delete_error", &extras.delete_error);
    ctx.insert(
        "can_edit",
        &app.may_manage_media(viewer, site.id, Operation::Edit),
    );
    ctx.insert(
        "can_delete",
        &app.may_manage_media(viewer, site.id, Operation::Delete),
    );
    ctx.insert("save_url", &format!("/admin/media/{}", item.id));
    ctx.insert("delete_url", &format!("/admin/media/{}/delete", item.id));
    render(app, req, "media_item.html", &ctx, status)
}

fn path_id(id: &str) -> Result<i32, AppError> {
    id.parse::<i32>()
        .map_err(|_| AppError::NotFound(format!("media {id}")))
}

/// `GET /admin/media/{id}`: an item, its renditions and where it is used.
pub async fn item(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
) -> Response {
    match path_id(&id) {
        Ok(id) => {
            item_page(
                &app,
                &req,
                &viewer,
                id,
                ItemExtras::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// A number from 0 to 1 as typed (`0.5`, `0,5`); empty leaves it.
fn fraction(value: &str) -> Result<Option<f32>, ()> {
    let value = value.trim().replace(',', ".");
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(Some(v)),
        _ => Err(()),
    }
}

/// `POST /admin/media/{id}`: describes an item. Refused fields are shown
/// beside themselves with what was typed.
pub async fn save(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let id = match path_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let mut errors = Map::new();
    let mut focal = |name: &str| match fraction(form.get(name)) {
        Ok(v) => v,
        Err(()) => {
            errors.insert(
                name.to_owned(),
                Value::String(text(&app, &req, "media.focal_error")),
            );
            None
        }
    };
    let (focal_x, focal_y) = (focal("focal_x"), focal("focal_y"));
    let result = if errors.is_empty() {
        let input = MediaInput {
            alt_ar: Some(form.get("alt_ar").to_owned()),
            alt_fr: Some(form.get("alt_fr").to_owned()),
            caption: Some(form.get("caption").to_owned()),
            credit: Some(form.get("credit").to_owned()),
            rights: Some(form.get("rights").to_owned()),
            depicts_minors: Some(!form.get("depicts_minors").is_empty()),
            focal_x,
            focal_y,
        };
        app.update_media(&viewer, id, input).await.map(|_| ())
    } else {
        Err(AppError::Invalid(Default::default()))
    };
    match result {
        Ok(()) => see_other_with(&format!("/admin/media/{id}"), "media_save"),
        Err(AppError::Invalid(found)) => {
            for (field, _) in found.iter() {
                errors.insert(
                    field.to_owned(),
                    Value::String(text(&app, &req, &format!("media.field_error_{field}"))),
                );
            }
            let extras = ItemExtras {
                errors,
                typed: Some(form),
                delete_error: None,
            };
            item_page(
                &app,
                &req,
                &viewer,
                id,
                extras,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Media(e)) => {
            let extras = ItemExtras {
                errors: Map::from_iter([(
                    "focal_x".to_owned(),
                    Value::String(media_error_text(&app, &req, &e)),
                )]),
                typed: Some(form),
                delete_error: None,
            };
            item_page(
                &app,
                &req,
                &viewer,
                id,
                extras,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

/// `POST /admin/media/{id}/delete`: deletes an unused item; while an entry
/// uses it, the item's page says which, and nothing is deleted.
pub async fn delete(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let id = match path_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    let site = match app.media_item(&viewer, id).await {
        Ok(item) => item.site,
        Err(e) => return error_page(&app, &req, Some(&viewer), &e),
    };
    match app.delete_media(&viewer, id).await {
        Ok(()) => see_other_with(&format!("/admin/sites/{site}/media"), "media_delete"),
        Err(AppError::Conflict(_)) => {
            let extras = ItemExtras {
                delete_error: Some(text(&app, &req, "media.delete_refused")),
                ..ItemExtras::default()
            };
            item_page(&app, &req, &viewer, id, extras, StatusCode::CONFLICT).await
        }
        Err(e) => error_page(&app, &req, Some(&viewer), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_focal_coordinate_is_a_fraction_typed_with_a_point_or_a_comma() {
        assert_eq!(fraction(""), Ok(None));
        assert_eq!(fraction("0.25"), Ok(Some(0.25)));
        assert_eq!(fraction(" 0,75 "), Ok(Some(0.75)));
        assert_eq!(fraction("1"), Ok(Some(1.0)));
        assert_eq!(fraction("1.5"), Err(()));
        assert_eq!(fraction("-0.1"), Err(()));
        assert_eq!(fraction("milieu"), Err(()));
    }
}

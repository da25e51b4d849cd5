//! A site's directory over the API: institutions and contacts (list,
//! create, change, delete, CSV import and export) and audiences (with who
//! they reach). Site administrators manage it; publishers read it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::directory::csv::Separator;
use tawasul_app::directory::{
    AudienceInput, ContactFields, DirectoryFile, InstitutionFields, ListFilter,
};
use tawasul_app::{App, AppError};
use tawasul_domain::directory::AudienceRule;
use tawasul_domain::Locale;

use super::{path_id, ApiUser, JsonBody, Problem};

/// The largest CSV file an import takes (a directorate's is well under 1 MB).
pub const IMPORT_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// The query string as pairs; a bad value is a problem, never a bare 400.
fn params(raw: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn list_filter(raw: Option<String>, kind_name: &str) -> Result<ListFilter, Problem> {
    let params = params(raw);
    let number = |name: &str| -> Result<Option<i64>, Problem> {
        match param(&params, name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Problem::field(StatusCode::BAD_REQUEST, name, "a whole number")),
        }
    };
    Ok(ListFilter {
        q: param(&params, "q").unwrap_or_default().to_owned(),
        kind: param(&params, kind_name).unwrap_or_default().to_owned(),
        institution: number("institution")?.and_then(|n| i32::try_from(n).ok()),
        page: number("page")?.map_or(1, |n| u64::try_from(n).unwrap_or(1)),
    })
}

fn page_json<T: serde::Serialize>(
    key: &str,
    page: &tawasul_app::directory::ListPage<T>,
) -> Json<Value> {
    Json(json!({
        key: page.items,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
    }))
}

/// `GET /sites/{site}/institutions?q=&cycle=&page=`
pub async fn institutions(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Problem> {
    let filter = list_filter(query, "cycle")?;
    let page = app.institutions(&viewer, &site, &filter).await?;
    Ok(page_json("institutions", &page))
}

/// `POST /sites/{site}/institutions`
pub async fn create_institution(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<InstitutionFields>,
) -> Result<Response, Problem> {
    let created = app.create_institution(&viewer, &site, body).await?;
    Ok((StatusCode::CREATED, Json(json!(created))).into_response())
}

/// `GET /sites/{site}/institutions/{id}`
pub async fn institution(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "institution")?;
    Ok(Json(json!(app.institution(&viewer, &site, id).await?)))
}

/// `PATCH /sites/{site}/institutions/{id}`: the fields given change.
pub async fn update_institution(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<InstitutionFields>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "institution")?;
    Ok(Json(json!(
        app.update_institution(&viewer, &site, id, body).await?
    )))
}

/// `DELETE /sites/{site}/institutions/{id}`
pub async fn delete_institution(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "institution")?;
    app.delete_institution(&viewer, &site, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /sites/{site}/contacts?q=&function=&institution=&page=`
pub async fn contacts(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Problem> {
    let filter = list_filter(query, "function")?;
    let page = app.contacts(&viewer, &site, &filter).await?;
    Ok(page_json("contacts", &page))
}

/// `POST /sites/{site}/contacts`
pub async fn create_contact(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<ContactFields>,
) -> Result<Response, Problem> {
    let created = app.create_contact(&viewer, &site, body).await?;
    Ok((StatusCode::CREATED, Json(json!(created))).into_response())
}

/// `GET /sites/{site}/contacts/{id}`
pub async fn contact(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "contact")?;
    Ok(Json(json!(app.contact(&viewer, &site, id).await?)))
}

/// `PATCH /sites/{site}/contacts/{id}`
pub async fn update_contact(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ContactFields>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "contact")?;
    Ok(Json(json!(
        app.update_contact(&viewer, &site, id, body).await?
    )))
}

/// `DELETE /sites/{site}/contacts/{id}`
pub async fn delete_contact(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "contact")?;
    app.delete_contact(&viewer, &site, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A refused file: 422 with each problem and its line, in `errors` (by
/// line) and in `lines` (in order).
pub fn import_problem(err: AppError) -> Problem {
    let AppError::Import(problems) = err else {
        return err.into();
    };
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        "The file was refused",
        format!(
            "{} problem{} in the file; nothing was imported",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
    );
    let mut lines = Vec::new();
    for p in &problems {
        let key = p
            .line
            .map_or_else(|| "file".to_owned(), |l| format!("line {l}"));
        problem
            .errors
            .entry(key)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&p.message);
            })
            .or_insert_with(|| p.message.clone());
        lines.push(json!({"line": p.line, "message": p.message}));
    }
    problem.extra.insert("lines".into(), Value::Array(lines));
    problem
}

/// Whether a body is announced as CSV (or plain text, or what Windows
/// browsers call a .csv file).
fn is_csv(headers: &HeaderMap) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = kind
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "text/csv" | "text/plain" | "application/csv" | "application/vnd.ms-excel"
    )
}

async fn import(
    app: &App,
    viewer: &tawasul_app::Viewer,
    site: &str,
    file: DirectoryFile,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Json<Value>, Problem> {
    if !is_csv(headers) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send CSV",
            "the body must be a CSV file with Content-Type: text/csv",
        ));
    }
    let outcome = app
        .import_directory(Some(viewer), site, file, body)
        .await
        .map_err(import_problem)?;
    Ok(Json(json!({
        "created": outcome.counts.created,
        "updated": outcome.counts.updated,
        "unchanged": outcome.counts.unchanged,
        "ignored_columns": outcome.ignored_columns,
    })))
}

/// `POST /sites/{site}/institutions/import` (a `text/csv` body)
pub async fn import_institutions(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    import(
        &app,
        &viewer,
        &site,
        DirectoryFile::Institutions,
        &headers,
        &body,
    )
    .await
}

/// `POST /sites/{site}/contacts/import` (a `text/csv` body)
pub async fn import_contacts(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    import(
        &app,
        &viewer,
        &site,
        DirectoryFile::Contacts,
        &headers,
        &body,
    )
    .await
}

/// The language and separator of an export, from `?lang=ar&separator=comma`.
pub fn export_options(raw: Option<String>) -> Result<(Locale, Separator), Problem> {
    let params = params(raw);
    let locale = match param(&params, "lang").unwrap_or("fr") {
        "ar" => Locale::Ar,
        "fr" | "" => Locale::Fr,
        _ => return Err(Problem::field(StatusCode::BAD_REQUEST, "lang", "ar or fr")),
    };
    let separator = match param(&params, "separator").unwrap_or("semicolon") {
        "semicolon" | "" => Separator::Semicolon,
        "comma" => Separator::Comma,
        _ => {
            return Err(Problem::field(
                StatusCode::BAD_REQUEST,
                "separator",
                "semicolon or comma",
            ))
        }
    };
    Ok((locale, separator))
}

/// A CSV download.
pub fn csv_response(site: &str, file: DirectoryFile, body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{site}-{}\"",
        file.file_name()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn export(
    app: &App,
    viewer: &tawasul_app::Viewer,
    site: &str,
    file: DirectoryFile,
    query: Option<String>,
) -> Result<Response, Problem> {
    let (locale, separator) = export_options(query)?;
    let body = app
        .export_directory(Some(viewer), site, file, locale, separator)
        .await?;
    Ok(csv_response(site, file, body))
}

/// `GET /sites/{site}/institutions/export?lang=&separator=`
pub async fn export_institutions(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    export(&app, &viewer, &site, DirectoryFile::Institutions, query).await
}

/// `GET /sites/{site}/contacts/export?lang=&separator=`
pub async fn export_contacts(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    export(&app, &viewer, &site, DirectoryFile::Contacts, query).await
}

/// `GET /sites/{site}/audiences`
pub async fn audiences(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
) -> Result<Json<Value>, Problem> {
    Ok(Json(
        json!({ "audiences": app.audiences(&viewer, &site).await? }),
    ))
}

/// `POST /sites/{site}/audiences` `{name, rule}`
pub async fn create_audience(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<AudienceInput>,
) -> Result<Response, Problem> {
    let created = app.create_audience(&viewer, &site, body).await?;
    Ok((StatusCode::CREATED, Json(json!(created))).into_response())
}

/// `GET /sites/{site}/audiences/{id}`
pub async fn audience(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "audience")?;
    Ok(Json(json!(app.audience(&viewer, &site, id).await?)))
}

/// `PATCH /sites/{site}/audiences/{id}` `{name?, rule?}`
pub async fn update_audience(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<AudienceInput>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "audience")?;
    Ok(Json(json!(
        app.update_audience(&viewer, &site, id, body).await?
    )))
}

/// `DELETE /sites/{site}/audiences/{id}`
pub async fn delete_audience(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "audience")?;
    app.delete_audience(&viewer, &site, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /sites/{site}/audiences/{id}/recipients[?count]`: everyone the
/// audience reaches, or with `count` only how many.
pub async fn recipients(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id, "audience")?;
    let only_count = param(&params(query), "count").is_some();
    let recipients = app.audience_recipients(&viewer, &site, id).await?;
    Ok(Json(if only_count {
        json!({ "count": recipients.len() })
    } else {
        json!({ "count": recipients.len(), "recipients": recipients })
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    #[serde(default)]
    rule: AudienceRule,
}

/// `POST /sites/{site}/audiences/preview` `{rule}`: how many a rule not
/// yet saved would reach.
pub async fn preview_audience(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<PreviewBody>,
) -> Result<Json<Value>, Problem> {
    let recipients = app.rule_recipients(&viewer, &site, body.rule).await?;
    Ok(Json(json!({ "count": recipients.len() })))
}

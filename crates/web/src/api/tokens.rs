//! The caller's API tokens: list, create (the secret is shown once), revoke.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::rows::ApiTokenRow;
use tawasul_app::App;
use time::format_description::well_known::Rfc3339;

use super::{path_id, ApiUser, JsonBody, Problem};

fn token_json(row: &ApiTokenRow) -> Value {
    let at = |t: Option<time::OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    json!({
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "created_at": at(Some(row.created_at)),
        "expires_at": at(row.expires_at),
        "last_used_at": at(row.last_used_at),
    })
}

pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
) -> Result<Response, Problem> {
    let tokens = app.api_tokens(&viewer).await?;
    let tokens: Vec<Value> = tokens.iter().map(token_json).collect();
    Ok(Json(json!({ "tokens": tokens })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    name: String,
    #[serde(default)]
    expires_days: Option<u32>,
}

pub async fn create(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    JsonBody(body): JsonBody<TokenBody>,
) -> Result<Response, Problem> {
    let created = app
        .create_api_token(&viewer, &body.name, body.expires_days)
        .await?;
    let mut value = token_json(&created.row);
    value["token"] = Value::String(created.secret);
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

pub async fn revoke(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    app.revoke_api_token(&viewer, path_id(&id, "token")?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

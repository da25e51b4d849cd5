//! A site's members over the API (site administrators).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::App;

use super::{path_id, ApiUser, JsonBody, Problem};

pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
) -> Result<Response, Problem> {
    let network = app.network();
    let members: Vec<Value> = app
        .members(&viewer, &site)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "user_id": m.user_id, "name": m.name, "email": m.email,
                "role": m.role.as_str(),
                "inherited_from": m.inherited_from.and_then(|id| network.site(id)).map(|s| s.slug.clone()),
            })
        })
        .collect();
    Ok(Json(json!({ "members": members })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    email: String,
    #[serde(default)]
    name: String,
    role: String,
}

pub async fn invite(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<InviteBody>,
) -> Result<Response, Problem> {
    let user_id = app
        .invite_member(&viewer, &site, &body.email, &body.name, &body.role)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "user_id": user_id }))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

pub async fn set_role(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<Response, Problem> {
    app.set_member_role(&viewer, &site, path_id(&user, "user")?, &body.role)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path((site, user)): Path<(String, String)>,
) -> Result<Response, Problem> {
    app.remove_member(&viewer, &site, path_id(&user, "user")?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! Sites over the API: those the caller can see; creation by platform admins.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tawasul_app::{App, NewSiteInput};
use tawasul_domain::SiteSettings;

use super::{ApiUser, JsonBody, Problem};

pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
) -> Result<Response, Problem> {
    let network = app.network();
    let visible = viewer.sites(&network);
    let sites: Vec<Value> = network
        .sites()
        .iter()
        .filter(|s| visible.contains(&s.id))
        .map(|s| {
            json!({
                "id": s.id,
                "slug": s.slug,
                "kind": s.kind.as_str(),
                "parent": s.parent_id.and_then(|p| network.site(p)).map(|p| p.slug.clone()),
                "name_ar": s.name_ar,
                "name_fr": s.name_fr,
                "hosts": s.hosts,
                "theme": s.theme,
                "default_locale": s.default_locale.as_str(),
                "role": viewer.actor(&network, s.id).reach.role().map(|r| r.as_str()),
            })
        })
        .collect();
    Ok(Json(json!({ "sites": sites })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteBody {
    slug: String,
    kind: String,
    #[serde(default)]
    parent: Option<String>,
    name_ar: String,
    name_fr: String,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    default_locale: Option<String>,
}

pub async fn create(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    JsonBody(body): JsonBody<SiteBody>,
) -> Result<Response, Problem> {
    let slug = body.slug.clone();
    let id = app
        .create_site(
            &viewer,
            NewSiteInput {
                slug: body.slug,
                kind: body.kind,
                parent: body.parent,
                name_ar: body.name_ar,
                name_fr: body.name_fr,
                hosts: body.hosts,
                theme: body.theme.unwrap_or_else(|| "default".to_owned()),
                default_locale: body.default_locale.unwrap_or_else(|| "ar".to_owned()),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "slug": slug}))).into_response())
}

/// The settings as the API shows them: what a `PUT` takes, plus the logo's
/// address and the themes to choose among.
fn settings_body(state: &tawasul_app::site_settings::SettingsState) -> Value {
    let mut body = serde_json::to_value(&state.settings).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut body {
        map.insert("site".into(), json!(state.slug));
        map.insert("logo_url".into(), json!(state.logo_url));
        map.insert("themes".into(), json!(state.themes));
    }
    body
}

/// `GET /api/v1/sites/{site}/settings`: the site's names, logo, contact,
/// links, language and theme (its administrators and platform admins).
pub async fn settings(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
) -> Result<Response, Problem> {
    let state = app.site_settings(&viewer, &site)?;
    Ok(Json(settings_body(&state)).into_response())
}

/// `PUT /api/v1/sites/{site}/settings`: replaces the settings as a whole;
/// 422 names every wrong field and changes nothing.
pub async fn put_settings(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    JsonBody(body): JsonBody<SiteSettings>,
) -> Result<Response, Problem> {
    app.update_site_settings(&viewer, &site, body).await?;
    let state = app.site_settings(&viewer, &site)?;
    Ok(Json(settings_body(&state)).into_response())
}

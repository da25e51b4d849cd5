//! The follow-up of training recommendations over the API: a site's list
//! (with its directorates' for an academy) and changing one.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use tawasul_app::recommendations::{FollowUpInput, Recommendation, RecommendationFilter};
use tawasul_app::App;
use tawasul_domain::RecommendationStatus;
use time::macros::format_description;
use time::Date;

use super::{path_id, ApiUser, JsonBody, Problem};

fn shown(r: &Recommendation) -> Value {
    json!({
        "id": r.id,
        "text": r.text,
        "status": r.status.as_str(),
        "owner": r.owner_user_id.map(|id| json!({"user_id": id, "name": r.owner_name})),
        "service": r.owner_service,
        "due_on": r.due_on.map(|d| d.to_string()),
        "note": r.note,
        "in_report": r.in_report,
        "overdue": r.overdue,
        "report": {"id": r.entry_id, "title": r.entry_title, "site": r.site_slug},
    })
}

fn date(field: &str, text: &str) -> Result<Date, Problem> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            field,
            format!("`{text}` is not a date (YYYY-MM-DD)"),
        )
    })
}

fn status(text: &str) -> Result<RecommendationStatus, Problem> {
    RecommendationStatus::parse(text)
        .map_err(|e| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "status", e.to_string()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    programme: Option<String>,
    owner: Option<i32>,
    service: Option<String>,
    #[serde(default)]
    overdue: bool,
}

/// `GET /api/v1/sites/{site}/recommendations`: the site's recommendations
/// and its directorates', filtered by status, programme, owner, overdue.
pub async fn list(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(site): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let filter = RecommendationFilter {
        status: query.status.as_deref().map(status).transpose()?,
        programme: query.programme,
        owner_user_id: query.owner,
        owner_service: query.service,
        overdue: query.overdue,
    };
    let list = app.recommendations(&viewer, &site, &filter).await?;
    let rows: Vec<Value> = list.rows.iter().map(shown).collect();
    Ok(Json(json!({ "recommendations": rows })).into_response())
}

/// A field that may be absent (left as it is) or `null` (emptied).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    status: Option<String>,
    /// A person of the site, by account id; `null` for none.
    #[serde(default, deserialize_with = "present")]
    owner: Option<Option<i32>>,
    service: Option<String>,
    #[serde(default, deserialize_with = "present")]
    due_on: Option<Option<String>>,
    note: Option<String>,
}

/// `PATCH /api/v1/recommendations/{id}`: changes the fields sent, keeps
/// the others.
pub async fn patch(
    State(app): State<Arc<App>>,
    ApiUser(viewer): ApiUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> Result<Response, Problem> {
    let id = path_id(&id, "recommendation")?;
    let current = app.recommendation(&viewer, id).await?.recommendation;
    let input = FollowUpInput {
        status: match body.status.as_deref() {
            Some(text) => status(text)?,
            None => current.status,
        },
        owner_user_id: body.owner.unwrap_or(current.owner_user_id),
        owner_service: body.service.unwrap_or(current.owner_service),
        due_on: match body.due_on {
            Some(Some(text)) => Some(date("due_on", &text)?),
            Some(None) => None,
            None => current.due_on,
        },
        note: body.note.unwrap_or(current.note),
    };
    let after = app.follow_up_recommendation(&viewer, id, &input).await?;
    Ok(Json(shown(&after)).into_response())
}

//! The JSON API under `/api/v1` (API.md): authenticated by a session cookie
//! (with its CSRF token on writes) or a bearer token; every error is
//! `application/problem+json`.

mod auth;
mod changes;
mod circulars;
pub mod directory;
pub mod entries;
pub mod media;
mod members;
mod notices;
mod outbox;
pub mod problem;
mod recommendations;
mod search;
mod sites;
mod tokens;

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;
use tawasul_app::{App, Viewer};

use crate::session::{csrf_header, csrf_matches, identify, is_unsafe, Proof};
pub use problem::Problem;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/logout-everywhere", post(auth::logout_everywhere))
        .route("/auth/password", post(auth::change_password))
        .route("/auth/password/forgot", post(auth::forgot_password))
        .route("/auth/password/reset", post(auth::reset_password))
        .route("/me", get(auth::me))
        .route("/outbox", get(outbox::list))
        .route("/search", get(search::search))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/sites", get(sites::list).post(sites::create))
        .route(
            "/sites/{site}/settings",
            get(sites::settings).put(sites::put_settings),
        )
        .route(
            "/sites/{site}/entries",
            get(entries::list).post(entries::create),
        )
        .route(
            "/sites/{site}/media",
            get(media::list)
                .post(media::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    media::UPLOAD_BODY_LIMIT,
                )),
        )
        .route(
            "/media/{id}",
            get(media::show).put(media::update).delete(media::delete),
        )
        .route(
            "/sites/{site}/members",
            get(members::list).post(members::invite),
        )
        .route(
            "/sites/{site}/members/{user}",
            put(members::set_role).delete(members::remove),
        )
        .route(
            "/entries/{id}",
            get(entries::show)
                .put(entries::update)
                .delete(entries::delete),
        )
        .route("/entries/{id}/transitions", post(entries::transition))
        .route(
            "/entries/{id}/change",
            get(changes::show).put(changes::save),
        )
        .route("/entries/{id}/change/steps", post(changes::step))
        .route("/entries/{id}/revisions", get(entries::revisions))
        .route(
            "/entries/{id}/revisions/{version}/restore",
            post(entries::restore),
        )
        .route("/entries/{id}/diff", get(entries::diff))
        .route("/entries/{id}/events", get(entries::events))
        .route("/entries/{id}/undelete", post(entries::undelete))
        .route("/entries/{id}/feature", post(entries::feature))
        // The directory and notices (docs/directory.md).
        .route(
            "/sites/{site}/institutions",
            get(directory::institutions).post(directory::create_institution),
        )
        .route(
            "/sites/{site}/institutions/import",
            post(directory::import_institutions).layer(axum::extract::DefaultBodyLimit::max(
                directory::IMPORT_BODY_LIMIT,
            )),
        )
        .route(
            "/sites/{site}/institutions/export",
            get(directory::export_institutions),
        )
        .route(
            "/sites/{site}/institutions/{id}",
            get(directory::institution)
                .patch(directory::update_institution)
                .delete(directory::delete_institution),
        )
        .route(
            "/sites/{site}/contacts",
            get(directory::contacts).post(directory::create_contact),
        )
        .route(
            "/sites/{site}/contacts/import",
            post(directory::import_contacts).layer(axum::extract::DefaultBodyLimit::max(
                directory::IMPORT_BODY_LIMIT,
            )),
        )
        .route(
            "/sites/{site}/contacts/export",
            get(directory::export_contacts),
        )
        .route(
            "/sites/{site}/contacts/{id}",
            get(directory::contact)
                .patch(directory::update_contact)
                .delete(directory::delete_contact),
        )
        .route(
            "/sites/{site}/audiences",
            get(directory::audiences).post(directory::create_audience),
        )
        .route(
            "/sites/{site}/audiences/preview",
            post(directory::preview_audience),
        )
        .route(
            "/sites/{site}/audiences/{id}",
            get(directory::audience)
                .patch(directory::update_audience)
                .delete(directory::delete_audience),
        )
        .route(
            "/sites/{site}/audiences/{id}/recipients",
            get(directory::recipients),
        )
        .route(
            "/entries/{id}/notices",
            get(notices::list).post(notices::send),
        )
        .route(
            "/entries/{id}/circular",
            get(circulars::show).post(circulars::send),
        )
        .route("/entries/{id}/circular.csv", get(circulars::csv))
        .route("/entries/{id}/circular/reminders", post(circulars::remind))
        .route("/sites/{site}/recommendations", get(recommendations::list))
        .route(
            "/recommendations/{id}",
            axum::routing::patch(recommendations::patch),
        )
        .fallback(|| async {
            Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                "no such API endpoint (see API.md)",
            )
        })
        // Answers are for the caller alone (drafts, members, addresses): no
        // browser or proxy may keep them, whatever a handler set.
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// The signed-in caller of an API request. Writes made with a session
/// cookie must carry its CSRF token; bearer tokens need none (a browser
/// never sends them on its own).
pub struct ApiUser(pub Viewer);

impl FromRequestParts<Arc<App>> for ApiUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Problem> {
        let Some((viewer, proof)) = identify(app, &parts.headers).await? else {
            return Err(Problem::unauthenticated());
        };
        if proof == Proof::Session
            && is_unsafe(&parts.method)
            && !csrf_matches(&viewer, csrf_header(&parts.headers))
        {
            return Err(Problem::csrf());
        }
        if proof == Proof::Session && app.must_set_up_two_factor(&viewer) {
            return Err(Problem::new(
                axum::http::StatusCode::FORBIDDEN,
                "two-factor-required",
                "Two-factor sign-in is required",
                "set up two-factor sign-in from the account page of the admin first",
            ));
        }
        Ok(ApiUser(viewer))
    }
}

/// A JSON body, refused with a problem that says what is wrong with it.
pub struct JsonBody<T>(pub T);

/// The first control character in a JSON body's strings (line breaks and
/// tabs allowed, since bodies and comments span lines), with the dotted
/// path of the field that holds it.
fn control_character_in(value: &serde_json::Value, path: &str) -> Option<(String, char)> {
    use tawasul_domain::{forbidden_character, Lines};
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::String(text) => {
            forbidden_character(text, Lines::Many).map(|c| (path.to_owned(), c))
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| control_character_in(v, &child(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            forbidden_character(k, Lines::One)
                .map(|c| (child(k), c))
                .or_else(|| control_character_in(v, &child(k)))
        }),
        _ => None,
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(value)) => {
                // No text field of the API holds control characters: one
                // check here covers every route, before any use case.
                if let Some((field, c)) = control_character_in(&value, "") {
                    return Err(Problem::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &field,
                        tawasul_domain::forbidden_character_message(c),
                    ));
                }
                serde_json::from_value::<T>(value)
                    .map(JsonBody)
                    .map_err(|e| {
                        Problem::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "invalid",
                            "Invalid input",
                            format!(
                                "Failed to deserialize the JSON body into the target type: {e}"
                            ),
                        )
                    })
            }
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "Send JSON",
                    "the body must be JSON with Content-Type: application/json",
                ),
                JsonRejection::JsonDataError(e) => Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Invalid input",
                    e.body_text(),
                ),
                JsonRejection::JsonSyntaxError(e) => Problem::malformed(e.body_text()),
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "Too large",
                    "the body is larger than the server accepts",
                ),
                other => Problem::malformed(other.body_text()),
            }),
        }
    }
}

/// A numeric id from the path; anything else names nothing.
pub fn path_id(raw: &str, what: &str) -> Result<i32, Problem> {
    raw.parse::<i32>().ok().filter(|id| *id > 0).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("`{raw}` is not the id of a {what}"),
        )
    })
}

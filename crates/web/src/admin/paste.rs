//! `POST /admin/paste`: what the editor's script sends when someone pastes
//! from Word or Google Docs, answered as Markdown to put in the text.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tawasul_app::editorial::paste::{pasted_html_to_markdown, MAX_PASTE_BYTES};
use tawasul_app::App;

use super::{text, AdminUser, Form, Req};

pub async fn paste(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        let message = text(&app, &req, "errors.csrf");
        return (StatusCode::FORBIDDEN, Json(json!({"message": message}))).into_response();
    }
    let html = form.get("html");
    if html.len() > MAX_PASTE_BYTES {
        // The script pastes the plain text instead.
        let message = text(&app, &req, "editor.paste_too_large");
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({"message": message})),
        )
            .into_response();
    }
    Json(json!({"markdown": pasted_html_to_markdown(html)})).into_response()
}

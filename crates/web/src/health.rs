use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use tawasul_app::App;

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub async fn healthz(State(app): State<Arc<App>>) -> impl IntoResponse {
    let (status, body) = if app.healthy().await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body)
}

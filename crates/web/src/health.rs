use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use tawasul_app::App;

/// `GET /healthz`: 200 when the database answers, 503 when it does not;
/// a second line names the search engine and whether it answers (a search
/// engine down leaves the node serving: pages, and search by scan).
pub async fn healthz(State(app): State<Arc<App>>) -> impl IntoResponse {
    let search = app.search_health().await;
    let search = format!("search: {} {}\n", search.engine, search.state);
    let (status, body) = if app.healthy().await {
        (StatusCode::OK, format!("ok\n{search}"))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable\n{search}"),
        )
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body)
}

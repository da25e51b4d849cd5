//! HTTP for Tawasul: axum routes, site resolution, conditional requests and
//! compression. Handlers parse the request, call `tawasul_app`, and turn
//! the answer into a response; no business rule lives here.

mod admin;
pub mod api;
mod assets;
mod circulars;
mod conditional;
mod health;
mod newsletter;
mod public;
mod ranges;
mod resolve;
pub mod session;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tawasul_app::App;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP surface of the system.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/_static/{theme}/{file}", get(assets::static_file))
        .route("/uploads/{file}", get(assets::upload))
        .nest("/api/v1", api::routes())
        .nest("/admin", admin::routes())
        .route("/admin/", get(admin::dashboard))
        .fallback(public::page)
        .with_state(app)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Serves until Ctrl-C or SIGTERM, applying other processes' changes in
/// the background.
pub async fn serve(app: Arc<App>, listener: TcpListener) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        app.set_listening(addr);
    }
    if let Err(e) = app.open_search().await {
        tracing::warn!(error = %e, "search index unavailable; searching by scan");
    }
    // What a crash left in the uploads folder goes, and what an upgrade
    // left to do is done, in the background.
    let cleaner = Arc::clone(&app);
    tokio::spawn(async move {
        cleaner.clean_stale_uploads().await;
        cleaner.clean_stale_import_files().await;
        cleaner.adopt_imported_photos_once().await;
    });
    let watcher = tokio::spawn(Arc::clone(&app).watch_changes());
    let mail = tokio::spawn(Arc::clone(&app).deliver_mail());
    let service = router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    watcher.abort();
    mail.abort();
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

//! HTTP for Tawasul: axum routes, site resolution, conditional requests and
//! compression. Handlers parse the request, call `tawasul_app`, and turn
//! the answer into a response; no business rule lives here.

mod assets;
mod conditional;
mod health;
mod public;
mod resolve;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tawasul_app::App;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// How often a web node reloads the network (sites, hosts, themes of sites)
/// to see changes made by another process.
const NETWORK_REFRESH: Duration = Duration::from_secs(10);

/// The whole HTTP surface of the system.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/_static/{theme}/{file}", get(assets::static_file))
        .route("/uploads/{file}", get(assets::upload))
        .fallback(public::page)
        .with_state(app)
        .layer(CompressionLayer::new())
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

/// Serves until Ctrl-C or SIGTERM, refreshing the network in the background.
pub async fn serve(app: Arc<App>, listener: TcpListener) -> std::io::Result<()> {
    let refresher = {
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(NETWORK_REFRESH);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = app.refresh_network_if_changed().await {
                    tracing::warn!(error = %e, "could not refresh the network; serving the last one");
                }
            }
        })
    };
    let result = axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    refresher.abort();
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

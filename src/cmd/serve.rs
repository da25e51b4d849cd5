use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use tawasul_app::App;

pub async fn run(app: Arc<App>, listen: Option<SocketAddr>) -> anyhow::Result<()> {
    let addr = listen.unwrap_or(app.config.server.listen);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!(
            "cannot listen on {addr} (is another program using it? try --listen 127.0.0.1:8081)"
        )
    })?;
    let sites = app.network().sites().len();
    tracing::info!(%addr, sites, database = app.store().backend_name(), "serving the network");
    tawasul_web::serve(app, listener)
        .await
        .context("the server stopped")
}

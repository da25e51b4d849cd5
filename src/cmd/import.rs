use std::path::Path;

use tawasul_app::App;

pub async fn markdown(app: &App, dir: &Path, site: &str) -> anyhow::Result<()> {
    let report = app.import_markdown(dir, site).await?;
    println!("imported {} into {site}: {report}", dir.display());
    Ok(())
}

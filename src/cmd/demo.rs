use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use tawasul_app::{App, Config};

/// Marks a folder as made by `tawasul demo`, so it may be wiped and made anew.
const MARKER: &str = ".tawasul-demo";
const DEFAULT_DEMO_DATA: &str = "tawasul-demo";

pub async fn run(
    mut config: Config,
    explicit_data: bool,
    content: &Path,
    listen: Option<SocketAddr>,
    no_serve: bool,
) -> anyhow::Result<()> {
    if !content.join("network.toml").exists() {
        bail!(
            "no demo network at {}: run this from the repository root, or pass --content DIR",
            content.join("network.toml").display()
        );
    }
    if !explicit_data {
        config.paths.data = PathBuf::from(DEFAULT_DEMO_DATA);
    }
    config.paths.uploads = None;
    config.database.url = String::new();
    let data = config.paths.data.clone();
    make_fresh(&data)?;
    std::fs::write(
        data.join(MARKER),
        "made by `tawasul demo`; deleted by the next run\n",
    )
    .with_context(|| format!("writing {}", data.join(MARKER).display()))?;

    let app = App::open(config).await?;
    let (report, logins) = app.load_network(content).await?;
    let addr = listen.unwrap_or(app.config.server.listen);
    let base = format!("http://{addr}");
    println!("Demo network loaded into {}: {report}\n", data.display());
    println!("The network:            {base}/");
    for site in app.network().sites() {
        let by_host = site
            .hosts
            .first()
            .map(|h| format!("   or http://{h}:{}/", addr.port()))
            .unwrap_or_default();
        println!("  {:<22} {base}/{}/{by_host}", site.slug, site.slug);
    }
    println!("\nThe admin interface:    {base}/admin/   (logins below)");
    for login in &logins {
        println!(
            "  {:<40} {:<24} {}",
            login.email, login.password, login.roles
        );
    }
    println!();
    if no_serve {
        return Ok(());
    }
    super::serve::run(app, Some(addr)).await
}

/// Empties `dir` if it is an earlier demo's, refuses if it holds anything else.
fn make_fresh(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let is_empty = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_none();
        if !is_empty && !dir.join(MARKER).exists() {
            bail!(
                "{} holds data that `tawasul demo` did not make; it will not delete it. Choose another folder with --data",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

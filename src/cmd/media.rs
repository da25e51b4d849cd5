use tawasul_app::App;

/// Adopts imported photos into the libraries and prints the counts, with
/// one line per file left as it was.
pub async fn adopt_imported(app: &App, site: Option<&str>, dry_run: bool) -> anyhow::Result<()> {
    let report = app.adopt_imported_photos(site, dry_run).await?;
    if dry_run {
        println!("dry run: nothing was written");
    }
    println!("{report}");
    Ok(())
}

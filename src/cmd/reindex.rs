use std::io::Write as _;

use anyhow::bail;
use tawasul_app::App;

/// Rebuilds the index with a progress bar; when a running server holds the
/// index, asks it to rebuild instead (through the index log).
pub async fn run(app: &App, site: Option<&str>) -> anyhow::Result<()> {
    if let Some(slug) = site {
        if app.network().site_by_slug(slug).is_none() {
            bail!("no site has the slug `{slug}`; `tawasul site list` shows them");
        }
    }
    app.open_search().await?;
    if !app.search_writable() {
        let site_ids = site.and_then(|slug| app.network().site_by_slug(slug).map(|s| vec![s.id]));
        let queued = app.store().note_all_entries(site_ids.as_deref()).await?;
        println!(
            "the search index is held by a running server: {queued} entries queued for it to index again"
        );
        return Ok(());
    }
    let progress = |done: u64, total: u64| {
        const WIDTH: u64 = 30;
        let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
        let bar: String = (0..WIDTH)
            .map(|i| if i < filled { '#' } else { '-' })
            .collect();
        eprint!("\r[{bar}] {done}/{total}");
        let _ = std::io::stderr().flush();
    };
    let started = std::time::Instant::now();
    let indexed = app.rebuild_index(site, &progress).await?;
    eprintln!();
    println!(
        "{indexed} entries indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

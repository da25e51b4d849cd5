use std::io::Write as _;
use std::path::PathBuf;

use anyhow::bail;
use tawasul_app::App;

/// Copies the local uploads folder into the bucket, with a progress bar and
/// a final count. Files whose content does not match their name are listed
/// and make the command fail: they need a look before the folder goes.
pub async fn migrate(app: &App, from: Option<PathBuf>) -> anyhow::Result<()> {
    let from = from.unwrap_or_else(|| app.config.uploads_dir());
    let storage = &app.config.storage;
    println!(
        "copying {} into the bucket `{}` at {}{}",
        from.display(),
        storage.bucket,
        storage.endpoint,
        if storage.prefix.is_empty() {
            String::new()
        } else {
            format!(" (under {})", storage.prefix)
        }
    );
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
    let report = app.migrate_uploads(&from, &progress).await?;
    eprintln!();
    println!(
        "{} files: {} copied ({:.1} MB), {} already in the bucket, in {:.1} s",
        report.files,
        report.copied,
        report.bytes_copied as f64 / (1024.0 * 1024.0),
        report.already_there,
        started.elapsed().as_secs_f64()
    );
    if !report.ignored.is_empty() {
        println!(
            "{} files are not media files of Tawasul and were left out:",
            report.ignored.len()
        );
        for name in &report.ignored {
            println!("  {name}");
        }
    }
    if !report.damaged.is_empty() {
        for name in &report.damaged {
            eprintln!("  damaged: {name}");
        }
        bail!(
            "{} files do not match their content hash (damaged on disk) and were not copied; restore them from a backup and run the command again",
            report.damaged.len()
        );
    }
    Ok(())
}

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use tawasul_app::import::moving::{Format, MoveOptions, Progress};
use tawasul_app::App;

use crate::cli::MoveArgs;

pub async fn markdown(app: &App, dir: &Path, site: &str) -> anyhow::Result<()> {
    let report = app.import_markdown(dir, site).await?;
    println!("imported {} into {site}: {report}", dir.display());
    Ok(())
}

/// Moves a WordPress or Blogger site in, with progress lines on stderr
/// (one per phase step, at most a few a second) and the report on stdout.
pub async fn move_in(
    app: &App,
    format: Format,
    file: PathBuf,
    args: MoveArgs,
) -> anyhow::Result<()> {
    let options = MoveOptions {
        format,
        file,
        site: args.site,
        uploads: args.uploads,
        fetch_media: args.fetch_media,
        author: args.author,
        dry_run: args.dry_run,
    };
    if !options.dry_run {
        app.refuse_while_importing(&options.site).await?;
    }
    let started = Instant::now();
    let last = Mutex::new((String::new(), Instant::now()));
    let progress = |p: Progress<'_>| {
        let Ok(mut last) = last.lock() else { return };
        let finished = p.total > 0 && p.done == p.total;
        if last.0 == p.phase && last.1.elapsed().as_millis() < 250 && !finished {
            return;
        }
        *last = (p.phase.to_owned(), Instant::now());
        let line = if p.total > 0 {
            let width = 30;
            let filled = p.done * width / p.total.max(1);
            format!(
                "{:<8} [{}{}] {}/{}",
                p.phase,
                "#".repeat(filled),
                " ".repeat(width - filled.min(width)),
                p.done,
                p.total
            )
        } else {
            format!("{:<8} {} items read", p.phase, p.done)
        };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    };
    let report = app.move_in(&options, &progress).await?;
    print!("{report}");
    eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

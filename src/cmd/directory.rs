//! `tawasul directory import|export`: a site's directory from and to the
//! CSV files directorates keep (docs/directory.md).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use tawasul_app::directory::csv::Separator;
use tawasul_app::directory::{DirectoryFile, Locale};
use tawasul_app::App;

/// Which file the options name: exactly one of the two.
fn which<T>(institutions: Option<T>, contacts: Option<T>) -> anyhow::Result<(DirectoryFile, T)> {
    match (institutions, contacts) {
        (Some(x), None) => Ok((DirectoryFile::Institutions, x)),
        (None, Some(x)) => Ok((DirectoryFile::Contacts, x)),
        _ => bail!("name one file: --institutions or --contacts"),
    }
}

pub async fn import(
    app: &App,
    site: &str,
    institutions: Option<PathBuf>,
    contacts: Option<PathBuf>,
) -> anyhow::Result<()> {
    let (file, path) = which(institutions, contacts)?;
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let outcome = app.import_directory(None, site, file, &bytes).await?;
    println!(
        "imported {} into the directory of {site}: {outcome}",
        path.display()
    );
    Ok(())
}

pub async fn export(
    app: &App,
    site: &str,
    institutions: bool,
    contacts: bool,
    lang: &str,
    separator: &str,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let (file, ()) = which(institutions.then_some(()), contacts.then_some(()))?;
    let locale = match lang {
        "ar" => Locale::Ar,
        "fr" => Locale::Fr,
        other => bail!("--lang is ar or fr, not `{other}`"),
    };
    let separator = match separator {
        "semicolon" => Separator::Semicolon,
        "comma" => Separator::Comma,
        other => bail!("--separator is semicolon or comma, not `{other}`"),
    };
    let text = app
        .export_directory(None, site, file, locale, separator)
        .await?;
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

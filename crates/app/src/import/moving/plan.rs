//! The first pass over an export: everything read and checked, every text
//! converted once to find its problems, the files and videos it needs
//! listed. Keeps only what the writing needs to know in advance (no
//! texts), so a large export costs little memory.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::files::{find_local, FileSources};
use super::read::{read_export, Format, ReadError};
use super::report::MoveReport;
use super::source::{Channel, ItemKind, SourceAuthor, SourceEvent, SourceStatus, SourceTerm};
use super::{refusal, MoveOptions, OnProgress, Progress};
use crate::import::convert::{self, media_key, MediaMap};
use crate::{AppError, ImportProblem};
use tawasul_store::ImportTarget;

/// An attachment to bring into the library.
#[derive(Debug, Clone)]
pub(super) struct AttachmentPlan {
    pub key: String,
    pub number: Option<i64>,
    pub url: String,
    pub alt: String,
    pub caption: String,
    pub title: String,
    pub parent: Option<i64>,
    pub line: usize,
    pub old_keys: Vec<String>,
}

/// A file a text shows or links that no attachment stands for.
#[derive(Debug, Clone)]
pub(super) struct FilePlan {
    pub url: String,
    pub title: String,
    pub line: usize,
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    pub channel: Channel,
    pub authors: Vec<SourceAuthor>,
    pub categories: Vec<SourceTerm>,
    /// (slug, name); the slug may be empty (Blogger labels).
    pub tags: Vec<(String, String)>,
    pub attachments: Vec<AttachmentPlan>,
    pub files: Vec<FilePlan>,
    pub videos: Vec<(String, String, usize)>,
    /// Posts and pages to write.
    pub entries: usize,
    /// Images attached to each post (by WordPress id), for a `[gallery]`
    /// that names none.
    pub children: HashMap<i64, Vec<i64>>,
}

/// Reads the export on a blocking thread, handing events over a small
/// channel: the file is read as fast as the writer takes items.
pub(super) fn spawn_reader(
    format: Format,
    path: PathBuf,
) -> (
    mpsc::Receiver<SourceEvent>,
    tokio::task::JoinHandle<Result<(), ReadError>>,
) {
    let (tx, rx) = mpsc::channel(32);
    let handle = tokio::task::spawn_blocking(move || {
        read_export(format, &path, |event| tx.blocking_send(event).is_ok())
    });
    (rx, handle)
}

/// Ends a pass: the reader's refusal, if it had one.
pub(super) async fn reader_outcome(
    options: &MoveOptions,
    handle: tokio::task::JoinHandle<Result<(), ReadError>>,
) -> Result<(), AppError> {
    match handle.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(refusal(&options.file, e.line, e.message)),
        Err(e) => Err(AppError::io(
            "reading the export",
            std::io::Error::other(e.to_string()),
        )),
    }
}

/// How many refusals are listed before the rest are only counted.
const MAX_REFUSALS: usize = 50;

pub(super) async fn plan(
    options: &MoveOptions,
    sources: &FileSources,
    known: &HashMap<String, ImportTarget>,
    report: &mut MoveReport,
    progress: OnProgress<'_>,
) -> Result<Plan, AppError> {
    let mut plan = Plan::default();
    let (mut rx, handle) = spawn_reader(options.format, options.file.clone());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut refusals: Vec<ImportProblem> = Vec::new();
    let mut author_keys = BTreeSet::new();
    let mut category_slugs = BTreeSet::new();
    let mut tag_names = BTreeSet::new();
    let mut file_urls = BTreeSet::new();
    let mut attachment_keys = BTreeSet::new();
    let mut video_urls = BTreeSet::new();
    let mut items = 0usize;
    let empty = Arc::new(MediaMap::default());
    while let Some(event) = rx.recv().await {
        match event {
            SourceEvent::Channel(channel) => plan.channel = channel,
            SourceEvent::Author(author) => {
                if author_keys.insert(author.key.clone()) {
                    report.tally("author").found += 1;
                    plan.authors.push(author);
                }
            }
            SourceEvent::Term(term) if term.category => {
                if category_slugs.insert(term.slug.clone()) {
                    report.tally("category").found += 1;
                    plan.categories.push(term);
                }
            }
            SourceEvent::Term(term) => {
                if tag_names.insert(term.name.clone()) {
                    report.tally("tag").found += 1;
                    plan.tags.push((term.slug, term.name));
                }
            }
            SourceEvent::Skipped {
                what,
                title,
                line,
                why,
            } => {
                // Items a reader would miss are listed; the machinery of
                // the old site (menus, revisions, settings) only counted.
                if matches!(what.as_str(), "post" | "page" | "attachment") {
                    report.note(Some(line), &title, format!("not imported: {why}"));
                }
                report.skip(&what, &why);
            }
            SourceEvent::Item(item) => {
                items += 1;
                if items.is_multiple_of(500) {
                    progress(Progress {
                        phase: "reading",
                        done: items,
                        total: 0,
                    });
                }
                if let Some(first) = seen.insert(item.key.clone(), item.line) {
                    if refusals.len() < MAX_REFUSALS {
                        refusals.push(ImportProblem {
                            file: options.file.clone(),
                            line: Some(item.line),
                            message: format!(
                                "«{}» has the id {} of the item on line {first}: an export holds each item once",
                                item.title, item.key
                            ),
                        });
                    }
                    continue;
                }
                let tally = report.tally(item.kind.label());
                tally.found += 1;
                if known.contains_key(&item.key) {
                    tally.unchanged += 1;
                } else {
                    tally.created += 1;
                }
                if item.kind == ItemKind::Attachment {
                    let Some(url) = item.file_url.clone() else {
                        report.note(
                            Some(item.line),
                            &item.title,
                            "an attachment without a file address: skipped",
                        );
                        continue;
                    };
                    if let (Some(parent), Some(number)) = (item.parent, item.number) {
                        if is_image_url(&url) {
                            plan.children.entry(parent).or_default().push(number);
                        }
                    }
                    if let Some(key) = media_key(&url) {
                        attachment_keys.insert(key);
                    }
                    if !known.contains_key(&item.key) {
                        check_file(sources, &url, &item.title, item.line, report);
                    }
                    if is_image_url(&url) && item.alt.trim().is_empty() {
                        // Already public on the old site: imported, and
                        // listed so someone describes it.
                        report.note(
                            Some(item.line),
                            &item.title,
                            "this photo has no alt text (what it shows, for readers who cannot see it): add it in the library",
                        );
                    }
                    plan.attachments.push(AttachmentPlan {
                        key: item.key.clone(),
                        number: item.number,
                        url,
                        alt: item.alt.trim().to_owned(),
                        caption: convert::html_text(&item.excerpt),
                        title: item.title.clone(),
                        parent: item.parent,
                        line: item.line,
                        old_keys: item.old_keys.clone(),
                    });
                    continue;
                }
                plan.entries += 1;
                match &item.status {
                    SourceStatus::Private => report.note(
                        Some(item.line),
                        &item.title,
                        "was private on the old site: imported as a draft",
                    ),
                    SourceStatus::Pending => report.note(
                        Some(item.line),
                        &item.title,
                        "was waiting for review: imported as in review",
                    ),
                    _ => {}
                }
                if item.title.trim().is_empty() {
                    report.note(
                        Some(item.line),
                        "",
                        "has no title: it gets one made from its id",
                    );
                }
                for (slug, name) in &item.categories {
                    if category_slugs.insert(slug.clone()) {
                        report.tally("category").found += 1;
                        plan.categories.push(SourceTerm {
                            category: true,
                            slug: slug.clone(),
                            name: name.clone(),
                            parent: None,
                            number: None,
                        });
                    }
                }
                for (slug, name) in &item.tags {
                    if tag_names.insert(name.clone()) {
                        report.tally("tag").found += 1;
                        plan.tags.push((slug.clone(), name.clone()));
                    }
                }
                let converted = convert::html_to_markdown(&item.content, Arc::clone(&empty));
                for note in converted.notes {
                    report.note(Some(item.line), &item.title, note);
                }
                for url in converted.files {
                    if file_urls.insert(url.clone()) {
                        plan.files.push(FilePlan {
                            url,
                            title: item.title.clone(),
                            line: item.line,
                        });
                    }
                }
                for url in converted.videos {
                    if video_urls.insert(url.clone()) {
                        plan.videos.push((url, item.title.clone(), item.line));
                    }
                }
            }
        }
    }
    reader_outcome(options, handle).await?;
    if !refusals.is_empty() {
        return Err(AppError::Import(refusals));
    }
    // Files the texts use that are attachments already come with them.
    let attachment_keys = &attachment_keys;
    plan.files
        .retain(|f| media_key(&f.url).is_some_and(|key| !attachment_keys.contains(&key)));
    let mut keys_seen = BTreeSet::new();
    plan.files
        .retain(|f| media_key(&f.url).is_some_and(|key| keys_seen.insert(key)));
    for file in &plan.files {
        let key = format!("file:{}", media_key(&file.url).unwrap_or_default());
        let tally = report.tally("file");
        tally.found += 1;
        if known.contains_key(&key) {
            tally.unchanged += 1;
        } else {
            tally.created += 1;
            check_file(sources, &file.url, &file.title, file.line, report);
        }
    }
    for (url, _, _) in &plan.videos {
        let tally = report.tally("video");
        tally.found += 1;
        if known.contains_key(&format!("video:{url}")) {
            tally.unchanged += 1;
        } else {
            tally.created += 1;
        }
    }
    if !report.dry_run {
        // A real run counts what it does, not what it expects.
        for tally in report.tallies.values_mut() {
            tally.created = 0;
            tally.unchanged = 0;
        }
    }
    progress(Progress {
        phase: "reading",
        done: items,
        total: items,
    });
    Ok(plan)
}

fn is_image_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp"]
        .iter()
        .any(|ext| lower.split(['?', '#']).next().unwrap_or("").ends_with(ext))
}

/// Says in the report when a file will be missing.
fn check_file(sources: &FileSources, url: &str, title: &str, line: usize, report: &mut MoveReport) {
    if sources.fetch || find_local(sources, url).is_some() {
        return;
    }
    let why = if sources.uploads.is_some() {
        "is not in the upload folder"
    } else {
        "cannot be found: give --uploads DIR (a copy of the old upload folder) or --fetch-media"
    };
    report.note(
        Some(line),
        title,
        format!("the file {url} {why}; it is left out"),
    );
}

//! Reading one site's content folder into a checked plan: categories,
//! template overrides and entries, with every problem found (not just the
//! first), each naming its file and line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tawasul_domain::{
    slug, validate_text, AnnouncementFacts, DomainError, EntryFields, EntryKind, EntryStatus,
    Locale,
};
use tawasul_render::markdown;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::front_matter::{self, FrontMatter, Split};
use super::media::{self, MediaFile};
use super::slugs::SlugBook;
use crate::ImportProblem;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    pub slug: String,
    pub name_ar: String,
    pub name_fr: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    #[serde(default)]
    category: Vec<CategoryDef>,
}

#[derive(Debug, Clone)]
pub struct PlannedEntry {
    pub file: PathBuf,
    pub kind: EntryKind,
    pub locale: Locale,
    pub slug: String,
    /// Whether the author chose the slug (else it comes from the title and
    /// may get a number to stay unique).
    pub slug_given: bool,
    pub title: String,
    pub summary: String,
    /// As written: its images still name files of the folder, which
    /// become `media:<id>` once they are in the site's library.
    pub body_md: String,
    pub cover: Option<MediaFile>,
    pub category: Option<String>,
    /// (slug, name)
    pub tags: Vec<(String, String)>,
    pub programmes: Vec<String>,
    pub fields: EntryFields,
    pub status: EntryStatus,
    pub published_at: Option<OffsetDateTime>,
    pub featured: bool,
    pub featured_on_parent: bool,
    pub translation: Option<String>,
    pub menu_order: Option<i32>,
    /// Every photo the entry shows: its cover, then the images of its body.
    pub photos: Vec<PlannedPhoto>,
}

/// A photo an entry shows, added to its site's library when the plan is
/// written.
#[derive(Debug, Clone)]
pub struct PlannedPhoto {
    pub file: MediaFile,
    /// As the body names it; `None` for the cover.
    pub destination: Option<String>,
    /// Its alt text in the entry's language, as the file gives it.
    pub alt: String,
}

#[derive(Debug, Clone, Default)]
pub struct FolderPlan {
    pub categories: Vec<CategoryDef>,
    pub templates: Vec<(String, String)>,
    pub entries: Vec<PlannedEntry>,
    pub media: Vec<MediaFile>,
}

/// What the folder may refer to besides what it declares itself.
pub struct Known<'a> {
    pub programmes: &'a BTreeSet<String>,
    pub categories: &'a BTreeSet<String>,
}

struct Problems<'a> {
    list: &'a mut Vec<ImportProblem>,
    file: PathBuf,
}

impl Problems<'_> {
    fn at(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.list.push(ImportProblem {
            file: self.file.clone(),
            line,
            message: message.into(),
        });
    }
}

/// Reads `dir` and checks everything in it. Problems are appended to `problems`.
pub fn plan(dir: &Path, known: &Known<'_>, problems: &mut Vec<ImportProblem>) -> FolderPlan {
    let mut plan = FolderPlan::default();
    if !dir.is_dir() {
        problems.push(ImportProblem {
            file: dir.to_owned(),
            line: None,
            message: "this folder does not exist".to_owned(),
        });
        return plan;
    }
    let categories_path = dir.join("categories.toml");
    if categories_path.exists() {
        plan.categories = read_categories(&categories_path, problems);
    }
    let mut categories: BTreeSet<String> = known.categories.clone();
    categories.extend(plan.categories.iter().map(|c| c.slug.clone()));

    let templates_dir = dir.join("templates");
    if templates_dir.is_dir() {
        for path in walk(&templates_dir, "html") {
            let name = path
                .strip_prefix(&templates_dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            match std::fs::read_to_string(&path) {
                Ok(source) => plan.templates.push((name, source)),
                Err(e) => problems.push(ImportProblem {
                    file: path,
                    line: None,
                    message: format!("cannot read the template: {e}"),
                }),
            }
        }
    }

    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    let mut translations: HashMap<(String, Locale), PathBuf> = HashMap::new();
    let mut media: BTreeMap<String, MediaFile> = BTreeMap::new();
    for path in walk(dir, "md") {
        if path.starts_with(&templates_dir) || path.file_name().is_some_and(|n| n == "README.md") {
            continue;
        }
        let mut p = Problems {
            list: problems,
            file: path.clone(),
        };
        let Some(entry) = plan_entry(&path, known.programmes, &categories, &mut p) else {
            continue;
        };
        if entry.slug_given {
            if let Some(first) = slugs.get(&entry.slug) {
                p.at(
                    None,
                    format!(
                        "the slug `{}` is already used by {}; give one of them another `slug`",
                        entry.slug,
                        first.display()
                    ),
                );
                continue;
            }
            slugs.insert(entry.slug.clone(), path.clone());
        }
        if let Some(key) = &entry.translation {
            if let Some(first) = translations.insert((key.clone(), entry.locale), path.clone()) {
                p.at(
                    None,
                    format!(
                        "{} is already the `{}` translation `{key}`; a translation group has one entry per language",
                        first.display(),
                        entry.locale
                    ),
                );
                continue;
            }
        }
        // The same file under several names: the library names it by the
        // first one met.
        for photo in &entry.photos {
            media
                .entry(photo.file.stored_name.clone())
                .or_insert_with(|| photo.file.clone());
        }
        plan.entries.push(entry);
    }
    // Slugs made from titles come last, around the ones authors chose:
    // archives repeat titles, and a repeated one gets `-2`, `-3` (in file
    // order, so importing again gives each file the same slug).
    let mut book = SlugBook::new(slugs.into_keys());
    for entry in plan.entries.iter_mut().filter(|e| !e.slug_given) {
        entry.slug = book.take_derived(&entry.slug);
    }
    plan.media.extend(media.into_values());
    plan
}

fn read_categories(path: &Path, problems: &mut Vec<ImportProblem>) -> Vec<CategoryDef> {
    let problem = |line, message: String| ImportProblem {
        file: path.to_owned(),
        line,
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            problems.push(problem(None, format!("cannot read: {e}")));
            return Vec::new();
        }
    };
    let parsed: CategoriesFile = match toml::from_str(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count());
            problems.push(problem(line, e.message().to_owned()));
            return Vec::new();
        }
    };
    let mut seen = BTreeSet::new();
    for category in &parsed.category {
        if slug::validate(&category.slug).is_err()
            || category.slug.contains(|c: char| !c.is_ascii())
        {
            problems.push(problem(
                None,
                format!(
                    "category slug `{}`: use lower-case letters a-z, digits and hyphens",
                    category.slug
                ),
            ));
        }
        if category.name_ar.trim().is_empty() || category.name_fr.trim().is_empty() {
            problems.push(problem(
                None,
                format!("category `{}` needs name_ar and name_fr", category.slug),
            ));
        }
        if !seen.insert(category.slug.clone()) {
            problems.push(problem(
                None,
                format!("category `{}` is declared twice", category.slug),
            ));
        }
    }
    parsed.category
}

/// Every file with `extension` under `dir`, in a stable order.
fn walk(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = files_under(dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    found.sort();
    found
}

/// Every file under `dir`, at any depth; unreadable folders are skipped.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

fn domain_message(err: &DomainError) -> String {
    match err {
        DomainError::Invalid(errors) => errors.to_string(),
        other => other.to_string(),
    }
}

fn plan_entry(
    path: &Path,
    programmes: &BTreeSet<String>,
    categories: &BTreeSet<String>,
    p: &mut Problems<'_>,
) -> Option<PlannedEntry> {
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(e) => {
            p.at(None, format!("cannot read the file as UTF-8 text: {e}"));
            return None;
        }
    };
    let split = match front_matter::split(&source) {
        Ok(split) => split,
        Err((line, message)) => {
            p.at(Some(line), message);
            return None;
        }
    };
    let fm = match front_matter::parse(&split) {
        Ok(fm) => fm,
        Err((line, message)) => {
            p.at(Some(line), message);
            return None;
        }
    };
    let before = p.list.len();
    let line = |key: &str| front_matter::line_of_key(&split, key);

    let kind = fm
        .kind
        .parse::<EntryKind>()
        .map_err(|e| p.at(line("kind"), e.to_string()))
        .ok();
    let locale = fm
        .locale
        .parse::<Locale>()
        .map_err(|e| p.at(line("locale"), e.to_string()))
        .ok();
    let status = fm
        .status
        .as_deref()
        .unwrap_or("draft")
        .parse::<EntryStatus>()
        .map_err(|e| p.at(line("status"), e.to_string()))
        .ok();
    let summary = fm
        .summary
        .clone()
        .unwrap_or_else(|| markdown::first_paragraph_text(split.body, 280));
    if let Err(e) = validate_text(&fm.title, &summary) {
        p.at(line("title").or(line("summary")), domain_message(&e));
    }

    let entry_slug = match &fm.slug {
        Some(given) => {
            if let Err(e) = slug::validate(given) {
                p.at(line("slug"), domain_message(&e));
            }
            given.clone()
        }
        None => {
            let derived = slug::slugify(&fm.title);
            if derived.is_empty() {
                p.at(
                    line("title"),
                    "the title has no letter to make a slug from; add a `slug`",
                );
            }
            derived
        }
    };

    let published_at = match &fm.published_at {
        Some(value) => match OffsetDateTime::parse(&value.to_string(), &Rfc3339) {
            Ok(at) => Some(at),
            Err(_) => {
                p.at(
                    line("published_at"),
                    format!("published_at `{value}` needs a date, a time and a zone, e.g. 2026-10-12T09:30:00Z"),
                );
                None
            }
        },
        None => None,
    };
    if status.is_some_and(EntryStatus::is_public) && fm.published_at.is_none() {
        p.at(
            line("status"),
            "a published or archived entry needs `published_at`",
        );
    }

    if let Some(category) = &fm.category {
        if !categories.contains(category) {
            p.at(
                line("category"),
                format!("unknown category `{category}`: declare it in categories.toml"),
            );
        }
    }
    for programme in &fm.programmes {
        if !programmes.contains(programme) {
            p.at(
                line("programmes"),
                format!("unknown programme `{programme}`: programmes are declared in network.toml"),
            );
        }
    }
    let mut tags = Vec::new();
    for name in &fm.tags {
        let tag_slug = slug::slugify(name);
        if tag_slug.is_empty() {
            p.at(
                line("tags"),
                format!("the tag `{name}` has no letter or digit"),
            );
        } else if !tags.iter().any(|(s, _)| *s == tag_slug) {
            tags.push((tag_slug, name.trim().to_owned()));
        }
    }
    if let Some(key) = &fm.translation {
        if key.trim().is_empty() || key.chars().count() > 100 {
            p.at(
                line("translation"),
                "the translation key must have 1 to 100 characters",
            );
        }
    }

    let base_dir = path.parent().unwrap_or(Path::new("."));
    let cover = match (&fm.cover, &fm.cover_alt) {
        (Some(reference), alt) => {
            if alt.as_deref().is_none_or(|a| a.trim().is_empty()) {
                p.at(line("cover"), "a cover image needs `cover_alt`, its description for readers who cannot see it");
            }
            media::prepare_photo(base_dir, reference)
                .map_err(|message| p.at(line("cover"), message))
                .ok()
        }
        (None, Some(_)) => {
            p.at(line("cover_alt"), "`cover_alt` without `cover`");
            None
        }
        (None, None) => None,
    };

    let mut photos: Vec<PlannedPhoto> = Vec::new();
    if let Some(file) = &cover {
        photos.push(PlannedPhoto {
            file: file.clone(),
            destination: None,
            alt: fm.cover_alt.clone().unwrap_or_default().trim().to_owned(),
        });
    }
    for image in markdown::images(split.body) {
        let dest = image.destination;
        if !media::is_local_reference(&dest) {
            continue;
        }
        match media::prepare_photo(base_dir, &dest) {
            Ok(file) => photos.push(PlannedPhoto {
                file,
                destination: Some(dest),
                alt: image.alt,
            }),
            Err(message) => p.at(body_line(&split, &source, &dest), message),
        }
    }

    let fields = kind.and_then(|kind| plan_fields(kind, &fm, &split, p));
    if kind.is_some_and(|k| k != EntryKind::Page) && fm.menu_order.is_some() {
        p.at(line("menu_order"), "only pages have a place in the menu");
    }

    if p.list.len() > before {
        return None;
    }
    let (kind, locale, status, fields) = (kind?, locale?, status?, fields?);
    Some(PlannedEntry {
        file: path.to_owned(),
        kind,
        locale,
        slug: entry_slug,
        slug_given: fm.slug.is_some(),
        title: fm.title.trim().to_owned(),
        summary: summary.trim().to_owned(),
        body_md: split.body.to_owned(),
        cover,
        category: fm.category.clone(),
        tags,
        programmes: fm.programmes.clone(),
        fields,
        status,
        published_at,
        featured: fm.featured,
        featured_on_parent: fm.featured_on_parent,
        translation: fm.translation.clone(),
        menu_order: fm.menu_order,
        photos,
    })
}

fn body_line(split: &Split<'_>, source: &str, needle: &str) -> Option<usize> {
    let body_start = source.len() - split.body.len();
    source
        .find(needle)
        .filter(|&at| at >= body_start)
        .map(|at| 1 + source[..at].matches('\n').count())
}

fn plan_fields(
    kind: EntryKind,
    fm: &FrontMatter,
    split: &Split<'_>,
    p: &mut Problems<'_>,
) -> Option<EntryFields> {
    let line = |key: &str| front_matter::line_of_key(split, key);
    let tables = [
        ("training", &fm.training, EntryKind::TrainingReport),
        ("event", &fm.event, EntryKind::Event),
        ("announcement", &fm.announcement, EntryKind::Announcement),
    ];
    for (name, table, owner) in &tables {
        if table.is_some() && kind != *owner {
            p.at(line(name), format!("a {kind} cannot have a [{name}] table"));
            return None;
        }
    }
    let json = |table: &toml::Table| front_matter::toml_to_json(&toml::Value::Table(table.clone()));
    let fields = match kind {
        EntryKind::Circular => {
            p.at(
                line("kind"),
                "circulars are internal: write them in the admin, where they are reviewed, numbered and sent",
            );
            return None;
        }
        EntryKind::News => EntryFields::News,
        EntryKind::Page => EntryFields::Page,
        EntryKind::TrainingReport => {
            let Some(table) = &fm.training else {
                p.at(line("kind"), "a training report needs its [training] table: starts_on, ends_on, venue, audience, head_count");
                return None;
            };
            match serde_json::from_value(json(table)) {
                Ok(report) => EntryFields::TrainingReport(report),
                Err(e) => {
                    p.at(line("training"), format!("[training]: {e}"));
                    return None;
                }
            }
        }
        EntryKind::Event => {
            let Some(table) = &fm.event else {
                p.at(
                    line("kind"),
                    "an event needs its [event] table with at least starts_at",
                );
                return None;
            };
            match serde_json::from_value(json(table)) {
                Ok(event) => EntryFields::Event(event),
                Err(e) => {
                    p.at(line("event"), format!("[event]: {e}"));
                    return None;
                }
            }
        }
        EntryKind::Announcement => match &fm.announcement {
            None => EntryFields::Announcement(AnnouncementFacts::default()),
            Some(table) => match serde_json::from_value(json(table)) {
                Ok(facts) => EntryFields::Announcement(facts),
                Err(e) => {
                    p.at(line("announcement"), format!("[announcement]: {e}"));
                    return None;
                }
            },
        },
    };
    if let Err(e) = fields.validate() {
        let table = match kind {
            EntryKind::TrainingReport => "training",
            EntryKind::Event => "event",
            _ => "announcement",
        };
        p.at(line(table), domain_message(&e));
        return None;
    }
    Some(fields)
}

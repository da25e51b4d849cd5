//! The admin interface's templates, stylesheet, script and strings, compiled
//! into the binary from `admin/` at the repository root (docs/admin-ui.md is
//! the contract between these templates and the handlers that fill them).
//!
//! Everything is prepared once, at load: the templates are compiled, the
//! strings parsed and checked (Arabic and French must have the same keys),
//! the static files fingerprinted and compressed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use include_dir::{include_dir, Dir};
use serde_json::Value;
use tawasul_domain::Locale;
use tera::{Context, Tera};

use crate::theme::{compile, fingerprint_static, relative};
use crate::{RenderError, Result, StaticFile, Strings};

static ADMIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../admin");

/// Where the web crate serves the fingerprinted static files of the admin.
const ADMIN_STATIC_PREFIX: &str = "/admin/_static/";

/// The name errors carry: the admin is not a theme, but fails like one.
const NAME: &str = "admin";

/// The admin UI, ready to render.
#[derive(Debug)]
pub struct Admin {
    tera: Tera,
    ar: Strings,
    fr: Strings,
    /// By fingerprinted file name (`admin.3f9a0c1d2e.css`).
    statics: HashMap<String, StaticFile>,
    /// Logical name (`admin.css`) to URL (`/admin/_static/admin.3f9a0c1d2e.css`).
    asset_urls: BTreeMap<String, String>,
}

/// The files of `admin/`, sorted by what they are.
#[derive(Default)]
struct AdminFiles {
    templates: BTreeMap<String, String>,
    statics: BTreeMap<String, Vec<u8>>,
    strings: BTreeMap<String, Value>,
}

impl Admin {
    /// The admin UI built into the binary.
    pub fn load() -> Result<Admin> {
        let mut files = AdminFiles::default();
        collect(&ADMIN, &mut files)?;
        Admin::build(files)
    }

    fn build(files: AdminFiles) -> Result<Admin> {
        let AdminFiles {
            templates,
            statics,
            mut strings,
        } = files;
        let mut take = |code: &str| {
            strings
                .remove(code)
                .ok_or_else(|| bad(format!("i18n/{code}.toml is missing")))
        };
        let ar = take("ar")?;
        let fr = take("fr")?;
        if let Some(extra) = strings.keys().next() {
            return Err(bad(format!(
                "i18n/{extra}.toml: the admin speaks ar and fr only (en falls back to fr)"
            )));
        }
        same_keys(("ar", &ar), ("fr", &fr)).map_err(bad)?;

        let mut fingerprinted = HashMap::new();
        let mut asset_urls = BTreeMap::new();
        for (file, bytes) in statics {
            let (served, static_file) = fingerprint_static(&file, bytes);
            asset_urls.insert(file, format!("{ADMIN_STATIC_PREFIX}{served}"));
            fingerprinted.insert(served, static_file);
        }
        Ok(Admin {
            tera: compile(NAME, &templates)?,
            ar: Strings::new(ar),
            fr: Strings::new(fr),
            statics: fingerprinted,
            asset_urls,
        })
    }

    /// Renders one page of the admin (`editor.html`).
    pub fn render(&self, template: &str, ctx: &Context) -> Result<String> {
        self.tera
            .render(template, ctx)
            .map_err(|e| RenderError::template(template, &e))
    }

    /// The strings templates see as `t`; English falls back to French.
    pub fn strings(&self, locale: Locale) -> &Strings {
        match locale {
            Locale::Ar => &self.ar,
            Locale::Fr | Locale::En => &self.fr,
        }
    }

    /// Logical name (`admin.css`) to fingerprinted URL, the `assets` of every page.
    pub fn asset_urls(&self) -> &BTreeMap<String, String> {
        &self.asset_urls
    }

    /// A static file by its fingerprinted name, the last segment of its URL.
    pub fn static_file(&self, fingerprinted_name: &str) -> Option<&StaticFile> {
        self.statics.get(fingerprinted_name)
    }

    /// The names of the compiled templates (`editor.html`, `partials/diff.html`).
    pub fn template_names(&self) -> impl Iterator<Item = &str> {
        self.tera.get_template_names()
    }
}

fn bad(message: String) -> RenderError {
    RenderError::BadTheme {
        theme: NAME.to_owned(),
        message,
    }
}

fn collect(dir: &Dir<'_>, files: &mut AdminFiles) -> Result<()> {
    for file in dir.files() {
        let rel = relative(file.path(), ADMIN.path());
        let text = || {
            std::str::from_utf8(file.contents())
                .map(str::to_owned)
                .map_err(|_| bad(format!("{rel} is not UTF-8 text")))
        };
        if let Some(name) = rel.strip_prefix("templates/") {
            files.templates.insert(name.to_owned(), text()?);
        } else if let Some(name) = rel.strip_prefix("static/") {
            files
                .statics
                .insert(name.to_owned(), file.contents().to_vec());
        } else if let Some(code) = rel
            .strip_prefix("i18n/")
            .and_then(|f| f.strip_suffix(".toml"))
        {
            let table: toml::Table =
                toml::from_str(&text()?).map_err(|e| bad(format!("{rel}: {e}")))?;
            let value = serde_json::to_value(table).map_err(|e| bad(format!("{rel}: {e}")))?;
            files.strings.insert(code.to_owned(), value);
        }
    }
    for sub in dir.dirs() {
        collect(sub, files)?;
    }
    Ok(())
}

/// Every key path to a string (or list) in a strings table: `status.draft`.
fn leaf_keys(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaf_keys(child, &path, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

/// Two languages must offer the same strings, or a page would show a key
/// instead of a word in one of them; the error names every gap.
fn same_keys(a: (&str, &Value), b: (&str, &Value)) -> Result<(), String> {
    let (mut keys_a, mut keys_b) = (BTreeSet::new(), BTreeSet::new());
    leaf_keys(a.1, "", &mut keys_a);
    leaf_keys(b.1, "", &mut keys_b);
    let mut gaps = Vec::new();
    for (lacking, has, missing) in [(b.0, a.0, &keys_a - &keys_b), (a.0, b.0, &keys_b - &keys_a)] {
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(String::as_str).collect();
            gaps.push(format!(
                "i18n/{lacking}.toml lacks keys that i18n/{has}.toml has: {}",
                list.join(", ")
            ));
        }
    }
    if gaps.is_empty() {
        Ok(())
    } else {
        Err(gaps.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_built_in_admin_loads_every_page() {
        let admin = Admin::load().expect("admin loads");
        let names: Vec<&str> = admin.template_names().collect();
        for page in [
            "base.html",
            "login.html",
            "forgot.html",
            "reset.html",
            "dashboard.html",
            "entries.html",
            "editor.html",
            "review.html",
            "history.html",
            "trash.html",
            "members.html",
            "sites.html",
            "account.html",
            "error.html",
        ] {
            assert!(names.contains(&page), "{page} is missing");
        }
    }

    #[test]
    fn different_keys_are_refused_with_their_names() {
        let ar = json!({"status": {"draft": "مسودة", "published": "منشور"}, "title": "x"});
        let fr = json!({"status": {"draft": "Brouillon"}, "extra": {"deep": "y"}, "title": "x"});
        let err = same_keys(("ar", &ar), ("fr", &fr)).expect_err("keys differ");
        assert!(
            err.contains("i18n/fr.toml lacks keys that i18n/ar.toml has: status.published"),
            "{err}"
        );
        assert!(
            err.contains("i18n/ar.toml lacks keys that i18n/fr.toml has: extra.deep"),
            "{err}"
        );
        assert!(!err.contains("title"), "{err}");
    }

    #[test]
    fn a_table_against_a_string_is_a_difference() {
        let ar = json!({"status": {"draft": "مسودة"}});
        let fr = json!({"status": "Statut"});
        let err = same_keys(("ar", &ar), ("fr", &fr)).expect_err("shapes differ");
        assert!(err.contains("status.draft"), "{err}");
    }

    #[test]
    fn load_refuses_languages_that_disagree() {
        let mut files = AdminFiles::default();
        files
            .strings
            .insert("ar".into(), json!({"a": "أ", "only_ar": "ب"}));
        files.strings.insert("fr".into(), json!({"a": "a"}));
        let err = Admin::build(files).expect_err("refused");
        assert!(err.to_string().contains("only_ar"), "{err}");
    }

    #[test]
    fn the_shipped_strings_have_every_table_the_handlers_use() {
        let admin = Admin::load().expect("admin loads");
        for locale in [Locale::Ar, Locale::Fr] {
            let t = admin.strings(locale);
            for key in [
                "status.draft",
                "status.in_review",
                "status.approved",
                "status.published",
                "status.archived",
                "kind.news",
                "kind.training_report",
                "kind.announcement",
                "kind.event",
                "kind.page",
                "role.contributor",
                "role.editor",
                "role.publisher",
                "role.site_admin",
                "action.submit",
                "action.request_changes",
                "action.approve",
                "action.publish",
                "action.unpublish",
                "action.archive",
                "action.create",
                "action.save",
                "action.restore",
                "action.delete",
                "action.undelete",
                "action.schedule",
                "errors.bad_credentials",
                "errors.throttled",
                "errors.session_expired",
                "errors.csrf",
                "errors.forbidden",
                "errors.not_found",
                "errors.conflict",
                "errors.server",
                "errors.transition_refused",
                "errors.schedule_past",
            ] {
                assert_ne!(t.get(key), key, "{locale} lacks {key}");
            }
            for field in [
                "title",
                "summary",
                "body",
                "locale",
                "category",
                "tags",
                "f_starts_on",
                "f_ends_on",
                "f_venue",
                "f_audience",
                "f_head_count",
                "f_facilitators",
                "f_workshops",
                "f_recommendations",
                "f_starts_at",
                "f_ends_at",
                "f_deadline",
                "f_reference",
                "at",
                "comment",
                "email",
                "password",
                "password_confirm",
                "current",
                "name",
                "role",
                "slug",
                "name_ar",
                "name_fr",
                "hosts",
                "parent",
                "kind",
                "version",
            ] {
                let key = format!("field_errors.{field}");
                assert_ne!(t.get(&key), key, "{locale} lacks {key}");
            }
            assert!(t.get("errors.throttled").contains("{seconds}"));
        }
    }

    #[test]
    fn english_reads_the_french_strings() {
        let admin = Admin::load().expect("admin loads");
        assert_eq!(
            admin.strings(Locale::En).get("status.draft"),
            admin.strings(Locale::Fr).get("status.draft")
        );
        assert_eq!(admin.strings(Locale::Ar).get("status.draft"), "مسودة");
    }

    #[test]
    fn static_files_are_fingerprinted_and_compressed() {
        let admin = Admin::load().expect("admin loads");
        for (logical, content_type) in [
            ("admin.css", "text/css; charset=utf-8"),
            ("admin.js", "text/javascript; charset=utf-8"),
        ] {
            let url = &admin.asset_urls()[logical];
            assert!(url.starts_with(ADMIN_STATIC_PREFIX), "{url}");
            let name = url.rsplit('/').next().expect("file name");
            assert_ne!(name, logical, "the URL carries a hash");
            let file = admin.static_file(name).expect("served by its URL");
            assert_eq!(file.content_type, content_type);
            assert!(file.brotli.is_some() && file.gzip.is_some(), "{logical}");
        }
        assert!(admin.static_file("admin.css").is_none());
    }
}

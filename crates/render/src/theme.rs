//! Themes: loading them (built in, or from a folder), resolving their
//! inheritance, fingerprinting their static files, and rendering with Tera.
//!
//! A template is looked up site → theme → parent theme. Templates are
//! compiled once, when a theme or a site's overrides are loaded, never per
//! request.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bytes::Bytes;
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use serde_json::Value;
use tawasul_domain::Locale;
use tera::{Context, Tera};

use crate::{RenderError, Result, Strings};

/// The themes shipped in the binary, so `tawasul serve` works from anywhere.
static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../themes");

pub const DEFAULT_THEME: &str = "default";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeManifest {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
}

/// The files of one theme folder, before inheritance.
#[derive(Debug, Default)]
struct ThemeFiles {
    manifest: Option<ThemeManifest>,
    templates: BTreeMap<String, String>,
    statics: BTreeMap<String, Vec<u8>>,
    strings: BTreeMap<String, toml::Table>,
}

/// A static file of a theme, ready to serve, with its compressed copies
/// (made once, when the theme loads, for text files that shrink).
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub bytes: Bytes,
    pub gzip: Option<Bytes>,
    pub brotli: Option<Bytes>,
    pub content_type: &'static str,
    /// The content hash that is part of its URL, usable as an ETag.
    pub fingerprint: String,
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("image/svg")
        || content_type.starts_with("application/json")
}

/// Compresses with both codings at their best (this runs once per file),
/// keeping only what is smaller than the original.
fn precompress(bytes: &[u8]) -> (Option<Bytes>, Option<Bytes>) {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let gzip = gz.write_all(bytes).ok().and_then(|()| gz.finish().ok());
    let mut br = Vec::new();
    let written = {
        let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        writer.write_all(bytes).is_ok()
    };
    if !written {
        br.clear();
    }
    let smaller = |c: Vec<u8>| (!c.is_empty() && c.len() < bytes.len()).then(|| Bytes::from(c));
    (gzip.and_then(smaller), smaller(br))
}

/// A static file named after its content (`style.css` becomes
/// `style.3f9a0c1d2e.css`, so it can be cached forever), ready to serve.
pub(crate) fn fingerprint_static(file: &str, bytes: Vec<u8>) -> (String, StaticFile) {
    let fingerprint = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes));
    let short = &fingerprint[..10];
    let served = match file.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
        None => format!("{file}.{short}"),
    };
    let content_type = content_type(file);
    let (gzip, brotli) = if is_text(content_type) {
        precompress(&bytes)
    } else {
        (None, None)
    };
    let static_file = StaticFile {
        content_type,
        bytes: Bytes::from(bytes),
        gzip,
        brotli,
        fingerprint,
    };
    (served, static_file)
}

#[derive(Debug)]
struct LoadedTheme {
    display_name: String,
    colors: BTreeMap<String, String>,
    templates: BTreeMap<String, String>,
    tera: Tera,
    /// By fingerprinted file name (`style.3f9a0c1d2e.css`).
    statics: HashMap<String, StaticFile>,
    /// Logical name (`style.css`) to URL (`/_static/default/style.3f9a0c1d2e.css`).
    asset_urls: BTreeMap<String, String>,
    strings: HashMap<Locale, Strings>,
}

/// All themes of the network and the sites' template overrides.
#[derive(Debug)]
pub struct Renderer {
    themes: BTreeMap<String, LoadedTheme>,
    site_teras: HashMap<String, (String, Tera)>,
}

impl Renderer {
    /// The built-in themes only.
    pub fn builtin() -> Result<Self> {
        Self::load(None)
    }

    /// The built-in themes plus those in `extra` (one sub-folder per theme; a
    /// folder with a built-in theme's name replaces it).
    pub fn load(extra: Option<&Path>) -> Result<Self> {
        let mut raw: BTreeMap<String, ThemeFiles> = BTreeMap::new();
        for dir in BUILTIN.dirs() {
            let name = dir_name(dir.path());
            let mut files = ThemeFiles::default();
            collect_embedded(dir, dir.path(), &mut files, &name)?;
            raw.insert(name, files);
        }
        if let Some(root) = extra {
            let entries = std::fs::read_dir(root).map_err(|e| RenderError::BadTheme {
                theme: root.display().to_string(),
                message: format!("cannot read the themes folder: {e}"),
            })?;
            for entry in entries.flatten() {
                if entry.path().is_dir() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let mut files = ThemeFiles::default();
                    collect_disk(&entry.path(), &entry.path(), &mut files, &name)?;
                    raw.insert(name, files);
                }
            }
        }
        if !raw.contains_key(DEFAULT_THEME) {
            return Err(RenderError::UnknownTheme(DEFAULT_THEME.to_owned()));
        }
        let mut themes = BTreeMap::new();
        for name in raw.keys() {
            themes.insert(name.clone(), resolve(name, &raw)?);
        }
        Ok(Renderer {
            themes,
            site_teras: HashMap::new(),
        })
    }

    pub fn theme_names(&self) -> impl Iterator<Item = &str> {
        self.themes.keys().map(String::as_str)
    }

    pub fn has_theme(&self, name: &str) -> bool {
        self.themes.contains_key(name)
    }

    fn theme(&self, name: &str) -> &LoadedTheme {
        self.themes
            .get(name)
            .or_else(|| self.themes.get(DEFAULT_THEME))
            .unwrap_or_else(|| unreachable!("load() refuses a set of themes without the default"))
    }

    /// Checks a site's overrides against its theme without installing them.
    pub fn check_site_templates(&self, theme: &str, templates: &[(String, String)]) -> Result<()> {
        self.build_site_tera(theme, templates).map(drop)
    }

    /// Installs (or, with an empty list, removes) a site's template overrides.
    pub fn set_site_templates(
        &mut self,
        site: &str,
        theme: &str,
        templates: &[(String, String)],
    ) -> Result<()> {
        if templates.is_empty() {
            self.site_teras.remove(site);
            return Ok(());
        }
        let tera = self.build_site_tera(theme, templates)?;
        self.site_teras
            .insert(site.to_owned(), (theme.to_owned(), tera));
        Ok(())
    }

    fn build_site_tera(&self, theme: &str, templates: &[(String, String)]) -> Result<Tera> {
        let base = self.theme(theme);
        let mut all = base.templates.clone();
        for (name, source) in templates {
            all.insert(name.clone(), source.clone());
        }
        compile(theme, &all)
    }

    /// Renders `template` for a site (its overrides first), in its theme.
    pub fn render(
        &self,
        site: Option<&str>,
        theme: &str,
        template: &str,
        context: &Context,
    ) -> Result<String> {
        let tera = match site.and_then(|s| self.site_teras.get(s)) {
            Some((site_theme, tera)) if site_theme == theme => tera,
            _ => &self.theme(theme).tera,
        };
        tera.render(template, context)
            .map_err(|e| RenderError::template(template, &e))
    }

    /// The UI strings of a theme in a locale (French strings stand in for a
    /// locale the theme lacks, as the network's second language).
    pub fn strings(&self, theme: &str, locale: Locale) -> &Strings {
        let t = self.theme(theme);
        t.strings
            .get(&locale)
            .or_else(|| t.strings.get(&Locale::Fr))
            .or_else(|| t.strings.values().next())
            .unwrap_or_else(|| unreachable!("resolve() refuses a theme without strings"))
    }

    pub fn asset_urls(&self, theme: &str) -> &BTreeMap<String, String> {
        &self.theme(theme).asset_urls
    }

    pub fn colors(&self, theme: &str) -> &BTreeMap<String, String> {
        &self.theme(theme).colors
    }

    pub fn display_name(&self, theme: &str) -> &str {
        &self.theme(theme).display_name
    }

    /// A static file by its fingerprinted name, as found in asset URLs.
    pub fn static_file(&self, theme: &str, file: &str) -> Option<&StaticFile> {
        self.themes.get(theme)?.statics.get(file)
    }
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn add_file(files: &mut ThemeFiles, theme: &str, rel: &str, bytes: Vec<u8>) -> Result<()> {
    let bad = |message: String| RenderError::BadTheme {
        theme: theme.to_owned(),
        message,
    };
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| bad(format!("{rel} is not UTF-8 text")))
    };
    if rel == "theme.toml" {
        let manifest =
            toml::from_str(&text(bytes)?).map_err(|e| bad(format!("theme.toml: {e}")))?;
        files.manifest = Some(manifest);
    } else if let Some(name) = rel.strip_prefix("templates/") {
        files.templates.insert(name.to_owned(), text(bytes)?);
    } else if let Some(name) = rel.strip_prefix("static/") {
        files.statics.insert(name.to_owned(), bytes);
    } else if let Some(file) = rel.strip_prefix("i18n/") {
        if let Some(locale) = file.strip_suffix(".toml") {
            let table: toml::Table =
                toml::from_str(&text(bytes)?).map_err(|e| bad(format!("{rel}: {e}")))?;
            files.strings.insert(locale.to_owned(), table);
        }
    }
    Ok(())
}

fn collect_embedded(dir: &Dir<'_>, root: &Path, files: &mut ThemeFiles, theme: &str) -> Result<()> {
    for file in dir.files() {
        let rel = relative(file.path(), root);
        add_file(files, theme, &rel, file.contents().to_vec())?;
    }
    for sub in dir.dirs() {
        collect_embedded(sub, root, files, theme)?;
    }
    Ok(())
}

fn collect_disk(dir: &Path, root: &Path, files: &mut ThemeFiles, theme: &str) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| RenderError::BadTheme {
        theme: theme.to_owned(),
        message: format!("cannot read {}: {e}", dir.display()),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_disk(&path, root, files, theme)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| RenderError::BadTheme {
                theme: theme.to_owned(),
                message: format!("cannot read {}: {e}", path.display()),
            })?;
            add_file(files, theme, &relative(&path, root), bytes)?;
        }
    }
    Ok(())
}

pub(crate) fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The chain from the theme up to its root ancestor, child first.
fn lineage<'a>(
    name: &'a str,
    raw: &'a BTreeMap<String, ThemeFiles>,
) -> Result<Vec<&'a ThemeFiles>> {
    let mut chain = Vec::new();
    let mut current = Some(name);
    while let Some(n) = current {
        if chain.len() > 8 {
            return Err(RenderError::BadTheme {
                theme: name.to_owned(),
                message: "its parents form a loop".to_owned(),
            });
        }
        let files = raw.get(n).ok_or_else(|| RenderError::BadTheme {
            theme: name.to_owned(),
            message: format!("its parent theme `{n}` does not exist"),
        })?;
        chain.push(files);
        current = files.manifest.as_ref().and_then(|m| m.parent.as_deref());
    }
    Ok(chain)
}

fn merge_tables(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

fn resolve(name: &str, raw: &BTreeMap<String, ThemeFiles>) -> Result<LoadedTheme> {
    let chain = lineage(name, raw)?;
    let own = chain[0];
    let manifest = own.manifest.as_ref().ok_or_else(|| RenderError::BadTheme {
        theme: name.to_owned(),
        message: "theme.toml is missing".to_owned(),
    })?;
    let mut templates = BTreeMap::new();
    let mut statics = BTreeMap::new();
    let mut colors = BTreeMap::new();
    let mut strings: BTreeMap<String, toml::Table> = BTreeMap::new();
    for files in chain.iter().rev() {
        templates.extend(files.templates.iter().map(|(k, v)| (k.clone(), v.clone())));
        statics.extend(files.statics.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(m) = &files.manifest {
            colors.extend(m.colors.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for (locale, table) in &files.strings {
            merge_tables(strings.entry(locale.clone()).or_default(), table);
        }
    }
    if strings.is_empty() {
        return Err(RenderError::BadTheme {
            theme: name.to_owned(),
            message: "it has no i18n/<locale>.toml strings".to_owned(),
        });
    }
    let mut by_locale = HashMap::new();
    for (code, table) in strings {
        let locale: Locale = code.parse().map_err(|_| RenderError::BadTheme {
            theme: name.to_owned(),
            message: format!("i18n/{code}.toml is not for a known locale (ar, fr, en)"),
        })?;
        let value = serde_json::to_value(table).unwrap_or(Value::Null);
        by_locale.insert(locale, Strings::new(value));
    }
    let mut fingerprinted = HashMap::new();
    let mut asset_urls = BTreeMap::new();
    for (file, bytes) in statics {
        let (served, static_file) = fingerprint_static(&file, bytes);
        asset_urls.insert(file, format!("/_static/{name}/{served}"));
        fingerprinted.insert(served, static_file);
    }
    let tera = compile(name, &templates)?;
    Ok(LoadedTheme {
        display_name: manifest.name.clone(),
        colors,
        templates,
        tera,
        statics: fingerprinted,
        asset_urls,
        strings: by_locale,
    })
}

/// HTML escaping of `&`, `<`, `>`, `"` and `'`: all a text or a quoted
/// attribute needs. Tera's default also writes every `/` as `&#x2F;`, which
/// only makes URLs longer.
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn compile(theme: &str, templates: &BTreeMap<String, String>) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| RenderError::template(theme, &e))?;
    Ok(tera)
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value, prefix: &str, out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for (k, v) in map {
                keys(v, &format!("{prefix}{k}."), out);
            }
        } else {
            out.push(prefix.trim_end_matches('.').to_owned());
        }
    }

    #[test]
    fn builtin_themes_load_and_compile() {
        let renderer = Renderer::builtin().expect("built-in themes load");
        assert!(renderer.has_theme("default"));
        assert!(renderer.has_theme("oasis"));
        for template in [
            "home.html",
            "entry.html",
            "archive.html",
            "404.html",
            "network.html",
        ] {
            assert!(
                renderer.theme("oasis").templates.contains_key(template),
                "oasis inherits {template}"
            );
        }
    }

    #[test]
    fn arabic_and_french_strings_have_the_same_keys() {
        let renderer = Renderer::builtin().expect("themes");
        for theme in renderer.theme_names() {
            let mut ar = Vec::new();
            let mut fr = Vec::new();
            keys(renderer.strings(theme, Locale::Ar).as_value(), "", &mut ar);
            keys(renderer.strings(theme, Locale::Fr).as_value(), "", &mut fr);
            assert_eq!(ar, fr, "theme {theme}");
            for required in [
                "kind.news",
                "kinds.training_report",
                "nav.home",
                "not_found.title",
            ] {
                assert!(
                    ar.contains(&required.to_owned()),
                    "{theme} lacks {required}"
                );
            }
        }
    }

    #[test]
    fn static_files_are_fingerprinted() {
        let renderer = Renderer::builtin().expect("themes");
        let url = &renderer.asset_urls("default")["style.css"];
        assert!(url.starts_with("/_static/default/style."), "{url}");
        let file = url.rsplit('/').next().expect("file name");
        let found = renderer.static_file("default", file).expect("served");
        assert_eq!(found.content_type, "text/css; charset=utf-8");
        let brotli = found.brotli.as_ref().expect("precompressed");
        assert!(
            brotli.len() * 3 < found.bytes.len(),
            "{} -> {}",
            found.bytes.len(),
            brotli.len()
        );
    }

    #[test]
    fn escaping_keeps_urls_readable_and_markup_inert() {
        assert_eq!(
            escape_html("/a/b?x=1&y=\"<'>"),
            "/a/b?x=1&amp;y=&quot;&lt;&#39;&gt;"
        );
    }

    #[test]
    fn a_broken_site_override_is_refused_with_its_name() {
        let renderer = Renderer::builtin().expect("themes");
        let err = renderer
            .check_site_templates("default", &[("home.html".into(), "{% if %}".into())])
            .expect_err("broken template");
        assert!(err.to_string().contains("default"), "{err}");
    }
}

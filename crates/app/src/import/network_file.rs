//! `network.toml`: programmes, sites and their hierarchy, users. Parsed and
//! checked as a whole before anything is written.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use tawasul_domain::{slug, Locale, Role, SiteKind, SiteSlug};

use crate::network::{Contact, SocialLink, SOCIAL_NETWORKS};
use crate::ImportProblem;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDef {
    pub slug: String,
    pub name_ar: String,
    pub name_fr: String,
    #[serde(default)]
    pub description_ar: String,
    #[serde(default)]
    pub description_fr: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteDef {
    pub slug: String,
    pub kind: String,
    pub parent: Option<String>,
    pub name_ar: String,
    pub name_fr: String,
    #[serde(default)]
    pub tagline_ar: String,
    #[serde(default)]
    pub tagline_fr: String,
    #[serde(default = "default_locale")]
    pub default_locale: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub logo: Option<String>,
    pub content: Option<String>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub social: Vec<SocialLink>,
}

fn default_locale() -> String {
    "ar".to_owned()
}

fn default_theme() -> String {
    "default".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipDef {
    pub site: String,
    pub role: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDef {
    pub email: String,
    pub name: String,
    pub password: Option<String>,
    #[serde(default)]
    pub platform_admin: bool,
    #[serde(default)]
    pub membership: Vec<MembershipDef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFile {
    #[serde(default)]
    pub programme: Vec<ProgrammeDef>,
    #[serde(default)]
    pub site: Vec<SiteDef>,
    #[serde(default)]
    pub user: Vec<UserDef>,
}

/// Host names as a browser sends them: lower-case labels of letters, digits
/// and hyphens, separated by dots, no port.
pub fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// A plausible address: something@domain.tld, no spaces.
pub fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && email.len() <= 254
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Shortest password the system accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Parses and checks the file. `themes` are the themes that exist.
pub fn read(path: &Path, themes: &BTreeSet<String>) -> Result<NetworkFile, Vec<ImportProblem>> {
    let problem = |line: Option<usize>, message: String| ImportProblem {
        file: path.to_owned(),
        line,
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![problem(None, format!("cannot read: {e}"))])?;
    let file: NetworkFile = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count());
        vec![problem(line, e.message().to_owned())]
    })?;
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(&format!("\"{needle}\"")))
            .map(|i| i + 1)
    };
    let mut problems = Vec::new();

    let mut programmes = BTreeSet::new();
    for p in &file.programme {
        if slug::validate(&p.slug).is_err() || !p.slug.is_ascii() {
            problems.push(problem(
                line_of(&p.slug),
                format!("programme slug `{}`: use a-z, 0-9 and hyphens", p.slug),
            ));
        }
        if !programmes.insert(p.slug.as_str()) {
            problems.push(problem(
                line_of(&p.slug),
                format!("programme `{}` is declared twice", p.slug),
            ));
        }
    }

    let mut declared: Vec<(&str, SiteKind)> = Vec::new();
    let mut hosts = BTreeSet::new();
    for site in &file.site {
        let at = line_of(&site.slug);
        let mut say = |message: String| {
            problems.push(problem(at, format!("site `{}`: {message}", site.slug)))
        };
        if let Err(e) = SiteSlug::parse(&site.slug) {
            say(e.to_string());
        }
        if declared.iter().any(|(s, _)| *s == site.slug) {
            say("declared twice".to_owned());
        }
        let kind = site.kind.parse::<SiteKind>();
        if let Err(e) = &kind {
            say(e.to_string());
        }
        let parent_kind = match &site.parent {
            Some(parent) => match declared.iter().find(|(s, _)| s == parent) {
                Some((_, k)) => Some(Some(*k)),
                None => {
                    say(format!("its parent `{parent}` must be declared above it"));
                    None
                }
            },
            None => Some(None),
        };
        if let (Ok(kind), Some(parent_kind)) = (&kind, parent_kind) {
            if !kind.accepts_parent(parent_kind) {
                say(match parent_kind {
                    Some(p) => format!("a {kind} cannot belong to a {p}"),
                    None => format!("a {kind} must belong to a parent site"),
                });
            }
        }
        if site.name_ar.trim().is_empty() || site.name_fr.trim().is_empty() {
            say("name_ar and name_fr are both required".to_owned());
        }
        if let Err(e) = site.default_locale.parse::<Locale>() {
            say(e.to_string());
        }
        if !themes.contains(&site.theme) {
            say(format!(
                "theme `{}` does not exist (available: {})",
                site.theme,
                themes.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        for host in &site.hosts {
            if !valid_host(host) {
                say(format!(
                    "`{host}` is not a host name (lower-case, no port, no scheme)"
                ));
            } else if !hosts.insert(host.as_str()) {
                say(format!("host `{host}` is already given to another site"));
            }
        }
        if let Some(email) = &site.contact.email {
            if !valid_email(email) {
                say(format!("contact email `{email}` is not an e-mail address"));
            }
        }
        for link in &site.social {
            if !SOCIAL_NETWORKS.contains(&link.network.as_str()) {
                say(format!(
                    "social network `{}` is not one of {}",
                    link.network,
                    SOCIAL_NETWORKS.join(", ")
                ));
            }
            if !link.url.starts_with("https://") && !link.url.starts_with("http://") {
                say(format!("social link `{}` must be an http(s) URL", link.url));
            }
        }
        if let Ok(kind) = kind {
            declared.push((&site.slug, kind));
        }
    }

    let mut emails = BTreeSet::new();
    for user in &file.user {
        let at = line_of(&user.email);
        let mut say = |message: String| {
            problems.push(problem(at, format!("user `{}`: {message}", user.email)))
        };
        if !valid_email(&user.email) {
            say("not an e-mail address".to_owned());
        }
        if !emails.insert(user.email.to_lowercase()) {
            say("declared twice".to_owned());
        }
        if user.name.trim().is_empty() {
            say("a name is required".to_owned());
        }
        if let Some(password) = &user.password {
            if password.chars().count() < MIN_PASSWORD_CHARS {
                say(format!(
                    "the password must have at least {MIN_PASSWORD_CHARS} characters"
                ));
            }
        }
        for membership in &user.membership {
            if !declared.iter().any(|(s, _)| *s == membership.site) {
                say(format!("member of unknown site `{}`", membership.site));
            }
            if let Err(e) = membership.role.parse::<Role>() {
                say(e.to_string());
            }
        }
    }

    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        for (host, ok) in [
            ("rabat.tawasul.localhost", true),
            ("dp-rabat.men.gov.ma", true),
            ("Rabat.example", false),
            ("rabat.example:8080", false),
            ("https://rabat.example", false),
            ("-rabat.example", false),
            ("rabat..example", false),
            ("", false),
        ] {
            assert_eq!(valid_host(host), ok, "{host}");
        }
    }

    #[test]
    fn emails() {
        for (email, ok) in [
            ("contact@dp-rabat.example", true),
            ("a.b+c@x.ma", true),
            ("no-at.example", false),
            ("a@b", false),
            ("a b@x.ma", false),
            ("@x.ma", false),
            ("a@@x.ma", false),
        ] {
            assert_eq!(valid_email(email), ok, "{email}");
        }
    }

    fn problems_of(toml_text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("network.toml");
        std::fs::write(&path, toml_text).expect("write");
        let themes = BTreeSet::from(["default".to_owned()]);
        match read(&path, &themes) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn the_hierarchy_is_checked() {
        let problems = problems_of(
            r#"
[[site]]
slug = "dp-rabat"
kind = "directorate"
parent = "aref-rsk"
name_ar = "م"
name_fr = "D"

[[site]]
slug = "aref-rsk"
kind = "academy"
name_ar = "أ"
name_fr = "A"
theme = "glitter"
"#,
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .contains(":3: site `dp-rabat`: its parent `aref-rsk` must be declared above it"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("theme `glitter` does not exist"),
            "{problems:?}"
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let problems = problems_of("[[site]]\nslug = \"x\"\nkind = academy\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("network.toml:3:"), "{problems:?}");
    }
}

//! A site's directory in a content folder, as `tawasul demo` and
//! `tawasul import`-style network loads read it: `directory/institutions.csv`,
//! `directory/contacts.csv` and `directory/audiences.toml` under the site's
//! folder. Checked with the rest of the network before anything is
//! written; written after the sites exist.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tawasul_domain::directory::{AudienceRule, Cycle, Function};

use super::csv::{parse_contacts, parse_institutions, LineError};
use super::DirectoryFile;
use crate::{App, AppError, ImportProblem};

/// An audience as `audiences.toml` declares it: institutions by code.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AudienceSpec {
    name: String,
    functions: Vec<Function>,
    cycles: Vec<Cycle>,
    institutions: Vec<String>,
    include_descendants: bool,
    institution_emails: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AudiencesFile {
    audience: Vec<AudienceSpec>,
}

/// One site's directory files, read and checked.
#[derive(Debug)]
struct SiteDirectory {
    slug: String,
    institutions: Option<Vec<u8>>,
    contacts: Option<Vec<u8>>,
    audiences: Vec<AudienceSpec>,
}

/// The directories of a content folder, checked.
#[derive(Debug, Default)]
pub(crate) struct DirectoryPlan {
    sites: Vec<SiteDirectory>,
}

fn problems_of(file: &Path, errors: Vec<LineError>) -> impl Iterator<Item = ImportProblem> + '_ {
    errors.into_iter().map(move |e| ImportProblem {
        file: file.to_owned(),
        line: Some(e.line),
        message: match e.column {
            Some(column) => format!("«{column}»: {}", e.problem),
            None => e.problem.to_string(),
        },
    })
}

fn read(file: &Path, problems: &mut Vec<ImportProblem>) -> Option<Vec<u8>> {
    if !file.exists() {
        return None;
    }
    match std::fs::read(file) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            problems.push(ImportProblem {
                file: file.to_owned(),
                line: None,
                message: format!("cannot be read: {e}"),
            });
            None
        }
    }
}

/// Reads and checks the `directory/` folder of each site folder given.
pub(crate) fn plan<'a>(
    sites: impl IntoIterator<Item = (&'a str, &'a Path)>,
    problems: &mut Vec<ImportProblem>,
) -> DirectoryPlan {
    let mut plan = DirectoryPlan::default();
    for (slug, dir) in sites {
        let dir: PathBuf = dir.join("directory");
        if !dir.is_dir() {
            continue;
        }
        let institutions_file = dir.join(DirectoryFile::Institutions.file_name());
        let institutions = read(&institutions_file, problems);
        let mut codes = HashSet::new();
        if let Some(bytes) = &institutions {
            match parse_institutions(bytes) {
                Ok(parsed) => codes.extend(parsed.rows.into_iter().map(|r| r.code)),
                Err(errors) => problems.extend(problems_of(&institutions_file, errors)),
            }
        }
        let contacts_file = dir.join(DirectoryFile::Contacts.file_name());
        let contacts = read(&contacts_file, problems);
        if let Some(bytes) = &contacts {
            if let Err(errors) = parse_contacts(bytes, &|code| codes.contains(code)) {
                problems.extend(problems_of(&contacts_file, errors));
            }
        }
        let audiences_file = dir.join("audiences.toml");
        let mut audiences = Vec::new();
        if let Some(bytes) = read(&audiences_file, problems) {
            let parsed = std::str::from_utf8(&bytes)
                .map_err(|e| e.to_string())
                .and_then(|text| toml::from_str::<AudiencesFile>(text).map_err(|e| e.to_string()));
            match parsed {
                Ok(file) => {
                    for audience in file.audience {
                        if audience.name.trim().is_empty() {
                            problems.push(ImportProblem {
                                file: audiences_file.clone(),
                                line: None,
                                message: "an audience without a name".to_owned(),
                            });
                        }
                        for code in audience.institutions.iter().filter(|c| !codes.contains(*c)) {
                            problems.push(ImportProblem {
                                file: audiences_file.clone(),
                                line: None,
                                message: format!(
                                    "audience «{}»: no institution has the code «{code}»",
                                    audience.name
                                ),
                            });
                        }
                        audiences.push(audience);
                    }
                }
                Err(message) => problems.push(ImportProblem {
                    file: audiences_file.clone(),
                    line: None,
                    message,
                }),
            }
        }
        plan.sites.push(SiteDirectory {
            slug: slug.to_owned(),
            institutions,
            contacts,
            audiences,
        });
    }
    plan
}

impl App {
    /// Writes checked directories (after the sites exist).
    pub(crate) async fn write_directories(&self, plan: DirectoryPlan) -> Result<(), AppError> {
        for site in plan.sites {
            let site_id = self
                .network()
                .site_by_slug(&site.slug)
                .map(|s| s.id)
                .ok_or_else(|| AppError::NotFound(format!("site `{}`", site.slug)))?;
            if let Some(bytes) = &site.institutions {
                self.import_directory_into(site_id, DirectoryFile::Institutions, bytes)
                    .await?;
            }
            if let Some(bytes) = &site.contacts {
                self.import_directory_into(site_id, DirectoryFile::Contacts, bytes)
                    .await?;
            }
            if site.audiences.is_empty() {
                continue;
            }
            let institutions = self.store().institutions_of(&[site_id]).await?;
            for spec in site.audiences {
                let rule = AudienceRule {
                    functions: spec.functions,
                    cycles: spec.cycles,
                    institutions: institutions
                        .iter()
                        .filter(|i| spec.institutions.contains(&i.code))
                        .map(|i| i.id)
                        .collect(),
                    include_descendants: spec.include_descendants,
                    institution_emails: spec.institution_emails,
                }
                .normalised();
                let json = serde_json::to_string(&rule).unwrap_or_else(|_| "{}".to_owned());
                let name = spec.name.trim();
                match self.store().audience_by_name(site_id, name).await? {
                    Some(row) => {
                        self.store().update_audience(row.id, name, &json).await?;
                    }
                    None => {
                        self.store().create_audience(site_id, name, &json).await?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_network_directories_are_clean() {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content/sites");
        let rabat = content.join("dp-rabat");
        let academy = content.join("aref-rsk");
        let mut problems = Vec::new();
        let plan = plan(
            [
                ("dp-rabat", rabat.as_path()),
                ("aref-rsk", academy.as_path()),
            ],
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(plan.sites.len(), 2);
        let rabat = &plan.sites[0];
        let institutions =
            parse_institutions(rabat.institutions.as_deref().unwrap_or_default()).expect("clean");
        assert_eq!(institutions.rows.len(), 20);
        let contacts = parse_contacts(rabat.contacts.as_deref().unwrap_or_default(), &|_| true)
            .expect("clean");
        assert!(contacts.rows.len() >= 40);
        assert!(rabat
            .audiences
            .iter()
            .any(|a| a.functions == [Function::Principal] && a.cycles == [Cycle::Primary]));
    }

    #[test]
    fn a_bad_row_in_a_content_folder_is_a_problem_with_its_file_and_line() {
        let dir = std::env::temp_dir().join(format!("tawasul-dir-{}", std::process::id()));
        let folder = dir.join("directory");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(
            folder.join("institutions.csv"),
            "code,nom_ar,cycle,email\nA1,مدرسة,primaire,a1@t.example\nA2,مدرسة,primaire,bad\n",
        )
        .expect("write");
        std::fs::write(
            folder.join("audiences.toml"),
            "[[audience]]\nname = \"x\"\ninstitutions = [\"Z9\"]\n",
        )
        .expect("write");
        let mut problems = Vec::new();
        plan([("site", dir.as_path())], &mut problems);
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].file.ends_with("institutions.csv"));
        assert!(problems[1].message.contains("Z9"));
    }
}

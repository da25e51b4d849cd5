//! Importing and exporting a directory as CSV. An import reads and checks
//! the whole file first (`csv::parse_*`); one bad row refuses it, with
//! every problem and its line, and nothing is written. A clean file is
//! written in one transaction, updating institutions by code and contacts
//! by address.

use std::collections::HashMap;
use std::path::PathBuf;

use tawasul_domain::directory::DirectoryOperation;
use tawasul_domain::Locale;
use tawasul_store::{ContactInput, ImportCounts, InstitutionInput};

use super::csv::{
    parse_contacts, parse_institutions, write_contacts, write_institutions, ContactRecord,
    InstitutionRecord, LineError, Separator,
};
use crate::{App, AppError, ImportProblem, Viewer};

/// Which file of a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryFile {
    Institutions,
    Contacts,
}

impl DirectoryFile {
    /// The file's usual name, for messages and downloads.
    pub fn file_name(self) -> &'static str {
        match self {
            DirectoryFile::Institutions => "institutions.csv",
            DirectoryFile::Contacts => "contacts.csv",
        }
    }
}

impl std::str::FromStr for DirectoryFile {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, AppError> {
        match s {
            "institutions" => Ok(DirectoryFile::Institutions),
            "contacts" => Ok(DirectoryFile::Contacts),
            other => Err(AppError::NotFound(format!("directory file `{other}`"))),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub counts: ImportCounts,
    /// Columns of the file that mean nothing to the directory.
    pub ignored_columns: Vec<String>,
}

impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.counts.created, self.counts.updated, self.counts.unchanged
        )?;
        if !self.ignored_columns.is_empty() {
            write!(f, "; columns left out: {}", self.ignored_columns.join(", "))?;
        }
        Ok(())
    }
}

/// The problems of a file, in the import's error.
fn refused(file: DirectoryFile, errors: Vec<LineError>) -> AppError {
    AppError::Import(
        errors
            .into_iter()
            .map(|e| ImportProblem {
                file: PathBuf::from(file.file_name()),
                line: Some(e.line),
                message: match e.column {
                    Some(column) => format!("«{column}»: {}", e.problem),
                    None => e.problem.to_string(),
                },
            })
            .collect(),
    )
}

impl App {
    /// Imports a CSV file into a site's directory (`viewer` `None`: the
    /// command line). A refused file is `AppError::Import`, every problem
    /// with its line.
    pub async fn import_directory(
        &self,
        viewer: Option<&Viewer>,
        site_slug: &str,
        file: DirectoryFile,
        bytes: &[u8],
    ) -> Result<ImportOutcome, AppError> {
        self.try_import_directory(viewer, site_slug, file, bytes)
            .await?
            .map_err(|lines| refused(file, lines))
    }

    /// The same, with a refused file's problems as they are, for a screen
    /// that says them in its reader's language.
    pub async fn try_import_directory(
        &self,
        viewer: Option<&Viewer>,
        site_slug: &str,
        file: DirectoryFile,
        bytes: &[u8],
    ) -> Result<Result<ImportOutcome, Vec<LineError>>, AppError> {
        let site_id = self.directory_site(viewer, site_slug, DirectoryOperation::Manage)?;
        let outcome = self.import_checked(site_id, file, bytes).await?;
        if let Ok(outcome) = &outcome {
            self.store()
                .audit(
                    viewer.map(|v| v.user.id),
                    "directory_import",
                    Some(site_id),
                    file.file_name(),
                    &outcome.to_string(),
                )
                .await?;
        }
        Ok(outcome)
    }

    pub(crate) async fn import_directory_into(
        &self,
        site_id: i32,
        file: DirectoryFile,
        bytes: &[u8],
    ) -> Result<ImportOutcome, AppError> {
        self.import_checked(site_id, file, bytes)
            .await?
            .map_err(|lines| refused(file, lines))
    }

    async fn import_checked(
        &self,
        site_id: i32,
        file: DirectoryFile,
        bytes: &[u8],
    ) -> Result<Result<ImportOutcome, Vec<LineError>>, AppError> {
        match file {
            DirectoryFile::Institutions => {
                let parsed = match parse_institutions(bytes) {
                    Ok(parsed) => parsed,
                    Err(lines) => return Ok(Err(lines)),
                };
                let rows: Vec<InstitutionInput> = parsed
                    .rows
                    .into_iter()
                    .map(|r| InstitutionInput {
                        code: r.code,
                        name_ar: r.name_ar,
                        name_fr: r.name_fr,
                        cycle: r.cycle.as_str().to_owned(),
                        commune: r.commune,
                        email: r.email,
                    })
                    .collect();
                let counts = self.store().import_institutions(site_id, &rows).await?;
                Ok(Ok(ImportOutcome {
                    counts,
                    ignored_columns: parsed.ignored_columns,
                }))
            }
            DirectoryFile::Contacts => {
                let codes: HashMap<String, i32> = self
                    .store()
                    .institutions_of(&[site_id])
                    .await?
                    .into_iter()
                    .map(|i| (i.code, i.id))
                    .collect();
                let parsed = match parse_contacts(bytes, &|code| codes.contains_key(code)) {
                    Ok(parsed) => parsed,
                    Err(lines) => return Ok(Err(lines)),
                };
                let rows: Vec<ContactInput> = parsed
                    .rows
                    .into_iter()
                    .map(|r| ContactInput {
                        name: r.name,
                        function: r.function.as_str().to_owned(),
                        institution_id: r.institution.and_then(|c| codes.get(&c).copied()),
                        email: r.email,
                    })
                    .collect();
                let counts = self.store().import_contacts(site_id, &rows).await?;
                Ok(Ok(ImportOutcome {
                    counts,
                    ignored_columns: parsed.ignored_columns,
                }))
            }
        }
    }

    /// A site's institutions or contacts as a CSV file (headers in
    /// `locale`), ready for a spreadsheet.
    pub async fn export_directory(
        &self,
        viewer: Option<&Viewer>,
        site_slug: &str,
        file: DirectoryFile,
        locale: Locale,
        separator: Separator,
    ) -> Result<String, AppError> {
        let site_id = self.directory_site(viewer, site_slug, DirectoryOperation::Browse)?;
        let institutions = self.store().institutions_of(&[site_id]).await?;
        Ok(match file {
            DirectoryFile::Institutions => {
                let rows: Vec<InstitutionRecord> = institutions
                    .into_iter()
                    .filter_map(|i| {
                        Some(InstitutionRecord {
                            line: 0,
                            cycle: i.cycle.parse().ok()?,
                            code: i.code,
                            name_ar: i.name_ar,
                            name_fr: i.name_fr,
                            commune: i.commune,
                            email: i.email,
                        })
                    })
                    .collect();
                write_institutions(&rows, locale, separator)
            }
            DirectoryFile::Contacts => {
                let codes: HashMap<i32, String> =
                    institutions.into_iter().map(|i| (i.id, i.code)).collect();
                let rows: Vec<ContactRecord> = self
                    .store()
                    .contacts_of(&[site_id])
                    .await?
                    .into_iter()
                    .filter_map(|c| {
                        Some(ContactRecord {
                            line: 0,
                            function: c.function.parse().ok()?,
                            institution: c.institution_id.and_then(|id| codes.get(&id).cloned()),
                            name: c.name,
                            email: c.email,
                        })
                    })
                    .collect();
                write_contacts(&rows, locale, separator)
            }
        })
    }
}

//! The directory of a site: its institutions and contacts (browse, edit,
//! import and export as CSV), its audiences (named rules over them) and
//! the notices that send a published entry to audiences. Site
//! administrators manage a directory; publishers browse it and send
//! notices (`tawasul_domain::directory::may_directory`).

mod audiences;
pub mod circulars;
pub mod csv;
pub(crate) mod demo;
mod notices;
mod transfer;

use serde::{Deserialize, Serialize};
use tawasul_domain::directory::{
    is_clean_text, is_functional_email, may_directory, Cycle, DirectoryOperation, Function,
    MAX_CODE_CHARS, MAX_NAME_CHARS,
};
use tawasul_domain::FieldErrors;
use tawasul_store::{ContactInput, ContactRow, DirectoryQuery, InstitutionInput, InstitutionRow};

use crate::network::Network;
use crate::{App, AppError, Viewer};

pub use audiences::{AudienceInput, AudienceView, RecipientView};
pub use notices::{NoticeAudience, NoticePreview, NoticeRequest, NoticeView};
/// The language of an export's headers and labels.
pub use tawasul_domain::Locale;
pub use transfer::{DirectoryFile, ImportOutcome};

/// Rows per page of the lists.
pub const PER_PAGE: u64 = 50;

/// An institution as the API and the admin show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionView {
    pub id: i32,
    pub code: String,
    pub name_ar: String,
    pub name_fr: String,
    pub cycle: Cycle,
    pub commune: String,
    pub email: String,
}

/// The institution a contact works in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionRef {
    pub id: i32,
    pub code: String,
    pub name_ar: String,
    pub name_fr: String,
}

/// A contact as the API and the admin show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactView {
    pub id: i32,
    pub name: String,
    pub function: Function,
    pub email: String,
    pub institution: Option<InstitutionRef>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// What a list is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    /// Words that must all appear (in a name, code, commune or address).
    pub q: String,
    /// A cycle (institutions) or a function (contacts), by code.
    pub kind: String,
    /// Contacts of one institution, by id.
    pub institution: Option<i32>,
    pub page: u64,
}

/// The fields of an institution as typed: on creation a missing one is
/// empty; on a change a missing one keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstitutionFields {
    pub code: Option<String>,
    pub name_ar: Option<String>,
    pub name_fr: Option<String>,
    /// A cycle code, or its Arabic or French name.
    pub cycle: Option<String>,
    pub commune: Option<String>,
    pub email: Option<String>,
}

/// The fields of a contact as typed (see [`InstitutionFields`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactFields {
    pub name: Option<String>,
    /// A function code, or its Arabic or French name.
    pub function: Option<String>,
    /// The code of their institution; empty for none.
    pub institution: Option<String>,
    pub email: Option<String>,
}

fn institution_view(row: &InstitutionRow) -> InstitutionView {
    InstitutionView {
        id: row.id,
        code: row.code.clone(),
        name_ar: row.name_ar.clone(),
        name_fr: row.name_fr.clone(),
        cycle: row.cycle.parse().unwrap_or(Cycle::Primary),
        commune: row.commune.clone(),
        email: row.email.clone(),
    }
}

fn institution_ref(row: &InstitutionRow) -> InstitutionRef {
    InstitutionRef {
        id: row.id,
        code: row.code.clone(),
        name_ar: row.name_ar.clone(),
        name_fr: row.name_fr.clone(),
    }
}

fn contact_view(row: &ContactRow, institutions: &[InstitutionRow]) -> ContactView {
    ContactView {
        id: row.id,
        name: row.name.clone(),
        function: row.function.parse().unwrap_or(Function::Other),
        email: row.email.clone(),
        institution: row
            .institution_id
            .and_then(|id| institutions.iter().find(|i| i.id == id))
            .map(institution_ref),
    }
}

/// Checks a name-like field: required or not, clean, not too long.
fn check_text(errors: &mut FieldErrors, field: &str, value: &str, required: bool, max: usize) {
    if value.is_empty() {
        if required {
            errors.add(field, "required");
        }
    } else if !is_clean_text(value) {
        errors.add(field, "no line breaks or control characters");
    } else if value.chars().count() > max {
        errors.add(field, format!("at most {max} characters"));
    }
}

fn check_email(errors: &mut FieldErrors, value: &str) -> String {
    let email = value.trim().to_lowercase();
    if email.is_empty() {
        errors.add("email", "required");
    } else if !is_functional_email(&email) {
        errors.add("email", format!("«{email}» is not a valid e-mail address"));
    }
    email
}

impl InstitutionFields {
    /// These fields over an institution's current ones.
    fn over(self, row: &InstitutionRow) -> InstitutionFields {
        InstitutionFields {
            code: self.code.or_else(|| Some(row.code.clone())),
            name_ar: self.name_ar.or_else(|| Some(row.name_ar.clone())),
            name_fr: self.name_fr.or_else(|| Some(row.name_fr.clone())),
            cycle: self.cycle.or_else(|| Some(row.cycle.clone())),
            commune: self.commune.or_else(|| Some(row.commune.clone())),
            email: self.email.or_else(|| Some(row.email.clone())),
        }
    }

    /// The institution to store, or every field that needs attention.
    pub fn check(&self) -> Result<InstitutionInput, AppError> {
        let get = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
        let (code, name_ar, name_fr, commune) = (
            get(&self.code),
            get(&self.name_ar),
            get(&self.name_fr),
            get(&self.commune),
        );
        let mut errors = FieldErrors::new();
        check_text(&mut errors, "code", &code, true, MAX_CODE_CHARS);
        check_text(&mut errors, "name_ar", &name_ar, true, MAX_NAME_CHARS);
        check_text(&mut errors, "name_fr", &name_fr, false, MAX_NAME_CHARS);
        check_text(&mut errors, "commune", &commune, false, MAX_NAME_CHARS);
        let cycle_text = get(&self.cycle);
        let cycle = Cycle::recognise(&cycle_text);
        if cycle.is_none() {
            errors.add(
                "cycle",
                if cycle_text.is_empty() {
                    "required".to_owned()
                } else {
                    format!("unknown cycle «{cycle_text}»")
                },
            );
        }
        let email = check_email(&mut errors, self.email.as_deref().unwrap_or(""));
        match (cycle, errors.is_empty()) {
            (Some(cycle), true) => Ok(InstitutionInput {
                code,
                name_ar,
                name_fr,
                cycle: cycle.as_str().to_owned(),
                commune,
                email,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

impl ContactFields {
    fn over(self, row: &ContactRow, code: Option<String>) -> ContactFields {
        ContactFields {
            name: self.name.or_else(|| Some(row.name.clone())),
            function: self.function.or_else(|| Some(row.function.clone())),
            institution: self.institution.or(code),
            email: self.email.or_else(|| Some(row.email.clone())),
        }
    }
}

/// The sites below `site_id`, nearest first; a cycle in hand-edited data
/// ends the walk.
pub fn descendants(network: &Network, site_id: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let mut queue = vec![site_id];
    while let Some(id) = queue.pop() {
        let Some(site) = network.site(id) else {
            continue;
        };
        for child in network.children(site) {
            if child.id != site_id && !out.contains(&child.id) {
                out.push(child.id);
                queue.push(child.id);
            }
        }
    }
    out
}

fn pages(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page).max(1)
}

impl App {
    /// The site of a directory request, if the viewer may do `op` there
    /// (`None`: the command line, which holds the database anyway).
    pub(crate) fn directory_site(
        &self,
        viewer: Option<&Viewer>,
        site_slug: &str,
        op: DirectoryOperation,
    ) -> Result<i32, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(site_slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{site_slug}`")))?;
        if let Some(viewer) = viewer {
            if !may_directory(&viewer.actor(&network, site.id), op) {
                return Err(AppError::Forbidden(match op {
                    DirectoryOperation::Manage => format!(
                        "only an administrator of {} manages its directory",
                        site.slug
                    ),
                    DirectoryOperation::Browse | DirectoryOperation::SendNotice => format!(
                        "the directory of {} is for its publishers and administrators",
                        site.slug
                    ),
                }));
            }
        }
        Ok(site.id)
    }

    /// Whether the viewer may do `op` on the directory of a site (for
    /// showing links and buttons).
    pub fn may_use_directory(&self, viewer: &Viewer, site_id: i32, op: DirectoryOperation) -> bool {
        may_directory(&viewer.actor(&self.network(), site_id), op)
    }

    // ------------------------------------------------------------ institutions

    pub async fn institutions(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        filter: &ListFilter,
    ) -> Result<ListPage<InstitutionView>, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        let kind = (!filter.kind.is_empty()).then(|| filter.kind.clone());
        if let Some(kind) = &kind {
            kind.parse::<Cycle>()?;
        }
        let page = filter.page.max(1);
        let found = self
            .store()
            .institutions_page(&DirectoryQuery {
                site_id,
                words: filter.q.split_whitespace().map(str::to_owned).collect(),
                kind,
                institution_id: None,
                page,
                per_page: PER_PAGE,
            })
            .await?;
        Ok(ListPage {
            items: found.items.iter().map(institution_view).collect(),
            total: found.total,
            page,
            pages: pages(found.total, PER_PAGE),
        })
    }

    async fn own_institution(&self, site_id: i32, id: i32) -> Result<InstitutionRow, AppError> {
        self.store()
            .institution(id)
            .await?
            .filter(|row| row.site_id == site_id)
            .ok_or_else(|| AppError::NotFound(format!("institution #{id}")))
    }

    pub async fn institution(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<InstitutionView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        Ok(institution_view(&self.own_institution(site_id, id).await?))
    }

    pub async fn create_institution(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        fields: InstitutionFields,
    ) -> Result<InstitutionView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        let input = fields.check()?;
        let row = self
            .store()
            .create_institution(site_id, &input)
            .await
            .map_err(|e| field_conflict(e.into(), "code"))?;
        Ok(institution_view(&row))
    }

    /// Changes the fields given; the others keep their values.
    pub async fn update_institution(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
        fields: InstitutionFields,
    ) -> Result<InstitutionView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        let row = self.own_institution(site_id, id).await?;
        let input = fields.over(&row).check()?;
        let row = self
            .store()
            .update_institution(id, &input)
            .await
            .map_err(|e| field_conflict(e.into(), "code"))?
            .ok_or_else(|| AppError::NotFound(format!("institution #{id}")))?;
        Ok(institution_view(&row))
    }

    /// Deletes an institution; its contacts stay, without an institution.
    pub async fn delete_institution(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<(), AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        self.own_institution(site_id, id).await?;
        self.store().delete_institution(id).await?;
        Ok(())
    }

    // ------------------------------------------------------------ contacts

    pub async fn contacts(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        filter: &ListFilter,
    ) -> Result<ListPage<ContactView>, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        let kind = (!filter.kind.is_empty()).then(|| filter.kind.clone());
        if let Some(kind) = &kind {
            kind.parse::<Function>()?;
        }
        let page = filter.page.max(1);
        let found = self
            .store()
            .contacts_page(&DirectoryQuery {
                site_id,
                words: filter.q.split_whitespace().map(str::to_owned).collect(),
                kind,
                institution_id: filter.institution,
                page,
                per_page: PER_PAGE,
            })
            .await?;
        let mut ids: Vec<i32> = found
            .items
            .iter()
            .filter_map(|c| c.institution_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let institutions = self.store().institutions_by_ids(&ids).await?;
        Ok(ListPage {
            items: found
                .items
                .iter()
                .map(|c| contact_view(c, &institutions))
                .collect(),
            total: found.total,
            page,
            pages: pages(found.total, PER_PAGE),
        })
    }

    async fn own_contact(&self, site_id: i32, id: i32) -> Result<ContactRow, AppError> {
        self.store()
            .contact(id)
            .await?
            .filter(|row| row.site_id == site_id)
            .ok_or_else(|| AppError::NotFound(format!("contact #{id}")))
    }

    async fn contact_institutions(
        &self,
        row: &ContactRow,
    ) -> Result<Vec<InstitutionRow>, AppError> {
        Ok(match row.institution_id {
            Some(id) => self.store().institutions_by_ids(&[id]).await?,
            None => Vec::new(),
        })
    }

    pub async fn contact(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<ContactView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        let row = self.own_contact(site_id, id).await?;
        Ok(contact_view(&row, &self.contact_institutions(&row).await?))
    }

    /// The contact to store, with its institution found by code in the site.
    async fn check_contact(
        &self,
        site_id: i32,
        fields: &ContactFields,
    ) -> Result<ContactInput, AppError> {
        let get = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
        let (name, code) = (get(&fields.name), get(&fields.institution));
        let mut errors = FieldErrors::new();
        check_text(&mut errors, "name", &name, true, MAX_NAME_CHARS);
        check_text(&mut errors, "institution", &code, false, MAX_CODE_CHARS);
        let function_text = get(&fields.function);
        let function = Function::recognise(&function_text);
        if function.is_none() {
            errors.add(
                "function",
                if function_text.is_empty() {
                    "required".to_owned()
                } else {
                    format!("unknown function «{function_text}»")
                },
            );
        }
        let email = check_email(&mut errors, fields.email.as_deref().unwrap_or(""));
        let institution_id = if code.is_empty() || !is_clean_text(&code) {
            None
        } else {
            match self.store().institution_by_code(site_id, &code).await? {
                Some(row) => Some(row.id),
                None => {
                    errors.add(
                        "institution",
                        format!("no institution of this site has the code «{code}»"),
                    );
                    None
                }
            }
        };
        match (function, errors.is_empty()) {
            (Some(function), true) => Ok(ContactInput {
                name,
                function: function.as_str().to_owned(),
                institution_id,
                email,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    pub async fn create_contact(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        fields: ContactFields,
    ) -> Result<ContactView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        let input = self.check_contact(site_id, &fields).await?;
        let row = self
            .store()
            .create_contact(site_id, &input)
            .await
            .map_err(|e| field_conflict(e.into(), "email"))?;
        Ok(contact_view(&row, &self.contact_institutions(&row).await?))
    }

    pub async fn update_contact(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
        fields: ContactFields,
    ) -> Result<ContactView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        let row = self.own_contact(site_id, id).await?;
        let code = self
            .contact_institutions(&row)
            .await?
            .first()
            .map(|i| i.code.clone());
        let input = self
            .check_contact(site_id, &fields.over(&row, code))
            .await?;
        let row = self
            .store()
            .update_contact(id, &input)
            .await
            .map_err(|e| field_conflict(e.into(), "email"))?
            .ok_or_else(|| AppError::NotFound(format!("contact #{id}")))?;
        Ok(contact_view(&row, &self.contact_institutions(&row).await?))
    }

    pub async fn delete_contact(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<(), AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        self.own_contact(site_id, id).await?;
        self.store().delete_contact(id).await?;
        Ok(())
    }
}

/// A unique rule broken by a form is an error beside its field.
fn field_conflict(err: AppError, field: &str) -> AppError {
    match err {
        AppError::Conflict(message) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            AppError::Invalid(errors)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(code: &str, cycle: &str, email: &str) -> InstitutionFields {
        InstitutionFields {
            code: Some(code.into()),
            name_ar: Some("مدرسة الأمل".into()),
            name_fr: None,
            cycle: Some(cycle.into()),
            commune: Some(" Rabat ".into()),
            email: Some(email.into()),
        }
    }

    #[test]
    fn typed_institutions_are_checked_field_by_field() {
        let ok = fields(" A100 ", "Primaire", " Amal@Taalim.example ")
            .check()
            .expect("valid");
        assert_eq!(ok.code, "A100");
        assert_eq!(ok.cycle, "primary");
        assert_eq!(ok.commune, "Rabat");
        assert_eq!(ok.email, "amal@taalim.example");
        let Err(AppError::Invalid(errors)) = fields("", "université", "x").check() else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["code", "cycle", "email"]);
        let Err(AppError::Invalid(errors)) = InstitutionFields {
            name_ar: Some("a\r\nBcc: x@y.example".into()),
            ..self::fields("A1", "primary", "a@b.example")
        }
        .check() else {
            panic!("refused");
        };
        assert_eq!(errors.iter().next().map(|(f, _)| f), Some("name_ar"));
    }

    #[test]
    fn pages_round_up_and_are_at_least_one() {
        for (total, expected) in [(0, 1), (1, 1), (50, 1), (51, 2), (120, 3)] {
            assert_eq!(pages(total, 50), expected, "{total}");
        }
    }
}

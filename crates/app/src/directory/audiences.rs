//! Audiences: named rules over a site's directory ("the principals of
//! primary schools", "every inspector of the region"). Who a rule reaches
//! is decided by `AudienceRule` (pure, in the domain); this gathers the
//! contacts and institutions of the sites it covers and names the result.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tawasul_domain::directory::{
    is_clean_text, select_recipients, AudienceRule, ContactFacts, DirectoryOperation, Function,
    InstitutionFacts,
};
use tawasul_domain::FieldErrors;
use tawasul_store::AudienceRow;

use super::{descendants, institution_ref, InstitutionRef};
use crate::{App, AppError, Viewer};

/// Longest audience name, in characters.
const MAX_AUDIENCE_NAME: usize = 200;

/// An audience as typed: on creation the name is required and a missing
/// rule reaches everyone in the directory; on a change what is missing
/// keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudienceInput {
    pub name: Option<String>,
    pub rule: Option<AudienceRule>,
}

/// An audience as the API and the admin show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudienceView {
    pub id: i32,
    pub name: String,
    pub rule: AudienceRule,
    /// The institutions the rule names, to show them by name.
    pub institutions: Vec<InstitutionRef>,
}

/// Someone an audience reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientView {
    pub email: String,
    /// The contact's name, or the institution's (in Arabic).
    pub name: String,
    /// `contact` or `institution` (a school's functional mailbox).
    pub kind: &'static str,
    pub function: Option<Function>,
    /// The slug of the site whose directory holds them.
    pub site: String,
    /// The institution they stand for or work at, when the directory says.
    pub institution: Option<InstitutionRef>,
}

fn rule_of(row: &AudienceRow) -> AudienceRule {
    // A rule edited by hand into something unreadable reaches nobody
    // rather than everybody.
    serde_json::from_str(&row.rule).unwrap_or_else(|e| {
        tracing::warn!(audience = row.id, error = %e, "an audience's rule does not parse; it reaches nobody");
        AudienceRule {
            institutions: vec![0],
            ..AudienceRule::default()
        }
    })
}

impl App {
    fn audience_view(&self, row: &AudienceRow, named: &[InstitutionRef]) -> AudienceView {
        let rule = rule_of(row);
        AudienceView {
            id: row.id,
            name: row.name.clone(),
            institutions: named
                .iter()
                .filter(|i| rule.institutions.contains(&i.id))
                .cloned()
                .collect(),
            rule,
        }
    }

    async fn audience_views(&self, rows: &[AudienceRow]) -> Result<Vec<AudienceView>, AppError> {
        let mut ids: Vec<i32> = rows.iter().flat_map(|r| rule_of(r).institutions).collect();
        ids.sort_unstable();
        ids.dedup();
        let named: Vec<InstitutionRef> = self
            .store()
            .institutions_by_ids(&ids)
            .await?
            .iter()
            .map(institution_ref)
            .collect();
        Ok(rows.iter().map(|r| self.audience_view(r, &named)).collect())
    }

    pub async fn audiences(
        &self,
        viewer: &Viewer,
        site_slug: &str,
    ) -> Result<Vec<AudienceView>, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        let rows = self.store().audiences_of(site_id).await?;
        self.audience_views(&rows).await
    }

    async fn own_audience(&self, site_id: i32, id: i32) -> Result<AudienceRow, AppError> {
        self.store()
            .audience(id)
            .await?
            .filter(|row| row.site_id == site_id)
            .ok_or_else(|| AppError::NotFound(format!("audience #{id}")))
    }

    pub async fn audience(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<AudienceView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        let row = self.own_audience(site_id, id).await?;
        Ok(self
            .audience_views(std::slice::from_ref(&row))
            .await?
            .remove(0))
    }

    /// The sites a rule of `site_id` covers.
    fn rule_sites(&self, site_id: i32, rule: &AudienceRule) -> Vec<i32> {
        let mut sites = vec![site_id];
        if rule.include_descendants {
            sites.extend(descendants(&self.network(), site_id));
        }
        sites
    }

    /// A rule fit to store: its institutions are in the sites it covers.
    async fn check_rule(
        &self,
        site_id: i32,
        name: &str,
        rule: AudienceRule,
    ) -> Result<AudienceRule, AppError> {
        let mut errors = FieldErrors::new();
        if name.is_empty() {
            errors.add("name", "required");
        } else if !is_clean_text(name) || name.chars().count() > MAX_AUDIENCE_NAME {
            errors.add(
                "name",
                format!("one line of at most {MAX_AUDIENCE_NAME} characters"),
            );
        }
        let rule = rule.normalised();
        let sites = self.rule_sites(site_id, &rule);
        let found = self.store().institutions_by_ids(&rule.institutions).await?;
        let unknown: Vec<String> = rule
            .institutions
            .iter()
            .filter(|id| {
                !found
                    .iter()
                    .any(|i| i.id == **id && sites.contains(&i.site_id))
            })
            .map(|id| format!("#{id}"))
            .collect();
        if !unknown.is_empty() {
            errors.add(
                "institutions",
                format!("not institutions of this directory: {}", unknown.join(", ")),
            );
        }
        errors.into_result()?;
        Ok(rule)
    }

    pub async fn create_audience(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        input: AudienceInput,
    ) -> Result<AudienceView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        let name = input.name.unwrap_or_default().trim().to_owned();
        let rule = self
            .check_rule(site_id, &name, input.rule.unwrap_or_default())
            .await?;
        let json = serde_json::to_string(&rule).unwrap_or_else(|_| "{}".to_owned());
        let row = self
            .store()
            .create_audience(site_id, &name, &json)
            .await
            .map_err(|e| super::field_conflict(e.into(), "name"))?;
        Ok(self
            .audience_views(std::slice::from_ref(&row))
            .await?
            .remove(0))
    }

    pub async fn update_audience(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
        input: AudienceInput,
    ) -> Result<AudienceView, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        let row = self.own_audience(site_id, id).await?;
        let name = input.name.unwrap_or(row.name.clone()).trim().to_owned();
        let rule = self
            .check_rule(site_id, &name, input.rule.unwrap_or_else(|| rule_of(&row)))
            .await?;
        let json = serde_json::to_string(&rule).unwrap_or_else(|_| "{}".to_owned());
        let row = self
            .store()
            .update_audience(id, &name, &json)
            .await
            .map_err(|e| super::field_conflict(e.into(), "name"))?
            .ok_or_else(|| AppError::NotFound(format!("audience #{id}")))?;
        Ok(self
            .audience_views(std::slice::from_ref(&row))
            .await?
            .remove(0))
    }

    pub async fn delete_audience(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<(), AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Manage)?;
        self.own_audience(site_id, id).await?;
        self.store().delete_audience(id).await?;
        Ok(())
    }

    /// The ids of the institutions named by these codes in the directories
    /// a rule would cover (the admin's form names them by code).
    pub async fn institution_ids_by_codes(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        codes: &[String],
        include_descendants: bool,
    ) -> Result<Vec<i32>, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let rule = AudienceRule {
            include_descendants,
            ..AudienceRule::default()
        };
        let known = self
            .store()
            .institutions_of(&self.rule_sites(site_id, &rule))
            .await?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for code in codes {
            match known.iter().find(|i| &i.code == code) {
                Some(i) => ids.push(i.id),
                None => unknown.push(code.as_str()),
            }
        }
        if !unknown.is_empty() {
            let mut errors = FieldErrors::new();
            errors.add(
                "institutions",
                format!("no institution has the code {}", unknown.join(", ")),
            );
            return Err(AppError::Invalid(errors));
        }
        Ok(ids)
    }

    /// Everyone an audience reaches, each address once.
    pub async fn audience_recipients(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        id: i32,
    ) -> Result<Vec<RecipientView>, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        let row = self.own_audience(site_id, id).await?;
        self.recipients_of(site_id, &rule_of(&row)).await
    }

    /// Everyone a rule not yet saved would reach (the editor's live count).
    pub async fn rule_recipients(
        &self,
        viewer: &Viewer,
        site_slug: &str,
        rule: AudienceRule,
    ) -> Result<Vec<RecipientView>, AppError> {
        let site_id = self.directory_site(Some(viewer), site_slug, DirectoryOperation::Browse)?;
        self.recipients_of(site_id, &rule.normalised()).await
    }

    /// Everyone a rule of `site_id` reaches in the directories it covers,
    /// each address once (contacts first).
    pub(crate) async fn recipients_of(
        &self,
        site_id: i32,
        rule: &AudienceRule,
    ) -> Result<Vec<RecipientView>, AppError> {
        self.recipients_of_all(site_id, std::slice::from_ref(rule))
            .await
    }

    /// Everyone any of `rules` reaches, each address once.
    pub(crate) async fn recipients_of_all(
        &self,
        site_id: i32,
        rules: &[AudienceRule],
    ) -> Result<Vec<RecipientView>, AppError> {
        let network = self.network();
        let mut sites: Vec<i32> = rules
            .iter()
            .flat_map(|r| self.rule_sites(site_id, r))
            .collect();
        sites.sort_unstable();
        sites.dedup();
        let institutions = self.store().institutions_of(&sites).await?;
        let contacts = self.store().contacts_of(&sites).await?;
        let facts: HashMap<i32, InstitutionFacts> = institutions
            .iter()
            .filter_map(|i| {
                Some((
                    i.id,
                    InstitutionFacts {
                        id: i.id,
                        cycle: i.cycle.parse().ok()?,
                    },
                ))
            })
            .collect();
        let slug = |id: i32| {
            network
                .site(id)
                .map_or_else(String::new, |s| s.slug.clone())
        };
        // Addresses are stored lowercased, as `select_recipients` gives them.
        let institution_by_id: HashMap<i32, &tawasul_store::InstitutionRow> =
            institutions.iter().map(|i| (i.id, i)).collect();
        let contact_by_email: HashMap<&str, &tawasul_store::ContactRow> =
            contacts.iter().map(|c| (c.email.as_str(), c)).collect();
        let institution_by_email: HashMap<&str, &tawasul_store::InstitutionRow> =
            institutions.iter().map(|i| (i.email.as_str(), i)).collect();
        let mut who: HashMap<String, RecipientView> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for rule in rules {
            let covered = self.rule_sites(site_id, rule);
            let rule_contacts: Vec<(&str, ContactFacts)> = contacts
                .iter()
                .filter(|c| covered.contains(&c.site_id))
                .filter_map(|c| {
                    Some((
                        c.email.as_str(),
                        ContactFacts {
                            function: c.function.parse().ok()?,
                            institution: c.institution_id.and_then(|id| facts.get(&id).copied()),
                        },
                    ))
                })
                .collect();
            let rule_institutions: Vec<(&str, InstitutionFacts)> = institutions
                .iter()
                .filter(|i| covered.contains(&i.site_id))
                .filter_map(|i| Some((i.email.as_str(), *facts.get(&i.id)?)))
                .collect();
            for email in select_recipients(rule, rule_contacts, rule_institutions) {
                if who.contains_key(&email) {
                    continue;
                }
                let view = match contact_by_email.get(email.as_str()) {
                    Some(c) => RecipientView {
                        email: email.clone(),
                        name: c.name.clone(),
                        kind: "contact",
                        function: c.function.parse().ok(),
                        site: slug(c.site_id),
                        institution: c
                            .institution_id
                            .and_then(|id| institution_by_id.get(&id))
                            .map(|i| institution_ref(i)),
                    },
                    None => {
                        let institution = institution_by_email.get(email.as_str());
                        RecipientView {
                            email: email.clone(),
                            name: institution.map_or_else(String::new, |i| i.name_ar.clone()),
                            kind: "institution",
                            function: None,
                            site: institution.map_or_else(String::new, |i| slug(i.site_id)),
                            institution: institution.map(|i| institution_ref(i)),
                        }
                    }
                };
                order.push(email.clone());
                who.insert(email, view);
            }
        }
        Ok(order.into_iter().filter_map(|e| who.remove(&e)).collect())
    }
}

//! The audit log: who did what, where, to whom. Use cases write a record
//! with [`App::audit`]; the log's screen reads it here, filtered by person,
//! site, period and kind of act, newest first, and as a spreadsheet.
//!
//! Platform admins read every record (`Operation::ViewSystemAuditLog`);
//! a site admin reads the records of the sites they administer
//! (`Operation::ViewAuditLog`) and nothing else: not the sign-ins, tokens
//! and accounts, which concern no site. Each record reads as a sentence in
//! the reader's language (`audit.sentence.<code>` in the admin's strings).

use std::collections::HashMap;

use tawasul_domain::{AuditAction, Locale, Operation};
use tawasul_store::{AuditFilter, AuditRow, NewAudit};
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use crate::access::Viewer;
use crate::directory::csv::{write_table, Separator};
use crate::network::Site;
use crate::{App, AppError};

/// The most records one export holds: years of a network's activity, and
/// still a file a spreadsheet opens.
pub const EXPORT_LIMIT: u64 = 50_000;

/// One record to write: build it with [`AuditEntry::new`] and set what
/// applies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuditEntry<'a> {
    pub action: AuditAction,
    /// Who acted; none for the command line and the system itself.
    pub actor: Option<i32>,
    pub site: Option<i32>,
    /// The person it is about, when it is about one.
    pub subject: Option<i32>,
    pub target: &'a str,
    pub detail: &'a str,
}

impl AuditEntry<'_> {
    pub(crate) fn new(action: AuditAction, actor: Option<i32>) -> Self {
        AuditEntry {
            action,
            actor,
            site: None,
            subject: None,
            target: "",
            detail: "",
        }
    }
}

/// What the log's screen asks for; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// The e-mail address of the person who acted or whom it is about.
    pub person: Option<String>,
    /// A site's slug.
    pub site: Option<String>,
    pub action: Option<AuditAction>,
    /// The first day (in site time), included.
    pub from: Option<Date>,
    /// The last day (in site time), included.
    pub to: Option<Date>,
}

/// A person named by a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub id: i32,
    pub name: String,
    pub email: String,
}

/// One record as the screen shows it.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub id: i32,
    pub at: OffsetDateTime,
    /// The code as stored; [`AuditRecord::action`] when it is a known one.
    pub code: String,
    pub action: Option<AuditAction>,
    pub actor: Option<PersonRef>,
    pub subject: Option<PersonRef>,
    pub site: Option<Site>,
    pub target: String,
    pub detail: String,
}

/// A page of the log.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    /// Records the filter selects, all pages together.
    pub total: u64,
    /// The person the filter named, when the address has an account.
    pub person: Option<PersonRef>,
}

/// Where a viewer's reading of the log reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditReach {
    /// Every record, of every site and of none.
    Everything,
    /// The records of these sites.
    Sites(Vec<i32>),
}

impl App {
    /// Writes a record. A use case that must not fail once its act is done
    /// logs a failed write instead of returning it.
    pub(crate) async fn audit(&self, entry: AuditEntry<'_>) -> Result<(), AppError> {
        self.store()
            .record_audit(NewAudit {
                actor_id: entry.actor,
                action: entry.action.as_str(),
                site_id: entry.site,
                subject_user_id: entry.subject,
                target: entry.target,
                detail: entry.detail,
            })
            .await?;
        Ok(())
    }

    /// What of the log the viewer may read; forbidden when nothing.
    pub fn audit_reach(&self, viewer: &Viewer) -> Result<AuditReach, AppError> {
        let network = self.network();
        if viewer.may(&network, 0, Operation::ViewSystemAuditLog) {
            return Ok(AuditReach::Everything);
        }
        let sites: Vec<i32> = network
            .sites()
            .iter()
            .filter(|s| viewer.may(&network, s.id, Operation::ViewAuditLog))
            .map(|s| s.id)
            .collect();
        if sites.is_empty() {
            return Err(AppError::Forbidden(
                "the audit log is for site and platform administrators".into(),
            ));
        }
        Ok(AuditReach::Sites(sites))
    }

    /// The sites whose records the viewer may read, to choose among.
    pub fn audit_sites(&self, viewer: &Viewer) -> Result<Vec<Site>, AppError> {
        let network = self.network();
        Ok(match self.audit_reach(viewer)? {
            AuditReach::Everything => network.sites().to_vec(),
            AuditReach::Sites(ids) => ids
                .iter()
                .filter_map(|id| network.site(*id).cloned())
                .collect(),
        })
    }

    /// The store's filter for a query, and the person it names; `None`
    /// when it can select nothing (an address without an account).
    async fn audit_filter(
        &self,
        viewer: &Viewer,
        query: &AuditQuery,
    ) -> Result<(Option<AuditFilter>, Option<PersonRef>), AppError> {
        let reach = self.audit_reach(viewer)?;
        let network = self.network();
        let sites = match (&query.site, reach) {
            (None, AuditReach::Everything) => None,
            (None, AuditReach::Sites(ids)) => Some(ids),
            (Some(slug), reach) => {
                let site = network
                    .site_by_slug(slug)
                    .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
                if let AuditReach::Sites(ids) = &reach {
                    if !ids.contains(&site.id) {
                        return Err(AppError::Forbidden(format!(
                            "the audit log of {} is for its administrators",
                            site.slug
                        )));
                    }
                }
                Some(vec![site.id])
            }
        };
        let person = match query.person.as_deref().map(str::trim) {
            Some(email) if !email.is_empty() => {
                match self.store().user_by_email(&email.to_lowercase()).await? {
                    Some(user) => Some(PersonRef {
                        id: user.id,
                        name: user.name,
                        email: user.email,
                    }),
                    None => return Ok((None, None)),
                }
            }
            _ => None,
        };
        let offset = self.site_offset();
        let midnight = |date: Date| date.with_time(Time::MIDNIGHT).assume_offset(offset);
        let filter = AuditFilter {
            sites,
            person: person.as_ref().map(|p| p.id),
            action: query.action.map(|a| a.as_str().to_owned()),
            from: query.from.map(midnight),
            until: query.to.and_then(Date::next_day).map(midnight),
        };
        Ok((Some(filter), person))
    }

    /// Page `page` of the records the query selects, newest first.
    pub async fn audit_log(
        &self,
        viewer: &Viewer,
        query: &AuditQuery,
        page: u64,
        per_page: u64,
    ) -> Result<AuditPage, AppError> {
        let (filter, person) = self.audit_filter(viewer, query).await?;
        let Some(filter) = filter else {
            return Ok(AuditPage {
                records: Vec::new(),
                total: 0,
                person: None,
            });
        };
        let found = self.store().audit_page(&filter, page, per_page).await?;
        Ok(AuditPage {
            records: self.audit_records(found.items).await?,
            total: found.total,
            person,
        })
    }

    /// The records the query selects (newest first, at most
    /// [`EXPORT_LIMIT`]) as a spreadsheet in `lang`: semicolons, UTF-8
    /// with its mark, no cell a spreadsheet would run as a formula.
    pub async fn audit_csv(
        &self,
        viewer: &Viewer,
        query: &AuditQuery,
        lang: Locale,
    ) -> Result<String, AppError> {
        let (filter, _) = self.audit_filter(viewer, query).await?;
        let rows = match filter {
            Some(filter) => self.store().audit_rows(&filter, EXPORT_LIMIT).await?,
            None => Vec::new(),
        };
        let records = self.audit_records(rows).await?;
        let strings = self.admin().strings(lang);
        let header = |key: &str| strings.get(&format!("audit.csv.{key}"));
        let headers = [
            header("at"),
            header("person"),
            header("email"),
            header("action"),
            header("site"),
            header("about"),
            header("target"),
            header("sentence"),
            header("detail"),
        ];
        let cells: Vec<Vec<String>> = records
            .iter()
            .map(|r| {
                vec![
                    self.local_time(r.at),
                    r.actor
                        .as_ref()
                        .map_or_else(|| strings.get("audit.system"), |p| p.name.clone()),
                    r.actor
                        .as_ref()
                        .map(|p| p.email.clone())
                        .unwrap_or_default(),
                    self.audit_action_label(r, lang),
                    r.site
                        .as_ref()
                        .map(|s| s.name(lang).to_owned())
                        .unwrap_or_default(),
                    r.subject
                        .as_ref()
                        .map(|p| p.email.clone())
                        .unwrap_or_default(),
                    r.target.clone(),
                    self.audit_sentence(r, lang),
                    r.detail.clone(),
                ]
            })
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        Ok(write_table(&headers, &cells, Separator::Semicolon))
    }

    /// The rows with the people and sites they name.
    async fn audit_records(&self, rows: Vec<AuditRow>) -> Result<Vec<AuditRecord>, AppError> {
        let mut ids: Vec<i32> = rows
            .iter()
            .flat_map(|r| [r.actor_id, r.subject_user_id])
            .flatten()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let people: HashMap<i32, PersonRef> = self
            .store()
            .users_by_ids(&ids)
            .await?
            .into_iter()
            .map(|u| {
                (
                    u.id,
                    PersonRef {
                        id: u.id,
                        name: u.name,
                        email: u.email,
                    },
                )
            })
            .collect();
        let network = self.network();
        Ok(rows
            .into_iter()
            .map(|r| AuditRecord {
                id: r.id,
                at: r.created_at,
                action: r.action.parse().ok(),
                code: r.action,
                actor: r.actor_id.and_then(|id| people.get(&id).cloned()),
                subject: r.subject_user_id.and_then(|id| people.get(&id).cloned()),
                site: r.site_id.and_then(|id| network.site(id).cloned()),
                target: r.target,
                detail: r.detail,
            })
            .collect())
    }

    /// The short name of a record's kind of act, in `lang`.
    pub fn audit_action_label(&self, record: &AuditRecord, lang: Locale) -> String {
        let strings = self.admin().strings(lang);
        match record.action {
            Some(action) => strings.get(&format!("audit.action.{action}")),
            None => record.code.clone(),
        }
    }

    /// A record as a sentence in `lang`: «Amina gave Youssef the role of
    /// editor on Kénitra».
    pub fn audit_sentence(&self, record: &AuditRecord, lang: Locale) -> String {
        let strings = self.admin().strings(lang);
        let actor = record
            .actor
            .as_ref()
            .map_or_else(|| strings.get("audit.system"), |p| p.name.clone());
        let subject = record
            .subject
            .as_ref()
            .map_or_else(|| record.target.clone(), |p| p.name.clone());
        let site = record
            .site
            .as_ref()
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_default();
        // A role's code in the detail reads as the role's name.
        let role = strings.get(&format!("role.{}", record.detail));
        let role = if role.starts_with("role.") {
            record.detail.clone()
        } else {
            role
        };
        let key = match record.action {
            Some(action) => format!("audit.sentence.{action}"),
            None => "audit.sentence.other".to_owned(),
        };
        strings.fill(
            &key,
            &[
                ("actor", &actor),
                ("subject", &subject),
                ("target", &record.target),
                ("site", &site),
                ("role", &role),
                ("code", &record.code),
            ],
        )
    }

    /// A time as people of the network read it: `2026-12-02 09:30`.
    pub fn local_time(&self, at: OffsetDateTime) -> String {
        at.to_offset(self.site_offset())
            .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_act_has_a_name_and_a_sentence_in_both_languages() {
        let admin = tawasul_render::Admin::load().expect("the admin's strings");
        for lang in [Locale::Ar, Locale::Fr] {
            let strings = admin.strings(lang);
            for &action in AuditAction::ALL {
                for group in ["action", "sentence"] {
                    let key = format!("audit.{group}.{action}");
                    let text = strings.get(&key);
                    assert!(text != key && !text.is_empty(), "{key} in {lang}");
                }
            }
            for key in ["audit.sentence.other", "audit.system"] {
                assert_ne!(strings.get(key), key, "{key} in {lang}");
            }
        }
    }
}

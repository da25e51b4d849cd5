//! Notices: a published entry sent by functional e-mail to audiences of its
//! site. The publisher first sees how many people the audiences reach, then
//! confirms; the notice row and one outbox message per recipient are
//! written in one transaction. Each message's idempotency key is the entry,
//! the notice and the address, and a notice is known by its request key,
//! so submitting the same form twice queues nothing more.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tawasul_domain::directory::{may_directory, DirectoryOperation};
use tawasul_domain::{EntryKind, EntryStatus, FieldErrors};
use tawasul_store::{notice_mail_key, AudienceRow, EntryRow, NewMail, NewNotice, NoticeRow};
use time::OffsetDateTime;

use super::audiences::RecipientView;
use crate::public::routes::Paths;
use crate::{App, AppError, Viewer};

/// What the publisher asks: which audiences, and whether to send now
/// (without `confirm`, only how many it would reach).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    #[serde(default)]
    pub audience_ids: Vec<i32>,
    #[serde(default)]
    pub confirm: bool,
    /// Chosen by the client (the admin's confirmation form carries one):
    /// the same key twice is the same notice. Without it, sending the same
    /// version of the entry to the same audiences again is the same notice.
    #[serde(default)]
    pub key: Option<String>,
}

/// One chosen audience and how many it reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceCount {
    pub id: i32,
    pub name: String,
    pub recipients: usize,
}

/// How many a notice would reach, before it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticePreview {
    /// Distinct addresses across the audiences.
    pub recipients: usize,
    pub audiences: Vec<AudienceCount>,
}

/// Where a notice's messages stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

/// A notice sent: who, when, to which audiences, and how delivery goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    pub id: i32,
    pub entry_id: i32,
    pub sent_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub audiences: Vec<NoticeAudience>,
    pub recipients: i32,
    pub delivery: DeliveryCounts,
}

/// An audience of a notice, as it was named when the notice went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeAudience {
    pub id: i32,
    pub name: String,
}

/// A client's key: short, and plain enough to store and compare.
fn client_key(key: &str) -> Result<String, AppError> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        let mut errors = FieldErrors::new();
        errors.add("key", "1 to 64 letters, digits, '-' or '_'");
        return Err(AppError::Invalid(errors));
    }
    Ok(format!("key:{key}"))
}

/// The key of a request without one: this version of the entry to exactly
/// these audiences.
fn derived_key(version: i32, audience_ids: &[i32]) -> String {
    let ids: Vec<String> = audience_ids.iter().map(i32::to_string).collect();
    let digest = Sha256::digest(format!("v{version}:{}", ids.join(",")).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("auto:{hex}")
}

fn is_public(row: &EntryRow) -> bool {
    row.deleted_at.is_none()
        && row.status.parse().is_ok_and(EntryStatus::is_public)
        && row
            .published_at
            .is_some_and(|at| at <= OffsetDateTime::now_utc())
}

/// Whom a notice (or a circular) goes to, as the request asks.
pub(super) struct NoticeTargets {
    /// The request's key: the same key twice is the same notice.
    pub request_key: String,
    /// Everyone the audiences reach, each address once (never empty).
    pub recipients: Vec<RecipientView>,
    /// The audiences as they are named now, for the notice's record.
    pub named: Vec<NoticeAudience>,
}

impl App {
    /// The audiences of a request (each of the entry's site), its key, and
    /// everyone they reach; 422 when they reach nobody.
    pub(super) async fn notice_targets(
        &self,
        row: &EntryRow,
        request: &NoticeRequest,
    ) -> Result<NoticeTargets, AppError> {
        let audiences = self
            .chosen_audiences(row.site_id, &request.audience_ids)
            .await?;
        let request_key = match request.key.as_deref().filter(|k| !k.is_empty()) {
            Some(key) => client_key(key)?,
            None => {
                let ids: Vec<i32> = audiences.iter().map(|a| a.id).collect();
                derived_key(row.version, &ids)
            }
        };
        let (_, recipients) = self.notice_reach(row.site_id, &audiences).await?;
        if recipients.is_empty() {
            let mut errors = FieldErrors::new();
            errors.add(
                "recipients",
                "these audiences reach nobody in the directory: nothing was sent",
            );
            return Err(AppError::Invalid(errors));
        }
        let named = audiences
            .iter()
            .map(|a| NoticeAudience {
                id: a.id,
                name: a.name.clone(),
            })
            .collect();
        Ok(NoticeTargets {
            request_key,
            recipients,
            named,
        })
    }

    /// The entry of a notice request, when the viewer may do `op` on its
    /// site's directory.
    pub(super) async fn notice_entry(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        op: DirectoryOperation,
    ) -> Result<EntryRow, AppError> {
        let row = self
            .store()
            .entry(entry_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("entry #{entry_id}")))?;
        if !may_directory(&viewer.actor(&self.network(), row.site_id), op) {
            return Err(AppError::Forbidden(
                "notices are sent by the site's publishers and administrators".to_owned(),
            ));
        }
        Ok(row)
    }

    /// The chosen audiences, each of the entry's site.
    async fn chosen_audiences(
        &self,
        site_id: i32,
        ids: &[i32],
    ) -> Result<Vec<AudienceRow>, AppError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut errors = FieldErrors::new();
        if ids.is_empty() {
            errors.add("audience_ids", "choose at least one audience");
        }
        let mut rows = Vec::new();
        for id in ids {
            match self.store().audience(id).await? {
                Some(row) if row.site_id == site_id => rows.push(row),
                _ => errors.add(
                    "audience_ids",
                    format!("audience #{id} is not one of this site's"),
                ),
            }
        }
        errors.into_result()?;
        Ok(rows)
    }

    /// Each audience's reach, and everyone they reach together.
    pub(super) async fn notice_reach(
        &self,
        site_id: i32,
        audiences: &[AudienceRow],
    ) -> Result<(Vec<AudienceCount>, Vec<RecipientView>), AppError> {
        let mut counts = Vec::new();
        let mut rules = Vec::new();
        for audience in audiences {
            let rule = serde_json::from_str(&audience.rule).unwrap_or_else(|_| {
                tawasul_domain::directory::AudienceRule {
                    institutions: vec![0],
                    ..Default::default()
                }
            });
            counts.push(AudienceCount {
                id: audience.id,
                name: audience.name.clone(),
                recipients: self.recipients_of(site_id, &rule).await?.len(),
            });
            rules.push(rule);
        }
        Ok((counts, self.recipients_of_all(site_id, &rules).await?))
    }

    /// How many people a notice of this entry to these audiences would
    /// reach; nothing is sent.
    pub async fn notice_preview(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        audience_ids: &[i32],
    ) -> Result<NoticePreview, AppError> {
        let row = self
            .notice_entry(viewer, entry_id, DirectoryOperation::SendNotice)
            .await?;
        let audiences = self.chosen_audiences(row.site_id, audience_ids).await?;
        let (counts, everyone) = self.notice_reach(row.site_id, &audiences).await?;
        Ok(NoticePreview {
            recipients: everyone.len(),
            audiences: counts,
        })
    }

    /// Sends a published entry as a notice to audiences: one message per
    /// address, queued with the notice in one transaction. Returns the
    /// notice and whether this call created it (`false`: the same request
    /// was already made, nothing more was queued).
    pub async fn send_notice(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        request: &NoticeRequest,
    ) -> Result<(NoticeView, bool), AppError> {
        let row = self
            .notice_entry(viewer, entry_id, DirectoryOperation::SendNotice)
            .await?;
        if row.kind == EntryKind::Circular.as_str() {
            return Err(AppError::Conflict(
                "a circular is sent as a circular, with its reference number and acknowledgements"
                    .to_owned(),
            ));
        }
        if !is_public(&row) {
            return Err(AppError::Conflict(
                "only a published entry can be sent as a notice".to_owned(),
            ));
        }
        let NoticeTargets {
            request_key,
            recipients,
            named,
        } = self.notice_targets(&row, request).await?;
        let data = self.notice_data(&row).await?.to_string();
        let lang = if row.locale == "fr" { "fr" } else { "ar" };
        let new = NewNotice {
            entry_id: row.id,
            site_id: row.site_id,
            sent_by: Some(viewer.user.id),
            audiences: serde_json::to_string(&named).unwrap_or_else(|_| "[]".to_owned()),
            recipients: i32::try_from(recipients.len()).unwrap_or(i32::MAX),
            request_key,
        };
        let (notice, created) = self
            .store()
            .create_notice(&new, |notice_id| {
                recipients
                    .iter()
                    .map(|r| NewMail {
                        kind: "notice".to_owned(),
                        site_id: Some(row.site_id),
                        to: r.email.clone(),
                        // For the delivery log; the template makes the real one.
                        subject: row.title.clone(),
                        body_text: String::new(),
                        body_html: None,
                        idempotency_key: notice_mail_key(row.id, notice_id, &r.email),
                        template: Some("notice".to_owned()),
                        data: Some(data.clone()),
                        lang: Some(lang.to_owned()),
                    })
                    .collect()
            })
            .await?;
        if created {
            tracing::info!(
                entry = row.id,
                notice = notice.id,
                recipients = notice.recipients,
                "notice queued"
            );
            self.store()
                .audit(
                    Some(viewer.user.id),
                    "notice_sent",
                    Some(row.site_id),
                    &format!("entry #{}", row.id),
                    &format!(
                        "notice #{} to {} addresses ({})",
                        notice.id,
                        notice.recipients,
                        named
                            .iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .await?;
        }
        Ok((self.notice_view(&notice).await?, created))
    }

    /// What the `notice` mail shows: the title, summary, the public link
    /// and links to the documents the entry refers to.
    async fn notice_data(&self, row: &EntryRow) -> Result<serde_json::Value, AppError> {
        let base = self.public_base_url();
        let base = base.trim_end_matches('/');
        let network = self.network();
        let site = network
            .site(row.site_id)
            .ok_or_else(|| AppError::NotFound(format!("site #{}", row.site_id)))?;
        let kind: EntryKind = row.kind.parse()?;
        let link = format!(
            "{base}/{}{}",
            site.slug,
            Paths::entry(kind, row.id, &row.slug)
        );
        let mut ids: Vec<i32> = tawasul_render::markdown::media_references(&row.body_md)
            .iter()
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let attachments: Vec<serde_json::Value> = self
            .store()
            .media_of_site(row.site_id, &ids)
            .await?
            .into_iter()
            .filter(|m| m.kind == "document" && !m.stored_name.is_empty())
            .map(|m| {
                serde_json::json!({
                    "name": m.original_name,
                    "url": format!("{base}/uploads/{}", m.stored_name),
                })
            })
            .collect();
        Ok(serde_json::json!({
            "title": row.title,
            "summary": row.summary,
            "link": link,
            "attachments": attachments,
        }))
    }

    async fn notice_view(&self, row: &NoticeRow) -> Result<NoticeView, AppError> {
        let delivery = self.store().notice_delivery(row.entry_id, row.id).await?;
        let sent_by = match row.sent_by {
            Some(id) => self.store().user(id).await?.map(|u| u.name),
            None => None,
        };
        Ok(NoticeView {
            id: row.id,
            entry_id: row.entry_id,
            sent_by,
            sent_at: row.created_at,
            audiences: serde_json::from_str(&row.audiences).unwrap_or_default(),
            recipients: row.recipients,
            delivery: DeliveryCounts {
                queued: delivery.queued,
                sent: delivery.sent,
                failed: delivery.failed,
            },
        })
    }

    /// The notices sent of an entry, newest first, with their delivery.
    pub async fn notices(
        &self,
        viewer: &Viewer,
        entry_id: i32,
    ) -> Result<Vec<NoticeView>, AppError> {
        let row = self
            .notice_entry(viewer, entry_id, DirectoryOperation::Browse)
            .await?;
        let mut out = Vec::new();
        for notice in self.store().notices_of_entry(row.id).await? {
            out.push(self.notice_view(&notice).await?);
        }
        Ok(out)
    }

    /// Whether an entry can go out as a notice now (published, public).
    pub fn entry_is_public(&self, row: &EntryRow) -> bool {
        is_public(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys_are_short_and_plain() {
        assert_eq!(client_key("a1-B_2").ok().as_deref(), Some("key:a1-B_2"));
        for bad in ["", "a b", "x\r\ny", &"k".repeat(65), "é"] {
            assert!(client_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn derived_keys_name_the_version_and_the_audiences() {
        let a = derived_key(3, &[1, 2]);
        assert_eq!(a, derived_key(3, &[1, 2]));
        assert_ne!(a, derived_key(4, &[1, 2]));
        assert_ne!(a, derived_key(3, &[1]));
        assert!(a.len() <= 80);
    }
}

//! Internal circulars (مذكرات / notes de service): an entry of kind
//! `circular`, approved through the workflow, sent to audiences of the
//! directory with a reference number per site and year. Each recipient's
//! copy carries a personal token: one link to acknowledge it (a page with a
//! button, so that a mail scanner opening the link acknowledges nothing),
//! and links to download its documents until they expire. Documents travel
//! as attachments when together they fit `mail.attachment_max_mb`, as
//! those links otherwise. Who has not acknowledged by the day asked gets
//! one reminder, queued through the outbox by whichever node sees the day
//! pass first; the sender may send another by hand.

use std::collections::BTreeMap;

use serde::Serialize;
use tawasul_domain::directory::DirectoryOperation;
use tawasul_domain::{CircularFacts, EntryFields, EntryKind, EntryStatus, FieldErrors};
use tawasul_store::{
    notice_mail_key, reminder_mail_key, CircularRecipientRow, CircularRow, CircularSend, EntryRow,
    MediaRow, NewCircularRecipient, NewMail, NewNotice,
};
use time::{Date, Duration, OffsetDateTime};

use super::notices::{NoticeRequest, NoticeTargets};
use crate::auth::{random_token, token_hash};
use crate::{App, AppError, Viewer};

/// How long personal download links work after a circular is sent.
pub const FILE_LINK_DAYS: i64 = 120;
/// The least time between two reminders sent by hand.
pub const REMINDER_GAP: Duration = Duration::hours(1);

/// A circular's reference as printed: «12/2026».
pub fn reference(number: i32, year: i32) -> String {
    format!("{number}/{year}")
}

/// A day as schools write it: 20/12/2026.
fn day(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// A size as people read it: 840 KB, 1.2 MB.
pub fn human_size(bytes: i64) -> String {
    let bytes = bytes.max(0) as f64;
    if bytes < 1024.0 * 1024.0 {
        format!("{:.0} KB", (bytes / 1024.0).max(1.0))
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    }
}

/// Where one person's copy stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientStatus {
    pub name: String,
    pub email: String,
    /// `contact` or `institution` (a school's functional mailbox).
    pub kind: String,
    pub institution: String,
    /// `queued`, `sent` or `failed`.
    pub delivery: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    pub reminders: i32,
}

/// Where an institution stands: acknowledged when one of its people did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionStatus {
    pub name: String,
    pub recipients: usize,
    pub delivered: usize,
    pub failed: usize,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// The counts of a circular.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CircularTotals {
    pub recipients: usize,
    pub queued: usize,
    pub delivered: usize,
    pub failed: usize,
    pub acknowledged: usize,
}

/// A circular sent, and where every copy stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CircularView {
    pub entry_id: i32,
    pub reference: String,
    pub number: i32,
    pub year: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub acknowledge_by: Option<Date>,
    #[serde(with = "time::serde::rfc3339")]
    pub files_until: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub reminded_at: Option<OffsetDateTime>,
    pub totals: CircularTotals,
    pub institutions: Vec<InstitutionStatus>,
    pub recipients: Vec<RecipientStatus>,
}

/// What a recipient's link opens: the circular, and their acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcknowledgementView {
    pub site_id: i32,
    pub reference: String,
    pub title: String,
    pub object: String,
    pub locale: String,
    pub acknowledge_by: Option<String>,
    pub recipient: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// The documents, with the recipient's own download links (empty once
    /// the links expired).
    pub files: Vec<FileLink>,
    /// It has documents, but their links expired.
    pub files_expired: bool,
}

/// A document of a circular, as a recipient downloads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLink {
    pub name: String,
    pub size: String,
    pub url: String,
}

/// A document a recipient may download now.
#[derive(Debug, Clone)]
pub struct CircularFile {
    pub stored_name: String,
    /// A readable name: the circular's reference and the document's name.
    pub download_name: String,
    pub mime: String,
}

/// Why a recipient's link gives nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// No recipient has this token, or the document is not the circular's.
    Unknown,
    /// The download links of this circular have expired.
    Expired,
}

fn facts_of(row: &EntryRow) -> CircularFacts {
    match serde_json::from_value::<EntryFields>(row.fields.clone()) {
        Ok(EntryFields::Circular(facts)) => facts,
        _ => CircularFacts::default(),
    }
}

impl App {
    /// The circular entry of a request, when the viewer may send notices
    /// on its site.
    async fn circular_entry(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        op: DirectoryOperation,
    ) -> Result<EntryRow, AppError> {
        let row = self.notice_entry(viewer, entry_id, op).await?;
        if row.kind != EntryKind::Circular.as_str() || row.deleted_at.is_some() {
            return Err(AppError::NotFound(format!("circular #{entry_id}")));
        }
        Ok(row)
    }

    /// The circular's documents, each a document of its site's library.
    async fn circular_documents(
        &self,
        row: &EntryRow,
        facts: &CircularFacts,
    ) -> Result<Vec<MediaRow>, AppError> {
        let found = self
            .store()
            .media_of_site(row.site_id, &facts.attachments)
            .await?;
        let mut errors = FieldErrors::new();
        let mut out = Vec::new();
        for id in &facts.attachments {
            match found.iter().find(|m| m.id == *id) {
                Some(m) if m.kind == "document" && !m.stored_name.is_empty() => out.push(m.clone()),
                Some(_) => errors.add(
                    "fields.attachments",
                    format!("library item #{id} is not a document (PDF or office file)"),
                ),
                None => errors.add(
                    "fields.attachments",
                    format!("library item #{id} is not in this site's library"),
                ),
            }
        }
        errors.into_result()?;
        Ok(out)
    }

    /// The site's address for a recipient's links: `…/{site}/circulars/…`.
    fn circular_links_base(&self, site_id: i32) -> Result<String, AppError> {
        let base = self.public_base_url();
        let network = self.network();
        let site = network
            .site(site_id)
            .ok_or_else(|| AppError::NotFound(format!("site #{site_id}")))?;
        Ok(format!(
            "{}/{}/circulars",
            base.trim_end_matches('/'),
            site.slug
        ))
    }

    /// The other language's version of a circular, when there is one that
    /// went through review too.
    async fn circular_translation(
        &self,
        row: &EntryRow,
    ) -> Result<Option<serde_json::Value>, AppError> {
        let group = self.store().translation_group(row).await?;
        let Some(other) = group.into_iter().find(|e| {
            e.id != row.id
                && e.locale != row.locale
                && e.deleted_at.is_none()
                && e.status == EntryStatus::Approved.as_str()
        }) else {
            return Ok(None);
        };
        let Some(full) = self.store().entry(other.id).await? else {
            return Ok(None);
        };
        Ok(Some(serde_json::json!({
            "title": full.title,
            "object": facts_of(&full).object,
            "body_html": full.body_html,
            "body_text": tawasul_render::markdown::plain_text(&full.body_md),
        })))
    }

    /// Sends an approved circular to audiences: a reference number on the
    /// first send, one personal copy per address not sent to before.
    /// Without `confirm` nothing is sent: use [`App::notice_preview`] to
    /// show the reach first. Returns the circular and whether this request
    /// sent anything (`false`: the same request was already made).
    pub async fn send_circular(
        &self,
        viewer: &Viewer,
        entry_id: i32,
        request: &NoticeRequest,
    ) -> Result<(CircularView, bool), AppError> {
        let row = self
            .circular_entry(viewer, entry_id, DirectoryOperation::SendNotice)
            .await?;
        if row.status != EntryStatus::Approved.as_str() {
            return Err(AppError::Conflict(
                "a circular is sent once it is approved: submit it for review first".to_owned(),
            ));
        }
        let facts = facts_of(&row);
        let documents = self.circular_documents(&row, &facts).await?;
        let NoticeTargets {
            request_key,
            recipients,
            named,
        } = self.notice_targets(&row, request).await?;
        let now = OffsetDateTime::now_utc();
        let files_until = now + Duration::days(FILE_LINK_DAYS);
        let total_size: i64 = documents.iter().map(|d| d.size).sum();
        let limit = i64::from(self.config.mail.attachment_max_mb) * 1024 * 1024;
        let attached = !documents.is_empty() && total_size <= limit;
        let links = self.circular_links_base(row.site_id)?;
        let translation = self.circular_translation(&row).await?;
        let lang = if row.locale == "fr" { "fr" } else { "ar" };
        // Tokens are made before the transaction, which cannot fail half-way.
        let mut tokens = Vec::with_capacity(recipients.len());
        for _ in &recipients {
            tokens.push(random_token()?);
        }
        let body_text = tawasul_render::markdown::plain_text(&row.body_md);
        let send = CircularSend {
            notice: NewNotice {
                entry_id: row.id,
                site_id: row.site_id,
                sent_by: Some(viewer.user.id),
                audiences: serde_json::to_string(&named).unwrap_or_else(|_| "[]".to_owned()),
                recipients: i32::try_from(recipients.len()).unwrap_or(i32::MAX),
                request_key,
            },
            year: now.year(),
            acknowledge_by: facts.acknowledge_by,
            files_until,
        };
        let mut attempt = 0;
        let (circular, notice, fresh, created) = loop {
            attempt += 1;
            let outcome = self
                .store()
                .send_circular(&send, |notice_id, circular: &CircularRow| {
                    recipients
                        .iter()
                        .zip(&tokens)
                        .map(|(r, token)| {
                            let files: Vec<serde_json::Value> = documents
                                .iter()
                                .map(|d| {
                                    serde_json::json!({
                                        "id": d.id,
                                        "name": d.original_name,
                                        "size": human_size(d.size),
                                        "url": format!("{links}/file?t={token}&id={}", d.id),
                                    })
                                })
                                .collect();
                            let data = serde_json::json!({
                                "reference": reference(circular.number, circular.year),
                                "object": facts.object,
                                "title": row.title,
                                "body_html": row.body_html,
                                "body_text": body_text,
                                "acknowledge_by": circular.acknowledge_by.map(day),
                                "ack_url": format!("{links}/ack?t={token}"),
                                "attachments": files,
                                "attached": attached,
                                "files_until": day(circular.files_until.date()),
                                "reminder": false,
                                "translation": translation,
                            });
                            let key = notice_mail_key(row.id, notice_id, &r.email);
                            NewCircularRecipient {
                                email: r.email.clone(),
                                name: r.name.clone(),
                                kind: r.kind.to_owned(),
                                institution_id: r.institution.as_ref().map(|i| i.id),
                                institution_name: r
                                    .institution
                                    .as_ref()
                                    .map(|i| i.name_ar.clone())
                                    .unwrap_or_default(),
                                token_hash: token_hash(token),
                                mail: NewMail {
                                    kind: "circular".to_owned(),
                                    site_id: Some(row.site_id),
                                    to: r.email.clone(),
                                    subject: format!(
                                        "{} {}",
                                        reference(circular.number, circular.year),
                                        facts.object
                                    ),
                                    body_text: String::new(),
                                    body_html: None,
                                    idempotency_key: key,
                                    template: Some("circular".to_owned()),
                                    data: Some(data.to_string()),
                                    lang: Some(lang.to_owned()),
                                },
                            }
                        })
                        .collect()
                })
                .await;
            match outcome {
                // Two senders of the same site took the same number at
                // once (PostgreSQL): the loser tries again with the next.
                Err(tawasul_store::StoreError::Conflict(_)) if attempt < 3 => continue,
                other => break other?,
            }
        };
        if created {
            tracing::info!(
                entry = row.id,
                notice = notice.id,
                reference = %reference(circular.number, circular.year),
                recipients = fresh,
                "circular queued"
            );
            self.store()
                .audit(
                    Some(viewer.user.id),
                    "circular_sent",
                    Some(row.site_id),
                    &format!("entry #{}", row.id),
                    &format!(
                        "circular {} to {} new addresses ({})",
                        reference(circular.number, circular.year),
                        fresh,
                        named
                            .iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .await?;
        }
        Ok((self.circular_view(&circular).await?, created && fresh > 0))
    }

    async fn circular_view(&self, circular: &CircularRow) -> Result<CircularView, AppError> {
        let rows = self.store().circular_recipients(circular.entry_id).await?;
        let keys: Vec<String> = rows.iter().map(|r| r.mail_key.clone()).collect();
        let deliveries = self.store().deliveries_by_key(&keys).await?;
        let mut totals = CircularTotals::default();
        let mut institutions: BTreeMap<String, InstitutionStatus> = BTreeMap::new();
        let mut recipients = Vec::with_capacity(rows.len());
        for r in rows {
            let delivery = deliveries.get(&r.mail_key);
            let status = delivery.map_or("queued", |d| d.status.as_str()).to_owned();
            totals.recipients += 1;
            match status.as_str() {
                "sent" => totals.delivered += 1,
                "failed" => totals.failed += 1,
                _ => totals.queued += 1,
            }
            if r.acknowledged_at.is_some() {
                totals.acknowledged += 1;
            }
            let institution = if r.institution_name.is_empty() {
                r.name.clone()
            } else {
                r.institution_name.clone()
            };
            let entry =
                institutions
                    .entry(institution.clone())
                    .or_insert_with(|| InstitutionStatus {
                        name: institution.clone(),
                        recipients: 0,
                        delivered: 0,
                        failed: 0,
                        acknowledged_at: None,
                    });
            entry.recipients += 1;
            match status.as_str() {
                "sent" => entry.delivered += 1,
                "failed" => entry.failed += 1,
                _ => {}
            }
            if let Some(at) = r.acknowledged_at {
                entry.acknowledged_at = Some(entry.acknowledged_at.map_or(at, |e| e.min(at)));
            }
            recipients.push(RecipientStatus {
                name: r.name,
                email: r.email,
                kind: r.recipient_kind,
                institution,
                delivery: status,
                delivered_at: delivery.and_then(|d| d.sent_at),
                error: delivery.and_then(|d| d.last_error.clone()),
                acknowledged_at: r.acknowledged_at,
                reminders: r.reminders,
            });
        }
        Ok(CircularView {
            entry_id: circular.entry_id,
            reference: reference(circular.number, circular.year),
            number: circular.number,
            year: circular.year,
            sent_at: circular.sent_at,
            acknowledge_by: circular.acknowledge_by,
            files_until: circular.files_until,
            reminded_at: circular.reminded_at,
            totals,
            institutions: institutions.into_values().collect(),
            recipients,
        })
    }

    /// Where a circular stands, or `None` when it was not sent yet.
    pub async fn circular_status(
        &self,
        viewer: &Viewer,
        entry_id: i32,
    ) -> Result<Option<CircularView>, AppError> {
        let row = self
            .circular_entry(viewer, entry_id, DirectoryOperation::Browse)
            .await?;
        match self.store().circular(row.id).await? {
            Some(circular) => Ok(Some(self.circular_view(&circular).await?)),
            None => Ok(None),
        }
    }

    /// Where each copy stands, as a spreadsheet (semicolons, UTF-8).
    pub async fn circular_csv(&self, viewer: &Viewer, entry_id: i32) -> Result<String, AppError> {
        let view = self
            .circular_status(viewer, entry_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("circular #{entry_id} was not sent")))?;
        let stamp = |at: Option<OffsetDateTime>| {
            at.and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
        };
        let rows: Vec<Vec<String>> = view
            .recipients
            .iter()
            .map(|r| {
                vec![
                    view.reference.clone(),
                    r.institution.clone(),
                    r.name.clone(),
                    r.email.clone(),
                    r.delivery.clone(),
                    stamp(r.delivered_at),
                    r.error.clone().unwrap_or_default(),
                    stamp(r.acknowledged_at),
                    r.reminders.to_string(),
                ]
            })
            .collect();
        Ok(super::csv::write_table(
            &[
                "reference",
                "institution",
                "name",
                "email",
                "delivery",
                "delivered_at",
                "error",
                "acknowledged_at",
                "reminders",
            ],
            &rows,
            super::csv::Separator::Semicolon,
        ))
    }

    /// Queues a reminder to everyone who has not acknowledged, by hand.
    /// Refused within an hour of the last reminder (a double click, or a
    /// second sender, must not mail schools twice). Returns how many.
    pub async fn remind_circular(&self, viewer: &Viewer, entry_id: i32) -> Result<usize, AppError> {
        let row = self
            .circular_entry(viewer, entry_id, DirectoryOperation::SendNotice)
            .await?;
        if self.store().circular(row.id).await?.is_none() {
            return Err(AppError::Conflict(
                "this circular was not sent yet: there is nobody to remind".to_owned(),
            ));
        }
        let recipients = self.store().circular_recipients(row.id).await?;
        let last = recipients.iter().filter_map(|r| r.last_reminder_at).max();
        if let Some(last) = last {
            if OffsetDateTime::now_utc() - last < REMINDER_GAP {
                return Err(AppError::Conflict(
                    "a reminder went out less than an hour ago; wait before sending another"
                        .to_owned(),
                ));
            }
        }
        let queued = self.queue_reminders(&row, false).await?.unwrap_or(0);
        self.store()
            .audit(
                Some(viewer.user.id),
                "circular_reminded",
                Some(row.site_id),
                &format!("entry #{}", row.id),
                &format!("reminder to {queued} addresses"),
            )
            .await?;
        Ok(queued)
    }

    async fn queue_reminders(
        &self,
        row: &EntryRow,
        automatic: bool,
    ) -> Result<Option<usize>, AppError> {
        let lang = if row.locale == "fr" { "fr" } else { "ar" };
        let site_id = row.site_id;
        let entry_id = row.id;
        let queued = self
            .store()
            .queue_circular_reminders(
                entry_id,
                automatic,
                |r: &CircularRecipientRow, data: Option<&str>| {
                    let mut data: serde_json::Value = data
                        .and_then(|d| serde_json::from_str(d).ok())
                        .unwrap_or(serde_json::Value::Null);
                    if let Some(map) = data.as_object_mut() {
                        map.insert("reminder".to_owned(), serde_json::Value::Bool(true));
                    }
                    NewMail {
                        kind: "circular_reminder".to_owned(),
                        site_id: Some(site_id),
                        to: r.email.clone(),
                        subject: format!("reminder {}", row.title),
                        body_text: String::new(),
                        body_html: None,
                        idempotency_key: reminder_mail_key(entry_id, r.reminders, &r.email),
                        template: Some("circular".to_owned()),
                        data: Some(data.to_string()),
                        lang: Some(lang.to_owned()),
                    }
                },
            )
            .await?;
        Ok(queued)
    }

    /// Sends the one automatic reminder of every circular whose day to
    /// acknowledge has passed (`today` in the site's time). Each circular
    /// is reminded by one node only. Returns how many reminders went out.
    pub async fn send_due_circular_reminders(&self, today: Date) -> Result<usize, AppError> {
        let mut total = 0;
        for circular in self.store().circulars_due_for_reminder(today).await? {
            let Some(row) = self.store().entry(circular.entry_id).await? else {
                continue;
            };
            if let Some(queued) = self.queue_reminders(&row, true).await? {
                tracing::info!(entry = row.id, queued, "circular reminders queued");
                total += queued;
            }
        }
        Ok(total)
    }

    /// What a recipient's acknowledgement link opens, or `None` for a link
    /// that is not one.
    pub async fn circular_acknowledgement(
        &self,
        token: &str,
    ) -> Result<Option<AcknowledgementView>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let Some(recipient) = self
            .store()
            .circular_recipient_by_token(&token_hash(token))
            .await?
        else {
            return Ok(None);
        };
        self.acknowledgement_view(&recipient, token).await
    }

    /// Records a recipient's acknowledgement (the first counts; a second
    /// click changes nothing), or `None` for a link that is not one.
    pub async fn acknowledge_circular(
        &self,
        token: &str,
    ) -> Result<Option<AcknowledgementView>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let Some((recipient, first)) = self
            .store()
            .acknowledge_circular(&token_hash(token), OffsetDateTime::now_utc())
            .await?
        else {
            return Ok(None);
        };
        if first {
            tracing::info!(entry = recipient.entry_id, "circular acknowledged");
        }
        self.acknowledgement_view(&recipient, token).await
    }

    async fn acknowledgement_view(
        &self,
        recipient: &CircularRecipientRow,
        token: &str,
    ) -> Result<Option<AcknowledgementView>, AppError> {
        let (Some(row), Some(circular)) = (
            self.store().entry(recipient.entry_id).await?,
            self.store().circular(recipient.entry_id).await?,
        ) else {
            return Ok(None);
        };
        let facts = facts_of(&row);
        let links = self.circular_links_base(row.site_id)?;
        let expired = OffsetDateTime::now_utc() >= circular.files_until;
        let files = if !expired {
            self.store()
                .media_of_site(row.site_id, &facts.attachments)
                .await?
                .into_iter()
                .filter(|m| m.kind == "document")
                .map(|m| FileLink {
                    name: m.original_name.clone(),
                    size: human_size(m.size),
                    url: format!("{links}/file?t={token}&id={}", m.id),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(AcknowledgementView {
            site_id: row.site_id,
            reference: reference(circular.number, circular.year),
            title: row.title,
            object: facts.object,
            locale: row.locale,
            acknowledge_by: circular.acknowledge_by.map(day),
            recipient: recipient.name.clone(),
            acknowledged_at: recipient.acknowledged_at,
            files,
            files_expired: expired && !facts.attachments.is_empty(),
        }))
    }

    /// A document of a circular, for the recipient whose token this is,
    /// while the circular's links have not expired.
    pub async fn circular_file(
        &self,
        token: &str,
        media_id: i32,
    ) -> Result<Result<CircularFile, LinkRefusal>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(Err(LinkRefusal::Unknown));
        }
        let Some(recipient) = self
            .store()
            .circular_recipient_by_token(&token_hash(token))
            .await?
        else {
            return Ok(Err(LinkRefusal::Unknown));
        };
        let (Some(row), Some(circular)) = (
            self.store().entry(recipient.entry_id).await?,
            self.store().circular(recipient.entry_id).await?,
        ) else {
            return Ok(Err(LinkRefusal::Unknown));
        };
        if !facts_of(&row).attachments.contains(&media_id) {
            return Ok(Err(LinkRefusal::Unknown));
        }
        if OffsetDateTime::now_utc() >= circular.files_until {
            return Ok(Err(LinkRefusal::Expired));
        }
        let Some(media) = self
            .store()
            .media_of_site(row.site_id, &[media_id])
            .await?
            .into_iter()
            .find(|m| m.kind == "document" && !m.stored_name.is_empty())
        else {
            return Ok(Err(LinkRefusal::Unknown));
        };
        Ok(Ok(CircularFile {
            download_name: format!(
                "{} {}",
                reference(circular.number, circular.year).replace('/', "-"),
                media.original_name
            ),
            stored_name: media.stored_name,
            mime: media.mime,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn references_and_days_read_as_schools_write_them() {
        assert_eq!(reference(12, 2026), "12/2026");
        assert_eq!(day(date!(2026 - 12 - 05)), "05/12/2026");
    }

    #[test]
    fn sizes_read_in_kilobytes_then_megabytes() {
        assert_eq!(human_size(0), "1 KB");
        assert_eq!(human_size(840 * 1024), "840 KB");
        assert_eq!(human_size(1024 * 1024 + 200 * 1024), "1.2 MB");
    }
}

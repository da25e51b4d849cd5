//! The mail outbox (one row per message and recipient) and the audit log.
//! Mail is queued in the database so a message is never lost between the
//! event that causes it and its delivery.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::{audit_log, outbox};
use crate::{now, Result, Store};

pub type OutboxRow = outbox::Model;
pub type AuditRow = audit_log::Model;

/// A message for one recipient.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: String,
    pub site_id: Option<i32>,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// The same key twice is the same message: queued once.
    pub idempotency_key: String,
}

impl Store {
    /// Queues a message; a message with the same idempotency key is queued
    /// only once. Returns whether this call queued it.
    pub async fn queue_mail(&self, mail: NewMail) -> Result<bool> {
        let stamp = now();
        let result = outbox::ActiveModel {
            kind: Set(mail.kind),
            site_id: Set(mail.site_id),
            to_address: Set(mail.to),
            subject: Set(mail.subject),
            body_text: Set(mail.body_text),
            body_html: Set(mail.body_html),
            status: Set("queued".to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(stamp),
            last_error: Set(None),
            idempotency_key: Set(mail.idempotency_key),
            created_at: Set(stamp),
            sent_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match result.map_err(crate::StoreError::from) {
            Ok(_) => Ok(true),
            Err(crate::StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The newest messages of the outbox, optionally of one status.
    pub async fn outbox(&self, status: Option<&str>, limit: u64) -> Result<Vec<OutboxRow>> {
        self.outbox_of(None, status, limit).await
    }

    /// The newest messages about some sites (all messages when `None`).
    pub async fn outbox_of(
        &self,
        site_ids: Option<&[i32]>,
        status: Option<&str>,
        limit: u64,
    ) -> Result<Vec<OutboxRow>> {
        let mut query = outbox::Entity::find();
        if let Some(ids) = site_ids {
            query = query.filter(outbox::Column::SiteId.is_in(ids.iter().copied()));
        }
        if let Some(status) = status {
            query = query.filter(outbox::Column::Status.eq(status));
        }
        Ok(query
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    pub async fn audit(
        &self,
        actor_id: Option<i32>,
        action: &str,
        site_id: Option<i32>,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        audit_log::ActiveModel {
            actor_id: Set(actor_id),
            action: Set(action.to_owned()),
            site_id: Set(site_id),
            target: Set(target.to_owned()),
            detail: Set(detail.to_owned()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The newest audit records of some sites (all when `site_ids` is None).
    pub async fn audit_log(&self, site_ids: Option<&[i32]>, limit: u64) -> Result<Vec<AuditRow>> {
        let mut query = audit_log::Entity::find();
        if let Some(ids) = site_ids {
            query = query.filter(audit_log::Column::SiteId.is_in(ids.iter().copied()));
        }
        Ok(query
            .order_by_desc(audit_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}

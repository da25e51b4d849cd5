//! The delivery log of a site's mails, for its administrators: a page of
//! messages (the site's, and the system's mails to its members:
//! invitations, password resets, digests), the newsletter's subscriber
//! counts beside it, and sending a failed message again. Who may read it
//! is `Operation::ViewDeliveryLog`. The system's own mails, about no site,
//! have the platform's log (`Operation::ViewSystemMail`).

use tawasul_domain::Operation;
use tawasul_store::{OutboxRow, OutboxScope};

use crate::access::Viewer;
use crate::network::Site;
use crate::{App, AppError};

/// One page of a site's delivery log.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    pub site: Site,
    pub messages: Vec<OutboxRow>,
    /// Messages matching the filter, all pages together.
    pub total: u64,
    pub confirmed_subscribers: u64,
    pub pending_subscribers: u64,
}

/// What became of a request to send a message again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resent {
    /// Back in the queue, due now.
    Queued,
    /// Someone else sent it again meanwhile.
    AlreadyQueued,
}

impl App {
    /// The site, when the viewer may read its delivery log.
    pub fn delivery_log_site(&self, viewer: &Viewer, slug: &str) -> Result<Site, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(slug)
            .ok_or_else(|| AppError::NotFound(slug.to_owned()))?;
        if !viewer.may(&network, site.id, Operation::ViewDeliveryLog) {
            return Err(AppError::Forbidden(
                "the delivery log is for the site's administrators".into(),
            ));
        }
        Ok(site.clone())
    }

    /// Page `page` of the messages about a site, newest first, optionally
    /// of one status.
    pub async fn delivery_log(
        &self,
        viewer: &Viewer,
        slug: &str,
        status: Option<&str>,
        page: u64,
        per_page: u64,
    ) -> Result<DeliveryLog, AppError> {
        let site = self.delivery_log_site(viewer, slug)?;
        let members = self.member_addresses(site.id).await?;
        let found = self
            .store()
            .outbox_page_in(
                &OutboxScope::Site(site.id, &members),
                status,
                page,
                per_page,
            )
            .await?;
        let confirmed_subscribers = self.store().count_subscribers(site.id, "confirmed").await?;
        let pending_subscribers = self.store().count_subscribers(site.id, "pending").await?;
        Ok(DeliveryLog {
            site,
            messages: found.rows,
            total: found.total,
            confirmed_subscribers,
            pending_subscribers,
        })
    }

    /// Puts a failed message about the site back in the queue, due now,
    /// its attempts counted from zero, and records who did.
    pub async fn resend_mail(
        &self,
        viewer: &Viewer,
        slug: &str,
        id: i32,
    ) -> Result<Resent, AppError> {
        let site = self.delivery_log_site(viewer, slug)?;
        let members = self.member_addresses(site.id).await?;
        let row = self
            .store()
            .outbox_row(id)
            .await?
            .filter(|row| {
                row.site_id == Some(site.id)
                    || (row.site_id.is_none() && members.contains(&row.to_address))
            })
            .ok_or_else(|| AppError::NotFound(format!("message #{id}")))?;
        if row.status != "failed" {
            return Err(AppError::Conflict(format!(
                "message #{id} is {}, not failed",
                row.status
            )));
        }
        if !self.store().requeue_outbox(id).await? {
            return Ok(Resent::AlreadyQueued);
        }
        self.store()
            .audit(
                Some(viewer.user.id),
                "mail_resend",
                Some(site.id),
                &row.to_address,
                &format!("message #{id}"),
            )
            .await?;
        Ok(Resent::Queued)
    }
}

impl App {
    /// The addresses of a site's members, as mails are addressed.
    async fn member_addresses(&self, site_id: i32) -> Result<Vec<String>, AppError> {
        let mut emails: Vec<String> = self
            .store()
            .members_of(&[site_id])
            .await?
            .into_iter()
            .map(|(_, user)| user.email.to_lowercase())
            .collect();
        emails.sort_unstable();
        emails.dedup();
        Ok(emails)
    }

    /// Page `page` of the system's own mails (invitations, password
    /// resets, digests: about no site), newest first, for platform admins.
    pub async fn system_delivery_log(
        &self,
        viewer: &Viewer,
        status: Option<&str>,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<OutboxRow>, u64), AppError> {
        if !viewer.may(&self.network(), 0, Operation::ViewSystemMail) {
            return Err(AppError::Forbidden(
                "the system's delivery log is for platform administrators".into(),
            ));
        }
        let found = self
            .store()
            .outbox_page_in(&OutboxScope::System, status, page, per_page)
            .await?;
        Ok((found.rows, found.total))
    }

    /// Puts a failed system mail back in the queue (platform admins).
    pub async fn resend_system_mail(&self, viewer: &Viewer, id: i32) -> Result<Resent, AppError> {
        if !viewer.may(&self.network(), 0, Operation::ViewSystemMail) {
            return Err(AppError::Forbidden(
                "the system's delivery log is for platform administrators".into(),
            ));
        }
        let row = self
            .store()
            .outbox_row(id)
            .await?
            .filter(|row| row.site_id.is_none())
            .ok_or_else(|| AppError::NotFound(format!("message #{id}")))?;
        if row.status != "failed" {
            return Err(AppError::Conflict(format!(
                "message #{id} is {}, not failed",
                row.status
            )));
        }
        if !self.store().requeue_outbox(id).await? {
            return Ok(Resent::AlreadyQueued);
        }
        self.store()
            .audit(
                Some(viewer.user.id),
                "mail_resend",
                None,
                &row.to_address,
                &format!("message #{id}"),
            )
            .await?;
        Ok(Resent::Queued)
    }
}

impl App {
    /// The newest `limit` messages the viewer may see, optionally of one
    /// status: every message for a platform admin, those about the sites
    /// whose log they may read for anyone else (none: forbidden).
    pub async fn outbox_for(
        &self,
        viewer: &Viewer,
        status: Option<&str>,
        limit: u64,
    ) -> Result<Vec<OutboxRow>, AppError> {
        let network = self.network();
        let sites = (!viewer.is_platform_admin()).then(|| {
            network
                .sites()
                .iter()
                .filter(|s| viewer.may(&network, s.id, Operation::ViewDeliveryLog))
                .map(|s| s.id)
                .collect::<Vec<_>>()
        });
        if sites.as_ref().is_some_and(Vec::is_empty) {
            return Err(AppError::Forbidden(
                "the delivery log is for site administrators".into(),
            ));
        }
        Ok(self
            .store()
            .outbox_of(sites.as_deref(), status, limit)
            .await?)
    }
}

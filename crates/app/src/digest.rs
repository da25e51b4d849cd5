//! How people hear of work waiting for them: at once, once a day, or not
//! at all. Notices for those who chose a daily digest are kept (with the
//! workflow step, see `notify`), and once a day, at `mail.digest_hour` in
//! site time, each such person gets one mail listing them. Every server
//! runs this; the items are taken by one conditional update, so the
//! digest goes out once.

use serde_json::{json, Value};
use tawasul_domain::digest::DigestClock;
use tawasul_domain::{DomainError, Locale};
use tawasul_store::{DigestItemRow, NewMail, UserRow};
use time::OffsetDateTime;

use crate::access::Viewer;
use crate::{App, AppError};

/// The choices of the account page, as stored in `users.notify`.
pub const NOTIFY_CHOICES: [&str; 3] = ["immediate", "daily", "none"];

/// How often the mail worker asks whether a digest is due: a digest goes
/// out within this of its time (each check is one or two reads).
pub const JOBS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl App {
    /// The clock of a digest: `hour` in site time (the configuration was
    /// checked at load; 07:00 UTC should it be out of range all the same).
    pub(crate) fn clock(&self, hour: u8) -> DigestClock {
        DigestClock::new(hour, self.config.site.utc_offset_minutes).unwrap_or(DigestClock {
            hour: 7,
            offset: time::UtcOffset::UTC,
        })
    }

    /// The periodic mail jobs, run by every server's mail worker: the daily
    /// digests, the weekly newsletters, forgetting old subscription
    /// requests and digested notices. A failure is logged and tried again
    /// next time.
    pub async fn run_digest_jobs(&self) {
        let now = OffsetDateTime::now_utc();
        if let Err(e) = self.send_workflow_digests(now).await {
            tracing::warn!(error = %e, "daily digests not made; tried again in a minute");
        }
        if self.config.mail.newsletter_day != "off" {
            if let Err(e) = self.send_newsletters(now).await {
                tracing::warn!(error = %e, "weekly newsletters not made; tried again in a minute");
            }
        }
        if let Err(e) = self.prune_newsletter_attempts().await {
            tracing::warn!(error = %e, "could not forget old newsletter requests");
        }
        // Digested notices are kept a month, to answer "did I get it?".
        let month_ago = now - time::Duration::days(30);
        if let Err(e) = self.store().prune_digest_items(month_ago).await {
            tracing::warn!(error = %e, "could not forget old digested notices");
        }
    }

    /// Sets how the person hears of work waiting for them (one of
    /// [`NOTIFY_CHOICES`]) and the language those mails are written in.
    pub async fn set_notify_choice(
        &self,
        viewer: &Viewer,
        choice: &str,
        lang: Locale,
    ) -> Result<(), AppError> {
        if !NOTIFY_CHOICES.contains(&choice) {
            return Err(DomainError::field(
                "notify",
                format!("choose one of {}", NOTIFY_CHOICES.join(", ")),
            )
            .into());
        }
        let lang = if lang == Locale::Fr { "fr" } else { "ar" };
        self.store()
            .set_user_notify_choice(viewer.user.id, choice, lang)
            .await?;
        Ok(())
    }

    /// Queues the daily digests due at `now`: for every address with
    /// notices kept before today's digest time (or yesterday's, before
    /// it), one mail. Returns how many were queued here (another server
    /// may have queued some of them).
    pub async fn send_workflow_digests(&self, now: OffsetDateTime) -> Result<usize, AppError> {
        let clock = self.clock(self.config.mail.digest_hour);
        let cutoff = clock.last_daily(now);
        let day = clock.day_name(cutoff);
        let addresses = self.store().addresses_due_for_digest(cutoff).await?;
        let mut queued = 0;
        for address in addresses {
            let user = self.store().user_by_email(&address).await?;
            let key = format!(
                "workflow-digest:{day}:{}",
                user.as_ref().map_or(0, |u| u.id)
            );
            let mut made = false;
            let taken = self
                .store()
                .take_digest(&address, &key, cutoff, |items| {
                    let mail = self.digest_mail(user.as_ref()?, &key, items);
                    made = mail.is_some();
                    mail
                })
                .await?;
            if made && taken > 0 {
                tracing::info!(to = %address, notices = taken, %day, "daily digest queued");
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// The digest of `items` for `user`; none when they no longer want
    /// notices or their account is disabled (the items are dropped with it).
    fn digest_mail(&self, user: &UserRow, key: &str, items: &[DigestItemRow]) -> Option<NewMail> {
        if user.notify == "none" || user.disabled_at.is_some() || items.is_empty() {
            return None;
        }
        let notices: Vec<Value> = items
            .iter()
            .filter_map(|i| serde_json::from_str::<Value>(&i.data).ok())
            .collect();
        // One site's notices carry its name and colours; several, the network's.
        let first = items[0].site_id;
        let site_id = first.filter(|_| items.iter().all(|i| i.site_id == first));
        let data = json!({
            "items": notices,
            "account_url": format!("{}/admin/account", self.public_base_url()),
        });
        Some(NewMail {
            kind: "workflow_digest".to_owned(),
            site_id,
            to: user.email.clone(),
            subject: String::new(),
            body_text: String::new(),
            body_html: None,
            idempotency_key: key.to_owned(),
            template: Some("workflow_digest".to_owned()),
            data: Some(data.to_string()),
            lang: Some(user.lang.clone()),
        })
    }
}

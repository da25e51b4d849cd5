//! Delivering the outbox. Every server runs a worker: it claims due
//! messages for a while (a lease), sends them through the configured
//! transport, and records each one's fate: sent; back in the queue with a
//! growing wait after a temporary failure (4xx, a relay that is down, a
//! template that does not render); failed for good after a permanent one
//! (5xx) or too many attempts. A worker that dies leaves its messages to
//! another when the lease ends.
//!
//! A claimed message is sent by one worker only; if a worker dies after
//! the relay took a message but before it could record it, the message is
//! sent again when the lease ends (at least once: the relay sees the same
//! Message-ID, a hash of the idempotency key).

use std::sync::Arc;

use futures_util::StreamExt as _;
use std::time::Duration as StdDuration;

use tawasul_domain::{retry_wait, RetryPolicy};
use tawasul_mail::{
    Attachment, Dkim, Email, FileTransport, Lang, MailTemplates, MailTransport, MessageSpec,
    RateLimit, Security, SendError, SiteStyle, SmtpConfig, SmtpTransport, TlsOptions,
};
use tawasul_store::{Delivery, OutboxRow};
use time::{Duration, OffsetDateTime};

use crate::{App, AppError};

/// Messages claimed per round.
const BATCH: u64 = 500;
/// How long a claim holds: longer than a round can take.
const LEASE: Duration = Duration::minutes(5);

/// What one delivery round shares between its messages.
#[derive(Default)]
struct Round {
    /// Mails rendered this round, by template, language, site and data.
    rendered: std::sync::Mutex<std::collections::HashMap<RenderKey, RenderResult>>,
    /// Messages the relay accepted, recorded together at the end.
    sent: std::sync::Mutex<Vec<i32>>,
    /// Files attached this round, read once from storage by library id:
    /// a circular to thousands holds its PDF once.
    files: tokio::sync::Mutex<std::collections::HashMap<i32, Result<Attachment, String>>>,
}

type RenderKey = (String, Option<String>, Option<i32>, Option<String>);
type RenderResult = Result<tawasul_mail::Rendered, String>;

/// A poisoned lock still holds usable data here (a cache and a list).
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Round {
    /// The mail for `key`, rendered by `render` the first time it is asked.
    fn rendered(&self, key: RenderKey, render: impl FnOnce() -> RenderResult) -> RenderResult {
        if let Some(done) = lock(&self.rendered).get(&key) {
            return done.clone();
        }
        let done = render();
        lock(&self.rendered).insert(key, done.clone());
        done
    }

    fn sent(&self, id: i32) {
        lock(&self.sent).push(id);
    }

    fn take_sent(&self) -> Vec<i32> {
        std::mem::take(&mut *lock(&self.sent))
    }
}

/// The configured way out.
pub enum Transport {
    File(FileTransport),
    Smtp(Box<SmtpTransport>),
}

impl Transport {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        match self {
            Transport::File(t) => t.send(email).await,
            Transport::Smtp(t) => t.send(email).await,
        }
    }
}

/// What the worker needs, made once from the configuration.
pub struct Mailer {
    transport: Transport,
    templates: MailTemplates,
    dkim: Option<Dkim>,
    worker: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("worker", &self.worker)
            .finish()
    }
}

impl Mailer {
    pub fn from_config(config: &crate::Config) -> Result<Mailer, AppError> {
        let mail = &config.mail;
        let transport = if mail.transport == "smtp" {
            let mut smtp = SmtpConfig::new(mail.smtp_host.clone());
            smtp.port = mail.relay_port();
            smtp.security = match mail.tls_mode() {
                "none" => Security::None,
                "required" => Security::Tls,
                _ => Security::StartTls,
            };
            if let Some(file) = &mail.ca_file {
                let pem = std::fs::read_to_string(file).map_err(|e| {
                    AppError::io(format!("reading mail.ca_file {}", file.display()), e)
                })?;
                smtp.tls = TlsOptions::with_ca_pem(pem).map_err(|e| {
                    let detail = match e {
                        SendError::Tls(detail) => detail,
                        other => other.to_string(),
                    };
                    AppError::Config(format!("mail.ca_file {}: {detail}", file.display()))
                })?;
            }
            if !mail.smtp_username.is_empty() {
                smtp.credentials = Some((mail.smtp_username.clone(), mail.smtp_password.clone()));
            }
            smtp.pool_size = mail.smtp_connections as usize;
            if mail.rate_per_second > 0 {
                smtp.rate_limit = Some(RateLimit {
                    per_second: f64::from(mail.rate_per_second),
                    burst: mail.rate_per_second.min(50),
                });
            }
            Transport::Smtp(Box::new(
                SmtpTransport::new(smtp).map_err(|e| AppError::Config(format!("mail: {e}")))?,
            ))
        } else {
            let folder = mail
                .folder
                .clone()
                .unwrap_or_else(|| config.paths.data.join("mail"));
            Transport::File(FileTransport::new(&folder).map_err(|e| {
                AppError::io(format!("opening the mail folder {}", folder.display()), e)
            })?)
        };
        let dkim = match &mail.dkim_key_file {
            Some(file) => {
                let pem = std::fs::read_to_string(file).map_err(|e| {
                    AppError::io(format!("reading mail.dkim_key_file {}", file.display()), e)
                })?;
                Some(
                    Dkim::from_pem(&mail.dkim_selector, &mail.dkim_domain, &pem)
                        .map_err(|e| AppError::Config(format!("mail.dkim_key_file: {e}")))?,
                )
            }
            None => None,
        };
        let templates = MailTemplates::builtin()
            .map_err(|e| AppError::Config(format!("mail templates: {e}")))?;
        let worker = format!(
            "{}-{}",
            std::process::id(),
            crate::auth::random_token()?
                .chars()
                .take(8)
                .collect::<String>()
        );
        Ok(Mailer {
            transport,
            templates,
            dkim,
            worker,
        })
    }
}

/// Why one message could not go.
enum Failure {
    Temporary(String),
    Permanent(String),
}

impl App {
    fn mailer(&self) -> Result<&Mailer, AppError> {
        if let Some(mailer) = self.mailer.get() {
            return Ok(mailer);
        }
        let mailer = Mailer::from_config(&self.config)?;
        Ok(self.mailer.get_or_init(|| mailer))
    }

    /// Sends the messages that are due. Returns how many were handled.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let mailer = self.mailer()?;
        let lease_until = OffsetDateTime::now_utc() + LEASE;
        let claimed = self
            .store()
            .claim_outbox(&mailer.worker, BATCH, lease_until)
            .await?;
        let count = claimed.len();
        // As many in flight as the relay takes connections.
        let parallel = match &mailer.transport {
            Transport::Smtp(_) => self.config.mail.smtp_connections as usize,
            Transport::File(_) => 4,
        };
        let round = Round::default();
        futures_util::stream::iter(claimed)
            .for_each_concurrent(parallel, |row| self.send_one(mailer, row, &round))
            .await;
        // Deliveries are recorded together: one write for the round rather
        // than one per message. A crash before it leaves them claimed, and
        // they are sent again when the lease ends, as before (at least once,
        // with the same Message-ID).
        let sent = round.take_sent();
        if let Err(e) = self.store().finish_outbox_sent(&sent, &mailer.worker).await {
            tracing::error!(messages = sent.len(), error = %e, "could not record deliveries; they will be sent again when the claim ends");
        }
        Ok(count)
    }

    /// The files a message carries: a circular's documents when they
    /// travel attached (its data says `attached` and lists them by id).
    async fn attachments_of(
        &self,
        row: &OutboxRow,
        round: &Round,
    ) -> Result<Vec<Attachment>, Failure> {
        if row.template.as_deref() != Some("circular") {
            return Ok(Vec::new());
        }
        let data: serde_json::Value = row
            .data
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or(serde_json::Value::Null);
        if data["attached"] != serde_json::Value::Bool(true) {
            return Ok(Vec::new());
        }
        let ids: Vec<i32> = data["attachments"]
            .as_array()
            .map(|files| {
                files
                    .iter()
                    .filter_map(|f| f["id"].as_i64())
                    .filter_map(|id| i32::try_from(id).ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(ids.len());
        let mut files = round.files.lock().await;
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = files.entry(id) {
                slot.insert(self.load_attachment(row.site_id, id).await);
            }
            match files.get(&id) {
                Some(Ok(file)) => out.push(file.clone()),
                // A document that cannot be read now (storage down) is
                // tried again later with the message, never left out.
                Some(Err(e)) => return Err(Failure::Temporary(e.clone())),
                None => {}
            }
        }
        Ok(out)
    }

    async fn load_attachment(&self, site_id: Option<i32>, id: i32) -> Result<Attachment, String> {
        let site_id =
            site_id.ok_or_else(|| format!("attachment #{id}: the message has no site"))?;
        let media = self
            .store()
            .media_of_site(site_id, &[id])
            .await
            .map_err(|e| format!("attachment #{id}: {e}"))?
            .into_iter()
            .find(|m| !m.stored_name.is_empty())
            .ok_or_else(|| format!("attachment #{id} is no longer in the library"))?;
        let bytes = self
            .storage()
            .get(&media.stored_name)
            .await
            .map_err(|e| format!("attachment #{id}: {e}"))?;
        Ok(Attachment {
            name: media.original_name,
            content_type: media.mime,
            bytes: Arc::new(bytes),
        })
    }

    async fn send_one(&self, mailer: &Mailer, row: OutboxRow, round: &Round) {
        let outcome = match self
            .attachments_of(&row, round)
            .await
            .and_then(|files| self.compose(mailer, &row, round, files))
        {
            Ok(email) => match mailer.transport.send(&email).await {
                Ok(()) => Ok(()),
                Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
                Err(e) => Err(Failure::Temporary(e.to_string())),
            },
            Err(failure) => Err(failure),
        };
        let attempts = u32::try_from(row.attempts).unwrap_or(0) + 1;
        let delivery = match outcome {
            Ok(()) => {
                round.sent(row.id);
                return;
            }
            Err(Failure::Permanent(error)) => Delivery::Failed { error },
            Err(Failure::Temporary(error)) => match retry_wait(&RetryPolicy::MAIL, attempts) {
                Some(wait) => Delivery::Retry {
                    at: OffsetDateTime::now_utc() + wait,
                    error,
                },
                None => Delivery::Failed {
                    error: format!("gave up after {attempts} attempts: {error}"),
                },
            },
        };
        if let Delivery::Failed { error } | Delivery::Retry { error, .. } = &delivery {
            tracing::warn!(message = row.id, to = %row.to_address, %error, "mail not delivered");
        }
        if let Err(e) = self
            .store()
            .finish_outbox(row.id, &mailer.worker, delivery)
            .await
        {
            tracing::error!(message = row.id, error = %e, "could not record a delivery; it will be retried when the claim ends");
        }
    }

    /// The message of a row: rendered from its template now, or as stored.
    fn compose(
        &self,
        mailer: &Mailer,
        row: &OutboxRow,
        round: &Round,
        attachments: Vec<Attachment>,
    ) -> Result<Email, Failure> {
        let (subject, text, html) = match &row.template {
            Some(template) => {
                let lang = if row.lang.as_deref() == Some("fr") {
                    Lang::Fr
                } else {
                    Lang::Ar
                };
                // A notice to thousands renders once per round: the same
                // template, language, site and data make the same mail.
                let key = (
                    template.clone(),
                    row.lang.clone(),
                    row.site_id,
                    row.data.clone(),
                );
                let rendered = round
                    .rendered(key, || {
                        let data: serde_json::Value = row
                            .data
                            .as_deref()
                            .and_then(|d| serde_json::from_str(d).ok())
                            .unwrap_or(serde_json::Value::Null);
                        let site = self.site_style(row.site_id, lang);
                        mailer
                            .templates
                            .render(template, lang, &site, &data)
                            .map_err(|e| e.to_string())
                    })
                    // A template that fails is a bug to fix, not a reason
                    // to lose the message: it waits and is tried again.
                    .map_err(|e| Failure::Temporary(format!("template: {e}")))?;
                (rendered.subject, rendered.text, Some(rendered.html))
            }
            None => (
                tawasul_mail::one_line(&row.subject),
                row.body_text.clone(),
                row.body_html.clone(),
            ),
        };
        let spec = MessageSpec {
            from_name: self.config.mail.from_name.clone(),
            from_address: self.config.mail.from_address.clone(),
            to_name: String::new(),
            to_address: row.to_address.clone(),
            reply_to: None,
            subject,
            text,
            html,
            unsubscribe: crate::newsletter::list_unsubscribe(row),
            idempotency_key: row.idempotency_key.clone(),
            attachments,
        };
        spec.build(mailer.dkim.as_ref())
            .map_err(|e| Failure::Permanent(format!("message: {e}")))
    }

    fn site_style(&self, site_id: Option<i32>, lang: Lang) -> SiteStyle {
        let network = self.network();
        let site = site_id.and_then(|id| network.site(id));
        let colors = site
            .map(|s| self.with_renderer(|r| r.colors(&s.theme).clone()))
            .unwrap_or_default();
        SiteStyle {
            name: site.map_or_else(
                || "Tawasul · تواصل".to_owned(),
                |s| {
                    s.name(if lang == Lang::Fr {
                        tawasul_domain::Locale::Fr
                    } else {
                        tawasul_domain::Locale::Ar
                    })
                    .to_owned()
                },
            ),
            url: site.map_or_else(String::new, |s| {
                format!("{}/{}/", self.public_base_url(), s.slug)
            }),
            primary: colors.get("primary").cloned().unwrap_or_default(),
            accent: colors.get("accent").cloned().unwrap_or_default(),
        }
    }

    /// Runs until the task is dropped: a round every second, at once again
    /// while there is a backlog; the digests' jobs every minute.
    pub async fn deliver_mail(self: Arc<Self>) {
        let mut jobs_ran: Option<std::time::Instant> = None;
        loop {
            if jobs_ran.is_none_or(|at| at.elapsed() >= crate::digest::JOBS_EVERY) {
                self.run_digest_jobs().await;
                jobs_ran = Some(std::time::Instant::now());
            }
            match self.deliver_due().await {
                Ok(n) if n as u64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail delivery round failed"),
            }
            tokio::time::sleep(StdDuration::from_secs(1)).await;
        }
    }
}

//! Each site's public newsletter: a subscription form (double opt-in, rate
//! limited, answering the same whatever the address's state), a one-time
//! confirmation link, one-click unsubscription (RFC 8058), and a weekly
//! digest of what the site published, to its confirmed subscribers, made
//! once per site and week whatever the number of servers.
//!
//! Links in mails are built from `server.public_url` and the site's slug,
//! never from a request's Host header (anyone can forge it).

use serde_json::json;
use tawasul_domain::digest::DigestClock;
use tawasul_domain::newsletter::{
    self as rules, digest_selection, normalize_email, on_subscribe, DigestCandidate, Known,
    SubscribeStep, SubscriberStatus,
};
use tawasul_domain::{retry_after, EntryKind, Locale};
use tawasul_mail::Unsubscribe;
use tawasul_store::{IssueMail, NewIssue, NewMail, OutboxRow, SubscriberRow};
use time::{Duration, OffsetDateTime};

use crate::auth::{random_token, token_hash};
use crate::network::Site;
use crate::public::routes::Paths;
use crate::{App, AppError};

/// How long after its time a week's issue may still be made (a server that
/// was down); later, that week's news wait for the next issue.
const NEWSLETTER_GRACE: Duration = Duration::days(1);

/// Where a one-click unsubscription came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsubscribed {
    /// The subscription of this address on this site has ended (now or before).
    Done { site_id: i32, email: String },
    /// No mail ever carried this link.
    UnknownLink,
}

fn lang_code(locale: Locale) -> &'static str {
    if locale == Locale::Fr {
        "fr"
    } else {
        "ar"
    }
}

/// The RFC 8058 headers of a newsletter mail, from the links its data
/// carries. One-click unsubscription needs `https`: over plain `http` (a
/// demo without TLS) the header is left out and the link in the body stays.
pub(crate) fn list_unsubscribe(row: &OutboxRow) -> Option<Unsubscribe> {
    if !row.kind.starts_with("newsletter") {
        return None;
    }
    let data: serde_json::Value = serde_json::from_str(row.data.as_deref()?).ok()?;
    let url = data["unsubscribe_url"]
        .as_str()
        .filter(|u| u.starts_with("https://"))?;
    let mailto = data["unsubscribe_mailto"]
        .as_str()
        .filter(|m| m.starts_with("mailto:"));
    Some(Unsubscribe {
        url: url.to_owned(),
        mailto: mailto.map(str::to_owned),
    })
}

fn known(row: &SubscriberRow) -> Option<Known> {
    let status = row.status.parse::<SubscriberStatus>().ok()?;
    Some(Known {
        status,
        confirmation_sent_at: row.confirm_sent_at,
    })
}

impl App {
    /// The public address of a newsletter page of a site, in a language:
    /// `https://…/dp-rabat/fr/newsletter/confirm?t=…`.
    pub fn newsletter_url(&self, site: &Site, lang: Locale, page: &str, token: &str) -> String {
        let prefix = Paths { site }.locale_prefix(lang);
        format!(
            "{}/{}{prefix}/newsletter/{page}?t={token}",
            self.public_base_url(),
            site.slug
        )
    }

    /// The `mailto:` of the `List-Unsubscribe` header for a token.
    fn unsubscribe_mailto(&self, token: &str) -> String {
        let mail = &self.config.mail;
        let mailbox = if mail.unsubscribe_mailbox.is_empty() {
            &mail.from_address
        } else {
            &mail.unsubscribe_mailbox
        };
        format!("mailto:{mailbox}?subject=unsubscribe%20{token}")
    }

    /// A subscription request from a site's public form. Rate limited per
    /// client address and per e-mail address (`Throttled`); an address
    /// that is not one is `Invalid` (`email`). Otherwise it answers `Ok`
    /// whatever happened: a new address gets a confirmation link, a
    /// pending one a new link (not more often than every few minutes), a
    /// subscribed one nothing.
    pub async fn subscribe(
        &self,
        site_id: i32,
        raw_email: &str,
        lang: Locale,
        client: &str,
    ) -> Result<(), AppError> {
        let email = normalize_email(raw_email)?;
        let network = self.network();
        let site = network
            .site(site_id)
            .ok_or_else(|| AppError::NotFound(format!("site #{site_id}")))?;
        let now = OffsetDateTime::now_utc();
        let keys = [
            (format!("client:{client}"), rules::PER_CLIENT),
            (format!("address:{email}"), rules::PER_ADDRESS),
        ];
        let mut wait: Option<Duration> = None;
        for (key, policy) in &keys {
            let asked = self
                .store()
                .newsletter_attempts(key, now - policy.lookback())
                .await?;
            if let Some(after) = retry_after(policy, &asked, now) {
                wait = Some(wait.map_or(after, |w| w.max(after)));
            }
        }
        if let Some(after) = wait {
            return Err(AppError::Throttled {
                retry_after_seconds: after.whole_seconds().max(1).unsigned_abs(),
            });
        }
        let keys: Vec<String> = keys.into_iter().map(|(key, _)| key).collect();
        self.store().record_newsletter_attempt(&keys, now).await?;

        let existing = self.store().subscriber(site_id, &email).await?;
        let step = on_subscribe(existing.as_ref().and_then(known), now);
        if step == SubscribeStep::Nothing {
            return Ok(());
        }
        let confirm = random_token()?;
        let unsubscribe = random_token()?;
        let lang_code = lang_code(lang);
        let mail = NewMail {
            kind: "newsletter_confirm".to_owned(),
            site_id: Some(site_id),
            to: email.clone(),
            subject: String::new(),
            body_text: String::new(),
            body_html: None,
            idempotency_key: format!("newsletter-confirm:{}", &token_hash(&confirm)[..32]),
            template: Some("confirm".to_owned()),
            data: Some(
                json!({
                    "confirm_url": self.newsletter_url(site, lang, "confirm", &confirm),
                    "unsubscribe_url": self.newsletter_url(site, lang, "unsubscribe", &unsubscribe),
                    "unsubscribe_mailto": self.unsubscribe_mailto(&unsubscribe),
                })
                .to_string(),
            ),
            lang: Some(lang_code.to_owned()),
        };
        let queued = match (step, existing) {
            (SubscribeStep::Create, _) | (_, None) => {
                self.store()
                    .add_subscriber(
                        site_id,
                        &email,
                        lang_code,
                        &token_hash(&confirm),
                        &token_hash(&unsubscribe),
                        mail,
                    )
                    .await?
            }
            (_, Some(row)) => {
                self.store()
                    .renew_confirmation(
                        row.id,
                        lang_code,
                        &token_hash(&confirm),
                        &token_hash(&unsubscribe),
                        now - rules::RESEND_AFTER,
                        mail,
                    )
                    .await?
            }
        };
        if queued {
            tracing::info!(site = %site.slug, "newsletter confirmation queued");
        }
        Ok(())
    }

    /// The pending subscription a confirmation link names, while the link
    /// works (once, for a week).
    pub async fn newsletter_confirmation(
        &self,
        token: &str,
    ) -> Result<Option<SubscriberRow>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let row = self
            .store()
            .subscriber_by_confirmation(&token_hash(token))
            .await?;
        Ok(row.filter(|r| rules::confirmation_valid(r.confirm_sent_at, OffsetDateTime::now_utc())))
    }

    /// Follows a confirmation link: the address is subscribed. `None`: the
    /// link is unknown, used or expired.
    pub async fn confirm_newsletter(&self, token: &str) -> Result<Option<SubscriberRow>, AppError> {
        let Some(row) = self.newsletter_confirmation(token).await? else {
            return Ok(None);
        };
        if !self
            .store()
            .confirm_subscriber(&row, &token_hash(token))
            .await?
        {
            return Ok(None);
        }
        tracing::info!(site = row.site_id, "newsletter subscription confirmed");
        Ok(Some(row))
    }

    /// Whom an unsubscribe link names (to show the page with its button).
    pub async fn newsletter_subscriber_of(
        &self,
        token: &str,
    ) -> Result<Option<SubscriberRow>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        Ok(self
            .store()
            .subscriber_by_unsubscribe_token(&token_hash(token))
            .await?)
    }

    /// Follows an unsubscribe link (RFC 8058 one-click, or the page's
    /// button): no sign-in, no further question. Doing it twice is fine.
    pub async fn unsubscribe_newsletter(&self, token: &str) -> Result<Unsubscribed, AppError> {
        let Some(row) = self.newsletter_subscriber_of(token).await? else {
            return Ok(Unsubscribed::UnknownLink);
        };
        if self.store().unsubscribe(row.id).await? {
            tracing::info!(site = row.site_id, "newsletter subscription ended");
        }
        Ok(Unsubscribed::Done {
            site_id: row.site_id,
            email: row.email,
        })
    }

    /// When weekly issues go out: `mail.newsletter_day` (Monday when
    /// `off`, for a caller that makes issues itself) at
    /// `mail.newsletter_hour`, site time.
    fn newsletter_schedule(&self) -> (DigestClock, time::Weekday) {
        let mail = &self.config.mail;
        let day = tawasul_domain::digest::parse_weekday(&mail.newsletter_day)
            .unwrap_or(time::Weekday::Monday);
        (self.clock(mail.newsletter_hour), day)
    }

    /// The first time weekly issues are due after `after`.
    pub fn next_newsletter_time(&self, after: OffsetDateTime) -> OffsetDateTime {
        let (clock, day) = self.newsletter_schedule();
        clock.next_weekly(day, after)
    }

    /// Makes the weekly issues due at `now` (on the newsletter's day, within
    /// a day of its hour): for each site with confirmed subscribers and no
    /// issue yet this week, what it published since its last issue.
    /// Returns how many mails were queued here.
    pub async fn send_newsletters(&self, now: OffsetDateTime) -> Result<usize, AppError> {
        let (clock, day) = self.newsletter_schedule();
        let Some(moment) = clock.weekly_due(day, now, NEWSLETTER_GRACE) else {
            return Ok(0);
        };
        let period = clock.week_name(moment);
        let mut queued = 0;
        for site_id in self.store().sites_due_for_newsletter(&period).await? {
            match self.issue_newsletter(site_id, &period, moment).await {
                Ok(n) => queued += n,
                Err(e) => {
                    tracing::warn!(site = site_id, %period, error = %e, "weekly newsletter not made; tried again later")
                }
            }
        }
        Ok(queued)
    }

    /// One site's issue of a week. It covers what was published since the
    /// previous issue was made (the last week, for a first one) up to now,
    /// by the clock of this server: issues follow each other with no gap
    /// and no overlap even when one is made late.
    async fn issue_newsletter(
        &self,
        site_id: i32,
        period: &str,
        moment: OffsetDateTime,
    ) -> Result<usize, AppError> {
        let network = self.network();
        let Some(site) = network.site(site_id) else {
            return Ok(0);
        };
        let made_at = OffsetDateTime::now_utc();
        let since = match self.store().last_newsletter_issue(site_id).await? {
            Some(last) => last.made_at,
            None => made_at - Duration::weeks(1),
        };
        let entries = self
            .store()
            .published_for_digest(site_id, since, made_at)
            .await?;
        let subscribers = self.store().confirmed_subscribers(site_id).await?;
        let candidates: Vec<DigestCandidate<'_>> = entries
            .iter()
            .map(|e| DigestCandidate {
                locale: &e.locale,
                translation_key: e.translation_key.as_deref(),
            })
            .collect();
        let base = self.public_base_url();
        let offset = self.clock(self.config.mail.newsletter_hour).offset;
        let mut mails = Vec::new();
        for subscriber in &subscribers {
            let picked = digest_selection(&subscriber.lang, &candidates);
            if picked.is_empty() {
                continue;
            }
            let locale: Locale = subscriber.lang.parse().unwrap_or(site.default_locale);
            let strings = self.with_renderer(|r| r.strings(&site.theme, locale).clone());
            let day = |at: OffsetDateTime| {
                tawasul_render::format_date(&strings, at.to_offset(offset).date())
            };
            let listed: Vec<serde_json::Value> = picked
                .iter()
                .map(|&i| {
                    let e = &entries[i];
                    let kind: EntryKind = e.kind.parse().unwrap_or(EntryKind::News);
                    json!({
                        "title": e.title,
                        "summary": e.summary,
                        "link": format!("{base}/{}{}", site.slug, Paths::entry(kind, e.id, &e.slug)),
                        "date": e.published_at.map(day).unwrap_or_default(),
                    })
                })
                .collect();
            let token = random_token()?;
            let data = json!({
                "period": day(moment),
                "entries": listed,
                "unsubscribe_url": self.newsletter_url(site, locale, "unsubscribe", &token),
                "unsubscribe_mailto": self.unsubscribe_mailto(&token),
            });
            mails.push(IssueMail {
                subscriber_id: subscriber.id,
                token_hash: token_hash(&token),
                mail: NewMail {
                    kind: "newsletter".to_owned(),
                    site_id: Some(site_id),
                    to: subscriber.email.clone(),
                    subject: String::new(),
                    body_text: String::new(),
                    body_html: None,
                    idempotency_key: format!("newsletter:{site_id}:{period}:{}", subscriber.id),
                    template: Some("digest".to_owned()),
                    data: Some(data.to_string()),
                    lang: Some(subscriber.lang.clone()),
                },
            });
        }
        let issue = NewIssue {
            site_id,
            period: period.to_owned(),
            since: Some(since),
            made_at,
            entries: i32::try_from(entries.len()).unwrap_or(i32::MAX),
        };
        if !self.store().issue_newsletter(&issue, &mails).await? {
            return Ok(0);
        }
        tracing::info!(site = %site.slug, %period, entries = entries.len(), mails = mails.len(), "weekly newsletter made");
        Ok(mails.len())
    }

    /// Forgets subscription requests too old to count (the background
    /// worker calls this now and then).
    pub async fn prune_newsletter_attempts(&self) -> Result<(), AppError> {
        let oldest = rules::PER_CLIENT
            .lookback()
            .max(rules::PER_ADDRESS.lookback());
        self.store()
            .prune_newsletter_attempts(OffsetDateTime::now_utc() - oldest)
            .await?;
        Ok(())
    }
}

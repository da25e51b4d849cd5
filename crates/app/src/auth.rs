//! Signing in and staying signed in: sessions in the database (any web
//! node serves any user), login throttling per account and per address,
//! password change and reset by a one-time link, API tokens. Secrets are
//! random 256-bit tokens; only their SHA-256 is stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tawasul_domain::{
    may_create_token, retry_after, AuditAction, Credential, DomainError, ThrottlePolicy,
};
use tawasul_store::{ApiTokenRow, NewMail, NewSession, UserRow};
use time::{Duration, OffsetDateTime};

use crate::access::{SessionInfo, Viewer};
use crate::audit::AuditEntry;
use crate::import::network_file::MIN_PASSWORD_CHARS;
use crate::two_factor::SecondFactor;
use crate::{password, App, AppError};

/// A session's last use is written at most this often (a write per
/// request would make every page view a database write).
const TOUCH_EVERY: Duration = Duration::minutes(1);
/// Tokens shown to people start with this, so a leaked one is recognisable.
const API_TOKEN_PREFIX: &str = "tws_";
const MAX_PASSWORD_CHARS: usize = 1024;

/// A new session: the cookie value (shown once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: String,
    pub csrf: String,
    pub user: UserRow,
    pub max_age: Duration,
}

/// What a right password leads to.
#[derive(Debug, Clone)]
pub enum SignIn {
    // Boxed: a session is large, and the other answer small.
    Session(Box<Login>),
    /// The account signs in with a code from its app too: the challenge
    /// goes back with the code to [`App::complete_login`].
    CodeNeeded {
        challenge: String,
    },
}

/// What became of the second step of a sign-in.
#[derive(Debug, Clone)]
pub enum SecondStep {
    SignedIn(Box<Login>),
    /// Not the code: the person may try again, this many times.
    WrongCode {
        attempts_left: u32,
    },
    /// The challenge is unknown, used, too old or out of attempts: sign in
    /// with the password again.
    Expired,
}

/// How long the second step of a sign-in waits for its code.
const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Codes tried on one challenge before the password is asked again.
const CHALLENGE_ATTEMPTS: i32 = 5;

/// The API token a request came with: what a token made with it may not
/// outlive.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i32,
    pub expires_at: Option<OffsetDateTime>,
}

impl Viewer {
    fn with_token(mut self, token: TokenInfo) -> Self {
        self.token = Some(token);
        self
    }

    /// What the request proved who it is with; the command line, which has
    /// neither a session nor a token, counts as a session.
    pub fn credential(&self) -> Credential {
        match &self.token {
            Some(token) => Credential::Token {
                expires_at: token.expires_at,
            },
            None => Credential::Session,
        }
    }
}

/// A new API token: the secret is shown once and never again.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub secret: String,
    pub row: ApiTokenRow,
}

/// Why a mail with a link that sets a password is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordLink {
    /// A new account's first password.
    Invitation,
    /// Asked for on the forgotten-password form.
    Reset,
    /// Sent by a platform admin from the person's page.
    ResetByAdmin,
}

impl PasswordLink {
    /// The outbox's kind of the mail (the delivery log names it).
    fn kind(self) -> &'static str {
        match self {
            PasswordLink::Invitation => "invitation",
            PasswordLink::Reset | PasswordLink::ResetByAdmin => "password_reset",
        }
    }
}

/// A random secret: 32 bytes, URL-safe base64.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| AppError::Config(format!("the system has no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a secret.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn check_new_password(password: &str, confirm: Option<&str>) -> Result<(), DomainError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(DomainError::field(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(DomainError::field(
            "password",
            format!("use at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if confirm.is_some_and(|c| c != password) {
        return Err(DomainError::field(
            "password_confirm",
            "the two passwords differ",
        ));
    }
    Ok(())
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Reset-link requests are counted under keys of their own, apart from
/// failed logins: per account (by id, which outlives a changed address)
/// and per client address.
fn reset_account_key(user_id: i32) -> String {
    format!("reset:account:{user_id}")
}

fn reset_client_key(client: &str) -> String {
    format!("reset:client:{client}")
}

/// Why a token may not have the expiry asked for, with what it may have.
fn token_outlives_its_maker(maker_expires_at: Option<OffsetDateTime>) -> DomainError {
    let message = match maker_expires_at.map(|at| (at - OffsetDateTime::now_utc()).whole_days()) {
        Some(days) if days >= 1 => format!(
            "the token this request came with expires in {days} days: a token made with it must expire too, within {days} days at most"
        ),
        _ => "the token this request came with expires within a day: sign in to make a new token"
            .to_owned(),
    };
    DomainError::field("expires_days", message)
}

impl App {
    /// Checks the credentials and opens a session, or, for an account with
    /// two-factor sign-in, a challenge that waits for the code
    /// ([`App::complete_login`]). Failures are counted per account and per
    /// address; past the limit the answer is `Throttled` without even
    /// checking the password.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: &str,
        user_agent: &str,
    ) -> Result<SignIn, AppError> {
        let email = email.trim().to_lowercase();
        let store = self.store();
        let now = OffsetDateTime::now_utc();
        let mut wait = None;
        for (key, policy) in [
            (account_key(&email), ThrottlePolicy::PER_ACCOUNT),
            (address_key(address), ThrottlePolicy::PER_ADDRESS),
        ] {
            let failures = store.login_failures(&key, now - policy.lookback()).await?;
            if let Some(after) = retry_after(&policy, &failures, now) {
                wait = Some(wait.map_or(after, |w: Duration| w.max(after)));
            }
        }
        if let Some(after) = wait {
            return Err(AppError::Throttled {
                retry_after_seconds: after.whole_seconds().max(1).unsigned_abs(),
            });
        }
        let user = store.user_by_email(&email).await?;
        let known = user.as_ref().map(|u| u.id);
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let candidate = password.to_owned();
        // Argon2 takes tens of milliseconds of CPU: off the async workers.
        // An unknown account is checked against a dummy hash all the same,
        // so timing does not tell which addresses have accounts.
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(hash) => password::verify(&candidate, &hash),
            None => {
                password::verify(&candidate, password::dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false);
        let Some(user) = user.filter(|_| ok) else {
            store
                .record_login_failure(&account_key(&email), now)
                .await?;
            store
                .record_login_failure(&address_key(address), now)
                .await?;
            self.audit(AuditEntry {
                subject: known,
                target: &email,
                detail: address,
                ..AuditEntry::new(AuditAction::LoginFailed, None)
            })
            .await?;
            return Err(AppError::Unauthorized(
                "wrong e-mail address or password".into(),
            ));
        };
        if user.disabled_at.is_some() {
            // Said only to whoever knows the password: to anyone else a
            // disabled account answers as any wrong password does.
            self.audit(AuditEntry {
                subject: Some(user.id),
                target: &user.email,
                detail: address,
                ..AuditEntry::new(AuditAction::LoginRefused, None)
            })
            .await?;
            return Err(AppError::AccountDisabled);
        }
        store.clear_login_failures(&account_key(&email)).await?;
        if user.totp_secret.is_some() {
            // The password is right; the session waits for the code.
            let challenge = random_token()?;
            store
                .create_login_challenge(user.id, token_hash(&challenge), now + CHALLENGE_LIFETIME)
                .await?;
            return Ok(SignIn::CodeNeeded { challenge });
        }
        let login = self.open_session(user, address, user_agent, "").await?;
        Ok(SignIn::Session(Box::new(login)))
    }

    /// Opens a session for a person who proved who they are, and records
    /// the sign-in (`how`: with what, besides the password).
    async fn open_session(
        &self,
        user: UserRow,
        address: &str,
        user_agent: &str,
        how: &str,
    ) -> Result<Login, AppError> {
        let store = self.store();
        let now = OffsetDateTime::now_utc();
        let token = random_token()?;
        let csrf = random_token()?;
        let max_age = Duration::hours(i64::from(self.config.auth.session_absolute_hours));
        store
            .create_session(NewSession {
                token_hash: token_hash(&token),
                user_id: user.id,
                csrf_token: csrf.clone(),
                expires_at: now + max_age,
                user_agent: user_agent.chars().take(300).collect(),
                address: address.chars().take(64).collect(),
            })
            .await?;
        store.record_login(user.id, now).await?;
        let detail = if how.is_empty() {
            address.to_owned()
        } else {
            format!("{address} ({how})")
        };
        self.audit(AuditEntry {
            subject: Some(user.id),
            target: &user.email,
            detail: &detail,
            ..AuditEntry::new(AuditAction::Login, Some(user.id))
        })
        .await?;
        Ok(Login {
            token,
            csrf,
            user,
            max_age,
        })
    }

    /// The second step of a sign-in: the code of the person's app, or one
    /// of their recovery codes, for the challenge the first step gave. A
    /// challenge lives a few minutes and takes a few codes; wrong codes
    /// count against the account as wrong passwords do.
    pub async fn complete_login(
        &self,
        challenge: &str,
        code: &str,
        address: &str,
        user_agent: &str,
    ) -> Result<SecondStep, AppError> {
        if challenge.is_empty() || challenge.len() > 100 {
            return Ok(SecondStep::Expired);
        }
        let store = self.store();
        let Some(row) = store.login_challenge(&token_hash(challenge)).await? else {
            return Ok(SecondStep::Expired);
        };
        let Some(user) = store.user(row.user_id).await? else {
            store.delete_login_challenge(row.id).await?;
            return Ok(SecondStep::Expired);
        };
        if user.disabled_at.is_some() {
            store.delete_login_challenge(row.id).await?;
            return Err(AppError::AccountDisabled);
        }
        let now = OffsetDateTime::now_utc();
        let key = account_key(&user.email);
        let policy = ThrottlePolicy::PER_ACCOUNT;
        let failures = store.login_failures(&key, now - policy.lookback()).await?;
        if let Some(after) = retry_after(&policy, &failures, now) {
            return Err(AppError::Throttled {
                retry_after_seconds: after.whole_seconds().max(1).unsigned_abs(),
            });
        }
        if !store
            .take_challenge_attempt(row.id, CHALLENGE_ATTEMPTS)
            .await?
        {
            store.delete_login_challenge(row.id).await?;
            return Ok(SecondStep::Expired);
        }
        let Some(factor) = self.check_second_factor(&user, code).await? else {
            store.record_login_failure(&key, now).await?;
            store
                .record_login_failure(&address_key(address), now)
                .await?;
            self.audit(AuditEntry {
                subject: Some(user.id),
                target: &user.email,
                detail: address,
                ..AuditEntry::new(AuditAction::LoginCodeFailed, None)
            })
            .await?;
            let attempts_left = u32::try_from(CHALLENGE_ATTEMPTS - row.attempts - 1).unwrap_or(0);
            if attempts_left == 0 {
                store.delete_login_challenge(row.id).await?;
                return Ok(SecondStep::Expired);
            }
            return Ok(SecondStep::WrongCode { attempts_left });
        };
        // One challenge opens one session, whichever node takes it first.
        if !store.delete_login_challenge(row.id).await? {
            return Ok(SecondStep::Expired);
        }
        store.clear_login_failures(&key).await?;
        let how = match factor {
            SecondFactor::App => "with a code from the app",
            SecondFactor::RecoveryCode => "with a recovery code",
        };
        if factor == SecondFactor::RecoveryCode {
            let left = store.recovery_codes_left(user.id).await?;
            self.audit(AuditEntry {
                subject: Some(user.id),
                target: &user.email,
                detail: &format!("{left} left"),
                ..AuditEntry::new(AuditAction::RecoveryCodeUsed, Some(user.id))
            })
            .await?;
        }
        let login = self.open_session(user, address, user_agent, how).await?;
        Ok(SecondStep::SignedIn(Box::new(login)))
    }

    /// The person behind a session cookie, if the session is alive: not
    /// past its absolute expiry and used within the idle time.
    pub async fn session_viewer(&self, token: &str) -> Result<Option<Viewer>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let store = self.store();
        let Some(session) = store.session_by_hash(&token_hash(token)).await? else {
            return Ok(None);
        };
        let now = OffsetDateTime::now_utc();
        let idle = Duration::minutes(i64::from(self.config.auth.session_idle_minutes));
        if session.expires_at <= now || session.last_seen_at + idle <= now {
            store.delete_session(session.id).await?;
            return Ok(None);
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            store.touch_session(session.id, now).await?;
        }
        let info = SessionInfo {
            id: session.id,
            csrf: session.csrf_token.clone(),
        };
        let Some(viewer) = self.viewer(session.user_id).await? else {
            // The account was disabled (or removed): its session ends here
            // too, whichever node it had signed in on.
            store.delete_session(session.id).await?;
            return Ok(None);
        };
        Ok(Some(viewer.with_session(info)))
    }

    /// The person behind an API token, if it is live.
    pub async fn bearer_viewer(&self, token: &str) -> Result<Option<Viewer>, AppError> {
        if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let store = self.store();
        let Some(row) = store.api_token_by_hash(&token_hash(token)).await? else {
            return Ok(None);
        };
        let now = OffsetDateTime::now_utc();
        if row.revoked_at.is_some() || row.expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        if row.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY) {
            store.touch_api_token(row.id, now).await?;
        }
        let token = TokenInfo {
            id: row.id,
            expires_at: row.expires_at,
        };
        Ok(self.viewer(row.user_id).await?.map(|v| v.with_token(token)))
    }

    pub async fn logout(&self, viewer: &Viewer) -> Result<(), AppError> {
        if let Some(session) = &viewer.session {
            self.store().delete_session(session.id).await?;
        }
        Ok(())
    }

    /// Ends every session of the user, on every device. Returns how many.
    pub async fn logout_everywhere(&self, viewer: &Viewer) -> Result<u64, AppError> {
        let ended = self.store().delete_sessions_of(viewer.user.id).await?;
        self.store()
            .audit(
                Some(viewer.user.id),
                "logout_everywhere",
                None,
                &viewer.user.email,
                &ended.to_string(),
            )
            .await?;
        Ok(ended)
    }

    pub async fn change_password(
        &self,
        viewer: &Viewer,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let hash = viewer.user.password_hash.clone().unwrap_or_default();
        let current = current.to_owned();
        let ok = tokio::task::spawn_blocking(move || password::verify(&current, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(DomainError::field("current", "this is not your current password").into());
        }
        check_new_password(new, Some(confirm))?;
        let new = new.to_owned();
        let hash = tokio::task::spawn_blocking(move || password::hash(&new))
            .await
            .map_err(|e| AppError::Password(e.to_string()))??;
        // Whoever else is signed in may be the reason for the change: every
        // other session ends, and the reset links still in a mailbox die.
        // The session that changed it stays (a token changing it keeps none).
        let keep = viewer.session.as_ref().map(|s| s.id);
        let ended = self
            .store()
            .set_password(viewer.user.id, hash, keep)
            .await?;
        self.store()
            .audit(
                Some(viewer.user.id),
                "password_change",
                None,
                &viewer.user.email,
                &format!("{ended} other sessions ended"),
            )
            .await?;
        Ok(())
    }

    /// Whether the person is told by e-mail of work waiting for them.
    pub async fn set_notifications(
        &self,
        viewer: &Viewer,
        immediate: bool,
    ) -> Result<(), AppError> {
        let value = if immediate { "immediate" } else { "none" };
        self.store().set_user_notify(viewer.user.id, value).await?;
        Ok(())
    }

    /// Mails a one-time link to set a new password, when the address has an
    /// account and neither it nor the `client` address asked too often
    /// (`ThrottlePolicy::RESET_PER_ACCOUNT`, `RESET_PER_CLIENT`). Answers the
    /// same in every case, so the form tells no one who has an account, nor
    /// whose account was asked for lately.
    pub async fn request_password_reset(&self, email: &str, client: &str) -> Result<(), AppError> {
        let email = email.trim().to_lowercase();
        let now = OffsetDateTime::now_utc();
        // Every request counts against its client, whatever address it
        // names, so that one client cannot mail many people either.
        let per_client = ThrottlePolicy::RESET_PER_CLIENT;
        if !self
            .take_attempt(&reset_client_key(client), &per_client, now)
            .await?
        {
            tracing::info!(
                client,
                "password reset not mailed: too many requests from this client"
            );
            return Ok(());
        }
        let Some(user) = self.store().user_by_email(&email).await? else {
            return Ok(());
        };
        if user.disabled_at.is_some() {
            tracing::info!(user = %user.email, "password reset not mailed: the account is disabled");
            return Ok(());
        }
        let per_account = ThrottlePolicy::RESET_PER_ACCOUNT;
        if !self
            .take_attempt(&reset_account_key(user.id), &per_account, now)
            .await?
        {
            tracing::info!(user = %user.email, "password reset not mailed: enough links were mailed to this account lately");
            return Ok(());
        }
        let minutes = i64::from(self.config.auth.reset_link_minutes);
        self.mail_password_link(&user, Duration::minutes(minutes), PasswordLink::Reset)
            .await
    }

    /// Whether one more attempt under `key` keeps within `policy`; it is
    /// recorded when it does, and only then, so asking again and again
    /// does not push the limit further away. Attempts are rows, so the
    /// limit holds across nodes.
    async fn take_attempt(
        &self,
        key: &str,
        policy: &ThrottlePolicy,
        now: OffsetDateTime,
    ) -> Result<bool, AppError> {
        let store = self.store();
        let since = now - policy.lookback();
        if retry_after(policy, &store.attempts(key, since, None).await?, now).is_some() {
            return Ok(false);
        }
        let id = store.record_attempt(key, now).await?;
        // Counted again once recorded: of requests racing on several nodes,
        // the one recorded n-th sees at least the n - 1 before it, so no
        // more than the limit go ahead.
        let others = store.attempts(key, since, Some(id)).await?;
        if retry_after(policy, &others, now).is_some() {
            store.forget_attempt(id).await?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Queues a mail with a link that sets the user's password.
    pub(crate) async fn mail_password_link(
        &self,
        user: &UserRow,
        valid_for: Duration,
        why: PasswordLink,
    ) -> Result<(), AppError> {
        let kind = why.kind();
        let token = random_token()?;
        let expires_at = OffsetDateTime::now_utc() + valid_for;
        self.store()
            .create_password_reset(user.id, token_hash(&token), expires_at)
            .await?;
        let link = format!(
            "{}/admin/password/reset?token={token}",
            self.public_base_url()
        );
        let hours = valid_for.whole_hours().max(1);
        let (subject, body) = match why {
            PasswordLink::Invitation => (
                "Tawasul · دعوة إلى منصة تواصل / Invitation à Tawasul".to_owned(),
                format!(
                    "السلام عليكم {name}،\n\nتمت دعوتك إلى منصة تواصل. لاختيار كلمة المرور، افتح هذا الرابط (صالح لمدة {hours} ساعة):\n{link}\n\nBonjour {name},\n\nVous êtes invité(e) sur Tawasul. Pour choisir votre mot de passe, ouvrez ce lien (valable {hours} h) :\n{link}\n",
                    name = user.name
                ),
            ),
            PasswordLink::ResetByAdmin => (
                "Tawasul · إعادة تعيين كلمة المرور / Réinitialisation du mot de passe".to_owned(),
                format!(
                    "السلام عليكم {name}،\n\nأرسل إليك مسؤول منصة تواصل هذا الرابط لتعيين كلمة مرور جديدة (صالح لمدة {hours} ساعة، ولمرة واحدة):\n{link}\n\nBonjour {name},\n\nUn administrateur de Tawasul vous envoie ce lien pour choisir un nouveau mot de passe (valable {hours} h, une seule fois) :\n{link}\n",
                    name = user.name
                ),
            ),
            PasswordLink::Reset => (
                "Tawasul · إعادة تعيين كلمة المرور / Réinitialisation du mot de passe".to_owned(),
                format!(
                    "السلام عليكم {name}،\n\nلتعيين كلمة مرور جديدة، افتح هذا الرابط (صالح لمدة {hours} ساعة، ولمرة واحدة):\n{link}\n\nإذا لم تطلب ذلك، تجاهل هذه الرسالة.\n\nBonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable {hours} h, une seule fois) :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message.\n",
                    name = user.name
                ),
            ),
        };
        self.store()
            .queue_mail(NewMail {
                kind: kind.to_owned(),
                site_id: None,
                to: user.email.clone(),
                subject,
                body_text: body,
                body_html: None,
                idempotency_key: format!("{kind}:{}", token_hash(&token)),
                template: None,
                data: None,
                lang: None,
            })
            .await?;
        tracing::info!(user = %user.email, kind, "password link queued in the mail outbox");
        Ok(())
    }

    /// Whether a reset link is live (for showing the form or an explanation).
    pub async fn password_reset_is_live(&self, token: &str) -> Result<bool, AppError> {
        Ok(self
            .store()
            .password_reset_user(&token_hash(token))
            .await?
            .is_some())
    }

    /// Sets a new password through a reset link; the link and every other
    /// link of the account are used up, every session of the account ends
    /// and every API token of it is revoked.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        check_new_password(new, Some(confirm))?;
        let new = new.to_owned();
        let hash = tokio::task::spawn_blocking(move || password::hash(&new))
            .await
            .map_err(|e| AppError::Password(e.to_string()))??;
        match self
            .store()
            .use_password_reset(&token_hash(token), hash)
            .await?
        {
            Some(user_id) => {
                self.audit(AuditEntry {
                    subject: Some(user_id),
                    ..AuditEntry::new(AuditAction::PasswordReset, Some(user_id))
                })
                .await?;
                Ok(())
            }
            None => Err(AppError::Invalid({
                let mut errors = tawasul_domain::FieldErrors::new();
                errors.add(
                    "token",
                    "this link is unknown, used or expired: ask for a new one",
                );
                errors
            })),
        }
    }

    /// Creates an API token for the viewer (for scripts and other
    /// information systems). A token made with a token ends no later than
    /// it (`tawasul_domain::may_create_token`): 422 `expires_days` otherwise.
    pub async fn create_api_token(
        &self,
        viewer: &Viewer,
        name: &str,
        expires_days: Option<u32>,
    ) -> Result<NewApiToken, AppError> {
        let user_id = viewer.user.id;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DomainError::field(
                "name",
                "name the token (up to 100 characters) after what will use it",
            )
            .into());
        }
        if expires_days.is_some_and(|d| d == 0 || d > 3650) {
            return Err(DomainError::field(
                "expires_days",
                "a token lives 1 to 3650 days (or without expiry)",
            )
            .into());
        }
        let secret = format!("{API_TOKEN_PREFIX}{}", random_token()?);
        let prefix: String = secret.chars().take(10).collect();
        let expires_at =
            expires_days.map(|d| OffsetDateTime::now_utc() + Duration::days(i64::from(d)));
        if !may_create_token(viewer.credential(), expires_at) {
            let maker = viewer.token.as_ref().and_then(|t| t.expires_at);
            return Err(token_outlives_its_maker(maker).into());
        }
        let row = self
            .store()
            .create_api_token(user_id, name, token_hash(&secret), prefix, expires_at)
            .await?;
        self.audit(AuditEntry {
            subject: Some(user_id),
            target: name,
            detail: &row.prefix,
            ..AuditEntry::new(AuditAction::TokenCreate, Some(user_id))
        })
        .await?;
        Ok(NewApiToken { secret, row })
    }

    pub async fn api_tokens(&self, viewer: &Viewer) -> Result<Vec<ApiTokenRow>, AppError> {
        Ok(self.store().api_tokens_of(viewer.user.id).await?)
    }

    pub async fn revoke_api_token(&self, viewer: &Viewer, token_id: i32) -> Result<(), AppError> {
        let user_id = viewer.user.id;
        let name = self
            .store()
            .api_tokens_of(user_id)
            .await?
            .into_iter()
            .find(|t| t.id == token_id)
            .map(|t| (t.name, t.prefix));
        if !self.store().revoke_api_token(user_id, token_id).await? {
            return Err(AppError::NotFound(format!("token #{token_id}")));
        }
        let (name, prefix) = name.unwrap_or_default();
        self.audit(AuditEntry {
            subject: Some(user_id),
            target: &name,
            detail: &prefix,
            ..AuditEntry::new(AuditAction::TokenRevoke, Some(user_id))
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_stored_as_hashes() {
        let a = random_token().expect("token");
        let b = random_token().expect("token");
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in unpadded base64");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn secrets_compare_only_equal_to_themselves() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn new_passwords_have_a_length_and_a_confirmation() {
        assert!(check_new_password("long enough password", Some("long enough password")).is_ok());
        assert!(check_new_password("short", None).is_err());
        assert!(check_new_password("long enough password", Some("another one entirely")).is_err());
        assert!(check_new_password(&"x".repeat(2000), None).is_err());
    }
}

//! Two-factor sign-in with an authenticator app (TOTP, `crate::totp`).
//! A person turns it on from their account page: a secret is shown (as
//! text and as an `otpauth://` address) and kept pending until a code
//! from the app confirms it; ten one-time recovery codes are then shown
//! once and stored hashed. From then on, signing in asks a code after the
//! password (`App::complete_login`). `[auth]
//! require_two_factor_for_platform_admins` makes it compulsory for
//! platform admins: one without it is led to set it up before anything
//! else, and may not turn it off.

use tawasul_domain::{AuditAction, DomainError, Operation};
use tawasul_store::UserRow;
use time::OffsetDateTime;

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::auth::token_hash;
use crate::totp;
use crate::{App, AppError};

/// How apps name the entry of the platform.
pub const ISSUER: &str = "Tawasul";
/// Recovery codes made at once.
pub const RECOVERY_CODES: usize = 10;

/// What proved the person, besides the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    App,
    RecoveryCode,
}

/// A secret shown for enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, in groups of four to type.
    pub secret: String,
    /// The `otpauth://` address apps enrol from.
    pub uri: String,
}

/// Where a person's two-factor sign-in stands.
#[derive(Debug, Clone)]
pub struct TwoFactor {
    pub enabled_at: Option<OffsetDateTime>,
    /// A secret shown and not yet confirmed.
    pub pending: Option<Enrolment>,
    pub recovery_codes_left: u64,
    /// The platform requires it of this person.
    pub required: bool,
}

/// A secret grouped by four, as people copy it.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn enrolment(user: &UserRow, secret: &str) -> Enrolment {
    Enrolment {
        secret: grouped(secret),
        uri: totp::otpauth_uri(ISSUER, &user.email, secret),
    }
}

/// A recovery code as typed: letters and digits only, lower case.
fn normalised(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Ten new recovery codes, shown once (`abcde-fghij`), and their hashes.
fn new_recovery_codes() -> Result<(Vec<String>, Vec<String>), AppError> {
    let mut shown = Vec::with_capacity(RECOVERY_CODES);
    let mut hashes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        // 50 random bits: ten base32 letters, too many to guess in the few
        // tries a sign-in allows.
        let mut bytes = [0u8; 7];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Config(format!("the system has no randomness: {e}")))?;
        let code: String = totp::base32_encode(&bytes)
            .to_ascii_lowercase()
            .chars()
            .take(10)
            .collect();
        hashes.push(token_hash(&code));
        shown.push(format!("{}-{}", &code[..5], &code[5..]));
    }
    Ok((shown, hashes))
}

fn wrong_code() -> AppError {
    DomainError::field(
        "code",
        "this is not the code your app shows now, nor one of your recovery codes",
    )
    .into()
}

impl App {
    /// Whether the platform requires two-factor sign-in of this person.
    pub fn two_factor_required(&self, user: &UserRow) -> bool {
        self.config.auth.require_two_factor_for_platform_admins && user.is_platform_admin
    }

    /// A session of someone the platform requires two-factor sign-in of,
    /// who has not set it up: they may only set it up (or sign out).
    pub fn must_set_up_two_factor(&self, viewer: &Viewer) -> bool {
        viewer.session.is_some()
            && self.two_factor_required(&viewer.user)
            && viewer.user.totp_secret.is_none()
    }

    /// Where the viewer's two-factor sign-in stands.
    pub async fn two_factor(&self, viewer: &Viewer) -> Result<TwoFactor, AppError> {
        let user = self.fresh_user(viewer).await?;
        Ok(TwoFactor {
            enabled_at: user.totp_enabled_at,
            pending: user
                .totp_pending_secret
                .as_deref()
                .filter(|_| user.totp_secret.is_none())
                .map(|secret| enrolment(&user, secret)),
            recovery_codes_left: self.store().recovery_codes_left(user.id).await?,
            required: self.two_factor_required(&user),
        })
    }

    /// The viewer's row as it is now (the viewer was read with the request,
    /// and a step of enrolment may have changed it since).
    async fn fresh_user(&self, viewer: &Viewer) -> Result<UserRow, AppError> {
        self.store()
            .user(viewer.user.id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user #{}", viewer.user.id)))
    }

    /// Makes a new secret for the viewer's app, kept until a code confirms
    /// it. Starting again replaces a secret not yet confirmed.
    pub async fn start_two_factor(&self, viewer: &Viewer) -> Result<Enrolment, AppError> {
        let user = self.fresh_user(viewer).await?;
        if user.totp_secret.is_some() {
            return Err(AppError::Conflict(
                "two-factor sign-in is on already: turn it off first to use another app".into(),
            ));
        }
        let mut bytes = [0u8; totp::SECRET_BYTES];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Config(format!("the system has no randomness: {e}")))?;
        let secret = totp::base32_encode(&bytes);
        self.store()
            .set_pending_totp(user.id, Some(&secret))
            .await?;
        Ok(enrolment(&user, &secret))
    }

    /// Turns two-factor sign-in on once a code of the app matches the
    /// pending secret; returns the recovery codes, shown this once.
    pub async fn confirm_two_factor(
        &self,
        viewer: &Viewer,
        code: &str,
    ) -> Result<Vec<String>, AppError> {
        let user = self.fresh_user(viewer).await?;
        let Some(secret) = user
            .totp_pending_secret
            .clone()
            .filter(|_| user.totp_secret.is_none())
        else {
            return Err(AppError::Conflict(
                "there is no secret waiting for a code: start again".into(),
            ));
        };
        let bytes = totp::base32_decode(&secret)
            .ok_or_else(|| AppError::Config(format!("user #{} has a damaged secret", user.id)))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some(step) = totp::matching_step(&bytes, code, now) else {
            return Err(DomainError::field(
                "code",
                "this is not the code your app shows now: check the phone's time, and type the six digits",
            )
            .into());
        };
        let (shown, hashes) = new_recovery_codes()?;
        if !self
            .store()
            .enable_totp(user.id, &secret, step, &hashes)
            .await?
        {
            return Err(AppError::Conflict(
                "the secret changed meanwhile (set up in another window?): start again".into(),
            ));
        }
        self.audit(AuditEntry {
            subject: Some(user.id),
            target: &user.email,
            ..AuditEntry::new(AuditAction::TwoFactorEnable, Some(user.id))
        })
        .await?;
        Ok(shown)
    }

    /// Whether `code` is the person's app's code now (used once) or one of
    /// their unused recovery codes (used up); which.
    pub(crate) async fn check_second_factor(
        &self,
        user: &UserRow,
        code: &str,
    ) -> Result<Option<SecondFactor>, AppError> {
        let Some(secret) = user.totp_secret.as_deref() else {
            return Ok(None);
        };
        let bytes = totp::base32_decode(secret)
            .ok_or_else(|| AppError::Config(format!("user #{} has a damaged secret", user.id)))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if let Some(step) = totp::matching_step(&bytes, code, now) {
            // A code works once: one seen (or one older) is refused.
            return Ok(self
                .store()
                .claim_totp_step(user.id, step)
                .await?
                .then_some(SecondFactor::App));
        }
        let typed = normalised(code);
        if typed.len() == 10
            && self
                .store()
                .use_recovery_code(user.id, &token_hash(&typed))
                .await?
        {
            return Ok(Some(SecondFactor::RecoveryCode));
        }
        Ok(None)
    }

    /// Turns the viewer's two-factor sign-in off, with a code (of the app
    /// or a recovery code) to show it is them; not when the platform
    /// requires it of them.
    pub async fn disable_two_factor(&self, viewer: &Viewer, code: &str) -> Result<(), AppError> {
        let user = self.fresh_user(viewer).await?;
        if self.two_factor_required(&user) {
            return Err(AppError::Forbidden(
                "the platform requires two-factor sign-in of its administrators".into(),
            ));
        }
        if user.totp_secret.is_none() {
            return Ok(());
        }
        if self.check_second_factor(&user, code).await?.is_none() {
            return Err(wrong_code());
        }
        self.store().disable_totp(user.id).await?;
        self.audit(AuditEntry {
            subject: Some(user.id),
            target: &user.email,
            ..AuditEntry::new(AuditAction::TwoFactorDisable, Some(user.id))
        })
        .await?;
        Ok(())
    }

    /// New recovery codes for the viewer in place of the old ones, with a
    /// code to show it is them; shown this once.
    pub async fn renew_recovery_codes(
        &self,
        viewer: &Viewer,
        code: &str,
    ) -> Result<Vec<String>, AppError> {
        let user = self.fresh_user(viewer).await?;
        if user.totp_secret.is_none() {
            return Err(AppError::Conflict("two-factor sign-in is off".into()));
        }
        if self.check_second_factor(&user, code).await?.is_none() {
            return Err(wrong_code());
        }
        let (shown, hashes) = new_recovery_codes()?;
        self.store()
            .replace_recovery_codes(user.id, &hashes)
            .await?;
        self.audit(AuditEntry {
            subject: Some(user.id),
            target: &user.email,
            ..AuditEntry::new(AuditAction::RecoveryCodesRenew, Some(user.id))
        })
        .await?;
        Ok(shown)
    }

    /// A platform admin turns someone's two-factor sign-in off (their phone
    /// and recovery codes lost): they sign in with their password and set
    /// it up again.
    pub async fn reset_two_factor(&self, viewer: &Viewer, id: i32) -> Result<(), AppError> {
        if !viewer.may(&self.network(), 0, Operation::ManageAccounts) {
            return Err(AppError::Forbidden(
                "the people of the platform are managed by platform administrators".into(),
            ));
        }
        let user = self
            .store()
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("person #{id}")))?;
        if user.totp_secret.is_none() {
            return Ok(());
        }
        self.store().disable_totp(id).await?;
        self.audit(AuditEntry {
            subject: Some(id),
            target: &user.email,
            ..AuditEntry::new(AuditAction::TwoFactorReset, Some(viewer.user.id))
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_and_read_however_typed() {
        let (shown, hashes) = new_recovery_codes().expect("codes");
        assert_eq!(shown.len(), RECOVERY_CODES);
        let mut unique = hashes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for (code, hash) in shown.iter().zip(&hashes) {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&token_hash(&normalised(code)), hash);
            assert_eq!(
                &token_hash(&normalised(&code.to_uppercase().replace('-', " "))),
                hash
            );
        }
    }

    #[test]
    fn a_secret_is_shown_in_groups_of_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEF"), "ABCD EF");
    }
}

//! What the audit log records: one name per kind of act, stored as its
//! code in `audit_log.action`. The admin shows each as a sentence in the
//! reader's language (`audit.sentence.<code>` in the admin's strings), so
//! every code here has a sentence there (a test of the render crate checks
//! both languages).

use std::fmt;
use std::str::FromStr;

use crate::DomainError;

macro_rules! audit_actions {
    ($($variant:ident => $code:literal, $doc:literal;)*) => {
        /// A kind of act the audit log records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AuditAction {
            $(#[doc = $doc] $variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The code stored in the log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $code,)*
                }
            }
        }
    };
}

audit_actions! {
    Login => "login", "Signed in.";
    LoginFailed => "login_failed", "A sign-in with a wrong address or password (the target is the address typed).";
    LoginRefused => "login_refused", "The right password for a disabled account.";
    LogoutEverywhere => "logout_everywhere", "Ended all of one's sessions.";
    PasswordChange => "password_change", "Changed one's password.";
    PasswordReset => "password_reset", "Set a new password through a mailed link.";
    ResetLinkSent => "reset_link_sent", "A platform admin had a reset link mailed to someone.";
    TokenCreate => "token_create", "Made an API token (the target is its name).";
    TokenRevoke => "token_revoke", "Revoked an API token (the target is its name).";
    MemberSet => "member_set", "Gave someone a role on a site (the detail is the role).";
    MemberRemove => "member_remove", "Took someone's role on a site away.";
    SiteCreate => "site_create", "Created a site.";
    SiteUpdate => "site_update", "Changed a site's settings.";
    SiteSettingsUpdate => "site_settings_update", "Changed a site's own settings from its settings screen (the detail names the fields).";
    MenuUpdate => "menu_update", "Changed a site's menu in one language (the target is the language).";
    MediaDelete => "media_delete", "Deleted an item of a site's library.";
    MediaConsentRecorded => "media_consent_recorded", "Recorded the consent for a photo of minors.";
    MediaConsentWithdrawn => "media_consent_withdrawn", "Withdrew the consent for a photo of minors.";
    AccountDisable => "account_disable", "Disabled an account.";
    AccountEnable => "account_enable", "Enabled an account again.";
    NoticeSent => "notice_sent", "Sent a notice to a directory's audiences.";
    CircularSent => "circular_sent", "Sent an internal circular.";
    CircularReminded => "circular_reminded", "Reminded a circular's recipients.";
    DirectoryImport => "directory_import", "Imported a directory file.";
    MailResend => "mail_resend", "Put a failed mail back in the queue.";
    TwoFactorEnable => "two_factor_enable", "Turned two-factor sign-in on.";
    TwoFactorDisable => "two_factor_disable", "Turned one's two-factor sign-in off.";
    TwoFactorReset => "two_factor_reset", "A platform admin turned someone's two-factor sign-in off.";
    RecoveryCodesRenew => "recovery_codes_renew", "Made new recovery codes.";
    RecoveryCodeUsed => "recovery_code_used", "Signed in with a recovery code.";
    LoginCodeFailed => "login_code_failed", "A wrong code at the second step of a sign-in.";
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|action| action.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "audit action",
                value: s.to_owned(),
                expected: "one of the codes of `AuditAction::ALL`",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_code_and_codes_fit_the_column() {
        let mut codes = std::collections::HashSet::new();
        for &action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
            assert!(codes.insert(action.as_str()), "{action} twice");
            // `audit_log.action` is 40 characters wide.
            assert!(action.as_str().len() <= 40, "{action}");
        }
        assert!("sudo".parse::<AuditAction>().is_err());
    }
}

//! The life of an account as the people screen shows it, and who may be
//! disabled. An account is disabled when its holder should no longer get
//! in (the communication officer who left in September): the rule that
//! keeps the platform manageable is that somebody can always still manage
//! it, so nobody disables themselves and the last enabled platform admin
//! stays enabled.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::DomainError;

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountState {
    /// Signs in and works.
    Active,
    /// Refused everywhere until a platform admin enables it again.
    Disabled,
    /// Was created (by an invitation, an import or the command line) and
    /// has never signed in.
    Invited,
}

impl AccountState {
    pub const ALL: [AccountState; 3] = [
        AccountState::Active,
        AccountState::Disabled,
        AccountState::Invited,
    ];

    /// The state of an account disabled at `disabled_at` (if ever) that
    /// last signed in at `last_login_at` (if ever). Disabled comes first:
    /// an invitation never taken up can be disabled too.
    pub fn of(
        disabled_at: Option<OffsetDateTime>,
        last_login_at: Option<OffsetDateTime>,
    ) -> AccountState {
        match (disabled_at, last_login_at) {
            (Some(_), _) => AccountState::Disabled,
            (None, None) => AccountState::Invited,
            (None, Some(_)) => AccountState::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Disabled => "disabled",
            AccountState::Invited => "invited",
        }
    }
}

impl fmt::Display for AccountState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountState {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "account state",
                value: s.to_owned(),
                expected: "active, disabled, invited",
            })
    }
}

/// Why an account may not be disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisableRefusal {
    /// Disabling one's own account would lock oneself out mid-sentence.
    Yourself,
    /// Nobody would be left to manage the platform (nor to enable it again).
    LastPlatformAdmin,
}

impl fmt::Display for DisableRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DisableRefusal::Yourself => "you cannot disable your own account",
            DisableRefusal::LastPlatformAdmin => {
                "this is the last enabled platform administrator: make another one first"
            }
        })
    }
}

/// The account a platform admin (or, with `actor` `None`, the operator at
/// the command line) means to disable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisableTarget {
    pub id: i32,
    pub platform_admin: bool,
    /// Enabled platform admins other than this account.
    pub other_platform_admins: u64,
}

/// Whether `actor` may disable `target` (see the module's rule). An
/// account already disabled may be "disabled" again: nothing changes.
pub fn may_disable(actor: Option<i32>, target: &DisableTarget) -> Result<(), DisableRefusal> {
    if actor == Some(target.id) {
        return Err(DisableRefusal::Yourself);
    }
    if target.platform_admin && target.other_platform_admins == 0 {
        return Err(DisableRefusal::LastPlatformAdmin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_account_is_disabled_invited_or_active() {
        let at = Some(datetime!(2026-09-01 08:00 UTC));
        let table = [
            (None, None, AccountState::Invited),
            (None, at, AccountState::Active),
            (at, None, AccountState::Disabled),
            (at, at, AccountState::Disabled),
        ];
        for (disabled, login, state) in table {
            assert_eq!(
                AccountState::of(disabled, login),
                state,
                "{disabled:?} {login:?}"
            );
            assert_eq!(state.as_str().parse::<AccountState>(), Ok(state));
        }
        assert!("locked".parse::<AccountState>().is_err());
    }

    #[test]
    fn nobody_disables_themselves_nor_the_last_platform_admin() {
        let person = |id, platform_admin, others| DisableTarget {
            id,
            platform_admin,
            other_platform_admins: others,
        };
        let table = [
            (
                "an editor, by an admin",
                Some(1),
                person(2, false, 0),
                Ok(()),
            ),
            (
                "an editor, from the command line",
                None,
                person(2, false, 0),
                Ok(()),
            ),
            (
                "oneself",
                Some(1),
                person(1, true, 3),
                Err(DisableRefusal::Yourself),
            ),
            (
                "another admin, one left",
                Some(1),
                person(2, true, 1),
                Ok(()),
            ),
            (
                "the last admin, by the command line",
                None,
                person(2, true, 0),
                Err(DisableRefusal::LastPlatformAdmin),
            ),
            (
                "the last enabled admin, by a disabled one's session",
                Some(1),
                person(2, true, 0),
                Err(DisableRefusal::LastPlatformAdmin),
            ),
        ];
        for (case, actor, target, expected) in table {
            assert_eq!(may_disable(actor, &target), expected, "{case}");
        }
    }
}

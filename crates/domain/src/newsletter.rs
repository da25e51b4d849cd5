//! The rules of a site's public newsletter: double opt-in, what a
//! subscription request does to an address in each state, how often one
//! client or one address may ask, which entries a subscriber's digest
//! lists. The answer to a request never depends on the state (so the form
//! tells no one who is subscribed); only what happens behind it does.

use time::{Duration, OffsetDateTime};

use crate::{DomainError, ThrottlePolicy};

/// Where an address stands with a site's newsletter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriberStatus {
    /// Asked, not yet confirmed: nothing but the confirmation is sent.
    Pending,
    Confirmed,
    Unsubscribed,
}

impl SubscriberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Pending => "pending",
            SubscriberStatus::Confirmed => "confirmed",
            SubscriberStatus::Unsubscribed => "unsubscribed",
        }
    }
}

impl std::str::FromStr for SubscriberStatus {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(SubscriberStatus::Pending),
            "confirmed" => Ok(SubscriberStatus::Confirmed),
            "unsubscribed" => Ok(SubscriberStatus::Unsubscribed),
            other => Err(DomainError::field(
                "status",
                format!("unknown subscriber status `{other}`"),
            )),
        }
    }
}

/// A confirmation link works this long.
pub const CONFIRM_VALID: Duration = Duration::days(7);
/// Asking again sooner than this sends no second confirmation: a form
/// submitted in a loop does not turn into a flood in someone's inbox.
pub const RESEND_AFTER: Duration = Duration::minutes(15);

/// Subscription requests from one client address: generous, because a
/// whole school may sit behind one address at a parents' meeting.
pub const PER_CLIENT: ThrottlePolicy = ThrottlePolicy {
    max_failures: 20,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// Subscription requests for one e-mail address, from anywhere.
pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// What is known of an address before a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub status: SubscriberStatus,
    /// When the last confirmation mail was queued.
    pub confirmation_sent_at: Option<OffsetDateTime>,
}

/// What a subscription request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeStep {
    /// A new address: record it as pending and send a confirmation.
    Create,
    /// Pending again (or still): a new confirmation link replaces the old.
    SendConfirmation,
    /// Nothing: already subscribed, or a confirmation went out moments ago.
    Nothing,
}

/// The step a request takes, given what is known of the address.
pub fn on_subscribe(known: Option<Known>, now: OffsetDateTime) -> SubscribeStep {
    let Some(known) = known else {
        return SubscribeStep::Create;
    };
    let sent_recently = known
        .confirmation_sent_at
        .is_some_and(|at| now - at < RESEND_AFTER);
    match known.status {
        SubscriberStatus::Confirmed => SubscribeStep::Nothing,
        SubscriberStatus::Pending | SubscriberStatus::Unsubscribed if sent_recently => {
            SubscribeStep::Nothing
        }
        SubscriberStatus::Pending | SubscriberStatus::Unsubscribed => {
            SubscribeStep::SendConfirmation
        }
    }
}

/// Whether a confirmation link sent at `sent_at` still works at `now`.
pub fn confirmation_valid(sent_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    sent_at.is_some_and(|at| now - at <= CONFIRM_VALID)
}

/// The address as it is kept: trimmed, lower case, plausible
/// (`someone@domain.tld`, no spaces or control characters, at most 254).
pub fn normalize_email(raw: &str) -> Result<String, DomainError> {
    let email = raw.trim().to_lowercase();
    let plausible = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !domain.contains("..")
        }
        None => false,
    };
    if !plausible
        || email.len() > 254
        || email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
    {
        return Err(DomainError::field(
            "email",
            "give an e-mail address such as name@example.ma",
        ));
    }
    Ok(email)
}

/// An entry a digest may list: its language and its translation group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestCandidate<'a> {
    pub locale: &'a str,
    pub translation_key: Option<&'a str>,
}

/// Which of `entries` (indexes, in their order) a reader of `lang` gets:
/// those in their language, and those in another language that have no
/// translation in theirs among the entries (a piece published only in
/// Arabic still reaches French readers, once).
pub fn digest_selection(lang: &str, entries: &[DigestCandidate<'_>]) -> Vec<usize> {
    let translated: Vec<&str> = entries
        .iter()
        .filter(|e| e.locale == lang)
        .filter_map(|e| e.translation_key)
        .collect();
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.locale == lang
                || e.translation_key
                    .is_none_or(|key| !translated.contains(&key))
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-02 10:00 UTC);

    fn known(status: SubscriberStatus, minutes_ago: Option<i64>) -> Option<Known> {
        Some(Known {
            status,
            confirmation_sent_at: minutes_ago.map(|m| NOW - Duration::minutes(m)),
        })
    }

    #[test]
    fn what_a_subscription_request_does_in_each_state() {
        use SubscribeStep::*;
        use SubscriberStatus::*;
        let table = [
            ("a new address", None, Create),
            (
                "pending, mailed a minute ago",
                known(Pending, Some(1)),
                Nothing,
            ),
            (
                "pending, mailed 14 minutes ago",
                known(Pending, Some(14)),
                Nothing,
            ),
            (
                "pending, mailed 15 minutes ago",
                known(Pending, Some(15)),
                SendConfirmation,
            ),
            (
                "pending, mailed yesterday",
                known(Pending, Some(1440)),
                SendConfirmation,
            ),
            (
                "pending, never mailed",
                known(Pending, None),
                SendConfirmation,
            ),
            ("confirmed", known(Confirmed, Some(1)), Nothing),
            (
                "confirmed long ago",
                known(Confirmed, Some(99_999)),
                Nothing,
            ),
            (
                "unsubscribed, asks again",
                known(Unsubscribed, Some(99_999)),
                SendConfirmation,
            ),
            (
                "unsubscribed, asked moments ago",
                known(Unsubscribed, Some(2)),
                Nothing,
            ),
        ];
        for (case, state, expected) in table {
            assert_eq!(on_subscribe(state, NOW), expected, "{case}");
        }
    }

    #[test]
    fn a_confirmation_link_works_for_a_week() {
        let sent = |days: i64| Some(NOW - Duration::days(days));
        assert!(confirmation_valid(sent(0), NOW));
        assert!(confirmation_valid(sent(7), NOW));
        assert!(!confirmation_valid(sent(8), NOW));
        assert!(!confirmation_valid(None, NOW));
    }

    #[test]
    fn addresses_are_kept_in_one_form_and_junk_is_refused() {
        assert_eq!(
            normalize_email("  Parent.Eleve@Example.MA ").unwrap(),
            "parent.eleve@example.ma"
        );
        for bad in [
            "",
            "parent",
            "@example.ma",
            "parent@",
            "parent@ma",
            "parent@.ma",
            "parent@example..ma",
            "a b@example.ma",
            "a@b@example.ma",
            "x@example.ma\r\nBcc: y@evil.test",
            "<x@example.ma>",
            "x@example.ma, y@example.ma",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.ma", "a".repeat(65));
        assert!(normalize_email(&long).is_err());
    }

    #[test]
    fn a_digest_lists_the_readers_language_and_what_has_no_translation() {
        let e = |locale, key| DigestCandidate {
            locale,
            translation_key: key,
        };
        let entries = [
            e("ar", Some("rentree")),
            e("fr", Some("rentree")),
            e("ar", None),
            e("fr", Some("stage")),
            e("ar", Some("concours")),
        ];
        assert_eq!(digest_selection("ar", &entries), [0, 2, 3, 4]);
        assert_eq!(digest_selection("fr", &entries), [1, 2, 3, 4]);
        assert!(digest_selection("fr", &[]).is_empty());
    }
}

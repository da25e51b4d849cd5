//! Throttling, as a function of the recorded attempts: the store keeps the
//! times of failed logins, and of requests for a password-reset link, per
//! account and per address, and asks here whether the next attempt may go
//! ahead.

use time::{Duration, OffsetDateTime};

/// `max_failures` failed attempts less than `window` apart lock the key for
/// `lockout` after the last of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window: Duration,
    pub lockout: Duration,
}

impl ThrottlePolicy {
    /// Slows down guessing one person's password.
    pub const PER_ACCOUNT: Self = Self {
        max_failures: 5,
        window: Duration::minutes(15),
        lockout: Duration::minutes(15),
    };

    /// Higher than per account because a whole school or directorate may log
    /// in from behind one address.
    pub const PER_ADDRESS: Self = Self {
        max_failures: 20,
        window: Duration::minutes(15),
        lockout: Duration::minutes(15),
    };

    /// Reset links mailed to one account: three within an hour are enough to
    /// find one in a slow inbox, and more would let anyone flood someone's
    /// mailbox through the forgotten-password form.
    pub const RESET_PER_ACCOUNT: Self = Self {
        max_failures: 3,
        window: Duration::hours(1),
        lockout: Duration::hours(1),
    };

    /// Reset-link requests from one client address, whatever address they
    /// name (with an account or not): as generous as a school behind one
    /// address needs, too few to mail many people.
    pub const RESET_PER_CLIENT: Self = Self {
        max_failures: 20,
        window: Duration::hours(1),
        lockout: Duration::hours(1),
    };

    /// How far back failures can still matter: older ones may be pruned and
    /// need not be passed to [`retry_after`].
    pub fn lookback(&self) -> Duration {
        self.window.saturating_add(self.lockout)
    }
}

/// How long until the next attempt for one key (an account or an address) is
/// allowed, or `None` if it is allowed now. `failures` are the times of its
/// failed attempts, in any order.
///
/// Attempts refused because of the lock must not be recorded as failures, or
/// a lock would extend itself for as long as someone keeps trying.
pub fn retry_after(
    policy: &ThrottlePolicy,
    failures: &[OffsetDateTime],
    now: OffsetDateTime,
) -> Option<Duration> {
    // A policy of 0 would mean "locked before any failure", with no failure
    // to count the lockout from; one failure is the strictest that makes sense.
    let burst = usize::try_from(policy.max_failures).map_or(usize::MAX, |n| n.max(1));
    let mut failures = failures.to_vec();
    failures.sort_unstable();
    // Bursts are found among the failures themselves rather than counted back
    // from now, so that the first failures of a burst leaving the window do
    // not end the lock early.
    let locked_until = failures
        .windows(burst)
        .filter(|burst| burst[burst.len() - 1] - burst[0] < policy.window)
        .map(|burst| burst[burst.len() - 1].saturating_add(policy.lockout))
        .max()?;
    let remaining = locked_until - now;
    remaining.is_positive().then_some(remaining)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-03 10:00 UTC);

    fn minutes_ago(minutes: &[i64]) -> Vec<OffsetDateTime> {
        minutes
            .iter()
            .map(|&m| NOW - Duration::minutes(m))
            .collect()
    }

    #[test]
    fn an_account_is_locked_for_15_minutes_after_5_failures_within_15() {
        let m = Duration::minutes;
        let table: [(&str, &[i64], Option<Duration>); 10] = [
            ("no failures", &[], None),
            ("just under the limit", &[4, 3, 2, 1], None),
            ("exactly at the limit", &[4, 3, 2, 1, 0], Some(m(15))),
            (
                "locked from the latest failure",
                &[5, 4, 3, 2, 1],
                Some(m(14)),
            ),
            ("in any order", &[2, 5, 1, 3, 4], Some(m(14))),
            ("more than the limit", &[9, 8, 7, 6, 5, 4, 3], Some(m(12))),
            (
                "while the first leave the window",
                &[20, 19, 18, 17, 13],
                Some(m(2)),
            ),
            ("old failures are ignored", &[60, 59, 58, 57, 1], None),
            ("spread wider than the window", &[15, 12, 9, 6, 0], None),
            ("the lock has expired", &[19, 18, 17, 16, 15], None),
        ];
        for (case, failures, expected) in table {
            assert_eq!(
                retry_after(&ThrottlePolicy::PER_ACCOUNT, &minutes_ago(failures), NOW),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn an_address_takes_20_failures() {
        let nineteen: Vec<i64> = (1..=19).collect();
        let twenty: Vec<i64> = (1..=20).collect();
        let policy = ThrottlePolicy::PER_ADDRESS;
        assert_eq!(retry_after(&policy, &minutes_ago(&nineteen[..]), NOW), None);
        assert_eq!(
            retry_after(&policy, &minutes_ago(&[0; 20]), NOW),
            Some(Duration::minutes(15))
        );
        // 20 failures spread over 20 minutes never had 20 within 15.
        assert_eq!(retry_after(&policy, &minutes_ago(&twenty[..]), NOW), None);
    }

    #[test]
    fn an_account_gets_three_reset_links_an_hour_and_a_client_twenty() {
        let table: [(&str, ThrottlePolicy, &[i64], bool); 8] = [
            ("a first link", ThrottlePolicy::RESET_PER_ACCOUNT, &[], true),
            (
                "a third link",
                ThrottlePolicy::RESET_PER_ACCOUNT,
                &[50, 10],
                true,
            ),
            (
                "a fourth within the hour",
                ThrottlePolicy::RESET_PER_ACCOUNT,
                &[50, 30, 10],
                false,
            ),
            (
                "a fourth soon after three quick ones",
                ThrottlePolicy::RESET_PER_ACCOUNT,
                &[3, 2, 1],
                false,
            ),
            (
                "an hour after the third",
                ThrottlePolicy::RESET_PER_ACCOUNT,
                &[62, 61, 60],
                true,
            ),
            (
                "three spread over more than an hour",
                ThrottlePolicy::RESET_PER_ACCOUNT,
                &[70, 30, 1],
                true,
            ),
            (
                "a client's twentieth",
                ThrottlePolicy::RESET_PER_CLIENT,
                &[1; 19],
                true,
            ),
            (
                "a client's twenty-first",
                ThrottlePolicy::RESET_PER_CLIENT,
                &[1; 20],
                false,
            ),
        ];
        for (case, policy, earlier, allowed) in table {
            assert_eq!(
                retry_after(&policy, &minutes_ago(earlier), NOW).is_none(),
                allowed,
                "{case}"
            );
        }
    }

    #[test]
    fn a_lock_counts_down_to_the_second() {
        let failures = minutes_ago(&[5, 4, 3, 2, 1]);
        let policy = ThrottlePolicy::PER_ACCOUNT;
        let almost = NOW + Duration::minutes(14) - Duration::seconds(1);
        assert_eq!(
            retry_after(&policy, &failures, almost),
            Some(Duration::seconds(1))
        );
        assert_eq!(
            retry_after(&policy, &failures, NOW + Duration::minutes(14)),
            None
        );
    }

    #[test]
    fn the_lookback_reaches_the_oldest_failure_that_can_still_lock() {
        let policy = ThrottlePolicy::PER_ACCOUNT;
        let s = Duration::seconds;
        let first = NOW - policy.lookback() + s(2);
        let last = NOW - policy.lockout + s(1);
        let mut failures = vec![first; 4];
        failures.push(last);
        assert_eq!(retry_after(&policy, &failures, NOW), Some(s(1)));
    }

    #[test]
    fn a_policy_of_zero_failures_locks_after_one() {
        let policy = ThrottlePolicy {
            max_failures: 0,
            ..ThrottlePolicy::PER_ACCOUNT
        };
        assert_eq!(retry_after(&policy, &[], NOW), None);
        assert_eq!(
            retry_after(&policy, &minutes_ago(&[5]), NOW),
            Some(Duration::minutes(10))
        );
    }
}

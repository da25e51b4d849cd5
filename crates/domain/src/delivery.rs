//! When to try a message again after a temporary failure: exponential
//! backoff, capped, with a last attempt after which it is failed for good.

use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; each failure doubles it.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// A mail server down for an hour still gets every message: waits of
    /// 30 s, 1, 2, 4, 8, 16, 32 min, then every hour, for about a day.
    pub const MAIL: RetryPolicy = RetryPolicy {
        first_wait: Duration::seconds(30),
        max_wait: Duration::hours(1),
        max_attempts: 30,
    };
}

/// How long to wait after the `attempts`-th failed attempt (1 for the
/// first), or `None` when that was the last one allowed.
pub fn retry_wait(policy: &RetryPolicy, attempts: u32) -> Option<Duration> {
    if attempts == 0 || attempts >= policy.max_attempts {
        return if attempts == 0 {
            Some(Duration::ZERO)
        } else {
            None
        };
    }
    let doublings = (attempts - 1).min(30);
    let wait = policy
        .first_wait
        .checked_mul(1_i32 << doublings.min(20))
        .unwrap_or(policy.max_wait);
    Some(wait.min(policy.max_wait))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_then_stop() {
        let policy = RetryPolicy {
            first_wait: Duration::seconds(30),
            max_wait: Duration::minutes(10),
            max_attempts: 8,
        };
        let table = [
            (0, Some(Duration::ZERO)),
            (1, Some(Duration::seconds(30))),
            (2, Some(Duration::minutes(1))),
            (3, Some(Duration::minutes(2))),
            (5, Some(Duration::minutes(8))),
            (6, Some(Duration::minutes(10))),
            (7, Some(Duration::minutes(10))),
            (8, None),
            (100, None),
        ];
        for (attempts, expected) in table {
            assert_eq!(retry_wait(&policy, attempts), expected, "after {attempts}");
        }
    }

    #[test]
    fn the_mail_policy_outlasts_an_hour_long_outage() {
        let mut waited = Duration::ZERO;
        let mut attempts = 1;
        while let Some(wait) = retry_wait(&RetryPolicy::MAIL, attempts) {
            waited += wait;
            attempts += 1;
        }
        assert!(waited > Duration::hours(12), "{waited}");
        assert_eq!(attempts, RetryPolicy::MAIL.max_attempts);
    }
}

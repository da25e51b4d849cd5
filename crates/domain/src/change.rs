//! A pending change: an edit of a published entry kept beside the live
//! text, so that a typo can be fixed by whoever wrote it without the page
//! changing before a publisher has read the fix.
//!
//! ```text
//! (none) --save--> draft --submit--> in_review --publish--> (replaces the live text)
//!                    ^                   |
//!                    +-----send_back-----+
//! draft or in_review --discard--> (none)
//! ```
//!
//! Who may take a step is decided by `access` (`ProposeChange`,
//! `ReviewChange`); this says only which steps exist.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Being written by its author; the live text is untouched.
    Draft,
    /// Sent to the site's publishers.
    InReview,
}

impl ChangeStatus {
    pub const ALL: [ChangeStatus; 2] = [ChangeStatus::Draft, ChangeStatus::InReview];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Draft => "draft",
            ChangeStatus::InReview => "in_review",
        }
    }
}

impl fmt::Display for ChangeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChangeStatus {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "change status",
                value: s.to_owned(),
                expected: "draft, in_review",
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Submit,
    /// The publisher asks for more work, with a comment.
    SendBack,
    /// The change replaces the live text.
    Publish,
    /// The change is dropped; the live text stays.
    Discard,
}

impl ChangeAction {
    pub const ALL: [ChangeAction; 4] = [
        ChangeAction::Submit,
        ChangeAction::SendBack,
        ChangeAction::Publish,
        ChangeAction::Discard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Submit => "submit",
            ChangeAction::SendBack => "send_back",
            ChangeAction::Publish => "publish",
            ChangeAction::Discard => "discard",
        }
    }

    /// The name of the step in an entry's history (its workflow events).
    pub fn event(self) -> &'static str {
        match self {
            ChangeAction::Submit => "change_submit",
            ChangeAction::SendBack => "change_send_back",
            ChangeAction::Publish => "change_publish",
            ChangeAction::Discard => "change_discard",
        }
    }

    /// Where a change in `from` goes by this step: `None` when it is gone
    /// (published into the entry, or discarded).
    pub fn apply(self, from: ChangeStatus) -> Result<Option<ChangeStatus>, ChangeStepError> {
        use ChangeAction::*;
        use ChangeStatus::*;
        match (self, from) {
            (Submit, Draft) => Ok(Some(InReview)),
            (SendBack, InReview) => Ok(Some(Draft)),
            (Publish, InReview) => Ok(None),
            (Discard, Draft | InReview) => Ok(None),
            _ => Err(ChangeStepError { action: self, from }),
        }
    }
}

impl fmt::Display for ChangeAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChangeAction {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "step of a change",
                value: s.to_owned(),
                expected: "submit, send_back, publish, discard",
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a change that is {from}")]
pub struct ChangeStepError {
    pub action: ChangeAction,
    pub from: ChangeStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChangeAction::*;
    use ChangeStatus::*;

    #[test]
    fn every_step_of_a_pending_change() {
        let allowed: [(ChangeAction, ChangeStatus, Option<ChangeStatus>); 5] = [
            (Submit, Draft, Some(InReview)),
            (SendBack, InReview, Some(Draft)),
            (Publish, InReview, None),
            (Discard, Draft, None),
            (Discard, InReview, None),
        ];
        for action in ChangeAction::ALL {
            for from in ChangeStatus::ALL {
                let want = allowed
                    .iter()
                    .find(|(a, f, _)| *a == action && *f == from)
                    .map(|(_, _, to)| *to);
                match (action.apply(from), want) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{action} from {from}"),
                    (Err(_), None) => {}
                    (got, want) => panic!("{action} from {from}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn a_change_is_published_only_once_a_publisher_has_it_in_review() {
        let refused = Publish
            .apply(Draft)
            .expect_err("a change still being written is not published");
        assert_eq!(refused.to_string(), "cannot publish a change that is draft");
    }

    #[test]
    fn names_read_back() {
        for action in ChangeAction::ALL {
            assert_eq!(action.as_str().parse::<ChangeAction>(), Ok(action));
        }
        for status in ChangeStatus::ALL {
            assert_eq!(status.as_str().parse::<ChangeStatus>(), Ok(status));
        }
        assert!("merge".parse::<ChangeAction>().is_err());
    }
}

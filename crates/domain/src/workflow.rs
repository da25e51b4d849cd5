//! The editorial state machine (ARCHITECTURE.md):
//!
//! ```text
//! draft --submit--> in_review --approve--> approved --publish--> published
//!   ^                  |                      |                      |
//!   +--request_changes-+                      +------unpublish-------+--> draft
//! published --archive--> archived
//! ```
//!
//! Who may take a transition is decided elsewhere; this says only which
//! transitions exist.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{DomainError, EntryKind, EntryStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    RequestChanges,
    Approve,
    Publish,
    Unpublish,
    Archive,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Submit,
        Action::RequestChanges,
        Action::Approve,
        Action::Publish,
        Action::Unpublish,
        Action::Archive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::RequestChanges => "request_changes",
            Action::Approve => "approve",
            Action::Publish => "publish",
            Action::Unpublish => "unpublish",
            Action::Archive => "archive",
        }
    }

    /// The state an entry in `from` reaches by this action, or why it cannot.
    pub fn apply(self, from: EntryStatus) -> Result<EntryStatus, WorkflowError> {
        use Action::*;
        use EntryStatus::*;
        let to = match (self, from) {
            (Submit, Draft) => InReview,
            (RequestChanges, InReview) => Draft,
            (Approve, InReview) => Approved,
            (Publish, Approved) => Published,
            (Unpublish, Approved | Published) => Draft,
            (Archive, Published) => Archived,
            _ => return Err(WorkflowError { action: self, from }),
        };
        Ok(to)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "action",
                value: s.to_owned(),
                expected: "submit, request_changes, approve, publish, unpublish, archive",
            })
    }
}

impl Action {
    /// Whether entries of `kind` take this action at all: internal kinds
    /// (circulars) are sent once approved, never published or archived.
    pub fn exists_for(self, kind: EntryKind) -> bool {
        !(kind.is_internal() && matches!(self, Action::Publish | Action::Archive))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an entry that is {from}")]
pub struct WorkflowError {
    pub action: Action,
    pub from: EntryStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use EntryStatus::*;

    /// Every (action, state) pair: the allowed ones with their result, all
    /// others refused.
    #[test]
    fn every_transition_of_the_workflow() {
        let allowed = [
            (Submit, Draft, InReview),
            (RequestChanges, InReview, Draft),
            (Approve, InReview, Approved),
            (Publish, Approved, Published),
            (Unpublish, Approved, Draft),
            (Unpublish, Published, Draft),
            (Archive, Published, Archived),
        ];
        for action in Action::ALL {
            for from in EntryStatus::ALL {
                let expected = allowed
                    .iter()
                    .find(|(a, f, _)| *a == action && *f == from)
                    .map(|(_, _, to)| *to);
                match (action.apply(from), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{action} from {from}"),
                    (Err(_), None) => {}
                    (got, want) => panic!("{action} from {from}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn a_circular_is_never_published_nor_archived() {
        for kind in EntryKind::ALL {
            for action in Action::ALL {
                let refused = kind == EntryKind::Circular && matches!(action, Publish | Archive);
                assert_eq!(action.exists_for(kind), !refused, "{action} on {kind}");
            }
        }
    }

    #[test]
    fn a_refusal_says_what_and_from_where() {
        let err = Publish
            .apply(Draft)
            .expect_err("publishing a draft skips review");
        assert_eq!(err.to_string(), "cannot publish an entry that is draft");
    }
}

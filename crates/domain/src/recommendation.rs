//! The follow-up of a training report's recommendations: each line of a
//! published report becomes a record with a status, an owner, a due date and
//! a note, so that what a training session asked for is carried out.
//!
//! The status moves by [`RecommendationStatus::may_become`]:
//!
//! | from \ to   | open | in progress | done | dropped |
//! |-------------|------|-------------|------|---------|
//! | open        | same | yes         | yes  | yes     |
//! | in progress | yes  | same        | yes  | yes     |
//! | done        | no   | yes         | same | no      |
//! | dropped     | yes  | no          | no   | same    |
//!
//! A finished recommendation is reopened as work resumed (done → in
//! progress), a dropped one is taken up again from the start (dropped →
//! open); going from done to dropped (or back) would rewrite what happened,
//! so it takes a reopening first, which the history keeps.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{DomainError, FieldErrors, Problem};

/// Where a recommendation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationStatus {
    Open,
    InProgress,
    Done,
    Dropped,
}

impl RecommendationStatus {
    pub const ALL: [RecommendationStatus; 4] = [
        RecommendationStatus::Open,
        RecommendationStatus::InProgress,
        RecommendationStatus::Done,
        RecommendationStatus::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationStatus::Open => "open",
            RecommendationStatus::InProgress => "in_progress",
            RecommendationStatus::Done => "done",
            RecommendationStatus::Dropped => "dropped",
        }
    }

    pub fn parse(value: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "recommendation status",
                value: value.to_owned(),
                expected: "open, in_progress, done, dropped",
            })
    }

    /// Done and dropped recommendations ask nothing more of anybody: they
    /// are never overdue and never reminded.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RecommendationStatus::Done | RecommendationStatus::Dropped
        )
    }

    /// Whether a follow-up may set the status `to` (see the module's table).
    /// Keeping the same status is always allowed: a change of owner, date or
    /// note alone.
    pub fn may_become(self, to: RecommendationStatus) -> bool {
        use RecommendationStatus::*;
        self == to
            || matches!(
                (self, to),
                (Open, InProgress | Done | Dropped)
                    | (InProgress, Open | Done | Dropped)
                    | (Done, InProgress)
                    | (Dropped, Open)
            )
    }
}

/// Whether a recommendation is late on `today`: its due date has passed and
/// it is neither done nor dropped.
pub fn is_overdue(status: RecommendationStatus, due_on: Option<Date>, today: Date) -> bool {
    !status.is_closed() && due_on.is_some_and(|due| due < today)
}

/// The longest follow-up note: a short line, the report is the long text.
pub const MAX_NOTE_CHARS: usize = 500;
/// The longest name of a service that owns a recommendation.
pub const MAX_SERVICE_CHARS: usize = 120;

/// A follow-up as asked for, before it is checked against the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub status: RecommendationStatus,
    pub note: String,
    pub service: String,
}

/// Checks a follow-up of a recommendation now at `current`, naming each
/// field that is wrong.
pub fn validate_follow_up(
    current: RecommendationStatus,
    next: &FollowUp,
) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    if !current.may_become(next.status) {
        errors.add_problem(
            "status",
            Problem::new(
                "recommendation_status_step",
                format!(
                    "a recommendation {} cannot become {}",
                    current.as_str(),
                    next.status.as_str()
                ),
            )
            .with("from", current.as_str())
            .with("to", next.status.as_str()),
        );
    }
    let note = next.note.chars().count();
    if note > MAX_NOTE_CHARS {
        errors.add_problem(
            "note",
            Problem::new(
                "recommendation_note_long",
                format!("the note has {note} characters, at most {MAX_NOTE_CHARS}"),
            )
            .with("count", note.to_string())
            .with("max", MAX_NOTE_CHARS.to_string()),
        );
    }
    let service = next.service.chars().count();
    if service > MAX_SERVICE_CHARS {
        errors.add_problem(
            "service",
            Problem::new(
                "recommendation_service_long",
                format!("the service's name has {service} characters, at most {MAX_SERVICE_CHARS}"),
            )
            .with("count", service.to_string())
            .with("max", MAX_SERVICE_CHARS.to_string()),
        );
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use RecommendationStatus::*;

    #[test]
    fn the_status_moves_by_the_table() {
        // Rows are "from", columns "to", in the order of `ALL`.
        #[rustfmt::skip]
        let table = [
            (Open,       [true,  true,  true,  true ]),
            (InProgress, [true,  true,  true,  true ]),
            (Done,       [false, true,  true,  false]),
            (Dropped,    [true,  false, false, true ]),
        ];
        for (from, row) in table {
            for (to, expected) in RecommendationStatus::ALL.into_iter().zip(row) {
                assert_eq!(from.may_become(to), expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn every_status_reads_back_from_its_name() {
        for status in RecommendationStatus::ALL {
            assert_eq!(RecommendationStatus::parse(status.as_str()), Ok(status));
        }
        assert!(RecommendationStatus::parse("closed").is_err());
    }

    #[test]
    fn only_an_unfinished_recommendation_past_its_date_is_overdue() {
        let today = date!(2026 - 12 - 03);
        let cases = [
            (Open, Some(date!(2026 - 12 - 02)), true),
            (InProgress, Some(date!(2026 - 11 - 01)), true),
            (Open, Some(today), false),
            (Open, Some(date!(2026 - 12 - 04)), false),
            (Open, None, false),
            (Done, Some(date!(2026 - 12 - 02)), false),
            (Dropped, Some(date!(2026 - 12 - 02)), false),
        ];
        for (status, due, expected) in cases {
            assert_eq!(
                is_overdue(status, due, today),
                expected,
                "{status:?} {due:?}"
            );
        }
    }

    #[test]
    fn a_follow_up_names_each_wrong_field() {
        let ok = FollowUp {
            status: Done,
            note: "تم".into(),
            service: String::new(),
        };
        assert!(validate_follow_up(Open, &ok).is_ok());
        let wrong = FollowUp {
            status: Dropped,
            note: "x".repeat(MAX_NOTE_CHARS + 1),
            service: "s".repeat(MAX_SERVICE_CHARS + 1),
        };
        let Err(DomainError::Invalid(errors)) = validate_follow_up(Done, &wrong) else {
            panic!("a done recommendation cannot be dropped");
        };
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field).collect();
        assert_eq!(fields, ["note", "service", "status"]);
        assert_eq!(
            errors.problems("status")[0].code,
            "recommendation_status_step"
        );
    }
}

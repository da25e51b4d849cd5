use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{DomainError, FieldErrors};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_SUMMARY_CHARS: usize = 600;

/// What an entry is. The kind decides its URL segment, its archive and the
/// facts it carries besides its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    News,
    TrainingReport,
    Announcement,
    Event,
    Page,
    /// An internal circular (مذكرة / note de service): drafted, reviewed and
    /// approved like any entry, then sent to audiences of the directory;
    /// never published, so never on a public page, feed, sitemap or search.
    Circular,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::News,
        EntryKind::TrainingReport,
        EntryKind::Announcement,
        EntryKind::Event,
        EntryKind::Page,
        EntryKind::Circular,
    ];

    /// Kinds that have a public, dated archive. Pages live in the navigation.
    pub const ARCHIVED: [EntryKind; 4] = [
        EntryKind::News,
        EntryKind::TrainingReport,
        EntryKind::Announcement,
        EntryKind::Event,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::News => "news",
            EntryKind::TrainingReport => "training_report",
            EntryKind::Announcement => "announcement",
            EntryKind::Event => "event",
            EntryKind::Page => "page",
            EntryKind::Circular => "circular",
        }
    }

    /// The first path segment of this kind's public URLs (API.md).
    pub fn path_segment(self) -> &'static str {
        match self {
            EntryKind::News => "news",
            EntryKind::TrainingReport => "training",
            EntryKind::Announcement => "announcements",
            EntryKind::Event => "events",
            EntryKind::Page => "pages",
            EntryKind::Circular => "circulars",
        }
    }

    /// The kind whose public URLs start with `segment`; internal kinds
    /// have none.
    pub fn from_path_segment(segment: &str) -> Option<EntryKind> {
        EntryKind::ALL
            .into_iter()
            .filter(|kind| !kind.is_internal())
            .find(|kind| kind.path_segment() == segment)
    }

    pub fn has_archive(self) -> bool {
        !matches!(self, EntryKind::Page | EntryKind::Circular)
    }

    /// Kinds that are sent, never published: the workflow stops at
    /// `approved`, and what follows is a mailing.
    pub fn is_internal(self) -> bool {
        self == EntryKind::Circular
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntryKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntryKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "entry kind",
                value: s.to_owned(),
                expected: "news, training_report, announcement, event, page, circular",
            })
    }
}

/// Where an entry stands in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Draft,
    InReview,
    Approved,
    Published,
    Archived,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 5] = [
        EntryStatus::Draft,
        EntryStatus::InReview,
        EntryStatus::Approved,
        EntryStatus::Published,
        EntryStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::InReview => "in_review",
            EntryStatus::Approved => "approved",
            EntryStatus::Published => "published",
            EntryStatus::Archived => "archived",
        }
    }

    /// Whether the public may read an entry in this state. Archived entries
    /// stay readable at their URL (links in old circulars must not break) but
    /// leave the home page and feeds.
    pub fn is_public(self) -> bool {
        matches!(self, EntryStatus::Published | EntryStatus::Archived)
    }
}

impl fmt::Display for EntryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntryStatus {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntryStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "status",
                value: s.to_owned(),
                expected: "draft, in_review, approved, published, archived",
            })
    }
}

/// The structured report of a training session: what a directorate's
/// communication officer fills in after every workshop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingReport {
    pub starts_on: Date,
    pub ends_on: Date,
    pub venue: String,
    pub audience: String,
    pub head_count: u32,
    #[serde(default)]
    pub facilitators: Vec<String>,
    #[serde(default)]
    pub workshops: Vec<String>,
    #[serde(default)]
    pub recommendations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFacts {
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub venue: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementFacts {
    #[serde(default)]
    pub deadline: Option<Date>,
    #[serde(default)]
    pub reference: Option<String>,
}

/// What a circular carries besides its text. Its reference number is
/// given when it is sent (per site and year), not by its author.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircularFacts {
    /// The object (الموضوع / objet): one line that says what is asked.
    #[serde(default)]
    pub object: String,
    /// The day by which recipients are asked to acknowledge it.
    #[serde(default)]
    pub acknowledge_by: Option<Date>,
    /// Library documents sent with it, in order.
    #[serde(default)]
    pub attachments: Vec<i32>,
}

/// The facts an entry carries besides its text, one shape per kind. Stored
/// as JSON, tagged by kind, so a report can never carry an event's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryFields {
    News,
    TrainingReport(TrainingReport),
    Announcement(AnnouncementFacts),
    Event(EventFacts),
    Page,
    Circular(CircularFacts),
}

impl EntryFields {
    pub fn kind(&self) -> EntryKind {
        match self {
            EntryFields::News => EntryKind::News,
            EntryFields::TrainingReport(_) => EntryKind::TrainingReport,
            EntryFields::Announcement(_) => EntryKind::Announcement,
            EntryFields::Event(_) => EntryKind::Event,
            EntryFields::Page => EntryKind::Page,
            EntryFields::Circular(_) => EntryKind::Circular,
        }
    }

    /// The fields of a kind that needs none, or `None` when the kind requires
    /// facts that must come from the author.
    pub fn empty_for(kind: EntryKind) -> Option<EntryFields> {
        match kind {
            EntryKind::News => Some(EntryFields::News),
            EntryKind::Page => Some(EntryFields::Page),
            EntryKind::Announcement => {
                Some(EntryFields::Announcement(AnnouncementFacts::default()))
            }
            EntryKind::TrainingReport | EntryKind::Event | EntryKind::Circular => None,
        }
    }

    /// Checks the facts for what a reader would find absurd. Field names are
    /// prefixed with `fields.` as in the API.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = FieldErrors::new();
        match self {
            EntryFields::TrainingReport(report) => {
                if report.ends_on < report.starts_on {
                    errors.add("fields.ends_on", "the training cannot end before it starts");
                }
                if report.venue.trim().is_empty() {
                    errors.add("fields.venue", "say where the training took place");
                }
                if report.audience.trim().is_empty() {
                    errors.add("fields.audience", "say who the training was for");
                }
                if report.head_count == 0 || report.head_count > 100_000 {
                    errors.add(
                        "fields.head_count",
                        "give the number of participants (1 to 100000)",
                    );
                }
                for (name, list) in [
                    ("fields.facilitators", &report.facilitators),
                    ("fields.workshops", &report.workshops),
                    ("fields.recommendations", &report.recommendations),
                ] {
                    if list.iter().any(|item| item.trim().is_empty()) {
                        errors.add(name, "remove the empty items of this list");
                    }
                }
            }
            EntryFields::Event(event) => {
                if let Some(ends_at) = event.ends_at {
                    if ends_at < event.starts_at {
                        errors.add("fields.ends_at", "the event cannot end before it starts");
                    }
                }
            }
            EntryFields::Announcement(facts) => {
                if facts
                    .reference
                    .as_deref()
                    .is_some_and(|r| r.chars().count() > 200)
                {
                    errors.add(
                        "fields.reference",
                        "keep the reference under 200 characters",
                    );
                }
            }
            EntryFields::Circular(facts) => {
                let object = facts.object.trim().chars().count();
                if object == 0 {
                    errors.add(
                        "fields.object",
                        "say in one line what the circular is about",
                    );
                } else if object > 300 {
                    errors.add("fields.object", "keep the object under 300 characters");
                }
                if facts.attachments.len() > 20 {
                    errors.add("fields.attachments", "attach at most 20 documents");
                }
            }
            EntryFields::News | EntryFields::Page => {}
        }
        errors.into_result()
    }
}

/// Checks a title and summary as a reader sees them.
pub fn validate_text(title: &str, summary: &str) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    let title_len = title.trim().chars().count();
    if title_len == 0 {
        errors.add("title", "an entry needs a title");
    } else if title_len > MAX_TITLE_CHARS {
        errors.add(
            "title",
            format!("keep the title under {MAX_TITLE_CHARS} characters ({title_len} now)"),
        );
    }
    if let Some(c) = crate::text::forbidden_character(title, crate::text::Lines::One) {
        errors.add("title", crate::text::forbidden_character_message(c));
    }
    if let Some(c) = crate::text::forbidden_character(summary, crate::text::Lines::Many) {
        errors.add("summary", crate::text::forbidden_character_message(c));
    }
    let summary_len = summary.chars().count();
    if summary_len > MAX_SUMMARY_CHARS {
        errors.add(
            "summary",
            format!("keep the summary under {MAX_SUMMARY_CHARS} characters ({summary_len} now)"),
        );
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn report() -> TrainingReport {
        TrainingReport {
            starts_on: date!(2026 - 10 - 12),
            ends_on: date!(2026 - 10 - 14),
            venue: "مركز التكوين".into(),
            audience: "أساتذة التعليم الابتدائي".into(),
            head_count: 40,
            facilitators: vec!["ذ. سعاد".into()],
            workshops: vec!["التخطيط".into()],
            recommendations: vec![],
        }
    }

    #[test]
    fn kinds_have_stable_url_segments() {
        for kind in EntryKind::ALL.into_iter().filter(|k| !k.is_internal()) {
            assert_eq!(
                EntryKind::from_path_segment(kind.path_segment()),
                Some(kind)
            );
        }
        assert_eq!(EntryKind::TrainingReport.path_segment(), "training");
        assert!(!EntryKind::Page.has_archive());
    }

    #[test]
    fn a_circular_has_no_public_address_and_no_archive() {
        for kind in EntryKind::ALL {
            let public = EntryKind::from_path_segment(kind.path_segment()) == Some(kind);
            assert_eq!(public, !kind.is_internal(), "{kind}");
        }
        assert!(!EntryKind::Circular.has_archive());
        assert!(!EntryKind::ARCHIVED.contains(&EntryKind::Circular));
        assert_eq!(
            "circular".parse::<EntryKind>().ok(),
            Some(EntryKind::Circular)
        );
    }

    #[test]
    fn a_circular_says_what_it_is_about() {
        let facts = |object: &str, attachments: usize| {
            EntryFields::Circular(CircularFacts {
                object: object.to_owned(),
                acknowledge_by: None,
                attachments: (0..attachments).map(|i| i as i32).collect(),
            })
        };
        assert!(facts("تنظيم امتحانات نيل شهادة الدروس الابتدائية", 2)
            .validate()
            .is_ok());
        for (bad, field) in [
            (facts("  ", 0), "fields.object"),
            (facts(&"م".repeat(301), 0), "fields.object"),
            (facts("objet", 21), "fields.attachments"),
        ] {
            match bad.validate() {
                Err(DomainError::Invalid(errors)) => {
                    assert!(errors.iter().any(|(f, _)| f == field), "{field}: {errors}")
                }
                other => panic!("{field}: expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn only_published_and_archived_entries_are_public() {
        let public: Vec<_> = EntryStatus::ALL
            .into_iter()
            .filter(|s| s.is_public())
            .collect();
        assert_eq!(public, [EntryStatus::Published, EntryStatus::Archived]);
    }

    #[test]
    fn a_training_report_is_checked_for_sense() {
        assert!(EntryFields::TrainingReport(report()).validate().is_ok());

        let mut backwards = report();
        backwards.ends_on = date!(2026 - 10 - 01);
        let mut nobody = report();
        nobody.head_count = 0;
        let mut blank_item = report();
        blank_item.workshops.push("  ".into());
        let table = [
            (backwards, "fields.ends_on"),
            (nobody, "fields.head_count"),
            (blank_item, "fields.workshops"),
        ];
        for (report, field) in table {
            match EntryFields::TrainingReport(report).validate() {
                Err(DomainError::Invalid(errors)) => {
                    assert!(errors.iter().any(|(f, _)| f == field), "{field}: {errors}")
                }
                other => panic!("{field}: expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn an_event_cannot_end_before_it_starts() {
        let event = EventFacts {
            starts_at: datetime!(2026-12-01 09:00 UTC),
            ends_at: Some(datetime!(2026-12-01 08:00 UTC)),
            venue: String::new(),
        };
        assert!(EntryFields::Event(event).validate().is_err());
    }

    #[test]
    fn fields_are_tagged_by_kind_in_json() {
        let json = serde_json::to_value(EntryFields::TrainingReport(report())).expect("json");
        assert_eq!(json["kind"], "training_report");
        assert_eq!(json["starts_on"], "2026-10-12");
        let back: EntryFields = serde_json::from_value(json).expect("parse");
        assert_eq!(back.kind(), EntryKind::TrainingReport);
    }

    #[test]
    fn titles_and_summaries_have_limits() {
        assert!(validate_text("عنوان", "").is_ok());
        assert!(validate_text("   ", "").is_err());
        assert!(validate_text(&"ا".repeat(MAX_TITLE_CHARS + 1), "").is_err());
        assert!(validate_text("t", &"x".repeat(MAX_SUMMARY_CHARS + 1)).is_err());
    }
}

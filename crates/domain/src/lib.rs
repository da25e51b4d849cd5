//! Pure types and rules of Tawasul: sites and their hierarchy, locales,
//! roles, entry kinds and their fields, the workflow state machine, slugs and
//! validation. No I/O, no async, no database: everything here is a value or a
//! function of values, so every rule can be tested as a table.

mod entry;
mod error;
mod locale;
mod role;
mod site;
pub mod slug;
mod workflow;

pub use entry::{
    validate_text, AnnouncementFacts, EntryFields, EntryKind, EntryStatus, EventFacts,
    TrainingReport, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
};
pub use error::{DomainError, FieldErrors};
pub use locale::Locale;
pub use role::Role;
pub use site::{SiteKind, SiteSlug};
pub use workflow::{Action, WorkflowError};

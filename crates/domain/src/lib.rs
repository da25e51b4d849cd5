//! Pure types and rules of Tawasul: sites and their hierarchy, locales,
//! roles, entry kinds and their fields, the workflow state machine, who may
//! do what, slugs and validation, login throttling and the diff of
//! revisions. No I/O, no async, no database: everything here is a value or a
//! function of values, so every rule can be tested as a table.

mod access;
mod change;
// Accounts: their state and who may be disabled (accounts issue).
mod account;
// The audit log's kinds of acts.
mod audit;
mod delivery;
mod diff;
// The schedule of the daily and weekly digests (newsletter issue).
pub mod digest;
pub mod directory;
mod entry;
mod error;
mod locale;
pub mod menu;
// The follow-up of training recommendations (issue 20).
pub mod recommendation;
// The public newsletter's rules (newsletter issue).
pub mod newsletter;
mod role;
mod site;
pub mod site_settings;
pub mod slug;
mod text;
mod throttle;
mod workflow;

pub use access::{
    allowed, allowed_actions, effective_reach, may_create_token, Actor, Credential, Operation,
    Reach, Subject,
};
pub use account::{may_disable, AccountState, DisableRefusal, DisableTarget};
pub use audit::AuditAction;
pub use change::{ChangeAction, ChangeStatus, ChangeStepError};
pub use delivery::{retry_wait, RetryPolicy};
pub use diff::{diff_lines, field_changes, DiffOp, DiffRow, FieldChange};
pub use entry::{
    validate_text, AnnouncementFacts, CircularFacts, EntryFields, EntryKind, EntryStatus,
    EventFacts, TrainingReport, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
};
pub use error::{DomainError, FieldErrors, Problem};
pub use locale::Locale;
pub use recommendation::{is_overdue, RecommendationStatus};
pub use role::Role;
pub use site::{SiteKind, SiteSlug};
pub use site_settings::SiteSettings;
pub use text::{forbidden_character, forbidden_character_message, Lines, FORBIDDEN_CHARACTER_LEAD};
pub use throttle::{retry_after, ThrottlePolicy};
pub use workflow::{Action, WorkflowError};

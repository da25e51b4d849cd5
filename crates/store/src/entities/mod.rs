//! sea-orm entities, one per table. Written to match the migrations; never
//! handed outside the store: repositories map them to the records in
//! `crate::records`.

pub mod api_token;
pub mod audience;
pub mod audit_log;
pub mod category;
pub mod change;
pub mod circular;
pub mod circular_recipient;
pub mod contact;
pub mod digest_item;
pub mod entry;
pub mod entry_programme;
pub mod entry_tag;
pub mod import_job;
pub mod import_source;
pub mod index_log;
pub mod institution;
pub mod login_challenge;
pub mod login_failure;
pub mod media;
pub mod membership;
pub mod menu_item;
pub mod newsletter_attempt;
pub mod newsletter_issue;
pub mod newsletter_subscriber;
pub mod newsletter_unsubscribe_token;
pub mod notice;
pub mod outbox;
pub mod password_reset;
pub mod pending_change;
pub mod programme;
pub mod recommendation;
pub mod recommendation_event;
pub mod recovery_code;
pub mod redirect;
pub mod rendition;
pub mod revision;
pub mod session;
pub mod site;
pub mod site_host;
pub mod site_template;
pub mod tag;
pub mod upkeep_task;
pub mod user;
pub mod workflow_event;

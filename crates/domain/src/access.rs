//! Who may do what. Every permission of the admin and the API is decided by
//! [`allowed`], so the rules live in one place and are tested as one table.
//!
//! Roles count on the site they were given on and, through an academy, on
//! its directorates and their schools ([`Reach::Inherited`]): a publisher of
//! the academy reviews and publishes across its directorates.
//!
//! | operation                  | contributor | editor           | publisher            | site admin           |
//! |----------------------------|-------------|------------------|----------------------|----------------------|
//! | read drafts, view history  | own entries | any entry        | any entry            | any entry            |
//! | create                     | yes         | yes              | yes                  | yes                  |
//! | edit                       | own draft   | draft, in review | any but archived     | any but archived     |
//! | restore a revision         | no          | draft, in review | any but archived     | any but archived     |
//! | delete                     | own draft   | draft            | any but published    | any but published    |
//! | submit                     | own draft   | any draft        | yes                  | yes                  |
//! | request changes, approve, publish, unpublish, archive | no | no | yes            | yes                  |
//! | feature on parent          | no          | no               | inherited role only  | inherited role only  |
//! | list and search entries    | yes         | yes              | yes                  | yes                  |
//! | search drafts              | no          | yes              | yes                  | yes                  |
//! | read recommendations' follow-up | no     | yes              | yes                  | yes                  |
//! | follow up recommendations  | no          | no               | yes                  | yes                  |
//! | manage members, delivery log | no        | no               | no                   | yes                  |
//! | read the site's audit log  | no          | no               | no                   | yes                  |
//! | move an old site in (import) | no        | no               | no                   | yes                  |
//! | undelete                   | no          | no               | no                   | yes                  |
//! | site settings and menus    | no          | no               | no                   | yes                  |
//! | manage sites               | no          | no               | no                   | no                   |
//! | manage accounts (people)   | no          | no               | no                   | no                   |
//! | read the audit log of no site | no       | no               | no                   | no                   |
//!
//! And across the table:
//!
//! - A platform admin may do everything on any site, in any state, and is the
//!   only one who manages sites and accounts (disabling, enabling, mailing a
//!   reset link) and reads the audit records that concern no site (sign-ins,
//!   tokens, accounts).
//! - An outsider (no role on the site or its ancestors) may do nothing here:
//!   the public reads published entries through the public site.
//! - A transition must also exist in the workflow ([`Action::apply`]), for
//!   everybody: nobody publishes a draft.
//! - A deleted entry can only be undeleted, and read with its history, by a
//!   site admin or a platform admin, until it is undeleted.
//! - Featuring on the parent needs a published entry that is not deleted.
//! - Create, list entries, search drafts, the recommendations, manage members, the delivery log,
//!   the audit logs, manage sites and manage accounts concern no entry (`subject` `None`); every other
//!   operation concerns one. A call of the wrong shape is
//!   refused rather than guessed at.
//!
//! Besides the table, [`may_create_token`]: an API token makes tokens that
//! end no later than it does; a permanent one takes a session or another
//! permanent token.

use time::OffsetDateTime;

use crate::{Action, EntryStatus, Role};

/// How the actor relates to the site an entry (or screen) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// A role on this very site.
    Member(Role),
    /// A role on an ancestor: an academy reaches its directorates and their
    /// schools.
    Inherited(Role),
    /// No role on the site nor on any ancestor.
    Outsider,
}

impl Reach {
    pub fn role(&self) -> Option<Role> {
        match *self {
            Reach::Member(role) | Reach::Inherited(role) => Some(role),
            Reach::Outsider => None,
        }
    }
}

/// The reach of someone with `direct`, a role on the site itself, and
/// `inherited`, the highest of their roles on its ancestors. The higher role
/// counts; on a tie the direct membership does.
pub fn effective_reach(direct: Option<Role>, inherited: Option<Role>) -> Reach {
    match (direct, inherited) {
        (Some(direct), Some(inherited)) if inherited > direct => Reach::Inherited(inherited),
        (Some(direct), _) => Reach::Member(direct),
        (None, Some(inherited)) => Reach::Inherited(inherited),
        (None, None) => Reach::Outsider,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Actor {
    pub reach: Reach,
    pub platform_admin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    ReadDrafts,
    Create,
    Edit,
    Delete,
    Undelete,
    Transition(Action),
    /// Show a directorate's entry on its academy's home page.
    FeatureOnParent,
    ManageMembers,
    ManageSites,
    ViewHistory,
    RestoreRevision,
    /// See a site's entries in the admin, and search them (a contributor
    /// sees their own there, and what is published).
    ListEntries,
    /// Search the drafts of a site, everybody's.
    SearchDrafts,
    /// Read the delivery log of a site's mails.
    ViewDeliveryLog,
    /// Read the delivery log of the system's own mails (invitations,
    /// password resets, digests: about no site), and send one again.
    ViewSystemMail,
    /// Move an old WordPress or Blogger site into a site from the admin:
    /// it writes entries, authors' accounts and redirects in bulk, so it is
    /// the site admin's.
    ImportSite,
    /// Write a change to a published entry that waits, beside the live
    /// text, for a publisher (a pending change).
    ProposeChange,
    /// Publish, send back or discard someone's pending change.
    ReviewChange,
    /// Read the audit records of a site: who signed whom in, changed roles,
    /// settings, deleted media, sent notices there.
    ViewAuditLog,
    /// Read the audit records about no site (sign-ins, API tokens,
    /// accounts disabled and enabled): the platform's own.
    ViewSystemAuditLog,
    /// The people of the whole platform: list and search accounts, disable
    /// and enable them, mail one a link to set a new password.
    ManageAccounts,
    /// Change a site's own settings (names, logo, contact, social and
    /// footer links, language, theme) and its menus: the site admin's,
    /// unlike creating sites or moving their hosts.
    ManageSiteSettings,
    /// Read the follow-up of a site's training recommendations (and, on an
    /// academy, its directorates').
    ViewRecommendations,
    /// Change a recommendation's status, owner, due date and note.
    FollowUpRecommendations,
}

impl Operation {
    pub const ALL: [Operation; 29] = [
        Operation::ReadDrafts,
        Operation::Create,
        Operation::Edit,
        Operation::Delete,
        Operation::Undelete,
        Operation::Transition(Action::Submit),
        Operation::Transition(Action::RequestChanges),
        Operation::Transition(Action::Approve),
        Operation::Transition(Action::Publish),
        Operation::Transition(Action::Unpublish),
        Operation::Transition(Action::Archive),
        Operation::FeatureOnParent,
        Operation::ManageMembers,
        Operation::ManageSites,
        Operation::ViewHistory,
        Operation::RestoreRevision,
        Operation::ListEntries,
        Operation::SearchDrafts,
        Operation::ViewDeliveryLog,
        Operation::ViewSystemMail,
        Operation::ImportSite,
        Operation::ProposeChange,
        Operation::ReviewChange,
        Operation::ViewAuditLog,
        Operation::ViewSystemAuditLog,
        Operation::ManageAccounts,
        Operation::ManageSiteSettings,
        Operation::ViewRecommendations,
        Operation::FollowUpRecommendations,
    ];

    /// Whether the operation acts on an entry, as opposed to on a site or
    /// the platform.
    pub fn needs_subject(self) -> bool {
        !matches!(
            self,
            Operation::Create
                | Operation::ListEntries
                | Operation::SearchDrafts
                | Operation::ManageMembers
                | Operation::ViewDeliveryLog
                | Operation::ManageSites
                | Operation::ViewSystemMail
                | Operation::ImportSite
                | Operation::ViewAuditLog
                | Operation::ViewSystemAuditLog
                | Operation::ManageAccounts
                | Operation::ManageSiteSettings
                | Operation::ViewRecommendations
                | Operation::FollowUpRecommendations
        )
    }
}

/// The entry an operation acts on, as far as permissions care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subject {
    pub status: EntryStatus,
    /// The actor wrote it.
    pub own: bool,
    pub deleted: bool,
}

/// Whether `actor` may perform `op` on `subject` (see the module's table).
pub fn allowed(actor: &Actor, op: Operation, subject: Option<&Subject>) -> bool {
    let admin = actor.platform_admin;
    let role = actor.reach.role();
    if !admin && role.is_none() {
        return false;
    }
    let at_least = |wanted: Role| admin || role.is_some_and(|role| role >= wanted);

    let subject = match (op.needs_subject(), subject) {
        (false, None) => {
            return match op {
                Operation::ManageSites
                | Operation::ViewSystemMail
                | Operation::ViewSystemAuditLog
                | Operation::ManageAccounts => admin,
                Operation::ManageMembers
                | Operation::ViewDeliveryLog
                | Operation::ImportSite
                | Operation::ViewAuditLog
                | Operation::ManageSiteSettings => at_least(Role::SiteAdmin),
                Operation::SearchDrafts | Operation::ViewRecommendations => at_least(Role::Editor),
                Operation::FollowUpRecommendations => at_least(Role::Publisher),
                _ => at_least(Role::Contributor),
            };
        }
        (true, Some(subject)) => subject,
        (false, Some(_)) | (true, None) => return false,
    };

    if subject.deleted {
        // Nothing may change a deleted entry until it is back, so that the
        // trash is the only place it can be acted on.
        return matches!(
            op,
            Operation::Undelete | Operation::ReadDrafts | Operation::ViewHistory
        ) && at_least(Role::SiteAdmin);
    }

    match op {
        Operation::Transition(action) if action.apply(subject.status).is_err() => return false,
        Operation::Undelete => return false,
        // A pending change exists only beside a live text.
        Operation::ProposeChange | Operation::ReviewChange
            if subject.status != EntryStatus::Published =>
        {
            return false
        }
        Operation::FeatureOnParent => {
            // Featuring puts the entry on the academy's site, so it takes a
            // publisher's role there, not on the directorate.
            let supervisor =
                admin || matches!(actor.reach, Reach::Inherited(role) if role >= Role::Publisher);
            return supervisor && subject.status == EntryStatus::Published;
        }
        _ => {}
    }
    if admin {
        return true;
    }
    match role {
        Some(role) => role_allows(role, op, subject),
        None => false,
    }
}

/// The rules of one role for a live (not deleted) entry whose transition, if
/// any, exists in the workflow.
fn role_allows(role: Role, op: Operation, subject: &Subject) -> bool {
    use EntryStatus::*;
    let status = subject.status;
    match role {
        Role::Contributor => {
            subject.own
                && match op {
                    Operation::ReadDrafts | Operation::ViewHistory => true,
                    Operation::Edit | Operation::Delete => status == Draft,
                    Operation::Transition(action) => action == Action::Submit,
                    Operation::ProposeChange => true,
                    _ => false,
                }
        }
        Role::Editor => match op {
            Operation::ReadDrafts | Operation::ViewHistory | Operation::ProposeChange => true,
            Operation::Edit | Operation::RestoreRevision => matches!(status, Draft | InReview),
            Operation::Delete => status == Draft,
            Operation::Transition(action) => action == Action::Submit,
            _ => false,
        },
        Role::Publisher | Role::SiteAdmin => match op {
            Operation::ReadDrafts
            | Operation::ViewHistory
            | Operation::Transition(_)
            | Operation::ProposeChange
            | Operation::ReviewChange => true,
            // Archived entries are the record of what was said: they stay as
            // they were.
            Operation::Edit | Operation::RestoreRevision => status != Archived,
            // A public page disappears only through an explicit unpublish.
            Operation::Delete => status != Published,
            _ => false,
        },
    }
}

/// The transitions `actor` may take on `subject` now, in [`Action::ALL`]
/// order: those both their role and the workflow allow.
pub fn allowed_actions(actor: &Actor, subject: &Subject) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|&action| allowed(actor, Operation::Transition(action), Some(subject)))
        .collect()
}

/// What a request proved who it is with, as far as making API tokens goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in session, or the operator's command line (which holds the
    /// database anyway).
    Session,
    /// An API token, with its expiry (`None`: it never expires).
    Token { expires_at: Option<OffsetDateTime> },
}

/// Whether a request proved by `credential` may create an API token that
/// expires at `expires_at` (`None`: never). A token's expiry bounds what
/// its holder can do: were it able to make a longer-lived token, whoever
/// stole it would keep the account after it expired.
pub fn may_create_token(credential: Credential, expires_at: Option<OffsetDateTime>) -> bool {
    let Credential::Token {
        expires_at: Some(limit),
    } = credential
    else {
        // A session, or a token that never expires: no limit to keep to.
        return true;
    };
    expires_at.is_some_and(|at| at <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use EntryStatus::*;

    fn member(role: Role) -> Actor {
        Actor {
            reach: Reach::Member(role),
            platform_admin: false,
        }
    }

    fn inherited(role: Role) -> Actor {
        Actor {
            reach: Reach::Inherited(role),
            platform_admin: false,
        }
    }

    fn outsider() -> Actor {
        Actor {
            reach: Reach::Outsider,
            platform_admin: false,
        }
    }

    fn platform_admin() -> Actor {
        Actor {
            reach: Reach::Outsider,
            platform_admin: true,
        }
    }

    fn entry(status: EntryStatus) -> Subject {
        Subject {
            status,
            own: false,
            deleted: false,
        }
    }

    fn own(status: EntryStatus) -> Subject {
        Subject {
            own: true,
            ..entry(status)
        }
    }

    fn deleted(status: EntryStatus) -> Subject {
        Subject {
            deleted: true,
            ..entry(status)
        }
    }

    mod spec {
        //! The product's rules written as rows, independently of the
        //! implementation: an operation is allowed when some row grants it
        //! (and, for a transition, the workflow has it).

        use super::*;
        use Operation::*;

        /// Who a row is for. A platform admin is everybody.
        pub enum Who {
            /// This role or a higher one, on the site or an ancestor.
            AtLeast(Role),
            /// This role or a higher one, on an ancestor.
            InheritedAtLeast(Role),
            PlatformAdmin,
        }

        /// Which subjects a row is about.
        pub enum On {
            NoEntry,
            /// Live entries in these states; `own_only`: the actor's own.
            Live(&'static [EntryStatus], bool),
            Deleted,
        }

        const ANY: &[EntryStatus] = &EntryStatus::ALL;
        const DRAFT: &[EntryStatus] = &[Draft];
        const UNLOCKED: &[EntryStatus] = &[Draft, InReview];
        const NOT_ARCHIVED: &[EntryStatus] = &[Draft, InReview, Approved, Published];
        const NOT_PUBLISHED: &[EntryStatus] = &[Draft, InReview, Approved, Archived];
        const PUBLISHED: &[EntryStatus] = &[Published];
        const OWN: bool = true;
        const ANY_AUTHOR: bool = false;

        const TRANSITIONS: &[Operation] = &[
            Transition(Submit),
            Transition(RequestChanges),
            Transition(Approve),
            Transition(Publish),
            Transition(Unpublish),
            Transition(Archive),
        ];

        #[rustfmt::skip]
        pub const RULES: &[(Who, &[Operation], On)] = &[
            (Who::AtLeast(Role::Contributor), &[Create, ListEntries], On::NoEntry),
            (Who::AtLeast(Role::Editor), &[SearchDrafts, ViewRecommendations], On::NoEntry),
            (Who::AtLeast(Role::Publisher), &[FollowUpRecommendations], On::NoEntry),
            (Who::AtLeast(Role::Contributor), &[ReadDrafts, ViewHistory], On::Live(ANY, OWN)),
            (Who::AtLeast(Role::Contributor), &[Edit, Delete, Transition(Submit)], On::Live(DRAFT, OWN)),
            (Who::AtLeast(Role::Editor), &[ReadDrafts, ViewHistory], On::Live(ANY, ANY_AUTHOR)),
            (Who::AtLeast(Role::Editor), &[Edit, RestoreRevision], On::Live(UNLOCKED, ANY_AUTHOR)),
            (Who::AtLeast(Role::Editor), &[Delete, Transition(Submit)], On::Live(DRAFT, ANY_AUTHOR)),
            (Who::AtLeast(Role::Publisher), &[Edit, RestoreRevision], On::Live(NOT_ARCHIVED, ANY_AUTHOR)),
            (Who::AtLeast(Role::Publisher), &[Delete], On::Live(NOT_PUBLISHED, ANY_AUTHOR)),
            (Who::AtLeast(Role::Contributor), &[ProposeChange], On::Live(PUBLISHED, OWN)),
            (Who::AtLeast(Role::Editor), &[ProposeChange], On::Live(PUBLISHED, ANY_AUTHOR)),
            (Who::AtLeast(Role::Publisher), &[ReviewChange], On::Live(PUBLISHED, ANY_AUTHOR)),
            (Who::AtLeast(Role::Publisher), TRANSITIONS, On::Live(ANY, ANY_AUTHOR)),
            (Who::InheritedAtLeast(Role::Publisher), &[FeatureOnParent], On::Live(PUBLISHED, ANY_AUTHOR)),
            (Who::AtLeast(Role::SiteAdmin), &[ManageMembers, ViewDeliveryLog, ImportSite, ViewAuditLog, ManageSiteSettings], On::NoEntry),
            (Who::AtLeast(Role::SiteAdmin), &[Undelete, ReadDrafts, ViewHistory], On::Deleted),
            (Who::PlatformAdmin, &[ManageSites, ViewSystemMail, ViewSystemAuditLog, ManageAccounts], On::NoEntry),
            (Who::PlatformAdmin, &[ReadDrafts, Edit, Delete, ViewHistory, RestoreRevision], On::Live(ANY, ANY_AUTHOR)),
            (Who::PlatformAdmin, TRANSITIONS, On::Live(ANY, ANY_AUTHOR)),
            (Who::PlatformAdmin, &[ProposeChange, ReviewChange], On::Live(PUBLISHED, ANY_AUTHOR)),
        ];

        fn is(who: &Who, actor: &Actor) -> bool {
            actor.platform_admin
                || match (who, actor.reach) {
                    (Who::AtLeast(wanted), Reach::Member(role) | Reach::Inherited(role)) => {
                        role >= *wanted
                    }
                    (Who::InheritedAtLeast(wanted), Reach::Inherited(role)) => role >= *wanted,
                    _ => false,
                }
        }

        fn about(on: &On, subject: Option<&Subject>) -> bool {
            match (on, subject) {
                (On::NoEntry, None) => true,
                (On::Live(states, own_only), Some(s)) => {
                    !s.deleted && states.contains(&s.status) && (s.own || !own_only)
                }
                (On::Deleted, Some(s)) => s.deleted,
                _ => false,
            }
        }

        pub fn expected(actor: &Actor, op: Operation, subject: Option<&Subject>) -> bool {
            let in_workflow = match (op, subject) {
                (Transition(action), Some(s)) => action.apply(s.status).is_ok(),
                _ => true,
            };
            in_workflow
                && RULES
                    .iter()
                    .any(|(who, ops, on)| ops.contains(&op) && is(who, actor) && about(on, subject))
        }
    }

    #[test]
    fn every_actor_operation_and_entry_follows_the_rules() {
        let mut reaches = vec![Reach::Outsider];
        reaches.extend(Role::ALL.map(Reach::Member));
        reaches.extend(Role::ALL.map(Reach::Inherited));
        let mut subjects = vec![None];
        for status in EntryStatus::ALL {
            for own in [false, true] {
                for deleted in [false, true] {
                    subjects.push(Some(Subject {
                        status,
                        own,
                        deleted,
                    }));
                }
            }
        }

        let mut checked = 0;
        for reach in &reaches {
            for platform_admin in [false, true] {
                let actor = Actor {
                    reach: *reach,
                    platform_admin,
                };
                for op in Operation::ALL {
                    for subject in &subjects {
                        assert_eq!(
                            allowed(&actor, op, subject.as_ref()),
                            spec::expected(&actor, op, subject.as_ref()),
                            "{actor:?} {op:?} on {subject:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 9 * 2 * 29 * 21);
    }

    #[test]
    fn the_table_covers_every_operation() {
        for op in Operation::ALL {
            // Fails to compile when an operation is added, as a reminder to
            // list it in `Operation::ALL` (and so in the table above).
            match op {
                Operation::ReadDrafts
                | Operation::Create
                | Operation::Edit
                | Operation::Delete
                | Operation::Undelete
                | Operation::Transition(_)
                | Operation::FeatureOnParent
                | Operation::ManageMembers
                | Operation::ManageSites
                | Operation::ViewHistory
                | Operation::RestoreRevision
                | Operation::ListEntries
                | Operation::SearchDrafts
                | Operation::ViewDeliveryLog
                | Operation::ViewSystemMail
                | Operation::ImportSite
                | Operation::ProposeChange
                | Operation::ReviewChange
                | Operation::ViewAuditLog
                | Operation::ViewSystemAuditLog
                | Operation::ManageAccounts
                | Operation::ManageSiteSettings
                | Operation::ViewRecommendations
                | Operation::FollowUpRecommendations => {}
            }
        }
        for action in Action::ALL {
            assert!(Operation::ALL.contains(&Operation::Transition(action)));
        }
    }

    #[test]
    fn a_contributor_cannot_approve() {
        let contributor = member(Role::Contributor);
        assert!(!allowed(
            &contributor,
            Operation::Transition(Approve),
            Some(&own(InReview))
        ));
    }

    #[test]
    fn a_contributor_submits_their_own_draft_and_nobody_elses() {
        let contributor = member(Role::Contributor);
        assert_eq!(allowed_actions(&contributor, &own(Draft)), [Submit]);
        assert_eq!(allowed_actions(&contributor, &entry(Draft)), []);
        assert!(!allowed(
            &contributor,
            Operation::ReadDrafts,
            Some(&entry(Draft))
        ));
    }

    #[test]
    fn a_contributor_loses_the_pen_once_the_draft_is_submitted() {
        let contributor = member(Role::Contributor);
        assert!(allowed(&contributor, Operation::Edit, Some(&own(Draft))));
        assert!(!allowed(
            &contributor,
            Operation::Edit,
            Some(&own(InReview))
        ));
        assert!(allowed(
            &contributor,
            Operation::ReadDrafts,
            Some(&own(InReview))
        ));
    }

    #[test]
    fn an_editor_prepares_but_does_not_publish() {
        let editor = member(Role::Editor);
        assert!(allowed(&editor, Operation::Edit, Some(&entry(InReview))));
        assert_eq!(allowed_actions(&editor, &entry(Draft)), [Submit]);
        assert_eq!(allowed_actions(&editor, &entry(InReview)), []);
        assert!(!allowed(&editor, Operation::Edit, Some(&entry(Published))));
    }

    #[test]
    fn a_publisher_of_one_directorate_is_an_outsider_on_another() {
        // Telling the directorates apart is the caller's job: it computes the
        // reach from the entry's site, and finds no role there.
        let other_directorates_publisher = outsider();
        for op in Operation::ALL {
            for subject in [None, Some(entry(InReview)), Some(entry(Published))] {
                assert!(
                    !allowed(&other_directorates_publisher, op, subject.as_ref()),
                    "{op:?}"
                );
            }
        }
    }

    #[test]
    fn an_academy_publisher_reviews_a_directorates_entries() {
        let supervisor = inherited(Role::Publisher);
        assert!(allowed(
            &supervisor,
            Operation::ReadDrafts,
            Some(&entry(InReview))
        ));
        assert!(allowed(
            &supervisor,
            Operation::Edit,
            Some(&entry(InReview))
        ));
        assert_eq!(
            allowed_actions(&supervisor, &entry(InReview)),
            [RequestChanges, Approve]
        );
        assert_eq!(
            allowed_actions(&supervisor, &entry(Approved)),
            [Publish, Unpublish]
        );
    }

    #[test]
    fn nobody_publishes_a_draft() {
        let everybody = [
            member(Role::SiteAdmin),
            inherited(Role::SiteAdmin),
            platform_admin(),
        ];
        for actor in everybody {
            assert!(
                !allowed(&actor, Operation::Transition(Publish), Some(&own(Draft))),
                "{actor:?}"
            );
        }
    }

    #[test]
    fn only_the_regional_supervisor_features_on_the_academy() {
        let published = entry(Published);
        assert!(allowed(
            &inherited(Role::Publisher),
            Operation::FeatureOnParent,
            Some(&published)
        ));
        assert!(allowed(
            &platform_admin(),
            Operation::FeatureOnParent,
            Some(&published)
        ));
        assert!(!allowed(
            &member(Role::SiteAdmin),
            Operation::FeatureOnParent,
            Some(&published)
        ));
        assert!(!allowed(
            &inherited(Role::Editor),
            Operation::FeatureOnParent,
            Some(&published)
        ));
        assert!(!allowed(
            &inherited(Role::Publisher),
            Operation::FeatureOnParent,
            Some(&entry(Approved))
        ));
    }

    #[test]
    fn a_published_entry_is_unpublished_before_it_is_deleted() {
        let publisher = member(Role::Publisher);
        assert!(!allowed(
            &publisher,
            Operation::Delete,
            Some(&entry(Published))
        ));
        assert!(allowed(
            &publisher,
            Operation::Transition(Unpublish),
            Some(&entry(Published))
        ));
        assert!(allowed(&publisher, Operation::Delete, Some(&entry(Draft))));
    }

    #[test]
    fn a_deleted_entry_waits_in_the_trash_for_a_site_admin() {
        let trashed = deleted(Draft);
        assert!(allowed(
            &member(Role::SiteAdmin),
            Operation::Undelete,
            Some(&trashed)
        ));
        assert!(allowed(
            &inherited(Role::SiteAdmin),
            Operation::Undelete,
            Some(&trashed)
        ));
        assert!(!allowed(
            &member(Role::Publisher),
            Operation::Undelete,
            Some(&trashed)
        ));
        assert!(!allowed(
            &member(Role::SiteAdmin),
            Operation::Edit,
            Some(&trashed)
        ));
        assert!(!allowed(&platform_admin(), Operation::Edit, Some(&trashed)));
        assert!(!allowed(
            &member(Role::SiteAdmin),
            Operation::Undelete,
            Some(&entry(Draft))
        ));
    }

    #[test]
    fn members_are_managed_by_site_admins_and_sites_by_platform_admins() {
        assert!(allowed(
            &member(Role::SiteAdmin),
            Operation::ManageMembers,
            None
        ));
        assert!(allowed(
            &inherited(Role::SiteAdmin),
            Operation::ManageMembers,
            None
        ));
        assert!(!allowed(
            &member(Role::Publisher),
            Operation::ManageMembers,
            None
        ));
        assert!(!allowed(
            &member(Role::SiteAdmin),
            Operation::ManageSites,
            None
        ));
        assert!(allowed(&platform_admin(), Operation::ManageSites, None));
    }

    #[test]
    fn a_site_admin_reads_the_sites_audit_log_and_only_platform_admins_the_rest() {
        for actor in [member(Role::SiteAdmin), inherited(Role::SiteAdmin)] {
            assert!(allowed(&actor, Operation::ViewAuditLog, None), "{actor:?}");
            assert!(!allowed(&actor, Operation::ViewSystemAuditLog, None));
            assert!(!allowed(&actor, Operation::ManageAccounts, None));
        }
        assert!(!allowed(
            &member(Role::Publisher),
            Operation::ViewAuditLog,
            None
        ));
        for op in [
            Operation::ViewAuditLog,
            Operation::ViewSystemAuditLog,
            Operation::ManageAccounts,
        ] {
            assert!(allowed(&platform_admin(), op, None), "{op:?}");
            assert!(!allowed(&outsider(), op, None), "{op:?}");
        }
    }

    #[test]
    fn a_call_of_the_wrong_shape_is_refused() {
        let admin = platform_admin();
        assert!(!allowed(&admin, Operation::Edit, None));
        assert!(!allowed(&admin, Operation::Create, Some(&entry(Draft))));
    }

    #[test]
    fn the_higher_role_counts_and_the_direct_one_wins_ties() {
        use Role::*;
        let table = [
            (None, None, Reach::Outsider),
            (Some(Editor), None, Reach::Member(Editor)),
            (None, Some(Editor), Reach::Inherited(Editor)),
            (Some(Editor), Some(Publisher), Reach::Inherited(Publisher)),
            (Some(SiteAdmin), Some(Publisher), Reach::Member(SiteAdmin)),
            (Some(Publisher), Some(Publisher), Reach::Member(Publisher)),
        ];
        for (direct, inherited, reach) in table {
            assert_eq!(
                effective_reach(direct, inherited),
                reach,
                "{direct:?} {inherited:?}"
            );
            assert_eq!(reach.role(), direct.max(inherited));
        }
    }

    #[test]
    fn a_token_makes_tokens_that_end_no_later_than_it_does() {
        let now = time::macros::datetime!(2026-11-03 10:00 UTC);
        let day = time::Duration::days(1);
        let expiring = Credential::Token {
            expires_at: Some(now + 30 * day),
        };
        let permanent = Credential::Token { expires_at: None };
        let table = [
            (
                "a session, a permanent token",
                Credential::Session,
                None,
                true,
            ),
            (
                "a session, any expiry",
                Credential::Session,
                Some(now + 3650 * day),
                true,
            ),
            ("a permanent token, a permanent one", permanent, None, true),
            (
                "a permanent token, any expiry",
                permanent,
                Some(now + 3650 * day),
                true,
            ),
            ("an expiring token, a permanent one", expiring, None, false),
            (
                "an expiring token, one that outlives it",
                expiring,
                Some(now + 31 * day),
                false,
            ),
            (
                "an expiring token, one that ends with it",
                expiring,
                Some(now + 30 * day),
                true,
            ),
            (
                "an expiring token, one that ends before it",
                expiring,
                Some(now + 7 * day),
                true,
            ),
        ];
        for (case, credential, expires_at, expected) in table {
            assert_eq!(may_create_token(credential, expires_at), expected, "{case}");
        }
    }
}

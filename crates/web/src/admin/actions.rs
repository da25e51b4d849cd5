//! The workflow buttons of an entry: the transitions the person may take
//! now, each with its words. Shared by the editor and the review screen.

use serde::Serialize;
use tawasul_app::rows::EntryRow;
use tawasul_app::{App, Viewer};
use tawasul_domain::{allowed_actions, Action, EntryStatus};

use super::{text, Req};

/// One button of the workflow.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ActionView {
    pub action: &'static str,
    pub label: String,
    pub needs_comment: bool,
    pub needs_time: bool,
    /// The question asked before it is taken, when it takes a page away.
    pub confirm: Option<String>,
}

/// The words of `action` on an entry in `status`. Taking an approved
/// entry back is not unpublishing: nothing was public.
pub fn label_key(action: Action, status: &str) -> String {
    match action {
        Action::Unpublish if status != EntryStatus::Published.as_str() => {
            "action.back_to_draft".to_owned()
        }
        _ => format!("action.{}", action.as_str()),
    }
}

fn confirm_key(action: Action, status: &str) -> Option<String> {
    match action {
        Action::Unpublish if status != EntryStatus::Published.as_str() => {
            Some("confirm.back_to_draft".to_owned())
        }
        Action::Unpublish | Action::Archive => Some(format!("confirm.{}", action.as_str())),
        _ => None,
    }
}

/// The buttons `viewer` gets on `row` (none on a deleted entry).
pub fn workflow_actions(app: &App, req: &Req, viewer: &Viewer, row: &EntryRow) -> Vec<ActionView> {
    if row.deleted_at.is_some() {
        return Vec::new();
    }
    let network = app.network();
    allowed_actions(&viewer.actor(&network, row.site_id), &viewer.subject(row))
        .into_iter()
        .map(|a| ActionView {
            action: a.as_str(),
            label: text(app, req, &label_key(a, &row.status)),
            needs_comment: a == Action::RequestChanges,
            needs_time: a == Action::Publish,
            confirm: confirm_key(a, &row.status).map(|key| text(app, req, &key)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_back_an_approved_entry_is_not_called_unpublishing() {
        let cases = [
            (
                Action::Unpublish,
                "published",
                "action.unpublish",
                Some("confirm.unpublish"),
            ),
            (
                Action::Unpublish,
                "approved",
                "action.back_to_draft",
                Some("confirm.back_to_draft"),
            ),
            (
                Action::Archive,
                "published",
                "action.archive",
                Some("confirm.archive"),
            ),
            (Action::Publish, "approved", "action.publish", None),
            (Action::Submit, "draft", "action.submit", None),
        ];
        for (action, status, label, confirm) in cases {
            assert_eq!(label_key(action, status), label, "{action:?} on {status}");
            assert_eq!(
                confirm_key(action, status).as_deref(),
                confirm,
                "{action:?} on {status}"
            );
        }
    }
}

//! Sites' menus, per language: the editor's use cases and the "show in the
//! menu" box of a page's editor. A change goes through the change log as a
//! change of the site's chrome: every node reloads the menus and drops the
//! site's pages.

use tawasul_domain::menu::{Menu, MenuOp, MenuTarget};
use tawasul_domain::{AuditAction, EntryKind, Locale, Operation};
use tawasul_store::{EntryRow, NewMenuItem};

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::cache::deps::Dep;
use crate::network::Site;
use crate::{App, AppError};

/// The archives a new site's menus show, in order.
pub fn default_archives() -> Vec<&'static str> {
    EntryKind::ARCHIVED.iter().map(|k| k.as_str()).collect()
}

/// A page of the site that the editor offers.
#[derive(Debug, Clone)]
pub struct PageChoice {
    pub id: i32,
    pub title: String,
    pub published: bool,
}

/// The editor's view of a menu.
#[derive(Debug, Clone)]
pub struct MenuState {
    pub site: Site,
    pub locale: Locale,
    pub menu: Menu,
    pub pages: Vec<PageChoice>,
}

fn rows_of(menu: &Menu) -> Vec<NewMenuItem> {
    let mut out = Vec::with_capacity(menu.len());
    let row = |target: &MenuTarget, parent: Option<usize>| {
        let mut row = NewMenuItem {
            parent,
            kind: target.kind().to_owned(),
            ..Default::default()
        };
        match target {
            MenuTarget::Page { entry_id } => row.entry_id = Some(*entry_id),
            MenuTarget::Archive { kind } => row.archive_kind = Some(kind.as_str().to_owned()),
            MenuTarget::Category { category_id } => row.category_id = Some(*category_id),
            MenuTarget::Link { label, url } => {
                row.label = label.trim().to_owned();
                row.url = url.trim().to_owned();
            }
        }
        row
    };
    for node in &menu.nodes {
        let parent = out.len();
        out.push(row(&node.item.target, None));
        for child in &node.children {
            out.push(row(&child.target, Some(parent)));
        }
    }
    out
}

impl App {
    fn menu_site(&self, viewer: &Viewer, slug: &str) -> Result<Site, AppError> {
        let network = self.network();
        let site = network
            .site_by_slug(slug)
            .ok_or_else(|| AppError::NotFound(format!("site `{slug}`")))?;
        if !viewer.may(&network, site.id, Operation::ManageSiteSettings) {
            return Err(AppError::Forbidden(format!(
                "only the administrators of {} change its menus",
                site.slug
            )));
        }
        Ok(site.clone())
    }

    /// A site's menu in a language, with the pages it may lead to.
    pub async fn menu_editor(
        &self,
        viewer: &Viewer,
        slug: &str,
        locale: Locale,
    ) -> Result<MenuState, AppError> {
        let site = self.menu_site(viewer, slug)?;
        let pages = self
            .store()
            .pages_of_site(site.id, locale.as_str())
            .await?
            .into_iter()
            .map(|row| PageChoice {
                id: row.id,
                published: row.status == "published",
                title: row.title,
            })
            .collect();
        Ok(MenuState {
            menu: site.menu(locale),
            site,
            locale,
            pages,
        })
    }

    async fn save_menu(
        &self,
        viewer: &Viewer,
        site: &Site,
        locale: Locale,
        menu: &Menu,
    ) -> Result<(), AppError> {
        self.store()
            .replace_menu(site.id, locale.as_str(), &rows_of(menu))
            .await?;
        self.publish_change(vec![Dep::Chrome { site: site.id }])
            .await?;
        if let Err(e) = self
            .audit(AuditEntry {
                site: Some(site.id),
                target: locale.as_str(),
                ..AuditEntry::new(AuditAction::MenuUpdate, Some(viewer.user.id))
            })
            .await
        {
            tracing::error!(site = %site.slug, error = %e, "a menu change is missing from the audit log");
        }
        Ok(())
    }

    /// Adds an item at the end of a menu. A page, category or link that
    /// does not belong to the site (or a link that does not read) is
    /// refused with the field's problem.
    pub async fn menu_add(
        &self,
        viewer: &Viewer,
        slug: &str,
        locale: Locale,
        target: MenuTarget,
    ) -> Result<(), AppError> {
        let site = self.menu_site(viewer, slug)?;
        let errors = target.validate();
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let belongs = match &target {
            MenuTarget::Page { entry_id } => {
                self.store().entry(*entry_id).await?.is_some_and(|e| {
                    e.site_id == site.id && e.kind == "page" && e.deleted_at.is_none()
                })
            }
            MenuTarget::Category { category_id } => site.category(*category_id).is_some(),
            MenuTarget::Archive { kind } => EntryKind::ARCHIVED.contains(kind),
            MenuTarget::Link { .. } => true,
        };
        if !belongs {
            return Err(AppError::NotFound(format!(
                "{} of the menu of {}",
                target.kind(),
                site.slug
            )));
        }
        let mut menu = site.menu(locale);
        if !menu.push(target) {
            return Err(AppError::Conflict("the menu is full".into()));
        }
        self.save_menu(viewer, &site, locale, &menu).await
    }

    /// Moves, nests or removes an item; an operation that means nothing
    /// there (the first item moved up) changes nothing.
    pub async fn menu_apply(
        &self,
        viewer: &Viewer,
        slug: &str,
        locale: Locale,
        item: i32,
        op: MenuOp,
    ) -> Result<(), AppError> {
        let site = self.menu_site(viewer, slug)?;
        let mut menu = site.menu(locale);
        if !menu.apply(item, op) {
            return Ok(());
        }
        self.save_menu(viewer, &site, locale, &menu).await
    }

    /// Whether a page is in its site's menu (for its editor's box).
    pub fn page_in_menu(&self, row: &EntryRow) -> bool {
        self.network()
            .site(row.site_id)
            .is_some_and(|s| s.menu_has_page(row.id))
    }

    /// The page editor's "show in the menu" box: puts the page at the end
    /// of its language's menu, or takes it out. Only for those who manage
    /// the site's menus; for others the box is not shown and this does
    /// nothing.
    pub async fn set_page_in_menu(
        &self,
        viewer: &Viewer,
        row: &EntryRow,
        show: bool,
    ) -> Result<(), AppError> {
        if row.kind != "page" || show == self.page_in_menu(row) {
            return Ok(());
        }
        let network = self.network();
        let Some(site) = network.site(row.site_id).cloned() else {
            return Ok(());
        };
        if !viewer.may(&network, site.id, Operation::ManageSiteSettings) {
            return Ok(());
        }
        drop(network);
        let changed = if show {
            self.store()
                .add_page_to_menu(site.id, &row.locale, row.id)
                .await?
        } else {
            self.store().remove_page_from_menu(row.id).await?
        };
        if changed {
            self.publish_change(vec![Dep::Chrome { site: site.id }])
                .await?;
            if let Err(e) = self
                .audit(AuditEntry {
                    site: Some(site.id),
                    target: &row.locale,
                    detail: &row.title,
                    ..AuditEntry::new(AuditAction::MenuUpdate, Some(viewer.user.id))
                })
                .await
            {
                tracing::error!(site = %site.slug, error = %e, "a menu change is missing from the audit log");
            }
        }
        Ok(())
    }
}

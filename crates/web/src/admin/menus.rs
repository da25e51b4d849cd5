//! A site's menu editor, per language (its administrators and platform
//! admins): the items in order with buttons to move, nest one level, take
//! out or remove them, and a form to add a page, an archive, a category or
//! an external link at the end. Contexts: docs/admin-ui.md, "Menus".

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};
use tawasul_app::menus::MenuState;
use tawasul_app::network::localized;
use tawasul_app::{App, Viewer};
use tawasul_domain::menu::{MenuOp, MenuTarget};
use tawasul_domain::{EntryKind, Locale};

use super::{
    csrf_refused, error_page, field_errors, render_view, see_other_with, text, AdminUser, Form, Req,
};

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct LocaleTab {
    value: &'static str,
    label: String,
    url: String,
    current: bool,
}

#[derive(Serialize)]
struct ItemView {
    id: i32,
    label: String,
    kind_label: String,
    /// A page not published yet: readers do not see the item.
    hidden: bool,
    nested: bool,
    can_up: bool,
    can_down: bool,
    can_indent: bool,
    can_outdent: bool,
}

/// What the add form holds, stored nothing yet or as typed.
#[derive(Serialize, Default)]
struct AddForm {
    kind: String,
    page: String,
    archive: String,
    category: String,
    label: String,
    url: String,
}

/// `menu.html`.
#[derive(Serialize)]
struct MenuView {
    site: Choice,
    locale: &'static str,
    locales: Vec<LocaleTab>,
    items: Vec<ItemView>,
    kinds: Vec<Choice>,
    pages: Vec<Choice>,
    archives: Vec<Choice>,
    categories: Vec<Choice>,
    add: AddForm,
    errors: Map<String, Value>,
    action: String,
    settings_url: String,
}

fn locale_of(req: &Req, form: Option<&Form>) -> Locale {
    let asked = form
        .map(|f| f.get("locale").to_owned())
        .filter(|l| !l.is_empty())
        .or_else(|| req.query_param("locale"));
    match asked.as_deref() {
        Some("fr") => Locale::Fr,
        _ => Locale::Ar,
    }
}

fn item_label(app: &App, req: &Req, state: &MenuState, target: &MenuTarget) -> (String, bool) {
    match target {
        MenuTarget::Page { entry_id } => match state.pages.iter().find(|p| p.id == *entry_id) {
            Some(page) => (page.title.clone(), !page.published),
            None => (format!("#{entry_id}"), true),
        },
        MenuTarget::Archive { kind } => (text(app, req, &format!("kind.{}", kind.as_str())), false),
        MenuTarget::Category { category_id } => match state.site.category(*category_id) {
            Some(c) => (
                localized(state.locale, &c.name_ar, &c.name_fr).to_owned(),
                false,
            ),
            None => (format!("#{category_id}"), true),
        },
        MenuTarget::Link { label, .. } => (label.clone(), false),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one page, shown after each of its forms with what they carry"
)]
async fn page(
    app: &App,
    req: &Req,
    viewer: &Viewer,
    slug: &str,
    locale: Locale,
    add: AddForm,
    errors: Map<String, Value>,
    status: StatusCode,
) -> Response {
    let state = match app.menu_editor(viewer, slug, locale).await {
        Ok(state) => state,
        Err(e) => return error_page(app, req, Some(viewer), &e),
    };
    let mut items = Vec::new();
    let tops = state.menu.nodes.len();
    for (i, node) in state.menu.nodes.iter().enumerate() {
        let (label, hidden) = item_label(app, req, &state, &node.item.target);
        items.push(ItemView {
            id: node.item.id,
            label,
            kind_label: text(app, req, &format!("menu.kind_{}", node.item.target.kind())),
            hidden,
            nested: false,
            can_up: i > 0,
            can_down: i + 1 < tops,
            can_indent: i > 0 && node.children.is_empty(),
            can_outdent: false,
        });
        let count = node.children.len();
        for (j, child) in node.children.iter().enumerate() {
            let (label, hidden) = item_label(app, req, &state, &child.target);
            items.push(ItemView {
                id: child.id,
                label,
                kind_label: text(app, req, &format!("menu.kind_{}", child.target.kind())),
                hidden,
                nested: true,
                can_up: j > 0,
                can_down: j + 1 < count,
                can_indent: false,
                can_outdent: true,
            });
        }
    }
    let base = format!("/admin/sites/{}/menu", state.site.slug);
    let view = MenuView {
        site: Choice {
            value: state.site.slug.clone(),
            label: state.site.name(req.lang).to_owned(),
        },
        locale: locale.as_str(),
        locales: [Locale::Ar, Locale::Fr]
            .into_iter()
            .map(|l| LocaleTab {
                value: l.as_str(),
                label: text(app, req, &format!("site_settings.locale_{}", l.as_str())),
                url: format!("{base}?locale={}", l.as_str()),
                current: l == locale,
            })
            .collect(),
        items,
        kinds: ["page", "archive", "category", "link"]
            .iter()
            .map(|k| Choice {
                value: (*k).to_owned(),
                label: text(app, req, &format!("menu.kind_{k}")),
            })
            .collect(),
        pages: state
            .pages
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: if p.published {
                    p.title.clone()
                } else {
                    format!("{} ({})", p.title, text(app, req, "menu.unpublished"))
                },
            })
            .collect(),
        archives: EntryKind::ARCHIVED
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: text(app, req, &format!("kind.{}", k.as_str())),
            })
            .collect(),
        categories: state
            .site
            .categories
            .iter()
            .map(|c| Choice {
                value: c.id.to_string(),
                label: localized(req.lang, &c.name_ar, &c.name_fr).to_owned(),
            })
            .collect(),
        add,
        errors,
        action: base.clone(),
        settings_url: format!("/admin/sites/{}/settings", state.site.slug),
    };
    let title = text(app, req, "menu.heading");
    render_view(app, req, Some(viewer), &title, "menu.html", &view, status)
}

/// `GET /admin/sites/{site}/menu?locale=ar`
pub async fn show(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
) -> Response {
    let locale = locale_of(&req, None);
    page(
        &app,
        &req,
        &viewer,
        &site,
        locale,
        AddForm::default(),
        Map::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/sites/{site}/menu`: a button of an item (`item`, `op`:
/// up, down, indent, outdent, remove), or the add form (`kind` and its
/// field: `page`, `archive`, `category`, or `label` and `url`).
pub async fn change(
    State(app): State<Arc<App>>,
    req: Req,
    AdminUser(viewer): AdminUser,
    Path(site): Path<String>,
    form: Form,
) -> Response {
    if !form.csrf_ok(&viewer, &req) {
        return csrf_refused(&app, &req, &viewer);
    }
    let locale = locale_of(&req, Some(&form));
    let back = format!("/admin/sites/{site}/menu?locale={}", locale.as_str());
    if let (Ok(item), Ok(op)) = (
        form.get("item").parse::<i32>(),
        form.get("op").parse::<MenuOp>(),
    ) {
        return match app.menu_apply(&viewer, &site, locale, item, op).await {
            Ok(()) => see_other_with(&back, "menu_saved"),
            Err(e) => error_page(&app, &req, Some(&viewer), &e),
        };
    }
    let add = AddForm {
        kind: form.get("kind").to_owned(),
        page: form.get("page").to_owned(),
        archive: form.get("archive").to_owned(),
        category: form.get("category").to_owned(),
        label: form.get("label").to_owned(),
        url: form.get("url").to_owned(),
    };
    let number = |v: &str| v.trim().parse::<i32>().unwrap_or(-1);
    let target = match add.kind.as_str() {
        "page" => Some(MenuTarget::Page {
            entry_id: number(&add.page),
        }),
        "archive" => add
            .archive
            .parse::<EntryKind>()
            .ok()
            .map(|kind| MenuTarget::Archive { kind }),
        "category" => Some(MenuTarget::Category {
            category_id: number(&add.category),
        }),
        "link" => Some(MenuTarget::Link {
            label: add.label.clone(),
            url: add.url.clone(),
        }),
        _ => None,
    };
    let Some(target) = target else {
        let mut errors = Map::new();
        errors.insert(
            "kind".into(),
            Value::String(text(&app, &req, "menu.choose_kind")),
        );
        return page(
            &app,
            &req,
            &viewer,
            &site,
            locale,
            add,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match app.menu_add(&viewer, &site, locale, target).await {
        Ok(()) => see_other_with(&back, "menu_saved"),
        Err(e) => match field_errors(&app, &req, &e) {
            Some(errors) => {
                page(
                    &app,
                    &req,
                    &viewer,
                    &site,
                    locale,
                    add,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => error_page(&app, &req, Some(&viewer), &e),
        },
    }
}

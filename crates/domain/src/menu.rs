//! A site's menu in one language: items in order, each possibly holding
//! items of its own (one level). The editor's buttons are operations on
//! this tree ([`Menu::apply`]), pure and table-tested; a top-level item
//! moves with the items under it.

use crate::site_settings::valid_web_url;
use crate::{EntryKind, FieldErrors, Problem};

/// What an item leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuTarget {
    Page { entry_id: i32 },
    Archive { kind: EntryKind },
    Category { category_id: i32 },
    Link { label: String, url: String },
}

impl MenuTarget {
    pub fn kind(&self) -> &'static str {
        match self {
            MenuTarget::Page { .. } => "page",
            MenuTarget::Archive { .. } => "archive",
            MenuTarget::Category { .. } => "category",
            MenuTarget::Link { .. } => "link",
        }
    }

    /// An external link's problems (its label and address), by field.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if let MenuTarget::Link { label, url } = self {
            let count = label.trim().chars().count();
            if count == 0 || count > 80 {
                errors.add_problem(
                    "label",
                    Problem::new("menu_label", "write a label of 80 characters at most"),
                );
            }
            if !valid_web_url(url.trim()) {
                errors.add_problem(
                    "url",
                    Problem::new("settings_url", "write an address starting with https://"),
                );
            }
        }
        errors
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// The stored item's id; 0 for one not stored yet.
    pub id: i32,
    pub target: MenuTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuNode {
    pub item: MenuItem,
    pub children: Vec<MenuItem>,
}

/// The most items a menu holds, all levels together.
pub const MAX_MENU_ITEMS: usize = 40;

/// What a button of the editor does to an item (named by its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuOp {
    Up,
    Down,
    /// Put under the item before it (top-level items without items under them).
    Indent,
    /// Take out from under its parent, just after it.
    Outdent,
    /// Remove; the items under it move up a level.
    Remove,
}

impl std::str::FromStr for MenuOp {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "up" => MenuOp::Up,
            "down" => MenuOp::Down,
            "indent" => MenuOp::Indent,
            "outdent" => MenuOp::Outdent,
            "remove" => MenuOp::Remove,
            _ => return Err(()),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Menu {
    pub nodes: Vec<MenuNode>,
}

impl Menu {
    pub fn len(&self) -> usize {
        self.nodes.iter().map(|n| 1 + n.children.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether a page is anywhere in the menu.
    pub fn has_page(&self, entry_id: i32) -> bool {
        self.nodes
            .iter()
            .flat_map(|n| std::iter::once(&n.item).chain(&n.children))
            .any(|i| i.target == MenuTarget::Page { entry_id })
    }

    /// Adds an item at the end; false when the menu is full.
    pub fn push(&mut self, target: MenuTarget) -> bool {
        if self.len() >= MAX_MENU_ITEMS {
            return false;
        }
        self.nodes.push(MenuNode {
            item: MenuItem { id: 0, target },
            children: Vec::new(),
        });
        true
    }

    /// Applies a button to the item `id`; false when it means nothing there
    /// (the first item moved up, an item with items under it indented…).
    pub fn apply(&mut self, id: i32, op: MenuOp) -> bool {
        if let Some(i) = self.nodes.iter().position(|n| n.item.id == id) {
            return self.apply_top(i, op);
        }
        let found = self
            .nodes
            .iter()
            .enumerate()
            .find_map(|(i, n)| n.children.iter().position(|c| c.id == id).map(|j| (i, j)));
        match found {
            Some((i, j)) => self.apply_child(i, j, op),
            None => false,
        }
    }

    fn apply_top(&mut self, i: usize, op: MenuOp) -> bool {
        match op {
            MenuOp::Up if i > 0 => self.nodes.swap(i - 1, i),
            MenuOp::Down if i + 1 < self.nodes.len() => self.nodes.swap(i, i + 1),
            MenuOp::Indent if i > 0 && self.nodes[i].children.is_empty() => {
                let node = self.nodes.remove(i);
                self.nodes[i - 1].children.push(node.item);
            }
            MenuOp::Remove => {
                let node = self.nodes.remove(i);
                for (k, child) in node.children.into_iter().enumerate() {
                    self.nodes.insert(
                        i + k,
                        MenuNode {
                            item: child,
                            children: Vec::new(),
                        },
                    );
                }
            }
            _ => return false,
        }
        true
    }

    fn apply_child(&mut self, i: usize, j: usize, op: MenuOp) -> bool {
        let children = &mut self.nodes[i].children;
        match op {
            MenuOp::Up if j > 0 => children.swap(j - 1, j),
            MenuOp::Down if j + 1 < children.len() => children.swap(j, j + 1),
            MenuOp::Outdent => {
                let item = children.remove(j);
                self.nodes.insert(
                    i + 1,
                    MenuNode {
                        item,
                        children: Vec::new(),
                    },
                );
            }
            MenuOp::Remove => {
                children.remove(j);
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: i32) -> MenuItem {
        MenuItem {
            id,
            target: MenuTarget::Link {
                label: format!("l{id}"),
                url: format!("https://x.example/{id}"),
            },
        }
    }

    /// A menu's shape: each top-level id with the ids under it.
    type Shape<'a> = &'a [(i32, &'a [i32])];

    /// A menu of links of this shape.
    fn menu(shape: Shape<'_>) -> Menu {
        Menu {
            nodes: shape
                .iter()
                .map(|(id, children)| MenuNode {
                    item: link(*id),
                    children: children.iter().map(|c| link(*c)).collect(),
                })
                .collect(),
        }
    }

    fn shape(menu: &Menu) -> Vec<(i32, Vec<i32>)> {
        menu.nodes
            .iter()
            .map(|n| (n.item.id, n.children.iter().map(|c| c.id).collect()))
            .collect()
    }

    #[test]
    fn each_button_reshapes_the_menu_or_means_nothing() {
        use MenuOp::*;
        let start: Shape<'_> = &[(1, &[]), (2, &[3, 4]), (5, &[])];
        let cases: &[(i32, MenuOp, Option<Shape<'_>>)] = &[
            (1, Up, None),
            (2, Up, Some(&[(2, &[3, 4]), (1, &[]), (5, &[])])),
            (2, Down, Some(&[(1, &[]), (5, &[]), (2, &[3, 4])])),
            (5, Down, None),
            (3, Up, None),
            (3, Down, Some(&[(1, &[]), (2, &[4, 3]), (5, &[])])),
            (4, Down, None),
            (5, Indent, Some(&[(1, &[]), (2, &[3, 4, 5])])),
            (2, Indent, None),
            (1, Indent, None),
            (3, Indent, None),
            (3, Outdent, Some(&[(1, &[]), (2, &[4]), (3, &[]), (5, &[])])),
            (1, Outdent, None),
            (2, Remove, Some(&[(1, &[]), (3, &[]), (4, &[]), (5, &[])])),
            (4, Remove, Some(&[(1, &[]), (2, &[3]), (5, &[])])),
            (9, Remove, None),
        ];
        for (id, op, expected) in cases {
            let mut m = menu(start);
            let done = m.apply(*id, *op);
            match expected {
                Some(after) => {
                    assert!(done, "{op:?} {id}");
                    assert_eq!(shape(&m), shape(&menu(after)), "{op:?} {id}");
                }
                None => {
                    assert!(!done, "{op:?} {id} means nothing");
                    assert_eq!(shape(&m), shape(&menu(start)), "{op:?} {id}");
                }
            }
        }
    }

    #[test]
    fn pages_are_found_and_a_full_menu_takes_no_more() {
        let mut m = Menu::default();
        assert!(m.push(MenuTarget::Page { entry_id: 7 }));
        assert!(m.has_page(7) && !m.has_page(8));
        for _ in 1..MAX_MENU_ITEMS {
            assert!(m.push(MenuTarget::Archive {
                kind: EntryKind::News
            }));
        }
        assert!(!m.push(MenuTarget::Page { entry_id: 8 }));
    }

    #[test]
    fn an_external_link_needs_a_label_and_a_web_address() {
        let ok = MenuTarget::Link {
            label: "Massar".into(),
            url: "https://massar.men.gov.ma".into(),
        };
        assert!(ok.validate().is_empty());
        let bad = MenuTarget::Link {
            label: " ".into(),
            url: "javascript:alert(1)".into(),
        };
        let errors = bad.validate();
        assert_eq!(errors.problems("label")[0].code, "menu_label");
        assert_eq!(errors.problems("url")[0].code, "settings_url");
    }
}

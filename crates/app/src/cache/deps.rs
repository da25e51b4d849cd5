//! What a cached page shows, and what a change touches, in one vocabulary:
//! a page is dropped from the cache exactly when a change touches one of
//! its dependencies. Pure functions, tested as tables.

use serde::{Deserialize, Serialize};
use tawasul_domain::{EntryKind, Locale};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Dep {
    /// Everything: a reload of the whole network.
    All,
    /// The root of a one-domain deployment and the network's 404.
    Network,
    /// What every page of a site shows: its names, navigation (menu pages),
    /// theme, template overrides, categories, contact.
    Chrome {
        site: i32,
    },
    /// An entry's own page, and the pages that link to it as a translation.
    Entry {
        id: i32,
    },
    /// Lists of a kind in a language: its archive, the home, the feed.
    Kind {
        site: i32,
        locale: Locale,
        kind: EntryKind,
    },
    Category {
        id: i32,
    },
    Tag {
        site: i32,
        id: i32,
    },
    Programme {
        site: i32,
        id: i32,
    },
    /// The section of a parent's home that shows what its children featured.
    FromChildren {
        parent: i32,
        locale: Locale,
    },
    Sitemap {
        site: i32,
    },
}

/// A public page, as far as caching is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    Home {
        locale: Locale,
    },
    Archive {
        locale: Locale,
        kind: EntryKind,
    },
    Category {
        id: i32,
    },
    Tag {
        id: i32,
    },
    Programme {
        id: i32,
    },
    Entry {
        id: i32,
        translations: Vec<i32>,
    },
    Feed {
        locale: Locale,
    },
    Sitemap,
    /// robots.txt and the 404 page: only the site's chrome.
    Plain,
}

/// The dependencies of a page of `site`.
pub fn page_deps(site: i32, page: &PageKind) -> Vec<Dep> {
    let mut deps = vec![Dep::Chrome { site }];
    match page {
        PageKind::Home { locale } => {
            deps.extend(EntryKind::ARCHIVED.iter().map(|&kind| Dep::Kind {
                site,
                locale: *locale,
                kind,
            }));
            deps.push(Dep::FromChildren {
                parent: site,
                locale: *locale,
            });
        }
        PageKind::Archive { locale, kind } => deps.push(Dep::Kind {
            site,
            locale: *locale,
            kind: *kind,
        }),
        PageKind::Category { id } => deps.push(Dep::Category { id: *id }),
        PageKind::Tag { id } => deps.push(Dep::Tag { site, id: *id }),
        PageKind::Programme { id } => deps.push(Dep::Programme { site, id: *id }),
        PageKind::Entry { id, translations } => {
            deps.push(Dep::Entry { id: *id });
            deps.extend(translations.iter().map(|&id| Dep::Entry { id }));
        }
        PageKind::Feed { locale } => {
            deps.extend(EntryKind::ARCHIVED.iter().map(|&kind| Dep::Kind {
                site,
                locale: *locale,
                kind,
            }));
        }
        PageKind::Sitemap => deps.push(Dep::Sitemap { site }),
        PageKind::Plain => {}
    }
    deps
}

/// What readers can see of an entry, before or after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFacts {
    pub id: i32,
    pub site: i32,
    pub parent: Option<i32>,
    pub locale: Locale,
    pub kind: EntryKind,
    pub public: bool,
    pub category: Option<i32>,
    pub tags: Vec<i32>,
    pub programmes: Vec<i32>,
    pub featured_on_parent: bool,
    pub in_menu: bool,
    pub translations: Vec<i32>,
}

/// What a change of an entry touches, from what it was (`None`: it did not
/// exist) to what it is (`None`: it is gone).
pub fn entry_change_deps(before: Option<&EntryFacts>, after: Option<&EntryFacts>) -> Vec<Dep> {
    let mut deps = Vec::new();
    // A state nobody can read (a draft) shows nowhere: it touches nothing.
    for facts in [before, after].into_iter().flatten().filter(|f| f.public) {
        deps.push(Dep::Entry { id: facts.id });
        deps.extend(facts.translations.iter().map(|&id| Dep::Entry { id }));
        let site = facts.site;
        if facts.kind.has_archive() {
            deps.push(Dep::Kind {
                site,
                locale: facts.locale,
                kind: facts.kind,
            });
        }
        if facts.kind == EntryKind::Page && facts.in_menu {
            deps.push(Dep::Chrome { site });
        }
        deps.extend(facts.category.map(|id| Dep::Category { id }));
        deps.extend(facts.tags.iter().map(|&id| Dep::Tag { site, id }));
        deps.extend(
            facts
                .programmes
                .iter()
                .map(|&id| Dep::Programme { site, id }),
        );
        if let (true, Some(parent)) = (facts.featured_on_parent, facts.parent) {
            deps.push(Dep::FromChildren {
                parent,
                locale: facts.locale,
            });
        }
        deps.push(Dep::Sitemap { site });
    }
    deps.sort_by_key(|d| format!("{d:?}"));
    deps.dedup();
    deps
}

/// What a change of a site's settings touches: its pages, and the pages of
/// its parent and children that show its name.
pub fn site_change_deps(site: i32, parent: Option<i32>, children: &[i32]) -> Vec<Dep> {
    let mut deps = vec![Dep::Network, Dep::Chrome { site }];
    deps.extend(parent.map(|site| Dep::Chrome { site }));
    deps.extend(children.iter().map(|&site| Dep::Chrome { site }));
    deps
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryKind::*;
    use Locale::*;

    fn news(public: bool) -> EntryFacts {
        EntryFacts {
            id: 7,
            site: 2,
            parent: Some(1),
            locale: Ar,
            kind: News,
            public,
            category: Some(30),
            tags: vec![40],
            programmes: vec![50],
            featured_on_parent: false,
            in_menu: false,
            translations: vec![8],
        }
    }

    fn touches(changes: &[Dep], page: &[Dep]) -> bool {
        page.iter().any(|d| changes.contains(d))
    }

    /// For each change, which pages of which sites must be dropped.
    #[test]
    fn a_change_reaches_exactly_the_pages_that_show_it() {
        let publish = entry_change_deps(Some(&news(false)), Some(&news(true)));
        let edit_draft = entry_change_deps(Some(&news(false)), Some(&news(false)));
        let mut featured = news(true);
        featured.featured_on_parent = true;
        let feature = entry_change_deps(Some(&news(true)), Some(&featured));
        let mut menu_page = news(true);
        menu_page.kind = Page;
        menu_page.in_menu = true;
        let edit_menu_page = entry_change_deps(Some(&menu_page), Some(&menu_page));

        let pages = [
            (
                "its page",
                page_deps(
                    2,
                    &PageKind::Entry {
                        id: 7,
                        translations: vec![],
                    },
                ),
                [true, false, true, true],
            ),
            (
                "its translation's page",
                page_deps(
                    2,
                    &PageKind::Entry {
                        id: 8,
                        translations: vec![7],
                    },
                ),
                [true, false, true, true],
            ),
            (
                "another entry of the site",
                page_deps(
                    2,
                    &PageKind::Entry {
                        id: 9,
                        translations: vec![],
                    },
                ),
                [false, false, false, true],
            ),
            (
                "its site's Arabic home",
                page_deps(2, &PageKind::Home { locale: Ar }),
                [true, false, true, true],
            ),
            (
                "its site's French home",
                page_deps(2, &PageKind::Home { locale: Fr }),
                [false, false, false, true],
            ),
            (
                "its kind's archive",
                page_deps(
                    2,
                    &PageKind::Archive {
                        locale: Ar,
                        kind: News,
                    },
                ),
                [true, false, true, true],
            ),
            (
                "another kind's archive",
                page_deps(
                    2,
                    &PageKind::Archive {
                        locale: Ar,
                        kind: Event,
                    },
                ),
                [false, false, false, true],
            ),
            (
                "its category",
                page_deps(2, &PageKind::Category { id: 30 }),
                [true, false, true, true],
            ),
            (
                "another category",
                page_deps(2, &PageKind::Category { id: 31 }),
                [false, false, false, true],
            ),
            (
                "its tag",
                page_deps(2, &PageKind::Tag { id: 40 }),
                [true, false, true, true],
            ),
            (
                "its tag on another site",
                page_deps(3, &PageKind::Tag { id: 40 }),
                [false, false, false, false],
            ),
            (
                "its programme",
                page_deps(2, &PageKind::Programme { id: 50 }),
                [true, false, true, true],
            ),
            (
                "the feed",
                page_deps(2, &PageKind::Feed { locale: Ar }),
                [true, false, true, true],
            ),
            (
                "the sitemap",
                page_deps(2, &PageKind::Sitemap),
                [true, false, true, true],
            ),
            (
                "the academy's home",
                page_deps(1, &PageKind::Home { locale: Ar }),
                [false, false, true, false],
            ),
            (
                "a sibling's home",
                page_deps(3, &PageKind::Home { locale: Ar }),
                [false, false, false, false],
            ),
            (
                "the site's 404",
                page_deps(2, &PageKind::Plain),
                [false, false, false, true],
            ),
        ];
        for (name, page, [on_publish, on_draft_edit, on_feature, on_menu_edit]) in pages {
            assert_eq!(touches(&publish, &page), on_publish, "publishing: {name}");
            assert_eq!(
                touches(&edit_draft, &page),
                on_draft_edit,
                "editing a draft: {name}"
            );
            assert_eq!(
                touches(&feature, &page),
                on_feature,
                "featuring on the academy: {name}"
            );
            assert_eq!(
                touches(&edit_menu_page, &page),
                on_menu_edit,
                "editing a menu page: {name}"
            );
        }
    }

    #[test]
    fn moving_an_entry_drops_both_its_old_and_new_lists() {
        let before = news(true);
        let mut after = news(true);
        after.category = Some(31);
        after.kind = Event;
        let deps = entry_change_deps(Some(&before), Some(&after));
        assert!(
            deps.contains(&Dep::Category { id: 30 }) && deps.contains(&Dep::Category { id: 31 })
        );
        assert!(deps.contains(&Dep::Kind {
            site: 2,
            locale: Ar,
            kind: News
        }));
        assert!(deps.contains(&Dep::Kind {
            site: 2,
            locale: Ar,
            kind: Event
        }));
    }

    #[test]
    fn renaming_a_site_reaches_its_family_and_the_network() {
        let deps = site_change_deps(2, Some(1), &[5, 6]);
        for page in [
            page_deps(2, &PageKind::Sitemap),
            page_deps(1, &PageKind::Home { locale: Ar }),
            page_deps(5, &PageKind::Plain),
        ] {
            assert!(touches(&deps, &page));
        }
        assert!(!touches(
            &deps,
            &page_deps(3, &PageKind::Home { locale: Ar })
        ));
        assert!(deps.contains(&Dep::Network));
    }
}

//! A site's home page: featured entries, the latest of each kind, and on
//! a parent what its children featured.

use super::*;

impl Page<'_> {
    pub(super) async fn home(&self) -> Result<PublicResponse, AppError> {
        // An announcement whose last day has passed leaves the home page
        // (it stays in its archive and at its address); the watcher drops
        // the home pages when the day changes.
        let today = OffsetDateTime::now_utc().to_offset(self.offset()).date();
        let base = EntryQuery {
            site_ids: vec![self.site.id],
            locale: Some(self.locale.as_str().to_owned()),
            open_on: Some(today),
            ..Default::default()
        };
        // Every list of the page in one round trip: featured first, then
        // the latest of each kind, then what children featured here.
        let mut lists = vec![(
            EntryQuery {
                featured: Some(true),
                ..base.clone()
            },
            HOME_FEATURED,
        )];
        for kind in EntryKind::ARCHIVED {
            let query = EntryQuery {
                kind: Some(kind.as_str().to_owned()),
                ..base.clone()
            };
            lists.push((query, HOME_PER_KIND + HOME_FEATURED));
        }
        if !self.site.children.is_empty() {
            let query = EntryQuery {
                site_ids: self.site.children.clone(),
                locale: Some(self.locale.as_str().to_owned()),
                featured_on_parent: Some(true),
                open_on: Some(today),
                ..Default::default()
            };
            lists.push((query, HOME_FROM_NETWORK));
        }
        let mut lists = self
            .app
            .store()
            .latest_public_lists(&lists)
            .await?
            .into_iter();
        let featured = lists.next().unwrap_or_default();
        // What is featured stays out of the sections below it: one entry,
        // one place on the page.
        let featured_ids: Vec<i32> = featured.iter().map(|r| r.id).collect();
        let mut sections = Vec::new();
        for kind in EntryKind::ARCHIVED {
            let mut rows = lists.next().unwrap_or_default();
            rows.retain(|r| !featured_ids.contains(&r.id));
            rows.truncate(HOME_PER_KIND as usize);
            if !rows.is_empty() {
                sections.push(Section {
                    kind: kind.as_str(),
                    title: self.strings.get(&format!("kinds.{}", kind.as_str())),
                    archive_url: self.url(&self.paths().archive(self.locale, kind)),
                    entries: rows.iter().map(|r| self.card(r)).collect(),
                });
            }
        }
        let from_network = lists.next().unwrap_or_default();
        let path = self.paths().home(self.locale);
        let mut meta = self.meta(
            self.site.name(self.locale).to_owned(),
            self.site.tagline(self.locale).to_owned(),
            &path,
        );
        let mut urls = HashMap::new();
        for l in self.site.locales() {
            let home = self.paths().home(l);
            meta.alternates.push(Alternate {
                lang: l.as_str(),
                url: self.absolute(&home),
            });
            urls.insert(l, self.url(&home));
        }
        let shown = featured.len()
            + from_network.len()
            + sections.iter().map(|s| s.entries.len()).sum::<usize>();
        let other_language = self.mostly_elsewhere(shown);
        let featured: Vec<Card> = featured.iter().map(|r| self.card(r)).collect();
        let from_network: Vec<Card> = from_network.iter().map(|r| self.card(r)).collect();
        self.render("home.html", 200, meta, "home", urls, |c| {
            c.insert("featured", &featured);
            c.insert("sections", &sections);
            c.insert("from_network", &from_network);
            c.insert("other_language", &other_language);
        })
        .await
    }

    /// The home in the site's second language, with `shown` entries: when
    /// it has few, it says that most news is in the site's main language
    /// and links there, rather than looking like a site with nothing to say.
    fn mostly_elsewhere(&self, shown: usize) -> Option<OtherLanguage> {
        let main = self.site.default_locale;
        if self.locale == main || shown >= FEW_ON_A_HOME {
            return None;
        }
        Some(OtherLanguage {
            lang: main.as_str(),
            text: self
                .strings
                .get(&format!("home.mostly_in_{}", main.as_str())),
            link: self.strings.get(&format!("home.read_in_{}", main.as_str())),
            url: self.url(&self.paths().home(main)),
        })
    }
}

/// Fewer entries than this on a second-language home, and it points to
/// the main language's.
const FEW_ON_A_HOME: usize = 4;

/// Where most of a site's news is, for the home of its other language.
#[derive(Debug, Clone, serde::Serialize)]
struct OtherLanguage {
    lang: &'static str,
    text: String,
    link: String,
    url: String,
}

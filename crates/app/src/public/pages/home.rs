//! A site's home page: featured entries, the latest of each kind, and on
//! a parent what its children featured.

use super::*;

impl Page<'_> {
    pub(super) async fn home(&self) -> Result<PublicResponse, AppError> {
        let store = self.app.store();
        let base = EntryQuery {
            site_ids: vec![self.site.id],
            locale: Some(self.locale.as_str().to_owned()),
            ..Default::default()
        };
        let featured = store
            .latest_public(
                &EntryQuery {
                    featured: Some(true),
                    ..base.clone()
                },
                HOME_FEATURED,
            )
            .await?;
        // What is featured stays out of the sections below it: one entry,
        // one place on the page.
        let featured_ids: Vec<i32> = featured.iter().map(|r| r.id).collect();
        let mut sections = Vec::new();
        for kind in EntryKind::ARCHIVED {
            let mut rows = store
                .latest_public(
                    &EntryQuery {
                        kind: Some(kind.as_str().to_owned()),
                        ..base.clone()
                    },
                    HOME_PER_KIND + HOME_FEATURED,
                )
                .await?;
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
        let from_network = if self.site.children.is_empty() {
            Vec::new()
        } else {
            store
                .latest_public(
                    &EntryQuery {
                        site_ids: self.site.children.clone(),
                        locale: Some(self.locale.as_str().to_owned()),
                        featured_on_parent: Some(true),
                        ..Default::default()
                    },
                    HOME_FROM_NETWORK,
                )
                .await?
        };
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
        let featured: Vec<Card> = featured.iter().map(|r| self.card(r)).collect();
        let from_network: Vec<Card> = from_network.iter().map(|r| self.card(r)).collect();
        self.render("home.html", 200, meta, "home", urls, |c| {
            c.insert("featured", &featured);
            c.insert("sections", &sections);
            c.insert("from_network", &from_network);
        })
        .await
    }
}

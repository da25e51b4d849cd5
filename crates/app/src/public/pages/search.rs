//! The public search page: the reader's words through the search index,
//! narrowed by kind, programme, category, a site below this one and
//! publication dates, in relevance or date order. A site's search covers
//! the sites below it, so an academy's finds its directorates' news.

use tawasul_domain::SiteKind;
use time::macros::format_description;
use time::{Date, Time};

use super::*;

/// The filters a reader chose, each checked against the network. What does
/// not check out is dropped rather than refused: links in the wild carry
/// all sorts, and the form offers only real values.
#[derive(Debug, Default, Clone, PartialEq)]
struct Filters {
    kind: Option<EntryKind>,
    programme: Option<String>,
    category: Option<String>,
    /// A site below the one searched (its slug).
    site: Option<String>,
    from: Option<Date>,
    to: Option<Date>,
    newest: bool,
}

/// Whether `below` is a site under `site` (a directorate of an academy,
/// a school of a directorate), not the site itself.
fn is_below(network: &Network, below: &Site, site: &Site) -> bool {
    below.id != site.id && network.lineage(below.id).iter().any(|a| a.id == site.id)
}

/// A parameter's value, unless it is missing or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Filters {
    fn chosen(query: &PageQuery, network: &Network, site: &Site) -> Filters {
        let (from, to) = ordered(
            given(&query.from).and_then(parse_day),
            given(&query.to).and_then(parse_day),
        );
        Filters {
            kind: given(&query.kind)
                .and_then(|k| k.parse::<EntryKind>().ok())
                .filter(|k| k.has_archive()),
            programme: given(&query.programme)
                .filter(|p| network.programme_by_slug(p).is_some())
                .map(str::to_owned),
            category: given(&query.category)
                .filter(|c| site.category_by_slug(c).is_some())
                .map(str::to_owned),
            site: given(&query.site)
                .filter(|s| {
                    network
                        .site_by_slug(s)
                        .is_some_and(|below| is_below(network, below, site))
                })
                .map(str::to_owned),
            from,
            to,
            newest: given(&query.order) == Some("newest"),
        }
    }

    /// Anything but the words and the order is chosen.
    fn any(&self) -> bool {
        self.kind.is_some()
            || self.programme.is_some()
            || self.category.is_some()
            || self.site.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }

    /// The query string that repeats this search on another page.
    fn query_string(&self, words: &str) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("q", words);
        if let Some(kind) = self.kind {
            out.append_pair("kind", kind.as_str());
        }
        for (key, value) in [
            ("programme", &self.programme),
            ("category", &self.category),
            ("site", &self.site),
        ] {
            if let Some(value) = value {
                out.append_pair(key, value);
            }
        }
        for (key, day) in [("from", self.from), ("to", self.to)] {
            if let Some(day) = day {
                out.append_pair(key, &day_text(day));
            }
        }
        if self.newest {
            out.append_pair("order", "newest");
        }
        out.finish()
    }
}

/// The site whose search a reader is offered from `site`'s: the academy
/// above it, else the topmost site above; none for a site with nothing
/// above.
fn wider_site<'n>(network: &'n Network, site: &Site) -> Option<&'n Site> {
    let above: Vec<&Site> = network.lineage(site.id).into_iter().skip(1).collect();
    above
        .iter()
        .find(|s| s.kind == SiteKind::Academy)
        .or(above.last())
        .copied()
}

/// How many of the wider site's hits the offer shows.
const WIDER_CARDS: usize = 3;

/// `2026-11-03` as a day; anything else (or a year outside 2000–2100,
/// which no one publishing today means) is not a date.
fn parse_day(text: &str) -> Option<Date> {
    let day = Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    (2000..=2100).contains(&day.year()).then_some(day)
}

fn day_text(day: Date) -> String {
    day.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Dates typed the wrong way round are read the right way round.
fn ordered(from: Option<Date>, to: Option<Date>) -> (Option<Date>, Option<Date>) {
    match (from, to) {
        (Some(f), Some(t)) if f > t => (Some(t), Some(f)),
        other => other,
    }
}

/// From the first instant of the first day to the last instant of the
/// last day, as the site's people count days.
fn instants(
    from: Option<Date>,
    to: Option<Date>,
    offset: UtcOffset,
) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let start = from.map(|d| d.with_time(Time::MIDNIGHT).assume_offset(offset));
    let end = to.map(|d| d.with_time(Time::MAX).assume_offset(offset));
    (start, end)
}

impl Page<'_> {
    pub(super) async fn search(
        &self,
        query: &PageQuery,
        page: u64,
    ) -> Result<PublicResponse, AppError> {
        let raw = query.q.as_deref().unwrap_or("").trim();
        let words: Vec<String> = raw
            .split_whitespace()
            .take(MAX_SEARCH_WORDS)
            .map(|w| w.chars().take(50).collect())
            .collect();
        let per_page = self.app.config.site.per_page;
        let filters = Filters::chosen(query, self.network, self.site);
        let (from, to) = instants(filters.from, filters.to, self.offset());
        let mut snippets = HashMap::new();
        let (mut partial, mut unavailable) = (false, false);
        let found = if words.is_empty() {
            Ok(None)
        } else {
            self.app
                .search_entries(
                    None,
                    tawasul_search::Query {
                        text: raw.chars().take(1_000).collect(),
                        kinds: filters.kind.iter().map(|k| k.as_str().to_owned()).collect(),
                        programmes: filters.programme.iter().cloned().collect(),
                        category: filters.category.clone(),
                        from,
                        to,
                        order: if filters.newest {
                            tawasul_search::Order::Newest
                        } else {
                            tawasul_search::Order::Relevance
                        },
                        sites: vec![filters
                            .site
                            .clone()
                            .unwrap_or_else(|| self.site.slug.clone())],
                        page: u32::try_from(page).unwrap_or(u32::MAX),
                        per_page: u32::try_from(per_page).unwrap_or(20),
                        ..Default::default()
                    },
                    false,
                )
                .await
        };
        let found = match found {
            Err(AppError::Search(e)) => {
                // The engine does not answer: the page says so and searches
                // by scan; the index log waits for the engine.
                tracing::warn!(error = %e, "search engine unavailable; searching by scan");
                unavailable = true;
                Ok(None)
            }
            other => other,
        }?;
        // A server that could not reach Meilisearch at start has no index
        // yet: the same scan, the same sentence.
        unavailable |=
            found.is_none() && !words.is_empty() && self.app.config.search.is_meilisearch();
        let result = if words.is_empty() {
            tawasul_store::Page {
                items: Vec::new(),
                total: 0,
            }
        } else if let Some(hits) = found {
            partial = hits.partial;
            let ids: Vec<i32> = hits
                .hits
                .iter()
                .filter_map(|h| i32::try_from(h.id).ok())
                .collect();
            let mut rows = self.app.store().public_summaries_by_ids(&ids).await?;
            rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
            for hit in hits.hits {
                if let Ok(id) = i32::try_from(hit.id) {
                    snippets.insert(id, hit.snippet);
                }
            }
            tawasul_store::Page {
                items: rows,
                total: hits.total,
            }
        } else {
            // No index on this server (it failed to open): the words
            // still find titles and summaries, without the filters.
            self.app
                .store()
                .search_public(&[self.site.id], &words, page, per_page)
                .await?
        };
        let title = if raw.is_empty() {
            self.strings.get("search.title")
        } else {
            self.strings.fill("search.results_for", &[("q", raw)])
        };
        let q_param = (!raw.is_empty()).then(|| filters.query_string(raw));
        let paths = self.paths();
        let mut form = self.search_form(raw, &filters, result.total);
        form.partial = partial;
        form.unavailable = unavailable;
        if !words.is_empty() && !unavailable && page <= 1 {
            form.wider = self.wider_search(raw, &filters, from, to).await?;
        }
        self.list_page(
            result,
            page,
            title,
            None,
            None,
            |l| paths.search(l),
            "search",
            q_param,
            snippets,
            Some(form),
        )
        .await
    }

    /// The same search on the site above, offered when it finds entries
    /// from outside this site. A site-specific filter (a category, a site
    /// below) has no meaning there, so such a search offers nothing.
    async fn wider_search(
        &self,
        raw: &str,
        filters: &Filters,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> Result<Option<WiderSearch>, AppError> {
        if filters.category.is_some() || filters.site.is_some() {
            return Ok(None);
        }
        let Some(wider) = wider_site(self.network, self.site) else {
            return Ok(None);
        };
        let query = tawasul_search::Query {
            text: raw.chars().take(1_000).collect(),
            kinds: filters.kind.iter().map(|k| k.as_str().to_owned()).collect(),
            programmes: filters.programme.iter().cloned().collect(),
            from,
            to,
            order: if filters.newest {
                tawasul_search::Order::Newest
            } else {
                tawasul_search::Order::Relevance
            },
            sites: vec![wider.slug.clone()],
            page: 1,
            per_page: 10,
            ..Default::default()
        };
        let hits = match self.app.search_entries(None, query, false).await {
            // Entries holding only some of the words are no reason to send
            // the reader elsewhere.
            Ok(Some(hits)) if hits.partial => return Ok(None),
            Ok(Some(hits)) => hits,
            // The offer is a courtesy: without an engine there is none.
            Ok(None) | Err(AppError::Search(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let here = |slug: &str| {
            self.network
                .site_by_slug(slug)
                .is_some_and(|s| s.id == self.site.id || is_below(self.network, s, self.site))
        };
        let ids: Vec<i32> = hits
            .hits
            .iter()
            .filter(|h| !here(&h.site))
            .filter_map(|h| i32::try_from(h.id).ok())
            .take(WIDER_CARDS)
            .collect();
        if ids.is_empty() {
            return Ok(None);
        }
        let mut rows = self.app.store().public_summaries_by_ids(&ids).await?;
        rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
        let unfiltered = Filters {
            category: None,
            site: None,
            ..filters.clone()
        };
        let path = Paths { site: wider }.search(self.locale);
        Ok(Some(WiderSearch {
            site_name: wider.name(self.locale).to_owned(),
            url: format!(
                "{}?{}",
                self.other_site_url(wider, &path),
                unfiltered.query_string(raw)
            ),
            total: hits.total.to_string(),
            cards: rows.iter().map(|r| self.card(r)).collect(),
        }))
    }

    fn search_form(&self, raw: &str, filters: &Filters, total: u64) -> SearchForm {
        let label = |ar: &str, fr: &str| localized(self.locale, ar, fr).to_owned();
        let choice = |value: &str, label: String, selected: bool| Choice {
            value: value.to_owned(),
            label,
            selected,
        };
        let below: Vec<Choice> = self
            .network
            .sites()
            .iter()
            .filter(|s| is_below(self.network, s, self.site))
            .map(|s| {
                choice(
                    &s.slug,
                    s.name(self.locale).to_owned(),
                    filters.site.as_deref() == Some(s.slug.as_str()),
                )
            })
            .collect();
        SearchForm {
            action: self.url(&self.paths().search(self.locale)),
            q: raw.to_owned(),
            kinds: EntryKind::ARCHIVED
                .iter()
                .map(|k| {
                    choice(
                        k.as_str(),
                        self.strings.get(&format!("kinds.{}", k.as_str())),
                        Some(*k) == filters.kind,
                    )
                })
                .collect(),
            programmes: self
                .network
                .programmes
                .iter()
                .map(|p| {
                    choice(
                        &p.slug,
                        label(&p.name_ar, &p.name_fr),
                        filters.programme.as_deref() == Some(p.slug.as_str()),
                    )
                })
                .collect(),
            categories: self
                .site
                .categories
                .iter()
                .map(|c| {
                    choice(
                        &c.slug,
                        label(&c.name_ar, &c.name_fr),
                        filters.category.as_deref() == Some(c.slug.as_str()),
                    )
                })
                .collect(),
            sites: below,
            from: filters.from.map(day_text).unwrap_or_default(),
            to: filters.to.map(day_text).unwrap_or_default(),
            newest: filters.newest,
            filtered: filters.any(),
            total: total.to_string(),
            partial: false,
            unavailable: false,
            wider: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, offset};

    #[test]
    fn days_are_read_only_when_they_are_real_dates_people_mean() {
        let cases: &[(&str, Option<Date>)] = &[
            ("2026-11-03", Some(date!(2026 - 11 - 03))),
            ("2026-02-29", None),
            ("2026-13-01", None),
            ("03/11/2026", None),
            ("", None),
            ("9999-01-01", None),
            ("1900-01-01", None),
            ("2026-11-03T10:00", None),
            ("'; DROP TABLE entries; --", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_day(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn dates_typed_the_wrong_way_round_are_swapped() {
        let (a, b) = (date!(2026 - 01 - 10), date!(2026 - 03 - 01));
        assert_eq!(ordered(Some(b), Some(a)), (Some(a), Some(b)));
        assert_eq!(ordered(Some(a), Some(b)), (Some(a), Some(b)));
        assert_eq!(ordered(None, Some(a)), (None, Some(a)));
        assert_eq!(ordered(Some(b), None), (Some(b), None));
    }

    #[test]
    fn a_day_runs_from_midnight_to_midnight_in_the_sites_time() {
        let day = date!(2026 - 11 - 03);
        let (start, end) = instants(Some(day), Some(day), offset!(+1));
        assert_eq!(start, Some(datetime!(2026-11-02 23:00 UTC)));
        let end = end.expect("an end");
        assert!(end > datetime!(2026-11-03 22:59:59 UTC));
        assert!(end < datetime!(2026-11-03 23:00 UTC));
    }

    #[test]
    fn a_search_repeats_itself_on_the_next_page_with_its_filters() {
        let filters = Filters {
            kind: Some(EntryKind::News),
            programme: Some("massar".into()),
            from: Some(date!(2026 - 09 - 01)),
            newest: true,
            ..Filters::default()
        };
        assert_eq!(
            filters.query_string("مسار & co"),
            "q=%D9%85%D8%B3%D8%A7%D8%B1+%26+co&kind=news&programme=massar&from=2026-09-01&order=newest"
        );
        assert!(filters.any());
        assert!(!Filters::default().any());
    }
}

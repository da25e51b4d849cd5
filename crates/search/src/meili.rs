//! The Meilisearch backend (cargo feature `meilisearch`).
//!
//! One index for the whole network, filtered by site. Meilisearch's own
//! Arabic handling does not stem and is unreliable with the article, so
//! each document carries a shadow of its title, tags and text as analysed
//! by [`crate::analysis`] (`*_stem` fields), and queries are analysed the
//! same way and searched on those fields only. The original text is kept
//! for display and for our own snippets (escaped, like the embedded
//! backend's); Meilisearch's highlighted fragments are never used, so no
//! HTML from the server reaches a page.
//!
//! Writes wait for their task, so a change is visible to the next search
//! when `upsert`/`remove`/`clear` returns.

use std::collections::BTreeMap;
use std::time::Duration;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::ErrorCode;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{
    LocalizedAttributes, MinWordSizeForTypos, PrefixSearchSettings, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::analysis::{analyze, without_proclitic};
use crate::query::{parse, Clause, ParsedQuery, QueryWord};
use crate::snippet::{snippet, Matcher};
use crate::{
    BoxFuture, Document, Facets, Hit, Hits, Order, Query, Result, SearchError, SearchIndex,
};

/// How to reach Meilisearch.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeiliConfig {
    /// Base URL, e.g. `http://127.0.0.1:7700`.
    pub url: String,
    /// API key (a key allowed to search, write documents and change the
    /// settings of the index).
    pub api_key: Option<String>,
    /// Index uid.
    pub index: String,
}

impl Default for MeiliConfig {
    fn default() -> Self {
        MeiliConfig {
            url: "http://127.0.0.1:7700".to_owned(),
            api_key: None,
            index: "tawasul_entries".to_owned(),
        }
    }
}

impl std::fmt::Debug for MeiliConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliConfig")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("index", &self.index)
            .finish()
    }
}

/// How long a write may wait for its task.
const TASK_TIMEOUT: Duration = Duration::from_secs(60);
const TASK_POLL: Duration = Duration::from_millis(25);
/// Languages of the text, for Meilisearch's tokenizer and language detection.
const LOCALES: [&str; 2] = ["ara", "fra"];
const SEARCHED: [&str; 3] = ["title_stem", "tags_stem", "text_stem"];
const RETRIEVED: [&str; 7] = [
    "id",
    "site",
    "kind",
    "title",
    "summary",
    "body",
    "published_ms",
];

/// A document as stored in Meilisearch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct MeiliDoc {
    id: i64,
    site: String,
    /// The site and its ancestors.
    ancestors: Vec<String>,
    kind: String,
    locale: String,
    status: String,
    category: Option<String>,
    programmes: Vec<String>,
    tags: Vec<String>,
    /// Milliseconds since 1970 (exact in a JSON number); null when unpublished.
    published_ms: Option<i64>,
    title: String,
    summary: String,
    body: String,
    title_stem: String,
    tags_stem: String,
    text_stem: String,
}

/// The analysed shadow of a text: each word's stem, then the other reading
/// of a first particle and the word's other forms (queries send the one
/// term every form carries: [`QueryWord::key`]).
///
/// A term with a first ب ل ك ف is also carried without it (بفجيج: بفجيج,
/// فجيج and جيج; الفارابي: فاراب and اراب): a query sends one term, the
/// alternative of what was typed, so فجيج (sent as جيج) finds بفجيج and
/// فارابي finds الفارابي, as the embedded index's "stem or alternative"
/// does.
fn shadow(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in analyze(text) {
        let deeper: Vec<String> = w.terms().filter_map(without_proclitic).collect();
        let mut seen: Vec<&str> = Vec::new();
        for s in w.terms().chain(deeper.iter().map(String::as_str)) {
            if seen.contains(&s) {
                continue;
            }
            seen.push(s);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(s);
        }
    }
    out
}

impl From<&Document> for MeiliDoc {
    fn from(d: &Document) -> Self {
        let mut ancestors = vec![d.site.clone()];
        ancestors.extend(d.ancestors.iter().cloned());
        MeiliDoc {
            id: d.id,
            site: d.site.clone(),
            ancestors,
            kind: d.kind.clone(),
            locale: d.locale.clone(),
            status: d.status.clone(),
            category: d.category.clone(),
            programmes: d.programmes.clone(),
            tags: d.tags.clone(),
            published_ms: d
                .published_at
                .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()),
            title: d.title.clone(),
            summary: d.summary.clone(),
            body: d.body.clone(),
            title_stem: shadow(&d.title),
            tags_stem: shadow(&d.tags.join(" ; ")),
            text_stem: format!("{} ; {}", shadow(&d.summary), shadow(&d.body)),
        }
    }
}

/// The Meilisearch search index.
pub struct MeiliIndex {
    client: Client,
    index: Index,
}

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("index", &self.index.uid)
            .finish()
    }
}

impl MeiliIndex {
    /// Connects, creates the index if needed and applies its settings
    /// (waiting until they are in force).
    pub async fn connect(config: MeiliConfig) -> Result<Self> {
        let client = Client::new(config.url.clone(), config.api_key.clone())?;
        let created = client.create_index(&config.index, Some("id")).await?;
        let task = created
            .wait_for_completion(&client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await?;
        if task.is_failure() {
            let failure = task.unwrap_failure();
            if failure.error_code != ErrorCode::IndexAlreadyExists {
                return Err(SearchError::MeiliTask(failure.error_message));
            }
        }
        let index = client.index(&config.index);
        let this = MeiliIndex { client, index };
        let settings = Settings::new()
            .with_searchable_attributes(SEARCHED)
            .with_filterable_attributes([
                "ancestors",
                "kind",
                "status",
                "category",
                "programmes",
                "published_ms",
                "site",
                "locale",
            ])
            .with_sortable_attributes(["published_ms"])
            .with_displayed_attributes(RETRIEVED)
            // `sort` first: newest-first is an order, not a tie-break
            // after relevance; without a sort in the query it does nothing.
            .with_ranking_rules([
                "sort",
                "words",
                "typo",
                "attribute",
                "proximity",
                "exactness",
            ])
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                // Our stems are shorter than the words: a four-letter stem
                // comes from a word of five letters or more.
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(4),
                    two_typos: Some(255),
                }),
                ..TypoToleranceSettings::default()
            })
            .with_localized_attributes([LocalizedAttributes {
                locales: LOCALES.iter().map(|l| (*l).to_owned()).collect(),
                attribute_patterns: SEARCHED.iter().map(|a| (*a).to_owned()).collect(),
            }]);
        let task = this.index.set_settings(&settings).await?;
        this.wait(task).await?;
        // Our terms are whole stems: the last query word is no prefix
        // (مدرس must not find مدرسين's other readings by accident).
        let task = this
            .index
            .set_prefix_search(PrefixSearchSettings::Disabled)
            .await?;
        this.wait(task).await?;
        tracing::info!(index = %this.index.uid, "meilisearch index ready");
        Ok(this)
    }

    async fn wait(&self, task: TaskInfo) -> Result<()> {
        let task = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await?;
        if task.is_failure() {
            return Err(SearchError::MeiliTask(task.unwrap_failure().error_message));
        }
        Ok(())
    }

    async fn run(
        &self,
        text: &str,
        filter: &str,
        q: &Query,
        strategy: MatchingStrategies,
    ) -> Result<meilisearch_sdk::search::SearchResults<MeiliDoc>> {
        let (offset, limit) = q.window();
        let mut search = self.index.search();
        search
            .with_query(text)
            .with_offset(offset)
            .with_limit(limit)
            .with_attributes_to_search_on(&SEARCHED)
            .with_attributes_to_retrieve(Selectors::Some(&RETRIEVED))
            .with_facets(Selectors::Some(&["kind", "site"]))
            .with_locales(&LOCALES)
            .with_matching_strategy(strategy)
            .with_show_ranking_score(true);
        if !filter.is_empty() {
            search.with_filter(filter);
        }
        let newest = ["published_ms:desc"];
        if q.order == Order::Newest {
            search.with_sort(&newest);
        }
        Ok(search.execute::<MeiliDoc>().await?)
    }
}

/// A Meilisearch string literal.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn any_of(attribute: &str, values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| {
        let list: Vec<String> = values.iter().map(|v| quoted(v)).collect();
        format!("{attribute} IN [{}]", list.join(", "))
    })
}

fn millis(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos() / 1_000_000
}

/// The filter expression of a query.
fn filter(q: &Query) -> String {
    let mut parts: Vec<String> = [
        any_of("ancestors", &q.sites),
        any_of("kind", &q.kinds),
        any_of("programmes", &q.programmes),
        any_of("status", &q.statuses),
        q.category
            .as_ref()
            .map(|c| format!("category = {}", quoted(c))),
        q.from.map(|t| format!("published_ms >= {}", millis(t))),
        q.to.map(|t| format!("published_ms <= {}", millis(t))),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.retain(|p| !p.is_empty());
    parts.join(" AND ")
}

/// How strictly the words must match, as in the embedded index: the first
/// pass that finds anything wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// Every word as spelt (modulo analysis): each sent as a one-word
    /// phrase, which Meilisearch matches without typos.
    Exact,
    /// Every word, one typo in the words that tolerate one
    /// ([`QueryWord::fuzzy`]); the others still sent as phrases. A first
    /// و is read as "and" here (وابن as ابن), as the embedded index's
    /// relaxed pass also accepts.
    Typos,
    /// As [`Strictness::Typos`], a first ب ل ك ف read as the word's own
    /// (بيئية as بيئ, which البيئية carries, not يئي): the embedded index
    /// asks for both readings at once, Meilisearch one at a time.
    Readings,
    /// Any word (Meilisearch drops words from the end until something
    /// matches).
    AnyWord,
}

/// The query text sent to Meilisearch: our stems, phrases in quotes.
/// A word is sent as its [`QueryWord::key`], which documents written in
/// any of its spellings and forms carry in their shadow: وزارة as وزار
/// (never زار), بمدرسة as مدرس, الامتحانات as امتح.
fn query_text(parsed: &ParsedQuery, strictness: Strictness) -> String {
    let own_letter = strictness == Strictness::Readings;
    let relaxed = |w: &QueryWord| {
        if w.alt.is_some() && (w.norm.starts_with('و') || own_letter) {
            w.stem.clone()
        } else {
            w.key().to_owned()
        }
    };
    let word = |w: &QueryWord| match strictness {
        Strictness::Exact => format!("\"{}\"", w.key()),
        Strictness::Typos | Strictness::Readings if !w.fuzzy => {
            format!("\"{}\"", relaxed(w))
        }
        // Typos on the stem as typed; its forms are not typed.
        Strictness::Typos | Strictness::Readings => relaxed(w),
        Strictness::AnyWord => w.key().to_owned(),
    };
    let parts: Vec<String> = parsed
        .clauses
        .iter()
        .map(|c| match c {
            Clause::Word(w) => word(w),
            Clause::Phrase(ws) => {
                let stems: Vec<&str> = ws.iter().map(|w| w.strict_stem()).collect();
                format!("\"{}\"", stems.join(" "))
            }
        })
        .collect();
    parts.join(" ")
}

fn facet(
    distribution: Option<
        &std::collections::HashMap<String, std::collections::HashMap<String, usize>>,
    >,
    name: &str,
) -> BTreeMap<String, u64> {
    distribution
        .and_then(|d| d.get(name))
        .map(|counts| counts.iter().map(|(k, n)| (k.clone(), *n as u64)).collect())
        .unwrap_or_default()
}

impl SearchIndex for MeiliIndex {
    fn upsert(&self, docs: Vec<Document>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if docs.is_empty() {
                return Ok(());
            }
            let docs: Vec<MeiliDoc> = docs.iter().map(MeiliDoc::from).collect();
            let task = self.index.add_or_replace(&docs, Some("id")).await?;
            self.wait(task).await
        })
    }

    fn remove(&self, ids: Vec<i64>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if ids.is_empty() {
                return Ok(());
            }
            let task = self.index.delete_documents(&ids).await?;
            self.wait(task).await
        })
    }

    fn search<'a>(&'a self, q: &'a Query) -> BoxFuture<'a, Result<Hits>> {
        Box::pin(async move {
            let parsed = parse(&q.text);
            if parsed.is_empty() {
                return Ok(Hits::default());
            }
            let filter = filter(q);
            let total = |r: &meilisearch_sdk::search::SearchResults<MeiliDoc>| {
                r.total_hits.or(r.estimated_total_hits).unwrap_or(0)
            };
            let mut strictness = Strictness::Exact;
            let text = query_text(&parsed, strictness);
            let mut results = self.run(&text, &filter, q, MatchingStrategies::ALL).await?;
            if total(&results) == 0 && parsed.words().any(QueryWord::relaxes) {
                strictness = Strictness::Typos;
                let text = query_text(&parsed, strictness);
                results = self.run(&text, &filter, q, MatchingStrategies::ALL).await?;
            }
            let particle = |w: &QueryWord| w.alt.is_some() && !w.norm.starts_with('و');
            if total(&results) == 0 && parsed.words().any(particle) {
                strictness = Strictness::Readings;
                let text = query_text(&parsed, strictness);
                results = self.run(&text, &filter, q, MatchingStrategies::ALL).await?;
            }
            if total(&results) == 0 && parsed.clauses.len() > 1 {
                strictness = Strictness::AnyWord;
                let text = query_text(&parsed, strictness);
                results = self
                    .run(&text, &filter, q, MatchingStrategies::LAST)
                    .await?;
            }
            let matcher = Matcher::new(&parsed, strictness != Strictness::Exact);
            let hits = results
                .hits
                .iter()
                .map(|h| {
                    let d = &h.result;
                    Hit {
                        id: d.id,
                        site: d.site.clone(),
                        kind: d.kind.clone(),
                        title: d.title.clone(),
                        snippet: snippet(&[&d.summary, &d.body], &matcher),
                        published_at: d.published_ms.and_then(|ms| {
                            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                                .ok()
                        }),
                        score: h.ranking_score.unwrap_or_default() as f32,
                    }
                })
                .collect();
            let distribution = results.facet_distribution.as_ref();
            Ok(Hits {
                total: total(&results) as u64,
                hits,
                facets: Facets {
                    kinds: facet(distribution, "kind"),
                    sites: facet(distribution, "site"),
                },
                partial: strictness == Strictness::AnyWord && total(&results) > 0,
            })
        })
    }

    fn clear(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let task = self.index.delete_all_documents().await?;
            self.wait(task).await
        })
    }

    fn count(&self) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move { Ok(self.index.get_stats().await?.number_of_documents as u64) })
    }

    fn engine(&self) -> &'static str {
        "meilisearch"
    }

    fn healthy(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { self.client.is_healthy().await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_quote_their_values() {
        let q = Query {
            sites: vec!["souss-massa".to_owned()],
            kinds: vec!["news".to_owned(), "x\" OR 1=1 \\".to_owned()],
            category: Some("a\"b".to_owned()),
            statuses: vec!["published".to_owned()],
            ..Query::default()
        };
        assert_eq!(
            filter(&q),
            "ancestors IN [\"souss-massa\"] AND kind IN [\"news\", \"x\\\" OR 1=1 \\\\\"] \
             AND status IN [\"published\"] AND category = \"a\\\"b\""
        );
    }

    #[test]
    fn queries_go_through_our_stems() {
        let any = Strictness::AnyWord;
        assert_eq!(
            query_text(&parse("بالمدرسة \"الدعم الاجتماعي\" وزارة"), any),
            "مدرس \"دعم اجتماع\" وزار"
        );
        assert_eq!(shadow("وزارة المدرسة"), "زار وزار مدرس");
        // A glued preposition: the query asks for the word without it,
        // which the shadow of either spelling carries.
        assert_eq!(query_text(&parse("بمراكش"), any), "مراكش");
        assert_eq!(shadow("بمراكش"), "بمراكش مراكش");
        assert_eq!(shadow("مراكش"), "مراكش");
        // Singular and plural meet on the key.
        assert_eq!(shadow("الامتحانات والتلاميذ"), "امتحان امتح تلاميذ تلميذ");
        assert_eq!(query_text(&parse("الامتحان التلميذ"), any), "امتح تلميذ");
    }

    #[test]
    fn each_pass_says_where_typos_are_forgiven() {
        let q = parse("تكوينية الدعم");
        assert_eq!(query_text(&q, Strictness::Exact), "\"تكوين\" \"دعم\"");
        assert_eq!(query_text(&q, Strictness::Typos), "تكوين \"دعم\"");
        assert_eq!(query_text(&q, Strictness::AnyWord), "تكوين دعم");
        let q = parse("بيئية بمراكش وابن");
        assert_eq!(
            query_text(&q, Strictness::Exact),
            "\"يئي\" \"مراكش\" \"وابن\""
        );
        assert_eq!(query_text(&q, Strictness::Typos), "\"يئي\" مراكش \"ابن\"");
        assert_eq!(
            query_text(&q, Strictness::Readings),
            "\"بيئ\" بمراكش \"ابن\""
        );
    }
}

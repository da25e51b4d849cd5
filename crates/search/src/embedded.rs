//! The embedded backend: a tantivy index in a folder.
//!
//! One writer thread owns the `IndexWriter`. It takes the first change that
//! arrives, gathers whatever else arrives within [`BATCH_WINDOW`], applies
//! it all, commits, reloads the reader (the reader's reload policy is
//! manual) and only then answers every caller of the batch: when `upsert`
//! or `remove` returns, the next search sees the change.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery,
    Query as TantivyQuery, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher,
    SegmentOrdinal, SegmentReader, TantivyDocument, TantivyError, Term,
};
use time::OffsetDateTime;
use tokio::sync::oneshot;

use crate::analysis::analyze;
use crate::query::{parse, Clause, ParsedQuery, QueryWord};
use crate::snippet::{snippet, Matcher};
use crate::{
    BoxFuture, Document, Facets, Hit, Hits, Order, Query, Result, SearchError, SearchIndex,
};

/// How long the writer waits for more changes before committing a batch.
pub const BATCH_WINDOW: Duration = Duration::from_millis(100);
/// A batch this large is committed without waiting for the window to end.
const BATCH_MAX_DOCS: usize = 20_000;
/// Memory of the index writer.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Name of the stemmed analyzer (title, summary, body, tags).
const STEMMED: &str = "tawasul_stem";
/// Name of the normalised-but-unstemmed analyzer (the `*_exact` fields).
const NORMALISED: &str = "tawasul_norm";
/// `published` of a document without a publication time: sorts last.
const NO_DATE: i64 = i64::MIN;
/// Fuzzy matching only for stems at least this long: one edit on a
/// three-letter Arabic stem reaches too many unrelated roots.
const FUZZY_MIN_STEM_CHARS: usize = 4;

/// Our analysis as a tantivy tokenizer: stems (with the alternative stem of
/// a leading و at the same position) or normalised words.
#[derive(Clone, Copy)]
struct Analyzer {
    stemmed: bool,
}

struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for Analyzer {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let mut tokens = Vec::new();
        for (position, word) in analyze(text).into_iter().enumerate() {
            let token = |text: String| Token {
                offset_from: word.start,
                offset_to: word.end,
                position,
                text,
                position_length: 1,
            };
            if self.stemmed {
                tokens.push(token(word.stem.clone()));
                if let Some(alt) = word.alt.clone() {
                    tokens.push(token(alt));
                }
            } else {
                tokens.push(token(word.norm.clone()));
            }
        }
        Tokens { tokens, next: 0 }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    site: Field,
    ancestors: Field,
    kind: Field,
    locale: Field,
    status: Field,
    category: Field,
    programmes: Field,
    published: Field,
    title: Field,
    summary: Field,
    body: Field,
    tags: Field,
    title_exact: Field,
    text_exact: Field,
}

/// Weights of the stemmed fields.
const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const TAGS_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
/// Extra weight of a word found exactly as typed (normalised, unstemmed).
const EXACT_TITLE_BOOST: f32 = 1.5;
const EXACT_TEXT_BOOST: f32 = 0.5;
/// A fuzzy match counts this fraction of its field's weight.
const FUZZY_FACTOR: f32 = 0.2;

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stemmed = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(STEMMED)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NORMALISED)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        site: b.add_text_field("site", STRING | STORED | FAST),
        ancestors: b.add_text_field("ancestors", STRING),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        locale: b.add_text_field("locale", STRING | STORED),
        status: b.add_text_field("status", STRING),
        category: b.add_text_field("category", STRING),
        programmes: b.add_text_field("programmes", STRING),
        published: b.add_i64_field("published", INDEXED | STORED | FAST),
        title: b.add_text_field("title", stemmed.clone()),
        summary: b.add_text_field("summary", stemmed.clone()),
        body: b.add_text_field("body", stemmed.clone()),
        tags: b.add_text_field("tags", stemmed),
        title_exact: b.add_text_field("title_exact", exact.clone()),
        text_exact: b.add_text_field("text_exact", exact),
    };
    (b.build(), fields)
}

fn timestamp(t: Option<OffsetDateTime>) -> i64 {
    t.map_or(NO_DATE, |t| {
        i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.year() < 1970 {
            NO_DATE + 1
        } else {
            i64::MAX
        })
    })
}

fn from_timestamp(ts: i64) -> Option<OffsetDateTime> {
    (ts != NO_DATE)
        .then(|| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts)).ok())
        .flatten()
}

fn to_tantivy(f: &Fields, doc: &Document) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_i64(f.id, doc.id);
    d.add_text(f.site, &doc.site);
    d.add_text(f.ancestors, &doc.site);
    for a in &doc.ancestors {
        d.add_text(f.ancestors, a);
    }
    d.add_text(f.kind, &doc.kind);
    d.add_text(f.locale, &doc.locale);
    d.add_text(f.status, &doc.status);
    if let Some(c) = &doc.category {
        d.add_text(f.category, c);
    }
    for p in &doc.programmes {
        d.add_text(f.programmes, p);
    }
    d.add_i64(f.published, timestamp(doc.published_at));
    d.add_text(f.title, &doc.title);
    d.add_text(f.summary, &doc.summary);
    d.add_text(f.body, &doc.body);
    for t in &doc.tags {
        d.add_text(f.tags, t);
    }
    d.add_text(f.title_exact, &doc.title);
    d.add_text(f.text_exact, &doc.summary);
    d.add_text(f.text_exact, &doc.body);
    d
}

enum Change {
    Upsert(Vec<Document>),
    Remove(Vec<i64>),
    Clear,
}

struct Job {
    change: Change,
    done: oneshot::Sender<Result<(), String>>,
}

struct Shared {
    reader: IndexReader,
    fields: Fields,
}

/// The embedded search index (tantivy, in a folder).
#[derive(Clone)]
pub struct EmbeddedIndex {
    shared: Arc<Shared>,
    jobs: mpsc::Sender<Job>,
    path: PathBuf,
}

impl std::fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedIndex")
            .field("path", &self.path)
            .finish()
    }
}

impl EmbeddedIndex {
    /// Opens the index in `path`, creating the folder and the index if
    /// needed, and starts its writer thread (which stops when the last
    /// clone of this handle is dropped).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        std::fs::create_dir_all(&path).map_err(|source| SearchError::Folder {
            path: path.clone(),
            source,
        })?;
        let dir = MmapDirectory::open(&path).map_err(|e| SearchError::Folder {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let (schema, fields) = schema();
        let index = match Index::open_or_create(dir, schema) {
            Ok(index) => index,
            Err(TantivyError::SchemaError(_)) => return Err(SearchError::Incompatible(path)),
            Err(e) => return Err(e.into()),
        };
        index
            .tokenizers()
            .register(STEMMED, Analyzer { stemmed: true });
        index
            .tokenizers()
            .register(NORMALISED, Analyzer { stemmed: false });
        let writer: IndexWriter = index.writer(WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let shared = Arc::new(Shared { reader, fields });
        let (jobs, inbox) = mpsc::channel();
        let for_writer = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("search-writer".to_owned())
            .spawn(move || write_loop(&for_writer, writer, &inbox))
            .map_err(|e| SearchError::Writer(e.to_string()))?;
        tracing::info!(path = %path.display(), "search index opened");
        Ok(EmbeddedIndex { shared, jobs, path })
    }

    /// Bytes the index takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        folder_size(&self.path)
    }

    async fn send(&self, change: Change) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { change, done })
            .map_err(|_| SearchError::Writer("the writer thread has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| SearchError::Writer("the writer thread has stopped".to_owned()))?
            .map_err(SearchError::Writer)
    }
}

fn folder_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn write_loop(shared: &Shared, mut writer: IndexWriter, inbox: &mpsc::Receiver<Job>) {
    let f = shared.fields;
    while let Ok(first) = inbox.recv() {
        let deadline = Instant::now() + BATCH_WINDOW;
        let mut docs = job_docs(&first);
        let mut batch = vec![first];
        while docs < BATCH_MAX_DOCS {
            let wait = deadline.saturating_duration_since(Instant::now());
            match inbox.recv_timeout(wait) {
                Ok(job) => {
                    docs += job_docs(&job);
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let outcome = apply(&mut writer, &f, &batch).and_then(|()| {
            writer.commit()?;
            shared.reader.reload()
        });
        let outcome = match outcome {
            Ok(()) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, changes = batch.len(), "search index commit failed");
                if let Err(e) = writer.rollback() {
                    tracing::error!(error = %e, "search index rollback failed");
                }
                Err(e.to_string())
            }
        };
        tracing::debug!(changes = batch.len(), docs, "search index committed");
        for job in batch {
            // A caller that stopped waiting does not care.
            let _ = job.done.send(outcome.clone());
        }
    }
    if let Err(e) = writer.wait_merging_threads() {
        tracing::warn!(error = %e, "search index merges did not finish");
    }
}

fn job_docs(job: &Job) -> usize {
    match &job.change {
        Change::Upsert(d) => d.len(),
        Change::Remove(ids) => ids.len(),
        Change::Clear => 1,
    }
}

fn apply(writer: &mut IndexWriter, f: &Fields, batch: &[Job]) -> tantivy::Result<()> {
    for job in batch {
        match &job.change {
            Change::Upsert(docs) => {
                for doc in docs {
                    writer.delete_term(Term::from_field_i64(f.id, doc.id));
                    writer.add_document(to_tantivy(f, doc))?;
                }
            }
            Change::Remove(ids) => {
                for id in ids {
                    writer.delete_term(Term::from_field_i64(f.id, *id));
                }
            }
            Change::Clear => {
                writer.delete_all_documents()?;
            }
        }
    }
    Ok(())
}

impl SearchIndex for EmbeddedIndex {
    fn upsert(&self, docs: Vec<Document>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if docs.is_empty() {
                return Ok(());
            }
            self.send(Change::Upsert(docs)).await
        })
    }

    fn remove(&self, ids: Vec<i64>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if ids.is_empty() {
                return Ok(());
            }
            self.send(Change::Remove(ids)).await
        })
    }

    fn search<'a>(&'a self, query: &'a Query) -> BoxFuture<'a, Result<Hits>> {
        let shared = Arc::clone(&self.shared);
        let query = query.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || search(&shared, &query))
                .await
                .map_err(|e| SearchError::Writer(format!("search task: {e}")))?
        })
    }

    fn clear(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.send(Change::Clear))
    }

    fn count(&self) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move { Ok(self.shared.reader.searcher().num_docs()) })
    }
}

type BoxedQuery = Box<dyn TantivyQuery>;

fn boosted(q: BoxedQuery, boost: f32) -> BoxedQuery {
    Box::new(BoostQuery::new(q, boost))
}

fn term_query(field: Field, text: &str) -> BoxedQuery {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn word_query(f: &Fields, w: &QueryWord, fuzzy: bool) -> BoxedQuery {
    let mut should: Vec<(Occur, BoxedQuery)> = Vec::new();
    let stemmed = [
        (f.title, TITLE_BOOST),
        (f.summary, SUMMARY_BOOST),
        (f.tags, TAGS_BOOST),
        (f.body, BODY_BOOST),
    ];
    for (field, boost) in stemmed {
        if fuzzy {
            // Relaxed: a leading و may also be the conjunction.
            for s in w.stems() {
                should.push((Occur::Should, boosted(term_query(field, s), boost)));
            }
        } else {
            for s in w.strict_stems() {
                should.push((Occur::Should, boosted(term_query(field, s), boost)));
            }
        }
        if fuzzy && w.fuzzy && w.stem.chars().count() >= FUZZY_MIN_STEM_CHARS {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, &w.stem), 1, true);
            should.push((
                Occur::Should,
                boosted(Box::new(fuzzy), boost * FUZZY_FACTOR),
            ));
        }
    }
    should.push((
        Occur::Should,
        boosted(term_query(f.title_exact, &w.norm), EXACT_TITLE_BOOST),
    ));
    should.push((
        Occur::Should,
        boosted(term_query(f.text_exact, &w.norm), EXACT_TEXT_BOOST),
    ));
    Box::new(BooleanQuery::new(should))
}

fn phrase_query(f: &Fields, words: &[QueryWord]) -> BoxedQuery {
    let mut should: Vec<(Occur, BoxedQuery)> = Vec::new();
    for (field, boost) in [
        (f.title, TITLE_BOOST),
        (f.summary, SUMMARY_BOOST),
        (f.body, BODY_BOOST),
    ] {
        let terms = words
            .iter()
            .map(|w| Term::from_field_text(field, w.strict_stem()))
            .collect();
        should.push((
            Occur::Should,
            boosted(Box::new(PhraseQuery::new(terms)), boost),
        ));
    }
    Box::new(BooleanQuery::new(should))
}

fn filter(q: BoxedQuery) -> (Occur, BoxedQuery) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn any_of(field: Field, values: &[String]) -> Option<(Occur, BoxedQuery)> {
    (!values.is_empty()).then(|| {
        let terms = values.iter().map(|v| Term::from_field_text(field, v));
        filter(Box::new(TermSetQuery::new(terms)))
    })
}

fn filters(f: &Fields, q: &Query) -> Vec<(Occur, BoxedQuery)> {
    let mut out: Vec<(Occur, BoxedQuery)> = [
        any_of(f.ancestors, &q.sites),
        any_of(f.kind, &q.kinds),
        any_of(f.programmes, &q.programmes),
        any_of(f.status, &q.statuses),
        q.category
            .as_ref()
            .and_then(|c| any_of(f.category, std::slice::from_ref(c))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if q.from.is_some() || q.to.is_some() {
        let lower = match q.from {
            Some(t) => Bound::Included(Term::from_field_i64(f.published, timestamp(Some(t)))),
            None => Bound::Excluded(Term::from_field_i64(f.published, NO_DATE)),
        };
        let upper = match q.to {
            Some(t) => Bound::Included(Term::from_field_i64(f.published, timestamp(Some(t)))),
            None => Bound::Unbounded,
        };
        out.push(filter(Box::new(RangeQuery::new(lower, upper))));
    }
    out
}

/// How strictly the words must match: the first that finds anything wins.
#[derive(Clone, Copy)]
enum Strictness {
    /// Every word, as spelt (modulo analysis).
    Exact,
    /// Every word, one typo allowed in long words.
    Typos,
    /// Any word, one typo allowed in long words.
    AnyWord,
}

fn full_query(f: &Fields, parsed: &ParsedQuery, q: &Query, strictness: Strictness) -> BooleanQuery {
    let every_word = !matches!(strictness, Strictness::AnyWord);
    let fuzzy = !matches!(strictness, Strictness::Exact);
    let occur = if every_word {
        Occur::Must
    } else {
        Occur::Should
    };
    let text: Vec<(Occur, BoxedQuery)> = parsed
        .clauses
        .iter()
        .map(|c| match c {
            Clause::Word(w) => (occur, word_query(f, w, fuzzy)),
            Clause::Phrase(ws) => (occur, phrase_query(f, ws)),
        })
        .collect();
    let mut clauses = vec![(Occur::Must, Box::new(BooleanQuery::new(text)) as BoxedQuery)];
    clauses.extend(filters(f, q));
    BooleanQuery::new(clauses)
}

fn search(shared: &Shared, q: &Query) -> Result<Hits> {
    let parsed = parse(&q.text);
    if parsed.is_empty() {
        return Ok(Hits::default());
    }
    let searcher = shared.reader.searcher();
    let f = &shared.fields;
    // Typos are forgiven only when the words as typed find nothing (a typo
    // on a four-letter stem reaches many other words), and entries with
    // only some of the words are shown only when none has them all.
    let mut found = run(&searcher, &full_query(f, &parsed, q, Strictness::Exact), q)?;
    if found.0 == 0 && parsed.words().any(|w| w.fuzzy) {
        found = run(&searcher, &full_query(f, &parsed, q, Strictness::Typos), q)?;
    }
    if found.0 == 0 && parsed.clauses.len() > 1 {
        found = run(
            &searcher,
            &full_query(f, &parsed, q, Strictness::AnyWord),
            q,
        )?;
    }
    let (total, top, facets) = found;
    let matcher = Matcher::new(&parsed);
    let hits = top
        .into_iter()
        .map(|(score, address)| hit(&searcher, f, &matcher, score, address))
        .collect::<Result<Vec<_>>>()?;
    Ok(Hits {
        total: total as u64,
        hits,
        facets,
    })
}

type Found = (usize, Vec<(Score, DocAddress)>, Facets);

fn run(searcher: &Searcher, query: &BooleanQuery, q: &Query) -> Result<Found> {
    let (offset, limit) = q.window();
    let top = TopDocs::with_limit(limit).and_offset(offset);
    Ok(match q.order {
        Order::Relevance => {
            let (top, total, facets) =
                searcher.search(query, &(top.order_by_score(), Count, FacetCounter))?;
            (total, top, facets)
        }
        Order::Newest => {
            let by_date = top.order_by_fast_field::<i64>("published", tantivy::Order::Desc);
            let (top, total, facets) = searcher.search(query, &(by_date, Count, FacetCounter))?;
            let top = top.into_iter().map(|(_, address)| (0.0, address)).collect();
            (total, top, facets)
        }
    })
}

fn hit(
    searcher: &Searcher,
    f: &Fields,
    matcher: &Matcher,
    score: Score,
    address: DocAddress,
) -> Result<Hit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64());
    let summary = text(f.summary);
    let body = text(f.body);
    Ok(Hit {
        id: int(f.id).unwrap_or_default(),
        site: text(f.site),
        kind: text(f.kind),
        title: text(f.title),
        snippet: snippet(&[&summary, &body], matcher),
        published_at: int(f.published).and_then(from_timestamp),
        score,
    })
}

/// Counts hits per kind and per site, from the fast fields.
struct FacetCounter;

struct SegmentFacets {
    kinds: Option<(StrColumn, Vec<u64>)>,
    sites: Option<(StrColumn, Vec<u64>)>,
}

fn counter(reader: &SegmentReader, name: &str) -> tantivy::Result<Option<(StrColumn, Vec<u64>)>> {
    Ok(reader.fast_fields().str(name)?.map(|column| {
        let terms = column.dictionary().num_terms();
        (column, vec![0; terms])
    }))
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        Ok(SegmentFacets {
            kinds: counter(reader, "kind")?,
            sites: counter(reader, "site")?,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all = Facets::default();
        for fruit in fruits {
            for (k, n) in fruit.kinds {
                *all.kinds.entry(k).or_default() += n;
            }
            for (s, n) in fruit.sites {
                *all.sites.entry(s).or_default() += n;
            }
        }
        Ok(all)
    }
}

fn count_into(counts: &mut Option<(StrColumn, Vec<u64>)>, doc: DocId) {
    if let Some((column, counts)) = counts {
        for ord in column.term_ords(doc) {
            if let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                *n += 1;
            }
        }
    }
}

fn harvest(counts: Option<(StrColumn, Vec<u64>)>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    if let Some((column, counts)) = counts {
        for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            let mut name = String::new();
            if matches!(column.ord_to_str(ord as u64, &mut name), Ok(true)) {
                out.insert(name, n);
            }
        }
    }
    out
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        count_into(&mut self.kinds, doc);
        count_into(&mut self.sites, doc);
    }

    fn harvest(self) -> Facets {
        Facets {
            kinds: harvest(self.kinds),
            sites: harvest(self.sites),
        }
    }
}

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
mod facets;
mod queries;
mod schema;

use facets::*;
use queries::*;
use schema::*;

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
    /// `None` for a read-only handle: another process holds the writer.
    jobs: Option<mpsc::Sender<Job>>,
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
        let index = open_index(&path)?;
        let writer: IndexWriter = match index.writer(WRITER_MEMORY) {
            Ok(writer) => writer,
            Err(TantivyError::LockFailure(..)) => return Err(SearchError::Taken(path)),
            Err(e) => return Err(e.into()),
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let shared = Arc::new(Shared {
            reader,
            fields: schema().1,
        });
        let (jobs, inbox) = mpsc::channel();
        let for_writer = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("search-writer".to_owned())
            .spawn(move || write_loop(&for_writer, writer, &inbox))
            .map_err(|e| SearchError::Writer(e.to_string()))?;
        tracing::info!(path = %path.display(), "search index opened");
        Ok(EmbeddedIndex {
            shared,
            jobs: Some(jobs),
            path,
        })
    }

    /// Opens for searching only an index whose writer another process
    /// holds (a second server on the same data folder). Its reader follows
    /// that process's commits as they land on disk; changes sent to this
    /// handle are refused with [`SearchError::ReadOnly`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let index = open_index(&path)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let shared = Arc::new(Shared {
            reader,
            fields: schema().1,
        });
        tracing::info!(path = %path.display(), "search index opened read-only");
        Ok(EmbeddedIndex {
            shared,
            jobs: None,
            path,
        })
    }

    /// Whether this handle only searches (another process writes).
    pub fn is_read_only(&self) -> bool {
        self.jobs.is_none()
    }

    /// Bytes the index takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        folder_size(&self.path)
    }

    async fn send(&self, change: Change) -> Result<()> {
        let Some(jobs) = &self.jobs else {
            return Err(SearchError::ReadOnly(self.path.clone()));
        };
        let (done, answer) = oneshot::channel();
        jobs.send(Job { change, done })
            .map_err(|_| SearchError::Writer("the writer thread has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| SearchError::Writer("the writer thread has stopped".to_owned()))?
            .map_err(SearchError::Writer)
    }
}

/// Opens (or creates) the index in `path` with our schema and analysers.
fn open_index(path: &Path) -> Result<Index> {
    std::fs::create_dir_all(path).map_err(|source| SearchError::Folder {
        path: path.to_owned(),
        source,
    })?;
    let dir = MmapDirectory::open(path).map_err(|e| SearchError::Folder {
        path: path.to_owned(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let (schema, _) = schema();
    let index = match Index::open_or_create(dir, schema) {
        Ok(index) => index,
        Err(TantivyError::SchemaError(_)) => {
            return Err(SearchError::Incompatible(path.to_owned()))
        }
        Err(e) => return Err(e.into()),
    };
    index
        .tokenizers()
        .register(STEMMED, Analyzer { stemmed: true });
    index
        .tokenizers()
        .register(NORMALISED, Analyzer { stemmed: false });
    Ok(index)
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

    fn engine(&self) -> &'static str {
        "embedded"
    }
}

fn full_query(f: &Fields, parsed: &ParsedQuery, q: &Query, strictness: Strictness) -> BooleanQuery {
    let every_word = !matches!(strictness, Strictness::AnyWord);
    let fuzzy = !matches!(strictness, Strictness::Exact);
    let occur = if every_word {
        Occur::Must
    } else {
        Occur::Should
    };
    let mut text: Vec<(Occur, BoxedQuery)> = parsed
        .clauses
        .iter()
        .map(|c| match c {
            Clause::Word(w) => (occur, word_query(f, w, fuzzy)),
            Clause::Phrase(ws) => (occur, phrase_query(f, ws)),
        })
        .collect();
    text.extend(
        proximity_queries(f, parsed)
            .into_iter()
            .map(|q| (Occur::Should, q)),
    );
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
    // Typos are forgiven (and a first و read as "and") only when the words
    // as typed find nothing (a typo on a four-letter stem reaches many
    // other words), and entries with only some of the words are shown only
    // when none has them all.
    let mut strictness = Strictness::Exact;
    let mut found = run(&searcher, &full_query(f, &parsed, q, strictness), q)?;
    if found.0 == 0 && parsed.words().any(QueryWord::relaxes) {
        strictness = Strictness::Typos;
        found = run(&searcher, &full_query(f, &parsed, q, strictness), q)?;
    }
    if found.0 == 0 && parsed.clauses.len() > 1 {
        strictness = Strictness::AnyWord;
        found = run(&searcher, &full_query(f, &parsed, q, strictness), q)?;
    }
    let (total, top, facets) = found;
    // Snippets mark what the pass that found the hits allowed: typos only
    // when the words as typed found nothing.
    let matcher = Matcher::new(&parsed, !matches!(strictness, Strictness::Exact));
    let hits = top
        .into_iter()
        .map(|(score, address)| hit(&searcher, f, &matcher, score, address))
        .collect::<Result<Vec<_>>>()?;
    Ok(Hits {
        total: total as u64,
        hits,
        facets,
        partial: total > 0 && matches!(strictness, Strictness::AnyWord),
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

//! Tantivy queries from a parsed query: each word over the stemmed and
//! exact fields with their weights, phrases, filters, and how strictly
//! the words must match.

use super::*;

/// Weights of the stemmed fields.
pub(super) const TITLE_BOOST: f32 = 3.0;
pub(super) const SUMMARY_BOOST: f32 = 1.5;
pub(super) const TAGS_BOOST: f32 = 1.5;
pub(super) const BODY_BOOST: f32 = 1.0;
/// Extra weight of a word found exactly as typed (normalised, unstemmed).
pub(super) const EXACT_TITLE_BOOST: f32 = 1.5;
pub(super) const EXACT_TEXT_BOOST: f32 = 0.5;
/// A fuzzy match counts this fraction of its field's weight.
pub(super) const FUZZY_FACTOR: f32 = 0.2;

pub(super) type BoxedQuery = Box<dyn TantivyQuery>;

pub(super) fn boosted(q: BoxedQuery, boost: f32) -> BoxedQuery {
    Box::new(BoostQuery::new(q, boost))
}

pub(super) fn term_query(field: Field, text: &str) -> BoxedQuery {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

pub(super) fn word_query(f: &Fields, w: &QueryWord, fuzzy: bool) -> BoxedQuery {
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
        if fuzzy && w.fuzzy {
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

pub(super) fn phrase_query(f: &Fields, words: &[QueryWord]) -> BoxedQuery {
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

/// Positions two neighbouring query words may stand apart in a text and
/// still count as near each other (one word between them).
pub(super) const PROXIMITY_SLOP: u32 = 1;
/// Weight of two neighbouring query words found near each other.
pub(super) const PROXIMITY_BOOST: f32 = 1.0;

/// Optional clauses that reward texts where neighbouring query words stand
/// near each other: «الدخول المدرسي» ranks the school year's start above
/// a text that uses الدخول and المدرسي far apart.
pub(super) fn proximity_queries(f: &Fields, parsed: &ParsedQuery) -> Vec<BoxedQuery> {
    let words: Vec<&QueryWord> = parsed
        .clauses
        .iter()
        .filter_map(|c| match c {
            Clause::Word(w) => Some(w),
            Clause::Phrase(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    for pair in words.windows(2) {
        for (field, boost) in [(f.title, TITLE_BOOST), (f.body, BODY_BOOST)] {
            let terms = pair
                .iter()
                .map(|w| Term::from_field_text(field, w.strict_stem()))
                .collect();
            let mut phrase = PhraseQuery::new(terms);
            phrase.set_slop(PROXIMITY_SLOP);
            out.push(boosted(Box::new(phrase), boost * PROXIMITY_BOOST));
        }
    }
    out
}

pub(super) fn filter(q: BoxedQuery) -> (Occur, BoxedQuery) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

pub(super) fn any_of(field: Field, values: &[String]) -> Option<(Occur, BoxedQuery)> {
    (!values.is_empty()).then(|| {
        let terms = values.iter().map(|v| Term::from_field_text(field, v));
        filter(Box::new(TermSetQuery::new(terms)))
    })
}

pub(super) fn filters(f: &Fields, q: &Query) -> Vec<(Occur, BoxedQuery)> {
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
pub(super) enum Strictness {
    /// Every word, as spelt (modulo analysis).
    Exact,
    /// Every word, one typo allowed in long words.
    Typos,
    /// Any word, one typo allowed in long words.
    AnyWord,
}

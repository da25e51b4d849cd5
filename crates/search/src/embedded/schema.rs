//! The index's schema and our analysis as tantivy tokenizers; documents
//! as tantivy stores them.

use super::*;

/// Name of the stemmed analyzer (title, summary, body, tags).
pub(super) const STEMMED: &str = "tawasul_stem";
/// Name of the normalised-but-unstemmed analyzer (the `*_exact` fields).
pub(super) const NORMALISED: &str = "tawasul_norm";
/// `published` of a document without a publication time: sorts last.
pub(super) const NO_DATE: i64 = i64::MIN;
/// Our analysis as a tantivy tokenizer: stems (with the other reading of a
/// first particle and the word's other forms at the same position) or
/// normalised words.
#[derive(Clone, Copy)]
pub(super) struct Analyzer {
    pub(super) stemmed: bool,
}

pub(super) struct Tokens {
    pub(super) tokens: Vec<Token>,
    pub(super) next: usize,
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
                let mut seen: Vec<&str> = Vec::new();
                for term in word.terms() {
                    if !seen.contains(&term) {
                        seen.push(term);
                        tokens.push(token(term.to_owned()));
                    }
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
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) site: Field,
    pub(super) ancestors: Field,
    pub(super) kind: Field,
    pub(super) locale: Field,
    pub(super) status: Field,
    pub(super) category: Field,
    pub(super) programmes: Field,
    pub(super) published: Field,
    pub(super) title: Field,
    pub(super) summary: Field,
    pub(super) body: Field,
    pub(super) tags: Field,
    pub(super) title_exact: Field,
    pub(super) text_exact: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
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

pub(super) fn timestamp(t: Option<OffsetDateTime>) -> i64 {
    t.map_or(NO_DATE, |t| {
        i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.year() < 1970 {
            NO_DATE + 1
        } else {
            i64::MAX
        })
    })
}

pub(super) fn from_timestamp(ts: i64) -> Option<OffsetDateTime> {
    (ts != NO_DATE)
        .then(|| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts)).ok())
        .flatten()
}

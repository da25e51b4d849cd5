//! What the reader typed, as words and phrases; never a syntax error.
//!
//! Double quotes delimit phrases; an unmatched quote is ignored. Every
//! other character (`:`, `*`, `(`, `-`, `+`…) is plain text, which the
//! tokenizer treats as a word separator. The text is cut to
//! [`MAX_QUERY_CHARS`] and the query to [`MAX_WORDS`] words.

use crate::analysis::{analyze, letter_count, Analyzed};

/// Characters of a query read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Words of a query used (phrase words included); the rest are ignored.
pub const MAX_WORDS: usize = 16;
/// Words at least this long (in letters, normalised) tolerate one typo…
pub const FUZZY_MIN_LETTERS: usize = 5;
/// …when their stem is at least this long: one edit on a three-letter
/// Arabic stem reaches too many unrelated roots (القاتلة would find قال).
pub const FUZZY_MIN_STEM_CHARS: usize = 4;

/// One analysed query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// Normalised, unstemmed form (ranks exact forms higher).
    pub norm: String,
    /// Stem, matched in the stemmed fields.
    pub stem: String,
    /// The other reading of a first و, ب, ل, ك or ف (see
    /// [`crate::analysis::stem_variants`]).
    pub alt: Option<String>,
    /// The other stems the word stands for (singular of a broken plural,
    /// noun under a dual: [`crate::analysis::word_forms`]).
    pub forms: Vec<String>,
    /// Whether one typo is tolerated: [`FUZZY_MIN_LETTERS`] letters and a
    /// stem of [`FUZZY_MIN_STEM_CHARS`]. The same rule decides what the
    /// index forgives and what a snippet marks.
    pub fuzzy: bool,
}

impl QueryWord {
    fn new(a: Analyzed) -> Self {
        let fuzzy = letter_count(&a.norm) >= FUZZY_MIN_LETTERS
            && a.stem.chars().count() >= FUZZY_MIN_STEM_CHARS
            && a.norm.chars().any(|c| c.is_alphabetic());
        QueryWord {
            norm: a.norm,
            stem: a.stem,
            alt: a.alt,
            forms: a.forms,
            fuzzy,
        }
    }

    /// Whether a relaxed pass reads this word otherwise than the strict
    /// one: a typo tolerated, or a first و read as "and" (وابن as ابن).
    pub fn relaxes(&self) -> bool {
        self.fuzzy || (self.alt.is_some() && self.norm.starts_with('و'))
    }

    /// The stems to look for: the stem, the alternative if any, the forms.
    pub fn stems(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.stem.as_str())
            .chain(self.alt.as_deref())
            .chain(self.forms.iter().map(String::as_str))
    }

    /// The one term every spelling and form of the word carries in a
    /// document: the reading of [`QueryWord::strict_stem`] for a leading
    /// و, else the alternative (بمدرسة → مدرس), then its most general form
    /// (الامتحانات → امتحان → امتح, which الامتحان offers too). For a
    /// backend whose query language has no "or" within a word.
    pub fn key(&self) -> &str {
        let base = self.alt.as_deref().unwrap_or(&self.stem);
        let forms = crate::analysis::word_forms(base);
        match forms.last() {
            Some(general) => self
                .forms
                .iter()
                .find(|f| *f == general)
                .map_or(base, String::as_str),
            None => base,
        }
    }

    /// The stems a strict match looks for. For a leading و, only the
    /// alternative that keeps it: documents index both stems of such a
    /// word, so وزارة finds وزارة and الوزارة (both indexed with وزار)
    /// without finding زار ("he visited"), which light10 makes of وزارة.
    /// For a leading ب ل ك ف, both: بمدرسة finds مدرسة and بمدرسة.
    /// Forms ([`QueryWord::forms`]) count as the word itself.
    pub fn strict_stems(&self) -> impl Iterator<Item = &str> {
        let waw = self.norm.starts_with('و');
        std::iter::once(self.strict_stem())
            .chain(self.alt.as_deref().filter(|_| !waw))
            .chain(self.forms.iter().map(String::as_str))
    }

    /// The one stem a phrase looks for at this word's place: see
    /// [`QueryWord::strict_stems`].
    pub fn strict_stem(&self) -> &str {
        match &self.alt {
            Some(alt) if self.norm.starts_with('و') => alt,
            _ => &self.stem,
        }
    }
}

/// A part of the query that a document must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word(QueryWord),
    /// Two or more words in this order, next to each other.
    Phrase(Vec<QueryWord>),
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
}

impl ParsedQuery {
    /// True when the text had no word at all (empty, punctuation, marks).
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Every word, phrases included.
    pub fn words(&self) -> impl Iterator<Item = &QueryWord> {
        self.clauses.iter().flat_map(|c| match c {
            Clause::Word(w) => std::slice::from_ref(w),
            Clause::Phrase(ws) => ws.as_slice(),
        })
    }
}

/// Parses what the reader typed.
pub fn parse(text: &str) -> ParsedQuery {
    let text = match text.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    };
    let quotes = text.matches('"').count();
    // With an odd number of quotes, the last one is plain text.
    let usable_quotes = quotes - quotes % 2;
    let mut clauses: Vec<Clause> = Vec::new();
    let mut budget = MAX_WORDS;
    let mut in_phrase = false;
    let mut seen_quotes = 0;
    let mut rest = text;
    while budget > 0 && !rest.is_empty() {
        let quote = if seen_quotes < usable_quotes {
            rest.find('"')
        } else {
            None
        };
        let (part, next) = match quote {
            Some(q) => (&rest[..q], &rest[q + 1..]),
            None => (rest, ""),
        };
        let mut words: Vec<QueryWord> = analyze(part).into_iter().map(QueryWord::new).collect();
        words.truncate(budget);
        budget -= words.len();
        if in_phrase && words.len() > 1 {
            clauses.push(Clause::Phrase(words));
        } else {
            for w in words {
                let known = clauses
                    .iter()
                    .any(|c| matches!(c, Clause::Word(k) if k.stem == w.stem));
                if !known {
                    clauses.push(Clause::Word(w));
                }
            }
        }
        if quote.is_some() {
            seen_quotes += 1;
            in_phrase = !in_phrase;
        }
        rest = next;
    }
    ParsedQuery { clauses }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(q: &ParsedQuery) -> Vec<String> {
        q.clauses
            .iter()
            .map(|c| match c {
                Clause::Word(w) => w.stem.clone(),
                Clause::Phrase(ws) => {
                    let stems: Vec<&str> = ws.iter().map(|w| w.stem.as_str()).collect();
                    format!("\"{}\"", stems.join(" "))
                }
            })
            .collect()
    }

    #[test]
    fn words_and_phrases() {
        assert_eq!(shape(&parse("المدرسة مسار")), ["مدرس", "مسار"]);
        assert_eq!(
            shape(&parse("دورة \"الدعم الاجتماعي\" 2026")),
            ["دور", "\"دعم اجتماع\"", "2026"]
        );
        // A quoted single word is a word.
        assert_eq!(shape(&parse("\"مسار\"")), ["مسار"]);
    }

    #[test]
    fn syntax_is_plain_text() {
        assert_eq!(shape(&parse("title:مسار*")), ["titl", "مسار"]);
        assert_eq!(
            shape(&parse("(a OR b) -c +d ~e^2")),
            ["a", "or", "b", "c", "d", "e", "2"]
        );
        // An unmatched quote is ignored.
        assert_eq!(shape(&parse("\"مسار تيسير")), ["مسار", "تيسير"]);
        assert_eq!(shape(&parse("\"a b\" \"c d")), ["\"a b\"", "c", "d"]);
    }

    #[test]
    fn empty_queries() {
        for text in [
            "",
            "   ",
            "!!! ... ؟ ، «»",
            "\u{064E}\u{0650}\u{0651}",
            "\"\"",
            "\u{200F}",
        ] {
            assert!(parse(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn long_queries_are_cut() {
        let text = "تكوين ".repeat(1000) + &"كلمة".repeat(3000);
        let q = parse(&text);
        assert_eq!(q.clauses.len(), 1, "duplicates merge");
        let text: String = (0..5000).map(|i| format!("w{i} ")).collect();
        assert_eq!(parse(&text).words().count(), MAX_WORDS);
    }

    #[test]
    fn typo_tolerance_from_five_letters_and_a_four_letter_stem() {
        let q = parse("مسار المدرسة dans éducation القاتلة حدثنا الدعم");
        let fuzzy: Vec<(&str, bool)> = q.words().map(|w| (w.norm.as_str(), w.fuzzy)).collect();
        assert_eq!(
            fuzzy,
            [
                ("مسار", false),
                ("المدرسه", true),
                ("dans", false),
                ("education", true),
                ("القاتله", true),
                ("حدثنا", true),
                ("الدعم", false), // five letters, a three-letter stem
            ]
        );
    }

    #[test]
    fn a_key_that_every_form_of_the_word_carries() {
        let key = |text: &str| parse(text).words().next().map(|w| w.key().to_owned());
        for (text, want) in [
            ("الامتحانات", "امتح"),
            ("الامتحان", "امتح"),
            ("بمدرسة", "مدرس"),
            ("وزارة", "وزار"),
            ("التلاميذ", "تلميذ"),
            ("مكان", "مكان"),
        ] {
            assert_eq!(key(text).as_deref(), Some(want), "{text}");
        }
    }
}

//! Arabic and French text analysis, the same for documents and queries.
//!
//! The chain, per word:
//!
//! 1. **Tokenizing** ([`tokenize`]): words are runs of letters, digits and the
//!    marks that live inside words (harakat, tatweel, combining accents,
//!    bidi and zero-width format characters). A run is split where Arabic
//!    letters meet Latin ones. Apostrophes split French words and the elided
//!    articles and pronouns before them (`l'`, `d'`, `qu'`…) are dropped.
//!    Every word keeps its byte range in the original text, so snippets can
//!    highlight the text as written, vowel marks included.
//! 2. **Normalising** ([`normalize`]): NFKC (folds presentation forms and the
//!    لا ligature into plain letters); removes harakat (U+064B–U+065F,
//!    U+0670), tatweel (U+0640) and format characters; maps أ إ آ ٱ → ا,
//!    ى → ي, ة → ه, Persian ی ک → ي ك, Arabic-Indic and Eastern
//!    Arabic-Indic digits → 0–9; lower-cases and removes accents from Latin
//!    letters (é → e, œ → oe). These are the rules of Lucene's
//!    `ArabicNormalizer`, plus the digits and the Latin folding.
//! 3. **Stemming** ([`stem`]): Arabic words go through a guarded "light10"
//!    (Larkey, Ballesteros and Connell): at most one prefix among وال بال كال
//!    فال لل ال when two letters remain, or و when three remain; then at most
//!    one suffix among ها ات ون ين ه ي when three letters remain (two under
//!    the feminine ة and ات), the ي of an adjective going with a feminine or
//!    plural ending (تربوية, تربويين → تربو). light10's ـان is not cut
//!    (امتحان, مكان, بيان keep it) and a final ه after ي not written ة is
//!    kept on a three-letter stem (نبيه is not النبي). The suffixes are
//!    matched after normalisation, so ة is found as ه and ى as ي, and every
//!    spelling of a word stems alike. Each word also offers its other forms
//!    ([`word_forms`]): the noun under a dual (معلمان → معلم, مدرستين →
//!    مدرس) and the singular of the field's broken plurals (تلاميذ → تلميذ),
//!    indexed at the word's place, so number and dual meet. Latin words go
//!    through [`french_stem`], a deliberately small stemmer of plural and
//!    feminine endings. Words whose first letter may be a glued particle
//!    (و, or ب ل ك ف) also get an alternative stem read the other way
//!    (see [`stem_variants`]), so بمراكش finds مراكش.

use unicode_normalization::UnicodeNormalization;

/// A word of a text, with its byte range in that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written (marks, tatweel and all).
    pub text: &'a str,
    /// Byte offset of the word's first byte in the original text.
    pub start: usize,
    /// Byte offset just past the word's last byte.
    pub end: usize,
}

/// Longest word kept, in characters; longer runs are not words people
/// search for (base64, URLs without spaces…) and are skipped.
pub const MAX_WORD_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Splits words.
    Separator,
    /// Arabic-script letter.
    Arabic,
    /// Any other letter (Latin, mostly).
    Latin,
    /// A digit, joins whatever word it is in.
    Digit,
    /// Marks, tatweel, format characters: belong to the word around them.
    Joiner,
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{064A}' | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}' | '\u{06D5}' | '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08C9}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

fn is_harakah(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// Bidi controls, zero-width characters and the byte-order mark.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{06D6}'..='\u{06ED}' | '\u{08CA}'..='\u{08FF}')
}

fn class(c: char) -> Class {
    if is_harakah(c) || c == '\u{0640}' || is_format(c) || is_combining(c) {
        Class::Joiner
    } else if is_arabic_letter(c) {
        Class::Arabic
    } else if c.is_numeric() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Latin
    } else {
        Class::Separator
    }
}

/// French elided words written before an apostrophe (`l'école`), dropped.
const ELISIONS: [&str; 12] = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "lorsqu", "puisqu", "jusqu",
];

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Splits a text into words, each with its byte range in `text`.
///
/// Words made only of marks (a stray haraka) are returned too; they
/// normalise to nothing, and [`analyze`] drops them.
pub fn tokenize(text: &str) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    // (start byte, script of the letters seen so far: None = digits/joiners only)
    let mut current: Option<(usize, Option<Class>)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let cls = class(c);
        match (cls, current) {
            (Class::Separator, Some((start, _))) => {
                push_word(&mut words, text, start, i, c, chars.peek().map(|&(_, n)| n));
                current = None;
            }
            (Class::Separator, None) => {}
            (Class::Joiner | Class::Digit, None) => current = Some((i, None)),
            (Class::Joiner | Class::Digit, Some(_)) => {}
            (Class::Arabic | Class::Latin, None) => current = Some((i, Some(cls))),
            (Class::Arabic | Class::Latin, Some((start, script))) => match script {
                None => current = Some((start, Some(cls))),
                Some(s) if s == cls => {}
                Some(_) => {
                    push_word(&mut words, text, start, i, c, None);
                    current = Some((i, Some(cls)));
                }
            },
        }
    }
    if let Some((start, _)) = current {
        push_word(&mut words, text, start, text.len(), ' ', None);
    }
    words
}

fn push_word<'a>(
    words: &mut Vec<Word<'a>>,
    text: &'a str,
    start: usize,
    end: usize,
    next: char,
    after_next: Option<char>,
) {
    let word = &text[start..end];
    if word.chars().count() > MAX_WORD_CHARS {
        return;
    }
    if is_apostrophe(next)
        && after_next.is_some_and(char::is_alphabetic)
        && ELISIONS.contains(&word.to_lowercase().as_str())
    {
        return;
    }
    words.push(Word {
        text: word,
        start,
        end,
    });
}

/// Folds one character after NFKC; pushes what it becomes onto `out`.
fn fold_char(c: char, out: &mut String) {
    match c {
        c if is_harakah(c) || c == '\u{0640}' || is_format(c) || is_combining(c) => {}
        'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
        'ى' | 'ی' => out.push('ي'),
        'ة' => out.push('ه'),
        'ک' => out.push('ك'),
        '\u{0660}'..='\u{0669}' => out.push(digit(c as u32 - 0x0660)),
        '\u{06F0}'..='\u{06F9}' => out.push(digit(c as u32 - 0x06F0)),
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c if (c as u32) < 0x0600 => {
            // Latin (and Greek, Cyrillic): lower-case, then drop the accents
            // that canonical decomposition separates from the letter.
            for lower in c.to_lowercase() {
                unicode_normalization::char::decompose_canonical(lower, |d| {
                    if !is_combining(d) {
                        out.push(d);
                    }
                });
            }
        }
        c => out.extend(c.to_lowercase()),
    }
}

fn digit(n: u32) -> char {
    char::from_digit(n, 10).unwrap_or('0')
}

/// The normalised, unstemmed form of a word (see the module documentation).
/// Empty when the word had nothing but marks.
pub fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.nfkc() {
        fold_char(c, &mut out);
    }
    out
}

/// The stem of a word: [`normalize`], then light10 for Arabic script or
/// [`french_stem`] for Latin script. Digits are left as they are.
pub fn stem(word: &str) -> String {
    stem_variants_written(&normalize(word), ends_with_ta_marbuta(word)).0
}

/// [`stem`] for a word already normalised.
pub fn stem_normalized(norm: &str) -> String {
    match norm.chars().find(|c| c.is_alphabetic()) {
        Some(c) if is_arabic_letter(c) => light10(norm),
        Some(_) => french_stem(norm),
        None => norm.to_owned(),
    }
}

const ARABIC_PREFIXES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
/// light10's suffixes as they read after normalisation (ة → ه), longest
/// first, less two: ان, which ends as many words as it inflects (امتحان,
/// مكان, بيان, رمضان) and is read by [`word_forms`] instead; and يه, read as
/// ه then the ي of the adjective (see [`strip_suffix`]).
const ARABIC_SUFFIXES: [&str; 6] = ["ها", "ات", "ون", "ين", "ه", "ي"];
/// Letters a stem keeps at least: light10 keeps two, which makes بي of
/// بيان and ما of ماي, where most two-letter stems meet unrelated words…
pub const MIN_STEM_LETTERS: usize = 3;
/// …except under the feminine endings ة and ات, which nouns of two
/// letters take (لغة, لغات; سنة).
pub const MIN_FEMININE_STEM_LETTERS: usize = 2;
/// Letters a stem keeps when the dual ending ان is read off it: امتحان
/// offers امتح, but مكان, بيان and رمضان keep their ان.
pub const MIN_DUAL_STEM_LETTERS: usize = 4;

/// The field's common broken plurals (and the few singulars light10 cannot
/// bring to their plural's stem), as stems: plural stem → singular stem.
/// Small on purpose: each entry is a word the network's readers search in
/// both numbers, and none is another word's stem.
const BROKEN_PLURALS: [(&str, &str); 20] = [
    ("تلاميذ", "تلميذ"),
    ("اساتذ", "استاذ"),
    ("مدارس", "مدرس"),
    ("مبارا", "مبار"), // مباراة; its plural مباريات stems to مبار
    ("اطر", "اطار"),
    ("انشط", "نشاط"),
    ("برامج", "برنامج"),
    ("مراكز", "مركز"),
    ("مكاتب", "مكتب"),
    ("مناهج", "منهاج"),
    ("دروس", "درس"),
    ("جوائز", "جائز"),
    ("نتائج", "نتيج"),
    ("اقسام", "قسم"),
    ("شواهد", "شهاد"),
    ("طلاب", "طالب"),
    ("اولياء", "ولي"),
    ("مصالح", "مصلح"),
    ("مواعيد", "موعد"),
    ("نواد", "ناد"), // النوادي, النادي
];

/// The light10 stemmer on a normalised Arabic word.
fn light10(norm: &str) -> String {
    light10_variants(norm, false).0
}

/// Single-letter prepositions and conjunctions written glued to the next
/// word: بمراكش "in Marrakech", لمدير "to the director", كمدرسة, فمراكش.
const ARABIC_PROCLITICS: [char; 4] = ['ب', 'ل', 'ك', 'ف'];

/// light10, and an alternative stem for words whose first letter may be a
/// glued particle or part of the word:
///
/// - a first و: light10 takes it for "and", the alternative keeps it, as the
///   و of وزارة or وجدة is the word's own (وزارة → زار by light10, but
///   الوزارة → وزار);
/// - a first ب ل ك ف, which light10 leaves on unless an article follows:
///   the stem keeps it (برنامج, فاس), the alternative drops it, so that
///   بمراكش, لمراكش and مراكش meet. Three letters must remain.
///
/// Documents index both at the same position and queries ask for either,
/// so neither reading stops a match. `written_ta` says the word was
/// written with a final ة (see [`strip_suffix`]).
fn light10_variants(norm: &str, written_ta: bool) -> (String, Option<String>) {
    let chars: Vec<char> = norm.chars().collect();
    let mut word: &[char] = &chars;
    let mut alternative = None;
    if let Some(p) = ARABIC_PREFIXES
        .iter()
        .find(|p| starts_with(word, p) && word.len() >= p.chars().count() + 2)
    {
        word = &word[p.chars().count()..];
    } else if starts_with(word, "و") && word.len() >= 4 {
        alternative = Some(strip_suffix(word, written_ta).iter().collect());
        word = &word[1..];
    } else if word.len() >= 4 && ARABIC_PROCLITICS.contains(&word[0]) {
        alternative = Some(strip_suffix(&word[1..], written_ta).iter().collect());
    }
    (strip_suffix(word, written_ta).iter().collect(), alternative)
}

fn starts_with(w: &[char], affix: &str) -> bool {
    let n = affix.chars().count();
    w.len() >= n && w[..n].iter().copied().eq(affix.chars())
}

fn ends_with(w: &[char], affix: &str) -> bool {
    let n = affix.chars().count();
    w.len() >= n && w[w.len() - n..].iter().copied().eq(affix.chars())
}

/// At most one suffix of [`ARABIC_SUFFIXES`], leaving
/// [`MIN_STEM_LETTERS`]; after a feminine or plural ending (ه ات ون ين) the
/// ي of an adjective goes too, so تربوي, تربوية, تربويات and تربويين all
/// stem to تربو, and الابتدائيين meets الابتدائي.
///
/// A final ه after ي with three letters left is kept unless it was
/// written ة: it is then the word's own (the name نُبَيْه, فقيه, شبيه), and
/// reading it as a suffix would merge نبيه with النبي. قرية, written with
/// its ة, still stems to قري.
fn strip_suffix(word: &[char], written_ta: bool) -> &[char] {
    let keeps = |suffix: &str| match suffix {
        "ه" | "ات" => MIN_FEMININE_STEM_LETTERS,
        _ => MIN_STEM_LETTERS,
    };
    let found = ARABIC_SUFFIXES
        .iter()
        .find(|s| ends_with(word, s) && word.len() >= s.chars().count() + keeps(s));
    let Some(suffix) = found else {
        return word;
    };
    let rest = &word[..word.len() - suffix.chars().count()];
    if *suffix == "ه" && !written_ta && rest.len() == MIN_STEM_LETTERS && ends_with(rest, "ي") {
        return word;
    }
    if *suffix != "ي" && *suffix != "ها" && ends_with(rest, "ي") && rest.len() > MIN_STEM_LETTERS
    {
        return &rest[..rest.len() - 1];
    }
    rest
}

/// The other stems a stem stands for, most general last: the singular of
/// a broken plural of the field ([`BROKEN_PLURALS`]: تلاميذ → تلميذ,
/// مدارس → مدرس), and the noun under a dual ending ان (معلمان → معلم,
/// امتحان → امتح) when [`MIN_DUAL_STEM_LETTERS`] remain, and the feminine
/// noun under a ت when as many remain (مدرستان → مدرست → مدرس, مؤسستين →
/// مؤسست → مؤسس). A word offers its stem and
/// these, so singular, plural and dual meet whichever one is written or
/// typed, while مكان or رمضان, too short for the dual reading, meet nothing
/// new.
pub fn word_forms(stem: &str) -> Vec<String> {
    let mut forms: Vec<String> = Vec::new();
    if let Some((_, singular)) = BROKEN_PLURALS.iter().find(|(plural, _)| *plural == stem) {
        if *singular != stem {
            forms.push((*singular).to_owned());
        }
    }
    let chars: Vec<char> = stem.chars().collect();
    let mut noun: &[char] = &chars;
    if ends_with(noun, "ان") && noun.len() >= MIN_DUAL_STEM_LETTERS + 2 {
        noun = &noun[..noun.len() - 2];
        forms.push(noun.iter().collect());
    } else if ends_with(noun, "تان") && noun.len() == MIN_FEMININE_STEM_LETTERS + 3 {
        // The dual of a two-letter feminine noun: الصحتان, اللغتان.
        noun = &noun[..noun.len() - 2];
    }
    // The ة of a feminine noun is written ت before the dual's ان/ين and a
    // pronoun: مدرستان, مؤسستين, مدرستها; with it goes the ي of an
    // adjective, as in strip_suffix (ثانويتين → ثانو, like ثانوية).
    // Two letters remain only of such a short noun (لغتين → لغت → لغ, like
    // لغة), whose stems are the only two-letter ones; a four-letter stem
    // ending in ت is mostly a root's (نبات, ثابت) and keeps it.
    let short = noun.len() == MIN_FEMININE_STEM_LETTERS + 1;
    if ends_with(noun, "ت") && (short || noun.len() > MIN_DUAL_STEM_LETTERS) {
        let mut feminine = &noun[..noun.len() - 1];
        if ends_with(feminine, "ي") && feminine.len() > MIN_STEM_LETTERS {
            feminine = &feminine[..feminine.len() - 1];
        }
        forms.push(feminine.iter().collect());
    }
    forms
}

/// A stem read without a first ب ل ك ف (three letters remaining): the
/// second particle of بفجيج's alternative فجيج, for a backend that can ask
/// for only one term per word.
pub fn without_proclitic(stem: &str) -> Option<String> {
    let chars: Vec<char> = stem.chars().collect();
    (chars.len() >= 4 && ARABIC_PROCLITICS.contains(&chars[0])).then(|| chars[1..].iter().collect())
}

/// [`stem_normalized`] and, for an Arabic word that starts with و, the stem
/// that keeps the و (see [`light10_variants`]).
pub fn stem_variants(norm: &str) -> (String, Option<String>) {
    stem_variants_written(norm, false)
}

/// [`stem_variants`] knowing whether the word was written with a final ة.
fn stem_variants_written(norm: &str, written_ta: bool) -> (String, Option<String>) {
    match norm.chars().find(|c| c.is_alphabetic()) {
        Some(c) if is_arabic_letter(c) => light10_variants(norm, written_ta),
        _ => (stem_normalized(norm), None),
    }
}

/// Whether a word as written ends with ة (marks and tatweel aside).
fn ends_with_ta_marbuta(word: &str) -> bool {
    word.chars()
        .rev()
        .find(|c| !(is_harakah(*c) || *c == '\u{0640}' || is_format(*c) || is_combining(*c)))
        .is_some_and(|c| c == 'ة' || c == '\u{FE93}' || c == '\u{FE94}')
}

/// A light French stemmer on a normalised (lower-case, accent-free) word.
///
/// Only inflection, never derivation, so it rarely merges words of
/// different meaning. Words of three letters or fewer are kept whole.
/// In order, at most one rule of each step:
///
/// 1. plural: `-aux` → `-al` (journaux → journal), else a final `-s` or
///    `-x` is removed (éducations → education);
/// 2. feminine: `-euse` → `-eur`, `-trice` → `-teur`, `-ive` → `-if`,
///    `-ere` → `-er`, `-elle` → `-el`, `-enne` → `-en`, `-ette` → `-et`;
/// 3. a final `-e` is removed (formée → forme → form), then a final
///    `-e` left by a past participle is removed too (formé + e).
///
/// The result is not a dictionary word, only a key that the singular,
/// plural, masculine and feminine forms share.
pub fn french_stem(norm: &str) -> String {
    let mut w = norm.to_owned();
    if w.chars().count() <= 3 {
        return w;
    }
    if w.ends_with("aux") && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push_str("al");
    } else if (w.ends_with('s') || w.ends_with('x')) && !w.ends_with("ss") {
        w.pop();
    }
    const FEMININE: [(&str, &str); 7] = [
        ("euse", "eur"),
        ("trice", "teur"),
        ("ive", "if"),
        ("ere", "er"),
        ("elle", "el"),
        ("enne", "en"),
        ("ette", "et"),
    ];
    for (from, to) in FEMININE {
        if w.ends_with(from) && w.len() > from.len() + 2 {
            w.truncate(w.len() - from.len());
            w.push_str(to);
            return w;
        }
    }
    for _ in 0..2 {
        if w.ends_with('e') && w.len() > 3 {
            w.pop();
        }
    }
    w
}

/// One analysed word: its terms and where it was in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    /// [`normalize`]d form.
    pub norm: String,
    /// [`stem`]med form.
    pub stem: String,
    /// The other reading of a first و, ب, ل, ك or ف (see
    /// [`stem_variants`]).
    pub alt: Option<String>,
    /// The other stems the word stands for: the singular of a broken
    /// plural, the noun under a dual ([`word_forms`] of the stem and of
    /// `alt`).
    pub forms: Vec<String>,
    /// Byte offset of the word in the original text.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
}

impl Analyzed {
    /// Every stem the word offers: its stem, the other reading, the forms.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.stem.as_str())
            .chain(self.alt.as_deref())
            .chain(self.forms.iter().map(String::as_str))
    }
}

/// Tokenizes, normalises and stems a text; words that normalise to nothing
/// (marks alone) are dropped.
pub fn analyze(text: &str) -> Vec<Analyzed> {
    tokenize(text)
        .into_iter()
        .filter_map(|w| {
            let norm = normalize(w.text);
            if norm.is_empty() {
                return None;
            }
            let (stem, alt) = stem_variants_written(&norm, ends_with_ta_marbuta(w.text));
            let mut forms = word_forms(&stem);
            for form in alt.iter().flat_map(|a| word_forms(a)) {
                if !forms.contains(&form) {
                    forms.push(form);
                }
            }
            Some(Analyzed {
                norm,
                stem,
                alt,
                forms,
                start: w.start,
                end: w.end,
            })
        })
        .collect()
}

/// Number of letters and digits of a normalised word (what "a word of five
/// letters" counts).
pub fn letter_count(norm: &str) -> usize {
    norm.chars().filter(|c| c.is_alphanumeric()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every group of spellings must analyse to one stem.
    #[test]
    fn spelling_groups_share_one_stem() {
        let groups: &[&[&str]] = &[
            &[
                "المدرسة",
                "مدرسه",
                "المدرسه",
                "بالمدرسة",
                "للمدرسة",
                "فالمدرسة",
                "مُدَرِّسَةٌ",
                "الـمـدرسـة",
                "والمدرسة",
                "كالمدرسة",
                "\u{200F}المدرسة\u{200E}",
            ],
            &["أحمد", "احمد", "إحمد", "آحمد"],
            &["مستشفى", "مستشفي"],
            &["والتعليم", "التعليم", "تعليم", "التَّعْلِيمُ"],
            &["٢٠٢٦", "2026", "۲۰۲۶"],
            &[
                "éducation",
                "education",
                "Éducations",
                "EDUCATION",
                "e\u{0301}ducation",
            ],
            &["formation", "Formations"],
            &["régional", "régionaux", "regionale", "Régionales"],
            &["formé", "formée", "formés", "formées"],
            &["ﻻ", "لا"],
            &["کتاب", "كتاب", "الكتاب"],
            &["مستوی", "مستوى", "مستوي"],
        ];
        for group in groups {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            for (word, s) in group.iter().zip(&stems) {
                assert_eq!(
                    s, &stems[0],
                    "{word} stems to {s}, {} to {}",
                    group[0], stems[0]
                );
            }
        }
    }

    #[test]
    fn normalisation_table() {
        let table = [
            ("مُدَرِّسَةٌ", "مدرسه"),
            ("الـمـدرسـة", "المدرسه"),
            ("أحمد", "احمد"),
            ("إسلام", "اسلام"),
            ("آمال", "امال"),
            ("ٱلله", "الله"),
            ("مستشفى", "مستشفي"),
            ("ﻻ", "لا"),
            ("ﺍﻟﻤﺪﺭﺳﺔ", "المدرسه"),
            ("کیف", "كيف"),
            ("٢٠٢٦", "2026"),
            ("۱۴", "14"),
            ("\u{200F}مسار\u{200E}", "مسار"),
            ("Éducation", "education"),
            ("Œuvre", "oeuvre"),
            ("ÇA", "ca"),
            ("َُِ", ""),
        ];
        for (word, want) in table {
            assert_eq!(normalize(word), want, "normalize({word})");
        }
    }

    #[test]
    fn light10_table() {
        let table = [
            ("المدرسة", "مدرس"),
            ("والتعليم", "تعليم"),
            ("للتلاميذ", "تلاميذ"),
            ("بالمدارس", "مدارس"),
            ("وزارة", "زار"), // light10 takes و for "and"…
            ("ولد", "ولد"),   // و only when three letters remain
            ("الم", "الم"),   // never fewer than two letters
            ("معلمات", "معلم"),
            ("المعلمون", "معلم"),
            ("مدرستها", "مدرست"), // one suffix only
            ("مسار", "مسار"),
            ("تيسير", "تيسير"),
            // ان is read by word_forms, not cut: الامتحان is not امتح.
            ("الامتحان", "امتحان"),
            ("الامتحانات", "امتحان"),
            ("مكان", "مكان"),
            ("بيان", "بيان"),
            // Three letters stay: ماي (May), not ما.
            ("ماي", "ماي"),
            ("يده", "يد"),
            ("لغات", "لغ"),
            ("اللغة", "لغ"),
            // The ي of an adjective goes with its feminine or plural ending.
            ("تربوية", "تربو"),
            ("تربويين", "تربو"),
            ("التربوي", "تربو"),
            ("قرية", "قري"),
            // A final ه after ي, not written ة, is the word's own.
            ("نُبَيْه", "نبيه"),
            ("النبي", "نبي"),
        ];
        for (word, want) in table {
            assert_eq!(stem(word), want, "stem({word})");
        }
    }

    /// The terms a word offers in a document, or asks for in a query.
    fn terms(word: &str) -> Vec<String> {
        analyze(word)
            .iter()
            .flat_map(|a| a.terms().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }

    fn meet(a: &str, b: &str) -> bool {
        let b = terms(b);
        terms(a).iter().any(|t| b.contains(t))
    }

    /// Number (sound and broken plurals), gender and dual: every word of a
    /// group meets every other.
    #[test]
    fn word_forms_meet() {
        let groups: &[&[&str]] = &[
            &[
                "الامتحان",
                "امتحان",
                "الامتحانات",
                "امتحانات",
                "للامتحانات",
                "الامتحانان",
            ],
            &["إعلان", "الإعلان", "إعلانات", "الإعلانات", "اعلانات"],
            &[
                "مؤسسة",
                "المؤسسة",
                "مؤسسات",
                "المؤسسات",
                "مؤسستان",
                "المؤسستين",
            ],
            &[
                "تلميذ",
                "التلميذ",
                "تلاميذ",
                "التلاميذ",
                "للتلاميذ",
                "تلميذة",
                "تلميذات",
            ],
            &["أستاذ", "الأستاذ", "أساتذة", "الأساتذة", "أستاذة", "أستاذات"],
            &[
                "مدرسة",
                "المدرسة",
                "مدارس",
                "المدارس",
                "بالمدارس",
                "مدرستان",
                "مدرستين",
            ],
            &["مباراة", "المباراة", "مباريات", "المباريات"],
            &["معلم", "معلمة", "معلمون", "معلمين", "معلمات", "المعلمان"],
            &["تربوي", "التربوية", "تربويون", "التربويين", "تربويات"],
            &["الابتدائي", "الابتدائية", "الابتدائيين"],
            &["مكان", "المكان", "مكانه"],
            &["بيان", "البيان", "بيانات"],
            &["رمضان", "برمضان"],
            &["نتيجة", "النتائج"],
            &["ثانوية", "ثانويتين", "الثانويات", "ثانوي"],
            &["النوادي", "النادي"],
            &["اللغة", "اللغات", "اللغتين", "اللغتان"],
            &["الصحة", "الصحتان"],
            &["فارابي", "الفارابي", "بالفارابي"],
            &["مراكش", "بمراكش", "لمراكش"],
            &["برنامج", "البرامج"],
        ];
        for group in groups {
            for a in group.iter() {
                for b in group.iter() {
                    assert!(
                        meet(a, b),
                        "{a} {:?} and {b} {:?} must meet",
                        terms(a),
                        terms(b)
                    );
                }
            }
        }
    }

    /// What light10 merged and should not: words ending in ان, a name
    /// ending in ه, two-letter stems.
    #[test]
    fn unrelated_words_stay_apart() {
        let pairs = [
            ("مكان", "مك"),
            ("مكان", "مكة"),
            ("بيان", "بي"),
            ("رمضان", "رمض"),
            ("نُبَيْه", "النبي"),
            ("الامتحان", "امتحن"),
            ("ماي", "ما"),
            ("مكة", "مكان"),
            ("علي", "عل"),
            ("إعلان", "علن"),
        ];
        for (a, b) in pairs {
            assert!(
                !meet(a, b),
                "{a} {:?} and {b} {:?} must not meet",
                terms(a),
                terms(b)
            );
        }
    }

    #[test]
    fn word_forms_table() {
        let table: &[(&str, &[&str])] = &[
            ("امتحان", &["امتح"]), // the dual reading, harmless
            ("اعلان", &[]),         // three letters under ان: no dual
            ("مكان", &[]),
            ("رمضان", &[]),
            ("معلمان", &["معلم"]),
            ("مدرستان", &["مدرست", "مدرس"]),
            ("تلاميذ", &["تلميذ"]),
            ("اساتذ", &["استاذ"]),
            ("مدارس", &["مدرس"]),
            ("مبارا", &["مبار"]),
            ("مدرس", &[]),
            ("مؤسست", &["مؤسس"]),
            ("ساعت", &[]),
            ("نبات", &[]),
            ("لغت", &["لغ"]),
            ("صحتان", &["صح"]),
        ];
        for (stem, forms) in table {
            assert_eq!(word_forms(stem), *forms, "word_forms({stem})");
        }
    }

    #[test]
    fn a_root_waw_keeps_an_alternative() {
        assert_eq!(
            stem_variants("وزاره"),
            ("زار".to_owned(), Some("وزار".to_owned()))
        );
        assert_eq!(
            stem_variants(&normalize("الوزارة")),
            ("وزار".to_owned(), None)
        );
        assert_eq!(stem_variants("مدرسه"), ("مدرس".to_owned(), None));
    }

    #[test]
    fn a_glued_preposition_keeps_an_alternative_without_it() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            // (word, stem, alternative)
            ("بمراكش", "بمراكش", Some("مراكش")),
            ("لمراكش", "لمراكش", Some("مراكش")),
            ("بوجدة", "بوجد", Some("وجد")),
            ("برنامج", "برنامج", Some("رنامج")),
            ("بإعدادية", "باعداد", Some("اعداد")),
            ("فاس", "فاس", None),
            ("بحث", "بحث", None),
            ("بالمدرسة", "مدرس", None),
            ("للمدرسة", "مدرس", None),
        ];
        for (word, stem, alternative) in cases {
            assert_eq!(
                stem_variants(&normalize(word)),
                ((*stem).to_owned(), alternative.map(str::to_owned)),
                "{word}"
            );
        }
        // The query وجدة asks for جد or وجد; the text بوجدة offers بوجد or
        // وجد: they meet.
        assert_eq!(stem_variants(&normalize("وجدة")).1.as_deref(), Some("وجد"));
    }

    #[test]
    fn french_table() {
        let table = [
            ("journaux", "journal"),
            ("inspectrice", "inspecteur"),
            ("inspecteurs", "inspecteur"),
            ("active", "actif"),
            ("première", "premier"),
            ("nouvelle", "nouvel"),
            ("européenne", "europeen"),
            ("classes", "class"),
            ("bus", "bus"),
            ("un", "un"),
        ];
        for (word, want) in table {
            assert_eq!(stem(word), want, "stem({word})");
        }
    }

    #[test]
    fn tokenizer_keeps_original_offsets() {
        let text = "دورة تكوينية: «مُدَرِّسَةٌ» l'éducation, Massar2026 و٢٠٢٦";
        let words = tokenize(text);
        let got: Vec<&str> = words.iter().map(|w| w.text).collect();
        assert_eq!(
            got,
            [
                "دورة",
                "تكوينية",
                "مُدَرِّسَةٌ",
                "éducation",
                "Massar2026",
                "و٢٠٢٦"
            ]
        );
        for w in &words {
            assert_eq!(&text[w.start..w.end], w.text);
        }
    }

    #[test]
    fn tokenizer_splits_scripts_and_skips_noise() {
        let got: Vec<&str> = tokenize("Tayssirتيسير -- (x) *** \u{064E}")
            .iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(got, ["Tayssir", "تيسير", "x", "\u{064E}"]);
        assert!(analyze("\u{064E}\u{0650} ... !!!").is_empty());
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        assert!(tokenize(&long).is_empty());
    }
}

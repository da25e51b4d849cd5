//! Snippets: the original text around the best match, HTML-escaped, with
//! `<mark>` around the words that match the query.

use std::collections::HashSet;

use crate::analysis::{analyze, Analyzed};
use crate::query::ParsedQuery;

/// Characters of text shown in a snippet (about two lines on a phone).
pub const SNIPPET_CHARS: usize = 180;
/// Words of context kept before the first match.
const LEAD_WORDS: usize = 4;

/// Decides which words of a text match a query.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    stems: HashSet<String>,
    fuzzy: Vec<Vec<char>>,
}

impl Matcher {
    /// What the search matched: each word's stems and forms, and one typo
    /// in the words that tolerate one, when `typos` says the search forgave
    /// typos (it does only when the words as typed found nothing).
    pub fn new(query: &ParsedQuery, typos: bool) -> Self {
        let mut m = Matcher::default();
        for w in query.words() {
            for s in w.strict_stems() {
                m.stems.insert(s.to_owned());
            }
            if typos && w.fuzzy {
                m.fuzzy.push(w.stem.chars().collect());
            }
        }
        m
    }

    /// The query stem a word matches, if any.
    pub fn matched<'a>(&'a self, word: &'a Analyzed) -> Option<&'a str> {
        for s in word.terms() {
            if let Some(hit) = self.stems.get(s) {
                return Some(hit);
            }
        }
        let chars: Vec<char> = word.stem.chars().collect();
        self.fuzzy
            .iter()
            .find(|f| within_one_edit(f, &chars))
            .map(|_| word.stem.as_str())
    }
}

/// Damerau–Levenshtein distance ≤ 1 (one insertion, deletion, substitution
/// or swap of neighbours), as the index's fuzzy queries allow.
pub fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        return true;
    }
    if short.len() == long.len() {
        let swap = prefix + 1 < short.len()
            && short[prefix] == long[prefix + 1]
            && short[prefix + 1] == long[prefix]
            && short[prefix + 2..] == long[prefix + 2..];
        swap || short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A piece of a snippet as plain text, marked when it matched: for
/// templates that escape everything themselves (the admin's), which then
/// never need to trust the snippet's HTML.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    pub text: String,
    pub mark: bool,
}

/// A snippet made by this module, read back into [`Part`]s: its `<mark>`
/// tags become marks and its entities the characters they stand for.
pub fn parts(snippet: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut rest = snippet;
    let mut mark = false;
    while !rest.is_empty() {
        let tag = if mark { "</mark>" } else { "<mark>" };
        let (text, next) = match rest.find(tag) {
            Some(i) => (&rest[..i], &rest[i + tag.len()..]),
            None => (rest, ""),
        };
        if !text.is_empty() {
            out.push(Part {
                text: unescape_html(text),
                mark,
            });
        }
        rest = next;
        mark = !mark;
    }
    out
}

fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The snippet of a document: from the first of `texts` that matches the
/// most query words (summary, then body, say), the [`SNIPPET_CHARS`]
/// around its best match; when nothing matches, the start of the first
/// non-empty text. Always escaped HTML.
pub fn snippet(texts: &[&str], matcher: &Matcher) -> String {
    let mut best: Option<(usize, &str, Vec<Analyzed>, Vec<bool>)> = None;
    for text in texts.iter().copied().filter(|t| !t.trim().is_empty()) {
        let words = analyze(text);
        let flags: Vec<bool> = words.iter().map(|w| matcher.matched(w).is_some()).collect();
        let distinct: HashSet<&str> = words.iter().filter_map(|w| matcher.matched(w)).collect();
        let score = distinct.len();
        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
            best = Some((score, text, words, flags));
        }
    }
    let Some((_, text, words, flags)) = best else {
        return String::new();
    };
    let first = best_window_start(text, &words, &flags, matcher);
    let from = first.saturating_sub(LEAD_WORDS);
    render(text, &words[from..], &flags[from..], from == 0)
}

/// Index of the matched word that starts the window with the most distinct
/// matched words (0 when nothing matches).
fn best_window_start(text: &str, words: &[Analyzed], flags: &[bool], matcher: &Matcher) -> usize {
    let mut best = (0, 0);
    for (i, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
        let mut seen = HashSet::new();
        for w in &words[i..] {
            if text[words[i].start..w.end].chars().count() > SNIPPET_CHARS {
                break;
            }
            if let Some(s) = matcher.matched(w) {
                seen.insert(s);
            }
        }
        if seen.len() > best.1 {
            best = (i, seen.len());
        }
    }
    best.0
}

fn render(text: &str, words: &[Analyzed], flags: &[bool], at_start: bool) -> String {
    let mut out = String::with_capacity(SNIPPET_CHARS * 3);
    let Some(first) = words.first() else {
        escape_html(cut_chars(text, SNIPPET_CHARS), &mut out);
        return out;
    };
    let start = if at_start { 0 } else { first.start };
    if !at_start {
        out.push('…');
    }
    let mut pos = start;
    let mut end = start;
    let mut all_words = true;
    for (w, matched) in words.iter().zip(flags) {
        if text[start..w.end].chars().count() > SNIPPET_CHARS {
            all_words = false;
            break;
        }
        escape_html(&text[pos..w.start], &mut out);
        if *matched {
            out.push_str("<mark>");
            escape_html(&text[w.start..w.end], &mut out);
            out.push_str("</mark>");
        } else {
            escape_html(&text[w.start..w.end], &mut out);
        }
        pos = w.end;
        end = w.end;
    }
    if end == start {
        // A first word longer than the whole snippet.
        escape_html(cut_chars(&text[start..], SNIPPET_CHARS), &mut out);
        end = text.len();
    }
    if all_words && text[end..].chars().count() <= SNIPPET_CHARS / 4 {
        escape_html(&text[end..], &mut out);
    } else {
        out.push('…');
    }
    out
}

fn cut_chars(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn snip(texts: &[&str], q: &str) -> String {
        snippet(texts, &Matcher::new(&parse(q), false))
    }

    fn snip_forgiving(texts: &[&str], q: &str) -> String {
        snippet(texts, &Matcher::new(&parse(q), true))
    }

    #[test]
    fn marks_the_original_vowelled_text() {
        assert_eq!(
            snip(&["زيارة إلى المَدْرَسَةِ الابتدائية"], "مدرسه"),
            "زيارة إلى <mark>المَدْرَسَةِ</mark> الابتدائية"
        );
    }

    #[test]
    fn a_snippet_reads_back_into_plain_parts() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            ("", &[]),
            ("نص", &[("نص", false)]),
            (
                "قبل <mark>مسار</mark> بعد",
                &[("قبل ", false), ("مسار", true), (" بعد", false)],
            ),
            (
                "&lt;b&gt; &amp;lt; <mark>x&#39;</mark>",
                &[("<b> &lt; ", false), ("x'", true)],
            ),
        ];
        for (snippet, expected) in cases {
            let expected: Vec<Part> = expected
                .iter()
                .map(|(t, m)| Part {
                    text: (*t).to_owned(),
                    mark: *m,
                })
                .collect();
            assert_eq!(parts(snippet), expected, "{snippet}");
        }
        // What the snippet maker writes comes back as the text it read.
        let original = "<script>alert('x')</script> & مسار";
        let back: String = parts(&snip(&[original], "مسار"))
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(back, original);
    }

    #[test]
    fn escapes_everything_else() {
        assert_eq!(
            snip(&["<script>alert('x')</script> & مسار"], "مسار"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; <mark>مسار</mark>"
        );
        assert_eq!(
            snip(&["<b>مسار</b>"], "b"),
            "&lt;<mark>b</mark>&gt;مسار&lt;/<mark>b</mark>&gt;"
        );
    }

    #[test]
    fn windows_around_the_best_match() {
        let filler = "كلمة ".repeat(100);
        let text = format!("{filler}برنامج تيسير للدعم {filler}");
        let s = snip(&[&text], "تيسير");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>تيسير</mark>"), "{s}");
        assert!(s.chars().count() < SNIPPET_CHARS + 40, "{s}");
    }

    #[test]
    fn prefers_the_text_that_matches_more() {
        let s = snip(&["ملخص بدون شيء", "نص عن مسار وتيسير"], "مسار تيسير");
        assert_eq!(s, "نص عن <mark>مسار</mark> <mark>وتيسير</mark>");
        assert_eq!(snip(&["", "بداية النص"], "غائب"), "بداية النص");
        assert_eq!(snip(&[], "غائب"), "");
    }

    #[test]
    fn one_typo_is_marked_only_when_the_search_forgave_typos() {
        assert_eq!(
            snip_forgiving(&["تكوين الأساتذة"], "الاساتزة"),
            "تكوين <mark>الأساتذة</mark>"
        );
        // The words as typed found the hits: nothing else is marked.
        assert_eq!(snip(&["تكوين الأساتذة"], "الاساتزة"), "تكوين الأساتذة");
        assert_eq!(
            snip(&["قال المدير إن القاتلة"], "القاتلة"),
            "قال المدير إن <mark>القاتلة</mark>"
        );
        assert_eq!(snip(&["حدثني أبي"], "حدثنا"), "حدثني أبي");
    }

    #[test]
    fn a_typo_is_marked_only_where_the_rule_allows_it() {
        // القاتلة has five letters but a three-letter stem (قاتل has four…
        // so take الدعم: five letters, stem دعم): no typo for it.
        assert_eq!(
            snip_forgiving(&["دعم الدعر"], "الدعم"),
            "<mark>دعم</mark> الدعر"
        );
        // حدثنا tolerates one typo when the search forgave typos.
        assert_eq!(
            snip_forgiving(&["حدثني أبي"], "حدثنا"),
            "<mark>حدثني</mark> أبي"
        );
    }

    #[test]
    fn forms_of_a_word_are_marked() {
        assert_eq!(
            snip(&["نتائج الامتحان ولوائح التلميذ"], "الامتحانات التلاميذ"),
            "نتائج <mark>الامتحان</mark> ولوائح <mark>التلميذ</mark>"
        );
    }

    #[test]
    fn one_edit() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(within_one_edit(&c("abcde"), &c("abxde")));
        assert!(within_one_edit(&c("abcde"), &c("abde")));
        assert!(within_one_edit(&c("abcde"), &c("abdce")));
        assert!(!within_one_edit(&c("abcde"), &c("axcdy")));
        assert!(!within_one_edit(&c("abcde"), &c("abc")));
    }
}

//! Giving imported entries slugs that do not clash. Archives repeat their
//! titles (the same workshop every year), so a slug made from a title that
//! is already taken gets `-2`, `-3`…; only a slug someone chose on purpose
//! may not be changed, and two such slugs that clash are an error.

use std::collections::HashSet;

use tawasul_domain::slug::MAX_SLUG_CHARS;

/// The slugs taken so far, and the next free one for a wanted slug.
#[derive(Debug, Default)]
pub struct SlugBook {
    taken: HashSet<String>,
}

impl SlugBook {
    pub fn new(taken: impl IntoIterator<Item = String>) -> Self {
        SlugBook {
            taken: taken.into_iter().collect(),
        }
    }

    pub fn is_taken(&self, slug: &str) -> bool {
        self.taken.contains(slug)
    }

    /// Takes `slug` as it is; `false` when it was already taken.
    pub fn take_exact(&mut self, slug: &str) -> bool {
        self.taken.insert(slug.to_owned())
    }

    /// Takes `wanted`, or the first of `wanted-2`, `wanted-3`… that is
    /// free, shortened so the suffix fits the longest slug.
    pub fn take_derived(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        let mut n = 2u32;
        loop {
            let suffix = format!("-{n}");
            let room = MAX_SLUG_CHARS.saturating_sub(suffix.chars().count());
            let stem: String = wanted.chars().take(room).collect();
            let candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    /// Gives a slug back (an entry that will not be written after all).
    pub fn release(&mut self, slug: &str) {
        self.taken.remove(slug);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_slug_that_clashes_gets_the_next_number() {
        let mut book = SlugBook::new(["atelier".to_owned()]);
        assert_eq!(book.take_derived("atelier"), "atelier-2");
        assert_eq!(book.take_derived("atelier"), "atelier-3");
        assert_eq!(book.take_derived("ورشة"), "ورشة");
        assert_eq!(book.take_derived("ورشة"), "ورشة-2");
    }

    #[test]
    fn a_number_never_lands_on_a_slug_already_taken() {
        let mut book = SlugBook::new(["a".to_owned(), "a-2".to_owned()]);
        assert_eq!(book.take_derived("a"), "a-3");
    }

    #[test]
    fn the_suffix_fits_within_the_longest_slug() {
        let long = "x".repeat(MAX_SLUG_CHARS);
        let mut book = SlugBook::new([long.clone()]);
        let next = book.take_derived(&long);
        assert_eq!(next.chars().count(), MAX_SLUG_CHARS);
        assert!(next.ends_with("-2"));
    }

    #[test]
    fn an_explicit_slug_is_taken_once() {
        let mut book = SlugBook::default();
        assert!(book.take_exact("rentree"));
        assert!(!book.take_exact("rentree"));
    }
}

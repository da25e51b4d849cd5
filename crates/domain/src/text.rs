//! What a text typed by a person may hold. Control characters (NUL, the
//! C1 range with U+0085, escape…) mean nothing to a reader, break mail
//! headers and feeds, and are refused where text enters, with the field
//! named, so that a title can never make its notices unsendable.

/// Whether a text may span lines (a body, a summary, a comment) or is
/// one line (a title, a name, a tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The first character of `text` that a field of this shape may not hold.
/// Line breaks and tabs are allowed where text spans lines; no other
/// control character is allowed anywhere.
pub fn forbidden_character(text: &str, lines: Lines) -> Option<char> {
    text.chars()
        .find(|&c| c.is_control() && !(lines == Lines::Many && matches!(c, '\n' | '\r' | '\t')))
}

/// How [`forbidden_character_message`] starts, so that an interface can
/// say the same in its own language.
pub const FORBIDDEN_CHARACTER_LEAD: &str = "remove the invisible control character ";

/// The sentence that tells a person which character to remove.
pub fn forbidden_character_message(c: char) -> String {
    format!(
        "{FORBIDDEN_CHARACTER_LEAD}U+{:04X}: it cannot be sent or shown",
        u32::from(c)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_and_line_breaks_only_where_text_spans_lines() {
        let cases: [(&str, Lines, Option<char>); 9] = [
            ("ورشة تكوينية 2026", Lines::One, None),
            ("Atelier d'été – Rabat", Lines::One, None),
            ("ورشة\u{0}", Lines::One, Some('\u{0}')),
            ("ورشة\u{85}تكوين", Lines::Many, Some('\u{85}')),
            ("a\u{1b}[31m", Lines::Many, Some('\u{1b}')),
            ("two\nlines", Lines::One, Some('\n')),
            ("two\r\nlines\tand a tab", Lines::Many, None),
            ("tab\there", Lines::One, Some('\t')),
            ("\u{7f}", Lines::Many, Some('\u{7f}')),
        ];
        for (text, lines, expected) in cases {
            assert_eq!(forbidden_character(text, lines), expected, "{text:?}");
        }
    }

    #[test]
    fn the_message_names_the_character() {
        assert!(forbidden_character_message('\u{85}').contains("U+0085"));
    }
}

//! The names files are stored under, and the cleaning of the names people
//! gave them.
//!
//! A stored name is the SHA-256 of the content plus the extension of the
//! sniffed type: it says nothing the uploader chose, cannot traverse a path,
//! and the same photo uploaded twice is stored once. SHA-256 rather than a
//! fast hash because uploads are hostile: a crafted collision must not make
//! one file stand for another. The original name is kept as metadata only,
//! cleaned by [`clean_original_name`].

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::sniff::MediaType;

/// The SHA-256 of a file's content.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Lower-case hexadecimal, 64 characters.
    pub fn hex(&self) -> String {
        let mut out = String::with_capacity(64);
        for b in self.0 {
            out.push(char::from_digit((b >> 4).into(), 16).unwrap_or('0'));
            out.push(char::from_digit((b & 0xF).into(), 16).unwrap_or('0'));
        }
        out
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.hex())
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// An incremental [`ContentHash`], for content that arrives in pieces.
#[derive(Default, Clone)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> ContentHash {
        ContentHash(self.0.finalize().into())
    }
}

/// The name a file is stored under: `<sha256 hex>.<extension of its type>`.
pub fn stored_name(hash: &ContentHash, media_type: MediaType) -> String {
    format!("{}.{}", hash.hex(), media_type.extension())
}

/// The longest original name kept, in bytes.
pub const MAX_ORIGINAL_NAME: usize = 120;

/// The file name an uploader gave, made safe to keep and show: only its last
/// path component, NFC-normalised, without control or bidirectional
/// override characters, trimmed, at most [`MAX_ORIGINAL_NAME`] bytes
/// (keeping the extension), never empty, `.` or `..`.
pub fn clean_original_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut cleaned = String::with_capacity(last.len());
    let mut last_space = true;
    for c in last.nfc() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c.is_control() || is_format_control(c) {
            continue;
        }
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        cleaned.push(c);
    }
    let trimmed = cleaned.trim_matches(|c: char| c == ' ' || c == '.');
    let name = truncate_keeping_extension(trimmed, MAX_ORIGINAL_NAME);
    if name.is_empty() {
        "file".to_owned()
    } else {
        name
    }
}

/// Invisible characters that reorder or hide text (`photo\u{202E}gpj.exe`
/// shows as `photoexe.jpg`).
fn is_format_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
            | '\u{061C}'
    )
}

fn truncate_keeping_extension(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if name.len() - dot <= 10 && dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    let mut end = max - ext.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", stem[..end].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_hash_and_sniffed_extension() {
        let hash = ContentHash::of(b"abc");
        assert_eq!(
            hash.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            stored_name(&hash, MediaType::Png),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.png"
        );
        let mut hasher = Hasher::default();
        hasher.update(b"a");
        hasher.update(b"bc");
        assert_eq!(hasher.finish(), hash);
    }

    #[test]
    fn original_names_are_cleaned() {
        let long = format!("{}.jpg", "ا".repeat(100));
        let cases: &[(&str, &str)] = &[
            ("photo.jpg", "photo.jpg"),
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
            ("C:\\Users\\Amal\\Desktop\\atelier 1.JPG", "atelier 1.JPG"),
            ("/var/www/", "file"),
            ("..", "file"),
            (".", "file"),
            ("", "file"),
            ("...hidden.", "hidden"),
            ("a\0b\r\nc\u{7}.png", "ab c.png"),
            ("  too   many\tspaces .png ", "too many spaces .png"),
            ("photo\u{202E}gpj.exe", "photogpj.exe"),
            ("ورشة التكوين.jpg", "ورشة التكوين.jpg"),
            // NFD input is stored NFC.
            ("e\u{301}cole.png", "\u{e9}cole.png"),
        ];
        for (raw, expected) in cases {
            assert_eq!(clean_original_name(raw), *expected, "{raw:?}");
        }
        let cleaned = clean_original_name(&long);
        assert!(cleaned.len() <= MAX_ORIGINAL_NAME, "{}", cleaned.len());
        assert!(cleaned.ends_with(".jpg"));
        assert!(cleaned.starts_with('ا'));
        let no_ext = "x".repeat(500);
        assert_eq!(clean_original_name(&no_ext).len(), MAX_ORIGINAL_NAME);
    }
}

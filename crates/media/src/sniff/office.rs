//! Office Open XML packages (DOCX, XLSX, PPTX): macros, Excel 4.0 macro
//! sheets and ActiveX controls are found by what the package declares its
//! parts to be (`[Content_Types].xml`, both its defaults by extension and
//! its overrides by part, and the relationships in every `_rels/*.rels`),
//! not by their file names, which a package may choose freely. A package
//! whose declarations cannot be read is refused rather than let through
//! unread.

use std::io::Read as _;

use super::{le16, le32, Source, ZipEntry};
use crate::error::{MediaError, Result};

/// The most a declaration part may inflate to (real ones take a few KiB).
const MAX_PART: u64 = 4 * 1024 * 1024;
/// The most all relationship parts together may inflate to.
const MAX_RELATIONSHIPS: u64 = 64 * 1024 * 1024;
/// Relationship parts read at most.
const MAX_RELATIONSHIP_PARTS: usize = 10_000;

const MACROS: &str = "macros";
const MACRO_SHEETS: &str = "Excel 4.0 macro sheets";
const ACTIVEX: &str = "ActiveX controls";

const UNREADABLE_TYPES: &str = "its list of parts ([Content_Types].xml) cannot be read";
const UNREADABLE_RELATIONSHIPS: &str = "its list of relationships cannot be read";
const TOO_MANY_RELATIONSHIPS: &str = "it has more relationships than can be checked";

/// What a content type makes of a part, if it is active content.
fn active_content_type(content_type: &str) -> Option<&'static str> {
    let t = content_type.to_ascii_lowercase();
    if t.contains("macrosheet") {
        Some(MACRO_SHEETS)
    } else if t.contains("activex") {
        Some(ACTIVEX)
    } else if t.contains("macroenabled")
        || t.contains("vbaproject")
        || t.contains("vbadata")
        || t.contains("keymapcustomizations")
    {
        Some(MACROS)
    } else {
        None
    }
}

/// What a relationship type points at, if it is active content.
fn active_relationship(kind: &str) -> Option<&'static str> {
    let t = kind.to_ascii_lowercase();
    if t.contains("macrosheet") {
        Some(MACRO_SHEETS)
    } else if t.contains("activex") || t.ends_with("/control") {
        Some(ACTIVEX)
    } else if t.contains("vbaproject")
        || t.contains("vbadata")
        || t.contains("keymapcustomizations")
    {
        Some(MACROS)
    } else {
        None
    }
}

/// What a part's name says it is, whatever it is declared as.
fn active_part_name(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.ends_with("vbaproject.bin") {
        Some(MACROS)
    } else if n.starts_with("activex/") || n.contains("/activex/") {
        Some(ACTIVEX)
    } else {
        None
    }
}

/// A ZIP entry's name as an OPC part name: forward slashes, no leading one.
fn part_name(entry: &ZipEntry) -> String {
    String::from_utf8_lossy(&entry.name)
        .replace('\\', "/")
        .trim_start_matches('/')
        .to_owned()
}

/// Refuses an OOXML package with active content, or whose declarations
/// cannot be read. `entries` has a `[Content_Types].xml`.
pub(super) fn check_package(source: &mut dyn Source, entries: &[ZipEntry]) -> Result<()> {
    let parts: Vec<(String, &ZipEntry)> = entries
        .iter()
        .map(|e| (part_name(e), e))
        .filter(|(name, _)| !name.is_empty() && !name.ends_with('/'))
        .collect();
    if let Some(what) = parts.iter().find_map(|(name, _)| active_part_name(name)) {
        return Err(MediaError::OfficeActiveContent(what));
    }

    // Every `[Content_Types].xml` counts: readers differ on which of two
    // copies they take.
    let mut types = ContentTypes::default();
    for (_, entry) in parts
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("[Content_Types].xml"))
    {
        let text = read_part(source, entry, MAX_PART)?
            .and_then(|bytes| xml_text(&bytes))
            .ok_or(MediaError::Uncheckable(UNREADABLE_TYPES))?;
        if !types.read(&text) {
            return Err(MediaError::Uncheckable(UNREADABLE_TYPES));
        }
    }
    if let Some(what) = types
        .overrides
        .iter()
        .find_map(|(_, t)| active_content_type(t))
    {
        return Err(MediaError::OfficeActiveContent(what));
    }
    for (name, _) in &parts {
        if let Some(what) = types.of(name).and_then(active_content_type) {
            return Err(MediaError::OfficeActiveContent(what));
        }
    }

    let relationship_parts: Vec<&(String, &ZipEntry)> = parts
        .iter()
        .filter(|(name, _)| is_relationship_part(name))
        .collect();
    if relationship_parts.len() > MAX_RELATIONSHIP_PARTS {
        return Err(MediaError::Uncheckable(TOO_MANY_RELATIONSHIPS));
    }
    let mut budget = MAX_RELATIONSHIPS;
    for (_, entry) in relationship_parts {
        let bytes = read_part(source, entry, MAX_PART.min(budget))?
            .ok_or(MediaError::Uncheckable(UNREADABLE_RELATIONSHIPS))?;
        budget = budget.saturating_sub(bytes.len() as u64);
        if budget == 0 {
            return Err(MediaError::Uncheckable(TOO_MANY_RELATIONSHIPS));
        }
        let relationships = xml_text(&bytes)
            .filter(|text| text.contains("Relationships"))
            .and_then(|text| elements(&text, "Relationship"))
            .ok_or(MediaError::Uncheckable(UNREADABLE_RELATIONSHIPS))?;
        for attributes in relationships {
            if let Some(what) = attribute(&attributes, "Type").and_then(active_relationship) {
                return Err(MediaError::OfficeActiveContent(what));
            }
        }
    }
    Ok(())
}

/// `_rels/.rels` and `word/_rels/document.xml.rels` and the like.
fn is_relationship_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".rels") && (lower.starts_with("_rels/") || lower.contains("/_rels/"))
}

#[derive(Default)]
struct ContentTypes {
    /// Extension (lowercase) and content type.
    defaults: Vec<(String, String)>,
    /// Part name (lowercase, without its leading slash) and content type.
    overrides: Vec<(String, String)>,
}

impl ContentTypes {
    /// Adds the declarations of one `[Content_Types].xml`; `false` when
    /// it is not one.
    fn read(&mut self, xml: &str) -> bool {
        let (Some(types), Some(defaults), Some(overrides)) = (
            elements(xml, "Types"),
            elements(xml, "Default"),
            elements(xml, "Override"),
        ) else {
            return false;
        };
        if types.is_empty() {
            return false;
        }
        for attributes in defaults {
            if let (Some(ext), Some(t)) = (
                attribute(&attributes, "Extension"),
                attribute(&attributes, "ContentType"),
            ) {
                self.defaults.push((
                    ext.trim_start_matches('.').to_ascii_lowercase(),
                    t.to_owned(),
                ));
            }
        }
        for attributes in overrides {
            if let (Some(part), Some(t)) = (
                attribute(&attributes, "PartName"),
                attribute(&attributes, "ContentType"),
            ) {
                self.overrides.push((
                    part.trim_start_matches('/').to_ascii_lowercase(),
                    t.to_owned(),
                ));
            }
        }
        true
    }

    /// The content type of a part: its override, else its extension's
    /// default (part names compare without regard to case).
    fn of(&self, name: &str) -> Option<&str> {
        let lower = name.to_ascii_lowercase();
        if let Some((_, t)) = self.overrides.iter().find(|(p, _)| *p == lower) {
            return Some(t);
        }
        let file = lower.rsplit('/').next().unwrap_or(&lower);
        let ext = file.rsplit_once('.').map(|(_, ext)| ext)?;
        self.defaults
            .iter()
            .find(|(e, _)| e == ext)
            .map(|(_, t)| t.as_str())
    }
}

/// An entry's content, inflated; `None` when it cannot be read (another
/// compression method, damaged, encrypted or larger than `max`).
fn read_part(source: &mut dyn Source, entry: &ZipEntry, max: u64) -> Result<Option<Vec<u8>>> {
    if entry.compressed_size > max {
        return Ok(None);
    }
    let header = source.read_at(entry.local_offset, 30)?;
    if le32(&header, 0) != Some(0x0403_4b50) {
        return Ok(None);
    }
    let (Some(name_len), Some(extra_len)) = (le16(&header, 26), le16(&header, 28)) else {
        return Ok(None);
    };
    let raw = source.read_at(
        entry.local_offset + 30 + name_len + extra_len,
        entry.compressed_size as usize,
    )?;
    if raw.len() as u64 != entry.compressed_size {
        return Ok(None);
    }
    match entry.method {
        0 => Ok(Some(raw)),
        8 => {
            let mut out = Vec::new();
            let inflated = flate2::read::DeflateDecoder::new(raw.as_slice())
                .take(max + 1)
                .read_to_end(&mut out);
            Ok((inflated.is_ok() && out.len() as u64 <= max).then_some(out))
        }
        _ => Ok(None),
    }
}

/// An XML part's text: UTF-8, or UTF-16 with its byte order mark.
fn xml_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |bytes: &[u8], le: bool| {
        let units = bytes.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<std::result::Result<String, _>>()
            .ok()
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest).ok().map(str::to_owned),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => std::str::from_utf8(bytes).ok().map(str::to_owned),
    }
}

/// The attributes of every element whose local name (without a namespace
/// prefix) is `local`; comments, CDATA, processing instructions and
/// declarations are skipped. `None` for text that is not well-formed
/// enough to be read whole.
fn elements(xml: &str, local: &str) -> Option<Vec<Vec<(String, String)>>> {
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let skip_to = if rest.starts_with("!--") {
            Some("-->")
        } else if rest.starts_with("![CDATA[") {
            Some("]]>")
        } else if rest.starts_with('?') {
            Some("?>")
        } else if rest.starts_with('!') || rest.starts_with('/') {
            Some(">")
        } else {
            None
        };
        if let Some(end) = skip_to {
            let i = rest.find(end)?;
            rest = &rest[i + end.len()..];
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        let name = name.rsplit(':').next().unwrap_or(name);
        rest = &rest[name_end..];
        let (attributes, after) = parse_attributes(rest)?;
        rest = after;
        if name == local {
            found.push(attributes);
        }
    }
    Some(found)
}

/// The attributes up to the end of a start tag, and what follows it.
fn parse_attributes(mut rest: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut attributes = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>").or_else(|| rest.strip_prefix('>')) {
            return Some((attributes, after));
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || "<>\"'".contains(c)) {
            return None;
        }
        let name = name.rsplit(':').next().unwrap_or(name).to_owned();
        rest = rest[eq + 1..].trim_start();
        let quote = rest.chars().next().filter(|&c| c == '"' || c == '\'')?;
        rest = &rest[1..];
        let end = rest.find(quote)?;
        attributes.push((name, unescape(&rest[..end])));
        rest = &rest[end + 1..];
    }
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// An attribute value with its character and entity references replaced.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else {
            break;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;

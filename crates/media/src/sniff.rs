//! What an upload is, decided by its content, never by its name or by the
//! type the browser claims.
//!
//! Images, PDF and MP4 are recognised by their signatures; office documents
//! are ZIP containers recognised by their entries (`[Content_Types].xml`
//! with `word/`, `xl/` or `ppt/`; an uncompressed `mimetype` entry for ODT).
//! A PDF with scripts, launch actions, XFA forms or automatic actions
//! ([`pdf`]), and an Office file with macros or ActiveX controls
//! ([`office`]), are refused, and so is one that cannot be checked.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};

mod office;
mod pdf;

/// An accepted type of upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Gif,
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Mp4,
}

impl MediaType {
    /// The MIME type files of this type are served with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Gif => "image/gif",
            MediaType::Pdf => "application/pdf",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            MediaType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            MediaType::Odt => "application/vnd.oasis.opendocument.text",
            MediaType::Mp4 => "video/mp4",
        }
    }

    /// The extension files of this type are stored under (no dot).
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Gif => "gif",
            MediaType::Pdf => "pdf",
            MediaType::Docx => "docx",
            MediaType::Xlsx => "xlsx",
            MediaType::Pptx => "pptx",
            MediaType::Odt => "odt",
            MediaType::Mp4 => "mp4",
        }
    }

    /// A short name for people ("PDF", "Word document"...).
    pub fn label(self) -> &'static str {
        match self {
            MediaType::Jpeg => "JPEG",
            MediaType::Png => "PNG",
            MediaType::Webp => "WebP",
            MediaType::Gif => "GIF",
            MediaType::Pdf => "PDF",
            MediaType::Docx => "Word",
            MediaType::Xlsx => "Excel",
            MediaType::Pptx => "PowerPoint",
            MediaType::Odt => "OpenDocument",
            MediaType::Mp4 => "MP4",
        }
    }

    /// Images go through the pipeline and get renditions.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            MediaType::Jpeg | MediaType::Png | MediaType::Webp | MediaType::Gif
        )
    }

    /// Documents are offered as downloads.
    pub fn is_document(self) -> bool {
        matches!(
            self,
            MediaType::Pdf | MediaType::Docx | MediaType::Xlsx | MediaType::Pptx | MediaType::Odt
        )
    }

    /// Videos are stored as uploaded, under their own size limit.
    pub fn is_video(self) -> bool {
        self == MediaType::Mp4
    }
}

/// The type of a whole upload held in memory.
pub fn sniff(bytes: &[u8]) -> Result<MediaType> {
    let mut source = Slice(bytes);
    sniff_source(&mut source)
}

/// The type of an upload already spooled to a file, reading only what it
/// needs (the head, a ZIP's directory; a PDF is scanned in chunks).
pub fn sniff_file(path: &Path) -> Result<MediaType> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut source = FileSource { file, len };
    sniff_source(&mut source)
}

/// How much of the start of a file decides its family.
const HEAD: usize = 1024;

fn sniff_source(source: &mut dyn Source) -> Result<MediaType> {
    let len = source.len();
    if len == 0 {
        return Err(MediaError::Empty);
    }
    let head = source.read_at(0, HEAD.min(len as usize))?;
    match classify_head(&head)? {
        Family::Known(t) => Ok(t),
        Family::Zip => zip_kind(source),
        Family::Pdf => {
            pdf::scan_pdf(source, &pdf::LIMITS)?;
            Ok(MediaType::Pdf)
        }
    }
}

enum Family {
    Known(MediaType),
    Zip,
    Pdf,
}

fn unsupported(what: &str) -> MediaError {
    MediaError::UnsupportedType(what.to_owned())
}

fn classify_head(head: &[u8]) -> Result<Family> {
    use Family::Known;
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Known(MediaType::Jpeg));
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Known(MediaType::Png));
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok(Known(MediaType::Webp));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(Known(MediaType::Gif));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Family::Zip);
    }
    // Readers accept the header anywhere in the first kilobyte.
    if find(head, b"%PDF-").is_some() {
        return Ok(Family::Pdf);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return mp4_brand(head).map(Known);
    }
    Err(unsupported(describe_unknown(head)))
}

/// ISO base media files share the `ftyp` box: accept the MP4 brands, say
/// clearly what the others (HEIC photos, QuickTime) are.
fn mp4_brand(head: &[u8]) -> Result<MediaType> {
    const MP4: &[&[u8; 4]] = &[
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
        b"dash", b"mmp4", b"MSNV",
    ];
    const HEIF: &[&[u8; 4]] = &[
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
        b"avif", b"avis",
    ];
    let major = &head[8..12];
    if HEIF.iter().any(|b| &b[..] == major) {
        return Err(unsupported(
            "a HEIC/AVIF photo (set the phone to take or share photos as JPEG)",
        ));
    }
    if major == b"qt  " {
        return Err(unsupported("a QuickTime (MOV) video (export it as MP4)"));
    }
    let box_len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let brands_end = box_len.min(head.len());
    let compatible = head.get(16..brands_end).unwrap_or_default().chunks_exact(4);
    if MP4.iter().any(|b| &b[..] == major)
        || compatible
            .into_iter()
            .any(|c| MP4.iter().any(|b| &b[..] == c))
    {
        Ok(MediaType::Mp4)
    } else {
        Err(unsupported("a video or audio container other than MP4"))
    }
}

fn describe_unknown(head: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "an old Office file (.doc, .xls, .ppt): save it as DOCX, XLSX or PPTX"
    } else if head.starts_with(b"MZ") || head.starts_with(b"\x7fELF") {
        "a program"
    } else if text.contains("<svg") {
        "an SVG image (it may carry scripts): export it as PNG"
    } else if text.contains("<html") || text.contains("<!doctype") || text.contains("<script") {
        "a web page"
    } else if head.starts_with(b"Rar!") || head.starts_with(b"7z\xBC\xAF") {
        "an archive"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "a TIFF image: export it as JPEG or PNG"
    } else if head.starts_with(b"BM") {
        "a BMP image: export it as JPEG or PNG"
    } else {
        "the content is not recognised"
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------- ZIP ----

/// The most a ZIP's central directory may take (an office file has a few
/// dozen entries; 4 MiB is tens of thousands).
const MAX_CENTRAL_DIRECTORY: u64 = 4 * 1024 * 1024;
const EOCD_LEN: u64 = 22;
const OPEN_DOCUMENT_TEXT: &[u8] = b"application/vnd.oasis.opendocument.text";

fn not_office() -> MediaError {
    unsupported("a ZIP archive that is not a Word, Excel, PowerPoint or OpenDocument text file")
}

fn le16(b: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]).into())
}

fn le32(b: &[u8], at: usize) -> Option<u64> {
    Some(
        u32::from_le_bytes([
            *b.get(at)?,
            *b.get(at + 1)?,
            *b.get(at + 2)?,
            *b.get(at + 3)?,
        ])
        .into(),
    )
}

struct ZipEntry {
    name: Vec<u8>,
    method: u64,
    compressed_size: u64,
    local_offset: u64,
}

fn zip_kind(source: &mut dyn Source) -> Result<MediaType> {
    let entries = central_directory(source)?.ok_or_else(not_office)?;
    let has = |prefix: &[u8]| entries.iter().any(|e| e.name.starts_with(prefix));
    if entries
        .iter()
        .any(|e| e.name.eq_ignore_ascii_case(b"[Content_Types].xml"))
    {
        office::check_package(source, &entries)?;
        if has(b"word/") {
            return Ok(MediaType::Docx);
        }
        if has(b"xl/") {
            return Ok(MediaType::Xlsx);
        }
        if has(b"ppt/") {
            return Ok(MediaType::Pptx);
        }
        return Err(not_office());
    }
    let Some(mimetype) = entries.iter().find(|e| e.name == b"mimetype") else {
        return Err(not_office());
    };
    // ODF stores `mimetype` uncompressed, so its content is readable as is.
    if mimetype.method != 0 || mimetype.compressed_size > 128 {
        return Err(not_office());
    }
    let header = source.read_at(mimetype.local_offset, 30)?;
    if le32(&header, 0) != Some(0x0403_4b50) {
        return Err(not_office());
    }
    let (Some(name_len), Some(extra_len)) = (le16(&header, 26), le16(&header, 28)) else {
        return Err(not_office());
    };
    let data = source.read_at(
        mimetype.local_offset + 30 + name_len + extra_len,
        mimetype.compressed_size as usize,
    )?;
    if data == OPEN_DOCUMENT_TEXT {
        Ok(MediaType::Odt)
    } else {
        Err(unsupported(
            "an OpenDocument file other than a text document (save it as ODT, DOCX or PDF)",
        ))
    }
}

/// The entries of a ZIP's central directory, or `None` when it is not a
/// well-formed (non-ZIP64) archive.
fn central_directory(source: &mut dyn Source) -> Result<Option<Vec<ZipEntry>>> {
    let len = source.len();
    if len < EOCD_LEN {
        return Ok(None);
    }
    // The end record is in the last 22 bytes plus a comment of at most 64 KiB.
    let tail_len = len.min(EOCD_LEN + 0xFFFF);
    let tail = source.read_at(len - tail_len, tail_len as usize)?;
    let Some(eocd) = (0..=tail.len() - EOCD_LEN as usize)
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
    else {
        return Ok(None);
    };
    let record = &tail[eocd..];
    let (Some(count), Some(size), Some(offset)) =
        (le16(record, 10), le32(record, 12), le32(record, 16))
    else {
        return Ok(None);
    };
    if size > MAX_CENTRAL_DIRECTORY || offset.saturating_add(size) > len {
        return Ok(None);
    }
    let dir = source.read_at(offset, size as usize)?;
    let mut entries = Vec::with_capacity(count.min(1024) as usize);
    let mut at = 0usize;
    while at + 46 <= dir.len() {
        if le32(&dir, at) != Some(0x0201_4b50) {
            return Ok(None);
        }
        let field = |o: usize, two: bool| {
            if two {
                le16(&dir, at + o)
            } else {
                le32(&dir, at + o)
            }
        };
        let (
            Some(method),
            Some(compressed_size),
            Some(name_len),
            Some(extra_len),
            Some(comment_len),
            Some(local_offset),
        ) = (
            field(10, true),
            field(20, false),
            field(28, true),
            field(30, true),
            field(32, true),
            field(42, false),
        )
        else {
            return Ok(None);
        };
        let name_start = at + 46;
        let name_end = name_start + name_len as usize;
        let Some(name) = dir.get(name_start..name_end) else {
            return Ok(None);
        };
        entries.push(ZipEntry {
            name: name.to_vec(),
            method,
            compressed_size,
            local_offset,
        });
        at = name_end + extra_len as usize + comment_len as usize;
    }
    Ok((!entries.is_empty()).then_some(entries))
}

// ------------------------------------------------------------ sources ----

/// Random access to an upload, in memory or on disk.
trait Source {
    fn len(&self) -> u64;
    /// Up to `len` bytes from `offset` (fewer at the end).
    fn read_at(&mut self, offset: u64, len: usize) -> std::io::Result<Vec<u8>>;
}

struct Slice<'a>(&'a [u8]);

impl Source for Slice<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&mut self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.0.len());
        let end = start.saturating_add(len).min(self.0.len());
        Ok(self.0[start..end].to_vec())
    }
}

struct FileSource {
    file: File,
    len: u64,
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let len = len.min(self.len.saturating_sub(offset) as usize);
        self.file.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::with_capacity(len);
        (&mut self.file).take(len as u64).read_to_end(&mut buf)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP archive of stored (uncompressed) entries, built by hand.
    pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let mut header = Vec::new();
            header.extend_from_slice(b"PK\x03\x04");
            header.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method 0, time, date
            header.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked here)
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(name.len() as u16).to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);

            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&0u32.to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    fn png() -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::new(2, 2)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn random(n: usize, mut seed: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let len = 16 + 4 * compatible.len();
        let mut out = (len as u32).to_be_bytes().to_vec();
        out.extend_from_slice(b"ftyp");
        out.extend_from_slice(major);
        out.extend_from_slice(&[0, 0, 2, 0]);
        for c in compatible {
            out.extend_from_slice(*c);
        }
        out.extend_from_slice(b"\0\0\0\x08free");
        out
    }

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    #[test]
    fn accepted_types_by_content() {
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        let xlsx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]);
        let pptx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("ppt/presentation.xml", b"<p/>"),
        ]);
        let odt = zip(&[
            ("mimetype", OPEN_DOCUMENT_TEXT),
            ("content.xml", b"<office/>"),
        ]);
        let cases: Vec<(&str, Vec<u8>, MediaType)> = vec![
            (
                "jpeg",
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F'],
                MediaType::Jpeg,
            ),
            ("png named .jpg is a png", png(), MediaType::Png),
            ("webp", b"RIFF\x10\0\0\0WEBPVP8 ".to_vec(), MediaType::Webp),
            ("gif87", b"GIF87a\x01\0\x01\0".to_vec(), MediaType::Gif),
            ("gif89", b"GIF89a\x01\0\x01\0".to_vec(), MediaType::Gif),
            ("pdf", PDF.to_vec(), MediaType::Pdf),
            (
                "pdf after junk",
                [b"junk\n".as_slice(), PDF].concat(),
                MediaType::Pdf,
            ),
            ("docx", docx, MediaType::Docx),
            ("xlsx", xlsx, MediaType::Xlsx),
            ("pptx", pptx, MediaType::Pptx),
            ("odt", odt, MediaType::Odt),
            (
                "mp4 isom",
                ftyp(b"isom", &[b"isom", b"avc1"]),
                MediaType::Mp4,
            ),
            (
                "mp4 by compatible brand",
                ftyp(b"XXXX", &[b"mp42"]),
                MediaType::Mp4,
            ),
        ];
        for (what, bytes, expected) in cases {
            assert_eq!(sniff(&bytes).unwrap(), expected, "{what}");
        }
    }

    #[test]
    fn refused_types() {
        let plain_zip = zip(&[("photo.jpg", b"\xFF\xD8\xFF"), ("notes.txt", b"hello")]);
        let ods = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        let docm = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
            ("word/vbaProject.bin", b"\0"),
        ]);
        let mut truncated_zip = zip(&[("[Content_Types].xml", b"<T/>"), ("word/a.xml", b"<a/>")]);
        truncated_zip.truncate(truncated_zip.len() - 10);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty", vec![], "empty-file"),
            ("random bytes", random(4096, 42), "unsupported-type"),
            ("text", b"hello, world".to_vec(), "unsupported-type"),
            (
                "svg",
                b"<?xml version=\"1.0\"?><svg onload=\"alert(1)\"/>".to_vec(),
                "unsupported-type",
            ),
            (
                "html",
                b"<!DOCTYPE html><html><script>".to_vec(),
                "unsupported-type",
            ),
            ("exe", b"MZ\x90\0\x03".to_vec(), "unsupported-type"),
            (
                "old word",
                vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
                "unsupported-type",
            ),
            ("zip of photos", plain_zip, "unsupported-type"),
            ("truncated zip", truncated_zip, "unsupported-type"),
            ("ods", ods, "unsupported-type"),
            ("docm", docm, "office-active-content"),
            (
                "heic",
                ftyp(b"heic", &[b"mif1", b"heic"]),
                "unsupported-type",
            ),
            ("mov", ftyp(b"qt  ", &[b"qt  "]), "unsupported-type"),
            ("3gp", ftyp(b"3gp4", &[b"3gp4"]), "unsupported-type"),
            ("short riff", b"RIFF".to_vec(), "unsupported-type"),
            ("one byte", vec![0xFF], "unsupported-type"),
        ];
        for (what, bytes, code) in cases {
            let err = sniff(&bytes).expect_err(what);
            assert_eq!(err.code(), code, "{what}: {err}");
        }
    }

    #[test]
    fn sniff_file_matches_sniff() {
        let dir = tempfile::tempdir().unwrap();
        let big_pdf = [PDF, &vec![b' '; 600 * 1024], b"/Launch"].concat();
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        for (bytes, expected) in [
            (png(), Ok(MediaType::Png)),
            (docx, Ok(MediaType::Docx)),
            (big_pdf, Err("active-content")),
            (vec![], Err("empty-file")),
        ] {
            let path = dir.path().join("upload");
            std::fs::write(&path, &bytes).unwrap();
            let got = sniff_file(&path).map_err(|e| e.code());
            assert_eq!(got, expected);
            assert_eq!(sniff(&bytes).map_err(|e| e.code()), expected);
        }
    }

    #[test]
    fn unsupported_is_415_with_a_clear_message() {
        let err = sniff(b"hello").unwrap_err();
        assert_eq!(err.http_status(), 415);
        assert!(err.to_string().contains("accepted are JPEG"), "{err}");
    }
}

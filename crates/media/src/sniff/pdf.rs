//! The PDF check: a PDF is refused when it holds a script, a launch
//! action, an XFA form or automatic actions (`/AA`) anywhere a reader
//! would find them: in the file as written, and in every stream decoded
//! through its whole filter chain (PDF 1.5 object streams hide whole
//! dictionaries, actions included, in encoded data). Names are compared
//! with their `#xx` escapes decoded, so `/J#61vaScript` is caught too.
//! What cannot be decoded is refused rather than let through unread.
//!
//! The file is read in chunks, in four passes:
//! 1. where the keywords `obj`, `stream` and `endstream` are;
//! 2. every object parsed from its `obj` keyword, as a reader following
//!    the cross-reference table does; this finds the streams and their
//!    filters (and active names hidden inside other streams' data);
//! 3. every name in the file as written;
//! 4. every stream with filters, decoded and looked into.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Source;
use crate::error::MediaError;

mod filters;

use filters::{
    Ascii85, AsciiHex, Decoder, Flate, Lzw, PngPredictor, RunLength, Stop, TiffPredictor, PIECE,
};

/// PDF names that make a document act when opened, viewed or clicked,
/// and what to call them in the refusal.
const ACTIVE_NAMES: &[(&[u8], &str)] = &[
    (b"JavaScript", "JavaScript"),
    (b"JS", "JavaScript"),
    (b"Launch", "a launch action"),
    (b"XFA", "an XFA form"),
    (b"AA", "actions run on opening or viewing"),
];

/// The active name `name` is, if any. In encoded or image data, where any
/// byte sequence occurs by chance, two-letter names are not looked for: a
/// reader never parses that data as objects, and a script there could
/// only run through a `/JavaScript` action or name tree anyway.
fn active_name(name: &[u8], binary: bool) -> Option<&'static str> {
    ACTIVE_NAMES
        .iter()
        .find(|(active, _)| *active == name && (!binary || active.len() > 2))
        .map(|(_, what)| *what)
}

/// How much a PDF's check may take.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// Bytes decoded at most, per file, counted at every stage of every
    /// filter chain: a file with more is refused rather than let through
    /// unread.
    pub decoded: u64,
    /// Streams looked into at most, per file.
    pub streams: usize,
    /// Objects parsed at most, per file.
    pub objects: usize,
    /// Bytes the object parser may read, per file: this much plus
    /// `parsed_per_byte` times the file's size (objects found inside
    /// other objects' data are parsed too).
    pub parsed: u64,
    pub parsed_per_byte: u64,
    /// The size of the chunks the file is read in.
    pub chunk: usize,
}

pub(super) const LIMITS: Limits = Limits {
    decoded: 256 * 1024 * 1024,
    streams: 50_000,
    objects: 1_000_000,
    parsed: 64 * 1024 * 1024,
    parsed_per_byte: 4,
    chunk: 256 * 1024,
};

const ENCRYPTED: &str = "it is encrypted";
const TOO_MANY_OBJECTS: &str = "it has more objects than can be checked";
const TOO_MANY_STREAMS: &str = "it has more streams than can be checked";
const TOO_MUCH_DATA: &str = "it has more compressed content than can be checked";
const TOO_COMPLEX: &str = "its structure is too complex to check";
const UNKNOWN_ENCODING: &str = "a part of it is in an encoding that cannot be read";
const DAMAGED: &str = "a compressed part of it is damaged";
const INCOMPLETE: &str = "a compressed part of it is incomplete";
const UNREADABLE_STREAM: &str = "a part of it has a description that cannot be read";

/// Why the check refuses a file.
#[derive(Debug)]
enum Refusal {
    Active(&'static str),
    Unchecked(&'static str),
    Io(std::io::Error),
}

impl From<std::io::Error> for Refusal {
    fn from(e: std::io::Error) -> Self {
        Refusal::Io(e)
    }
}

impl From<Refusal> for MediaError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Active(what) => MediaError::ActiveContent(what),
            Refusal::Unchecked(why) => MediaError::Uncheckable(why),
            Refusal::Io(e) => MediaError::Io(e),
        }
    }
}

/// Checks a PDF for active content.
pub(super) fn scan_pdf(source: &mut dyn Source, limits: &Limits) -> Result<(), MediaError> {
    scan(source, limits).map_err(MediaError::from)
}

fn scan(source: &mut dyn Source, limits: &Limits) -> Result<(), Refusal> {
    let marks = find_marks(source, limits)?;
    let structure = read_structure(source, &marks, limits)?;
    let (found, encrypted) = scan_names(source, &structure.streams, limits)?;
    if let Some(what) = found {
        return Err(Refusal::Active(what));
    }
    // Encrypted streams cannot be decoded without the key.
    if encrypted {
        return Err(Refusal::Unchecked(ENCRYPTED));
    }
    let mut trouble = structure.trouble;
    let mut budget = limits.decoded;
    for stream in &structure.streams {
        let steps = match &stream.chain {
            Chain::Plain | Chain::Image => continue,
            Chain::Unreadable(why) => {
                trouble.get_or_insert(why);
                continue;
            }
            Chain::Decode(steps) => steps,
        };
        if let Some(why) = decode_stream(source, stream, steps, &mut budget)? {
            trouble.get_or_insert(why);
        }
    }
    match trouble {
        Some(why) => Err(Refusal::Unchecked(why)),
        None => Ok(()),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_space(b) && !is_delimiter(b)
}

// ---------------------------------------------------- pass 1: keywords ----

/// Where the keywords are: `obj` (each object's start), `stream` (where a
/// stream's data follows) and `endstream`.
#[derive(Debug, Default)]
struct Marks {
    objs: Vec<u64>,
    streams: Vec<u64>,
    endstreams: Vec<u64>,
}

/// How far past a keyword's first byte the search looks: `endstream`
/// and the byte after `stream`.
const REACH: usize = 10;

impl Marks {
    /// Looks at the keywords starting at `window[from..to]`; the window
    /// holds at least [`REACH`] bytes past `to` unless the file ends.
    fn look(&mut self, window: &[u8], window_at: u64, from: usize, to: usize) {
        for i in from..to {
            let at = window_at + i as u64;
            let before = i.checked_sub(1).map(|j| window[j]);
            let after = |n: usize| window.get(i + n).copied();
            let token_ends = |n: usize| after(n).is_none_or(|b| !is_regular(b));
            match window[i] {
                b'o' if window[i..].starts_with(b"obj")
                    && before.is_some_and(is_space)
                    && token_ends(3) =>
                {
                    self.objs.push(at);
                }
                b's' if window[i..].starts_with(b"stream")
                    && before.is_none_or(|b| !is_regular(b))
                    && token_ends(6) =>
                {
                    self.streams.push(at);
                }
                b'e' if window[i..].starts_with(b"endstream") => self.endstreams.push(at),
                _ => {}
            }
        }
    }
}

fn find_marks(source: &mut dyn Source, limits: &Limits) -> Result<Marks, Refusal> {
    // Bytes kept from one window to the next: a keyword and the bytes
    // around it never fall between two windows.
    const KEEP: usize = 16;
    let len = source.len();
    let mut marks = Marks::default();
    let mut window: Vec<u8> = Vec::with_capacity(limits.chunk + KEEP);
    let mut window_at = 0u64;
    let mut offset = 0u64;
    // The first position not looked at yet.
    let mut next = 0u64;
    while offset < len {
        let n = (len - offset).min(limits.chunk as u64) as usize;
        let chunk = source.read_at(offset, n)?;
        if chunk.is_empty() {
            break;
        }
        offset += chunk.len() as u64;
        let drop = window.len().saturating_sub(KEEP);
        window.drain(..drop);
        window_at += drop as u64;
        window.extend_from_slice(&chunk);
        let end = window_at + window.len() as u64;
        let to = if offset >= len {
            end
        } else {
            end.saturating_sub(REACH as u64).max(next)
        };
        marks.look(
            &window,
            window_at,
            (next - window_at) as usize,
            (to - window_at) as usize,
        );
        next = to;
        if marks.objs.len() > limits.objects {
            return Err(Refusal::Unchecked(TOO_MANY_OBJECTS));
        }
        if marks.streams.len() > limits.streams || marks.endstreams.len() > limits.streams {
            return Err(Refusal::Unchecked(TOO_MANY_STREAMS));
        }
    }
    Ok(marks)
}

// ---------------------------------------------------- pass 2: objects ----

/// Random access to the file through a small window.
struct Bytes<'s> {
    source: &'s mut dyn Source,
    len: u64,
    buf: Vec<u8>,
    at: u64,
}

impl<'s> Bytes<'s> {
    fn new(source: &'s mut dyn Source) -> Self {
        let len = source.len();
        Self {
            source,
            len,
            buf: Vec::new(),
            at: 0,
        }
    }

    fn get(&mut self, pos: u64) -> std::io::Result<Option<u8>> {
        if pos >= self.len {
            return Ok(None);
        }
        if pos < self.at || pos >= self.at + self.buf.len() as u64 {
            // A little before too: object numbers are read backwards.
            self.at = pos.saturating_sub(64);
            self.buf = self.source.read_at(self.at, 64 * 1024)?;
        }
        Ok(self
            .buf
            .get(usize::try_from(pos - self.at).unwrap_or(usize::MAX))
            .copied())
    }

    fn starts_with(&mut self, pos: u64, text: &[u8]) -> std::io::Result<bool> {
        for (i, &b) in text.iter().enumerate() {
            if self.get(pos + i as u64)? != Some(b) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A PDF object, as far as the check needs it.
#[derive(Debug, Clone, PartialEq)]
enum Obj {
    Name(Vec<u8>),
    Int(i64),
    Ref(u32, u16),
    Array(Vec<Obj>),
    Dict(Vec<(Vec<u8>, Obj)>),
    Null,
    /// Strings, reals, booleans and the like.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(Vec<u8>),
    Int(i64),
    Real,
    Str,
    DictOpen,
    DictClose,
    ArrOpen,
    ArrClose,
    Word(Vec<u8>),
    End,
}

/// Values kept per object at most (arrays of page references run to
/// thousands); what is past it is parsed but not kept.
const MAX_KEPT: usize = 100_000;
/// Nesting parsed at most.
const MAX_DEPTH: usize = 64;
/// Bytes of a name or keyword kept.
const MAX_TOKEN: usize = 128;

/// Reads objects from a position, as a reader's parser does.
struct Parser<'p, 's> {
    bytes: &'p mut Bytes<'s>,
    pos: u64,
    peeked: VecDeque<(u64, Tok)>,
    budget: &'p mut u64,
    kept: usize,
    /// The first active name read.
    seen: Option<&'static str>,
}

impl<'p, 's> Parser<'p, 's> {
    fn new(bytes: &'p mut Bytes<'s>, pos: u64, budget: &'p mut u64) -> Self {
        Self {
            bytes,
            pos,
            peeked: VecDeque::new(),
            budget,
            kept: 0,
            seen: None,
        }
    }

    fn peek_byte(&mut self) -> Result<Option<u8>, Refusal> {
        Ok(self.bytes.get(self.pos)?)
    }

    fn advance(&mut self) -> Result<(), Refusal> {
        self.pos += 1;
        if *self.budget == 0 {
            return Err(Refusal::Unchecked(TOO_COMPLEX));
        }
        *self.budget -= 1;
        Ok(())
    }

    fn lex(&mut self) -> Result<(u64, Tok), Refusal> {
        loop {
            match self.peek_byte()? {
                Some(b) if is_space(b) => self.advance()?,
                Some(b'%') => {
                    while let Some(b) = self.peek_byte()? {
                        if b == b'\r' || b == b'\n' {
                            break;
                        }
                        self.advance()?;
                    }
                }
                _ => break,
            }
        }
        let start = self.pos;
        let Some(b) = self.peek_byte()? else {
            return Ok((start, Tok::End));
        };
        self.advance()?;
        let tok = match b {
            b'/' => {
                let mut name = Vec::new();
                while let Some(c) = self.peek_byte()? {
                    if !is_regular(c) {
                        break;
                    }
                    self.advance()?;
                    let mut value = c;
                    if c == b'#' {
                        let hex = |b: Option<u8>| b.and_then(|b| (b as char).to_digit(16));
                        let high = hex(self.bytes.get(self.pos)?);
                        let low = hex(self.bytes.get(self.pos + 1)?);
                        if let (Some(high), Some(low)) = (high, low) {
                            value = (high * 16 + low) as u8;
                            self.advance()?;
                            self.advance()?;
                        }
                    }
                    if name.len() < MAX_TOKEN {
                        name.push(value);
                    }
                }
                if let Some(what) = active_name(&name, false) {
                    self.seen.get_or_insert(what);
                }
                Tok::Name(name)
            }
            b'(' => {
                let mut depth = 1u32;
                loop {
                    let Some(c) = self.peek_byte()? else {
                        return Ok((start, Tok::End));
                    };
                    self.advance()?;
                    match c {
                        // The escaped byte, whatever it is.
                        b'\\' if self.peek_byte()?.is_some() => self.advance()?,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Tok::Str
            }
            b'<' => {
                if self.peek_byte()? == Some(b'<') {
                    self.advance()?;
                    Tok::DictOpen
                } else {
                    loop {
                        let Some(c) = self.peek_byte()? else {
                            return Ok((start, Tok::End));
                        };
                        self.advance()?;
                        if c == b'>' {
                            break;
                        }
                    }
                    Tok::Str
                }
            }
            b'>' => {
                if self.peek_byte()? == Some(b'>') {
                    self.advance()?;
                    Tok::DictClose
                } else {
                    Tok::Word(vec![b])
                }
            }
            b'[' => Tok::ArrOpen,
            b']' => Tok::ArrClose,
            b'{' | b'}' | b')' => Tok::Word(vec![b]),
            _ => {
                let mut word = vec![b];
                while let Some(c) = self.peek_byte()? {
                    if !is_regular(c) {
                        break;
                    }
                    self.advance()?;
                    if word.len() < MAX_TOKEN {
                        word.push(c);
                    }
                }
                number(&word).unwrap_or(Tok::Word(word))
            }
        };
        Ok((start, tok))
    }

    fn next(&mut self) -> Result<(u64, Tok), Refusal> {
        match self.peeked.pop_front() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn peek(&mut self, n: usize) -> Result<&Tok, Refusal> {
        while self.peeked.len() <= n {
            let t = self.lex()?;
            self.peeked.push_back(t);
        }
        Ok(&self.peeked[n].1)
    }

    fn keep(&mut self, obj: Obj) -> Obj {
        self.kept += 1;
        if self.kept > MAX_KEPT {
            Obj::Other
        } else {
            obj
        }
    }

    /// The next value, or `None` where there is none (a malformed object).
    fn value(&mut self, depth: usize) -> Result<Option<Obj>, Refusal> {
        let (_, tok) = self.next()?;
        self.value_from(tok, depth)
    }

    fn value_from(&mut self, tok: Tok, depth: usize) -> Result<Option<Obj>, Refusal> {
        if depth > MAX_DEPTH {
            return Ok(None);
        }
        let obj = match tok {
            Tok::Name(name) => Obj::Name(name),
            Tok::Int(n) => {
                let generation = match self.peek(0)? {
                    Tok::Int(g) => Some(*g),
                    _ => None,
                };
                match generation {
                    Some(g) if self.peek(1)? == &Tok::Word(b"R".to_vec()) => {
                        self.next()?;
                        self.next()?;
                        match (u32::try_from(n), u16::try_from(g)) {
                            (Ok(n), Ok(g)) => Obj::Ref(n, g),
                            _ => Obj::Other,
                        }
                    }
                    _ => Obj::Int(n),
                }
            }
            Tok::Real | Tok::Str => Obj::Other,
            Tok::Word(word) => match word.as_slice() {
                b"null" => Obj::Null,
                b"obj" | b"endobj" | b"stream" | b"endstream" | b"xref" | b"trailer"
                | b"startxref" => return Ok(None),
                _ => Obj::Other,
            },
            Tok::ArrOpen => {
                let mut items = Vec::new();
                loop {
                    let (_, tok) = self.next()?;
                    if tok == Tok::ArrClose {
                        break;
                    }
                    let Some(item) = self.value_from(tok, depth + 1)? else {
                        return Ok(None);
                    };
                    let item = self.keep(item);
                    items.push(item);
                }
                Obj::Array(items)
            }
            Tok::DictOpen => {
                let mut entries = Vec::new();
                loop {
                    let (_, tok) = self.next()?;
                    match tok {
                        Tok::DictClose => break,
                        Tok::Name(key) => {
                            let Some(value) = self.value(depth + 1)? else {
                                return Ok(None);
                            };
                            let value = self.keep(value);
                            entries.push((key, value));
                        }
                        Tok::End => return Ok(None),
                        Tok::Word(word)
                            if matches!(
                                word.as_slice(),
                                b"obj" | b"endobj" | b"stream" | b"endstream"
                            ) =>
                        {
                            return Ok(None)
                        }
                        // A key that is not a name is skipped, as readers do.
                        _ => {}
                    }
                }
                Obj::Dict(entries)
            }
            Tok::DictClose | Tok::ArrClose | Tok::End => return Ok(None),
        };
        Ok(Some(obj))
    }
}

/// A number token, or `None` for a keyword.
fn number(word: &[u8]) -> Option<Tok> {
    let digits = word.strip_prefix(b"+").or_else(|| word.strip_prefix(b"-"));
    let digits = digits.unwrap_or(word);
    if digits.is_empty() || !digits.iter().all(|&b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    if !digits.iter().any(u8::is_ascii_digit) {
        return None;
    }
    if digits.contains(&b'.') {
        return Some(Tok::Real);
    }
    let text = std::str::from_utf8(word).ok()?;
    Some(text.parse().map_or(Tok::Real, Tok::Int))
}

/// The number and generation written before an `obj` keyword.
fn object_id(bytes: &mut Bytes<'_>, obj: u64) -> std::io::Result<Option<(u32, u16)>> {
    let mut at = obj;
    let read_back = |bytes: &mut Bytes<'_>, at: &mut u64, digits: bool| {
        let mut value: Option<u64> = None;
        let mut scale = 1u64;
        while *at > 0 && obj - *at < 40 {
            let Some(b) = bytes.get(*at - 1)? else { break };
            if digits && b.is_ascii_digit() {
                value = Some(value.unwrap_or(0) + u64::from(b - b'0') * scale);
                scale = scale.saturating_mul(10);
            } else if !digits && is_space(b) {
                value = Some(0);
            } else {
                break;
            }
            *at -= 1;
        }
        Ok::<_, std::io::Error>(value)
    };
    if read_back(bytes, &mut at, false)?.is_none() {
        return Ok(None);
    }
    let Some(generation) = read_back(bytes, &mut at, true)? else {
        return Ok(None);
    };
    if read_back(bytes, &mut at, false)?.is_none() {
        return Ok(None);
    }
    let Some(number) = read_back(bytes, &mut at, true)? else {
        return Ok(None);
    };
    if at > 0 && bytes.get(at - 1)?.is_some_and(is_regular) {
        return Ok(None);
    }
    Ok(match (u32::try_from(number), u16::try_from(generation)) {
        (Ok(n), Ok(g)) => Some((n, g)),
        _ => None,
    })
}

/// A stream as the check decodes it.
#[derive(Debug)]
struct Stream {
    /// Where its data starts and ends.
    data: u64,
    end: u64,
    /// Whether `end` is its `/Length`, confirmed by the `endstream` there.
    exact: bool,
    chain: Chain,
}

#[derive(Debug)]
enum Chain {
    /// No filter: the data is as written and pass 3 reads it.
    Plain,
    /// Image data (DCT, JPX, CCITT, JBIG2): not parsed by readers.
    Image,
    Decode(Vec<Step>),
    Unreadable(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Flate,
    Lzw {
        early_change: bool,
    },
    Hex,
    A85,
    RunLength,
    Png {
        colors: u64,
        bits: u64,
        columns: u64,
    },
    Tiff {
        colors: u64,
        bits: u64,
        columns: u64,
    },
}

impl Step {
    fn decoder(self) -> Option<Box<dyn Decoder>> {
        Some(match self {
            Step::Flate => Box::new(Flate::new()),
            Step::Lzw { early_change } => Box::new(Lzw::new(early_change)),
            Step::Hex => Box::new(AsciiHex::new()),
            Step::A85 => Box::new(Ascii85::new()),
            Step::RunLength => Box::new(RunLength::new()),
            Step::Png {
                colors,
                bits,
                columns,
            } => Box::new(PngPredictor::new(colors, bits, columns)?),
            Step::Tiff {
                colors,
                bits,
                columns,
            } => Box::new(TiffPredictor::new(colors, bits, columns)?),
        })
    }
}

struct Structure {
    streams: Vec<Stream>,
    /// The first reason the file cannot be checked whole.
    trouble: Option<&'static str>,
}

fn read_structure(
    source: &mut dyn Source,
    marks: &Marks,
    limits: &Limits,
) -> Result<Structure, Refusal> {
    let mut bytes = Bytes::new(source);
    let mut budget = limits
        .parsed
        .saturating_add(bytes.len.saturating_mul(limits.parsed_per_byte));
    // Objects by number; a later definition replaces an earlier one, as
    // incremental updates do.
    let mut index = HashMap::new();
    for &obj in &marks.objs {
        if let Some(id) = object_id(&mut bytes, obj)? {
            index.insert(id, obj + 3);
        }
    }
    let mut dicts = Vec::new();
    for &obj in &marks.objs {
        let mut parser = Parser::new(&mut bytes, obj + 3, &mut budget);
        let Some(value) = parser.value(0)? else {
            continue;
        };
        let (keyword, after) = parser.next()?;
        if let Some(what) = parser.seen {
            return Err(Refusal::Active(what));
        }
        if let (Obj::Dict(dict), Tok::Word(word)) = (value, after) {
            if word == b"stream" {
                dicts.push((keyword, dict));
            }
        }
    }
    let claimed: HashSet<u64> = dicts.iter().map(|(keyword, _)| *keyword).collect();
    let mut trouble = None;
    for &keyword in &marks.streams {
        if !claimed.contains(&keyword) && follows_dictionary(&mut bytes, keyword)? {
            // A stream a reader may find, whose dictionary the check
            // could not read: its filters are unknown.
            trouble.get_or_insert(UNREADABLE_STREAM);
        }
    }
    let mut streams = Vec::with_capacity(dicts.len());
    for (keyword, dict) in dicts {
        let mut resolver = Resolver {
            bytes: &mut bytes,
            index: &index,
            budget: &mut budget,
        };
        let stream = describe_stream(&mut resolver, keyword, &dict, &marks.endstreams)?;
        streams.push(stream);
    }
    Ok(Structure { streams, trouble })
}

/// Whether `>>` comes right before the `stream` keyword at `keyword`.
fn follows_dictionary(bytes: &mut Bytes<'_>, keyword: u64) -> std::io::Result<bool> {
    let mut at = keyword;
    while at > 0 && keyword - at < 1024 {
        match bytes.get(at - 1)? {
            Some(b) if is_space(b) => at -= 1,
            Some(b'>') => return Ok(at >= 2 && bytes.get(at - 2)? == Some(b'>')),
            _ => return Ok(false),
        }
    }
    Ok(false)
}

/// Follows indirect references to objects written in the file.
struct Resolver<'r, 's> {
    bytes: &'r mut Bytes<'s>,
    index: &'r HashMap<(u32, u16), u64>,
    budget: &'r mut u64,
}

impl Resolver<'_, '_> {
    /// The object itself, or what it refers to; `None` for a reference
    /// that cannot be followed (to no object, or inside an object stream).
    fn resolve(&mut self, obj: &Obj) -> Result<Option<Obj>, Refusal> {
        let mut obj = obj.clone();
        for _ in 0..8 {
            let Obj::Ref(n, g) = obj else {
                return Ok(Some(obj));
            };
            let Some(&at) = self.index.get(&(n, g)) else {
                return Ok(None);
            };
            let mut parser = Parser::new(self.bytes, at, self.budget);
            let Some(value) = parser.value(0)? else {
                return Ok(None);
            };
            obj = value;
        }
        Ok(None)
    }
}

/// The value of `key`; `Err` when the key is written more than once with
/// different values (readers differ on which one counts).
fn get<'d>(dict: &'d [(Vec<u8>, Obj)], key: &[u8]) -> Result<Option<&'d Obj>, ()> {
    let mut found: Option<&Obj> = None;
    for (k, v) in dict {
        if k == key {
            if found.is_some_and(|f| f != v) {
                return Err(());
            }
            found = Some(v);
        }
    }
    Ok(found)
}

fn describe_stream(
    resolver: &mut Resolver<'_, '_>,
    keyword: u64,
    dict: &[(Vec<u8>, Obj)],
    endstreams: &[u64],
) -> Result<Stream, Refusal> {
    let bytes = &mut *resolver.bytes;
    // As readers do: the data starts after the end of line that follows
    // the keyword.
    let mut data = keyword + 6;
    for i in 0..256 {
        match bytes.get(keyword + 6 + i)? {
            Some(b'\n') => {
                data = keyword + 7 + i;
                break;
            }
            Some(b'\r') => {
                data = keyword + 7 + i;
                if bytes.get(data)? == Some(b'\n') {
                    data += 1;
                }
                break;
            }
            Some(_) => {}
            None => break,
        }
    }
    let len = bytes.len;
    let length = match get(dict, b"Length") {
        Ok(Some(length)) => resolver.resolve(length)?,
        _ => None,
    };
    let mut end = None;
    if let Some(Obj::Int(length)) = length {
        if let Some(at) = u64::try_from(length).ok().and_then(|l| data.checked_add(l)) {
            let bytes = &mut *resolver.bytes;
            if at <= len {
                let mut after = at;
                while after - at < 32 && bytes.get(after)?.is_some_and(is_space) {
                    after += 1;
                }
                if bytes.starts_with(after, b"endstream")? {
                    end = Some(at);
                }
            }
        }
    }
    let exact = end.is_some();
    let end = end.unwrap_or_else(|| {
        let i = endstreams.partition_point(|&e| e < data);
        endstreams.get(i).copied().unwrap_or(len)
    });
    let chain = filter_chain(resolver, dict)?;
    Ok(Stream {
        data,
        end,
        exact,
        chain,
    })
}

/// The most filters a stream may name.
const MAX_FILTERS: usize = 16;

fn filter_chain(
    resolver: &mut Resolver<'_, '_>,
    dict: &[(Vec<u8>, Obj)],
) -> Result<Chain, Refusal> {
    let unreadable = Chain::Unreadable(UNKNOWN_ENCODING);
    let (Ok(filter), Ok(parms), Ok(dp)) = (
        get(dict, b"Filter"),
        get(dict, b"DecodeParms"),
        get(dict, b"DP"),
    ) else {
        return Ok(unreadable);
    };
    let filter = match filter {
        Some(f) => resolver.resolve(f)?,
        None => Some(Obj::Null),
    };
    let parms = match parms.or(dp) {
        Some(p) => resolver.resolve(p)?,
        None => Some(Obj::Null),
    };
    let (Some(filter), Some(parms)) = (filter, parms) else {
        return Ok(unreadable);
    };
    // A single filter takes a dictionary of parameters; an array of
    // filters an array of them (a single dictionary then counts for none,
    // as readers do).
    let (names, parms): (Vec<Obj>, Vec<Obj>) = match filter {
        Obj::Null => return Ok(Chain::Plain),
        Obj::Name(_) => (vec![filter], vec![parms]),
        Obj::Array(items) => {
            let parms = match parms {
                Obj::Array(p) => p,
                _ => Vec::new(),
            };
            (items, parms)
        }
        _ => return Ok(unreadable),
    };
    if names.len() > MAX_FILTERS {
        return Ok(Chain::Unreadable(TOO_COMPLEX));
    }
    let mut steps = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let Some(Obj::Name(name)) = resolver.resolve(name)? else {
            return Ok(unreadable);
        };
        let parms = match parms.get(i) {
            Some(p) => resolver.resolve(p)?,
            None => Some(Obj::Null),
        };
        let parms = match parms {
            Some(Obj::Dict(d)) => d,
            Some(Obj::Null) => Vec::new(),
            _ => return Ok(unreadable),
        };
        let mut int = |key: &[u8], default: i64| -> Result<Option<i64>, Refusal> {
            match get(&parms, key) {
                Ok(None) => Ok(Some(default)),
                Ok(Some(v)) => Ok(match resolver.resolve(v)? {
                    Some(Obj::Int(n)) => Some(n),
                    _ => None,
                }),
                Err(()) => Ok(None),
            }
        };
        match name.as_slice() {
            b"FlateDecode" | b"Fl" | b"LZWDecode" | b"LZW" => {
                if name.starts_with(b"F") {
                    steps.push(Step::Flate);
                } else {
                    let Some(early) = int(b"EarlyChange", 1)? else {
                        return Ok(unreadable);
                    };
                    steps.push(Step::Lzw {
                        early_change: early != 0,
                    });
                }
                let (Some(predictor), Some(colors), Some(bits), Some(columns)) = (
                    int(b"Predictor", 1)?,
                    int(b"Colors", 1)?,
                    int(b"BitsPerComponent", 8)?,
                    int(b"Columns", 1)?,
                ) else {
                    return Ok(unreadable);
                };
                let sizes = (
                    u64::try_from(colors).ok().filter(|c| (1..=32).contains(c)),
                    u64::try_from(bits)
                        .ok()
                        .filter(|b| [1, 2, 4, 8, 16].contains(b)),
                    u64::try_from(columns).ok().filter(|&c| c >= 1),
                );
                match (predictor, sizes) {
                    (1, _) => {}
                    (2, (Some(colors), Some(bits), Some(columns))) => steps.push(Step::Tiff {
                        colors,
                        bits,
                        columns,
                    }),
                    (10..=15, (Some(colors), Some(bits), Some(columns))) => steps.push(Step::Png {
                        colors,
                        bits,
                        columns,
                    }),
                    _ => return Ok(unreadable),
                }
            }
            b"ASCIIHexDecode" | b"AHx" => steps.push(Step::Hex),
            b"ASCII85Decode" | b"A85" => steps.push(Step::A85),
            b"RunLengthDecode" | b"RL" => steps.push(Step::RunLength),
            // Image data: what follows in the chain is pixels, never objects.
            b"DCTDecode" | b"DCT" | b"JPXDecode" | b"CCITTFaxDecode" | b"CCF" | b"JBIG2Decode" => {
                return Ok(Chain::Image)
            }
            // The identity crypt filter changes nothing; any other needs
            // the document's key.
            b"Crypt" => match get(&parms, b"Name") {
                Ok(None) => {}
                Ok(Some(Obj::Name(n))) if n == b"Identity" => {}
                _ => return Ok(unreadable),
            },
            _ => return Ok(unreadable),
        }
    }
    Ok(if steps.is_empty() {
        Chain::Plain
    } else {
        Chain::Decode(steps)
    })
}

// ------------------------------------------------------ pass 3: names ----

/// A streaming reader of PDF name tokens (`/Name`), fed chunk by chunk.
#[derive(Default)]
pub(super) struct PdfNameScanner {
    in_name: bool,
    name: Vec<u8>,
    /// Hex digits read after a `#` in a name, and how many.
    hex: Option<(u8, u8)>,
    /// Whether the bytes fed are encoded or image data (see [`active_name`]).
    pub binary: bool,
    /// Whether `/Encrypt` was read.
    pub encrypted: bool,
}

impl PdfNameScanner {
    const MAX_NAME: usize = 127;

    pub(super) fn feed(&mut self, chunk: &[u8]) -> Option<&'static str> {
        for &b in chunk {
            if self.in_name {
                if let Some((value, digits)) = self.hex {
                    if let Some(d) = (b as char).to_digit(16) {
                        let value = value * 16 + d as u8;
                        if digits == 1 {
                            self.push(value);
                            self.hex = None;
                        } else {
                            self.hex = Some((value, 1));
                        }
                        continue;
                    }
                    self.hex = None;
                }
                if b == b'#' {
                    self.hex = Some((0, 0));
                    continue;
                }
                if is_space(b) || is_delimiter(b) {
                    if let Some(found) = self.end_name() {
                        return Some(found);
                    }
                } else {
                    self.push(b);
                    continue;
                }
            }
            if b == b'/' {
                self.in_name = true;
                self.name.clear();
                self.hex = None;
            }
        }
        None
    }

    fn push(&mut self, b: u8) {
        if self.name.len() <= Self::MAX_NAME {
            self.name.push(b);
        }
    }

    fn end_name(&mut self) -> Option<&'static str> {
        self.in_name = false;
        if self.name == b"Encrypt" {
            self.encrypted = true;
        }
        active_name(&self.name, self.binary)
    }

    pub(super) fn finish(mut self) -> Option<&'static str> {
        if self.in_name {
            self.end_name()
        } else {
            None
        }
    }
}

/// Reads every name in the file; inside the data of streams with
/// filters, only the longer active names are looked for. Returns the
/// active name found, if any, and whether the file is encrypted.
fn scan_names(
    source: &mut dyn Source,
    streams: &[Stream],
    limits: &Limits,
) -> Result<(Option<&'static str>, bool), Refusal> {
    let mut regions: Vec<(u64, u64)> = streams
        .iter()
        .filter(|s| !matches!(s.chain, Chain::Plain) && s.data < s.end)
        .map(|s| (s.data, s.end))
        .collect();
    regions.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(regions.len());
    for (start, end) in regions {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let len = source.len();
    let mut scanner = PdfNameScanner::default();
    let mut region = 0;
    let mut offset = 0u64;
    while offset < len {
        let n = (len - offset).min(limits.chunk as u64) as usize;
        let chunk = source.read_at(offset, n)?;
        if chunk.is_empty() {
            break;
        }
        let mut at = 0usize;
        while at < chunk.len() {
            let pos = offset + at as u64;
            while merged.get(region).is_some_and(|r| r.1 <= pos) {
                region += 1;
            }
            let (binary, until) = match merged.get(region) {
                Some(&(start, end)) if start <= pos => (true, end),
                Some(&(start, _)) => (false, start),
                None => (false, u64::MAX),
            };
            let piece_end = until.saturating_sub(offset).min(chunk.len() as u64) as usize;
            scanner.binary = binary;
            if let Some(what) = scanner.feed(&chunk[at..piece_end]) {
                return Ok((Some(what), scanner.encrypted));
            }
            at = piece_end;
        }
        offset += chunk.len() as u64;
    }
    let encrypted = scanner.encrypted;
    Ok((scanner.finish(), encrypted))
}

// ---------------------------------------------------- pass 4: streams ----

/// Where decoded data ends up: read for names, counted against the budget.
struct Sink<'b> {
    scanner: PdfNameScanner,
    budget: &'b mut u64,
}

impl Sink<'_> {
    fn charge(&mut self, n: usize) -> Result<(), Stop> {
        match self.budget.checked_sub(n as u64) {
            Some(left) => {
                *self.budget = left;
                Ok(())
            }
            None => Err(Stop::Budget),
        }
    }

    fn feed(&mut self, data: &[u8]) -> Result<(), Stop> {
        match self.scanner.feed(data) {
            Some(what) => Err(Stop::Found(what)),
            None => Ok(()),
        }
    }
}

/// Feeds `data` to the first stage; each stage's output goes on to the next.
fn run(stages: &mut [Box<dyn Decoder>], data: &[u8], sink: &mut Sink<'_>) -> Result<(), Stop> {
    match stages.split_first_mut() {
        None => sink.feed(data),
        Some((first, rest)) => {
            if first.ended() {
                return Ok(());
            }
            first.push(data, &mut |piece| {
                sink.charge(piece.len())?;
                run(rest, piece, sink)
            })
        }
    }
}

fn finish(stages: &mut [Box<dyn Decoder>], sink: &mut Sink<'_>) -> Result<(), Stop> {
    if let Some((first, rest)) = stages.split_first_mut() {
        first.finish(&mut |piece| {
            sink.charge(piece.len())?;
            run(rest, piece, sink)
        })?;
        finish(rest, sink)?;
    }
    Ok(())
}

/// Decodes one stream and reads its names; `Ok(Some(why))` when it cannot
/// be decoded.
fn decode_stream(
    source: &mut dyn Source,
    stream: &Stream,
    steps: &[Step],
    budget: &mut u64,
) -> Result<Option<&'static str>, Refusal> {
    let Some(mut stages) = steps
        .iter()
        .map(|s| s.decoder())
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(Some(UNKNOWN_ENCODING));
    };
    let mut sink = Sink {
        scanner: PdfNameScanner::default(),
        budget,
    };
    let stop = |stop: Stop| match stop {
        Stop::Found(what) => Err(Refusal::Active(what)),
        Stop::Budget => Err(Refusal::Unchecked(TOO_MUCH_DATA)),
        Stop::Broken => Ok(Some(DAMAGED)),
    };
    let mut at = stream.data;
    while at < stream.end && !stages[0].ended() {
        let n = (stream.end - at).min(PIECE as u64) as usize;
        let data = source.read_at(at, n)?;
        if data.is_empty() {
            break;
        }
        at += data.len() as u64;
        if let Err(s) = run(&mut stages, &data, &mut sink) {
            return stop(s);
        }
    }
    if let Err(s) = finish(&mut stages, &mut sink) {
        return stop(s);
    }
    if let Some(what) = sink.scanner.finish() {
        return Err(Refusal::Active(what));
    }
    // Without a confirmed length, data that stops before its end-of-data
    // mark may go on past the first `endstream` for a reader.
    if !stream.exact && !stages[0].ended() {
        return Ok(Some(INCOMPLETE));
    }
    Ok(None)
}

#[cfg(test)]
mod tests;

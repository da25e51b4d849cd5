//! The standard PDF stream filters that carry text (Flate, LZW, ASCIIHex,
//! ASCII85, RunLength) and the predictors of Flate and LZW, as decoders
//! fed piece by piece: a stream is never held whole in memory, and each
//! decoder hands its output on in pieces of at most [`PIECE`] bytes, so a
//! bomb is counted (and stopped) as it expands.

/// Why decoding a stream stopped early.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// Active content was found in the decoded data.
    Found(&'static str),
    /// The file's budget of decoded bytes is spent.
    Budget,
    /// The data is not valid for its filter.
    Broken,
}

/// Where a decoder hands its output.
pub(super) type Out<'a> = dyn FnMut(&[u8]) -> Result<(), Stop> + 'a;

/// The most a decoder hands on at once.
pub(super) const PIECE: usize = 64 * 1024;

/// One stage of a filter chain.
pub(super) trait Decoder {
    /// Decodes the next input bytes.
    fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), Stop>;
    /// Hands on what is left once the input has ended.
    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop>;
    /// Whether the data's own end-of-data mark has been read (input after
    /// it is ignored, as readers do).
    fn ended(&self) -> bool;
}

/// Output collected byte by byte and handed on in pieces.
#[derive(Default)]
struct Pending(Vec<u8>);

impl Pending {
    fn put(&mut self, b: u8, out: &mut Out<'_>) -> Result<(), Stop> {
        self.0.push(b);
        if self.0.len() >= PIECE {
            self.flush(out)?;
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        if !self.0.is_empty() {
            out(&self.0)?;
            self.0.clear();
        }
        Ok(())
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

// ------------------------------------------------------------- Flate ----

/// zlib data, or raw deflate data (some writers leave the header out and
/// some readers accept it). The checksum is not verified, as readers do not.
pub(super) struct Flate {
    head: Vec<u8>,
    inflater: Option<flate2::Decompress>,
    buf: Vec<u8>,
    ended: bool,
}

impl Flate {
    pub(super) fn new() -> Self {
        Self {
            head: Vec::with_capacity(2),
            inflater: None,
            buf: vec![0; PIECE],
            ended: false,
        }
    }

    fn inflate(&mut self, mut input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        let Some(inflater) = self.inflater.as_mut() else {
            return Ok(());
        };
        while !self.ended {
            let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
            let status = inflater
                .decompress(input, &mut self.buf, flate2::FlushDecompress::None)
                .map_err(|_| Stop::Broken)?;
            let consumed = (inflater.total_in() - in_before) as usize;
            let produced = (inflater.total_out() - out_before) as usize;
            input = &input[consumed..];
            if produced > 0 {
                out(&self.buf[..produced])?;
            }
            if status == flate2::Status::StreamEnd {
                self.ended = true;
            } else if consumed == 0 && produced == 0 {
                break;
            }
        }
        Ok(())
    }
}

impl Decoder for Flate {
    fn push(&mut self, mut input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        if self.inflater.is_none() {
            let take = (2 - self.head.len()).min(input.len());
            self.head.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.head.len() < 2 {
                return Ok(());
            }
            let (cmf, flg) = (self.head[0], self.head[1]);
            let zlib = cmf & 0x0F == 8
                && cmf >> 4 <= 7
                && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
            if zlib && flg & 0x20 != 0 {
                // A preset dictionary: no PDF writer uses one.
                return Err(Stop::Broken);
            }
            self.inflater = Some(flate2::Decompress::new(false));
            if !zlib {
                let head = std::mem::take(&mut self.head);
                self.inflate(&head, out)?;
            }
        }
        self.inflate(input, out)
    }

    fn finish(&mut self, _out: &mut Out<'_>) -> Result<(), Stop> {
        Ok(())
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

// ---------------------------------------------------------- ASCIIHex ----

pub(super) struct AsciiHex {
    high: Option<u8>,
    pending: Pending,
    ended: bool,
}

impl AsciiHex {
    pub(super) fn new() -> Self {
        Self {
            high: None,
            pending: Pending::default(),
            ended: false,
        }
    }
}

impl Decoder for AsciiHex {
    fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        for &b in input {
            if self.ended {
                break;
            }
            if is_space(b) {
                continue;
            }
            if b == b'>' {
                self.finish(out)?;
                self.ended = true;
                continue;
            }
            let digit = (b as char).to_digit(16).ok_or(Stop::Broken)? as u8;
            match self.high.take() {
                Some(high) => self.pending.put(high << 4 | digit, out)?,
                None => self.high = Some(digit),
            }
        }
        self.pending.flush(out)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        // An odd last digit is followed by an implied 0.
        if let Some(high) = self.high.take() {
            self.pending.put(high << 4, out)?;
        }
        self.pending.flush(out)
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

// ----------------------------------------------------------- ASCII85 ----

pub(super) struct Ascii85 {
    group: [u8; 5],
    filled: usize,
    /// A `~` was read: `>` must follow.
    tilde: bool,
    /// No data byte read yet (an Adobe-style `<~` prefix is skipped).
    at_start: bool,
    opening: bool,
    pending: Pending,
    ended: bool,
}

impl Ascii85 {
    pub(super) fn new() -> Self {
        Self {
            group: [0; 5],
            filled: 0,
            tilde: false,
            at_start: true,
            opening: false,
            pending: Pending::default(),
            ended: false,
        }
    }

    fn flush_group(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        let n = self.filled;
        self.filled = 0;
        if n < 2 {
            // A lone last character carries no byte.
            return Ok(());
        }
        let mut digits = [84u8; 5];
        digits[..n].copy_from_slice(&self.group[..n]);
        let value = digits.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
        let value = u32::try_from(value).map_err(|_| Stop::Broken)?;
        for &b in &value.to_be_bytes()[..n - 1] {
            self.pending.put(b, out)?;
        }
        Ok(())
    }
}

impl Decoder for Ascii85 {
    fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        for &b in input {
            if self.ended {
                break;
            }
            if is_space(b) {
                continue;
            }
            if self.opening {
                self.opening = false;
                if b == b'~' {
                    continue;
                }
                return Err(Stop::Broken);
            }
            if self.tilde {
                if b != b'>' {
                    return Err(Stop::Broken);
                }
                self.flush_group(out)?;
                self.ended = true;
                continue;
            }
            let at_start = std::mem::replace(&mut self.at_start, false);
            match b {
                b'<' if at_start => self.opening = true,
                b'~' => self.tilde = true,
                b'z' if self.filled == 0 => {
                    for _ in 0..4 {
                        self.pending.put(0, out)?;
                    }
                }
                b'!'..=b'u' => {
                    self.group[self.filled] = b - b'!';
                    self.filled += 1;
                    if self.filled == 5 {
                        self.flush_group(out)?;
                    }
                }
                _ => return Err(Stop::Broken),
            }
        }
        self.pending.flush(out)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        self.flush_group(out)?;
        self.pending.flush(out)
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

// --------------------------------------------------------------- LZW ----

const LZW_CLEAR: u16 = 256;
const LZW_END: u16 = 257;
const LZW_FIRST: u16 = 258;
const LZW_MAX: usize = 4096;

/// LZW as PDF and TIFF write it: codes of 9 to 12 bits, most significant
/// bit first, the code length growing one code early unless
/// `/EarlyChange 0`.
pub(super) struct Lzw {
    early: u16,
    bits: u32,
    nbits: u32,
    width: u32,
    prefix: Vec<u16>,
    suffix: Vec<u8>,
    first: Vec<u8>,
    next: u16,
    previous: Option<u16>,
    stack: Vec<u8>,
    pending: Pending,
    ended: bool,
}

impl Lzw {
    pub(super) fn new(early_change: bool) -> Self {
        let mut suffix = vec![0u8; LZW_MAX];
        let mut first = vec![0u8; LZW_MAX];
        for b in 0..=255u8 {
            suffix[usize::from(b)] = b;
            first[usize::from(b)] = b;
        }
        Self {
            early: u16::from(early_change),
            bits: 0,
            nbits: 0,
            width: 9,
            prefix: vec![0; LZW_MAX],
            suffix,
            first,
            next: LZW_FIRST,
            previous: None,
            stack: Vec::with_capacity(LZW_MAX),
            pending: Pending::default(),
            ended: false,
        }
    }

    fn emit(&mut self, mut code: u16, out: &mut Out<'_>) -> Result<(), Stop> {
        self.stack.clear();
        while code >= LZW_FIRST {
            self.stack.push(self.suffix[usize::from(code)]);
            code = self.prefix[usize::from(code)];
        }
        self.stack.push(code as u8);
        while let Some(b) = self.stack.pop() {
            self.pending.put(b, out)?;
        }
        Ok(())
    }

    fn add(&mut self, prefix: u16, byte: u8) {
        let at = usize::from(self.next);
        if at < LZW_MAX {
            self.prefix[at] = prefix;
            self.suffix[at] = byte;
            self.first[at] = self.first[usize::from(prefix)];
            self.next += 1;
        }
        self.width = match self.next + self.early {
            ..=511 => 9,
            512..=1023 => 10,
            1024..=2047 => 11,
            _ => 12,
        };
    }

    fn code(&mut self, code: u16, out: &mut Out<'_>) -> Result<(), Stop> {
        match code {
            LZW_CLEAR => {
                self.next = LZW_FIRST;
                self.width = 9;
                self.previous = None;
            }
            LZW_END => self.ended = true,
            _ => {
                if code < self.next {
                    self.emit(code, out)?;
                    if let Some(previous) = self.previous {
                        let first = self.first[usize::from(code)];
                        self.add(previous, first);
                    }
                } else if code == self.next {
                    // The string of the previous code and its own first byte.
                    let previous = self.previous.ok_or(Stop::Broken)?;
                    let first = self.first[usize::from(previous)];
                    self.add(previous, first);
                    self.emit(code, out)?;
                } else {
                    return Err(Stop::Broken);
                }
                self.previous = Some(code);
            }
        }
        Ok(())
    }
}

impl Decoder for Lzw {
    fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        for &b in input {
            self.bits = (self.bits << 8 | u32::from(b)) & 0x00FF_FFFF;
            self.nbits += 8;
            while self.nbits >= self.width && !self.ended {
                let code = (self.bits >> (self.nbits - self.width)) & ((1 << self.width) - 1);
                self.nbits -= self.width;
                self.code(code as u16, out)?;
            }
            if self.ended {
                break;
            }
        }
        self.pending.flush(out)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        self.pending.flush(out)
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

// --------------------------------------------------------- RunLength ----

pub(super) struct RunLength {
    /// Literal bytes still to copy, or the count of a run whose byte is next.
    state: Run,
    pending: Pending,
    ended: bool,
}

enum Run {
    Length,
    Literal(u8),
    Repeat(u8),
}

impl RunLength {
    pub(super) fn new() -> Self {
        Self {
            state: Run::Length,
            pending: Pending::default(),
            ended: false,
        }
    }
}

impl Decoder for RunLength {
    fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        for &b in input {
            if self.ended {
                break;
            }
            self.state = match self.state {
                Run::Length => match b {
                    128 => {
                        self.ended = true;
                        Run::Length
                    }
                    0..=127 => Run::Literal(b + 1),
                    _ => Run::Repeat((257 - u16::from(b)) as u8),
                },
                Run::Literal(n) => {
                    self.pending.put(b, out)?;
                    if n > 1 {
                        Run::Literal(n - 1)
                    } else {
                        Run::Length
                    }
                }
                Run::Repeat(n) => {
                    for _ in 0..n {
                        self.pending.put(b, out)?;
                    }
                    Run::Length
                }
            };
        }
        self.pending.flush(out)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        self.pending.flush(out)
    }

    fn ended(&self) -> bool {
        self.ended
    }
}

// --------------------------------------------------------- Predictors ----

/// The longest predictor row decoded; a larger `/Columns` is refused.
pub(super) const MAX_PREDICTOR_ROW: usize = 1 << 20;

/// The PNG predictors (`/Predictor` 10 to 15): each row starts with its
/// own filter type.
pub(super) struct PngPredictor {
    bpp: usize,
    row: Vec<u8>,
    previous: Vec<u8>,
    filled: usize,
}

impl PngPredictor {
    /// `None` when the row is longer than [`MAX_PREDICTOR_ROW`].
    pub(super) fn new(colors: u64, bits: u64, columns: u64) -> Option<Self> {
        let row = usize::try_from((colors * bits * columns).div_ceil(8)).ok()?;
        if row == 0 || row > MAX_PREDICTOR_ROW {
            return None;
        }
        let bpp = usize::try_from((colors * bits).div_ceil(8)).ok()?.max(1);
        Some(Self {
            bpp,
            row: vec![0; row + 1],
            previous: vec![0; row],
            filled: 0,
        })
    }

    fn unfilter(&mut self, len: usize, out: &mut Out<'_>) -> Result<(), Stop> {
        let kind = self.row[0];
        let bpp = self.bpp;
        let (row, previous) = (&mut self.row[1..len], &self.previous);
        for i in 0..row.len() {
            let left = if i >= bpp { row[i - bpp] } else { 0 };
            let up = previous[i];
            let up_left = if i >= bpp { previous[i - bpp] } else { 0 };
            let predicted = match kind {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => return Err(Stop::Broken),
            };
            row[i] = row[i].wrapping_add(predicted);
        }
        self.previous[..row.len()].copy_from_slice(row);
        out(row)
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

impl Decoder for PngPredictor {
    fn push(&mut self, mut input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        while !input.is_empty() {
            let take = (self.row.len() - self.filled).min(input.len());
            self.row[self.filled..self.filled + take].copy_from_slice(&input[..take]);
            self.filled += take;
            input = &input[take..];
            if self.filled == self.row.len() {
                self.filled = 0;
                self.unfilter(self.row.len(), out)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        // A last, short row is decoded as far as it goes.
        if self.filled > 1 {
            let len = std::mem::take(&mut self.filled);
            self.unfilter(len, out)?;
        }
        Ok(())
    }

    fn ended(&self) -> bool {
        false
    }
}

/// The TIFF predictor (`/Predictor 2`) for 8-bit components: each byte is
/// the difference from the same component of the pixel on its left.
pub(super) struct TiffPredictor {
    colors: usize,
    row: usize,
    at: usize,
    left: Vec<u8>,
    pending: Pending,
}

impl TiffPredictor {
    /// `None` for other component sizes than 8 bits, or a row longer than
    /// [`MAX_PREDICTOR_ROW`].
    pub(super) fn new(colors: u64, bits: u64, columns: u64) -> Option<Self> {
        if bits != 8 || colors == 0 {
            return None;
        }
        let row = usize::try_from(colors * columns).ok()?;
        if row == 0 || row > MAX_PREDICTOR_ROW {
            return None;
        }
        let colors = usize::try_from(colors).ok()?;
        Some(Self {
            colors,
            row,
            at: 0,
            left: vec![0; colors],
            pending: Pending::default(),
        })
    }
}

impl Decoder for TiffPredictor {
    fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), Stop> {
        for &b in input {
            let component = self.at % self.colors;
            let value = if self.at < self.colors {
                b
            } else {
                b.wrapping_add(self.left[component])
            };
            self.left[component] = value;
            self.pending.put(value, out)?;
            self.at += 1;
            if self.at == self.row {
                self.at = 0;
            }
        }
        self.pending.flush(out)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<(), Stop> {
        self.pending.flush(out)
    }

    fn ended(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(decoder: &mut dyn Decoder, pieces: &[&[u8]]) -> Result<Vec<u8>, Stop> {
        let mut got = Vec::new();
        let mut out = |piece: &[u8]| {
            got.extend_from_slice(piece);
            Ok(())
        };
        for piece in pieces {
            decoder.push(piece, &mut out)?;
        }
        decoder.finish(&mut out)?;
        Ok(got)
    }

    #[test]
    fn ascii_hex_ignores_spaces_pads_an_odd_digit_and_stops_at_its_end() {
        let mut d = AsciiHex::new();
        assert_eq!(
            run(&mut d, &[b"2F 4a", b"5\n3>trailing garbage"]),
            Ok(b"/JS".to_vec())
        );
        assert!(d.ended());
        assert_eq!(run(&mut AsciiHex::new(), &[b"4"]), Ok(vec![0x40]));
        assert_eq!(run(&mut AsciiHex::new(), &[b"4G>"]), Err(Stop::Broken));
    }

    #[test]
    fn ascii85_decodes_groups_z_and_a_short_last_group_across_pieces() {
        // "Man " is 9jqo^, four zero bytes are z, "su" is F*. (padded).
        let mut d = Ascii85::new();
        assert_eq!(
            run(&mut d, &[b"<~9jq", b"o^ z F*", b".~", b">ignored"]),
            Ok(b"Man \0\0\0\0su".to_vec())
        );
        assert!(d.ended());
        assert_eq!(run(&mut Ascii85::new(), &[b"9jqo^v"]), Err(Stop::Broken));
        assert_eq!(run(&mut Ascii85::new(), &[b"s8W-\""]), Err(Stop::Broken));
    }

    #[test]
    fn lzw_decodes_the_example_of_the_pdf_reference() {
        // 7.4.4.2, Example 2: 45 45 45 45 45 65 45 45 45 66 with
        // EarlyChange 1 codes as 80 0B 60 50 22 0C 0C 85 01.
        let mut d = Lzw::new(true);
        let got = run(
            &mut d,
            &[&[0x80, 0x0B, 0x60, 0x50], &[0x22, 0x0C, 0x0C, 0x85, 0x01]],
        );
        assert_eq!(
            got,
            Ok(vec![
                0x2D, 0x2D, 0x2D, 0x2D, 0x2D, 0x41, 0x2D, 0x2D, 0x2D, 0x42
            ])
        );
        assert!(d.ended());
    }

    #[test]
    fn run_length_copies_literals_and_repeats_runs() {
        let mut d = RunLength::new();
        assert_eq!(
            run(
                &mut d,
                &[&[2, b'/', b'J'], &[b'S', 253], &[b'x', 128, 0, b'!']]
            ),
            Ok(b"/JSxxxx".to_vec())
        );
        assert!(d.ended());
    }

    #[test]
    fn png_predictors_undo_each_row_filter() {
        // Two rows of three bytes: "Sub" then "Up".
        let mut d = PngPredictor::new(1, 8, 3).unwrap();
        let got = run(&mut d, &[&[1, 10, 5, 5, 2], &[1, 1, 1]]);
        assert_eq!(got, Ok(vec![10, 15, 20, 11, 16, 21]));
        assert!(PngPredictor::new(1, 8, 1 << 40).is_none());
    }

    #[test]
    fn the_tiff_predictor_adds_the_pixel_on_the_left() {
        let mut d = TiffPredictor::new(2, 8, 2).unwrap();
        assert_eq!(
            run(&mut d, &[&[1, 2, 3, 4, 5, 6]]),
            Ok(vec![1, 2, 4, 6, 5, 6])
        );
        assert!(TiffPredictor::new(1, 4, 8).is_none());
    }
}

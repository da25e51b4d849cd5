//! The PDF check against hostile files written here byte by byte: scripts
//! in object streams behind every standard filter, obfuscated names, XFA
//! forms, automatic actions, undecodable or encrypted content, and the
//! limits.

use std::collections::HashMap;
use std::io::Write as _;

use super::super::{sniff, MediaType, Slice};
use super::*;

fn check(bytes: &[u8]) -> Result<(), &'static str> {
    check_with(bytes, &LIMITS)
}

fn check_with(bytes: &[u8], limits: &Limits) -> Result<(), &'static str> {
    scan_pdf(&mut Slice(bytes), limits).map_err(|e| e.code())
}

/// The check with the file read 7 bytes at a time: every keyword, name
/// and stream falls across chunk boundaries somewhere.
fn check_in_small_chunks(bytes: &[u8]) -> Result<(), &'static str> {
    check_with(bytes, &Limits { chunk: 7, ..LIMITS })
}

/// What a reader sees of the file as written, without decoding anything.
fn visible_active_name(bytes: &[u8]) -> Option<&'static str> {
    let mut scanner = PdfNameScanner::default();
    scanner.feed(bytes).or_else(|| scanner.finish())
}

// ------------------------------------------------------------ encoders ----

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

fn hex(data: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = data
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect();
    out.push(b'>');
    out
}

fn a85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for group in data.chunks(4) {
        if group == [0, 0, 0, 0] {
            out.push(b'z');
            continue;
        }
        let mut padded = [0u8; 4];
        padded[..group.len()].copy_from_slice(group);
        let mut value = u32::from_be_bytes(padded);
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = (value % 85) as u8 + b'!';
            value /= 85;
        }
        out.extend_from_slice(&digits[..group.len() + 1]);
    }
    out.extend_from_slice(b"~>");
    out
}

/// LZW with `/EarlyChange 1`, as PDF writers make it.
fn lzw(data: &[u8]) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
        width: u32,
        decoder_next: u16,
        emitted: usize,
    }
    impl Bits {
        fn emit(&mut self, code: u16) {
            self.acc = self.acc << self.width | u32::from(code);
            self.n += self.width;
            while self.n >= 8 {
                self.out.push((self.acc >> (self.n - 8)) as u8);
                self.n -= 8;
            }
            // The decoder adds a code to its table from the second code on.
            if self.emitted > 0 && code != 257 {
                self.decoder_next += 1;
            }
            self.emitted += 1;
            self.width = match self.decoder_next + 1 {
                ..=511 => 9,
                512..=1023 => 10,
                1024..=2047 => 11,
                _ => 12,
            };
        }
    }
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
        width: 9,
        decoder_next: 258,
        emitted: 0,
    };
    bits.emit(256);
    bits.emitted = 0;
    let mut table: HashMap<Vec<u8>, u16> = (0..=255u8).map(|b| (vec![b], u16::from(b))).collect();
    let mut next = 258u16;
    let mut word: Vec<u8> = Vec::new();
    for &c in data {
        let mut longer = word.clone();
        longer.push(c);
        if table.contains_key(&longer) {
            word = longer;
        } else {
            bits.emit(table[&word]);
            table.insert(longer, next);
            next += 1;
            word = vec![c];
        }
    }
    if !word.is_empty() {
        bits.emit(table[&word]);
    }
    bits.emit(257);
    if bits.n > 0 {
        bits.out.push((bits.acc << (8 - bits.n)) as u8);
    }
    bits.out
}

/// Short literal runs: the length bytes between them break up names.
fn run_length(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for literal in data.chunks(3) {
        out.push((literal.len() - 1) as u8);
        out.extend_from_slice(literal);
    }
    out.push(128);
    out
}

/// Rows of `columns` bytes, each with the PNG "Sub" filter.
fn png_sub(data: &[u8], columns: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for row in data.chunks(columns) {
        out.push(1);
        for (i, &b) in row.iter().enumerate() {
            out.push(b.wrapping_sub(if i > 0 { row[i - 1] } else { 0 }));
        }
    }
    out
}

// --------------------------------------------------------------- files ----

/// The dictionaries of a catalog whose `/OpenAction` runs a script, as an
/// object stream holds them (objects 1 and 2).
const OPEN_ACTION_SCRIPT: &[u8] = b"1 0 2 60 << /Type /Catalog /Pages 3 0 R /OpenAction 2 0 R >>\n<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>";

fn object(number: u32, body: &[u8]) -> Vec<u8> {
    [format!("{number} 0 obj\n").as_bytes(), body, b"\nendobj\n"].concat()
}

fn stream(number: u32, dict: &str, data: &[u8]) -> Vec<u8> {
    object(
        number,
        &[
            format!("<< {dict} /Length {} >>\nstream\n", data.len()).as_bytes(),
            data,
            b"\nendstream",
        ]
        .concat(),
    )
}

fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".as_slice(),
        &objects.concat(),
        b"trailer\n<< /Root 1 0 R /Size 9 >>\nstartxref\n0\n%%EOF\n",
    ]
    .concat()
}

/// A file whose catalog and its script live in an object stream encoded
/// with `filter` (and its `/DecodeParms`, if any).
fn hidden_in_object_stream(filter: &str, data: &[u8]) -> Vec<u8> {
    pdf(&[
        stream(
            4,
            &format!("/Type /ObjStm /N 2 /First 9 /Filter {filter}"),
            data,
        ),
        object(3, b"<< /Type /Pages /Kids [] /Count 0 >>"),
    ])
}

fn harmless() -> Vec<u8> {
    let content = zlib(b"BT /F1 12 Tf 72 712 Td (Tawasul: a stream of news) Tj ET");
    pdf(&[
        object(1, b"<< /Type /Catalog /Pages 3 0 R /OpenAction [5 0 R /Fit] >>"),
        object(3, b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>"),
        object(
            5,
            b"<< /Type /Page /Parent 3 0 R /Contents 6 0 R /Resources << /XObject << /Im0 7 0 R >> >> >>",
        ),
        stream(6, "/Filter /FlateDecode", &content),
        stream(
            7,
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode",
            b"\xff\xd8\xff\xe0 JFIF data that is not zlib \xff\xd9",
        ),
        stream(
            8,
            "/Type /XRef /W [1 2 1] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>",
            &zlib(&png_sub(&[1, 0, 16, 0, 1, 0, 64, 0], 4)),
        ),
    ])
}

// --------------------------------------------------------------- tests ----

#[test]
fn an_ordinary_pdf_with_compressed_content_an_image_and_an_xref_stream_is_accepted() {
    let file = harmless();
    assert_eq!(check(&file), Ok(()));
    assert_eq!(check_in_small_chunks(&file), Ok(()));
    assert_eq!(sniff(&file).unwrap(), MediaType::Pdf);
}

#[test]
fn scripts_in_object_streams_are_found_behind_every_standard_filter() {
    let script = OPEN_ACTION_SCRIPT;
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("ASCIIHex", "/ASCIIHexDecode", hex(script)),
        ("ASCII85", "/ASCII85Decode", a85(script)),
        (
            "ASCII85 then Flate",
            "[/ASCII85Decode /FlateDecode]",
            a85(&zlib(script)),
        ),
        (
            "ASCIIHex then Flate",
            "[/ASCIIHexDecode /FlateDecode]",
            hex(&zlib(script)),
        ),
        ("LZW", "/LZWDecode", lzw(script)),
        ("RunLength", "/RunLengthDecode", run_length(script)),
        ("Flate", "/FlateDecode", zlib(script)),
        (
            "abbreviations",
            "[/AHx /A85 /Fl /LZW /RL]",
            hex(&a85(&zlib(&lzw(&run_length(script))))),
        ),
        (
            "Flate with a PNG predictor",
            "/FlateDecode /DecodeParms << /Predictor 11 /Columns 16 >>",
            zlib(&png_sub(script, 16)),
        ),
        (
            "LZW with a predictor in an array of parameters",
            "[/LZWDecode] /DecodeParms [<< /Predictor 12 /Colors 1 /Columns 7 >>]",
            lzw(&png_sub(script, 7)),
        ),
        (
            "filter names with #xx escapes",
            "[/A#53CIIHexDecode /Fl#61teDecode]",
            hex(&zlib(script)),
        ),
    ];
    for (what, filter, data) in cases {
        let file = hidden_in_object_stream(filter, &data);
        assert_eq!(
            visible_active_name(&file),
            None,
            "{what}: the script is not visible as written"
        );
        assert_eq!(check(&file), Err("active-content"), "{what}");
        assert_eq!(
            check_in_small_chunks(&file),
            Err("active-content"),
            "{what}"
        );
        let err = sniff(&file).expect_err(what);
        assert_eq!(err.http_status(), 422);
        assert_eq!(
            err.to_string(),
            "this PDF contains active content (JavaScript) and is refused; export it again without scripts or actions"
        );
    }
}

#[test]
fn obfuscated_names_inside_decoded_streams_are_found() {
    let script = b"1 0 2 60 << /Type /Catalog /OpenAction 2 0 R >> << /S /J#61vaScr#69pt /J#53 (app.alert\\(1\\)) >>";
    let file = hidden_in_object_stream("/ASCII85Decode", &a85(script));
    assert_eq!(check(&file), Err("active-content"));
}

#[test]
fn launch_actions_and_javascript_name_trees_in_decoded_streams_are_found() {
    let launch = b"1 0 << /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>";
    let name_tree = b"1 0 << /Type /Catalog /Names << /JavaScript << /Names [(a) 2 0 R] >> >> >>";
    for (what, data) in [("launch", &launch[..]), ("name tree", &name_tree[..])] {
        let file = hidden_in_object_stream("/AHx", &hex(data));
        assert_eq!(visible_active_name(&file), None, "{what}");
        assert_eq!(check(&file), Err("active-content"), "{what}");
    }
}

#[test]
fn xfa_forms_are_refused_even_when_their_script_is_compressed() {
    let xdp = br#"<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform><event activity="initialize"><script contentType="application/x-javascript">app.alert(1)</script></event></subform></template></xdp:xdp>"#;
    let file = pdf(&[
        object(
            1,
            b"<< /Type /Catalog /Pages 3 0 R /AcroForm 2 0 R /NeedsRendering true >>",
        ),
        object(2, b"<< /Fields [] /XFA 4 0 R >>"),
        object(3, b"<< /Type /Pages /Kids [] /Count 0 >>"),
        stream(4, "/Filter /FlateDecode", &zlib(xdp)),
    ]);
    assert_eq!(check(&file), Err("active-content"));
    let err = sniff(&file).unwrap_err();
    assert!(err.to_string().contains("an XFA form"), "{err}");

    // The form's dictionary hidden in an object stream too.
    let hidden = hidden_in_object_stream(
        "[/A85 /Fl]",
        &a85(&zlib(b"2 0 << /Fields [] /X#46A 4 0 R >>")),
    );
    assert_eq!(visible_active_name(&hidden), None);
    assert_eq!(check(&hidden), Err("active-content"));
}

#[test]
fn automatic_actions_are_refused_as_written_and_decoded() {
    let page = b"<< /Type /Page /Parent 3 0 R /AA << /O 9 0 R >> >>";
    assert_eq!(
        check(&pdf(&[object(5, page)])),
        Err("active-content"),
        "as written"
    );
    let hidden = hidden_in_object_stream(
        "/RL",
        &run_length(b"5 0 << /Type /Page /AA << /O 9 0 R >> >>"),
    );
    assert_eq!(check(&hidden), Err("active-content"), "decoded");
    // Longer names that start the same are fine.
    assert_eq!(check(&pdf(&[object(5, b"<< /AAPL 1 /XFAB 2 >>")])), Ok(()));
}

#[test]
fn a_stream_that_cannot_be_decoded_is_refused_unless_it_is_image_data() {
    let refused: Vec<(&str, Vec<u8>)> = vec![
        (
            "unknown filter",
            hidden_in_object_stream("/SecretDecode", b"whatever"),
        ),
        ("broken hex", hidden_in_object_stream("/AHx", b"2F4A5G>")),
        (
            "broken ASCII85",
            hidden_in_object_stream("/A85", b"9jqo^{~>"),
        ),
        (
            "broken zlib",
            hidden_in_object_stream("/Fl", b"x\x9c\xff\xff\xff\xff\xff\xff"),
        ),
        (
            "a crypt filter other than Identity",
            hidden_in_object_stream("/Crypt /DecodeParms << /Name /StdCF >>", b"\x01\x02"),
        ),
        (
            "an unsupported predictor",
            hidden_in_object_stream("/Fl /DecodeParms << /Predictor 7 >>", &zlib(b"x")),
        ),
        (
            "filters that are not names",
            hidden_in_object_stream("(FlateDecode)", &zlib(b"x")),
        ),
        (
            "two different /Filter entries",
            hidden_in_object_stream("/AHx /Filter /A85", &hex(b"x")),
        ),
        (
            "filters behind a reference to nothing",
            hidden_in_object_stream("12 0 R", &zlib(b"x")),
        ),
    ];
    for (what, file) in refused {
        assert_eq!(check(&file), Err("uncheckable-document"), "{what}");
        let err = sniff(&file).expect_err(what);
        assert_eq!(err.http_status(), 422, "{what}");
        assert!(
            err.to_string()
                .starts_with("this document could not be checked"),
            "{what}: {err}"
        );
    }
    let accepted: Vec<(&str, Vec<u8>)> = vec![
        (
            "DCT",
            hidden_in_object_stream("/DCTDecode", b"\xff\xd8 not text"),
        ),
        (
            "hex-encoded JPX",
            hidden_in_object_stream("[/AHx /JPXDecode]", b"zz not even hex"),
        ),
        ("JBIG2", hidden_in_object_stream("/JBIG2Decode", b"\x97JB2")),
        ("CCITT", hidden_in_object_stream("/CCF", b"\x00\x01")),
        (
            "the identity crypt filter",
            hidden_in_object_stream("[/Crypt /AHx]", &hex(b"<< /Type /Page >>")),
        ),
        (
            "filters behind a reference",
            pdf(&[
                stream(4, "/Filter 9 0 R", &hex(b"<< /Type /Page >>")),
                object(9, b"[/ASCIIHexDecode]"),
            ]),
        ),
    ];
    for (what, file) in accepted {
        assert_eq!(check(&file), Ok(()), "{what}");
    }
}

#[test]
fn an_encrypted_pdf_is_refused_as_it_cannot_be_checked() {
    let file = [
        harmless(),
        b"trailer\n<< /Root 1 0 R /Encrypt << /Filter /Standard /V 2 /R 3 >> >>\n%%EOF\n".to_vec(),
    ]
    .concat();
    assert_eq!(check(&file), Err("uncheckable-document"));
    let err = sniff(&file).unwrap_err();
    assert!(err.to_string().contains("it is encrypted"), "{err}");
}

#[test]
fn a_stream_whose_dictionary_cannot_be_read_is_refused() {
    // `endobj` inside the dictionary: no reader makes a stream of it the
    // same way, so its filters are unknown.
    let file = pdf(&[
        b"4 0 obj\n<< /Filter /AHx endobj /Type /ObjStm >>\nstream\n2F4A53>\nendstream\nendobj\n"
            .to_vec(),
    ]);
    assert_eq!(check(&file), Err("uncheckable-document"));
}

#[test]
fn stream_lengths_are_followed_and_a_stream_cut_short_is_refused() {
    // `endstream` inside the data (valid ASCII85 characters) and an
    // indirect length: a reader reads on to the length, and so does the
    // check.
    let script = a85(OPEN_ACTION_SCRIPT);
    let with_fake_end = [&b"\nendstream u\n"[..], &script].concat();
    let file = pdf(&[
        object(
            4,
            &[
                b"<< /Type /ObjStm /Filter /A85 /Length 9 0 R >>\nstream\n".as_slice(),
                &with_fake_end,
                b"\nendstream",
            ]
            .concat(),
        ),
        object(9, with_fake_end.len().to_string().as_bytes()),
    ]);
    assert_eq!(visible_active_name(&file), None);
    assert_eq!(check(&file), Err("active-content"));

    // A length that cannot be resolved, and data without its end mark:
    // where it ends for a reader is not known.
    let unterminated = &with_fake_end[..with_fake_end.len() - 2];
    let file = pdf(&[object(
        4,
        &[
            b"<< /Type /ObjStm /Filter /A85 /Length 77 0 R >>\nstream\n".as_slice(),
            unterminated,
            b"\nendstream",
        ]
        .concat(),
    )]);
    assert_eq!(check(&file), Err("uncheckable-document"));
}

#[test]
fn objects_hidden_inside_image_data_are_parsed_too() {
    // A reader following the cross-reference table to an offset inside the
    // image data reads this object; a rendition action's /JS runs a script
    // without any /JavaScript name.
    let image = b"\xff\xd8\xff\xe0 pixels\n9 0 obj\n<< /S /Rendition /JS (app.alert\\(1\\)) >>\nendobj\n\xff\xd9";
    let file = pdf(&[stream(7, "/Subtype /Image /Filter /DCTDecode", image)]);
    assert_eq!(check(&file), Err("active-content"));
}

#[test]
fn two_letter_names_in_compressed_data_are_chance_not_content() {
    // Bytes of compressed data that read as `/JS ` must not refuse the file.
    let file = pdf(&[stream(
        7,
        "/Subtype /Image /Filter /DCTDecode",
        b"\xff\xd8\x13/JS \x99/AA\x00\xff\xd9",
    )]);
    assert_eq!(check(&file), Ok(()));
}

#[test]
fn the_limits_refuse_what_they_cannot_check() {
    let small = Limits {
        decoded: 64 * 1024,
        streams: 3,
        ..LIMITS
    };
    // More decoded than the budget: here a megabyte of spaces that the
    // ASCIIHex stage turns into nothing still counts as it is inflated.
    let spaces = hidden_in_object_stream("[/Fl /AHx]", &zlib(&vec![b' '; 1 << 20]));
    assert_eq!(check(&spaces), Ok(()));
    assert_eq!(check_with(&spaces, &small), Err("uncheckable-document"));
    let bomb = hidden_in_object_stream("/Fl", &zlib(&vec![b'a'; 1 << 20]));
    assert_eq!(check_with(&bomb, &small), Err("uncheckable-document"));

    let many: Vec<Vec<u8>> = (10..14).map(|n| stream(n, "", b"q Q")).collect();
    let file = pdf(&many);
    assert_eq!(check(&file), Ok(()));
    let err = scan_pdf(&mut Slice(&file), &small).unwrap_err();
    assert!(
        err.to_string().contains("more streams than can be checked"),
        "{err}"
    );
    let objects = Limits {
        objects: 2,
        ..LIMITS
    };
    assert_eq!(check_with(&file, &objects), Err("uncheckable-document"));
}

// ------------------------------------------- written names, as before ----

#[test]
fn pdf_with_active_content_as_written_is_refused() {
    let cases: &[(&str, &[u8])] = &[
        (
            "javascript",
            b"%PDF-1.4\n<< /S /JavaScript /JS (app.alert(1)) >>",
        ),
        ("js only", b"%PDF-1.4\n<</JS 5 0 R>>"),
        (
            "launch",
            b"%PDF-1.4\n<< /OpenAction << /S /Launch /F (cmd.exe) >> >>",
        ),
        ("hex-escaped name", b"%PDF-1.4\n<< /S /J#61vaScript >>"),
        ("name at the very end", b"%PDF-1.4\n/JS"),
    ];
    for (what, bytes) in cases {
        let err = sniff(bytes).expect_err(what);
        assert_eq!(err.code(), "active-content", "{what}");
        assert_eq!(err.http_status(), 422);
        assert!(err.to_string().contains("active content"), "{what}: {err}");
    }
    // Names that merely start like the dangerous ones are fine.
    for ok in [
        &b"%PDF-1.4\n/JSON /Launcher /JavaScripts /AAA /XFAs (JS) JS"[..],
        &harmless(),
    ] {
        assert_eq!(sniff(ok).unwrap(), MediaType::Pdf);
    }
}

#[test]
fn scripts_hidden_in_zlib_object_streams_are_found_with_either_end_of_line() {
    let hidden = b"6 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>";
    for eol in ["\n", "\r\n", "\r"] {
        let objects = [b"7 0 << /Type /Page >> ".repeat(20).as_slice(), hidden].concat();
        let data = zlib(&objects);
        let file = [
            format!(
                "%PDF-1.5\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream{eol}",
                data.len()
            )
            .as_bytes(),
            &data,
            b"\nendstream\nendobj\n%%EOF\n",
        ]
        .concat();
        assert_eq!(visible_active_name(&file), None, "{eol:?}");
        assert_eq!(check(&file), Err("active-content"), "{eol:?}");
    }
}

#[test]
fn keywords_split_across_chunks_are_found() {
    let text = b"1 0 obj << >>\nstream\nDATA endstream endobj 2 0 obj<<>>stream\r\nX";
    let at = |needle: &[u8], nth: usize| {
        text.windows(needle.len())
            .enumerate()
            .filter(|(_, w)| *w == needle)
            .map(|(i, _)| i as u64)
            .nth(nth)
            .unwrap()
    };
    for chunk in 1..=text.len() {
        let marks = find_marks(&mut Slice(text), &Limits { chunk, ..LIMITS }).unwrap();
        // `endobj` is no object's start, `endstream` no stream's.
        assert_eq!(marks.objs, [at(b"obj", 0), at(b"obj", 2)], "chunk {chunk}");
        assert_eq!(
            marks.streams,
            [at(b"stream", 0), at(b"stream", 2)],
            "chunk {chunk}"
        );
        assert_eq!(marks.endstreams, [at(b"endstream", 0)], "chunk {chunk}");
    }
}

#[test]
fn pdf_name_split_across_chunks_is_caught() {
    let mut scanner = PdfNameScanner::default();
    assert_eq!(scanner.feed(b"%PDF-1.4 << /S /Java"), None);
    assert_eq!(scanner.feed(b"Scr"), None);
    assert_eq!(scanner.feed(b"ipt >>"), Some("JavaScript"));
}

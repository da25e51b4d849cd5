//! Office packages built here as ZIP files, their parts deflated as Office
//! writes them: active content is found by declared type and relationship,
//! whatever the part is named.

use std::io::Write as _;

use super::super::{sniff, MediaType};

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    d.write_all(data).unwrap();
    d.finish().unwrap()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of `(name, method, stored bytes, original bytes)`.
fn zip_raw(entries: &[(&str, u16, Vec<u8>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, original) in entries {
        let offset = out.len() as u32;
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&method.to_le_bytes());
        common.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        common.extend_from_slice(&crc32(original).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(original.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0; 10]); // comment, disk, attributes
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

/// A package whose parts are all deflated.
fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let entries: Vec<_> = parts
        .iter()
        .map(|(name, data)| (*name, 8, deflate(data), *data))
        .collect();
    zip_raw(&entries)
}

fn content_types(extra: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>{extra}</Types>"#
    )
    .into_bytes()
}

fn relationships(items: &[(&str, &str)]) -> Vec<u8> {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(i, (kind, target))| {
            format!(r#"<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>"#)
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>"#
    )
    .into_bytes()
}

const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const MS: &str = "http://schemas.microsoft.com/office/2006/relationships";
const DOCX_MAIN: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";

/// A Word document with `extra` content type declarations, `extra_rels`
/// relationships from the document and `extra_parts`.
fn docx(extra: &str, extra_rels: &[(&str, &str)], extra_parts: &[(&str, &[u8])]) -> Vec<u8> {
    let types = content_types(&format!(
        r#"<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/>{extra}"#
    ));
    let root = relationships(&[(&format!("{R}/officeDocument"), "word/document.xml")]);
    let mut rels = vec![
        (format!("{R}/styles"), "styles.xml"),
        (format!("{R}/image"), "media/image1.png"),
    ];
    rels.extend(extra_rels.iter().map(|(k, t)| (k.to_string(), *t)));
    let rels: Vec<(&str, &str)> = rels.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let document_rels = relationships(&rels);
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", &types),
        ("_rels/.rels", &root),
        (
            "word/document.xml",
            b"<w:document xmlns:w=\"w\"><w:body/></w:document>",
        ),
        ("word/_rels/document.xml.rels", &document_rels),
        ("word/styles.xml", b"<w:styles xmlns:w=\"w\"/>"),
        ("word/media/image1.png", b"\x89PNG\r\n\x1a\n"),
    ];
    parts.extend_from_slice(extra_parts);
    package(&parts)
}

fn xlsx(extra: &str, extra_rels: &[(&str, &str)], extra_parts: &[(&str, &[u8])]) -> Vec<u8> {
    let types = content_types(&format!(
        r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{extra}"#
    ));
    let root = relationships(&[(&format!("{R}/officeDocument"), "xl/workbook.xml")]);
    let worksheet = format!("{R}/worksheet");
    let mut rels = vec![(worksheet.as_str(), "worksheets/sheet1.xml")];
    rels.extend_from_slice(extra_rels);
    let workbook_rels = relationships(&rels);
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", &types),
        ("_rels/.rels", &root),
        ("xl/workbook.xml", b"<workbook><sheets/></workbook>"),
        ("xl/_rels/workbook.xml.rels", &workbook_rels),
        ("xl/worksheets/sheet1.xml", b"<worksheet/>"),
    ];
    parts.extend_from_slice(extra_parts);
    package(&parts)
}

fn refusal(bytes: &[u8]) -> (&'static str, String) {
    let err = sniff(bytes).expect_err("refused");
    assert_eq!(err.http_status(), 422, "{err}");
    (err.code(), err.to_string())
}

#[test]
fn ordinary_office_documents_with_deflated_parts_are_accepted() {
    assert_eq!(sniff(&docx("", &[], &[])).unwrap(), MediaType::Docx);
    assert_eq!(sniff(&xlsx("", &[], &[])).unwrap(), MediaType::Xlsx);
    // An OLE object (an embedded chart, say) and a declared but absent
    // binary type are no macros.
    let with_ole = docx(
        r#"<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>"#,
        &[(&format!("{R}/oleObject"), "embeddings/oleObject1.bin")],
        &[("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0")],
    );
    assert_eq!(sniff(&with_ole).unwrap(), MediaType::Docx);
}

#[test]
fn a_vba_project_under_another_name_is_found_by_its_type() {
    let vba = "application/vnd.ms-office.vbaProject";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "override and relationship",
            docx(
                &format!(r#"<Override PartName="/word/foo.bin" ContentType="{vba}"/>"#),
                &[(&format!("{MS}/vbaProject"), "foo.bin")],
                &[("word/foo.bin", b"\xd0\xcf\x11\xe0 VBA")],
            ),
        ),
        (
            "override only, part name in other case",
            docx(
                &format!(r#"<Override PartName="/WORD/Foo.BIN" ContentType="{vba}"/>"#),
                &[],
                &[("word/foo.bin", b"\xd0\xcf\x11\xe0 VBA")],
            ),
        ),
        (
            "default by extension",
            docx(
                &format!(r#"<Default Extension="dat" ContentType="{vba}"/>"#),
                &[],
                &[("word/foo.dat", b"\xd0\xcf\x11\xe0 VBA")],
            ),
        ),
        (
            "relationship only",
            docx(
                "",
                &[(&format!("{MS}/vbaProject"), "foo.bin")],
                &[("word/foo.bin", b"\xd0\xcf\x11\xe0 VBA")],
            ),
        ),
        (
            "type written with a character reference",
            docx(
                r#"<Override PartName="/word/foo.bin" ContentType="application/vnd.ms-office.vba&#x50;roject"/>"#,
                &[],
                &[("word/foo.bin", b"\xd0\xcf\x11\xe0 VBA")],
            ),
        ),
        (
            "a macro-enabled main document",
            package(&[
                (
                    "[Content_Types].xml",
                    &content_types(
                        r#"<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>"#,
                    ),
                ),
                ("word/document.xml", b"<w:document/>"),
            ]),
        ),
        (
            "VBA data",
            docx(
                r#"<Override PartName="/word/vbaData.xml" ContentType="application/vnd.ms-word.vbaData+xml"/>"#,
                &[],
                &[("word/vbaData.xml", b"<wne:vbaSuppData/>")],
            ),
        ),
        (
            "the usual name",
            docx("", &[], &[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
        ),
    ];
    for (what, bytes) in cases {
        let (code, message) = refusal(&bytes);
        assert_eq!(code, "office-active-content", "{what}");
        assert_eq!(
            message,
            "this document contains macros and is refused; save it again as a document without macros (DOCX, XLSX or PPTX)",
            "{what}"
        );
    }
}

#[test]
fn excel_4_macro_sheets_are_found_by_type_or_relationship() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "macro sheet type",
            xlsx(
                r#"<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>"#,
                &[(&format!("{MS}/xlMacrosheet"), "macrosheets/sheet1.xml")],
                &[("xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>")],
            ),
        ),
        (
            "international macro sheet type, renamed",
            xlsx(
                r#"<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.ms-excel.intlmacrosheet+xml"/>"#,
                &[],
                &[("xl/worksheets/sheet2.xml", b"<xm:macrosheet/>")],
            ),
        ),
        (
            "relationship only",
            xlsx(
                "",
                &[(&format!("{R}/macroSheet"), "worksheets/sheet2.xml")],
                &[("xl/worksheets/sheet2.xml", b"<xm:macrosheet/>")],
            ),
        ),
    ];
    for (what, bytes) in cases {
        let (code, message) = refusal(&bytes);
        assert_eq!(code, "office-active-content", "{what}");
        assert!(
            message.contains("Excel 4.0 macro sheets"),
            "{what}: {message}"
        );
    }
}

#[test]
fn activex_controls_are_found_by_type_relationship_or_folder() {
    let control = b"<ax:ocx ax:classid=\"{8BD21D40-EC42-11CE-9E0D-00AA006002F3}\"/>";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "as Word writes it",
            docx(
                r#"<Override PartName="/word/activeX/activeX1.xml" ContentType="application/vnd.ms-office.activeX+xml"/><Default Extension="bin" ContentType="application/vnd.ms-office.activeX"/>"#,
                &[(&format!("{R}/control"), "activeX/activeX1.xml")],
                &[
                    ("word/activeX/activeX1.xml", control),
                    (
                        "word/activeX/_rels/activeX1.xml.rels",
                        &relationships(&[(&format!("{MS}/activeXControlBinary"), "activeX1.bin")]),
                    ),
                    ("word/activeX/activeX1.bin", b"\xd0\xcf\x11\xe0"),
                ],
            ),
        ),
        (
            "renamed, by its type",
            docx(
                r#"<Override PartName="/word/ctl/x1.xml" ContentType="application/vnd.ms-office.activeX+xml"/>"#,
                &[],
                &[("word/ctl/x1.xml", control)],
            ),
        ),
        (
            "renamed and declared as plain XML, by its relationship",
            docx(
                "",
                &[(&format!("{R}/control"), "ctl/x1.xml")],
                &[("word/ctl/x1.xml", control)],
            ),
        ),
        (
            "the control's binary relationship alone",
            docx(
                "",
                &[],
                &[(
                    "word/ctl/_rels/x1.xml.rels",
                    &relationships(&[(&format!("{MS}/activeXControlBinary"), "x1.bin")]),
                )],
            ),
        ),
        (
            "an activeX folder",
            docx("", &[], &[("word/activeX/activeX1.xml", control)]),
        ),
    ];
    for (what, bytes) in cases {
        let (code, message) = refusal(&bytes);
        assert_eq!(code, "office-active-content", "{what}");
        assert!(message.contains("ActiveX controls"), "{what}: {message}");
    }
}

#[test]
fn a_package_whose_declarations_cannot_be_read_is_refused() {
    let types = content_types(&format!(
        r#"<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/>"#
    ));
    let document: &[u8] = b"<w:document/>";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "content types compressed with an unknown method",
            zip_raw(&[
                ("[Content_Types].xml", 12, b"BZh91AY&SY".to_vec(), &types),
                ("word/document.xml", 0, document.to_vec(), document),
            ]),
        ),
        (
            "damaged deflate data",
            zip_raw(&[
                ("[Content_Types].xml", 8, vec![0xFF; 40], &types),
                ("word/document.xml", 0, document.to_vec(), document),
            ]),
        ),
        (
            "not XML",
            package(&[
                ("[Content_Types].xml", b"\xff\xfe\x00\xd8 not text"),
                ("word/document.xml", document),
            ]),
        ),
        (
            "no Types element",
            package(&[("[Content_Types].xml", b"<Other/>"), ("word/document.xml", document)]),
        ),
        (
            "an attribute without quotes",
            package(&[
                (
                    "[Content_Types].xml",
                    b"<Types><Override PartName=/word/vba.bin ContentType=application/vnd.ms-office.vbaProject/></Types>",
                ),
                ("word/document.xml", document),
            ]),
        ),
        (
            "damaged relationships",
            zip_raw(&[
                ("[Content_Types].xml", 0, types.clone(), &types),
                ("word/document.xml", 0, document.to_vec(), document),
                ("word/_rels/document.xml.rels", 8, vec![0xFF; 40], b"<Relationships/>"),
            ]),
        ),
    ];
    for (what, bytes) in cases {
        let (code, message) = refusal(&bytes);
        assert_eq!(code, "uncheckable-document", "{what}");
        assert!(
            message.starts_with("this document could not be checked"),
            "{what}: {message}"
        );
    }
    // Without the list at all it is no Office file.
    let missing = package(&[
        ("_rels/.rels", b"<Relationships/>"),
        ("word/document.xml", document),
    ]);
    assert_eq!(sniff(&missing).unwrap_err().code(), "unsupported-type");
}

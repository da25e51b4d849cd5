//! The directory's spreadsheets, read and written as directorates keep
//! them: UTF-8 with or without a byte-order mark, cells separated by `,`,
//! `;` or a tab (whichever the header line uses), quoted cells, CRLF or LF
//! line ends, headers in Arabic or French. Reading is one pure function per
//! file kind that returns every row or every problem with its line: a file
//! with one bad row is refused whole.
//!
//! The headers each column may carry are the tables below, and only here
//! (docs/directory.md shows them).

use std::collections::HashMap;

use tawasul_domain::directory::{
    fold, is_clean_text, is_functional_email, Cycle, Function, MAX_CODE_CHARS, MAX_NAME_CHARS,
};
use tawasul_domain::Locale;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Code,
    NameAr,
    NameFr,
    Cycle,
    Commune,
    Email,
    Name,
    Function,
    Institution,
}

/// A column of a directory file: its headers in French and Arabic (what an
/// export writes), the other headers it is recognised by, and whether a
/// file must have it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: Field,
    pub fr: &'static str,
    pub ar: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

impl Column {
    pub fn header(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Ar => self.ar,
            Locale::Fr | Locale::En => self.fr,
        }
    }

    fn is_named(&self, folded: &str) -> bool {
        [self.fr, self.ar]
            .iter()
            .chain(self.aliases)
            .any(|name| fold(name) == folded)
    }
}

/// The columns of an institutions file, in the order an export writes them.
pub const INSTITUTION_COLUMNS: &[Column] = &[
    Column {
        field: Field::Code,
        fr: "code",
        ar: "الرمز",
        aliases: &[
            "code etablissement",
            "code_etablissement",
            "رمز المؤسسة",
            "code massar",
        ],
        required: true,
    },
    Column {
        field: Field::NameAr,
        fr: "nom_ar",
        ar: "الاسم بالعربية",
        aliases: &[
            "nom arabe",
            "nom en arabe",
            "اسم المؤسسة",
            "اسم المؤسسة بالعربية",
        ],
        required: true,
    },
    Column {
        field: Field::NameFr,
        fr: "nom_fr",
        ar: "الاسم بالفرنسية",
        aliases: &[
            "nom",
            "nom francais",
            "nom en francais",
            "اسم المؤسسة بالفرنسية",
        ],
        required: false,
    },
    Column {
        field: Field::Cycle,
        fr: "cycle",
        ar: "السلك",
        aliases: &["niveau", "سلك", "السلك التعليمي"],
        required: true,
    },
    Column {
        field: Field::Commune,
        fr: "commune",
        ar: "الجماعة",
        aliases: &["جماعة", "الجماعة الترابية"],
        required: false,
    },
    Column {
        field: Field::Email,
        fr: "email",
        ar: "البريد الإلكتروني",
        aliases: &[
            "courriel",
            "e-mail",
            "mail",
            "adresse email",
            "البريد",
            "البريد الالكتروني الوظيفي",
        ],
        required: true,
    },
];

/// The columns of a contacts file, in the order an export writes them.
pub const CONTACT_COLUMNS: &[Column] = &[
    Column {
        field: Field::Name,
        fr: "nom",
        ar: "الاسم",
        aliases: &["nom complet", "nom et prenom", "الاسم الكامل", "الاسم والنسب"],
        required: true,
    },
    Column {
        field: Field::Function,
        fr: "fonction",
        ar: "المهمة",
        aliases: &["poste", "الصفة", "الوظيفة", "المهام"],
        required: true,
    },
    Column {
        field: Field::Institution,
        fr: "code_etablissement",
        ar: "رمز المؤسسة",
        aliases: &["etablissement", "code etablissement", "المؤسسة", "code"],
        required: false,
    },
    Column {
        field: Field::Email,
        fr: "email",
        ar: "البريد الإلكتروني",
        aliases: &[
            "courriel",
            "e-mail",
            "mail",
            "adresse email",
            "البريد",
            "البريد الالكتروني الوظيفي",
        ],
        required: true,
    },
];

/// Rows in one file, beyond which it is refused (a directorate has a few
/// thousand; a file of a million rows is a mistake).
pub const MAX_ROWS: usize = 50_000;

/// What is wrong on a line. Said in English by `Display` (the API, the
/// command line); the admin says it in the reader's language from
/// [`Problem::key`] and [`Problem::values`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NotUtf8,
    Unreadable(String),
    EmptyFile,
    TooManyRows(usize),
    MissingColumn { fr: &'static str, ar: &'static str },
    SameColumn { first: String, second: String },
    TooManyCells { found: usize, expected: usize },
    Empty,
    ControlCharacter,
    TooLong(usize),
    BadEmail(String),
    UnknownCycle(String),
    UnknownFunction(String),
    DuplicateCode { code: String, first_line: usize },
    DuplicateEmail { email: String, first_line: usize },
    UnknownInstitution(String),
}

impl Problem {
    /// The name of its message among the admin's strings.
    pub fn key(&self) -> &'static str {
        match self {
            Problem::NotUtf8 => "not_utf8",
            Problem::Unreadable(_) => "unreadable",
            Problem::EmptyFile => "empty_file",
            Problem::TooManyRows(_) => "too_many_rows",
            Problem::MissingColumn { .. } => "missing_column",
            Problem::SameColumn { .. } => "same_column",
            Problem::TooManyCells { .. } => "too_many_cells",
            Problem::Empty => "empty",
            Problem::ControlCharacter => "control_character",
            Problem::TooLong(_) => "too_long",
            Problem::BadEmail(_) => "bad_email",
            Problem::UnknownCycle(_) => "unknown_cycle",
            Problem::UnknownFunction(_) => "unknown_function",
            Problem::DuplicateCode { .. } => "duplicate_code",
            Problem::DuplicateEmail { .. } => "duplicate_email",
            Problem::UnknownInstitution(_) => "unknown_institution",
        }
    }

    /// The values its message names, as `{name}` placeholders.
    pub fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            Problem::NotUtf8 | Problem::EmptyFile | Problem::Empty | Problem::ControlCharacter => {
                Vec::new()
            }
            Problem::Unreadable(detail) => vec![("detail", detail.clone())],
            Problem::TooManyRows(n) => vec![("rows", n.to_string()), ("max", MAX_ROWS.to_string())],
            Problem::MissingColumn { fr, ar } => {
                vec![("fr", (*fr).to_owned()), ("ar", (*ar).to_owned())]
            }
            Problem::SameColumn { first, second } => {
                vec![("first", first.clone()), ("second", second.clone())]
            }
            Problem::TooManyCells { found, expected } => vec![
                ("found", found.to_string()),
                ("expected", expected.to_string()),
            ],
            Problem::TooLong(max) => vec![("max", max.to_string())],
            Problem::BadEmail(value)
            | Problem::UnknownCycle(value)
            | Problem::UnknownFunction(value)
            | Problem::UnknownInstitution(value) => vec![("value", value.clone())],
            Problem::DuplicateCode {
                code: value,
                first_line,
            }
            | Problem::DuplicateEmail {
                email: value,
                first_line,
            } => vec![("value", value.clone()), ("first", first_line.to_string())],
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NotUtf8 => f.write_str(
                "this file is not UTF-8 text: in the spreadsheet, save it as « CSV UTF-8 » and try again",
            ),
            Problem::Unreadable(detail) => write!(f, "this line cannot be read: {detail}"),
            Problem::EmptyFile => {
                f.write_str("the file is empty: it needs a header line and one line per row")
            }
            Problem::TooManyRows(n) => {
                write!(f, "the file has {n} rows; import at most {MAX_ROWS} at a time")
            }
            Problem::MissingColumn { fr, ar } => write!(
                f,
                "the required column «{fr}» («{ar}») is missing from the header line"
            ),
            Problem::SameColumn { first, second } => write!(
                f,
                "the columns «{first}» and «{second}» are the same column; keep one"
            ),
            Problem::TooManyCells { found, expected } => write!(
                f,
                "this line has {found} cells but the header has {expected} columns: is a separator inside a cell without quotes?"
            ),
            Problem::Empty => f.write_str("this cell is empty; it is required"),
            Problem::ControlCharacter => {
                f.write_str("this cell holds a line break or a control character")
            }
            Problem::TooLong(max) => write!(f, "longer than {max} characters"),
            Problem::BadEmail(value) => write!(f, "«{value}» is not a valid e-mail address"),
            Problem::UnknownCycle(value) => write!(
                f,
                "unknown cycle «{value}»; expected one of: {}",
                Cycle::ALL
                    .iter()
                    .map(|c| format!("{} / {}", c.label(Locale::Fr), c.label(Locale::Ar)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Problem::UnknownFunction(value) => write!(
                f,
                "unknown function «{value}»; expected one of: {}",
                Function::ALL
                    .iter()
                    .map(|c| format!("{} / {}", c.label(Locale::Fr), c.label(Locale::Ar)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Problem::DuplicateCode { code, first_line } => {
                write!(f, "the code «{code}» is already on line {first_line}")
            }
            Problem::DuplicateEmail { email, first_line } => {
                write!(f, "the address «{email}» is already on line {first_line}")
            }
            Problem::UnknownInstitution(code) => write!(
                f,
                "no institution of this site has the code «{code}»: import the institutions first"
            ),
        }
    }
}

/// One problem, on one line of the file (1 is the header line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    /// The column's header as the file wrote it, when one is concerned.
    pub column: Option<String>,
    pub problem: Problem,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {} («{column}»): {}", self.line, self.problem),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

/// An institution read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionRecord {
    pub line: usize,
    pub code: String,
    pub name_ar: String,
    pub name_fr: String,
    pub cycle: Cycle,
    pub commune: String,
    pub email: String,
}

/// A contact read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub line: usize,
    pub name: String,
    pub function: Function,
    /// The code of their institution, as the file gives it.
    pub institution: Option<String>,
    pub email: String,
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    /// Headers of columns that mean nothing here, left out (a "notes"
    /// column, say), so the person importing can see it.
    pub ignored_columns: Vec<String>,
}

/// The cells of one data line, by field, each with its column's header as
/// the file wrote it.
struct Line {
    number: usize,
    cells: HashMap<Field, (String, String)>,
}

impl Line {
    /// The trimmed value of a field ("" when absent), and the header of its
    /// column for messages.
    fn get(&self, field: Field) -> (&str, Option<String>) {
        match self.cells.get(&field) {
            Some((header, value)) => (value.as_str(), Some(header.clone())),
            None => ("", None),
        }
    }
}

/// A spreadsheet cell as typed: trimmed, and without the quotes [`safe`]
/// puts before what would start a formula.
fn cell(raw: &str) -> String {
    formula_quotes(raw.trim(), Quotes::Remove)
}

/// The separator of a file: the one its first line uses most, outside quotes.
fn delimiter(text: &str) -> u8 {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let (mut comma, mut semicolon, mut tab, mut quoted) = (0, 0, 0, false);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => comma += 1,
            ';' if !quoted => semicolon += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// The line (as a text editor numbers them) where a record starts. The
/// reader gives the byte offset where it began looking for the record,
/// before the blank lines it skips; its own line count skips them too.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// Offsets come in increasing order: each call counts only what is new.
    fn line_of(&mut self, byte: u64) -> usize {
        let bytes = self.text.as_bytes();
        let mut start = usize::try_from(byte)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            for (i, b) in bytes[self.offset..start].iter().enumerate() {
                let at = self.offset + i;
                // \n, or a \r alone (old Mac files).
                if *b == b'\n' || (*b == b'\r' && bytes.get(at + 1) != Some(&b'\n')) {
                    self.line += 1;
                }
            }
            self.offset = start;
        }
        self.line
    }
}

/// Decodes the file: UTF-8, its byte-order mark dropped. Excel's plain
/// "CSV" is in the Windows code page: say how to save it instead.
fn decode(bytes: &[u8]) -> Result<&str, LineError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| LineError {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        column: None,
        problem: Problem::NotUtf8,
    })
}

/// Splits a file into its header's fields and its data lines, or says why
/// it cannot be read.
fn read(bytes: &[u8], columns: &[Column]) -> Result<Sheet, Vec<LineError>> {
    let text = decode(bytes).map_err(|e| vec![e])?;
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines_seen = LineCounter::new(text);
    let mut records = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = lines_seen.line_of(record.position().map_or(0, |p| p.byte()));
                let cells: Vec<String> = record.iter().map(cell).collect();
                if cells.iter().all(String::is_empty) {
                    continue;
                }
                records.push((line, cells));
            }
            Err(e) => {
                let line = lines_seen.line_of(e.position().map_or(0, |p| p.byte()));
                return Err(vec![LineError {
                    line,
                    column: None,
                    problem: Problem::Unreadable(e.to_string()),
                }]);
            }
        }
    }
    let Some((header_line, headers)) = records.first().cloned() else {
        return Err(vec![LineError {
            line: 1,
            column: None,
            problem: Problem::EmptyFile,
        }]);
    };
    if records.len() - 1 > MAX_ROWS {
        return Err(vec![LineError {
            line: header_line,
            column: None,
            problem: Problem::TooManyRows(records.len() - 1),
        }]);
    }

    // The header: which field each column holds.
    let mut errors = Vec::new();
    let mut fields: Vec<Option<(Field, String)>> = Vec::new();
    let mut ignored = Vec::new();
    let mut seen: HashMap<Field, String> = HashMap::new();
    for header in &headers {
        let folded = fold(header);
        let column = columns.iter().find(|c| c.is_named(&folded));
        match column {
            Some(column) => {
                if let Some(first) = seen.get(&column.field) {
                    errors.push(LineError {
                        line: header_line,
                        column: Some(header.clone()),
                        problem: Problem::SameColumn {
                            first: first.clone(),
                            second: header.clone(),
                        },
                    });
                } else {
                    seen.insert(column.field, header.clone());
                }
                fields.push(Some((column.field, header.clone())));
            }
            None => {
                if !header.is_empty() {
                    ignored.push(header.clone());
                }
                fields.push(None);
            }
        }
    }
    for column in columns.iter().filter(|c| c.required) {
        if !seen.contains_key(&column.field) {
            errors.push(LineError {
                line: header_line,
                column: None,
                problem: Problem::MissingColumn {
                    fr: column.fr,
                    ar: column.ar,
                },
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut lines = Vec::new();
    let mut line_errors = Vec::new();
    for (number, values) in records.into_iter().skip(1) {
        if values.len() > fields.len() && values[fields.len()..].iter().any(|v| !v.is_empty()) {
            line_errors.push(LineError {
                line: number,
                column: None,
                problem: Problem::TooManyCells {
                    found: values.len(),
                    expected: fields.len(),
                },
            });
            continue;
        }
        let mut cells = HashMap::new();
        for (value, field) in values.into_iter().zip(&fields) {
            if let Some((field, header)) = field {
                cells.insert(*field, (header.clone(), value));
            }
        }
        lines.push(Line { number, cells });
    }
    Ok(Sheet {
        lines,
        ignored,
        errors: line_errors,
    })
}

/// A file read: its data lines, the columns left out, and the lines that
/// could not be split into the header's columns.
struct Sheet {
    lines: Vec<Line>,
    ignored: Vec<String>,
    errors: Vec<LineError>,
}

/// Checks one text cell: required or not, no control character, not too long.
fn text(
    line: &Line,
    field: Field,
    required: bool,
    max: usize,
    errors: &mut Vec<LineError>,
) -> String {
    let (value, column) = line.get(field);
    let mut fail = |problem: Problem| {
        errors.push(LineError {
            line: line.number,
            column: column.clone(),
            problem,
        });
    };
    if value.is_empty() {
        if required {
            fail(Problem::Empty);
        }
    } else if !is_clean_text(value) {
        fail(Problem::ControlCharacter);
    } else if value.chars().count() > max {
        fail(Problem::TooLong(max));
    }
    value.to_owned()
}

fn email(line: &Line, errors: &mut Vec<LineError>) -> String {
    let (value, column) = line.get(Field::Email);
    let value = value.to_lowercase();
    if value.is_empty() {
        errors.push(LineError {
            line: line.number,
            column,
            problem: Problem::Empty,
        });
    } else if !is_functional_email(&value) {
        errors.push(LineError {
            line: line.number,
            column,
            problem: Problem::BadEmail(value.clone()),
        });
    }
    value
}

fn finish<T>(
    rows: Vec<T>,
    ignored: Vec<String>,
    mut errors: Vec<LineError>,
) -> Result<Parsed<T>, Vec<LineError>> {
    if errors.is_empty() {
        return Ok(Parsed {
            rows,
            ignored_columns: ignored,
        });
    }
    errors.sort_by_key(|e| e.line);
    Err(errors)
}

/// Reads an institutions file: every row, or every problem.
pub fn parse_institutions(bytes: &[u8]) -> Result<Parsed<InstitutionRecord>, Vec<LineError>> {
    let Sheet {
        lines,
        ignored,
        mut errors,
    } = read(bytes, INSTITUTION_COLUMNS)?;
    let mut rows = Vec::with_capacity(lines.len());
    let mut codes: HashMap<String, usize> = HashMap::new();
    for line in &lines {
        let before = errors.len();
        let code = text(line, Field::Code, true, MAX_CODE_CHARS, &mut errors);
        let name_ar = text(line, Field::NameAr, true, MAX_NAME_CHARS, &mut errors);
        let name_fr = text(line, Field::NameFr, false, MAX_NAME_CHARS, &mut errors);
        let commune = text(line, Field::Commune, false, MAX_NAME_CHARS, &mut errors);
        let email = email(line, &mut errors);
        let (cycle_text, cycle_column) = line.get(Field::Cycle);
        let cycle = Cycle::recognise(cycle_text);
        if cycle.is_none() {
            errors.push(LineError {
                line: line.number,
                column: cycle_column,
                problem: if cycle_text.is_empty() {
                    Problem::Empty
                } else {
                    Problem::UnknownCycle(cycle_text.to_owned())
                },
            });
        }
        if !code.is_empty() {
            if let Some(first) = codes.get(&code) {
                errors.push(LineError {
                    line: line.number,
                    column: line.get(Field::Code).1,
                    problem: Problem::DuplicateCode {
                        code: code.clone(),
                        first_line: *first,
                    },
                });
            } else {
                codes.insert(code.clone(), line.number);
            }
        }
        if let (Some(cycle), true) = (cycle, errors.len() == before) {
            rows.push(InstitutionRecord {
                line: line.number,
                code,
                name_ar,
                name_fr,
                cycle,
                commune,
                email,
            });
        }
    }
    finish(rows, ignored, errors)
}

/// Reads a contacts file: every row, or every problem. `known_code` says
/// whether an institution code exists (in the site, or earlier in the
/// same import).
pub fn parse_contacts(
    bytes: &[u8],
    known_code: &dyn Fn(&str) -> bool,
) -> Result<Parsed<ContactRecord>, Vec<LineError>> {
    let Sheet {
        lines,
        ignored,
        mut errors,
    } = read(bytes, CONTACT_COLUMNS)?;
    let mut rows = Vec::with_capacity(lines.len());
    let mut emails: HashMap<String, usize> = HashMap::new();
    for line in &lines {
        let before = errors.len();
        let name = text(line, Field::Name, true, MAX_NAME_CHARS, &mut errors);
        let institution = text(line, Field::Institution, false, MAX_CODE_CHARS, &mut errors);
        let email = email(line, &mut errors);
        let (function_text, function_column) = line.get(Field::Function);
        let function = Function::recognise(function_text);
        if function.is_none() {
            errors.push(LineError {
                line: line.number,
                column: function_column,
                problem: if function_text.is_empty() {
                    Problem::Empty
                } else {
                    Problem::UnknownFunction(function_text.to_owned())
                },
            });
        }
        if !institution.is_empty() && is_clean_text(&institution) && !known_code(&institution) {
            errors.push(LineError {
                line: line.number,
                column: line.get(Field::Institution).1,
                problem: Problem::UnknownInstitution(institution.clone()),
            });
        }
        if !email.is_empty() {
            if let Some(first) = emails.get(&email) {
                errors.push(LineError {
                    line: line.number,
                    column: line.get(Field::Email).1,
                    problem: Problem::DuplicateEmail {
                        email: email.clone(),
                        first_line: *first,
                    },
                });
            } else {
                emails.insert(email.clone(), line.number);
            }
        }
        if let (Some(function), true) = (function, errors.len() == before) {
            rows.push(ContactRecord {
                line: line.number,
                name,
                function,
                institution: (!institution.is_empty()).then_some(institution),
                email,
            });
        }
    }
    finish(rows, ignored, errors)
}

/// How an export separates its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    /// What Excel opens in French and Arabic locales.
    Semicolon,
    Comma,
}

/// A cell as written: wherever a spreadsheet could start a cell (the
/// cell's start, and after a `,`, `;` or tab, in case it splits the file
/// on the other separator) a text that it would run as a formula gets a
/// leading quote, which [`cell`] removes on the way back.
fn safe(value: &str) -> String {
    formula_quotes(value, Quotes::Add)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quotes {
    Add,
    Remove,
}

/// Adds or removes one `'` at each place a spreadsheet may start a cell,
/// where the text goes on with quotes and a formula's first character.
/// Adding one to `'=` too (making `''=`) keeps the two exact inverses.
fn formula_quotes(text: &str, quotes: Quotes) -> String {
    let starts_formula = |rest: &str| {
        let unquoted = rest.trim_start_matches('\'');
        let quoted = rest.len() - unquoted.len();
        unquoted.starts_with(['=', '+', '-', '@']) && (quotes == Quotes::Add || quoted > 0)
    };
    let mut out = String::with_capacity(text.len() + 2);
    let mut at_start = true;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if at_start && !c.is_whitespace() {
            at_start = false;
            if starts_formula(rest) {
                match quotes {
                    Quotes::Add => out.push('\''),
                    Quotes::Remove => {
                        rest = &rest[1..];
                        continue;
                    }
                }
            }
        }
        out.push(c);
        if matches!(c, ',' | ';' | '\t') {
            at_start = true;
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn write(columns: &[Column], rows: &[Vec<String>], locale: Locale, sep: Separator) -> String {
    let headers: Vec<&str> = columns.iter().map(|c| c.header(locale)).collect();
    write_table(&headers, rows, sep)
}

/// A spreadsheet file of any table: a header line, then the rows, each
/// cell made safe from formulas; UTF-8 with the mark Excel needs.
pub fn write_table(headers: &[&str], rows: &[Vec<String>], sep: Separator) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(match sep {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
        })
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut write_row = |cells: Vec<String>| {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(cells);
    };
    write_row(headers.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        write_row(row.iter().map(|v| safe(v)).collect());
    }
    let bytes = writer.into_inner().unwrap_or_default();
    // The byte-order mark tells Excel the file is UTF-8 (else Arabic is garbled).
    format!("\u{FEFF}{}", String::from_utf8_lossy(&bytes))
}

/// An institutions file, headers and cycles in `locale`.
pub fn write_institutions(rows: &[InstitutionRecord], locale: Locale, sep: Separator) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                r.name_ar.clone(),
                r.name_fr.clone(),
                r.cycle.label(locale).to_owned(),
                r.commune.clone(),
                r.email.clone(),
            ]
        })
        .collect();
    write(INSTITUTION_COLUMNS, &cells, locale, sep)
}

/// A contacts file, headers and functions in `locale`.
pub fn write_contacts(rows: &[ContactRecord], locale: Locale, sep: Separator) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.function.label(locale).to_owned(),
                r.institution.clone().unwrap_or_default(),
                r.email.clone(),
            ]
        })
        .collect();
    write(CONTACT_COLUMNS, &cells, locale, sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of<T: std::fmt::Debug>(result: Result<T, Vec<LineError>>) -> Vec<(usize, String)> {
        result
            .expect_err("the file is refused")
            .into_iter()
            .map(|e| (e.line, e.problem.to_string()))
            .collect()
    }

    const FRENCH: &str = "code,nom_ar,nom_fr,cycle,commune,email\r\n\
        A100,مدرسة الأمل,École Al Amal,Primaire,Rabat,amal@taalim.example\r\n\
        B200,إعدادية النور,Collège Annour,collège,Salé,annour@taalim.example\r\n";

    #[test]
    fn institutions_are_read_in_every_form_directorates_keep_them() {
        let arabic = "\u{FEFF}الرمز;الاسم بالعربية;الاسم بالفرنسية;السلك;الجماعة;البريد الإلكتروني\n\
            A100;مدرسة الأمل;École Al Amal;الابتدائي;Rabat;AMAL@taalim.example\n\
            B200;\"إعدادية النور; الملحقة\";Collège Annour;الثانوي الإعدادي;Salé;annour@taalim.example\n";
        let tabs = "code\tnom_ar\tcycle\temail\nA100\tمدرسة الأمل\tprimary\tamal@taalim.example\n";
        let quoted = "\"code\",\"nom_ar\",\"cycle\",\"email\",\"remarques\"\r\n\r\n\"A100\",\"مدرسة \"\"الأمل\"\"\",\"Primaire\",\" amal@taalim.example \",\"\"\r\n,,,,\r\n";
        for (label, file, rows, ignored) in [
            ("French headers, commas, CRLF", FRENCH, 2, 0),
            (
                "Arabic headers, BOM, semicolons, quoted separator",
                arabic,
                2,
                0,
            ),
            ("tabs, fewer columns", tabs, 1, 0),
            (
                "every cell quoted, blank lines, an extra column",
                quoted,
                1,
                1,
            ),
        ] {
            let parsed =
                parse_institutions(file.as_bytes()).unwrap_or_else(|e| panic!("{label}: {e:?}"));
            assert_eq!(parsed.rows.len(), rows, "{label}");
            assert_eq!(parsed.ignored_columns.len(), ignored, "{label}");
            assert_eq!(parsed.rows[0].code, "A100", "{label}");
            assert_eq!(parsed.rows[0].cycle, Cycle::Primary, "{label}");
            assert_eq!(parsed.rows[0].email, "amal@taalim.example", "{label}");
        }
        let arabic = parse_institutions(arabic.as_bytes()).expect("arabic");
        assert_eq!(arabic.rows[1].name_ar, "إعدادية النور; الملحقة");
        assert_eq!(arabic.rows[1].cycle, Cycle::Middle);
        assert_eq!(arabic.rows[1].line, 3);
        let quoted = parse_institutions(quoted.as_bytes()).expect("quoted");
        assert_eq!(quoted.rows[0].name_ar, "مدرسة \"الأمل\"");
        assert_eq!(quoted.rows[0].line, 3, "the blank line counts");
        assert_eq!(quoted.ignored_columns, ["remarques"]);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let file = "code;nom_ar;cycle;email\n\
            A1;مدرسة;primaire;a1@taalim.example\n\
            A2;مدرسة;primaire;not-an-address\n\
            A3;مدرسة;université;a3@taalim.example\n\
            A1;مدرسة أخرى;primaire;a4@taalim.example\n\
            ;;primaire;a5@taalim.example\n\
            A6;مدرسة;primaire;a6@taalim.example;extra\n";
        assert_eq!(
            errors_of(parse_institutions(file.as_bytes()))
                .into_iter()
                .map(|(line, m)| (line, m.split(' ').take(3).collect::<Vec<_>>().join(" ")))
                .collect::<Vec<_>>(),
            [
                (3, "«not-an-address» is not".to_owned()),
                (4, "unknown cycle «université»;".to_owned()),
                (5, "the code «A1»".to_owned()),
                (6, "this cell is".to_owned()),
                (6, "this cell is".to_owned()),
                (7, "this line has".to_owned()),
            ]
        );
    }

    #[test]
    fn lines_are_numbered_as_an_editor_shows_them() {
        let file = "code;nom_ar;cycle;email\r\n\r\nA1;\"مدرسة\r\nالأمل\";primaire;a1@t.example\r\n\r\n\r\nA2;مدرسة;primaire;bad\n;;;\nA3;مدرسة;primaire;also bad\rA4;مدرسة;nope;a4@t.example";
        assert_eq!(
            errors_of(parse_institutions(file.as_bytes()))
                .into_iter()
                .map(|(line, _)| line)
                .collect::<Vec<_>>(),
            // 3: a line break inside a name; then lines count on after it.
            [3, 7, 9, 10]
        );
    }

    #[test]
    fn a_header_without_a_required_column_is_refused_at_once() {
        let errors = errors_of(parse_institutions(
            "code,nom_fr,cycle\nA1,École,primaire\n".as_bytes(),
        ));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|(line, _)| *line == 1));
        assert!(errors[0].1.contains("nom_ar"), "{errors:?}");
        assert!(errors[1].1.contains("email"), "{errors:?}");
        let twice = errors_of(parse_institutions(
            "code,nom_ar,الرمز,cycle,email\n".as_bytes(),
        ));
        assert!(twice[0].1.contains("same column"), "{twice:?}");
    }

    #[test]
    fn files_that_are_not_utf8_or_empty_are_explained() {
        let mut latin1 = b"code,nom_ar,cycle,email\nA1,".to_vec();
        latin1.extend_from_slice(&[0xC9, 0x63, 0x6F, 0x6C, 0x65]);
        let errors = errors_of(parse_institutions(&latin1));
        assert_eq!(errors[0].0, 2);
        assert!(errors[0].1.contains("CSV UTF-8"));
        assert_eq!(errors_of(parse_institutions(b"")).len(), 1);
        assert_eq!(
            errors_of(parse_institutions("\u{FEFF}\r\n".as_bytes())).len(),
            1
        );
    }

    #[test]
    fn line_breaks_in_names_are_refused() {
        let file =
            "nom,fonction,email\n\"Ali\r\nBcc: victim@example.org\",directeur,ali@taalim.example\n";
        let errors = errors_of(parse_contacts(file.as_bytes(), &|_| true));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 2);
        assert!(errors[0].1.contains("line break"));
    }

    #[test]
    fn contacts_name_a_known_institution_and_appear_once() {
        let known = |code: &str| code == "A100";
        let file = "الاسم,المهمة,رمز المؤسسة,البريد الإلكتروني\n\
            سعاد العلوي,مديرة,A100,s.alaoui@taalim.example\n\
            Karim Idrissi,Inspecteur pédagogique,,k.idrissi@taalim.example\n";
        let parsed = parse_contacts(file.as_bytes(), &known).expect("contacts");
        assert_eq!(parsed.rows[0].function, Function::Principal);
        assert_eq!(parsed.rows[0].institution.as_deref(), Some("A100"));
        assert_eq!(parsed.rows[1].function, Function::Inspector);
        assert_eq!(parsed.rows[1].institution, None);

        let bad = "nom,fonction,code_etablissement,email\n\
            A,directeur,Z999,a@taalim.example\n\
            B,astronaute,A100,b@taalim.example\n\
            C,professeur,A100,A@taalim.example\n";
        let errors = errors_of(parse_contacts(bad.as_bytes(), &known));
        assert_eq!(
            errors.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        assert!(errors[0].1.contains("Z999"));
        assert!(errors[1].1.contains("astronaute"));
        assert!(errors[2].1.contains("already on line 2"), "{errors:?}");
    }

    #[test]
    fn formula_quotes_are_added_where_a_cell_may_start_and_removed_exactly() {
        let cases = [
            ("=1+2", "'=1+2"),
            ("x,=1+2", "x,'=1+2"),
            ("a; @SUM(A1)", "a; '@SUM(A1)"),
            ("'=already", "''=already"),
            ("x, -3 km", "x, '-3 km"),
            ("Lycée Ibn Sina; annexe", "Lycée Ibn Sina; annexe"),
            ("ثانوية 2-3", "ثانوية 2-3"),
            ("it's", "it's"),
        ];
        for (typed, written) in cases {
            assert_eq!(safe(typed), written, "{typed:?}");
            assert_eq!(cell(written), typed, "{written:?}");
        }
    }

    #[test]
    fn no_cell_becomes_a_formula_whichever_separator_a_spreadsheet_splits_on() {
        let rows = vec![InstitutionRecord {
            line: 0,
            code: "C301".into(),
            name_ar: "x,=1+2".into(),
            name_fr: "y;@SUM(A1)".into(),
            cycle: Cycle::Primary,
            commune: "z".into(),
            email: "c301@taalim.example".into(),
        }];
        for sep in [Separator::Semicolon, Separator::Comma] {
            let file = write_institutions(&rows, Locale::Fr, sep);
            // Split as a careless spreadsheet would, on either separator,
            // honouring quotes: no piece may start like a formula.
            for split_on in [b',', b';', b'\t'] {
                let mut reader = ::csv::ReaderBuilder::new()
                    .delimiter(split_on)
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(file.trim_start_matches('\u{FEFF}').as_bytes());
                for record in reader.records() {
                    let record = record.expect("record");
                    for piece in record.iter() {
                        assert!(
                            !piece.trim_start().starts_with(['=', '+', '-', '@']),
                            "{sep:?} split on {:?}: {piece:?}",
                            split_on as char
                        );
                    }
                }
            }
            let again = parse_institutions(file.as_bytes()).expect("read back");
            assert_eq!(again.rows[0].name_ar, "x,=1+2");
        }
    }

    #[test]
    fn exports_read_back_the_same_in_both_languages_and_separators() {
        let parsed = parse_institutions(FRENCH.as_bytes()).expect("file");
        let mut rows = parsed.rows;
        rows.push(InstitutionRecord {
            line: 0,
            code: "C300".into(),
            name_ar: "=HYPERLINK(\"http://x.example\")".into(),
            name_fr: "Lycée \"Ibn Sina\"; annexe".into(),
            cycle: Cycle::Secondary,
            commune: String::new(),
            email: "ibnsina@taalim.example".into(),
        });
        for locale in [Locale::Fr, Locale::Ar] {
            for sep in [Separator::Semicolon, Separator::Comma] {
                let file = write_institutions(&rows, locale, sep);
                assert!(file.starts_with('\u{FEFF}'), "a byte-order mark for Excel");
                assert!(file.contains("\r\n"));
                assert!(file.contains("'=HYPERLINK"), "formulas are defused");
                let again = parse_institutions(file.as_bytes()).expect("read back");
                let strip = |rows: &[InstitutionRecord]| -> Vec<InstitutionRecord> {
                    rows.iter()
                        .map(|r| InstitutionRecord {
                            line: 0,
                            ..r.clone()
                        })
                        .collect()
                };
                assert_eq!(strip(&again.rows), strip(&rows), "{locale:?} {sep:?}");
            }
        }
        let arabic = write_institutions(&rows, Locale::Ar, Separator::Semicolon);
        assert!(arabic.starts_with("\u{FEFF}الرمز;الاسم بالعربية"));
        assert!(arabic.contains("الثانوي التأهيلي"));

        let contacts = vec![ContactRecord {
            line: 0,
            name: "سعاد العلوي".into(),
            function: Function::Counsellor,
            institution: Some("A100".into()),
            email: "s@taalim.example".into(),
        }];
        for locale in [Locale::Fr, Locale::Ar] {
            let file = write_contacts(&contacts, locale, Separator::Semicolon);
            let again = parse_contacts(file.as_bytes(), &|c| c == "A100").expect("back");
            assert_eq!(again.rows[0].function, Function::Counsellor);
            assert_eq!(again.rows[0].name, "سعاد العلوي");
        }
    }

    #[test]
    fn the_separator_is_the_one_the_header_uses() {
        for (first_line, sep) in [
            ("code,nom_ar,cycle,email", b','),
            ("code;nom_ar;cycle;email", b';'),
            ("\"nom, prénom\";fonction;email", b';'),
            ("code\tnom_ar\tcycle", b'\t'),
            ("code", b','),
        ] {
            assert_eq!(delimiter(first_line), sep, "{first_line}");
        }
    }
}

//! Splitting a Markdown file into its TOML front matter and body, and
//! reporting problems at the line where they are.

use serde::Deserialize;

/// A file cut in two: the front matter (between `+++` lines) and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub front: &'a str,
    /// 1-based line number of the first front-matter line, in the file.
    pub front_line: usize,
    pub body: &'a str,
}

pub fn split(source: &str) -> Result<Split<'_>, (usize, String)> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let Some(rest) = source
        .strip_prefix("+++\r\n")
        .or_else(|| source.strip_prefix("+++\n"))
    else {
        return Err((
            1,
            "the file must start with a `+++` line opening the TOML front matter".to_owned(),
        ));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok(Split {
                front: &rest[..offset],
                front_line: 2,
                body: &rest[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err((
        1,
        "the front matter opened on line 1 is never closed by a `+++` line".to_owned(),
    ))
}

/// The file line of a byte offset inside the front matter.
pub fn line_at(split: &Split<'_>, byte: usize) -> usize {
    let byte = byte.min(split.front.len());
    split.front_line + split.front[..byte].matches('\n').count()
}

/// The file line where `key` is set (`key = …` or a `[key]` table), if it is.
pub fn line_of_key(split: &Split<'_>, key: &str) -> Option<usize> {
    split.front.lines().enumerate().find_map(|(i, line)| {
        let line = line.trim_start();
        let is_assignment = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        let is_table = line.trim_end() == format!("[{key}]");
        (is_assignment || is_table).then_some(split.front_line + i)
    })
}

/// What an author writes in an entry's front matter (docs/content-format.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub kind: String,
    pub locale: String,
    pub title: String,
    pub slug: Option<String>,
    pub summary: Option<String>,
    pub status: Option<String>,
    pub published_at: Option<toml::value::Datetime>,
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub programmes: Vec<String>,
    pub cover: Option<String>,
    pub cover_alt: Option<String>,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub featured_on_parent: bool,
    pub translation: Option<String>,
    pub menu_order: Option<i32>,
    pub training: Option<toml::Table>,
    pub event: Option<toml::Table>,
    pub announcement: Option<toml::Table>,
}

/// Parses front matter, or says what is wrong and on which line.
pub fn parse(split: &Split<'_>) -> Result<FrontMatter, (usize, String)> {
    toml::from_str(split.front).map_err(|err| {
        let line = err
            .span()
            .map_or(split.front_line, |span| line_at(split, span.start));
        (line, err.message().to_owned())
    })
}

/// TOML values as JSON, dates and times as RFC 3339 strings, so the domain's
/// serde types read them the same way as from the API.
pub fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => J::from(*f),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let s = split("+++\ntitle = \"x\"\n+++\n\nBody\n").expect("split");
        assert_eq!(s.front, "title = \"x\"\n");
        assert_eq!(s.body, "\nBody\n");
        let with_bom = split("\u{feff}+++\r\na = 1\r\n+++\r\nB").expect("bom and CRLF");
        assert_eq!(with_bom.body, "B");
    }

    #[test]
    fn a_file_without_front_matter_is_refused_at_line_one() {
        assert_eq!(split("# Title\n").map(|_| ()).unwrap_err().0, 1);
        assert!(split("+++\ntitle = 1\n")
            .unwrap_err()
            .1
            .contains("never closed"));
    }

    #[test]
    fn syntax_errors_point_at_their_line() {
        let source = "+++\nkind = \"news\"\nlocale = \"ar\"\ntitle = \"unterminated\n+++\n";
        let s = split(source).expect("split");
        let (line, message) = parse(&s).expect_err("bad toml");
        assert_eq!(line, 4, "{message}");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let source =
            "+++\nkind = \"news\"\nlocale = \"ar\"\ntitle = \"t\"\ncolour = \"red\"\n+++\n";
        let s = split(source).expect("split");
        let (line, message) = parse(&s).expect_err("unknown key");
        assert_eq!(line, 5);
        assert!(message.contains("colour"), "{message}");
    }

    #[test]
    fn finds_the_line_of_a_key() {
        let s = split("+++\nkind = \"news\"\ncategory = \"x\"\n\n[training]\nvenue = \"v\"\n+++\n")
            .expect("split");
        assert_eq!(line_of_key(&s, "category"), Some(3));
        assert_eq!(line_of_key(&s, "training"), Some(5));
        assert_eq!(line_of_key(&s, "cover"), None);
    }
}

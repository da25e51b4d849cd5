//! UI strings of a theme, one TOML file per locale, and the few formats the
//! code itself needs from them (dates, labels with a placeholder).

use serde_json::Value;
use time::Date;

/// The strings of one theme in one locale, as the nested JSON object that
/// templates see as `t`.
#[derive(Debug, Clone)]
pub struct Strings(Value);

impl Strings {
    pub(crate) fn new(value: Value) -> Self {
        Strings(value)
    }

    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// A string by dotted key (`kind.news`); the key itself when missing, so a
    /// gap in a translation shows up on the page instead of failing it.
    pub fn get(&self, key: &str) -> String {
        let mut node = &self.0;
        for part in key.split('.') {
            match node.get(part) {
                Some(next) => node = next,
                None => return key.to_owned(),
            }
        }
        node.as_str().map_or_else(|| key.to_owned(), str::to_owned)
    }

    /// A pattern string with `{name}`-style placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.get(key);
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    fn month(&self, month: time::Month) -> String {
        let index = usize::from(u8::from(month)) - 1;
        self.0
            .get("months")
            .and_then(|m| m.get(index))
            .and_then(Value::as_str)
            .map_or_else(|| u8::from(month).to_string(), str::to_owned)
    }
}

/// A date as readers of the locale write it: "12 أكتوبر 2026", "12 octobre 2026".
pub fn format_date(strings: &Strings, date: Date) -> String {
    let pattern = match strings.0.get("date_format").and_then(Value::as_str) {
        Some(p) => p.to_owned(),
        None => "{day} {month} {year}".to_owned(),
    };
    pattern
        .replace("{day}", &date.day().to_string())
        .replace("{month}", &strings.month(date.month()))
        .replace("{year}", &date.year().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    fn arabic() -> Strings {
        let mut months: Vec<String> = (1..=12).map(|m| format!("m{m}")).collect();
        months[9] = "أكتوبر".into();
        Strings::new(json!({
            "months": months,
            "date_format": "{day} {month} {year}",
            "kind": {"news": "خبر"},
            "archive": {"tag": "الوسم: {name}"},
        }))
    }

    #[test]
    fn dates_use_the_locale_month_names() {
        assert_eq!(
            format_date(&arabic(), date!(2026 - 10 - 12)),
            "12 أكتوبر 2026"
        );
    }

    #[test]
    fn strings_by_dotted_key_with_visible_gaps() {
        let t = arabic();
        assert_eq!(t.get("kind.news"), "خبر");
        assert_eq!(t.get("kind.missing"), "kind.missing");
        assert_eq!(t.fill("archive.tag", &[("name", "مسار")]), "الوسم: مسار");
    }
}

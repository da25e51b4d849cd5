//! The facts an entry carries besides its text, as authors type them: a
//! draft may hold them half-filled (autosave must never lose work), a
//! submission must hold them whole and sensible.

use serde_json::{Map, Value};
use tawasul_domain::{EntryFields, EntryKind, FieldErrors};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

#[derive(Clone, Copy)]
enum Shape {
    Date,
    DateTime,
    Text,
    Count,
    List,
    /// Library items by id, in order (space- or comma-separated in a form).
    Ids,
}

/// The facts of each kind: name, shape, required at submission.
fn schema(kind: EntryKind) -> &'static [(&'static str, Shape, bool)] {
    match kind {
        EntryKind::TrainingReport => &[
            ("starts_on", Shape::Date, true),
            ("ends_on", Shape::Date, true),
            ("venue", Shape::Text, true),
            ("audience", Shape::Text, true),
            ("head_count", Shape::Count, true),
            ("facilitators", Shape::List, false),
            ("workshops", Shape::List, false),
            ("recommendations", Shape::List, false),
        ],
        EntryKind::Event => &[
            ("starts_at", Shape::DateTime, true),
            ("ends_at", Shape::DateTime, false),
            ("venue", Shape::Text, false),
        ],
        EntryKind::Announcement => &[
            ("deadline", Shape::Date, false),
            ("reference", Shape::Text, false),
        ],
        EntryKind::Circular => &[
            ("object", Shape::Text, true),
            ("acknowledge_by", Shape::Date, false),
            ("attachments", Shape::Ids, false),
        ],
        EntryKind::News | EntryKind::Page => &[],
    }
}

/// The names of the facts a kind of entry carries, in form order.
pub fn fact_names(kind: EntryKind) -> Vec<&'static str> {
    schema(kind).iter().map(|(name, _, _)| *name).collect()
}

/// Whether a fact of this kind is a list (one item per line in a form).
pub fn fact_is_list(kind: EntryKind, name: &str) -> bool {
    schema(kind)
        .iter()
        .any(|(n, shape, _)| *n == name && matches!(shape, Shape::List))
}

const MAX_TEXT_CHARS: usize = 300;
const MAX_LIST_ITEMS: usize = 50;

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// RFC 3339, or what `<input type=datetime-local>` sends, in site time.
fn parse_datetime(text: &str, offset: UtcOffset) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at.to_offset(UtcOffset::UTC));
    }
    let local = PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .or_else(|_| {
        PrimitiveDateTime::parse(
            text,
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
    })
    .ok()?;
    Some(local.assume_offset(offset).to_offset(UtcOffset::UTC))
}

/// Library ids: a list of numbers, or a text of numbers separated by
/// spaces, commas or lines (what a form field holds). Order is kept,
/// repeats dropped.
fn parse_ids(value: &Value) -> Result<Vec<i32>, String> {
    let words: Vec<String> = match value {
        Value::Null => Vec::new(),
        Value::String(s) => s
            .split(|c: char| c.is_whitespace() || c == ',' || c == '،')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| as_text(i).ok_or_else(|| "give a list of library numbers".to_owned()))
            .collect::<Result<_, _>>()?,
        Value::Number(n) => vec![n.to_string()],
        _ => return Err("give a list of library numbers".into()),
    };
    let mut ids = Vec::new();
    for word in words {
        let id = word
            .parse::<i32>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| format!("`{word}` is not a library item's number"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_LIST_ITEMS {
        return Err(format!("keep the list under {MAX_LIST_ITEMS} items"));
    }
    Ok(ids)
}

/// Checks and normalises the facts of a `kind` of entry. Errors are keyed
/// `fields.<name>` as in the API. With `complete`, every required fact
/// must be there and the whole must make sense (submission, and edits of
/// entries past review); without, only what was given is checked.
pub fn parse_fields(
    kind: EntryKind,
    raw: Option<&Value>,
    offset: UtcOffset,
    complete: bool,
) -> Result<Value, FieldErrors> {
    let mut errors = FieldErrors::new();
    let empty = Map::new();
    let given = match raw {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            errors.add("fields", "give the facts as an object of named values");
            return Err(errors);
        }
    };
    let schema = schema(kind);
    for name in given.keys() {
        if name != "kind" && !schema.iter().any(|(n, _, _)| n == name) {
            errors.add(
                format!("fields.{name}"),
                format!("a {} has no fact named `{name}`", kind.as_str()),
            );
        }
    }
    let mut out = Map::new();
    out.insert("kind".into(), Value::String(kind.as_str().into()));
    for &(name, shape, required) in schema {
        let key = format!("fields.{name}");
        let value = given.get(name).unwrap_or(&Value::Null);
        let parsed: Result<Option<Value>, String> = match shape {
            Shape::List => {
                let items: Option<Vec<String>> = match value {
                    Value::Null => Some(Vec::new()),
                    Value::String(s) => Some(s.lines().map(|l| l.trim().to_owned()).collect()),
                    Value::Array(items) => items.iter().map(as_text).collect(),
                    _ => None,
                };
                match items {
                    None => Err("give a list of texts".into()),
                    Some(items) => {
                        let items: Vec<String> =
                            items.into_iter().filter(|i| !i.is_empty()).collect();
                        if items.len() > MAX_LIST_ITEMS {
                            Err(format!("keep the list under {MAX_LIST_ITEMS} items"))
                        } else if items.iter().any(|i| i.chars().count() > MAX_TEXT_CHARS) {
                            Err(format!("keep each item under {MAX_TEXT_CHARS} characters"))
                        } else {
                            Ok(Some(Value::from(items)))
                        }
                    }
                }
            }
            Shape::Ids => parse_ids(value).map(|ids| Some(Value::from(ids))),
            _ => match as_text(value) {
                None => Err("give a single value".into()),
                Some(text) if text.is_empty() => Ok(None),
                Some(text) => match shape {
                    Shape::Date => parse_date(&text)
                        .map(|d| Some(Value::String(d.to_string())))
                        .ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)")),
                    Shape::DateTime => parse_datetime(&text, offset)
                        .and_then(|at| at.format(&Rfc3339).ok())
                        .map(|s| Some(Value::String(s)))
                        .ok_or_else(|| format!("`{text}` is not a date and time")),
                    Shape::Count => text
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=100_000).contains(n))
                        .map(|n| Some(Value::from(n)))
                        .ok_or_else(|| "give the number of participants (1 to 100000)".into()),
                    Shape::Text if text.chars().count() > MAX_TEXT_CHARS => {
                        Err(format!("keep this under {MAX_TEXT_CHARS} characters"))
                    }
                    _ => Ok(Some(Value::String(text))),
                },
            },
        };
        match parsed {
            Ok(Some(v)) => {
                out.insert(name.into(), v);
            }
            Ok(None) if required && complete => errors.add(key, "this is required"),
            Ok(None) => {}
            Err(message) => errors.add(key, message),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let value = Value::Object(out);
    // An end before its start is said at once, whatever else is missing:
    // the author is typing the dates now.
    if let Some((field, message)) = end_before_start(&value) {
        errors.add(field, message);
        return Err(errors);
    }
    // Whole facts are checked for sense (a training cannot end before it
    // starts) whenever they are whole, so a draft learns of it early.
    let required_present = schema
        .iter()
        .filter(|(_, _, required)| *required)
        .all(|(name, _, _)| value.get(name).is_some());
    if complete || required_present {
        match serde_json::from_value::<EntryFields>(value.clone()) {
            Ok(fields) => {
                if let Err(tawasul_domain::DomainError::Invalid(found)) = fields.validate() {
                    return Err(found);
                }
            }
            Err(e) => errors.add(
                "fields",
                format!("the facts do not fit a {}: {e}", kind.as_str()),
            ),
        }
    }
    errors.into_result().map_err(|e| match e {
        tawasul_domain::DomainError::Invalid(errors) => errors,
        other => {
            let mut errors = FieldErrors::new();
            errors.add("fields", other.to_string());
            errors
        }
    })?;
    Ok(value)
}

/// The end fact that comes before its start, with the sentence saying so.
/// Dates (`2026-10-14`) and UTC times (`2026-12-02T08:30:00Z`) as stored
/// compare as text.
fn end_before_start(value: &Value) -> Option<(&'static str, &'static str)> {
    let pairs = [
        (
            "starts_on",
            "ends_on",
            "fields.ends_on",
            "the training cannot end before it starts",
        ),
        (
            "starts_at",
            "ends_at",
            "fields.ends_at",
            "the event cannot end before it starts",
        ),
    ];
    pairs.into_iter().find_map(|(start, end, field, message)| {
        let start = value.get(start)?.as_str()?;
        let end = value.get(end)?.as_str()?;
        (end < start).then_some((field, message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MOROCCO: UtcOffset = match UtcOffset::from_hms(1, 0, 0) {
        Ok(o) => o,
        Err(_) => UtcOffset::UTC,
    };

    fn fields_of(result: Result<Value, FieldErrors>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(|(f, _)| f.to_owned()).collect(),
        }
    }

    #[test]
    fn a_circular_needs_its_object_and_takes_attachments_by_number() {
        let given = json!({"object": "تنظيم الامتحانات", "attachments": "12, 7 12\n9", "acknowledge_by": "2026-12-20"});
        let facts = parse_fields(EntryKind::Circular, Some(&given), MOROCCO, true)
            .expect("a whole circular");
        assert_eq!(facts["attachments"], json!([12, 7, 9]));
        assert_eq!(facts["acknowledge_by"], "2026-12-20");
        assert_eq!(
            fields_of(parse_fields(
                EntryKind::Circular,
                Some(&json!({})),
                MOROCCO,
                true
            )),
            ["fields.object"]
        );
        assert_eq!(
            fields_of(parse_fields(
                EntryKind::Circular,
                Some(&json!({"object": "x", "attachments": "12 douze"})),
                MOROCCO,
                true
            )),
            ["fields.attachments"]
        );
    }

    #[test]
    fn a_draft_report_may_be_half_filled_but_a_submitted_one_may_not() {
        let half = json!({"venue": "مركز التكوين", "starts_on": "2026-10-12"});
        let draft = parse_fields(EntryKind::TrainingReport, Some(&half), MOROCCO, false)
            .expect("a draft keeps what was typed");
        assert_eq!(draft["venue"], "مركز التكوين");
        assert_eq!(draft["kind"], "training_report");
        let missing = fields_of(parse_fields(
            EntryKind::TrainingReport,
            Some(&half),
            MOROCCO,
            true,
        ));
        assert_eq!(
            missing,
            ["fields.audience", "fields.ends_on", "fields.head_count"]
        );
    }

    #[test]
    fn form_values_become_typed_facts() {
        let form = json!({
            "starts_on": "2026-10-12", "ends_on": "2026-10-14", "venue": " قاعة ",
            "audience": "أساتذة", "head_count": "40",
            "facilitators": "ذ. سعاد\n\n ذ. محمد \n", "workshops": "", "recommendations": ["تعميم", " "]
        });
        let value =
            parse_fields(EntryKind::TrainingReport, Some(&form), MOROCCO, true).expect("valid");
        assert_eq!(value["head_count"], 40);
        assert_eq!(value["venue"], "قاعة");
        assert_eq!(value["facilitators"], json!(["ذ. سعاد", "ذ. محمد"]));
        assert_eq!(value["recommendations"], json!(["تعميم"]));
        let fields: EntryFields =
            serde_json::from_value(value).expect("the stored shape is the domain's");
        assert_eq!(fields.kind(), EntryKind::TrainingReport);
    }

    #[test]
    fn wrong_values_are_named() {
        let table = [
            (
                EntryKind::TrainingReport,
                json!({"starts_on": "12/10/2026"}),
                "fields.starts_on",
            ),
            (
                EntryKind::TrainingReport,
                json!({"head_count": "forty"}),
                "fields.head_count",
            ),
            (
                EntryKind::TrainingReport,
                json!({"head_count": 0}),
                "fields.head_count",
            ),
            (
                EntryKind::TrainingReport,
                json!({"colour": "blue"}),
                "fields.colour",
            ),
            (
                EntryKind::Event,
                json!({"starts_at": "tomorrow"}),
                "fields.starts_at",
            ),
            (
                EntryKind::Announcement,
                json!({"reference": "x".repeat(400)}),
                "fields.reference",
            ),
            (EntryKind::News, json!({"venue": "x"}), "fields.venue"),
        ];
        for (kind, raw, field) in table {
            let found = fields_of(parse_fields(kind, Some(&raw), MOROCCO, false));
            assert!(found.contains(&field.to_owned()), "{raw} -> {found:?}");
        }
        assert_eq!(
            fields_of(parse_fields(
                EntryKind::News,
                Some(&json!("text")),
                MOROCCO,
                false
            )),
            ["fields"]
        );
    }

    #[test]
    fn whole_facts_are_checked_for_sense_even_in_a_draft() {
        let backwards = json!({
            "starts_on": "2026-10-14", "ends_on": "2026-10-12", "venue": "x",
            "audience": "y", "head_count": 3
        });
        assert_eq!(
            fields_of(parse_fields(
                EntryKind::TrainingReport,
                Some(&backwards),
                MOROCCO,
                false
            )),
            ["fields.ends_on"]
        );
    }

    #[test]
    fn an_end_before_its_start_is_refused_in_a_draft_holding_only_the_dates() {
        let table = [
            (
                EntryKind::TrainingReport,
                json!({"starts_on": "2026-10-14", "ends_on": "2026-10-12"}),
                vec!["fields.ends_on"],
            ),
            (
                EntryKind::TrainingReport,
                json!({"starts_on": "2026-10-12", "ends_on": "2026-10-12"}),
                vec![],
            ),
            (
                EntryKind::TrainingReport,
                json!({"ends_on": "2026-10-12"}),
                vec![],
            ),
            (
                EntryKind::Event,
                json!({"starts_at": "2026-12-02T09:30", "ends_at": "2026-12-02T09:00"}),
                vec!["fields.ends_at"],
            ),
            (
                EntryKind::Event,
                json!({"starts_at": "2026-12-02T09:30", "ends_at": "2026-12-03T08:00"}),
                vec![],
            ),
        ];
        for (kind, facts, want) in table {
            let got = match parse_fields(kind, Some(&facts), MOROCCO, false) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.iter().map(|(f, _)| f.to_owned()).collect::<Vec<_>>(),
            };
            assert_eq!(got, want, "{facts}");
        }
    }

    #[test]
    fn local_times_are_in_site_time() {
        let value = parse_fields(
            EntryKind::Event,
            Some(&json!({"starts_at": "2026-12-02T09:30"})),
            MOROCCO,
            true,
        )
        .expect("valid");
        assert_eq!(value["starts_at"], "2026-12-02T08:30:00Z");
    }
}

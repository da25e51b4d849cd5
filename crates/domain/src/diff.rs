//! What changed between two revisions of an entry: its Markdown body line by
//! line, side by side (the older text on the left), and its other fields by
//! name. Shown on the review and history pages and when a save conflicts.

use std::collections::HashMap;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    Same,
    /// The old line on the left was replaced by the new one on the right.
    Changed,
    Added,
    Removed,
}

/// One row of a side-by-side diff. Line numbers are 1-based; a side without
/// a line has neither text nor number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffRow {
    pub op: DiffOp,
    pub left: Option<String>,
    pub right: Option<String>,
    pub left_no: Option<usize>,
    pub right_no: Option<usize>,
}

/// Above this many cells the table of the longest common subsequence is not
/// built (8 MB at two bytes a cell): the changed middle of the texts is shown
/// as replaced wholesale instead.
const MAX_CELLS: usize = 4_000_000;

// Cells hold subsequence lengths as `u16`: the length is at most the shorter
// side `s`, and (s + 1)² <= MAX_CELLS keeps `s` far below u16::MAX.
const _: () = assert!(MAX_CELLS <= u16::MAX as usize * u16::MAX as usize);

/// The side-by-side diff of `old` and `new`, compared line by line. `\r\n`
/// and `\n` end lines alike (browsers send form text with `\r\n`), and a
/// missing final line ending is no change.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffRow> {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let steps = align(&old, &new);
    side_by_side(&old, &new, &steps)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Same,
    Removed,
    Added,
}

/// The steps that turn `old` into `new`, keeping the longest common
/// subsequence of lines.
fn align(old: &[&str], new: &[&str]) -> Vec<Step> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_middle = &old_rest[..old_rest.len() - suffix];
    let new_middle = &new_rest[..new_rest.len() - suffix];

    let mut steps = vec![Step::Same; prefix];
    let cells = (old_middle.len() + 1).saturating_mul(new_middle.len() + 1);
    if cells <= MAX_CELLS {
        let (old_ids, new_ids) = intern(old_middle, new_middle);
        steps.extend(common_subsequence(&old_ids, &new_ids));
    } else {
        steps.extend(std::iter::repeat_n(Step::Removed, old_middle.len()));
        steps.extend(std::iter::repeat_n(Step::Added, new_middle.len()));
    }
    steps.extend(std::iter::repeat_n(Step::Same, suffix));
    steps
}

/// Numbers the distinct lines, so the table compares integers, not strings.
fn intern<'a>(old: &[&'a str], new: &[&'a str]) -> (Vec<usize>, Vec<usize>) {
    let mut ids: HashMap<&'a str, usize> = HashMap::new();
    let mut id_of = |line: &&'a str| {
        let next = ids.len();
        *ids.entry(*line).or_insert(next)
    };
    let old_ids = old.iter().map(&mut id_of).collect();
    let new_ids = new.iter().map(&mut id_of).collect();
    (old_ids, new_ids)
}

/// The classic dynamic programme: `table[i][j]` is the length of the longest
/// common subsequence of `old[i..]` and `new[j..]`, walked from the start.
fn common_subsequence(old: &[usize], new: &[usize]) -> Vec<Step> {
    let width = new.len() + 1;
    let mut table = vec![0u16; (old.len() + 1) * width];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            table[i * width + j] = if old[i] == new[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }

    let mut steps = Vec::with_capacity(old.len() + new.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        if old[i] == new[j] {
            steps.push(Step::Same);
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            steps.push(Step::Removed);
            i += 1;
        } else {
            steps.push(Step::Added);
            j += 1;
        }
    }
    steps.extend(std::iter::repeat_n(Step::Removed, old.len() - i));
    steps.extend(std::iter::repeat_n(Step::Added, new.len() - j));
    steps
}

/// Turns steps into rows. Between two unchanged lines, the removed lines are
/// set beside the added ones, as a reader compares a rewritten paragraph.
fn side_by_side(old: &[&str], new: &[&str], steps: &[Step]) -> Vec<DiffRow> {
    let mut rows = Vec::with_capacity(steps.len());
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    for step in steps {
        match step {
            Step::Same => {
                pair_up(&mut rows, old, new, &mut removed, &mut added);
                rows.push(DiffRow {
                    op: DiffOp::Same,
                    left: Some(old[i].to_owned()),
                    right: Some(new[j].to_owned()),
                    left_no: Some(i + 1),
                    right_no: Some(j + 1),
                });
                i += 1;
                j += 1;
            }
            Step::Removed => {
                removed.push(i);
                i += 1;
            }
            Step::Added => {
                added.push(j);
                j += 1;
            }
        }
    }
    pair_up(&mut rows, old, new, &mut removed, &mut added);
    rows
}

fn pair_up(
    rows: &mut Vec<DiffRow>,
    old: &[&str],
    new: &[&str],
    removed: &mut Vec<usize>,
    added: &mut Vec<usize>,
) {
    let paired = removed.len().min(added.len());
    for (&i, &j) in removed.iter().zip(added.iter()) {
        rows.push(DiffRow {
            op: DiffOp::Changed,
            left: Some(old[i].to_owned()),
            right: Some(new[j].to_owned()),
            left_no: Some(i + 1),
            right_no: Some(j + 1),
        });
    }
    for &i in &removed[paired..] {
        rows.push(DiffRow {
            op: DiffOp::Removed,
            left: Some(old[i].to_owned()),
            right: None,
            left_no: Some(i + 1),
            right_no: None,
        });
    }
    for &j in &added[paired..] {
        rows.push(DiffRow {
            op: DiffOp::Added,
            left: None,
            right: Some(new[j].to_owned()),
            left_no: None,
            right_no: Some(j + 1),
        });
    }
    removed.clear();
    added.clear();
}

/// A field whose value differs between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields whose values differ between `old` and `new`, in the order of
/// `new`, then those only in `old`. A field missing on one side counts as
/// empty there, and `\r\n` equals `\n`, so neither shows as a change.
pub fn field_changes(old: &[(&str, String)], new: &[(&str, String)]) -> Vec<FieldChange> {
    let value = |fields: &[(&str, String)], name: &str| {
        fields
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let mut names: Vec<&str> = Vec::with_capacity(new.len() + old.len());
    for (name, _) in new.iter().chain(old) {
        if !names.contains(name) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let before = value(old, name);
            let after = value(new, name);
            (before.replace("\r\n", "\n") != after.replace("\r\n", "\n")).then(|| FieldChange {
                field: name.to_owned(),
                before,
                after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row as a reader sees it: `= 1:a | 1:a`, `~ 2:b | 2:B`, `- 3:c |`,
    /// `+ | 3:d`.
    fn show(row: &DiffRow) -> String {
        let side = |text: &Option<String>, no: Option<usize>| match (text, no) {
            (Some(text), Some(no)) => format!("{no}:{text}"),
            _ => String::new(),
        };
        let op = match row.op {
            DiffOp::Same => "=",
            DiffOp::Changed => "~",
            DiffOp::Added => "+",
            DiffOp::Removed => "-",
        };
        let (left, right) = (side(&row.left, row.left_no), side(&row.right, row.right_no));
        [op, left.as_str(), "|", right.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn shown(old: &str, new: &str) -> Vec<String> {
        diff_lines(old, new).iter().map(show).collect()
    }

    #[test]
    fn texts_are_compared_line_by_line() {
        let table: [(&str, &str, &str, &[&str]); 12] = [
            ("both empty", "", "", &[]),
            ("unchanged", "a\nb", "a\nb", &["= 1:a | 1:a", "= 2:b | 2:b"]),
            ("written from nothing", "", "a\nb", &["+ | 1:a", "+ | 2:b"]),
            ("emptied", "a\nb", "", &["- 1:a |", "- 2:b |"]),
            (
                "one line rewritten",
                "a\nb\nc",
                "a\nB\nc",
                &["= 1:a | 1:a", "~ 2:b | 2:B", "= 3:c | 3:c"],
            ),
            (
                "a line inserted",
                "a\nc",
                "a\nb\nc",
                &["= 1:a | 1:a", "+ | 2:b", "= 2:c | 3:c"],
            ),
            (
                "a line removed",
                "a\nb\nc",
                "a\nc",
                &["= 1:a | 1:a", "- 2:b |", "= 3:c | 2:c"],
            ),
            (
                "three lines become one",
                "a\nb\nc\nd\ne",
                "a\nX\ne",
                &[
                    "= 1:a | 1:a",
                    "~ 2:b | 2:X",
                    "- 3:c |",
                    "- 4:d |",
                    "= 5:e | 3:e",
                ],
            ),
            (
                "one line becomes two",
                "a\nb\nc",
                "a\nX\nY\nc",
                &["= 1:a | 1:a", "~ 2:b | 2:X", "+ | 3:Y", "= 3:c | 4:c"],
            ),
            (
                "a paragraph moved down",
                "p\n\nq\n\nr",
                "q\n\nr\n\np",
                &[
                    "- 1:p |",
                    "- 2: |",
                    "= 3:q | 1:q",
                    "= 4: | 2:",
                    "= 5:r | 3:r",
                    "+ | 4:",
                    "+ | 5:p",
                ],
            ),
            (
                "windows line endings",
                "a\r\nb\r\n",
                "a\nb",
                &["= 1:a | 1:a", "= 2:b | 2:b"],
            ),
            (
                "a final line ending",
                "a\nb\n",
                "a\nb",
                &["= 1:a | 1:a", "= 2:b | 2:b"],
            ),
        ];
        for (case, old, new, expected) in table {
            assert_eq!(shown(old, new), expected, "{case}");
        }
    }

    #[test]
    fn arabic_text_is_compared_as_text() {
        let old = "افتتاح الدورة التكوينية\nبحضور السيد المدير الإقليمي\nوالأساتذة";
        let new = "افتتاح الدورة التكوينية\nبحضور السيدة المديرة الإقليمية\nوالأساتذة";
        assert_eq!(
            shown(old, new),
            [
                "= 1:افتتاح الدورة التكوينية | 1:افتتاح الدورة التكوينية",
                "~ 2:بحضور السيد المدير الإقليمي | 2:بحضور السيدة المديرة الإقليمية",
                "= 3:والأساتذة | 3:والأساتذة",
            ]
        );
    }

    #[test]
    fn rows_serialize_as_the_history_page_expects() {
        let rows = diff_lines("a", "b\nc");
        let json = serde_json::to_value(&rows).expect("json");
        assert_eq!(
            json,
            serde_json::json!([
                {"op": "changed", "left": "a", "right": "b", "left_no": 1, "right_no": 1},
                {"op": "added", "left": null, "right": "c", "left_no": null, "right_no": 2},
            ])
        );
    }

    #[test]
    fn a_long_text_with_one_change_is_diffed_exactly() {
        let old: Vec<String> = (0..10_000).map(|n| format!("سطر {n}")).collect();
        let mut new = old.clone();
        new[5_000] = "سطر جديد".into();
        let rows = diff_lines(&old.join("\n"), &new.join("\n"));
        assert_eq!(rows.len(), 10_000);
        let changed: Vec<_> = rows.iter().filter(|r| r.op != DiffOp::Same).collect();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].op, DiffOp::Changed);
        assert_eq!(changed[0].left_no, Some(5_001));
    }

    #[test]
    fn a_huge_rewrite_is_shown_as_replaced_without_blowing_up() {
        let old: Vec<String> = (0..10_000).map(|n| format!("old {n}")).collect();
        let new: Vec<String> = (0..12_000).map(|n| format!("new {n}")).collect();
        let old = format!("title\n{}\nend", old.join("\n"));
        let new = format!("title\n{}\nend", new.join("\n"));
        let rows = diff_lines(&old, &new);
        let count = |op: DiffOp| rows.iter().filter(|r| r.op == op).count();
        assert_eq!(count(DiffOp::Same), 2);
        assert_eq!(count(DiffOp::Changed), 10_000);
        assert_eq!(count(DiffOp::Added), 2_000);
        assert_eq!(count(DiffOp::Removed), 0);
        assert_eq!(
            rows.last().map(show),
            Some("= 10002:end | 12002:end".into())
        );
    }

    #[test]
    fn only_fields_that_differ_are_listed() {
        let s = String::from;
        let old = [
            ("title", s("اليوم الدراسي")),
            ("summary", s("line\r\nbreak")),
            ("venue", s("Rabat")),
            ("reference", s("N° 12")),
        ];
        let new = [
            ("category", s("news")),
            ("title", s("اليوم الدراسي")),
            ("summary", s("line\nbreak")),
            ("venue", s("Salé")),
            ("tags", s("")),
        ];
        let changes: Vec<_> = field_changes(&old, &new)
            .into_iter()
            .map(|c| (c.field, c.before, c.after))
            .collect();
        assert_eq!(
            changes,
            [
                (s("category"), s(""), s("news")),
                (s("venue"), s("Rabat"), s("Salé")),
                (s("reference"), s("N° 12"), s("")),
            ]
        );
    }
}

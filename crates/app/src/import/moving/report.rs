//! What an import found and did, for people: counts by type, and every
//! problem with the item's title and its line in the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many renumbered addresses the text of a report lists one by one.
const RENUMBERED_SHOWN: usize = 10;

/// A line of the report about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub line: Option<usize>,
    pub title: String,
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}")?,
            None => write!(f, "-")?,
        }
        if !self.title.is_empty() {
            write!(f, " «{}»", self.title)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An entry whose address was taken, and the numbered one it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renumbered {
    pub line: Option<usize>,
    pub title: String,
    pub wanted: String,
    pub given: String,
}

/// Created, updated and unchanged of one type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Found in the export.
    pub found: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The report of a move, dry or real.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveReport {
    pub dry_run: bool,
    /// By type: post, page, attachment, category, tag, author, video…
    pub tallies: BTreeMap<String, Tally>,
    /// What was not imported, by type, with the reason.
    pub skipped: BTreeMap<String, (usize, String)>,
    /// Old addresses that now answer with a redirect.
    pub redirects: usize,
    pub notes: Vec<Note>,
    /// Entries that got `-2`, `-3`… because their address was taken: an
    /// archive repeats titles year after year, so these are one line of
    /// the report rather than one line each.
    #[serde(default)]
    pub renumbered: Vec<Renumbered>,
}

impl MoveReport {
    pub fn tally(&mut self, kind: &str) -> &mut Tally {
        self.tallies.entry(kind.to_owned()).or_default()
    }

    pub fn note(&mut self, line: Option<usize>, title: &str, message: impl Into<String>) {
        self.notes.push(Note {
            line,
            title: title.to_owned(),
            message: message.into(),
        });
    }

    pub fn renumber(&mut self, line: Option<usize>, title: &str, wanted: &str, given: &str) {
        self.renumbered.push(Renumbered {
            line,
            title: title.to_owned(),
            wanted: wanted.to_owned(),
            given: given.to_owned(),
        });
    }

    pub fn skip(&mut self, what: &str, why: &str) {
        let entry = self
            .skipped
            .entry(what.to_owned())
            .or_insert_with(|| (0, why.to_owned()));
        entry.0 += 1;
    }
}

impl std::fmt::Display for MoveReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.dry_run {
            writeln!(f, "Dry run: nothing was written.")?;
        }
        for (kind, t) in &self.tallies {
            if self.dry_run {
                writeln!(
                    f,
                    "{kind}: {} found, {} new, {} already imported",
                    t.found,
                    t.created,
                    t.updated + t.unchanged
                )?;
            } else {
                writeln!(
                    f,
                    "{kind}: {} found, {} created, {} updated, {} unchanged",
                    t.found, t.created, t.updated, t.unchanged
                )?;
            }
        }
        for (what, (count, why)) in &self.skipped {
            writeln!(f, "skipped {count} {what}: {why}")?;
        }
        if !self.dry_run {
            writeln!(
                f,
                "old addresses redirected: {} new or changed",
                self.redirects
            )?;
        }
        if !self.renumbered.is_empty() {
            let shown: Vec<String> = self
                .renumbered
                .iter()
                .take(RENUMBERED_SHOWN)
                .map(|r| format!("`{}` → `{}`", r.wanted, r.given))
                .collect();
            let more = self.renumbered.len().saturating_sub(RENUMBERED_SHOWN);
            write!(
                f,
                "{} addresses were taken, the entries got a number: {}",
                self.renumbered.len(),
                shown.join(", ")
            )?;
            if more > 0 {
                write!(f, " and {more} more")?;
            }
            writeln!(f)?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "{} notes:", self.notes.len())?;
            for note in &self.notes {
                writeln!(f, "  {note}")?;
            }
        }
        Ok(())
    }
}

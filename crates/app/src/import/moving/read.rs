//! One export file read as a stream of [`SourceEvent`]s, whatever system
//! wrote it.

use std::io::BufReader;
use std::path::Path;

use super::source::SourceEvent;
use super::xml::{read_records, Record};
use crate::import::{blogger, wordpress};

/// Which system wrote the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    WordPress,
    Blogger,
}

impl Format {
    /// The name imports are remembered under.
    pub fn source(self) -> &'static str {
        match self {
            Format::WordPress => "wordpress",
            Format::Blogger => "blogger",
        }
    }
}

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub line: Option<usize>,
    pub message: String,
}

/// Reads `path`, handing each event to `on` until it answers `false`.
pub fn read_export(
    format: Format,
    path: &Path,
    mut on: impl FnMut(SourceEvent) -> bool,
) -> Result<(), ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError {
        line: None,
        message: format!("cannot open the export: {e}"),
    })?;
    let input = BufReader::with_capacity(256 * 1024, file);
    let mut wxr = wordpress::wxr::WxrState::default();
    let mut atom = blogger::atom::AtomState::default();
    let depth = match format {
        Format::WordPress => 2,
        Format::Blogger => 1,
    };
    let mut stopped = false;
    let outcome = read_records(input, depth, |record| -> Result<(), ReadError> {
        let events = match (format, record) {
            (Format::WordPress, Record::Root(node)) => {
                if node.name != "rss" {
                    return Err(ReadError {
                        line: Some(1),
                        message: format!(
                            "the root element is <{}>, not <rss>: this is not a WordPress export (WXR)",
                            node.name
                        ),
                    });
                }
                Vec::new()
            }
            (Format::Blogger, Record::Root(node)) => {
                blogger::atom::root(&node).map_err(|message| ReadError {
                    line: Some(1),
                    message,
                })?;
                Vec::new()
            }
            (Format::WordPress, Record::Element(node, line)) => {
                wordpress::wxr::record(&mut wxr, &node, line).map_err(|message| ReadError {
                    line: Some(line),
                    message,
                })?
            }
            (Format::Blogger, Record::Element(node, line)) => {
                blogger::atom::record(&mut atom, &node, line).map_err(|message| ReadError {
                    line: Some(line),
                    message,
                })?
            }
        };
        for event in events {
            if !on(event) {
                stopped = true;
                return Err(ReadError {
                    line: None,
                    message: "stopped".into(),
                });
            }
        }
        Ok(())
    });
    if stopped {
        return Ok(());
    }
    match outcome {
        Err(e) => Err(ReadError {
            line: Some(e.line),
            message: e.message,
        }),
        Ok(Err(e)) => Err(e),
        Ok(Ok(())) => {
            let last = match format {
                Format::WordPress => wordpress::wxr::finish(&mut wxr),
                Format::Blogger => blogger::atom::finish(&mut atom),
            }
            .map_err(|message| ReadError {
                line: None,
                message,
            })?;
            for event in last {
                if !on(event) {
                    break;
                }
            }
            Ok(())
        }
    }
}

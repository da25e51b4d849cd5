//! Reading a large XML export as a stream: each record (a WordPress item,
//! a Blogger entry) is built as a small tree on its own and handed over,
//! so a file of hundreds of megabytes is never held whole. Every record
//! carries the line it starts on, for the report.

use std::io::{BufRead, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// An element of a record, with its text (character data, CDATA sections
/// and entities, joined) and its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child called `name`, or `""`.
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.trim())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A `BufRead` that counts the lines handed out, so the line a record
/// starts on is known without keeping the file.
pub struct LineCounter<R> {
    inner: R,
    lines: usize,
}

impl<R: BufRead> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter { inner, lines: 1 }
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.lines += buf[..amt].iter().filter(|&&b| b == b'\n').count();
        }
        self.inner.consume(amt);
    }
}

/// What the stream hands over.
pub enum Record {
    /// The document's root element (its name and attributes).
    Root(Node),
    /// An element at the record depth, whole, and the line it starts on.
    Element(Node, usize),
}

/// A refusal of the file: what is wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub line: usize,
    pub message: String,
}

/// Reads `input` and hands each element found at `depth` (the root is at
/// depth 0) to `on_record`, whole. Stops at the first malformed spot, or
/// when `on_record` answers an error.
pub fn read_records<R: BufRead, E>(
    input: R,
    depth: usize,
    mut on_record: impl FnMut(Record) -> Result<(), E>,
) -> Result<Result<(), E>, XmlError> {
    let mut reader = Reader::from_reader(LineCounter::new(input));
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    // The open elements of the record being read.
    let mut stack: Vec<Node> = Vec::new();
    let mut level = 0usize;
    let mut record_line = 0usize;
    let mut seen_root = false;
    loop {
        let line = reader.get_ref().lines;
        let event = reader.read_event_into(&mut buf).map_err(|e| XmlError {
            line: reader.get_ref().lines,
            message: format!("the file is not well-formed XML: {e}"),
        })?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for attr in start.attributes().flatten() {
                    let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| String::from_utf8_lossy(&attr.value).into_owned());
                    attrs.push((key, value));
                }
                let node = Node {
                    name,
                    attrs,
                    ..Node::default()
                };
                if level == 0 {
                    if seen_root {
                        return Err(XmlError {
                            line,
                            message: "the file has more than one root element".into(),
                        });
                    }
                    seen_root = true;
                    if let Err(e) = on_record(Record::Root(node.clone())) {
                        return Ok(Err(e));
                    }
                } else if level >= depth {
                    if level == depth {
                        record_line = line;
                    }
                    stack.push(node);
                }
                if empty {
                    if let Some(done) = close(&mut stack, level, depth, record_line) {
                        if let Err(e) = on_record(done) {
                            return Ok(Err(e));
                        }
                    }
                } else {
                    level += 1;
                }
            }
            Event::End(_) => {
                level = level.saturating_sub(1);
                if let Some(done) = close(&mut stack, level, depth, record_line) {
                    if let Err(e) = on_record(done) {
                        return Ok(Err(e));
                    }
                }
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    let decoded = text.xml10_content().map_err(|e| XmlError {
                        line,
                        message: format!("the text is not UTF-8: {e}"),
                    })?;
                    top.text.push_str(&decoded);
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    let decoded = data.xml10_content().map_err(|e| XmlError {
                        line,
                        message: format!("the text is not UTF-8: {e}"),
                    })?;
                    top.text.push_str(&decoded);
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(top) = stack.last_mut() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            let name = reference.decode().unwrap_or_default();
                            match quick_xml::escape::resolve_xml_entity(&name) {
                                Some(text) => text.to_owned(),
                                None => {
                                    return Err(XmlError {
                                        line,
                                        message: format!("unknown entity &{name};"),
                                    })
                                }
                            }
                        }
                    };
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => {
                if level > 0 {
                    return Err(XmlError {
                        line: reader.get_ref().lines,
                        message: "the file ends before its elements are closed (cut short?)".into(),
                    });
                }
                if !seen_root {
                    return Err(XmlError {
                        line: 1,
                        message: "the file is empty".into(),
                    });
                }
                return Ok(Ok(()));
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Closes the innermost open element of a record: into its parent, or,
/// at the record depth, out as a finished record.
fn close(stack: &mut Vec<Node>, level: usize, depth: usize, line: usize) -> Option<Record> {
    if level < depth {
        return None;
    }
    let node = stack.pop()?;
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(node);
            None
        }
        None => Some(Record::Element(node, line)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(xml: &str, depth: usize) -> Result<Vec<(String, usize)>, XmlError> {
        let mut found = Vec::new();
        read_records(xml.as_bytes(), depth, |record| {
            if let Record::Element(node, line) = record {
                found.push((format!("{}={}", node.name, node.text_of("t")), line));
            }
            Ok::<(), ()>(())
        })?
        .expect("no stop");
        Ok(found)
    }

    #[test]
    fn records_come_whole_with_their_line() {
        let xml = "<rss>\n<channel>\n<item><t>a &amp; b</t></item>\n<item>\n<t><![CDATA[<p>c</p>]]>&#1587;</t></item><x/></channel></rss>";
        assert_eq!(
            records(xml, 2).expect("read"),
            vec![
                ("item=a & b".to_owned(), 3),
                ("item=<p>c</p>س".to_owned(), 4),
                ("x=".to_owned(), 5)
            ]
        );
    }

    #[test]
    fn malformed_files_are_refused_with_a_line() {
        let err = records("<rss>\n<channel>\n<item></channel>\n</rss>", 2).expect_err("bad");
        assert_eq!(err.line, 3, "{err:?}");
        let cut = records("<rss>\n<channel>\n<item>", 2).expect_err("cut");
        assert!(cut.message.contains("cut short"), "{cut:?}");
        assert!(records("", 2).expect_err("empty").message.contains("empty"));
    }
}

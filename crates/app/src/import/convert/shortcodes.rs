//! WordPress shortcodes (`[caption]`, `[gallery]`, `[embed]`, `[video]`,
//! `[audio]`) turned into plain HTML that the converter knows how to carry
//! over: a figure, a list of attachment ids, an embed, a media element.
//! Unknown shortcodes are left as text: they may be ordinary brackets.

/// What a text's shortcodes became.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    pub html: String,
    /// The attachment ids of each `[gallery]`, in order (empty: "the
    /// post's own images", as WordPress shows them).
    pub galleries: Vec<Vec<i64>>,
    /// Shortcodes of other plugins found, by name, each once.
    pub unknown: Vec<String>,
}

/// Attributes of a shortcode: `key="value"`, `key='value'`, `key=value`.
pub fn attributes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_ascii_lowercase();
        let after = rest[eq + 1..].trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'' | '\u{201d}' | '\u{2033}')) => {
                let body = &after[q.len_utf8()..];
                let end = body
                    .find(|c| c == q || (q != '\'' && matches!(c, '"' | '\u{201d}' | '\u{2033}')))
                    .unwrap_or(body.len());
                let close = body[end..].chars().next().map_or(0, char::len_utf8);
                (&body[..end], &body[(end + close).min(body.len())..])
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        if let Some(key) = key.split_whitespace().last() {
            found.push((key.to_owned(), value.to_owned()));
        }
        rest = next.trim_start();
    }
    found
}

fn attr<'a>(attrs: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| {
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const KNOWN: &[&str] = &[
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "video",
    "audio",
];

/// Expands the shortcodes of `html`.
pub fn expand(html: &str) -> Expanded {
    let mut out = Expanded::default();
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        let name = after[..name_len].to_ascii_lowercase();
        let Some(close) = after.find(']') else {
            text.push('[');
            rest = after;
            continue;
        };
        let head_ok = name_len > 0
            && after[name_len..]
                .chars()
                .next()
                .is_some_and(|c| c == ']' || c.is_whitespace());
        if !head_ok {
            text.push('[');
            rest = after;
            continue;
        }
        if !KNOWN.contains(&name.as_str()) {
            let closing = format!("[/{name}]");
            if after.contains(&closing) && !out.unknown.contains(&name) {
                out.unknown.push(name.clone());
            }
            text.push('[');
            rest = after;
            continue;
        }
        let attrs = attributes(after[name_len..close].trim_end_matches('/'));
        let body_start = &after[close + 1..];
        let closing = format!("[/{name}]");
        let (inner, next) = match body_start.find(&closing) {
            Some(end) if name != "gallery" => {
                (&body_start[..end], &body_start[end + closing.len()..])
            }
            _ => ("", body_start),
        };
        match name.as_str() {
            "caption" | "wp_caption" => {
                // The caption is the text after the image (or its link);
                // older exports carry it as an attribute.
                let (media, words) = match inner.rfind('>') {
                    Some(at) => (&inner[..=at], inner[at + 1..].trim()),
                    None => (inner, ""),
                };
                let words = if words.is_empty() {
                    attr(&attrs, &["caption"]).map(escape).unwrap_or_default()
                } else {
                    words.to_owned()
                };
                text.push_str(&format!(
                    "<figure>{media}<figcaption>{words}</figcaption></figure>"
                ));
            }
            "gallery" => {
                let ids = attr(&attrs, &["ids", "include"])
                    .map(|list| {
                        list.split(',')
                            .filter_map(|id| id.trim().parse::<i64>().ok())
                            .collect()
                    })
                    .unwrap_or_default();
                out.galleries.push(ids);
            }
            "embed" => {
                let url = inner.trim();
                text.push_str(&format!("<iframe src=\"{}\"></iframe>", escape(url)));
            }
            "video" | "audio" => {
                let src = attr(
                    &attrs,
                    &[
                        "src", "mp4", "m4v", "webm", "ogv", "mp3", "ogg", "wav", "m4a",
                    ],
                )
                .unwrap_or(inner.trim());
                text.push_str(&format!("<{name} src=\"{}\"></{name}>", escape(src)));
            }
            _ => {}
        }
        rest = next;
    }
    text.push_str(rest);
    out.html = text;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_take_every_quoting() {
        assert_eq!(
            attributes(r#"id="attachment_12" align='alignnone' width=300"#),
            vec![
                ("id".into(), "attachment_12".into()),
                ("align".into(), "alignnone".into()),
                ("width".into(), "300".into()),
            ]
        );
    }

    #[test]
    fn a_caption_becomes_a_figure() {
        let html = r#"[caption id="attachment_7" align="alignnone" width="300"]<img src="/wp-content/uploads/a.jpg" alt="قسم" /> حفل التتويج[/caption]"#;
        assert_eq!(
            expand(html).html,
            r#"<figure><img src="/wp-content/uploads/a.jpg" alt="قسم" /><figcaption>حفل التتويج</figcaption></figure>"#
        );
    }

    #[test]
    fn a_gallery_gives_its_ids_and_leaves_the_text() {
        let out = expand("Avant [gallery ids=\"3, 4,5\" columns=\"2\"] après [gallery]");
        assert_eq!(out.html, "Avant  après ");
        assert_eq!(out.galleries, vec![vec![3, 4, 5], vec![]]);
    }

    #[test]
    fn embeds_and_media_become_elements() {
        assert_eq!(
            expand("[embed]https://youtu.be/abc[/embed]").html,
            "<iframe src=\"https://youtu.be/abc\"></iframe>"
        );
        assert_eq!(
            expand("[video width=\"640\" mp4=\"/wp-content/uploads/v.mp4\"][/video]").html,
            "<video src=\"/wp-content/uploads/v.mp4\"></video>"
        );
        assert_eq!(
            expand("[audio mp3=\"/x.mp3\"]").html,
            "<audio src=\"/x.mp3\"></audio>"
        );
    }

    #[test]
    fn brackets_that_are_not_shortcodes_stay() {
        let text = "Voir [1] et [note] puis [plugin a=1]x[/plugin] [";
        let out = expand(text);
        assert_eq!(out.html, text);
        assert_eq!(out.unknown, vec!["plugin".to_owned()]);
    }
}

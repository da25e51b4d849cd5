//! Mail bodies from Tera templates. The built-in set (compiled into the
//! crate from `templates/`) has, for each mail and language, a subject, a
//! plain-text and an HTML template: `{lang}/{name}.{subject,txt,html}`.
//! The HTML ones extend `layout.html`: a table layout with inline styles
//! only (mail clients drop `<style>`), `dir="rtl"` on `<html>` and
//! `<body>` in Arabic, the site's name and colours.
//!
//! Every template sees `lang`, `dir` (`rtl`/`ltr`), `align`
//! (`right`/`left`), `site` (`name`, `url`, `primary`, `accent`), the
//! rendered `subject` (HTML only), and the caller's data at the top level.
//! A render failure is an error, never a panic: the caller logs it and
//! retries after the template is fixed.

use serde::Serialize;
use tera::{Context, Tera};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TemplateError {
    /// A template that does not parse (a caller's, or an override).
    #[error("mail template {name} does not compile: {detail}")]
    Compile { name: String, detail: String },
    /// A template that fails at render time (a missing variable, a bad filter).
    #[error("mail template {name} failed to render: {detail}")]
    Render { name: String, detail: String },
    /// No such built-in or registered mail.
    #[error("no mail template named {0}")]
    Unknown(String),
    /// The caller's data is not a map of values.
    #[error("mail template data must be a map: {0}")]
    Data(String),
}

/// The language of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    Fr,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Fr => "fr",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::Fr => "ltr",
        }
    }

    fn align(self) -> &'static str {
        match self {
            Lang::Ar => "right",
            Lang::Fr => "left",
        }
    }
}

/// What a mail shows of its site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteStyle {
    pub name: String,
    /// The site's public address, for the header link; empty for none.
    pub url: String,
    /// `#rgb` or `#rrggbb`; anything else falls back to the default colour
    /// (a colour goes into a `style` attribute: never pass text through).
    pub primary: String,
    pub accent: String,
}

const DEFAULT_PRIMARY: &str = "#1d4e89";
const DEFAULT_ACCENT: &str = "#c1272d";

fn colour(value: &str, fallback: &str) -> String {
    let hex = value.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        value.to_owned()
    } else {
        fallback.to_owned()
    }
}

impl SiteStyle {
    fn sanitized(&self) -> SiteStyle {
        SiteStyle {
            name: self.name.clone(),
            url: self.url.clone(),
            primary: colour(&self.primary, DEFAULT_PRIMARY),
            accent: colour(&self.accent, DEFAULT_ACCENT),
        }
    }
}

/// `text` as one header-safe line: control characters (a NUL or U+0085 in
/// an entry's title) become spaces and runs of space one, so that what an
/// author typed can never make a message unsendable.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A rendered mail: its subject (one line) and both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The mail templates: the built-in set, plus any registered by the caller.
#[derive(Debug, Clone)]
pub struct MailTemplates {
    tera: Tera,
}

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../templates/", $path)))),*]
    };
}

const BUILTIN: &[(&str, &str)] = builtin!(
    "layout.html",
    "ar/notice.subject",
    "ar/notice.txt",
    "ar/notice.html",
    "fr/notice.subject",
    "fr/notice.txt",
    "fr/notice.html",
    "ar/workflow.subject",
    "ar/workflow.txt",
    "ar/workflow.html",
    "fr/workflow.subject",
    "fr/workflow.txt",
    "fr/workflow.html",
    "ar/digest.subject",
    "ar/digest.txt",
    "ar/digest.html",
    "fr/digest.subject",
    "fr/digest.txt",
    "fr/digest.html",
    "ar/confirm.subject",
    "ar/confirm.txt",
    "ar/confirm.html",
    "fr/confirm.subject",
    "fr/confirm.txt",
    "fr/confirm.html",
    "ar/workflow_digest.subject",
    "ar/workflow_digest.txt",
    "ar/workflow_digest.html",
    "fr/workflow_digest.subject",
    "fr/workflow_digest.txt",
    "fr/workflow_digest.html",
    "ar/circular.subject",
    "ar/circular.txt",
    "ar/circular.html",
    "fr/circular.subject",
    "fr/circular.txt",
    "fr/circular.html",
    "ar/recommendation.subject",
    "ar/recommendation.txt",
    "ar/recommendation.html",
    "fr/recommendation.subject",
    "fr/recommendation.txt",
    "fr/recommendation.html",
);

/// The names of the built-in mails.
/// `digest` is a site's weekly newsletter; `workflow_digest` the daily
/// summary of workflow notices for one person; `circular` an internal
/// circular (and its reminders) to one person, with their own links;
/// `recommendation` the one reminder of a training recommendation whose due
/// date passed, to its owner.
pub const BUILTIN_MAILS: [&str; 7] = [
    "notice",
    "workflow",
    "digest",
    "confirm",
    "workflow_digest",
    "circular",
    "recommendation",
];

fn tera_detail(error: &tera::Error) -> String {
    // Tera keeps the useful part (which variable, which line) in the sources.
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        detail.push_str(": ");
        detail.push_str(&inner.to_string());
        source = inner.source();
    }
    detail
}

impl MailTemplates {
    /// The built-in set.
    pub fn builtin() -> Result<Self, TemplateError> {
        let mut tera = Tera::default();
        tera.add_raw_templates(BUILTIN.iter().copied())
            .map_err(|e| TemplateError::Compile {
                name: "built-in".to_owned(),
                detail: tera_detail(&e),
            })?;
        Ok(Self { tera })
    }

    /// Adds or replaces one mail in one language (a site's override, or a
    /// new kind of mail). The HTML may `{% extends "layout.html" %}`.
    pub fn register(
        &mut self,
        name: &str,
        lang: Lang,
        subject: &str,
        text: &str,
        html: &str,
    ) -> Result<(), TemplateError> {
        let l = lang.code();
        let templates = [
            (format!("{l}/{name}.subject"), subject),
            (format!("{l}/{name}.txt"), text),
            (format!("{l}/{name}.html"), html),
        ];
        // Compile into a copy first, so a bad template leaves the set as it was.
        let mut tera = self.tera.clone();
        tera.add_raw_templates(templates.iter().map(|(n, s)| (n.as_str(), *s)))
            .map_err(|e| TemplateError::Compile {
                name: format!("{l}/{name}"),
                detail: tera_detail(&e),
            })?;
        self.tera = tera;
        Ok(())
    }

    fn context(
        lang: Lang,
        site: &SiteStyle,
        data: &impl Serialize,
    ) -> Result<Context, TemplateError> {
        let mut context =
            Context::from_serialize(data).map_err(|e| TemplateError::Data(tera_detail(&e)))?;
        context.insert("lang", lang.code());
        context.insert("dir", lang.dir());
        context.insert("align", lang.align());
        context.insert("site", &site.sanitized());
        Ok(context)
    }

    fn render_one(&self, name: &str, context: &Context) -> Result<String, TemplateError> {
        self.tera
            .render(name, context)
            .map_err(|e| TemplateError::Render {
                name: name.to_owned(),
                detail: tera_detail(&e),
            })
    }

    /// Renders a built-in or registered mail.
    pub fn render(
        &self,
        name: &str,
        lang: Lang,
        site: &SiteStyle,
        data: &impl Serialize,
    ) -> Result<Rendered, TemplateError> {
        let l = lang.code();
        let base = format!("{l}/{name}");
        if !self
            .tera
            .get_template_names()
            .any(|n| n == format!("{base}.subject"))
        {
            return Err(TemplateError::Unknown(base));
        }
        let mut context = Self::context(lang, site, data)?;
        let subject = self.render_one(&format!("{base}.subject"), &context)?;
        let subject = one_line(&subject);
        context.insert("subject", &subject);
        let text = self.render_one(&format!("{base}.txt"), &context)?;
        let html = self.render_one(&format!("{base}.html"), &context)?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }

    /// Renders a caller's template string (a notice written in the admin,
    /// say). With `html` it is escaped as HTML and may extend `layout.html`.
    pub fn render_str(
        &self,
        source: &str,
        html: bool,
        lang: Lang,
        site: &SiteStyle,
        data: &impl Serialize,
    ) -> Result<String, TemplateError> {
        let name = if html {
            "__caller.html"
        } else {
            "__caller.txt"
        };
        let mut tera = self.tera.clone();
        tera.add_raw_template(name, source)
            .map_err(|e| TemplateError::Compile {
                name: "caller template".to_owned(),
                detail: tera_detail(&e),
            })?;
        let context = Self::context(lang, site, data)?;
        tera.render(name, &context)
            .map_err(|e| TemplateError::Render {
                name: "caller template".to_owned(),
                detail: tera_detail(&e),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn site() -> SiteStyle {
        SiteStyle {
            name: "المديرية الإقليمية لتطوان".into(),
            url: "https://dp-tetouan.example.ma".into(),
            primary: "#0a5c36".into(),
            accent: "#d4a017".into(),
        }
    }

    fn data(name: &str) -> serde_json::Value {
        match name {
            "notice" => json!({
                "title": "مذكرة حول الدخول المدرسي",
                "summary": "تفاصيل <مهمة>",
                "link": "https://dp-tetouan.example.ma/news/1",
                "attachments": [{"name": "المذكرة.pdf", "url": "https://dp-tetouan.example.ma/m.pdf"}],
                "unsubscribe_url": "https://dp-tetouan.example.ma/u/x",
            }),
            "workflow" => json!({
                "action": "submitted", "entry_title": "Formation", "actor": "Salma",
                "comment": "", "link": "https://dp-tetouan.example.ma/admin/e/1",
            }),
            "digest" => json!({
                "period": "2026-W49",
                "entries": [{"title": "A", "summary": "B", "link": "https://x.ma/a", "date": "2026-12-01"}],
                "unsubscribe_url": "https://x.ma/u",
            }),
            "workflow_digest" => json!({
                "items": [
                    {"action": "submitted", "actor": "Salma", "entry_title": "Formation <Massar>",
                     "comment": "", "link": "https://x.ma/admin/entries/1"},
                    {"action": "changes_requested", "actor": "Karim", "entry_title": "الدخول المدرسي",
                     "comment": "أضف صورة", "link": "https://x.ma/admin/entries/2"},
                ],
                "account_url": "https://x.ma/admin/account",
            }),
            "circular" => json!({
                "reference": "12/2026", "object": "تنظيم <الامتحانات>",
                "title": "مذكرة", "body_html": "<p>نص</p>", "body_text": "نص",
                "acknowledge_by": "2026-12-20", "ack_url": "https://x.ma/c/ack?t=abc",
                "attachments": [{"name": "m.pdf", "size": "1 MB", "url": "https://x.ma/f"}],
                "attached": false, "files_until": "2027-03-01", "reminder": true,
                "translation": {"title": "Note", "object": "Examens", "body_html": "<p>Texte</p>", "body_text": "Texte"},
            }),
            "recommendation" => json!({
                "owner": "Salma", "text": "تعميم <مسار> على المؤسسات", "report_title": "Formation Massar",
                "due_on": "2026-12-01", "status": "open", "link": "https://x.ma/admin/sites/dp-rabat/recommendations/1",
            }),
            _ => json!({ "confirm_url": "https://x.ma/confirm/abc" }),
        }
    }

    #[test]
    fn every_builtin_mail_renders_in_both_languages() {
        let templates = MailTemplates::builtin().unwrap();
        for name in BUILTIN_MAILS {
            for lang in [Lang::Ar, Lang::Fr] {
                let r = templates.render(name, lang, &site(), &data(name)).unwrap();
                assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{name}");
                assert!(!r.text.is_empty(), "{name}");
                let dir = lang.dir();
                assert!(
                    r.html
                        .contains(&format!("<html lang=\"{}\" dir=\"{dir}\">", lang.code())),
                    "{name} {lang:?}"
                );
                assert!(r.html.contains(&format!("<body dir=\"{dir}\"")), "{name}");
                assert!(r.html.contains("#0a5c36"), "{name}: the site's colour");
                assert!(!r.html.contains("<style"), "{name}: inline styles only");
                assert!(r.html.contains("المديرية الإقليمية لتطوان"), "{name}");
            }
        }
    }

    #[test]
    fn html_is_escaped_text_is_not() {
        let templates = MailTemplates::builtin().unwrap();
        let r = templates
            .render("notice", Lang::Ar, &site(), &data("notice"))
            .unwrap();
        assert!(r.html.contains("تفاصيل &lt;مهمة&gt;"));
        assert!(r.text.contains("تفاصيل <مهمة>"));
        assert!(r
            .text
            .contains("إلغاء الاشتراك: https://dp-tetouan.example.ma/u/x"));
    }

    #[test]
    fn a_subject_is_one_line_whatever_the_data_holds() {
        assert_eq!(
            one_line("ورشة\u{0}التكوين\u{85} 2026\r\nBcc: x"),
            "ورشة التكوين 2026 Bcc: x"
        );
        assert_eq!(one_line("  a \t b  "), "a b");
    }

    #[test]
    fn the_workflow_digest_lists_every_notice_and_counts_them_in_the_subject() {
        let templates = MailTemplates::builtin().unwrap();
        let data = data("workflow_digest");
        let fr = templates
            .render("workflow_digest", Lang::Fr, &site(), &data)
            .unwrap();
        assert_eq!(fr.subject, "Résumé du jour : 2 avis vous attendent");
        assert!(fr
            .text
            .contains("Salma a soumis un contenu à relire : Formation <Massar>"));
        assert!(fr.text.contains("  > أضف صورة"));
        assert!(fr.html.contains("Formation &lt;Massar&gt;"));
        // Tera escapes the slashes of links in HTML; mail clients read them back.
        assert!(fr.html.contains("admin&#x2F;entries&#x2F;2"));
        let ar = templates
            .render("workflow_digest", Lang::Ar, &site(), &data)
            .unwrap();
        assert!(ar.subject.starts_with("ملخص اليوم: 2 "), "{}", ar.subject);
        assert!(ar.text.contains("طلب Karim تعديلات: الدخول المدرسي"));
    }

    #[test]
    fn bad_colours_fall_back() {
        let templates = MailTemplates::builtin().unwrap();
        let mut s = site();
        s.primary = "red;background:url(x)".into();
        let r = templates
            .render("confirm", Lang::Fr, &s, &data("confirm"))
            .unwrap();
        assert!(!r.html.contains("url(x)"));
        assert!(r.html.contains(DEFAULT_PRIMARY));
    }

    #[test]
    fn failures_are_errors() {
        let mut templates = MailTemplates::builtin().unwrap();
        let missing = templates.render("notice", Lang::Fr, &site(), &json!({}));
        assert!(
            matches!(missing, Err(TemplateError::Render { .. })),
            "{missing:?}"
        );
        assert!(matches!(
            templates.render("nope", Lang::Fr, &site(), &json!({})),
            Err(TemplateError::Unknown(_))
        ));
        assert!(matches!(
            templates.render("confirm", Lang::Fr, &site(), &json!([1, 2])),
            Err(TemplateError::Data(_))
        ));
        assert!(matches!(
            templates.render_str("{% if %}", false, Lang::Fr, &site(), &json!({})),
            Err(TemplateError::Compile { .. })
        ));
        assert!(matches!(
            templates.render_str("{{ nothing.here }}", false, Lang::Fr, &site(), &json!({})),
            Err(TemplateError::Render { .. })
        ));
        // A bad override leaves the set working.
        assert!(templates
            .register("notice", Lang::Fr, "{{", "", "")
            .is_err());
        assert!(templates
            .render("confirm", Lang::Fr, &site(), &data("confirm"))
            .is_ok());
    }

    #[test]
    fn caller_templates_render_and_may_use_the_layout() {
        let mut templates = MailTemplates::builtin().unwrap();
        let text = templates
            .render_str(
                "Bonjour {{ name }} ({{ site.name }})",
                false,
                Lang::Fr,
                &site(),
                &json!({"name": "<Ali>"}),
            )
            .unwrap();
        assert_eq!(text, "Bonjour <Ali> (المديرية الإقليمية لتطوان)");
        let html = templates
            .render_str(
                "{% extends \"layout.html\" %}{% block content %}<p>{{ name }}</p>{% endblock content %}",
                true,
                Lang::Ar,
                &site(),
                &json!({"name": "<Ali>", "subject": "s"}),
            )
            .unwrap();
        assert!(html.contains("<p>&lt;Ali&gt;</p>") && html.contains("dir=\"rtl\""));
        templates
            .register(
                "welcome",
                Lang::Fr,
                "Bienvenue {{ who }}",
                "Salut {{ who }}",
                "<p>{{ who }}</p>",
            )
            .unwrap();
        let r = templates
            .render("welcome", Lang::Fr, &site(), &json!({"who": "Ali"}))
            .unwrap();
        assert_eq!(r.subject, "Bienvenue Ali");
    }
}

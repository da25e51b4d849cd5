//! A person in the admin's pages: a browser's session cookie and the CSRF
//! token its forms carry.

use super::{Credential, TestApp};

/// A signed-in browser on the admin pages.
pub struct Browser<'a> {
    pub test: &'a TestApp,
    pub cookie: String,
    pub csrf: String,
}

/// What a page answered.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Answer {
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// The text of every element `selector` matches.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        super::select_text(&self.html(), selector)
    }

    /// An attribute of every element `selector` matches.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        super::select_attr(&self.html(), selector, attr)
    }

    pub fn has(&self, selector: &str) -> bool {
        !self.texts(selector).is_empty()
    }
}

impl<'a> Browser<'a> {
    pub async fn login(test: &'a TestApp, credentials: (&str, &str)) -> Browser<'a> {
        let api = test.login(credentials).await;
        let Credential::Session { cookie, csrf } = api.credential else {
            panic!("a session");
        };
        Browser { test, cookie, csrf }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.expect("a body");
        Answer {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        let response = self
            .test
            .client
            .get(self.test.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("request");
        Browser::answer(response).await
    }

    /// Posts a form with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let response = self
            .test
            .client
            .post(self.test.url(path))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("request");
        Browser::answer(response).await
    }

    /// Posts a multipart form (the caller adds `_csrf` where it belongs).
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Answer {
        let response = self
            .test
            .client
            .post(self.test.url(path))
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .await
            .expect("request");
        Browser::answer(response).await
    }
}

/// The editor's form as the page holds it, with some fields replaced.
pub fn editor_form(page: &Answer, replace: &[(&str, &str)]) -> Vec<(String, String)> {
    form_fields(page, "form[data-test=entry-form]", replace)
}

/// What a form of the page (`selector`) sends as it stands, with some
/// fields replaced: checked boxes and radios, selected options, no buttons.
pub fn form_fields(
    page: &Answer,
    selector: &str,
    replace: &[(&str, &str)],
) -> Vec<(String, String)> {
    let html = page.html();
    let form = scraper::Selector::parse(selector).expect("a selector");
    let form = html.select(&form).next().expect("the form");
    let fields = scraper::Selector::parse("input, textarea, select").expect("a selector");
    let option = scraper::Selector::parse("option[selected]").expect("a selector");
    let mut out = Vec::new();
    for field in form.select(&fields) {
        let element = field.value();
        let Some(name) = element.attr("name") else {
            continue;
        };
        let kind = element.attr("type").unwrap_or("text");
        if matches!(kind, "submit" | "button" | "file")
            || (matches!(kind, "checkbox" | "radio") && element.attr("checked").is_none())
            || name == "_csrf"
        {
            continue;
        }
        let value = match element.name() {
            "textarea" => field.text().collect::<String>(),
            "select" => field
                .select(&option)
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or_default()
                .to_owned(),
            _ => element.attr("value").unwrap_or_default().to_owned(),
        };
        let value = replace
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(value, |(_, v)| (*v).to_owned());
        out.push((name.to_owned(), value));
    }
    out
}

pub async fn post_form(browser: &Browser<'_>, path: &str, fields: &[(String, String)]) -> Answer {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(path, &fields).await
}

//! The newsletter's answer pages, in the site's theme (`newsletter.html`):
//! the form, "check your inbox", the confirmation and unsubscribe buttons
//! and their outcomes. Never cached: each answers one request.

use serde::Serialize;

use super::*;

/// Which answer a newsletter page gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewsletterPage {
    /// The subscription form alone (`GET …/newsletter`).
    Form,
    /// The same answer for every address: a link is on its way, if needed.
    Sent,
    /// The address typed is not one; the form again, with it.
    InvalidEmail {
        email: String,
    },
    /// Too many requests: try again in this many minutes.
    Throttled {
        minutes: u64,
    },
    /// The form did not come from a page of this site.
    Refused,
    /// A working confirmation link: a button confirms.
    Confirm {
        token: String,
    },
    Confirmed,
    ConfirmInvalid,
    /// A working unsubscribe link: a button unsubscribes.
    Unsubscribe {
        token: String,
    },
    Unsubscribed,
    UnsubscribeInvalid,
}

impl NewsletterPage {
    fn state(&self) -> &'static str {
        match self {
            NewsletterPage::Form => "form",
            NewsletterPage::Sent => "sent",
            NewsletterPage::InvalidEmail { .. } => "invalid_email",
            NewsletterPage::Throttled { .. } => "throttled",
            NewsletterPage::Refused => "refused",
            NewsletterPage::Confirm { .. } => "confirm",
            NewsletterPage::Confirmed => "confirmed",
            NewsletterPage::ConfirmInvalid => "confirm_invalid",
            NewsletterPage::Unsubscribe { .. } => "unsubscribe",
            NewsletterPage::Unsubscribed => "unsubscribed",
            NewsletterPage::UnsubscribeInvalid => "unsubscribe_invalid",
        }
    }
}

/// What `newsletter.html` receives as `newsletter`.
#[derive(Debug, Clone, Serialize)]
struct NewsletterView {
    state: &'static str,
    /// Where the subscription form posts.
    subscribe_url: String,
    /// Where the page's button posts (confirm or unsubscribe), with `token`.
    action_url: String,
    token: String,
    email: String,
    minutes: u64,
}

impl App {
    /// Renders a newsletter page of a site in `locale`.
    pub fn newsletter_page(
        &self,
        site_id: i32,
        origin: &Origin,
        locale: Locale,
        which: &NewsletterPage,
    ) -> Result<String, AppError> {
        let network = self.network();
        let Some(site) = network.site(site_id) else {
            return Err(AppError::NotFound(format!("site #{site_id}")));
        };
        let locale = if site.locales().contains(&locale) {
            locale
        } else {
            site.default_locale
        };
        let page = Page::new(self, &network, site, origin, locale);
        let base = format!("{}/newsletter", page.paths().locale_prefix(locale));
        let (action, token, email, minutes) = match which {
            NewsletterPage::Confirm { token } => ("/confirm", token.clone(), String::new(), 0),
            NewsletterPage::Unsubscribe { token } => {
                ("/unsubscribe", token.clone(), String::new(), 0)
            }
            NewsletterPage::InvalidEmail { email } => ("", String::new(), email.clone(), 0),
            NewsletterPage::Throttled { minutes } => ("", String::new(), String::new(), *minutes),
            _ => ("", String::new(), String::new(), 0),
        };
        let view = NewsletterView {
            state: which.state(),
            subscribe_url: page.url(&base),
            action_url: page.url(&format!("{base}{action}")),
            token,
            email,
            minutes,
        };
        let title = page.strings.get("newsletter.title");
        let mut meta = page.meta(title.clone(), String::new(), &base);
        meta.breadcrumbs = vec![
            page.home_crumb(),
            Crumb {
                label: title,
                url: None,
            },
        ];
        page.render_body("newsletter.html", meta, "", HashMap::new(), |context| {
            context.insert("newsletter", &view);
        })
    }
}

//! The page a circular's recipient opens from their mail, in the site's
//! theme (`circular.html`): the circular, a button to acknowledge it (a
//! link alone acknowledges nothing: mail scanners open links), and their
//! download links. Never cached: each answers one person.

use serde::Serialize;

use super::*;
use crate::directory::circulars::AcknowledgementView;

/// Which answer a circular's link gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CircularPage {
    /// The circular, and a button to acknowledge it (or when it was).
    Open {
        token: String,
        circular: AcknowledgementView,
    },
    /// Just acknowledged.
    Acknowledged {
        token: String,
        circular: AcknowledgementView,
    },
    /// No recipient has this token.
    Invalid,
    /// A download link past its date.
    Expired,
}

/// What `circular.html` receives as `circular`.
#[derive(Debug, Clone, Serialize)]
struct CircularPageView<'a> {
    state: &'static str,
    circular: Option<&'a AcknowledgementView>,
    action_url: String,
    token: &'a str,
    /// When it was acknowledged, as a day.
    acknowledged_day: String,
}

impl App {
    /// Renders a circular's page on its site, in the circular's language
    /// when the site has it.
    pub fn circular_page(
        &self,
        site_id: i32,
        origin: &Origin,
        which: &CircularPage,
    ) -> Result<String, AppError> {
        let network = self.network();
        let Some(site) = network.site(site_id) else {
            return Err(AppError::NotFound(format!("site #{site_id}")));
        };
        let (state, circular, token) = match which {
            CircularPage::Open { token, circular } => ("open", Some(circular), token.as_str()),
            CircularPage::Acknowledged { token, circular } => {
                ("acknowledged", Some(circular), token.as_str())
            }
            CircularPage::Invalid => ("invalid", None, ""),
            CircularPage::Expired => ("expired", None, ""),
        };
        let locale = circular
            .and_then(|c| c.locale.parse::<Locale>().ok())
            .filter(|l| site.locales().contains(l))
            .unwrap_or(site.default_locale);
        let page = Page::new(self, &network, site, origin, locale);
        let base = format!("{}/circulars/ack", page.paths().locale_prefix(locale));
        let view = CircularPageView {
            state,
            circular,
            action_url: page.url(&base),
            token,
            acknowledged_day: circular
                .and_then(|c| c.acknowledged_at)
                .map(|at| {
                    let d = at.date();
                    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
                })
                .unwrap_or_default(),
        };
        let title = circular.map_or_else(|| site.name(locale).to_owned(), |c| c.reference.clone());
        let meta = page.meta(title, String::new(), &base);
        page.render_body("circular.html", meta, "", HashMap::new(), |context| {
            context.insert("circular", &view);
        })
    }
}

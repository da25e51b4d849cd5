//! What a site's own administrators may change about it (names, logo,
//! contact, social and footer links, language, theme) and what each value
//! must look like. Pure: the caller says which themes exist and whether the
//! logo is an image of the site's library; every failure is a
//! [`Problem`] on the field it concerns, so a form can show it in place.

use serde::{Deserialize, Serialize};

use crate::{forbidden_character, forbidden_character_message, FieldErrors, Lines, Problem};

/// Social networks a site may link to; the themes have a label for each.
pub const SOCIAL_NETWORKS: [&str; 7] = [
    "facebook",
    "youtube",
    "x",
    "instagram",
    "linkedin",
    "whatsapp",
    "telegram",
];

/// The most social links a site shows.
pub const MAX_SOCIAL_LINKS: usize = 10;
/// The most links a site's footer shows.
pub const MAX_FOOTER_LINKS: usize = 12;

const NAME_MAX: usize = 200;
const TAGLINE_MAX: usize = 300;
const ADDRESS_MAX: usize = 300;
const LABEL_MAX: usize = 80;
const URL_MAX: usize = 500;
const EMAIL_MAX: usize = 254;
const PHONE_MIN_DIGITS: usize = 6;
const PHONE_MAX: usize = 30;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactSettings {
    pub address_ar: String,
    pub address_fr: String,
    pub phone: String,
    pub email: String,
    /// A link to the site's place on a map.
    pub map_url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocialLinkSettings {
    pub network: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FooterLink {
    pub label_ar: String,
    pub label_fr: String,
    pub url: String,
}

/// A site's settings as a person writes them (the API's body, the form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    pub name_ar: String,
    pub name_fr: String,
    pub tagline_ar: String,
    pub tagline_fr: String,
    /// An image of the site's library. None keeps the logo the site has
    /// (one the network file gave it), unless `no_logo` is set.
    pub logo_media_id: Option<i32>,
    /// Show the name alone, without a logo.
    pub no_logo: bool,
    pub contact: ContactSettings,
    pub social: Vec<SocialLinkSettings>,
    pub footer_links: Vec<FooterLink>,
    /// `ar` or `fr`.
    pub default_locale: String,
    pub theme: String,
}

/// What validation needs to know beyond the values.
#[derive(Debug, Clone, Copy)]
pub struct SettingsContext<'a> {
    pub themes: &'a [String],
    /// Whether the chosen logo is an image of the site's library.
    pub logo_in_library: bool,
}

impl SiteSettings {
    /// The same settings with spaces trimmed, the e-mail in lower case and
    /// wholly empty link rows dropped (a form's spare rows).
    pub fn normalized(mut self) -> SiteSettings {
        for text in [
            &mut self.name_ar,
            &mut self.name_fr,
            &mut self.tagline_ar,
            &mut self.tagline_fr,
            &mut self.contact.address_ar,
            &mut self.contact.address_fr,
            &mut self.contact.phone,
            &mut self.contact.map_url,
            &mut self.default_locale,
            &mut self.theme,
        ] {
            *text = text.trim().to_owned();
        }
        self.contact.email = self.contact.email.trim().to_lowercase();
        if self.no_logo {
            self.logo_media_id = None;
        }
        for link in &mut self.social {
            link.network = link.network.trim().to_lowercase();
            link.url = link.url.trim().to_owned();
        }
        self.social
            .retain(|l| !(l.network.is_empty() && l.url.is_empty()));
        for link in &mut self.footer_links {
            link.label_ar = link.label_ar.trim().to_owned();
            link.label_fr = link.label_fr.trim().to_owned();
            link.url = link.url.trim().to_owned();
        }
        self.footer_links
            .retain(|l| !(l.label_ar.is_empty() && l.label_fr.is_empty() && l.url.is_empty()));
        self
    }

    /// Every problem of the (normalized) settings, by field: `name_ar`,
    /// `contact.email`, `social.2.url`, `footer_links.0.label_fr`…
    pub fn validate(&self, context: SettingsContext<'_>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        required_text(&mut errors, "name_ar", &self.name_ar, NAME_MAX);
        required_text(&mut errors, "name_fr", &self.name_fr, NAME_MAX);
        optional_text(&mut errors, "tagline_ar", &self.tagline_ar, TAGLINE_MAX);
        optional_text(&mut errors, "tagline_fr", &self.tagline_fr, TAGLINE_MAX);
        if let Some(id) = self.logo_media_id {
            if !context.logo_in_library {
                errors.add_problem(
                    "logo_media_id",
                    Problem::new(
                        "settings_logo",
                        format!("media:{id} is not an image of this site's library"),
                    )
                    .with("id", id.to_string()),
                );
            }
        }
        let contact = &self.contact;
        optional_text(
            &mut errors,
            "contact.address_ar",
            &contact.address_ar,
            ADDRESS_MAX,
        );
        optional_text(
            &mut errors,
            "contact.address_fr",
            &contact.address_fr,
            ADDRESS_MAX,
        );
        if !contact.phone.is_empty() && !valid_phone(&contact.phone) {
            errors.add_problem(
                "contact.phone",
                Problem::new(
                    "settings_phone",
                    format!(
                        "a phone number holds digits, spaces, + ( ) - and . only, \
                         {PHONE_MIN_DIGITS} digits at least and {PHONE_MAX} characters at most"
                    ),
                ),
            );
        }
        if !contact.email.is_empty() && !valid_email(&contact.email) {
            errors.add_problem(
                "contact.email",
                Problem::new(
                    "settings_email",
                    "an e-mail address looks like name@example.ma",
                ),
            );
        }
        optional_url(&mut errors, "contact.map_url", &contact.map_url);
        if self.social.len() > MAX_SOCIAL_LINKS {
            errors.add_problem("social", too_many(MAX_SOCIAL_LINKS));
        }
        for (i, link) in self.social.iter().enumerate() {
            if !SOCIAL_NETWORKS.contains(&link.network.as_str()) {
                errors.add_problem(
                    format!("social.{i}.network"),
                    Problem::new(
                        "settings_social_network",
                        format!("choose one of {}", SOCIAL_NETWORKS.join(", ")),
                    ),
                );
            }
            required_url(&mut errors, &format!("social.{i}.url"), &link.url);
        }
        if self.footer_links.len() > MAX_FOOTER_LINKS {
            errors.add_problem("footer_links", too_many(MAX_FOOTER_LINKS));
        }
        for (i, link) in self.footer_links.iter().enumerate() {
            required_text(
                &mut errors,
                &format!("footer_links.{i}.label_ar"),
                &link.label_ar,
                LABEL_MAX,
            );
            required_text(
                &mut errors,
                &format!("footer_links.{i}.label_fr"),
                &link.label_fr,
                LABEL_MAX,
            );
            required_url(&mut errors, &format!("footer_links.{i}.url"), &link.url);
        }
        if !matches!(self.default_locale.as_str(), "ar" | "fr") {
            errors.add_problem(
                "default_locale",
                Problem::new("settings_locale", "choose Arabic (ar) or French (fr)"),
            );
        }
        if !context.themes.contains(&self.theme) {
            errors.add_problem(
                "theme",
                Problem::new(
                    "settings_theme",
                    format!("choose one of the themes: {}", context.themes.join(", ")),
                ),
            );
        }
        errors
    }
}

fn too_many(max: usize) -> Problem {
    Problem::new("settings_too_many", format!("{max} links at most")).with("max", max.to_string())
}

fn control(errors: &mut FieldErrors, field: &str, value: &str) -> bool {
    match forbidden_character(value, Lines::One) {
        Some(c) => {
            errors.add(field, forbidden_character_message(c));
            true
        }
        None => false,
    }
}

fn required_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.is_empty() {
        errors.add_problem(
            field,
            Problem::new("settings_required", "this field is required"),
        );
    } else {
        optional_text(errors, field, value, max);
    }
}

fn optional_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if control(errors, field, value) {
        return;
    }
    let now = value.chars().count();
    if now > max {
        errors.add_problem(
            field,
            Problem::new(
                "settings_too_long",
                format!("{max} characters at most (now {now})"),
            )
            .with("max", max.to_string())
            .with("now", now.to_string()),
        );
    }
}

fn required_url(errors: &mut FieldErrors, field: &str, value: &str) {
    if value.is_empty() {
        errors.add_problem(
            field,
            Problem::new("settings_url", "write an address starting with https://"),
        );
    } else {
        optional_url(errors, field, value);
    }
}

fn optional_url(errors: &mut FieldErrors, field: &str, value: &str) {
    if value.is_empty() || control(errors, field, value) {
        return;
    }
    if !valid_web_url(value) {
        errors.add_problem(
            field,
            Problem::new("settings_url", "write an address starting with https://"),
        );
    }
}

/// An `http` or `https` address with a host, no spaces, not too long.
pub fn valid_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    url.chars().count() <= URL_MAX
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && !host.is_empty()
        && !host.starts_with('.')
        && !host.starts_with(':')
}

/// A plausible address: something@domain.tld, no spaces.
pub fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.len() <= EMAIL_MAX
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Digits, spaces and `+ ( ) - .`, enough digits to ring somebody.
pub fn valid_phone(phone: &str) -> bool {
    phone.chars().count() <= PHONE_MAX
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.'))
        && phone.chars().filter(char::is_ascii_digit).count() >= PHONE_MIN_DIGITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn themes() -> Vec<String> {
        vec!["default".into(), "oasis".into()]
    }

    fn good() -> SiteSettings {
        SiteSettings {
            name_ar: "المديرية الإقليمية بالقنيطرة".into(),
            name_fr: "Direction provinciale de Kénitra".into(),
            logo_media_id: Some(3),
            contact: ContactSettings {
                phone: "+212 5 37 00 00 02".into(),
                email: "contact@dp-kenitra.example".into(),
                map_url: "https://www.openstreetmap.org/#map=15/34.26/-6.58".into(),
                ..Default::default()
            },
            social: vec![SocialLinkSettings {
                network: "facebook".into(),
                url: "https://facebook.com/dp".into(),
            }],
            footer_links: vec![FooterLink {
                label_ar: "الوزارة".into(),
                label_fr: "Le ministère".into(),
                url: "https://www.men.gov.ma".into(),
            }],
            default_locale: "ar".into(),
            theme: "oasis".into(),
            ..Default::default()
        }
    }

    fn problems_of(settings: SiteSettings, logo_in_library: bool) -> Vec<(String, String)> {
        let themes = themes();
        let errors = settings.normalized().validate(SettingsContext {
            themes: &themes,
            logo_in_library,
        });
        errors
            .iter()
            .map(|(field, _)| {
                let code = errors.problems(field).first().map_or("control", |p| p.code);
                (field.to_owned(), code.to_owned())
            })
            .collect()
    }

    #[test]
    fn good_settings_pass() {
        assert_eq!(problems_of(good(), true), vec![]);
    }

    #[test]
    fn each_wrong_value_is_named_on_its_field() {
        type Change = Box<dyn Fn(&mut SiteSettings)>;
        let cases: Vec<(&str, Change, &str, &str)> = vec![
            (
                "empty name",
                Box::new(|s| s.name_fr = "  ".into()),
                "name_fr",
                "settings_required",
            ),
            (
                "long tagline",
                Box::new(|s| s.tagline_ar = "ب".repeat(301)),
                "tagline_ar",
                "settings_too_long",
            ),
            (
                "ftp map",
                Box::new(|s| s.contact.map_url = "ftp://maps.example".into()),
                "contact.map_url",
                "settings_url",
            ),
            (
                "javascript map",
                Box::new(|s| s.contact.map_url = "javascript:alert(1)".into()),
                "contact.map_url",
                "settings_url",
            ),
            (
                "e-mail without domain",
                Box::new(|s| s.contact.email = "contact@".into()),
                "contact.email",
                "settings_email",
            ),
            (
                "letters in the phone",
                Box::new(|s| s.contact.phone = "05 37 XX".into()),
                "contact.phone",
                "settings_phone",
            ),
            (
                "too few digits",
                Box::new(|s| s.contact.phone = "+212".into()),
                "contact.phone",
                "settings_phone",
            ),
            (
                "unknown network",
                Box::new(|s| s.social[0].network = "myspace".into()),
                "social.0.network",
                "settings_social_network",
            ),
            (
                "social without url",
                Box::new(|s| s.social[0].url = String::new()),
                "social.0.url",
                "settings_url",
            ),
            (
                "footer label missing",
                Box::new(|s| s.footer_links[0].label_fr = String::new()),
                "footer_links.0.label_fr",
                "settings_required",
            ),
            (
                "footer url with a space",
                Box::new(|s| s.footer_links[0].url = "https://men gov.ma".into()),
                "footer_links.0.url",
                "settings_url",
            ),
            (
                "english",
                Box::new(|s| s.default_locale = "en".into()),
                "default_locale",
                "settings_locale",
            ),
            (
                "unknown theme",
                Box::new(|s| s.theme = "neon".into()),
                "theme",
                "settings_theme",
            ),
            (
                "control character",
                Box::new(|s| s.name_ar = "a\u{85}b".into()),
                "name_ar",
                "control",
            ),
            (
                "too many social links",
                Box::new(|s| s.social = vec![s.social[0].clone(); 11]),
                "social",
                "settings_too_many",
            ),
        ];
        for (name, change, field, code) in cases {
            let mut settings = good();
            change(&mut settings);
            assert_eq!(
                problems_of(settings, true),
                vec![(field.to_owned(), code.to_owned())],
                "{name}"
            );
        }
    }

    #[test]
    fn a_logo_outside_the_library_is_refused() {
        assert_eq!(
            problems_of(good(), false),
            vec![("logo_media_id".to_owned(), "settings_logo".to_owned())]
        );
    }

    #[test]
    fn spare_rows_are_dropped_and_values_trimmed() {
        let mut settings = good();
        settings.social.push(SocialLinkSettings::default());
        settings.footer_links.push(FooterLink {
            url: " ".into(),
            ..Default::default()
        });
        settings.contact.email = " Contact@DP.example ".into();
        let settings = settings.normalized();
        assert_eq!(settings.social.len(), 1);
        assert_eq!(settings.footer_links.len(), 1);
        assert_eq!(settings.contact.email, "contact@dp.example");
    }
}

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A language the network publishes in. Arabic comes first: it is the default
/// of every site unless the site says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Ar,
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Ar, Locale::Fr, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Ar => "ar",
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// The writing direction of the script, for `dir` attributes.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            Locale::Fr | Locale::En => "ltr",
        }
    }

    /// The OpenGraph locale: Moroccan Arabic audience, French of France.
    pub fn og_locale(self) -> &'static str {
        match self {
            Locale::Ar => "ar_MA",
            Locale::Fr => "fr_FR",
            Locale::En => "en_GB",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Locale {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ar" => Ok(Locale::Ar),
            "fr" => Ok(Locale::Fr),
            "en" => Ok(Locale::En),
            other => Err(DomainError::UnknownValue {
                what: "locale",
                value: other.to_owned(),
                expected: "ar, fr, en",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_reads_right_to_left_and_latin_languages_left_to_right() {
        assert_eq!(Locale::Ar.dir(), "rtl");
        assert_eq!(Locale::Fr.dir(), "ltr");
        assert_eq!(Locale::En.dir(), "ltr");
    }

    #[test]
    fn parses_only_known_codes() {
        for locale in Locale::ALL {
            assert_eq!(locale.as_str().parse::<Locale>(), Ok(locale));
        }
        assert!("AR".parse::<Locale>().is_err());
        assert!("de".parse::<Locale>().is_err());
    }
}

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Where a site stands in the administration: the ministry, a regional
/// academy (AREF), a provincial directorate, or a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteKind {
    Ministry,
    Academy,
    Directorate,
    School,
}

impl SiteKind {
    pub const ALL: [SiteKind; 4] = [
        SiteKind::Ministry,
        SiteKind::Academy,
        SiteKind::Directorate,
        SiteKind::School,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Ministry => "ministry",
            SiteKind::Academy => "academy",
            SiteKind::Directorate => "directorate",
            SiteKind::School => "school",
        }
    }

    /// Whether a site of this kind may sit under a parent of `parent` kind
    /// (`None`: at the top of the network). The hierarchy mirrors the
    /// administration: a directorate belongs to an academy, a school to a
    /// directorate; an academy may stand alone when the ministry is not hosted.
    pub fn accepts_parent(self, parent: Option<SiteKind>) -> bool {
        matches!(
            (self, parent),
            (SiteKind::Ministry, None)
                | (SiteKind::Academy, None | Some(SiteKind::Ministry))
                | (SiteKind::Directorate, Some(SiteKind::Academy))
                | (SiteKind::School, Some(SiteKind::Directorate))
        )
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SiteKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SiteKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "site kind",
                value: s.to_owned(),
                expected: "ministry, academy, directorate, school",
            })
    }
}

/// Path segments that belong to the platform, so no site may take them as its
/// slug in a one-domain deployment (`/{site}/…`).
const RESERVED_SLUGS: &[&str] = &[
    "api", "admin", "healthz", "uploads", "static", "assets", "login", "logout", "search", "feed",
    "sitemap", "robots", "ar", "fr", "en", "www",
];

/// A site's short name, used in URLs: 2 to 40 of `a-z`, `0-9` and `-`, not
/// starting or ending with `-`, and not one of the platform's own paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SiteSlug(String);

impl SiteSlug {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let ok_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(2..=40).contains(&value.len())
            || !ok_chars
            || value.starts_with('-')
            || value.ends_with('-')
            || value.contains("--")
        {
            return Err(DomainError::field(
                "slug",
                format!(
                    "`{value}` is not a valid site slug: use 2 to 40 lower-case letters a-z, digits and single hyphens"
                ),
            ));
        }
        if RESERVED_SLUGS.contains(&value) {
            return Err(DomainError::field(
                "slug",
                format!("`{value}` is reserved by the platform; choose another site slug"),
            ));
        }
        Ok(SiteSlug(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SiteSlug {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        SiteSlug::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SiteKind::*;

    #[test]
    fn hierarchy_follows_the_administration() {
        let table = [
            (Ministry, None, true),
            (Ministry, Some(Academy), false),
            (Academy, None, true),
            (Academy, Some(Ministry), true),
            (Academy, Some(Directorate), false),
            (Directorate, Some(Academy), true),
            (Directorate, None, false),
            (Directorate, Some(Directorate), false),
            (School, Some(Directorate), true),
            (School, Some(Academy), false),
            (School, None, false),
        ];
        for (kind, parent, expected) in table {
            assert_eq!(
                kind.accepts_parent(parent),
                expected,
                "{kind} under {parent:?}"
            );
        }
    }

    #[test]
    fn site_slugs() {
        let table = [
            ("dp-rabat", true),
            ("aref-rsk", true),
            ("x", false),
            ("DP-Rabat", false),
            ("-rabat", false),
            ("rabat-", false),
            ("dp--rabat", false),
            ("dp_rabat", false),
            ("الرباط", false),
            ("api", false),
            ("healthz", false),
            ("a234567890123456789012345678901234567890", true),
            ("a2345678901234567890123456789012345678901", false),
        ];
        for (slug, ok) in table {
            assert_eq!(SiteSlug::parse(slug).is_ok(), ok, "{slug}");
        }
    }
}

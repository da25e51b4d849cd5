//! Public URLs of a site (API.md), both ways: parsing a request path into a
//! route, and building the path of a page.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use tawasul_domain::{EntryKind, Locale};

use crate::network::Site;

/// Characters that cannot appear raw in a path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Archive(EntryKind),
    Entry {
        kind: EntryKind,
        id: i32,
        slug: Option<String>,
    },
    Category(String),
    Tag(String),
    Programme(String),
    Search,
    Feed,
    Sitemap,
    Robots,
}

/// Parses the (percent-decoded) path segments below a site's root. A first
/// segment naming the site's other language selects it; entries carry their
/// own language and have no such prefix.
pub fn parse(segments: &[&str], site_locales: [Locale; 2]) -> Option<(Locale, Route)> {
    let [default, other] = site_locales;
    let (locale, rest) = match segments.split_first() {
        Some((first, rest)) if *first == other.as_str() => (other, rest),
        _ => (default, segments),
    };
    let prefixed = locale != default;
    let route = match rest {
        [] => Route::Home,
        ["feed.atom"] => Route::Feed,
        ["search"] => Route::Search,
        ["sitemap.xml"] if !prefixed => Route::Sitemap,
        ["robots.txt"] if !prefixed => Route::Robots,
        ["category", slug] => Route::Category((*slug).to_owned()),
        ["tag", slug] => Route::Tag((*slug).to_owned()),
        ["programme", slug] => Route::Programme((*slug).to_owned()),
        [segment] => {
            let kind = EntryKind::from_path_segment(segment).filter(|k| k.has_archive())?;
            Route::Archive(kind)
        }
        [segment, id_slug] if !prefixed => {
            let kind = EntryKind::from_path_segment(segment)?;
            let (id, slug) = match id_slug.split_once('-') {
                Some((id, slug)) => (id, Some(slug.to_owned())),
                None => (*id_slug, None),
            };
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Route::Entry {
                kind,
                id: id.parse().ok()?,
                slug,
            }
        }
        _ => return None,
    };
    Some((locale, route))
}

/// The language a path is in, whether or not it leads anywhere: a page
/// not found under `/fr/` says so in French.
pub fn locale_of(segments: &[&str], site_locales: [Locale; 2]) -> Locale {
    let [default, other] = site_locales;
    match segments.first() {
        Some(first) if *first == other.as_str() => other,
        _ => default,
    }
}

/// Builds site-relative paths (without the site's own prefix).
pub struct Paths<'a> {
    pub site: &'a Site,
}

impl Paths<'_> {
    /// `""` for the site's default language, `/fr` for the other one.
    pub fn locale_prefix(&self, locale: Locale) -> String {
        if locale == self.site.default_locale {
            String::new()
        } else {
            format!("/{locale}")
        }
    }

    pub fn home(&self, locale: Locale) -> String {
        format!("{}/", self.locale_prefix(locale))
    }

    pub fn archive(&self, locale: Locale, kind: EntryKind) -> String {
        format!("{}/{}/", self.locale_prefix(locale), kind.path_segment())
    }

    pub fn entry(kind: EntryKind, id: i32, slug: &str) -> String {
        if slug.is_empty() {
            format!("/{}/{id}", kind.path_segment())
        } else {
            format!("/{}/{id}-{}", kind.path_segment(), encode_segment(slug))
        }
    }

    pub fn category(&self, locale: Locale, slug: &str) -> String {
        format!(
            "{}/category/{}",
            self.locale_prefix(locale),
            encode_segment(slug)
        )
    }

    pub fn tag(&self, locale: Locale, slug: &str) -> String {
        format!(
            "{}/tag/{}",
            self.locale_prefix(locale),
            encode_segment(slug)
        )
    }

    pub fn programme(&self, locale: Locale, slug: &str) -> String {
        format!(
            "{}/programme/{}",
            self.locale_prefix(locale),
            encode_segment(slug)
        )
    }

    pub fn feed(&self, locale: Locale) -> String {
        format!("{}/feed.atom", self.locale_prefix(locale))
    }

    pub fn search(&self, locale: Locale) -> String {
        format!("{}/search", self.locale_prefix(locale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryKind::*;

    const AR_SITE: [Locale; 2] = [Locale::Ar, Locale::Fr];

    #[test]
    fn public_paths_of_a_site() {
        let entry = |kind, id, slug: Option<&str>| Route::Entry {
            kind,
            id,
            slug: slug.map(str::to_owned),
        };
        type Case<'a> = (&'a [&'a str], Option<(Locale, Route)>);
        let table: Vec<Case<'_>> = vec![
            (&[], Some((Locale::Ar, Route::Home))),
            (&["fr"], Some((Locale::Fr, Route::Home))),
            (&["news"], Some((Locale::Ar, Route::Archive(News)))),
            (
                &["fr", "training"],
                Some((Locale::Fr, Route::Archive(TrainingReport))),
            ),
            (
                &["announcements"],
                Some((Locale::Ar, Route::Archive(Announcement))),
            ),
            (&["events"], Some((Locale::Ar, Route::Archive(Event)))),
            (&["pages"], None),
            (
                &["news", "12-rentree"],
                Some((Locale::Ar, entry(News, 12, Some("rentree")))),
            ),
            (
                &["news", "12-الدخول-المدرسي"],
                Some((Locale::Ar, entry(News, 12, Some("الدخول-المدرسي")))),
            ),
            (&["pages", "3"], Some((Locale::Ar, entry(Page, 3, None)))),
            (&["news", "x-rentree"], None),
            (&["news", "-rentree"], None),
            (&["news", "99999999999-x"], None),
            (&["fr", "news", "12-x"], None),
            (
                &["category", "examens"],
                Some((Locale::Ar, Route::Category("examens".into()))),
            ),
            (
                &["fr", "tag", "massar"],
                Some((Locale::Fr, Route::Tag("massar".into()))),
            ),
            (
                &["programme", "tayssir"],
                Some((Locale::Ar, Route::Programme("tayssir".into()))),
            ),
            (&["search"], Some((Locale::Ar, Route::Search))),
            (&["feed.atom"], Some((Locale::Ar, Route::Feed))),
            (&["fr", "feed.atom"], Some((Locale::Fr, Route::Feed))),
            (&["sitemap.xml"], Some((Locale::Ar, Route::Sitemap))),
            (&["fr", "sitemap.xml"], None),
            (&["robots.txt"], Some((Locale::Ar, Route::Robots))),
            (&["ar"], None),
            (&["wp-login.php"], None),
            (&["news", "1-a", "extra"], None),
        ];
        for (segments, expected) in table {
            assert_eq!(parse(segments, AR_SITE), expected, "{segments:?}");
        }
    }

    #[test]
    fn a_french_first_site_prefixes_arabic() {
        let fr_site = [Locale::Fr, Locale::Ar];
        assert_eq!(parse(&["ar"], fr_site), Some((Locale::Ar, Route::Home)));
        assert_eq!(parse(&["fr"], fr_site), None);
        let ar_site = [Locale::Ar, Locale::Fr];
        assert_eq!(locale_of(&["fr", "nowhere"], ar_site), Locale::Fr);
        assert_eq!(locale_of(&["nowhere"], ar_site), Locale::Ar);
        assert_eq!(locale_of(&["ar", "x"], fr_site), Locale::Ar);
    }

    #[test]
    fn arabic_slugs_are_percent_encoded_in_paths() {
        assert_eq!(
            Paths::entry(News, 7, "الدخول-المدرسي"),
            "/news/7-%D8%A7%D9%84%D8%AF%D8%AE%D9%88%D9%84-%D8%A7%D9%84%D9%85%D8%AF%D8%B1%D8%B3%D9%8A"
        );
        assert_eq!(Paths::entry(Page, 3, ""), "/pages/3");
    }
}

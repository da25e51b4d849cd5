//! The addresses a WordPress site answered besides an item's own link:
//! every permalink structure a site may have used, so an old link keeps
//! working whichever one the directorate had chosen.

use time::OffsetDateTime;

use crate::import::moving::source::SiteTarget;

/// `/2019/05/12/slug`, `/2019/05/slug`, `/slug` and `/archives/<slug>`:
/// the structures WordPress offers ("day and name", "month and name",
/// "post name") for a post.
pub fn post_keys(date: OffsetDateTime, slug: &str) -> Vec<String> {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    vec![
        format!("/{y}/{m:02}/{d:02}/{slug}"),
        format!("/{y}/{m:02}/{slug}"),
        format!("/{slug}"),
    ]
}

/// The site's own old addresses: its feeds.
pub fn site_keys() -> Vec<(String, SiteTarget)> {
    [
        "/feed",
        "/feed/rss2",
        "/feed/atom",
        "/rss",
        "?feed=rss2",
        "?feed=rss",
        "?feed=atom",
        "/comments/feed",
    ]
    .into_iter()
    .map(|k| (k.to_owned(), SiteTarget::Feed))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_post_answers_every_permalink_structure() {
        assert_eq!(
            post_keys(datetime!(2019-05-02 9:00 UTC), "الدخول-المدرسي"),
            vec![
                "/2019/05/02/الدخول-المدرسي".to_owned(),
                "/2019/05/الدخول-المدرسي".to_owned(),
                "/الدخول-المدرسي".to_owned(),
            ]
        );
    }
}

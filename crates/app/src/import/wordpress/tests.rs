//! The WXR reader over small exports written here.

use crate::import::moving::read::{read_export, Format};
use crate::import::moving::source::{ItemKind, SourceEvent, SourceStatus};

fn export(version: &str, items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/{version}/">
<channel>
<title>Direction provinciale</title>
<link>https://www.dp-old.ma</link>
<language>ar</language>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:base_site_url>https://dp-old.ma</wp:base_site_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[admin]]></wp:author_login><wp:author_email><![CDATA[Admin@DP-old.ma]]></wp:author_email><wp:author_display_name><![CDATA[Amal]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[أخبار]]></wp:cat_name></wp:category>
{items}
</channel>
</rss>"#
    )
}

const POST: &str = r#"<item>
<title><![CDATA[الدخول المدرسي]]></title>
<link>https://dp-old.ma/2019/09/02/%d8%a7%d9%84%d8%af%d8%ae%d9%88%d9%84/</link>
<guid isPermaLink="false">https://dp-old.ma/?p=12</guid>
<dc:creator><![CDATA[admin]]></dc:creator>
<content:encoded><![CDATA[<p>نص</p>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>12</wp:post_id>
<wp:post_date><![CDATA[2019-09-02 10:00:00]]></wp:post_date>
<wp:post_date_gmt><![CDATA[2019-09-02 09:00:00]]></wp:post_date_gmt>
<wp:post_name><![CDATA[%d8%a7%d9%84%d8%af%d8%ae%d9%88%d9%84]]></wp:post_name>
<wp:status><![CDATA[publish]]></wp:status>
<wp:post_parent>0</wp:post_parent>
<wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1"><![CDATA[أخبار]]></category>
<category domain="post_tag" nicename="rentree"><![CDATA[Rentrée]]></category>
<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[13]]></wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[bravo]]></wp:comment_content></wp:comment>
</item>"#;

fn events(xml: &str) -> Result<Vec<SourceEvent>, String> {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("export.xml");
    std::fs::write(&path, xml).expect("write");
    let mut found = Vec::new();
    read_export(Format::WordPress, &path, |e| {
        found.push(e);
        true
    })
    .map_err(|e| format!("{:?}: {}", e.line, e.message))?;
    Ok(found)
}

#[test]
fn a_post_comes_with_its_readable_slug_terms_and_old_addresses() {
    let found = events(&export("1.2", POST)).expect("read");
    let item = found
        .iter()
        .find_map(|e| match e {
            SourceEvent::Item(item) => Some(item),
            _ => None,
        })
        .expect("an item");
    assert_eq!(item.key, "post:12");
    assert_eq!(item.kind, ItemKind::Post);
    assert_eq!(item.slug, "الدخول");
    assert_eq!(item.status, SourceStatus::Published);
    assert_eq!(item.thumbnail, Some(13));
    assert_eq!(item.author.as_deref(), Some("admin"));
    assert_eq!(
        item.categories,
        vec![("أخبار".to_owned(), "أخبار".to_owned())]
    );
    assert_eq!(
        item.tags,
        vec![("rentree".to_owned(), "Rentrée".to_owned())]
    );
    assert_eq!(item.content, "<p>نص</p>");
    for key in ["/2019/09/02/الدخول", "?p=12", "/2019/09/الدخول", "/الدخول"] {
        assert!(
            item.old_keys.contains(&key.to_owned()),
            "{key}: {:?}",
            item.old_keys
        );
    }
    let channel = found
        .iter()
        .find_map(|e| match e {
            SourceEvent::Channel(c) => Some(c),
            _ => None,
        })
        .expect("channel");
    assert_eq!(channel.hosts, vec!["dp-old.ma".to_owned()]);
    assert_eq!(channel.language.as_deref(), Some("ar"));
    assert!(found
        .iter()
        .any(|e| matches!(e, SourceEvent::Author(a) if a.email == "admin@dp-old.ma")));
}

#[test]
fn versions_one_one_and_one_two_are_read_and_others_refused() {
    assert!(events(&export("1.1", POST)).is_ok());
    let err = events(&export("2.0", POST)).expect_err("refused");
    assert!(err.contains("WXR version 2.0"), "{err}");
}

#[test]
fn menus_and_binned_posts_are_skipped_with_a_reason() {
    let menu = POST.replace(
        "<![CDATA[post]]></wp:post_type>",
        "<![CDATA[nav_menu_item]]></wp:post_type>",
    );
    let binned = POST.replace("<![CDATA[publish]]>", "<![CDATA[trash]]>");
    let found = events(&export("1.2", &format!("{menu}\n{binned}"))).expect("read");
    let skipped: Vec<&str> = found
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Skipped { what, .. } => Some(what.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(skipped, vec!["nav_menu_item", "post"]);
}

#[test]
fn a_file_that_is_not_an_export_says_so() {
    let err = events("<html><body/></html>").expect_err("refused");
    assert!(err.contains("not a WordPress export"), "{err}");
    let err = events("<rss><channel><item></item></channel></rss>").expect_err("refused");
    assert!(err.contains("wxr_version"), "{err}");
}

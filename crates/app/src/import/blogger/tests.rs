//! The Blogger reader over small exports written here, in both shapes.

use crate::import::moving::read::{read_export, Format};
use crate::import::moving::source::{ItemKind, SourceEvent, SourceStatus};

fn events(xml: &str) -> Result<Vec<SourceEvent>, String> {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("blog.xml");
    std::fs::write(&path, xml).expect("write");
    let mut found = Vec::new();
    read_export(Format::Blogger, &path, |e| {
        found.push(e);
        true
    })
    .map_err(|e| format!("{:?}: {}", e.line, e.message))?;
    Ok(found)
}

fn items(found: &[SourceEvent]) -> Vec<&crate::import::moving::source::SourceItem> {
    found
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Item(i) => Some(&**i),
            _ => None,
        })
        .collect()
}

const CLASSIC: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'>
<id>tag:blogger.com,1999:blog-77</id>
<title type='text'>Blog de l'école</title>
<link rel='alternate' type='text/html' href='https://ecole-x.blogspot.com/'/>
<entry>
<id>tag:blogger.com,1999:blog-77.post-501</id>
<published>2020-03-04T10:00:00.000+01:00</published>
<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/>
<category scheme='http://www.blogger.com/atom/ns#' term='Sorties'/>
<title type='text'>Sortie au musée</title>
<content type='html'>&lt;p&gt;Visite.&lt;/p&gt;</content>
<link rel='alternate' type='text/html' href='https://ecole-x.blogspot.com/2020/03/sortie-au-musee.html'/>
<author><name>Salma</name><email>noreply@blogger.com</email></author>
</entry>
<entry>
<id>tag:blogger.com,1999:blog-77.post-502</id>
<published>2020-03-05T10:00:00.000+01:00</published>
<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/>
<title type='text'>Brouillon</title>
<content type='html'>x</content>
<app:control xmlns:app='http://purl.org/atom/app#'><app:draft>yes</app:draft></app:control>
</entry>
<entry>
<id>tag:blogger.com,1999:blog-77.settings.X</id>
<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#settings'/>
<title type='text'>x</title><content type='text'>y</content>
</entry>
</feed>"#;

#[test]
fn classic_exports_give_posts_drafts_labels_and_addresses() {
    let found = events(CLASSIC).expect("read");
    let items = items(&found);
    assert_eq!(items.len(), 2);
    let post = items[0];
    assert_eq!(post.key, "post:post-501");
    assert_eq!(post.kind, ItemKind::Post);
    assert_eq!(post.slug, "sortie-au-musee");
    assert_eq!(post.content, "<p>Visite.</p>");
    assert_eq!(post.tags, vec![(String::new(), "Sorties".to_owned())]);
    assert_eq!(
        post.old_keys,
        vec!["/2020/03/sortie-au-musee.html".to_owned()]
    );
    assert_eq!(post.status, SourceStatus::Published);
    assert_eq!(items[1].status, SourceStatus::Draft);
    assert!(found
        .iter()
        .any(|e| matches!(e, SourceEvent::Skipped { what, .. } if what == "settings")));
}

#[test]
fn newer_exports_are_read_too() {
    let xml = r#"<feed xmlns='http://www.w3.org/2005/Atom' xmlns:blogger='http://schemas.google.com/blogger/2018'>
<id>tag:blogger.com,1999:blog-9</id>
<link rel='alternate' href='https://ecole.blogspot.com/'/>
<entry><id>tag:blogger.com,1999:blog-9.page-3</id><blogger:type>PAGE</blogger:type><blogger:status>LIVE</blogger:status>
<title>Contact</title><content type='html'>&lt;p&gt;Tél&lt;/p&gt;</content><published>2021-01-01T00:00:00Z</published>
<blogger:filename>/p/contact.html</blogger:filename></entry>
</feed>"#;
    let found = events(xml).expect("read");
    let page = items(&found)[0];
    assert_eq!(page.kind, ItemKind::Page);
    assert_eq!(page.old_keys, vec!["/p/contact.html".to_owned()]);
    assert_eq!(page.slug, "contact");
}

#[test]
fn a_feed_that_is_not_blogger_is_refused() {
    let err = events("<feed><id>urn:x</id><entry><title>a</title></entry></feed>").expect_err("no");
    assert!(err.contains("not a Blogger export"), "{err}");
}

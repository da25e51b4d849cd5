use super::*;

fn plain(html: &str) -> Converted {
    html_to_markdown(html, Arc::new(MediaMap::default()))
}

fn with_media() -> Arc<MediaMap> {
    let mut map = MediaMap::default();
    map.by_key.insert(
        "uploads/2019/05/tableau.jpg".into(),
        MediaRef { id: 7, shown: true },
    );
    map.by_key.insert(
        "uploads/2019/05/note.pdf".into(),
        MediaRef {
            id: 8,
            shown: false,
        },
    );
    map.by_attachment
        .insert(12, MediaRef { id: 9, shown: true });
    map.videos
        .insert("https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(), 5);
    Arc::new(map)
}

#[test]
fn file_keys_ignore_sizes_and_hosts() {
    let cases = [
        (
            "https://old.ma/wp-content/uploads/2019/05/tableau-300x200.jpg",
            Some("uploads/2019/05/tableau.jpg"),
        ),
        (
            "/wp-content/uploads/2019/05/tableau-scaled.jpg?v=2",
            Some("uploads/2019/05/tableau.jpg"),
        ),
        (
            "https://old.ma/wp-content/uploads/2019/05/%D8%B5%D9%88%D8%B1%D8%A9.png",
            Some("uploads/2019/05/صورة.png"),
        ),
        (
            "https://old.ma/wp-content/uploads/2019/05/plan-a-b.pdf",
            Some("uploads/2019/05/plan-a-b.pdf"),
        ),
        (
            "https://1.bp.blogspot.com/-x/AAA/s1600/photo.jpg",
            Some("blogger/-x/AAA/photo.jpg"),
        ),
        (
            "https://blogger.googleusercontent.com/img/b/R29/w640-h480/photo.jpg",
            Some("blogger/img/b/R29/photo.jpg"),
        ),
        ("https://elsewhere.ma/a.jpg", None),
    ];
    for (url, want) in cases {
        assert_eq!(media_key(url).as_deref(), want, "{url}");
    }
}

#[test]
fn classic_paragraphs_and_formatting_become_markdown() {
    let out = plain("Le <strong>conseil</strong> s'est réuni.\n\nالمجلس <em>انعقد</em>.");
    assert_eq!(
        out.markdown,
        "Le **conseil** s'est réuni.\n\nالمجلس *انعقد*."
    );
}

#[test]
fn block_editor_markup_leaves_no_trace() {
    let html = "<!-- wp:heading -->\n<h2>Bilan</h2>\n<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Texte.</p>\n<!-- /wp:paragraph -->";
    assert_eq!(plain(html).markdown, "## Bilan\n\nTexte.");
}

#[test]
fn images_of_the_library_become_media_references() {
    let html = r#"<p><a href="/wp-content/uploads/2019/05/tableau.jpg"><img class="size-medium" src="https://old.ma/wp-content/uploads/2019/05/tableau-300x200.jpg" alt="Le tableau"></a></p><p><img src="x.jpg" class="wp-image-12"></p>"#;
    let out = html_to_markdown(html, with_media());
    assert_eq!(out.markdown, "![Le tableau](media:7)\n\n![](media:9)");
    assert_eq!(out.shown, vec![7, 9]);
}

#[test]
fn files_are_listed_while_planning_and_stay_links_until_known() {
    let out = plain(
        r#"<p><img src="/wp-content/uploads/2019/05/a.jpg" alt="a"> <a href="https://old.ma/wp-content/uploads/2019/05/note.pdf">La note</a></p>"#,
    );
    assert_eq!(
        out.files,
        vec![
            "/wp-content/uploads/2019/05/a.jpg".to_owned(),
            "https://old.ma/wp-content/uploads/2019/05/note.pdf".to_owned()
        ]
    );
    let known = html_to_markdown(
        r#"<a href="https://old.ma/wp-content/uploads/2019/05/note.pdf">La note</a>"#,
        with_media(),
    );
    assert_eq!(known.markdown, "[La note](media:8)");
}

#[test]
fn captions_become_figures_whose_image_is_still_markdown() {
    let html = r#"[caption id="attachment_7" width="300"]<img src="/wp-content/uploads/2019/05/tableau.jpg" alt="لوحة"> حفل التتويج[/caption]"#;
    let out = html_to_markdown(html, with_media());
    assert_eq!(
        out.markdown,
        "<figure>\n\n![لوحة](media:7)\n\n<figcaption>حفل التتويج</figcaption>\n</figure>"
    );
    let block = r#"<figure class="wp-block-image"><img src="/wp-content/uploads/2019/05/tableau.jpg" alt="x" class="wp-image-7"/><figcaption>Remise des prix</figcaption></figure>"#;
    assert!(html_to_markdown(block, with_media())
        .markdown
        .contains("<figcaption>Remise des prix</figcaption>"));
}

#[test]
fn youtube_embeds_of_every_kind_become_library_videos() {
    let forms = [
        "[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]",
        r#"<iframe width="560" src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>"#,
        "<!-- wp:embed {\"url\":\"https://youtu.be/dQw4w9WgXcQ\"} -->\n<figure class=\"wp-block-embed is-type-video wp-block-embed-youtube\"><div class=\"wp-block-embed__wrapper\">\nhttps://youtu.be/dQw4w9WgXcQ\n</div></figure>\n<!-- /wp:embed -->",
    ];
    for html in forms {
        let out = html_to_markdown(html, with_media());
        assert_eq!(out.markdown, "![](media:5)", "{html}");
        assert_eq!(
            out.videos,
            vec!["https://www.youtube.com/watch?v=dQw4w9WgXcQ".to_owned()]
        );
    }
}

#[test]
fn galleries_are_given_apart_from_the_text() {
    let out = plain("Photos : [gallery ids=\"12,13\"]");
    assert_eq!(out.markdown, "Photos :");
    assert_eq!(out.gallery, Some(vec![12, 13]));
}

#[test]
fn what_markdown_cannot_say_stays_as_html() {
    assert_eq!(
        plain("<p>m<sup>2</sup> et H<sub>2</sub>O</p>").markdown,
        "m<sup>2</sup> et H<sub>2</sub>O"
    );
}

#[test]
fn hostile_markup_is_left_out_and_reported() {
    let out = plain(
        r#"<p>Bonjour<script>alert(1)</script></p><iframe src="https://evil.example/x"></iframe><form action="/x"><input name=a></form>"#,
    );
    assert!(!out.markdown.contains("alert"), "{}", out.markdown);
    assert!(!out.markdown.contains("<iframe"), "{}", out.markdown);
    assert!(
        out.notes.iter().any(|n| n.contains("<script>")),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes.iter().any(|n| n.contains("evil.example")),
        "{:?}",
        out.notes
    );
}

#[test]
fn excerpts_read_as_plain_text() {
    assert_eq!(
        html_text("<p>Un <b>bref</b>\nrésumé.</p>"),
        "Un bref résumé."
    );
}

/// The render crate's XSS corpus, taken as an old site's HTML: whatever
/// the converter makes of it, the page it renders to runs nothing.
#[test]
fn the_xss_corpus_through_the_importer_runs_nothing() {
    const CORPUS: &str = include_str!("../../../../render/tests/xss_payloads.txt");
    let mut checked = 0;
    for payload in CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.replace("\\n", "\n"))
    {
        let markdown = plain(&payload).markdown;
        let html = tawasul_render::markdown::to_safe_html(&markdown).to_ascii_lowercase();
        for element in [
            "<script", "<iframe", "<object", "<embed", "<svg", "<style", "<form", "<base", "<meta",
            "<link",
        ] {
            assert!(
                !html.contains(element),
                "{element} from {payload:?}: {html}"
            );
        }
        // Inside tags only: attributes that run code, URLs that do.
        let mut rest = html.as_str();
        while let Some(open) = rest.find('<') {
            let close = rest[open..].find('>').map_or(rest.len(), |c| open + c);
            let tag = &rest[open..close];
            let handler = tag
                .split_whitespace()
                .skip(1)
                .any(|attr| attr.starts_with("on") && attr.contains('='));
            assert!(!handler, "an event handler in {tag} from {payload:?}");
            // A URL runs code only when its scheme is one that does (a
            // value like `%60javascript:…` is a harmless relative path).
            for attr in ["href=\"", "src=\""] {
                let mut at = tag;
                while let Some(i) = at.find(attr) {
                    let value = at[i + attr.len()..].trim_start();
                    for scheme in ["javascript:", "vbscript:", "data:text"] {
                        assert!(
                            !value.starts_with(scheme),
                            "{scheme} in {tag} from {payload:?}"
                        );
                    }
                    at = &at[i + attr.len()..];
                }
            }
            rest = &rest[close.min(rest.len())..];
            if rest.is_empty() {
                break;
            }
            rest = &rest[1.min(rest.len())..];
        }
        checked += 1;
    }
    assert!(checked > 300, "{checked} payloads");
}

//! Export files of other publishing systems, written by the tests
//! themselves: a WordPress WXR and a Blogger Atom feed, item by item.

use std::fmt::Write as _;
use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};

/// A small JPEG photo, different for each seed.
pub fn jpeg(seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, y| {
        Rgb([
            (x * 4 + seed * 40) as u8,
            (y * 5 + seed * 17) as u8,
            ((x + y) * 2 + seed) as u8,
        ])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .expect("encode");
    out
}

/// `%d8%a7…`, as WordPress writes Arabic slugs.
pub fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// One `<item>` of a WXR file.
#[derive(Debug, Clone, Default)]
pub struct WpItem {
    pub id: u32,
    pub kind: &'static str,
    pub title: String,
    pub slug: String,
    pub status: &'static str,
    /// `2019-09-02 09:00:00`, UTC.
    pub date: String,
    pub content: String,
    pub excerpt: String,
    pub author: &'static str,
    pub categories: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub parent: u32,
    pub thumbnail: Option<u32>,
    pub attachment_url: String,
    pub alt: String,
    /// The permalink the old site showed.
    pub link: String,
}

impl WpItem {
    pub fn post(id: u32, title: &str, slug: &str, date: &str, content: &str) -> WpItem {
        WpItem {
            id,
            kind: "post",
            title: title.to_owned(),
            slug: percent(slug),
            status: "publish",
            date: date.to_owned(),
            content: content.to_owned(),
            author: "admin",
            link: format!(
                "https://www.dp-old.ma/{}/{}/{}/{}/",
                &date[0..4],
                &date[5..7],
                &date[8..10],
                percent(slug)
            ),
            ..WpItem::default()
        }
    }

    pub fn page(id: u32, title: &str, slug: &str, content: &str) -> WpItem {
        WpItem {
            kind: "page",
            link: format!("https://www.dp-old.ma/{}/", percent(slug)),
            ..WpItem::post(id, title, slug, "2018-01-10 08:00:00", content)
        }
    }

    pub fn attachment(id: u32, parent: u32, file: &str, alt: &str) -> WpItem {
        WpItem {
            id,
            kind: "attachment",
            title: file.to_owned(),
            slug: file.replace('.', "-"),
            status: "inherit",
            date: "2019-09-01 08:00:00".to_owned(),
            author: "admin",
            parent,
            attachment_url: format!("https://dp-old.ma/wp-content/uploads/{file}"),
            alt: alt.to_owned(),
            link: format!("https://dp-old.ma/?attachment_id={id}"),
            ..WpItem::default()
        }
    }
}

/// A directorate's WordPress site as tests move it in: Arabic and French
/// posts, classic and block markup, shortcodes, attachments (one whose file
/// is missing, one without alt text), a page, a draft, a scheduled and a
/// private post, a title used twice, hostile HTML and a menu item.
pub fn sample_site() -> Vec<WpItem> {
    let mut rentree = WpItem::post(
        10,
        "الدخول المدرسي 2019",
        "الدخول-المدرسي",
        "2019-09-02 09:00:00",
        concat!(
            "انطلق الموسم الدراسي في ظروف جيدة.\n\n",
            "[caption id=\"attachment_100\" align=\"alignnone\" width=\"300\"]",
            "<a href=\"https://dp-old.ma/wp-content/uploads/2019/09/rentree.jpg\">",
            "<img class=\"size-medium wp-image-100\" src=\"https://dp-old.ma/wp-content/uploads/2019/09/rentree-300x200.jpg\" alt=\"تلاميذ في القسم\" /></a>",
            " تلاميذ في أول يوم[/caption]\n\n",
            "اقرأ أيضا <a href=\"https://www.dp-old.ma/?p=11\">ورشة الكتابة</a>.\n\n",
            "<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" frameborder=\"0\"></iframe>\n\n",
            "الحصيلة: m<sup>2</sup> من الأقسام الجديدة."
        ),
    );
    rentree.categories = vec![("أخبار".into(), "أخبار".into())];
    rentree.tags = vec![("rentree".into(), "Rentrée".into())];
    rentree.thumbnail = Some(100);

    let mut atelier = WpItem::post(
        11,
        "Atelier d'écriture",
        "atelier-decriture",
        "2019-10-05 10:30:00",
        concat!(
            "<!-- wp:paragraph -->\n<p>Les élèves ont écrit des contes. Voir <a href=\"https://www.dp-old.ma/2019/09/02/",
            "%d8%a7%d9%84%d8%af%d8%ae%d9%88%d9%84-%d8%a7%d9%84%d9%85%d8%af%d8%b1%d8%b3%d9%8a/\">la rentrée</a>.</p>\n<!-- /wp:paragraph -->\n\n",
            "<!-- wp:image {\"id\":101} -->\n<figure class=\"wp-block-image size-large\"><img src=\"https://dp-old.ma/wp-content/uploads/2019/10/atelier-1024x768.jpg\" alt=\"\" class=\"wp-image-101\"/><figcaption>Remise des prix</figcaption></figure>\n<!-- /wp:image -->\n\n",
            "<!-- wp:embed {\"url\":\"https://youtu.be/dQw4w9WgXcQ\",\"type\":\"video\"} -->\n<figure class=\"wp-block-embed is-type-video wp-block-embed-youtube\"><div class=\"wp-block-embed__wrapper\">\nhttps://youtu.be/dQw4w9WgXcQ\n</div></figure>\n<!-- /wp:embed -->\n\n",
            "<!-- wp:shortcode -->\n[gallery ids=\"100,101\"]\n<!-- /wp:shortcode -->"
        ),
    );
    atelier.categories = vec![("actualites".into(), "Actualités".into())];
    atelier.author = "editeur";

    let mut draft = WpItem::post(
        12,
        "Brouillon du bilan",
        "",
        "2019-11-01 08:00:00",
        "<p>À compléter.</p>",
    );
    draft.status = "draft";
    let mut scheduled = WpItem::post(
        13,
        "Réunion des directeurs",
        "reunion-des-directeurs",
        "2031-01-15 09:00:00",
        "<p>Ordre du jour.</p>",
    );
    scheduled.status = "future";
    let mut private = WpItem::post(
        14,
        "مذكرة داخلية",
        "مذكرة-داخلية",
        "2019-11-02 08:00:00",
        "<p>سري.</p>",
    );
    private.status = "private";
    // The same title again, as archives have it: a derived slug, numbered.
    let mut again = WpItem::post(
        15,
        "Atelier d'écriture",
        "",
        "2020-10-05 10:30:00",
        "<p>Deuxième édition.</p>",
    );
    again.link = "https://www.dp-old.ma/?p=15".into();
    let hostile = WpItem::post(
        16,
        "Page piégée",
        "page-piegee",
        "2019-12-01 08:00:00",
        "<p>Bonjour<script>alert('x1')</script></p><img src=\"x\" onerror=\"alert('x2')\"><a href=\"javascript:alert('x3')\">clic</a><p style=\"color:red\" onclick=\"alert('x4')\">texte</p>",
    );
    let about = WpItem::page(20, "من نحن", "من-نحن", "<p>المديرية الإقليمية للتربية.</p>");
    let mut menu = WpItem::post(30, "Accueil", "accueil", "2019-01-01 00:00:00", "");
    menu.kind = "nav_menu_item";

    vec![
        WpItem::attachment(100, 10, "2019/09/rentree.jpg", "تلاميذ في القسم"),
        rentree,
        atelier,
        WpItem::attachment(101, 11, "2019/10/atelier.jpg", ""),
        WpItem::attachment(102, 11, "2019/10/absent.jpg", "Absente"),
        draft,
        scheduled,
        private,
        again,
        hostile,
        about,
        menu,
    ]
}

fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// A whole WXR file.
pub fn wxr(version: &str, items: &[WpItem]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/{version}/">
<channel>
	<title>المديرية الإقليمية</title>
	<link>https://www.dp-old.ma</link>
	<language>ar</language>
	<wp:wxr_version>{version}</wp:wxr_version>
	<wp:base_site_url>https://www.dp-old.ma</wp:base_site_url>
	<wp:base_blog_url>https://www.dp-old.ma</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{}</wp:author_login><wp:author_email>{}</wp:author_email><wp:author_display_name>{}</wp:author_display_name></wp:author>
	<wp:author><wp:author_id>2</wp:author_id><wp:author_login>{}</wp:author_login><wp:author_email>{}</wp:author_email><wp:author_display_name>{}</wp:author_display_name></wp:author>
	<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>{}</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>{}</wp:cat_name></wp:category>
	<wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>actualites</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>{}</wp:cat_name></wp:category>
	<wp:tag><wp:term_id>5</wp:term_id><wp:tag_slug>rentree</wp:tag_slug><wp:tag_name>{}</wp:tag_name></wp:tag>
"#,
        cdata("admin"),
        cdata("Admin@dp-old.ma"),
        cdata("Amal Bennani"),
        cdata("editeur"),
        cdata("editeur.rabat@tawasul.example"),
        cdata("Éditeur"),
        cdata(&percent("أخبار")),
        cdata("أخبار"),
        cdata("Actualités"),
        cdata("Rentrée"),
    );
    for item in items {
        let _ = write!(
            out,
            "\t<item>\n\t\t<title>{}</title>\n\t\t<link>{}</link>\n\t\t<pubDate>Mon, 02 Sep 2019 09:00:00 +0000</pubDate>\n\t\t<dc:creator>{}</dc:creator>\n\t\t<guid isPermaLink=\"false\">https://www.dp-old.ma/?p={}</guid>\n\t\t<description></description>\n\t\t<content:encoded>{}</content:encoded>\n\t\t<excerpt:encoded>{}</excerpt:encoded>\n\t\t<wp:post_id>{}</wp:post_id>\n\t\t<wp:post_date>{}</wp:post_date>\n\t\t<wp:post_date_gmt>{}</wp:post_date_gmt>\n\t\t<wp:comment_status>open</wp:comment_status>\n\t\t<wp:post_name>{}</wp:post_name>\n\t\t<wp:status>{}</wp:status>\n\t\t<wp:post_parent>{}</wp:post_parent>\n\t\t<wp:menu_order>0</wp:menu_order>\n\t\t<wp:post_type>{}</wp:post_type>\n",
            cdata(&item.title),
            item.link,
            cdata(item.author),
            item.id,
            cdata(&item.content),
            cdata(&item.excerpt),
            item.id,
            cdata(&item.date),
            cdata(&item.date),
            cdata(&item.slug),
            cdata(item.status),
            item.parent,
            cdata(item.kind),
        );
        if !item.attachment_url.is_empty() {
            let _ = writeln!(
                out,
                "\t\t<wp:attachment_url>{}</wp:attachment_url>",
                cdata(&item.attachment_url)
            );
        }
        for (slug, name) in &item.categories {
            let _ = writeln!(
                out,
                "\t\t<category domain=\"category\" nicename=\"{}\">{}</category>",
                percent(slug),
                cdata(name)
            );
        }
        for (slug, name) in &item.tags {
            let _ = writeln!(
                out,
                "\t\t<category domain=\"post_tag\" nicename=\"{}\">{}</category>",
                percent(slug),
                cdata(name)
            );
        }
        if let Some(t) = item.thumbnail {
            let _ = writeln!(out, "\t\t<wp:postmeta><wp:meta_key>{}</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta>", cdata("_thumbnail_id"), cdata(&t.to_string()));
        }
        if !item.alt.is_empty() {
            let _ = writeln!(out, "\t\t<wp:postmeta><wp:meta_key>{}</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta>", cdata("_wp_attachment_image_alt"), cdata(&item.alt));
        }
        out.push_str("\t\t<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[Bravo !]]></wp:comment_content></wp:comment>\n\t</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

pub fn write_file(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

/// One post or page of a Blogger export.
#[derive(Debug, Clone, Default)]
pub struct BloggerEntry {
    pub id: u32,
    pub page: bool,
    pub title: String,
    pub html: String,
    /// `2020-03-04T10:00:00.000+01:00`.
    pub published: String,
    pub labels: Vec<String>,
    /// `/2020/03/slug.html` or `/p/slug.html`.
    pub path: String,
    pub draft: bool,
}

/// A whole Blogger export, classic shape, with its settings and a comment.
pub fn blogger(entries: &[BloggerEntry]) -> String {
    let mut out = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom' xmlns:app='http://purl.org/atom/app#'>\n<id>tag:blogger.com,1999:blog-4242</id>\n<updated>2021-01-01T00:00:00.000+01:00</updated>\n<title type='text'>مدونة المدرسة</title>\n<link rel='alternate' type='text/html' href='https://ecole-old.blogspot.com/'/>\n<author><name>Salma</name><email>noreply@blogger.com</email></author>\n<entry><id>tag:blogger.com,1999:blog-4242.settings.BLOG_NAME</id><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#settings'/><title type='text'>x</title><content type='text'>y</content></entry>\n",
    );
    for e in entries {
        let kind = if e.page { "page" } else { "post" };
        let _ = write!(
            out,
            "<entry>\n<id>tag:blogger.com,1999:blog-4242.{kind}-{}</id>\n<published>{}</published>\n<updated>{}</updated>\n<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#{kind}'/>\n",
            e.id, e.published, e.published
        );
        for label in &e.labels {
            let _ = writeln!(
                out,
                "<category scheme='http://www.blogger.com/atom/ns#' term='{}'/>",
                xml_escape(label)
            );
        }
        let _ = write!(
            out,
            "<title type='text'>{}</title>\n<content type='html'>{}</content>\n<link rel='alternate' type='text/html' href='https://ecole-old.blogspot.com{}' title='{}'/>\n<author><name>Salma</name><email>salma@ecole-old.ma</email></author>\n",
            xml_escape(&e.title),
            xml_escape(&e.html),
            e.path,
            xml_escape(&e.title)
        );
        if e.draft {
            out.push_str("<app:control><app:draft>yes</app:draft></app:control>\n");
        }
        out.push_str("</entry>\n");
        let _ = writeln!(
            out,
            "<entry><id>tag:blogger.com,1999:blog-4242.post-{}c</id><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#comment'/><title type='text'>merci</title><content type='html'>merci</content></entry>",
            e.id
        );
    }
    out.push_str("</feed>\n");
    out
}

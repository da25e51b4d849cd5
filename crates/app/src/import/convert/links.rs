//! Old addresses: a URL of the old site reduced to the key its redirect is
//! stored under, and the links of a Markdown text pointed at new places.

use percent_encoding::percent_decode_str;

/// Query parameters that name an item on a WordPress site whatever its
/// permalinks: `?p=12`, `?page_id=3`, `?attachment_id=7`, `?cat=4`…
pub const ID_PARAMETERS: &[&str] = &["p", "page_id", "attachment_id", "cat", "tag", "feed"];

/// The key of an old address: its decoded path without a trailing slash
/// (`/2019/05/12/rentree`, `/` for the home page), or, on the home page,
/// its identifying parameter (`?p=12`). `None` for a URL on another host.
/// `hosts` are the old site's host names (lower-case, without `www.`).
pub fn old_key(url: &str, hosts: &[String]) -> Option<String> {
    let url = url.trim();
    let rest = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))
    {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let host = rest[..end].to_ascii_lowercase();
        let host = host.split(':').next().unwrap_or("");
        let host = host.strip_prefix("www.").unwrap_or(host);
        if !hosts.iter().any(|h| h == host) {
            return None;
        }
        &rest[end..]
    } else if url.starts_with('/') {
        url
    } else {
        return None;
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, query),
        None => (rest, ""),
    };
    let path = percent_decode_str(path).decode_utf8().ok()?;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let root = segments.is_empty() || segments == ["index.php"];
    if root {
        if let Some(key) = id_parameter(query) {
            return Some(key);
        }
    }
    Some(format!("/{}", segments.join("/")))
}

/// `?p=12` when the query names an item by one of [`ID_PARAMETERS`].
pub fn id_parameter(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        let value = percent_decode_str(value).decode_utf8().ok()?;
        let value = value.trim();
        (ID_PARAMETERS.contains(&key) && !value.is_empty() && value.len() <= 200)
            .then(|| format!("?{key}={value}"))
    })
}

/// The destinations of a Markdown text's links and images, with the byte
/// range each takes (`[text](dest "title")`: the range of `dest`).
fn destinations(markdown: &str) -> Vec<(usize, usize)> {
    let bytes = markdown.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = markdown[at..].find("](") {
        let start = at + offset + 2;
        let mut end = start;
        if bytes.get(start) == Some(&b'<') {
            if let Some(close) = markdown[start..].find('>') {
                found.push((start + 1, start + close));
                at = start + close;
                continue;
            }
        }
        while end < bytes.len() {
            match bytes[end] {
                b'\\' => end += 2,
                b')' | b' ' | b'\n' => break,
                _ => end += 1,
            }
        }
        let end = end.min(bytes.len());
        if end > start {
            found.push((start, end));
        }
        at = end.max(start);
    }
    found
}

/// Replaces each link destination for which `new_place` has an answer.
/// Returns the text and the destinations that looked like old addresses
/// (`is_old`) but had no answer yet.
pub fn rewrite(
    markdown: &str,
    new_place: impl Fn(&str) -> Option<String>,
    is_old: impl Fn(&str) -> bool,
) -> (String, usize) {
    let mut out = String::with_capacity(markdown.len());
    let mut last = 0;
    let mut unresolved = 0;
    for (start, end) in destinations(markdown) {
        let dest = markdown[start..end].replace("\\(", "(").replace("\\)", ")");
        match new_place(&dest) {
            Some(place) => {
                out.push_str(&markdown[last..start]);
                out.push_str(&place.replace('(', "%28").replace(')', "%29"));
                last = end;
            }
            None if is_old(&dest) => unresolved += 1,
            None => {}
        }
    }
    out.push_str(&markdown[last..]);
    (out, unresolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec!["dp-rabat.ma".to_owned()]
    }

    #[test]
    fn old_addresses_reduce_to_their_decoded_path_or_id() {
        let cases = [
            (
                "https://dp-rabat.ma/2019/05/12/rentree/",
                Some("/2019/05/12/rentree"),
            ),
            (
                "http://www.dp-rabat.ma/%d8%a7%d9%84%d8%af%d8%ae%d9%88%d9%84/",
                Some("/الدخول"),
            ),
            ("https://dp-rabat.ma/?p=42", Some("?p=42")),
            ("/index.php?page_id=7&lang=fr", Some("?page_id=7")),
            ("https://dp-rabat.ma/", Some("/")),
            (
                "https://dp-rabat.ma/category/news/?utm=x#top",
                Some("/category/news"),
            ),
            ("https://elsewhere.ma/2019/05/x/", None),
            ("mailto:a@b.ma", None),
            ("media:4", None),
        ];
        for (url, want) in cases {
            assert_eq!(old_key(url, &hosts()).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn links_are_pointed_at_their_new_place() {
        let md = "Voir [ici](https://dp-rabat.ma/?p=4) et [là](https://dp-rabat.ma/?p=9 \"t\") ![x](media:3) [ext](https://x.ma/a\\(b\\))";
        let (out, unresolved) = rewrite(
            md,
            |dest| (dest == "https://dp-rabat.ma/?p=4").then(|| "/news/1-a".to_owned()),
            |dest| old_key(dest, &hosts()).is_some(),
        );
        assert_eq!(
            out,
            "Voir [ici](/news/1-a) et [là](https://dp-rabat.ma/?p=9 \"t\") ![x](media:3) [ext](https://x.ma/a\\(b\\))"
        );
        assert_eq!(unresolved, 1);
    }

    #[test]
    fn angle_bracket_destinations_are_found() {
        assert_eq!(destinations("[a](<x y>)"), vec![(5, 8)]);
    }
}

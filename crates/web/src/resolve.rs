//! Which site a request is for: by its Host header first, else by the first
//! path segment (`/{site}/…`, one-domain deployments and the demo).

use axum::http::{header, HeaderMap};
use percent_encoding::percent_decode_str;
use tawasul_app::network::Network;
use tawasul_domain::Locale;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A site, with the path prefix it was reached by and the decoded
    /// segments below it.
    Site {
        id: i32,
        prefix: String,
        segments: Vec<String>,
    },
    /// `/dp-rabat` without its slash: send the reader to `/dp-rabat/`.
    AddSlash(String),
    NetworkHome(Locale),
    NetworkRobots,
    NotFound,
}

/// Decodes each `/`-separated segment; `None` when one is not UTF-8 or is a
/// dot segment (never legitimate in a page URL).
pub fn segments(path: &str) -> Option<Vec<String>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let decoded = percent_decode_str(s).decode_utf8().ok()?.into_owned();
            (decoded != "." && decoded != "..").then_some(decoded)
        })
        .collect()
}

pub fn resolve(network: &Network, host: Option<&str>, path: &str) -> Target {
    let Some(segments) = segments(path) else {
        return Target::NotFound;
    };
    if let Some(site) = host.and_then(|h| network.site_by_host(h)) {
        return Target::Site {
            id: site.id,
            prefix: String::new(),
            segments,
        };
    }
    match segments.first().map(String::as_str) {
        None => Target::NetworkHome(Locale::Ar),
        Some("fr") if segments.len() == 1 => Target::NetworkHome(Locale::Fr),
        Some("robots.txt") if segments.len() == 1 => Target::NetworkRobots,
        Some(slug) => match network.site_by_slug(slug) {
            Some(_) if segments.len() == 1 && !path.ends_with('/') => {
                Target::AddSlash(format!("/{slug}/"))
            }
            Some(site) => Target::Site {
                id: site.id,
                prefix: format!("/{}", site.slug),
                segments: segments[1..].to_vec(),
            },
            None => Target::NotFound,
        },
    }
}

/// The host and scheme the reader used. Behind a reverse proxy, the
/// `X-Forwarded-*` headers say it; they are ignored otherwise, since anyone
/// can send them.
pub fn host_and_scheme(
    headers: &HeaderMap,
    behind_proxy: bool,
    uri_host: Option<&str>,
) -> (String, String) {
    let header_str = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let forwarded_host = behind_proxy
        .then(|| header_str("x-forwarded-host"))
        .flatten()
        .and_then(|h| h.split(',').next())
        .map(str::trim);
    let host = forwarded_host
        .or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))
        .or(uri_host)
        .unwrap_or("localhost")
        .to_ascii_lowercase();
    let scheme = behind_proxy
        .then(|| header_str("x-forwarded-proto"))
        .flatten()
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http")
        .to_owned();
    (host, scheme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn path_segments_are_decoded_and_dot_segments_refused() {
        assert_eq!(
            segments("/news/7-%D8%A7%D9%84%D8%AF%D8%AE%D9%88%D9%84"),
            Some(vec!["news".to_owned(), "7-الدخول".to_owned()])
        );
        assert_eq!(
            segments("/a//b/"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(segments("/%2e%2e/etc"), None);
        assert_eq!(segments("/%FF"), None);
    }

    #[test]
    fn forwarded_headers_count_only_behind_a_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        headers.insert(
            "x-forwarded-host",
            HeaderValue::from_static("Rabat.Example"),
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(
            host_and_scheme(&headers, false, None),
            ("127.0.0.1:8080".to_owned(), "http".to_owned())
        );
        assert_eq!(
            host_and_scheme(&headers, true, None),
            ("rabat.example".to_owned(), "https".to_owned())
        );
    }
}

//! ETags and `304 Not Modified`.

use axum::http::{header, HeaderMap, HeaderValue};

/// Whether the client's `If-None-Match` already names `etag` (weak comparison).
pub fn matches(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v: &HeaderValue| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn if_none_match_is_compared_weakly() {
        let etag = "W/\"0123456789abcdef\"".to_owned();
        assert!(matches(&with(&etag), &etag));
        assert!(matches(&with(&etag.replace("W/", "")), &etag));
        assert!(matches(&with(&format!("\"other\", {etag}")), &etag));
        assert!(matches(&with("*"), &etag));
        assert!(!matches(&with("\"other\""), &etag));
        assert!(!matches(&HeaderMap::new(), &etag));
        let mut garbage = HeaderMap::new();
        garbage.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_bytes(b"\xff\xfe, ,,\"").expect("header"),
        );
        assert!(
            !matches(&garbage, &etag),
            "a malformed header matches nothing"
        );
    }
}

//! Byte ranges (RFC 9110 §14): what lets Safari play an uploaded MP4 (it
//! asks for ranges and plays nothing without `206`) and a large PDF resume.
//! One range per request; a request for several gets the whole file, which
//! the RFC allows and no player needs otherwise.

use axum::http::{header, HeaderMap};

/// What a request's `Range` (and `If-Range`) asks of a file of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// No range, one we do not serve, or an `If-Range` for another version.
    Whole,
    /// Bytes `start..=end`, both inside the file.
    Part { start: u64, end: u64 },
    /// A range that starts past the end: `416` with `Content-Range: bytes */len`.
    Unsatisfiable,
}

impl Ranged {
    /// `Content-Range` of a part, or of a refusal.
    pub fn content_range(self, len: u64) -> Option<String> {
        match self {
            Ranged::Whole => None,
            Ranged::Part { start, end } => Some(format!("bytes {start}-{end}/{len}")),
            Ranged::Unsatisfiable => Some(format!("bytes */{len}")),
        }
    }
}

/// The range a request asks of the version `etag` (strong) of a file of
/// `len` bytes.
pub fn requested(headers: &HeaderMap, etag: &str, len: u64) -> Ranged {
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ranged::Whole;
    };
    if let Some(if_range) = headers.get(header::IF_RANGE) {
        // Only a strong validator equal to ours lets the range through; a
        // date, a weak tag or another version gets the whole file.
        let fresh = if_range
            .to_str()
            .is_ok_and(|v| !v.trim().starts_with("W/") && v.trim() == etag);
        if !fresh {
            return Ranged::Whole;
        }
    }
    parse(range, len)
}

/// One `bytes=` range against a file of `len` bytes.
pub fn parse(range: &str, len: u64) -> Ranged {
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // `-n`: the last n bytes.
        (true, _, Some(suffix)) => {
            if suffix == 0 || len == 0 {
                Ranged::Unsatisfiable
            } else {
                Ranged::Part {
                    start: len.saturating_sub(suffix),
                    end: len - 1,
                }
            }
        }
        (false, Some(start), last) if last.is_some() || last_is_empty(last, spec) => {
            if let Some(last) = last {
                if last < start {
                    // Not a valid range: ignored, as the RFC says.
                    return Ranged::Whole;
                }
            }
            if start >= len {
                return Ranged::Unsatisfiable;
            }
            Ranged::Part {
                start,
                end: last.map_or(len - 1, |last| last.min(len - 1)),
            }
        }
        _ => Ranged::Whole,
    }
}

/// Whether the part after `-` is empty (`a-`), as opposed to unreadable.
fn last_is_empty(last: Option<u64>, spec: &str) -> bool {
    last.is_none() && spec.trim().ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn ranges_are_read_as_the_rfc_says() {
        use Ranged::*;
        let len = 1000;
        let cases: [(&str, Ranged); 17] = [
            ("bytes=0-99", Part { start: 0, end: 99 }),
            ("bytes=0-0", Part { start: 0, end: 0 }),
            (
                "bytes=500-",
                Part {
                    start: 500,
                    end: 999,
                },
            ),
            (
                "bytes=-100",
                Part {
                    start: 900,
                    end: 999,
                },
            ),
            ("bytes=-5000", Part { start: 0, end: 999 }),
            (
                "bytes=900-5000",
                Part {
                    start: 900,
                    end: 999,
                },
            ),
            ("bytes= 10-20", Part { start: 10, end: 20 }),
            (
                "bytes=999-",
                Part {
                    start: 999,
                    end: 999,
                },
            ),
            ("bytes=1000-", Unsatisfiable),
            ("bytes=1000-1001", Unsatisfiable),
            ("bytes=-0", Unsatisfiable),
            ("bytes=20-10", Whole),
            ("bytes=0-99,200-299", Whole),
            ("items=0-1", Whole),
            ("bytes=abc-def", Whole),
            ("bytes=-", Whole),
            ("bytes=99999999999999999999999-", Whole),
        ];
        for (range, expected) in cases {
            assert_eq!(parse(range, len), expected, "{range}");
        }
        assert_eq!(parse("bytes=0-", 0), Unsatisfiable, "an empty file");
    }

    #[test]
    fn if_range_lets_the_range_through_only_for_this_very_version() {
        let etag = "\"abc\"";
        let with = |pairs: &[(header::HeaderName, &str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(name.clone(), HeaderValue::from_str(value).expect("value"));
            }
            requested(&headers, etag, 100)
        };
        let part = Ranged::Part { start: 0, end: 9 };
        assert_eq!(with(&[(header::RANGE, "bytes=0-9")]), part);
        assert_eq!(
            with(&[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, "\"abc\"")]),
            part
        );
        for other in ["\"old\"", "W/\"abc\"", "Wed, 21 Oct 2026 07:28:00 GMT"] {
            assert_eq!(
                with(&[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, other)]),
                Ranged::Whole,
                "{other}"
            );
        }
        assert_eq!(with(&[]), Ranged::Whole);
    }

    #[test]
    fn content_range_names_the_part_or_the_length() {
        assert_eq!(
            Ranged::Part { start: 0, end: 99 }
                .content_range(1000)
                .as_deref(),
            Some("bytes 0-99/1000")
        );
        assert_eq!(
            Ranged::Unsatisfiable.content_range(1000).as_deref(),
            Some("bytes */1000")
        );
        assert_eq!(Ranged::Whole.content_range(1000), None);
    }
}

//! Theme files and uploaded media: both named by their content hash, so
//! both are cached by browsers for good.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tawasul_app::cache::{negotiate, Encoding};
use tawasul_app::App;

use crate::conditional;
use crate::ranges::{self, Ranged};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /_static/{theme}/{file}`: a fingerprinted file of a theme.
pub async fn static_file(
    State(app): State<Arc<App>>,
    Path((theme, file)): Path<(String, String)>,
    request: HeaderMap,
) -> Response {
    let found = app.with_renderer(|r| r.static_file(&theme, &file).cloned());
    let Some(file) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    send_static(&file, &request)
}

/// A fingerprinted static file (a theme's or the admin's), compressed as
/// the client accepts, cached for good.
pub fn send_static(file: &tawasul_render::StaticFile, request: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", file.fingerprint);
    if conditional::matches(request, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let len = file.bytes.len() as u64;
    match ranges::requested(request, &etag, len) {
        Ranged::Whole => {}
        // A range is of the file itself, never of a compressed copy.
        ranged => {
            let mut response = ranged_response(ranged, len, &etag, file.content_type);
            if let Ranged::Part { start, end } = ranged {
                // Both ends lie inside the file (`ranges::parse`).
                let part = file.bytes.slice(start as usize..=end as usize);
                *response.body_mut() = axum::body::Body::from(part);
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            }
            return response;
        }
    }
    let accept = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let (body, coding) = match (negotiate(accept), &file.brotli, &file.gzip) {
        (Encoding::Brotli, Some(br), _) => (br.clone(), Some("br")),
        (Encoding::Brotli | Encoding::Gzip, _, Some(gz)) => (gz.clone(), Some("gzip")),
        _ => (file.bytes.clone(), None),
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")),
            ),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
            (header::ACCEPT_RANGES, HeaderValue::from_static("bytes")),
        ],
        body,
    )
        .into_response();
    if let Some(coding) = coding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// Stored names are `<hash>.<ext>`: 32 hex digits (files of the importer)
/// or 64 (SHA-256, the media library); anything else is not ours. Images'
/// originals live in a folder and are never served (they keep the EXIF).
fn upload_type(name: &str) -> Option<&'static str> {
    let (hash, ext) = name.split_once('.')?;
    if !matches!(hash.len(), 32 | 64)
        || !hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return None;
    }
    match ext {
        "jpg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "webp" => Some("image/webp"),
        "gif" => Some("image/gif"),
        "svg" => Some("image/svg+xml"),
        "pdf" => Some("application/pdf"),
        "docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pptx" => Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        "odt" => Some("application/vnd.oasis.opendocument.text"),
        "mp4" => Some("video/mp4"),
        _ => None,
    }
}

/// `GET /uploads/{file}`: a stored media file, from the uploads folder or
/// the bucket, streamed (a video may be 200 MB), with its ETag (the name is
/// its hash), `304` and byte ranges; a range is read from the storage
/// alone, never the whole file.
pub async fn upload(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    request: HeaderMap,
) -> Response {
    let Some(content_type) = upload_type(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", name.split('.').next().unwrap_or_default());
    if conditional::matches(&request, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let storage = app.storage();
    let opened = if request.contains_key(header::RANGE) {
        // The range is read against the length: one more round trip to a
        // bucket, only for the players and downloads that ask for one.
        match storage.size(&name).await {
            Ok(Some(len)) => {
                let ranged = ranges::requested(&request, &etag, len);
                let file = match ranged {
                    Ranged::Unsatisfiable => {
                        return ranged_response(ranged, len, &etag, content_type);
                    }
                    Ranged::Whole => storage.open(&name).await,
                    Ranged::Part { start, end } => storage.open_range(&name, start..end + 1).await,
                };
                file.map(|file| (file, len, ranged))
            }
            Ok(None) => Err(tawasul_media::MediaError::NotFound(name.clone())),
            Err(e) => Err(e),
        }
    } else {
        // Without a range, one request gives the file and its length.
        storage.open(&name).await.map(|file| {
            let len = file.len;
            (file, len, Ranged::Whole)
        })
    };
    let (file, len, ranged) = match opened {
        Ok(opened) => opened,
        Err(tawasul_media::MediaError::NotFound(_)) => {
            return StatusCode::NOT_FOUND.into_response()
        }
        Err(e) => {
            // The detail (the disk's or the bucket's words), not the
            // sentence meant for uploaders.
            tracing::error!(error = ?e, file = %name, "cannot read an upload");
            // A bucket that does not answer is a passing outage: 503 tells
            // the proxy and browsers to try again. The local disk failing
            // is this server's fault.
            return if storage.local_path(&name).is_some() {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            }
            .into_response();
        }
    };
    let (status, sent) = match ranged {
        Ranged::Part { start, end } => (StatusCode::PARTIAL_CONTENT, end - start + 1),
        _ => (StatusCode::OK, len),
    };
    // Office files open in their application, not in the browser.
    let disposition = if content_type.starts_with("application/vnd.") {
        "attachment"
    } else {
        "inline"
    };
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_LENGTH, sent.to_string()),
            (header::ACCEPT_RANGES, "bytes".to_owned()),
            (header::CACHE_CONTROL, IMMUTABLE.to_owned()),
            (header::ETAG, etag),
            (header::CONTENT_DISPOSITION, disposition.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // An SVG opened on its own must not run scripts it may carry.
            // Browsers' PDF viewers do not open in a sandbox; PDFs with
            // scripts or actions were refused on upload.
            (
                header::CONTENT_SECURITY_POLICY,
                if content_type == "application/pdf" {
                    "default-src 'none'; object-src 'self'"
                } else {
                    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
                }
                .to_owned(),
            ),
        ],
        stream(file.reader, sent),
    )
        .into_response();
    if let Some(range) = ranged.content_range(len) {
        if let Ok(value) = HeaderValue::from_str(&range) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

/// At most `len` bytes of a stored file, streamed, so the body never runs
/// past the `Content-Length` it was sent with.
pub(crate) fn stream(
    reader: Box<dyn tokio::io::AsyncRead + Send + Unpin>,
    len: u64,
) -> axum::body::Body {
    use tokio::io::AsyncReadExt;
    axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(reader.take(len)))
}

/// The answer to a range: `206` with its `Content-Range` (the caller puts
/// the part in), or `416` naming the file's length.
fn ranged_response(ranged: Ranged, len: u64, etag: &str, content_type: &'static str) -> Response {
    let status = match ranged {
        Ranged::Part { .. } => StatusCode::PARTIAL_CONTENT,
        _ => StatusCode::RANGE_NOT_SATISFIABLE,
    };
    let mut response = status.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(value) = ranged
        .content_range(len)
        .and_then(|r| HeaderValue::from_str(&r).ok())
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_addressed_names_are_served() {
        let hash = "0123456789abcdef0123456789abcdef";
        assert_eq!(upload_type(&format!("{hash}.jpg")), Some("image/jpeg"));
        assert_eq!(upload_type(&format!("{hash}.svg")), Some("image/svg+xml"));
        assert_eq!(upload_type(&format!("{hash}.html")), None);
        assert_eq!(upload_type("..%2f..%2fetc%2fpasswd"), None);
        assert_eq!(upload_type(&format!("{}.jpg", hash.to_uppercase())), None);
        assert_eq!(upload_type("short.jpg"), None);
        let sha256 = format!("{hash}{hash}");
        assert_eq!(upload_type(&format!("{sha256}.webp")), Some("image/webp"));
        assert_eq!(
            upload_type(&format!("{sha256}.pdf")),
            Some("application/pdf")
        );
        assert_eq!(upload_type(&format!("{sha256}.exe")), None);
        assert_eq!(upload_type(&format!("originals%2F{sha256}.jpg")), None);
    }
}

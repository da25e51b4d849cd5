//! A circular's personal links on its site (by host or under `/{site}`):
//! `…/circulars/ack?t=` shows the circular and a button that posts the
//! acknowledgement (opening the link acknowledges nothing: mail scanners
//! open links); `…/circulars/file?t=&id=` downloads one of its documents
//! under a readable name while the links have not expired. The token is
//! the authority, as for unsubscribing: there is no session. Answers are
//! for one person: `no-store`, `noindex`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tawasul_app::directory::circulars::LinkRefusal;
use tawasul_app::public::{CircularPage, Origin};
use tawasul_app::App;

use crate::public::internal_error;
use crate::resolve::{self, Target};

/// The same policy as the site's pages.
const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Ack,
    File,
}

/// `["circulars", "ack"]`, after an optional language segment.
fn parse(segments: &[String]) -> Option<Route> {
    let rest = match segments.split_first() {
        Some((first, rest)) if first == "ar" || first == "fr" => rest,
        _ => segments,
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match rest.as_slice() {
        ["circulars", "ack"] => Some(Route::Ack),
        ["circulars", "file"] => Some(Route::File),
        _ => None,
    }
}

fn param(source: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(source)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    param(uri.query().unwrap_or("").as_bytes(), name)
}

/// `filename*` of RFC 6266: the name in UTF-8, percent-encoded, so an
/// Arabic title survives every browser.
fn disposition(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(safe.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"document\"; filename*=UTF-8''{encoded}")
}

/// Answers a circular's link, or `None` when the path is not one.
pub async fn respond(
    app: &Arc<App>,
    method: &Method,
    headers: &HeaderMap,
    uri: &Uri,
    body: &Bytes,
) -> Option<Response> {
    let (host, scheme) =
        resolve::host_and_scheme(headers, app.config.server.behind_proxy, uri.host());
    let network = app.network();
    let Target::Site {
        id,
        prefix,
        segments,
    } = resolve::resolve(&network, Some(&host), uri.path())
    else {
        return None;
    };
    drop(network);
    let route = parse(&segments)?;
    let origin = Origin {
        scheme,
        host,
        prefix,
    };
    let post = *method == Method::POST;
    let allowed = match route {
        Route::Ack => post || *method == Method::GET || *method == Method::HEAD,
        Route::File => *method == Method::GET || *method == Method::HEAD,
    };
    if !allowed {
        let allow = if route == Route::Ack {
            "GET, HEAD, POST"
        } else {
            "GET, HEAD"
        };
        return Some(
            (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, allow)], "").into_response(),
        );
    }
    let answer = match route {
        Route::Ack if post => {
            let token = param(body, "t")
                .or_else(|| query_param(uri, "t"))
                .unwrap_or_default();
            app.acknowledge_circular(&token)
                .await
                .map(|found| match found {
                    Some(circular) => (
                        StatusCode::OK,
                        CircularPage::Acknowledged { token, circular },
                    ),
                    None => (StatusCode::NOT_FOUND, CircularPage::Invalid),
                })
        }
        Route::Ack => {
            let token = query_param(uri, "t").unwrap_or_default();
            app.circular_acknowledgement(&token)
                .await
                .map(|found| match found {
                    Some(circular) => (StatusCode::OK, CircularPage::Open { token, circular }),
                    None => (StatusCode::NOT_FOUND, CircularPage::Invalid),
                })
        }
        Route::File => {
            let token = query_param(uri, "t").unwrap_or_default();
            let media = query_param(uri, "id").and_then(|i| i.parse::<i32>().ok());
            let found = match media {
                Some(media) => app.circular_file(&token, media).await,
                None => Ok(Err(LinkRefusal::Unknown)),
            };
            match found {
                Ok(Ok(file)) => return Some(download(app, &file).await),
                Ok(Err(LinkRefusal::Unknown)) => Ok((StatusCode::NOT_FOUND, CircularPage::Invalid)),
                Ok(Err(LinkRefusal::Expired)) => Ok((StatusCode::GONE, CircularPage::Expired)),
                Err(e) => Err(e),
            }
        }
    };
    Some(match answer {
        Ok((status, page)) => render(app, id, &origin, status, &page),
        Err(e) => internal_error(&e, uri, "circular link"),
    })
}

async fn download(app: &App, file: &tawasul_app::directory::circulars::CircularFile) -> Response {
    let opened = match app.storage().open(&file.stored_name).await {
        Ok(opened) => opened,
        Err(tawasul_media::MediaError::NotFound(_)) => {
            return StatusCode::NOT_FOUND.into_response();
        }
        Err(e) => {
            tracing::error!(error = ?e, file = %file.stored_name, "cannot read a circular's document");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut response = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, file.mime.clone()),
            (header::CONTENT_LENGTH, opened.len.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        crate::assets::stream(opened.reader, opened.len),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition(&file.download_name)) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn render(
    app: &App,
    site_id: i32,
    origin: &Origin,
    status: StatusCode,
    page: &CircularPage,
) -> Response {
    match app.circular_page(site_id, origin, page) {
        Ok(html) => {
            let mut response = (status, html).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            );
            headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
            // The token is in the address: never sent on to another site.
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Err(e) => internal_error(&e, &Uri::from_static("/circulars"), "circular link"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &[&str]) -> Vec<String> {
        path.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_the_two_circular_paths_are_claimed() {
        assert_eq!(parse(&segments(&["circulars", "ack"])), Some(Route::Ack));
        assert_eq!(
            parse(&segments(&["fr", "circulars", "file"])),
            Some(Route::File)
        );
        assert_eq!(parse(&segments(&["circulars"])), None);
        assert_eq!(parse(&segments(&["news", "circulars", "ack"])), None);
        assert_eq!(parse(&segments(&["circulars", "ack", "x"])), None);
    }

    #[test]
    fn a_download_keeps_its_arabic_name_and_cannot_break_the_header() {
        let value = disposition("12-2026 مذكرة \"الامتحانات\".pdf");
        assert!(value.starts_with("attachment; filename=\"document\"; filename*=UTF-8''12-2026%20"));
        assert!(!value.contains('"') || value.matches('"').count() == 2);
        assert!(HeaderValue::from_str(&value).is_ok());
        assert!(HeaderValue::from_str(&disposition("a\r\nSet-Cookie: x")).is_ok());
    }
}

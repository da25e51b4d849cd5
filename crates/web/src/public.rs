//! Public pages of every site and of the network root.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tawasul_app::public::{Origin, PageQuery, PublicResponse};
use tawasul_app::App;

use crate::conditional;
use crate::resolve::{self, Target};

/// Pages may only load what the site itself serves (plus images from the
/// web, which articles may embed); theme colours come as one inline style.
const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The parameters pages understand; unknown or repeated ones are ignored
/// rather than refused, as links in the wild carry all sorts of tracking.
fn page_query(uri: &Uri) -> PageQuery {
    let mut query = PageQuery::default();
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "page" if query.page.is_none() => query.page = Some(value.into_owned()),
            "q" if query.q.is_none() => query.q = Some(value.into_owned()),
            _ => {}
        }
    }
    query
}

/// Every path no other route claims: a site's page, or the network's.
pub async fn page(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "",
        )
            .into_response();
    }
    let (host, scheme) =
        resolve::host_and_scheme(&headers, app.config.server.behind_proxy, uri.host());
    let query = page_query(&uri);
    let network = app.network();
    let target = resolve::resolve(&network, Some(&host), uri.path());
    drop(network);
    let origin = |prefix: String| Origin {
        scheme: scheme.clone(),
        host: host.clone(),
        prefix,
    };
    let answer = match target {
        Target::Site {
            id,
            prefix,
            segments,
        } => {
            let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
            app.public_page(id, &origin(prefix), &segments, &query)
                .await
        }
        Target::AddSlash(location) => Ok(PublicResponse::Redirect { location }),
        Target::NetworkHome(locale) => app.network_page(&origin(String::new()), locale).await,
        Target::NetworkRobots => Ok(app.network_robots(&origin(String::new()))),
        Target::NotFound => app.network_not_found(&origin(String::new())).await,
    };
    match answer {
        Ok(answer) => respond(&headers, answer),
        Err(e) => {
            tracing::error!(error = %e, path = %uri.path(), "public page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "حدث خطأ داخلي. Une erreur interne est survenue.\n",
            )
                .into_response()
        }
    }
}

fn respond(request: &HeaderMap, answer: PublicResponse) -> Response {
    let (status, content_type, body) = match answer {
        PublicResponse::Redirect { location } => {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(
                    header::LOCATION,
                    HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")),
                )],
            )
                .into_response();
        }
        PublicResponse::Html { status, body } => (status, "text/html; charset=utf-8", body),
        PublicResponse::Atom { body } => (200, "application/atom+xml; charset=utf-8", body),
        PublicResponse::Xml { body } => (200, "application/xml; charset=utf-8", body),
        PublicResponse::Text { body } => (200, "text/plain; charset=utf-8", body),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let etag = conditional::etag_of(body.as_bytes());
    let mut headers = vec![
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        // Always revalidate: a 304 costs little, and editors expect a
        // publish to show at once.
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, no-cache"),
        ),
    ];
    if content_type.starts_with("text/html") {
        headers.push((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ));
    }
    if status == StatusCode::OK {
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.push((header::ETAG, value));
        }
        if conditional::matches(request, &etag) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response.headers_mut().extend(
                headers
                    .into_iter()
                    .filter(|(h, _)| h != header::CONTENT_TYPE),
            );
            return response;
        }
    }
    let mut response = (status, body).into_response();
    // `insert`, not `extend`: the body's default text/plain must be replaced.
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    response
}

//! Public pages of every site and of the network root.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tawasul_app::cache::{negotiate, CachedPage};
use tawasul_app::public::{NetworkPage, Origin, PageQuery, Served};
use tawasul_app::{App, AppError};

use crate::conditional;
use crate::resolve::{self, Target};

/// Pages may only load what the site itself serves (plus images from the
/// web, which articles may embed); theme colours come as one inline style.
/// Frames only from the two video players a reader may start with a click
/// (the theme's script builds them from a library video's id).
pub(crate) const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-src https://www.youtube-nocookie.com https://www.facebook.com; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The parameters pages understand; unknown or repeated ones are ignored
/// rather than refused, as links in the wild carry all sorts of tracking.
fn page_query(uri: &Uri) -> PageQuery {
    let mut query = PageQuery::default();
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "page" if query.page.is_none() => query.page = Some(value.into_owned()),
            "q" if query.q.is_none() => query.q = Some(value.into_owned()),
            "kind" if query.kind.is_none() => query.kind = Some(value.into_owned()),
            "order" if query.order.is_none() => query.order = Some(value.into_owned()),
            "programme" if query.programme.is_none() => {
                query.programme = Some(value.into_owned());
            }
            "category" if query.category.is_none() => query.category = Some(value.into_owned()),
            "site" if query.site.is_none() => query.site = Some(value.into_owned()),
            "from" if query.from.is_none() => query.from = Some(value.into_owned()),
            "to" if query.to.is_none() => query.to = Some(value.into_owned()),
            _ => {}
        }
    }
    query.legacy = tawasul_app::import::convert::links::id_parameter(uri.query().unwrap_or(""));
    query
}

/// Every path no other route claims: a site's page, or the network's.
pub async fn page(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    crate::session::ClientAddr(client): crate::session::ClientAddr,
    body: axum::body::Bytes,
) -> Response {
    // The newsletter's form and links answer here, before the cache.
    if uri.path().contains("/newsletter") {
        if let Some(response) =
            crate::newsletter::respond(&app, &method, &headers, &uri, &client, &body).await
        {
            return response;
        }
    }
    // A circular's personal links answer here, before the cache.
    if uri.path().contains("/circulars/") {
        if let Some(response) =
            crate::circulars::respond(&app, &method, &headers, &uri, &body).await
        {
            return response;
        }
    }
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
    let served = match target {
        Target::Site {
            id,
            prefix,
            segments,
        } => {
            let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
            app.serve_site(id, &origin(prefix), &segments, &query).await
        }
        Target::AddSlash(location) => Ok(Served::Redirect(location)),
        Target::NetworkHome(locale) => {
            app.serve_network(&origin(String::new()), NetworkPage::Home(locale))
                .await
        }
        Target::NetworkRobots => {
            app.serve_network(&origin(String::new()), NetworkPage::Robots)
                .await
        }
        Target::NotFound => {
            app.serve_network(&origin(String::new()), NetworkPage::NotFound)
                .await
        }
    };
    match served {
        Ok(Served::Redirect(location)) => (
            StatusCode::MOVED_PERMANENTLY,
            [(
                header::LOCATION,
                HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")),
            )],
        )
            .into_response(),
        Ok(Served::Page(page)) => respond(&app, &headers, &page),
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

fn respond(app: &App, request: &HeaderMap, page: &CachedPage) -> Response {
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    let etag = HeaderValue::from_str(&page.etag).ok();
    let not_modified = status == StatusCode::OK && conditional::matches(request, &page.etag);
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let accept = request
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok());
        let (body, encoding) = page.body(negotiate(accept));
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(page.content_type),
        );
        if let Some(coding) = encoding.header_value() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        if page.content_type.starts_with("text/html") {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            );
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, cache_control(app));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let (StatusCode::OK, Some(etag)) = (status, etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// `Cache-Control` of public pages, from the configuration, made once.
fn cache_control(app: &App) -> HeaderValue {
    static VALUE: std::sync::OnceLock<(String, HeaderValue)> = std::sync::OnceLock::new();
    let wanted = app.cache_control();
    match VALUE.get() {
        Some((text, value)) if text == wanted => value.clone(),
        _ => {
            let value =
                HeaderValue::from_str(wanted).unwrap_or(HeaderValue::from_static("no-cache"));
            let _ = VALUE.set((wanted.to_owned(), value.clone()));
            value
        }
    }
}

/// The plain page of a public request that failed inside (logged with what
/// it was), in both languages: the reader has no other page to go to.
pub(crate) fn internal_error(error: &AppError, uri: &Uri, what: &str) -> Response {
    tracing::error!(error = %error, path = %uri.path(), "{what} failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "حدث خطأ داخلي. Une erreur interne est survenue.\n",
    )
        .into_response()
}

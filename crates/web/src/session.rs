//! Who is calling: the session cookie of a browser, or the bearer token of
//! a script. Also the cookie itself, the client's address and the CSRF rule
//! for browser requests that change something.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use tawasul_app::auth::same_secret;
use tawasul_app::{App, AppError, Viewer};

pub const SESSION_COOKIE: &str = "tawasul_session";
pub const LANG_COOKIE: &str = "tawasul_lang";

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Session,
    Bearer,
}

/// A cookie's value from the request, by name.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The caller, if the request carries a live session or token.
pub async fn identify(app: &App, headers: &HeaderMap) -> Result<Option<(Viewer, Proof)>, AppError> {
    if let Some(token) = bearer(headers) {
        return Ok(app.bearer_viewer(token).await?.map(|v| (v, Proof::Bearer)));
    }
    match cookie(headers, SESSION_COOKIE) {
        Some(token) => Ok(app
            .session_viewer(token)
            .await?
            .map(|v| (v, Proof::Session))),
        None => Ok(None),
    }
}

/// Whether a method changes state, and so needs proof against forgery.
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether `token` is the CSRF token of the viewer's session.
pub fn csrf_matches(viewer: &Viewer, token: Option<&str>) -> bool {
    match (&viewer.session, token) {
        (Some(session), Some(token)) => same_secret(&session.csrf, token),
        _ => false,
    }
}

/// The `X-CSRF-Token` header.
pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// A login form has no session yet to hold a token: it must at least come
/// from a page of this server (browsers send `Origin` on every POST). The
/// server's host is the `Host` header, or the proxy's `X-Forwarded-Host`
/// when `behind_proxy`; without a proxy anyone can send that header, and a
/// forged one naming the attacker's site would make any origin "ours".
pub fn same_origin(headers: &HeaderMap, behind_proxy: bool) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Scripts and old browsers send none; the cookie's SameSite covers them.
        return true;
    };
    let header_str = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = behind_proxy
        .then(|| header_str("x-forwarded-host"))
        .flatten()
        .and_then(|h| h.split(',').next())
        .map(str::trim);
    let Some(host) = forwarded.or_else(|| header_str(header::HOST.as_str())) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
}

/// The address of the client: the proxy's word for it when behind one.
pub fn client_address(parts: &Parts, behind_proxy: bool) -> String {
    if behind_proxy {
        if let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return forwarded.trim().to_owned();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Whether the reader came over HTTPS (directly or through the proxy).
pub fn is_https(headers: &HeaderMap, behind_proxy: bool) -> bool {
    behind_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim() == "https")
}

/// The session cookie: HttpOnly, SameSite=Lax (an e-mailed link into the
/// admin still arrives signed in), Secure over HTTPS.
pub fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("tawasul_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The client's address, as an extractor.
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<std::sync::Arc<App>> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &std::sync::Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(
            parts,
            app.config.server.behind_proxy,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tawasul_session=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn bearer_tokens_are_read_whatever_the_scheme_case() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer tws_abc"),
        );
        assert_eq!(bearer(&headers), Some("tws_abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn a_login_from_another_site_is_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&headers, false), "no Origin: a script");
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&headers, false));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers, false));
    }

    #[test]
    fn the_forwarded_host_names_the_server_only_behind_a_proxy() {
        let origin =
            |origin: &'static str, host: Option<&'static str>, forwarded: Option<&'static str>| {
                let mut headers = HeaderMap::new();
                headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
                if let Some(host) = host {
                    headers.insert(header::HOST, HeaderValue::from_static(host));
                }
                if let Some(forwarded) = forwarded {
                    headers.insert("x-forwarded-host", HeaderValue::from_static(forwarded));
                }
                headers
            };
        let table = [
            // (case, headers, behind a proxy, same origin)
            (
                "a forged forwarded host, no proxy",
                origin(
                    "https://evil.example",
                    Some("127.0.0.1:8080"),
                    Some("evil.example"),
                ),
                false,
                false,
            ),
            (
                "our own host, a forged forwarded one",
                origin(
                    "http://127.0.0.1:8080",
                    Some("127.0.0.1:8080"),
                    Some("evil.example"),
                ),
                false,
                true,
            ),
            (
                "the proxy's host, behind it",
                origin(
                    "https://tawasul.example",
                    Some("127.0.0.1:8080"),
                    Some("tawasul.example"),
                ),
                true,
                true,
            ),
            (
                "the first of the proxies' hosts",
                origin(
                    "https://tawasul.example",
                    Some("127.0.0.1:8080"),
                    Some("tawasul.example, inner.local"),
                ),
                true,
                true,
            ),
            (
                "another site, behind a proxy",
                origin(
                    "https://evil.example",
                    Some("127.0.0.1:8080"),
                    Some("tawasul.example"),
                ),
                true,
                false,
            ),
            (
                "no forwarded host, behind a proxy",
                origin("http://127.0.0.1:8080", Some("127.0.0.1:8080"), None),
                true,
                true,
            ),
            (
                "no host at all",
                origin("http://127.0.0.1:8080", None, None),
                false,
                false,
            ),
        ];
        for (case, headers, behind_proxy, expected) in table {
            assert_eq!(same_origin(&headers, behind_proxy), expected, "{case}");
        }
    }
}

//! The newsletter's public routes on every site (by host or under
//! `/{site}`, in either language): `…/newsletter` (the form posts here),
//! `…/newsletter/confirm?t=` and `…/newsletter/unsubscribe?t=`. They answer
//! before the render cache, which never sees them, with `no-store`.
//!
//! Forms have no session to carry a CSRF token: subscribing and
//! confirming must come from a page of this server (`Origin`), as the
//! admin's login does. Unsubscribing needs no such proof: mail providers
//! post RFC 8058 one-click requests from their own servers, and the
//! token in the link is the authority.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tawasul_app::newsletter::Unsubscribed;
use tawasul_app::public::{NewsletterPage, Origin};
use tawasul_app::{App, AppError};
use tawasul_domain::Locale;

use crate::public::internal_error;
use crate::resolve::{self, Target};
use crate::session::same_origin;

/// The same policy as the site's pages.
const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// Which newsletter route a path below a site's root names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Subscribe,
    Confirm,
    Unsubscribe,
}

/// `["fr", "newsletter", "confirm"]` on an Arabic-first site → French,
/// Confirm. `None`: not a newsletter path.
fn parse(segments: &[String], locales: [Locale; 2]) -> Option<(Locale, Route)> {
    let [default, other] = locales;
    let (locale, rest) = match segments.split_first() {
        Some((first, rest)) if first == other.as_str() => (other, rest),
        _ => (default, segments),
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let route = match rest.as_slice() {
        ["newsletter"] => Route::Subscribe,
        ["newsletter", "confirm"] => Route::Confirm,
        ["newsletter", "unsubscribe"] => Route::Unsubscribe,
        _ => return None,
    };
    Some((locale, route))
}

/// A field of a urlencoded body, or of the query string.
fn param(source: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(source)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The link's token: in the query string (links, one-click posts) or in
/// the page's form.
fn token(uri: &Uri, body: &[u8]) -> String {
    param(uri.query().unwrap_or("").as_bytes(), "t")
        .or_else(|| param(body, "t"))
        .unwrap_or_default()
}

/// Answers a newsletter request, or `None` when the path is not one (the
/// site's pages answer it).
pub async fn respond(
    app: &Arc<App>,
    method: &Method,
    headers: &HeaderMap,
    uri: &Uri,
    client: &str,
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
    let locales = network.site(id)?.locales();
    drop(network);
    let (locale, route) = parse(&segments, locales)?;
    let origin = Origin {
        scheme,
        host,
        prefix,
    };
    let post = *method == Method::POST;
    if !post && *method != Method::GET && *method != Method::HEAD {
        return Some(
            (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "GET, HEAD, POST")],
                "",
            )
                .into_response(),
        );
    }
    let answer = match (route, post) {
        (Route::Subscribe, false) => Ok((StatusCode::OK, NewsletterPage::Form)),
        (Route::Subscribe, true) if !same_origin(headers, app.config.server.behind_proxy) => {
            Ok((StatusCode::FORBIDDEN, NewsletterPage::Refused))
        }
        (Route::Subscribe, true) => {
            let email = param(body, "email").unwrap_or_default();
            match app.subscribe(id, &email, locale, client).await {
                Ok(()) => Ok((StatusCode::OK, NewsletterPage::Sent)),
                Err(AppError::Throttled {
                    retry_after_seconds,
                }) => {
                    let page = NewsletterPage::Throttled {
                        minutes: retry_after_seconds.div_ceil(60),
                    };
                    return Some(with_retry_after(
                        render(
                            app,
                            id,
                            &origin,
                            locale,
                            StatusCode::TOO_MANY_REQUESTS,
                            &page,
                        ),
                        retry_after_seconds,
                    ));
                }
                Err(AppError::Domain(_) | AppError::Invalid(_)) => Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    NewsletterPage::InvalidEmail {
                        email: email.chars().take(254).collect(),
                    },
                )),
                Err(e) => Err(e),
            }
        }
        (Route::Confirm, false) => {
            let token = token(uri, body);
            match app.newsletter_confirmation(&token).await {
                Ok(Some(_)) => Ok((StatusCode::OK, NewsletterPage::Confirm { token })),
                Ok(None) => Ok((StatusCode::NOT_FOUND, NewsletterPage::ConfirmInvalid)),
                Err(e) => Err(e),
            }
        }
        (Route::Confirm, true) if !same_origin(headers, app.config.server.behind_proxy) => {
            Ok((StatusCode::FORBIDDEN, NewsletterPage::Refused))
        }
        (Route::Confirm, true) => match app.confirm_newsletter(&token(uri, body)).await {
            Ok(Some(_)) => Ok((StatusCode::OK, NewsletterPage::Confirmed)),
            Ok(None) => Ok((StatusCode::NOT_FOUND, NewsletterPage::ConfirmInvalid)),
            Err(e) => Err(e),
        },
        (Route::Unsubscribe, false) => {
            let token = token(uri, body);
            match app.newsletter_subscriber_of(&token).await {
                Ok(Some(row)) if row.status == "unsubscribed" => {
                    Ok((StatusCode::OK, NewsletterPage::Unsubscribed))
                }
                Ok(Some(_)) => Ok((StatusCode::OK, NewsletterPage::Unsubscribe { token })),
                Ok(None) => Ok((StatusCode::NOT_FOUND, NewsletterPage::UnsubscribeInvalid)),
                Err(e) => Err(e),
            }
        }
        (Route::Unsubscribe, true) => match app.unsubscribe_newsletter(&token(uri, body)).await {
            Ok(Unsubscribed::Done { .. }) => Ok((StatusCode::OK, NewsletterPage::Unsubscribed)),
            Ok(Unsubscribed::UnknownLink) => {
                Ok((StatusCode::NOT_FOUND, NewsletterPage::UnsubscribeInvalid))
            }
            Err(e) => Err(e),
        },
    };
    Some(match answer {
        Ok((status, page)) => render(app, id, &origin, locale, status, &page),
        Err(e) => internal_error(&e, uri, "newsletter request"),
    })
}

fn render(
    app: &App,
    site_id: i32,
    origin: &Origin,
    locale: Locale,
    status: StatusCode,
    page: &NewsletterPage,
) -> Response {
    match app.newsletter_page(site_id, origin, locale, page) {
        Ok(html) => {
            let mut response = (status, html).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            // One person's answer: never kept by a browser or a proxy.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            );
            headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
            response
        }
        Err(e) => internal_error(&e, &Uri::from_static("/newsletter"), "newsletter request"),
    }
}

fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &[&str]) -> Vec<String> {
        path.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn newsletter_paths_of_a_site_in_each_language() {
        let ar_first = [Locale::Ar, Locale::Fr];
        type Case<'a> = (&'a [&'a str], Option<(Locale, Route)>);
        let table: [Case<'_>; 8] = [
            (&["newsletter"], Some((Locale::Ar, Route::Subscribe))),
            (&["fr", "newsletter"], Some((Locale::Fr, Route::Subscribe))),
            (
                &["newsletter", "confirm"],
                Some((Locale::Ar, Route::Confirm)),
            ),
            (
                &["fr", "newsletter", "unsubscribe"],
                Some((Locale::Fr, Route::Unsubscribe)),
            ),
            (&["ar", "newsletter"], None),
            (&["newsletter", "other"], None),
            (&["news"], None),
            (&[], None),
        ];
        for (path, expected) in table {
            assert_eq!(parse(&segments(path), ar_first), expected, "{path:?}");
        }
        assert_eq!(
            parse(&segments(&["ar", "newsletter"]), [Locale::Fr, Locale::Ar]),
            Some((Locale::Ar, Route::Subscribe))
        );
    }

    #[test]
    fn the_token_comes_from_the_link_or_the_form() {
        let uri = Uri::from_static("/x/newsletter/unsubscribe?t=abc");
        assert_eq!(token(&uri, b"List-Unsubscribe=One-Click"), "abc");
        let bare = Uri::from_static("/x/newsletter/unsubscribe");
        assert_eq!(token(&bare, b"t=def"), "def");
        assert_eq!(token(&bare, b""), "");
    }
}

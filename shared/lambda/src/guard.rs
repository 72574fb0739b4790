//! What every request passes before its handler, and what every answer carries: the body's
//! media type and size as its route reads it, the origin of cookie-authenticated state
//! changes (so another site's page cannot act with a player's cookie), and headers that
//! keep answers out of caches and sniffers. See `docs/security.md`.

use lambda_http::http::header::{CACHE_CONTROL, HOST, ORIGIN, X_CONTENT_TYPE_OPTIONS};
use lambda_http::http::{HeaderMap, HeaderValue};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use luckydraw_core::Error;
use luckydraw_core::settings::Settings;

use crate::http;
use crate::routes::Route;

/// The largest JSON body a route reads (the largest real one is well under 1 KiB).
/// Nesting is bounded by `serde_json`'s recursion limit (128 levels).
pub const MAX_JSON_BYTES: usize = 16 * 1024;

/// What a route reads from its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// Nothing: any body is ignored.
    Nothing,
    /// `application/json`, at most [`MAX_JSON_BYTES`].
    Json,
    /// `application/x-www-form-urlencoded` (its parser bounds its size).
    Form,
}

impl BodyKind {
    /// The media type a body of this kind must declare.
    pub fn media_type(self) -> Option<&'static str> {
        match self {
            BodyKind::Nothing => None,
            BodyKind::Json => Some("application/json"),
            BodyKind::Form => Some("application/x-www-form-urlencoded"),
        }
    }
}

/// Refuses a request its route must not handle: 415 for a body of another media type
/// (a cross-site `<form>` can only send form, multipart or plain-text bodies), 413 for a
/// JSON body past [`MAX_JSON_BYTES`], 403 for a cookie-authenticated change from a foreign origin.
pub fn check(route: &Route, request: &Request, settings: &Settings) -> Result<(), Error> {
    if let Some(expected) = route.body.media_type() {
        if !declares(request.headers(), expected) {
            return Err(Error::UnsupportedMediaType { expected });
        }
        if route.body == BodyKind::Json && request.body().len() > MAX_JSON_BYTES {
            return Err(Error::PayloadTooLarge { limit: MAX_JSON_BYTES });
        }
    }
    if route.method != "GET" && http::cookie_token(request).is_some() && http::bearer_token(request).is_none() {
        same_origin(request, settings)?;
    }
    Ok(())
}

/// Adds the headers every API answer carries: never cached (the login answer holds a
/// token, the others a player's data), never sniffed as another type.
pub fn protect(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// Whether `Content-Type` names `expected` (parameters such as `charset` aside).
fn declares(headers: &HeaderMap, expected: &str) -> bool {
    let declared = headers.get(lambda_http::http::header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    declared.and_then(|value| value.split(';').next()).is_some_and(|value| value.trim().eq_ignore_ascii_case(expected))
}

/// A browser names the page's origin on every cross-origin `POST`: it must be this API's
/// own host or the configured page origin. Without `Origin`, `Sec-Fetch-Site` decides.
fn same_origin(request: &Request, settings: &Settings) -> Result<(), Error> {
    let headers = request.headers();
    let Some(origin) = headers.get(ORIGIN) else {
        let site = headers.get("sec-fetch-site").and_then(|value| value.to_str().ok());
        return match site {
            Some("cross-site" | "same-site") => Err(Error::ForeignOrigin),
            _ => Ok(()),
        };
    };
    let origin = origin.to_str().unwrap_or("null").trim_end_matches('/');
    if settings.page_origin.as_deref() == Some(origin) {
        return Ok(());
    }
    let authority = origin.split_once("://").map(|(_, authority)| authority);
    match (authority, own_host(request)) {
        (Some(authority), Some(host)) if authority.eq_ignore_ascii_case(&host) => Ok(()),
        _ => Err(Error::ForeignOrigin),
    }
}

/// The host the request was sent to: `Host`, or API Gateway's domain name.
fn own_host(request: &Request) -> Option<String> {
    let host = request.headers().get(HOST).and_then(|value| value.to_str().ok()).map(str::to_owned);
    host.or_else(|| match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.domain_name.clone(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Route;
    use luckydraw_core::App;

    fn nothing<'a>(_: &'a App, _: &'a Request) -> crate::routes::Answer<'a> {
        Box::pin(async { Err(Error::NotFound("route")) })
    }

    fn request(headers: &[(&str, &str)], body: &str) -> Request {
        let mut builder = lambda_http::http::Request::builder().method("POST").uri("/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::Text(body.to_owned())).unwrap()
    }

    const COOKIE: (&str, &str) = ("cookie", "session=ZXZlbnRzLWZpeHR1cmUtc2Vzc2lvbi10b2tlbi0wMDE");

    #[test]
    fn json_routes_take_only_json_of_bounded_size() {
        let route = Route::post_json("/x", nothing);
        let settings = Settings::default();
        for content_type in ["application/json", "application/json; charset=utf-8", "Application/JSON"] {
            assert!(check(&route, &request(&[("content-type", content_type)], "{}"), &settings).is_ok());
        }
        for headers in [&[][..], &[("content-type", "text/plain")], &[("content-type", "application/jsonx")]] {
            let refused = check(&route, &request(headers, "{}"), &settings).unwrap_err();
            assert!(matches!(refused, Error::UnsupportedMediaType { expected: "application/json" }), "{headers:?}");
        }
        let big = "x".repeat(MAX_JSON_BYTES + 1);
        let refused = check(&route, &request(&[("content-type", "application/json")], &big), &settings).unwrap_err();
        assert!(matches!(refused, Error::PayloadTooLarge { .. }));
        let form = Route::post_form("/x", nothing);
        assert!(check(&form, &request(&[("content-type", "application/json")], "a=1"), &settings).is_err());
    }

    #[test]
    fn cookie_changes_only_from_our_own_origin() {
        let route = Route::post("/x", nothing);
        let mut settings = Settings::default();
        let host = ("host", "api.example.com");
        let check = |headers: &[(&str, &str)], settings: &Settings| check(&route, &request(headers, ""), settings);
        assert!(check(&[COOKIE, host, ("origin", "https://api.example.com")], &settings).is_ok());
        assert!(check(&[COOKIE, host], &settings).is_ok(), "no Origin: a same-origin or non-browser client");
        assert!(check(&[COOKIE, host, ("origin", "https://evil.example")], &settings).is_err());
        assert!(check(&[COOKIE, host, ("origin", "null")], &settings).is_err());
        assert!(check(&[COOKIE, host, ("sec-fetch-site", "cross-site")], &settings).is_err());
        assert!(check(&[host, ("origin", "https://evil.example")], &settings).is_ok(), "no cookie: nothing to abuse");
        let bearer = ("authorization", "Bearer ZXZlbnRzLWZpeHR1cmUtc2Vzc2lvbi10b2tlbi0wMDE");
        assert!(check(&[COOKIE, bearer, host, ("origin", "https://page.example")], &settings).is_ok());
        settings.page_origin = Some("https://page.example".into());
        assert!(check(&[COOKIE, host, ("origin", "https://page.example")], &settings).is_ok());
    }
}

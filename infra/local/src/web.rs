//! The page (`web/`), served as the static host in front of it would: only the page's own
//! files (never `package.json`, the tests or `node_modules`), with the security headers
//! `docs/security.md` asks the static host to send.

use std::path::Path;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// Single files of the page at the root of `web/`.
pub const PAGE_FILES: &[&str] =
    &["index.html", "app.js", "config.js", "style.css", "admin.html", "admin.js", "admin.css"];

/// Folders of the page's assets under `web/`.
pub const PAGE_DIRS: &[&str] = &["js", "img", "prizes", "vendor"];

/// The page's Content-Security-Policy: its own scripts, styles, pictures and API only; no
/// inline code, no plugins, never inside a frame.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Routes for the page in `dir`: `/` is `index.html`, then [`PAGE_FILES`] and [`PAGE_DIRS`].
pub fn page(dir: &Path) -> Router {
    let mut router = Router::new().route_service("/", ServeFile::new(dir.join("index.html")));
    for file in PAGE_FILES {
        router = router.route_service(&format!("/{file}"), ServeFile::new(dir.join(file)));
    }
    for folder in PAGE_DIRS {
        router = router.nest_service(&format!("/{folder}"), ServeDir::new(dir.join(folder)));
    }
    router.layer(axum::middleware::map_response(utf8_text)).layer(axum::middleware::map_response(secure))
}

/// The page's security headers.
async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// Text files are UTF-8: say so, as the page's static host does.
async fn utf8_text(mut response: Response) -> Response {
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok());
    let textual = content_type.is_some_and(|value| {
        (value.starts_with("text/") || value == "application/javascript") && !value.contains("charset")
    });
    if let (true, Some(value)) = (textual, content_type)
        && let Ok(with_charset) = HeaderValue::from_str(&format!("{value}; charset=utf-8"))
    {
        response.headers_mut().insert(CONTENT_TYPE, with_charset);
    }
    response
}

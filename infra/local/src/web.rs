//! Serves the page (`web/`) and its assets from disk, as a CDN or API Gateway would.

use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use http_body_util::Full;
use lambda_http::http::StatusCode;

use crate::server::plain;

/// The folder the page is served from.
#[derive(Clone, Debug)]
pub struct WebRoot(PathBuf);

impl WebRoot {
    /// Serves files under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self(dir.into())
    }

    /// The file for a `GET` of `path` (`/` is `index.html`), or a JSON 404.
    pub async fn serve(&self, method: &str, path: &str) -> hyper::Response<Full<Bytes>> {
        if method != "GET" && method != "HEAD" {
            return not_found();
        }
        let Some(file) = self.resolve(path) else { return not_found() };
        match tokio::fs::read(&file).await {
            Ok(bytes) => plain(StatusCode::OK, content_type(&file), bytes),
            Err(_) => not_found(),
        }
    }

    /// The file a URL path names, refusing anything that would climb out of the root.
    fn resolve(&self, path: &str) -> Option<PathBuf> {
        let relative = Path::new(path.trim_start_matches('/'));
        if !relative.components().all(|part| matches!(part, Component::Normal(_))) {
            return None;
        }
        let file = self.0.join(relative);
        Some(if path.ends_with('/') || file.is_dir() { file.join("index.html") } else { file })
    }
}

fn not_found() -> hyper::Response<Full<Bytes>> {
    let body = r#"{"error":{"code":"not_found","message":"no such route or file"}}"#;
    plain(StatusCode::NOT_FOUND, "application/json", body)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|extension| extension.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_resolves_outside_the_root() {
        let root = WebRoot::new("/srv/web");
        assert_eq!(root.resolve("/app.js"), Some(PathBuf::from("/srv/web/app.js")));
        assert_eq!(root.resolve("/"), Some(PathBuf::from("/srv/web/index.html")));
        assert_eq!(root.resolve("/../etc/passwd"), None);
        assert_eq!(root.resolve("/vendor/../../secret"), None);
    }
}

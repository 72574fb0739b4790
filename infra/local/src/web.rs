//! The page (`web/`), served as the static host in front of it would: only the page's own
//! files (never `package.json`, the tests or `node_modules`).

use std::path::Path;

use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// Single files of the page at the root of `web/`.
pub const PAGE_FILES: &[&str] = &["index.html", "app.js", "config.js", "style.css"];

/// Folders of the page's assets under `web/`.
pub const PAGE_DIRS: &[&str] = &["js", "img", "prizes", "vendor"];

/// Routes for the page in `dir`: `/` is `index.html`, then [`PAGE_FILES`] and [`PAGE_DIRS`].
pub fn page(dir: &Path) -> Router {
    let mut router = Router::new().route_service("/", ServeFile::new(dir.join("index.html")));
    for file in PAGE_FILES {
        router = router.route_service(&format!("/{file}"), ServeFile::new(dir.join(file)));
    }
    for folder in PAGE_DIRS {
        router = router.nest_service(&format!("/{folder}"), ServeDir::new(dir.join(folder)));
    }
    router
}

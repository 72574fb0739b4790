//! Responses the runner writes itself (the sandbox's pages, 404s), not a function's.

use axum::body::Body;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

/// A response with a body of `content_type`.
pub fn plain(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    (status, [(CONTENT_TYPE, content_type)], body.into()).into_response()
}

/// An HTML page.
pub fn html(status: StatusCode, page: String) -> Response {
    plain(status, "text/html; charset=utf-8", page)
}

/// The JSON 404 for a path that is neither a route nor a page file.
pub fn not_found() -> Response {
    let body = r#"{"error":{"code":"not_found","message":"no such route or file"}}"#;
    plain(StatusCode::NOT_FOUND, "application/json", body)
}

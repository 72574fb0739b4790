//! Route tables: each HTTP function declares the routes it serves once, as a `&[Route]`.
//! Its Lambda handler dispatches on that table by API Gateway's route key; the local runner
//! mounts the same table on its server; a test holds `template.yaml`, `events/` and the
//! OpenAPI description to it.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use lambda_http::{Body, Request, Response};
use luckydraw_core::{App, Error};

use crate::guard::{self, BodyKind};
use crate::{http, metrics};

/// What a route's handler returns: the response, or the error to map.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send + 'a>>;

/// A route's handler: the app and the request in, an [`Answer`] out.
pub type Handler = for<'a> fn(&'a App, &'a Request) -> Answer<'a>;

/// One route: an HTTP method and an API Gateway path template such as `/orders/{id}/pay`.
#[derive(Clone, Copy)]
pub struct Route {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path template, `{name}` for a path parameter (as in API Gateway and axum).
    pub path: &'static str,
    /// What it reads from the body.
    pub body: BodyKind,
    /// What answers it.
    pub handler: Handler,
}

impl Route {
    /// A `GET` route.
    pub const fn get(path: &'static str, handler: Handler) -> Self {
        Route { method: "GET", path, body: BodyKind::Nothing, handler }
    }

    /// A `POST` route that reads no body.
    pub const fn post(path: &'static str, handler: Handler) -> Self {
        Route { method: "POST", path, body: BodyKind::Nothing, handler }
    }

    /// A `POST` route that reads a JSON body.
    pub const fn post_json(path: &'static str, handler: Handler) -> Self {
        Route { method: "POST", path, body: BodyKind::Json, handler }
    }

    /// A `POST` route that reads a form body.
    pub const fn post_form(path: &'static str, handler: Handler) -> Self {
        Route { method: "POST", path, body: BodyKind::Form, handler }
    }

    /// A `PUT` route that reads a JSON body.
    pub const fn put_json(path: &'static str, handler: Handler) -> Self {
        Route { method: "PUT", path, body: BodyKind::Json, handler }
    }

    /// A `PATCH` route that reads a JSON body.
    pub const fn patch_json(path: &'static str, handler: Handler) -> Self {
        Route { method: "PATCH", path, body: BodyKind::Json, handler }
    }

    /// A `DELETE` route.
    pub const fn delete(path: &'static str, handler: Handler) -> Self {
        Route { method: "DELETE", path, body: BodyKind::Nothing, handler }
    }

    /// The API Gateway route key, e.g. `POST /orders/{id}/pay`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether `key` names this route.
    pub fn has_key(&self, key: &str) -> bool {
        key.split_once(' ').is_some_and(|(method, path)| method == self.method && path == self.path)
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// The answer to a request refused before any route ran (e.g. an admin check), with the
/// headers every answer carries.
pub fn refuse(error: &Error) -> Response<Body> {
    let mut response = http::error_response(error);
    guard::protect(&mut response);
    response
}

/// Answers `request` with the route of `routes` its route key names (404 if none), once
/// the [`guard`] lets it through, mapping errors to responses in the one place that does,
/// and reports it to [`metrics`].
pub async fn dispatch(routes: &[Route], app: &App, request: Request) -> Response<Body> {
    let started = Instant::now();
    let route = http::route_key(&request).and_then(|key| routes.iter().find(|route| route.has_key(key)));
    let result = match route {
        Some(route) => match guard::check(route, &request, &app.settings) {
            Ok(()) => (route.handler)(app, &request).await,
            Err(refused) => Err(refused),
        },
        None => Err(Error::NotFound("route")),
    };
    metrics::request(route.map(Route::key).as_deref(), result.as_ref().err(), started.elapsed());
    let mut response = http::respond(result);
    guard::protect(&mut response);
    response
}

//! The HTTP functions the runner serves, each with the route table it declares
//! ([`luckydraw_lambda::routes`]) and the handler its Lambda `main` runs.

use std::future::Future;
use std::pin::Pin;

use lambda_http::{Body, Request, Response};
use luckydraw_core::App;
use luckydraw_lambda::routes::Route;

/// A function's whole HTTP handler, as its Lambda `main` runs it.
pub type Handle = for<'a> fn(&'a App, Request) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// One HTTP function: its name (its crate, and its folder in `template.yaml`'s `CodeUri`),
/// the routes it declares, and its handler.
#[derive(Clone, Copy, Debug)]
pub struct HttpFunction {
    /// E.g. `draw`.
    pub name: &'static str,
    /// The routes it declares.
    pub routes: &'static [Route],
    /// Its handler.
    pub handle: Handle,
}

/// Every HTTP function of the system.
pub const HTTP_FUNCTIONS: &[HttpFunction] = &[
    HttpFunction { name: "login", routes: login::ROUTES, handle: |app, request| Box::pin(login::handle(app, request)) },
    HttpFunction { name: "draw", routes: draw::ROUTES, handle: |app, request| Box::pin(draw::handle(app, request)) },
    HttpFunction { name: "api", routes: api::ROUTES, handle: |app, request| Box::pin(api::handle(app, request)) },
    HttpFunction { name: "admin", routes: admin::ROUTES, handle: |app, request| Box::pin(admin::handle(app, request)) },
    HttpFunction {
        name: "pay-callback",
        routes: pay_callback::ROUTES,
        handle: |app, request| Box::pin(pay_callback::handle(app, request)),
    },
];

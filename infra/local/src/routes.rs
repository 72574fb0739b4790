//! The API routes, each mounted on the handler of the function that serves it on AWS,
//! matched the way API Gateway matches `{param}` templates.

use std::collections::HashMap;

use lambda_http::{Body, Request, Response};
use luckydraw::App;

/// A function's HTTP handler, as the runner calls it.
pub type Handler = for<'a> fn(&'a App, Request) -> std::pin::Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// One route: its API Gateway key (`POST /orders/{id}/giveup`) and its function.
pub struct Route {
    /// The route key, exactly as in `template.yaml`.
    pub key: &'static str,
    /// The function's name, for logs.
    pub function: &'static str,
    /// The function's handler.
    pub handler: Handler,
}

/// Every API route of every HTTP function.
pub fn api_routes() -> Vec<Route> {
    let functions: [(&'static str, &'static [&'static str], Handler); 4] = [
        ("login", login::ROUTES, |app, request| Box::pin(login::handle(app, request))),
        ("draw", draw::ROUTES, |app, request| Box::pin(draw::handle(app, request))),
        ("api", api::ROUTES, |app, request| Box::pin(api::handle(app, request))),
        ("pay-callback", pay_callback::ROUTES, |app, request| Box::pin(pay_callback::handle(app, request))),
    ];
    functions
        .into_iter()
        .flat_map(|(function, keys, handler)| keys.iter().map(move |&key| Route { key, function, handler }))
        .collect()
}

impl Route {
    /// The path parameters if `method` and `path` match this route.
    pub fn matches(&self, method: &str, path: &str) -> Option<HashMap<String, String>> {
        let (route_method, template) = self.key.split_once(' ')?;
        if route_method != method {
            return None;
        }
        let mut parameters = HashMap::new();
        let mut segments = path.trim_end_matches('/').split('/');
        for expected in template.split('/') {
            let segment = segments.next()?;
            match expected.strip_prefix('{').and_then(|name| name.strip_suffix('}')) {
                Some(name) if !segment.is_empty() => {
                    parameters.insert(name.to_owned(), segment.to_owned());
                }
                Some(_) => return None,
                None if expected == segment => {}
                None => return None,
            }
        }
        segments.next().is_none().then_some(parameters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(key: &'static str) -> Route {
        Route { key, function: "test", handler: |app, request| Box::pin(api::handle(app, request)) }
    }

    #[test]
    fn matches_templates_like_api_gateway() {
        let giveup = route("POST /orders/{id}/giveup");
        let params = giveup.matches("POST", "/orders/abc/giveup").unwrap();
        assert_eq!(params["id"], "abc");
        assert!(giveup.matches("GET", "/orders/abc/giveup").is_none());
        assert!(giveup.matches("POST", "/orders//giveup").is_none());
        assert!(giveup.matches("POST", "/orders/abc").is_none());
        assert!(giveup.matches("POST", "/orders/abc/giveup/more").is_none());
        assert!(route("GET /activities").matches("GET", "/activities/").is_some());
    }

    #[test]
    fn every_route_key_is_unique() {
        let routes = api_routes();
        let mut keys: Vec<_> = routes.iter().map(|route| route.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), routes.len());
    }
}

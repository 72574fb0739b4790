//! API Gateway requests for handler tests, the events in `events/`, and reading responses.

use std::collections::HashMap;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use luckydraw_core::domain::SessionToken;

/// An API Gateway HTTP API (v2) request on `route_key` (e.g. `POST /login`) for `path`,
/// with path parameters, an optional JSON body and an optional bearer token.
pub fn request(
    route_key: &str,
    path: &str,
    params: &[(&str, &str)],
    body: Option<&str>,
    token: Option<&SessionToken>,
) -> Request {
    let (method, _) = route_key.split_once(' ').expect("route keys are `METHOD /path`");
    let mut builder = lambda_http::http::Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {}", token.expose()));
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let body = body.map_or(Body::Empty, |text| Body::Text(text.to_owned()));
    let params: HashMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(route_key.to_owned());
    builder
        .body(body)
        .expect("test requests are valid")
        .with_path_parameters(params)
        .with_request_context(RequestContext::ApiGatewayV2(context))
}

/// `request` with its `Content-Type` replaced by `content_type` (or removed, for `None`).
pub fn with_content_type(mut request: Request, content_type: Option<&str>) -> Request {
    let headers = request.headers_mut();
    headers.remove("content-type");
    if let Some(value) = content_type {
        headers.insert("content-type", value.parse().expect("test content types are valid"));
    }
    request
}

/// A form `POST` as Alipay sends its notifications.
pub fn form_request(route_key: &str, path: &str, body: Option<&str>) -> Request {
    let request = request(route_key, path, &[], body, None);
    with_content_type(request, Some("application/x-www-form-urlencoded; charset=utf-8"))
}

/// `request` as API Gateway reports it coming from `ip` (`requestContext.http.sourceIp`).
pub fn from_address(request: Request, ip: &str) -> Request {
    let mut context = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.clone(),
        _ => ApiGatewayV2httpRequestContext::default(),
    };
    context.http.source_ip = Some(ip.to_owned());
    request.with_request_context(RequestContext::ApiGatewayV2(context))
}

/// The text of `events/<name>.json`, the file `sam local invoke -e` uses.
pub fn event_text(name: &str) -> String {
    event_file(&format!("{name}.json"))
}

/// The text of `events/<file>` (fixtures that are not events, such as the fixture's public key).
pub fn event_file(file: &str) -> String {
    let path = format!("{}/../../events/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

/// The API Gateway request in `events/<name>.json`.
pub fn fixture(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(name))
        .unwrap_or_else(|error| panic!("events/{name}.json is not an API Gateway event: {error}"))
}

/// The bearer token the HTTP events in `events/` carry.
pub fn fixture_token() -> SessionToken {
    SessionToken::parse(FIXTURE_TOKEN).expect("the fixture token is well formed")
}

/// See [`fixture_token`].
pub const FIXTURE_TOKEN: &str = "ZXZlbnRzLWZpeHR1cmUtc2Vzc2lvbi10b2tlbi0wMDE";

/// The status and JSON body of a handler's response.
pub fn json_of(response: lambda_http::Response<Body>) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Empty => serde_json::Value::Null,
        body => serde_json::from_slice(body.as_ref())
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body.as_ref()).into_owned())),
    };
    (status, body)
}

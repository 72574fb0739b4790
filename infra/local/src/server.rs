//! The HTTP server, on axum: every HTTP function's routes mounted from the table it declares,
//! each request handed to that function's handler as the API Gateway (HTTP API v2) request it
//! receives on AWS (route key, path parameters, query, source IP); the sandbox Alipay under
//! `/sandbox/alipay/`; the page's own files. Bodies are limited, slow requests time out, a
//! client that never finishes its request head is dropped (see [`head_timeout`]).

pub mod head_timeout;

use head_timeout::Peer;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, RawPathParams, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, any, get, on};
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{RequestExt, aws_lambda_events::query_map::QueryMap};
use luckydraw_core::App;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::functions::{HTTP_FUNCTIONS, HttpFunction};
use crate::response;
use crate::sandbox::{self, Sandbox};
use crate::web;

/// API Gateway's payload limit is 10 MB; nothing here needs more than this.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A request must be answered within this (API Gateway's own integration limit is 30 s).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client must send a whole request head within this of connecting (or of its last answer).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The OpenAPI description of the whole HTTP API (`docs/openapi.json`), served at `/openapi.json`.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");

/// What the server serves.
pub struct Site {
    /// The app every handler shares.
    pub app: App,
    /// The page's folder.
    pub web_dir: PathBuf,
    /// The sandbox Alipay, if payments go there.
    pub sandbox: Option<Arc<Sandbox>>,
}

/// The whole site as one router.
pub fn router(site: Site) -> Router {
    let mut api = Router::new();
    for function in HTTP_FUNCTIONS {
        for route in function.routes {
            let method = Method::from_bytes(route.method.as_bytes()).expect("route methods are HTTP methods");
            let filter = MethodFilter::try_from(method).expect("route methods are routable");
            let (function, key) = (*function, Arc::<str>::from(route.key()));
            let handler =
                move |state, peer, params, request| invoke(function, key.clone(), state, peer, params, request);
            api = api.route(route.path, on(filter, handler));
        }
    }
    let openapi = || async { response::plain(StatusCode::OK, "application/json", OPENAPI) };
    let mut router =
        api.with_state(Arc::new(site.app)).merge(web::page(&site.web_dir)).route("/openapi.json", get(openapi));
    if let Some(sandbox) = site.sandbox {
        let answer = move |request: Request| {
            let sandbox = sandbox.clone();
            async move { answer_sandbox(&sandbox, request).await }
        };
        router = router.route(&format!("{}/{{*rest}}", sandbox::PREFIX), any(answer));
    }
    // API Gateway answers 404 for a method no route has, whatever the path.
    let not_found = || async { response::not_found() };
    // A line per request at `debug` (`RUST_LOG=tower_http=debug`): at `info` the log's own
    // formatting and writing cost a fifth of a draw's CPU (docs/benchmarks.md).
    router.fallback(not_found).method_not_allowed_fallback(not_found).layer((
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::DEBUG))
            .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        RequestBodyLimitLayer::new(MAX_BODY_BYTES),
        TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, REQUEST_TIMEOUT),
    ))
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()> + Send + 'static) {
    let listener = head_timeout::Listener::new(listener, HEADER_READ_TIMEOUT);
    let service = router.into_make_service_with_connect_info::<head_timeout::Peer>();
    if let Err(error) = axum::serve(listener, service).with_graceful_shutdown(shutdown).await {
        tracing::error!(%error, "the server stopped");
    }
}

/// Calls `function` with the API Gateway request for `request` on route `key`.
async fn invoke(
    function: HttpFunction,
    key: Arc<str>,
    State(app): State<Arc<App>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    params: RawPathParams,
    request: Request,
) -> Response {
    let parameters: HashMap<String, String> =
        params.iter().map(|(name, value)| (name.to_owned(), value.to_owned())).collect();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large or broken").into_response();
    };
    let query: QueryMap = parts.uri.query().map(|query| query.parse().unwrap_or_default()).unwrap_or_default();
    let context = gateway_context(&key, &parts.method, parts.uri.path(), peer);
    let request = lambda_http::Request::from_parts(parts, lambda_body(bytes))
        .with_path_parameters(parameters)
        .with_query_string_parameters(query)
        .with_request_context(RequestContext::ApiGatewayV2(context));
    tracing::debug!(function = function.name, route = %key, "invoking");
    let response = (function.handle)(&app, request).await;
    luckydraw_lambda::metrics::flush(); // as at the end of a Lambda invocation; off unless LUCKYDRAW_METRICS=emf
    into_axum(response)
}

async fn answer_sandbox(sandbox: &Sandbox, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => sandbox.answer(parts.method.as_str(), parts.uri.path(), &body).await,
        Err(_) => (StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large or broken").into_response(),
    }
}

/// The request context API Gateway attaches: route key, method, path, caller.
fn gateway_context(route_key: &str, method: &Method, path: &str, peer: SocketAddr) -> ApiGatewayV2httpRequestContext {
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(route_key.to_owned());
    context.stage = Some("$default".to_owned());
    context.http.method = method.clone();
    context.http.path = Some(path.to_owned());
    context.http.source_ip = Some(peer.ip().to_string());
    context
}

/// Text stays text, as API Gateway delivers it; anything else arrives as bytes.
fn lambda_body(bytes: axum::body::Bytes) -> lambda_http::Body {
    if bytes.is_empty() {
        return lambda_http::Body::Empty;
    }
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => lambda_http::Body::Text(text),
        Err(error) => lambda_http::Body::Binary(error.into_bytes()),
    }
}

fn into_axum(response: lambda_http::Response<lambda_http::Body>) -> Response {
    let (parts, body) = response.into_parts();
    let body = match body {
        lambda_http::Body::Text(text) => Body::from(text),
        lambda_http::Body::Binary(bytes) => Body::from(bytes),
        _ => Body::empty(),
    };
    Response::from_parts(parts, body)
}

//! The HTTP server. Each API request becomes the API Gateway (HTTP API v2) request its
//! function receives on AWS, with route key and path parameters; `/sandbox/alipay/...` is
//! the sandbox Alipay; anything else is the page.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::http::StatusCode;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use luckydraw::App;
use luckydraw::http::error_response;
use tokio::net::TcpListener;
use tracing::{debug, info};

use crate::routes::Route;
use crate::sandbox::{self, Sandbox};
use crate::web::WebRoot;

/// API Gateway's payload limit is 10 MB; nothing here needs more than this.
const MAX_BODY_BYTES: usize = 1 << 20;

/// What every connection serves.
pub struct Site {
    /// The app every handler shares.
    pub app: App,
    /// The API routes.
    pub routes: Vec<Route>,
    /// The page and its assets.
    pub web: WebRoot,
    /// The sandbox Alipay, if payments go there.
    pub sandbox: Option<Arc<Sandbox>>,
}

/// Accepts connections until the task is dropped.
pub async fn serve(listener: TcpListener, site: Arc<Site>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else { continue };
        let site = site.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(site.answer(request, peer).await) }
            });
            if let Err(error) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                debug!(%error, "connection closed with an error");
            }
        });
    }
}

impl Site {
    async fn answer(&self, request: hyper::Request<Incoming>, peer: SocketAddr) -> hyper::Response<Full<Bytes>> {
        let started = Instant::now();
        let method = request.method().to_string();
        let path = request.uri().path().to_owned();
        let route = self.routes.iter().find_map(|route| Some((route, route.matches(&method, &path)?)));
        let sandbox = self.sandbox.as_ref().filter(|_| path.starts_with(sandbox::PREFIX));
        let other = if sandbox.is_some() { "sandbox" } else { "web" };
        let function = route.as_ref().map_or(other, |(route, _)| route.function);
        let response = match (route, sandbox) {
            (Some((route, parameters)), _) => self.call(route, parameters, request, peer).await,
            (None, Some(sandbox)) => match read_body(request.into_body()).await {
                Ok(body) => sandbox.answer(&method, &path, &body).await,
                Err(refused) => refused,
            },
            (None, None) => self.web.serve(&method, &path).await,
        };
        info!(%method, %path, status = response.status().as_u16(), function, elapsed_ms = started.elapsed().as_millis() as u64);
        response
    }

    async fn call(
        &self,
        route: &Route,
        parameters: HashMap<String, String>,
        request: hyper::Request<Incoming>,
        peer: SocketAddr,
    ) -> hyper::Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let bytes = match read_body(body).await {
            Ok(bytes) => bytes,
            Err(refused) => return refused,
        };
        let query = parts.uri.query().unwrap_or_default().parse().unwrap_or_default();
        let context = gateway_context(route.key, &parts.method, parts.uri.path(), peer);
        let request = lambda_http::Request::from_parts(parts, lambda_body(bytes))
            .with_path_parameters(parameters)
            .with_query_string_parameters::<lambda_http::aws_lambda_events::query_map::QueryMap>(query)
            .with_request_context(RequestContext::ApiGatewayV2(context));
        into_hyper((route.handler)(&self.app, request).await)
    }
}

/// The whole body, or the 400 for one too large or broken.
async fn read_body(body: Incoming) -> Result<Bytes, hyper::Response<Full<Bytes>>> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => {
            let error = luckydraw::Error::InvalidRequest("the request body is too large or broken".into());
            Err(into_hyper(error_response(&error)))
        }
    }
}

/// The request context API Gateway attaches: route key, method, path, caller.
fn gateway_context(
    route_key: &str,
    method: &lambda_http::http::Method,
    path: &str,
    peer: SocketAddr,
) -> ApiGatewayV2httpRequestContext {
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(route_key.to_owned());
    context.stage = Some("$default".to_owned());
    context.http.method = method.clone();
    context.http.path = Some(path.to_owned());
    context.http.source_ip = Some(peer.ip().to_string());
    context
}

/// Text stays text, as API Gateway delivers it; anything else arrives as bytes.
fn lambda_body(bytes: Bytes) -> Body {
    if bytes.is_empty() {
        return Body::Empty;
    }
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Body::Text(text),
        Err(error) => Body::Binary(error.into_bytes()),
    }
}

fn into_hyper(response: lambda_http::Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

/// A plain response from the runner itself (not from a function).
pub fn plain(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

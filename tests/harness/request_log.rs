//! A counting proxy in front of moto: functions given its URL as `AWS_ENDPOINT_URL` reach
//! DynamoDB and SQS through it, and it records every request's operation (the SDK's
//! `X-Amz-Target`, e.g. `DynamoDB_20120810.BatchGetItem`) with both bodies, so a test or a
//! bench can count requests per operation and size what they wrote and read.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

/// One request through the proxy.
#[derive(Clone, Debug)]
pub struct Call {
    /// The operation, as `<service>.<Operation>` (`DynamoDB_20120810.PutItem`, `AmazonSQS.SendMessage`).
    pub target: String,
    /// The request body (JSON for both services).
    pub request: Value,
    /// The response body.
    pub response: Value,
}

impl Call {
    /// The operation's name alone (`PutItem`).
    pub fn operation(&self) -> &str {
        self.target.rsplit('.').next().unwrap_or(&self.target)
    }
}

/// The proxy: its URL and what went through it.
#[derive(Clone)]
pub struct RequestLog {
    url: String,
    calls: Arc<Mutex<Vec<Call>>>,
    forward: Arc<Forward>,
}

impl RequestLog {
    /// Starts a proxy to `upstream` (moto's URL) on a free loopback port.
    pub async fn start(upstream: &str) -> RequestLog {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("a bound address"));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let forward =
            Arc::new(Forward { upstream: upstream.trim_end_matches('/').to_owned(), client: reqwest::Client::new() });
        tokio::spawn(serve(listener, forward.clone(), calls.clone()));
        RequestLog { url, calls, forward }
    }

    /// The item under `key` in `table` now (a strongly consistent `GetItem` straight to
    /// moto, not logged), in the SDK's JSON form.
    pub async fn stored_item(&self, table: &str, key: &Value) -> Option<Value> {
        let body = serde_json::json!({ "TableName": table, "Key": key, "ConsistentRead": true });
        let answer = self
            .forward
            .client
            .post(format!("{}/", self.forward.upstream))
            .header("x-amz-target", "DynamoDB_20120810.GetItem")
            .header("content-type", "application/x-amz-json-1.0")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=test/20261124/us-east-1/dynamodb/aws4_request")
            .body(body.to_string())
            .send()
            .await
            .ok()?;
        let mut found: Value = answer.json().await.ok()?;
        found.get_mut("Item").map(Value::take)
    }

    /// The URL to give as `AWS_ENDPOINT_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every call so far, and forgets them.
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

/// Calls per operation name.
pub fn count(calls: &[Call]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for call in calls {
        *counts.entry(call.operation().to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The size DynamoDB bills for an item in the SDK's JSON form (`{"pk": {"S": "…"}, …}`):
/// per attribute its name's UTF-8 bytes plus its value's (strings by bytes, numbers ~ 1 byte
/// per two digits + 1, booleans and nulls 1, maps and lists 3 + their elements + 1 each).
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html>
pub fn item_size(item: &Value) -> usize {
    item.as_object().map_or(0, |attributes| attributes.iter().map(|(name, value)| name.len() + value_size(value)).sum())
}

fn value_size(value: &Value) -> usize {
    let Some((kind, inner)) = value.as_object().and_then(|typed| typed.iter().next()) else { return 0 };
    match kind.as_str() {
        "S" | "B" => inner.as_str().map_or(0, str::len),
        "N" => inner.as_str().map_or(1, |digits| digits.trim_start_matches('-').len().div_ceil(2) + 1),
        "BOOL" | "NULL" => 1,
        "M" => {
            3 + inner
                .as_object()
                .map_or(0, |map| map.iter().map(|(key, value)| 1 + key.len() + value_size(value)).sum())
        }
        "L" => 3 + inner.as_array().map_or(0, |list| list.iter().map(|value| 1 + value_size(value)).sum()),
        "SS" | "NS" | "BS" => {
            inner.as_array().map_or(0, |set| set.iter().map(|member| member.as_str().map_or(0, str::len)).sum())
        }
        _ => 0,
    }
}

struct Forward {
    upstream: String,
    client: reqwest::Client,
}

async fn serve(listener: TcpListener, forward: Arc<Forward>, calls: Arc<Mutex<Vec<Call>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let (forward, calls) = (forward.clone(), calls.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| relay(forward.clone(), calls.clone(), request));
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Sends the request on to moto unchanged (moto does not check signatures) and records it.
async fn relay(
    forward: Arc<Forward>,
    calls: Arc<Mutex<Vec<Call>>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|body| body.to_bytes()).unwrap_or_default();
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let mut upstream = forward.client.request(parts.method.clone(), format!("{}{path}", forward.upstream));
    for (name, value) in parts.headers.iter().filter(|(name, _)| *name != hyper::header::HOST) {
        upstream = upstream.header(name, value);
    }
    let target = parts.headers.get("x-amz-target").and_then(|value| value.to_str().ok()).unwrap_or("?").to_owned();
    let Ok(answer) = upstream.body(body.clone()).send().await else {
        return Ok(Response::builder().status(StatusCode::BAD_GATEWAY).body(Full::new(Bytes::new())).unwrap());
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let answered = answer.bytes().await.unwrap_or_default();
    let json = |bytes: &Bytes| serde_json::from_slice(bytes).unwrap_or(Value::Null);
    calls.lock().unwrap().push(Call { target, request: json(&body), response: json(&answered) });
    let mut response = Response::new(Full::new(answered));
    *response.status_mut() = status;
    let framing = [hyper::header::CONTENT_LENGTH, hyper::header::TRANSFER_ENCODING];
    for (name, value) in headers.iter().filter(|(name, _)| !framing.contains(name)) {
        response.headers_mut().append(name, value.clone());
    }
    Ok(response)
}

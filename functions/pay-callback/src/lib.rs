//! The payment-notification function: `POST /pay/notify`, Alipay's asynchronous notify.
//! It answers exactly `success` once the payment is safely queued, `failure` otherwise
//! (Alipay then retries).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw::http::{self, text_response};
use luckydraw::{App, Error};
use tracing::warn;

/// The API Gateway routes this function serves.
pub const ROUTES: &[&str] = &["POST /pay/notify"];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    match http::route_key(&request) {
        Some("POST /pay/notify") => reply(notify(app, &request).await),
        _ => http::error_response(&Error::NotFound("route")),
    }
}

/// Alipay reads only the body: exactly `success`, or anything else to be asked again.
fn reply(result: Result<(), Error>) -> Response<Body> {
    match result {
        Ok(()) => text_response(StatusCode::OK, "success"),
        Err(error) => {
            warn!(code = error.code(), reason = %error, "payment notification refused");
            text_response(StatusCode::OK, "failure")
        }
    }
}

async fn notify(_app: &App, request: &Request) -> Result<(), Error> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(request.body().as_ref())
        .map_err(|error| Error::InvalidRequest(format!("not a form-encoded body: {error}")))?;
    if form.is_empty() {
        return Err(Error::InvalidRequest("empty notification".into()));
    }
    Err(Error::Forbidden)
}

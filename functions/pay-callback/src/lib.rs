//! The payment-notification function: `POST /pay/notify`, Alipay's asynchronous notify.
//! It answers exactly `success` once the verified payment is queued, and `failure` (with one
//! structured log line saying why) otherwise, so that Alipay asks again.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw::http::{self, text_response};
use luckydraw::payment::Rejection;
use luckydraw::usecases::payments;
use luckydraw::{App, Error};
use tracing::{error, info, warn};

/// The API Gateway routes this function serves.
pub const ROUTES: &[&str] = &["POST /pay/notify"];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    match http::route_key(&request) {
        // API Gateway's base64 bodies arrive decoded: the body is the form as Alipay sent it.
        Some("POST /pay/notify") => notify(app, request.body().as_ref()).await,
        _ => http::error_response(&Error::NotFound("route")),
    }
}

/// Alipay reads only the body: exactly `success`, or anything else to be asked again.
async fn notify(app: &App, body: &[u8]) -> Response<Body> {
    match payments::receive_notification(app, body).await {
        Ok(received) => {
            info!(order_id = %received.order_id, trade_no = %received.trade_no, status = ?received.trade_status, "payment notification queued");
            text_response(StatusCode::OK, "success")
        }
        Err(rejection @ Rejection::Unavailable(_)) => {
            error!(reason = rejection.reason(), detail = %rejection, "payment notification not queued");
            text_response(StatusCode::OK, "failure")
        }
        Err(rejection) => {
            warn!(reason = rejection.reason(), detail = %rejection, "payment notification refused");
            text_response(StatusCode::OK, "failure")
        }
    }
}

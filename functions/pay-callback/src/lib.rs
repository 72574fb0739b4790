//! The payment-notification function: `POST /pay/notify`, Alipay's asynchronous notify.
//! It answers exactly `success` once the verified payment is queued, and `failure` (with one
//! structured log line saying why) otherwise, so that Alipay asks again.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::usecases::payments;
use luckydraw_core::usecases::payments::Rejection;
use luckydraw_lambda::http::text_response;
use luckydraw_lambda::routes::{self, Route};
use tracing::{error, info, warn};

/// The API Gateway routes this function serves.
pub const ROUTES: &[Route] = &[Route::post_form("/pay/notify", |app, request| Box::pin(notify(app, request)))];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    routes::dispatch(ROUTES, app, request).await
}

/// Alipay reads only the body: exactly `success`, or anything else to be asked again. API
/// Gateway's base64 bodies arrive decoded: the body is the form as Alipay sent it.
async fn notify(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    Ok(match payments::receive_notification(app, request.body().as_ref()).await {
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
    })
}

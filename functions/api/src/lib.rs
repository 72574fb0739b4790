//! The player API: activities with their stock, the caller's draws and orders, paying for
//! an order, and giving it up.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_adapters::alipay::config::notify_url;
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{ActivityId, DrawId, DrawOutcome, OrderId, PrizeId, Timestamp};
use luckydraw_core::usecases::drawing;
use luckydraw_core::usecases::payments::{self, PayLinkIssued};
use luckydraw_core::usecases::queries::{self, ActivityStock, DrawStatus};
use luckydraw_lambda::bodies::{ActivityBody, OrderBody};
use luckydraw_lambda::http::{self, json_response};
use luckydraw_lambda::routes::{self, Route};
use serde::Serialize;
use serde_json::json;

/// The API Gateway routes this function serves.
pub const ROUTES: &[Route] = &[
    Route::get("/activities", |app, request| Box::pin(list_activities(app, request))),
    Route::get("/activities/{id}", |app, request| Box::pin(get_activity(app, request))),
    Route::get("/draws/{id}", |app, request| Box::pin(get_draw(app, request))),
    Route::get("/orders", |app, request| Box::pin(list_orders(app, request))),
    Route::get("/orders/{id}", |app, request| Box::pin(get_order(app, request))),
    Route::post("/orders/{id}/pay", |app, request| Box::pin(pay(app, request))),
    Route::post("/orders/{id}/giveup", |app, request| Box::pin(give_up(app, request))),
];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    routes::dispatch(ROUTES, app, request).await
}

#[derive(Serialize)]
struct DrawBody {
    draw_id: DrawId,
    activity_id: ActivityId,
    won: bool,
    outcome: DrawOutcome,
    prize_id: PrizeId,
    drawn_at: Timestamp,
    order_id: Option<OrderId>,
    /// `queued` until the consumer has created the order; `null` for a no-win.
    order_status: Option<&'static str>,
    order: Option<OrderBody>,
}

/// Every visible activity; with a session, each says whether the caller may draw there.
async fn list_activities(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::optional_session(app, request).await?;
    let mut bodies = Vec::new();
    for activity in queries::activities(app).await? {
        let remaining = app.stock.remaining(&activity.id).await?;
        let eligible = match &session {
            Some(session) => Some(drawing::eligible(app, &activity, session).await?),
            None => None,
        };
        bodies.push(ActivityBody::new(&activity, remaining.as_ref()).eligible(eligible));
    }
    Ok(json_response(StatusCode::OK, &json!({ "activities": bodies })))
}

async fn get_activity(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let ActivityStock { activity, remaining } = queries::activity(app, &http::path_param(request, "id")?).await?;
    Ok(json_response(StatusCode::OK, &ActivityBody::new(&activity, remaining.as_ref())))
}

async fn get_draw(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let status = queries::draw(app, &session, &http::path_param(request, "id")?).await?;
    Ok(json_response(StatusCode::OK, &draw_body(status)))
}

async fn list_orders(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let orders: Vec<OrderBody> = queries::orders(app, &session).await?.into_iter().map(OrderBody::from).collect();
    Ok(json_response(StatusCode::OK, &json!({ "orders": orders })))
}

async fn get_order(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let order = queries::order(app, &session, &http::path_param(request, "id")?).await?;
    Ok(json_response(StatusCode::OK, &OrderBody::from(order)))
}

/// The link that pays the order: `out_trade_no` is the order id, `pay_url` the page to open,
/// `qr_code` the same link for a QR code, `expires_at` the pay deadline.
async fn pay(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let notify_url = http::public_base_url(request).map(|base| notify_url(&base));
    let PayLinkIssued { order, link } =
        payments::pay_link(app, &session, &http::path_param(request, "id")?, notify_url).await?;
    let body = json!({
        "order_id": order.id,
        "out_trade_no": order.id,
        "pay_url": link.url,
        "qr_code": link.url,
        "expires_at": link.expires_at,
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// 202: the consumer cancels the order and returns its unit shortly.
async fn give_up(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let order = queries::give_up(app, &session, &http::path_param(request, "id")?).await?;
    Ok(json_response(StatusCode::ACCEPTED, &json!({ "order_id": order.id, "cancel_requested": true })))
}

fn draw_body(status: DrawStatus) -> DrawBody {
    let DrawStatus { record, order } = status;
    let won = record.outcome == DrawOutcome::Won;
    let order_status = match (&order, won) {
        (Some(order), _) => Some(order.status.as_str()),
        (None, true) => Some("queued"),
        (None, false) => None,
    };
    DrawBody {
        activity_id: record.id.activity().clone(),
        order_id: won.then(|| record.id.order_id()),
        draw_id: record.id,
        won,
        outcome: record.outcome,
        prize_id: record.prize_id,
        drawn_at: record.drawn_at,
        order_status,
        order: order.map(OrderBody::from),
    }
}

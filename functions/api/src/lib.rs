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
use luckydraw_core::usecases::queueing::{self, DrawView};
use luckydraw_lambda::bodies::{ActivityBody, DrawnPrizeBody, OrderBody, QueuedBody};
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

/// A drawn draw: `status` is `drawn`; the fields of the draw function's answer (`prize`,
/// `wheel_index`, ...) and the order's progress.
#[derive(Serialize)]
struct DrawBody {
    draw_id: DrawId,
    status: &'static str,
    activity_id: ActivityId,
    won: bool,
    outcome: DrawOutcome,
    prize_id: PrizeId,
    /// Where the wheel stops (`null` if the activity is gone).
    prize: Option<DrawnPrizeBody>,
    wheel_index: Option<u16>,
    drawn_at: Timestamp,
    order_id: Option<OrderId>,
    /// `queued` until the consumer has created the order; `null` for a no-win.
    order_status: Option<&'static str>,
    order: Option<OrderBody>,
}

/// A ticket that ended without a draw: `status` is the code an instant draw would have
/// answered (`sold_out`, `activity_not_open`, ...), `message` says it in words.
#[derive(Serialize)]
struct RefusedBody {
    draw_id: DrawId,
    status: &'static str,
    message: String,
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

/// A draw's result, or its ticket's place in the line (`status` `queued`), or why the
/// ticket ended without a draw.
async fn get_draw(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let id: DrawId = http::path_param(request, "id")?;
    Ok(match queueing::look_up(app, &session, &id).await? {
        DrawView::Drawn(status) => json_response(StatusCode::OK, &draw_body(*status)),
        DrawView::Waiting { ahead } => json_response(StatusCode::OK, &QueuedBody::new(id, ahead)),
        DrawView::Refused(refusal) => {
            let message = Error::from(refusal).to_string();
            json_response(StatusCode::OK, &RefusedBody { draw_id: id, status: refusal.as_str(), message })
        }
    })
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
    let DrawStatus { record, order, prize } = status;
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
        status: "drawn",
        won,
        outcome: record.outcome,
        prize_id: record.prize_id,
        wheel_index: prize.as_ref().map(|prize| prize.wheel_index),
        prize: prize.map(DrawnPrizeBody::from),
        drawn_at: record.drawn_at,
        order_status,
        order: order.map(OrderBody::from),
    }
}

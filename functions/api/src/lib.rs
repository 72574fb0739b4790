//! The player API: activities with their stock, the caller's draws and orders, paying for
//! an order, and giving it up.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_adapters::alipay::config::notify_url;
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{
    Activity, ActivityId, ActivityStatus, DrawId, DrawMode, DrawOutcome, Money, Order, OrderId, OrderStatus, PrizeId,
    Timestamp,
};
use luckydraw_core::ports::StockCounts;
use luckydraw_core::usecases::payments::{self, PayLinkIssued};
use luckydraw_core::usecases::queries::{self, ActivityStock, DrawStatus};
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
struct ActivityBody {
    id: ActivityId,
    name: String,
    description: String,
    status: ActivityStatus,
    starts_at: Timestamp,
    ends_at: Timestamp,
    draw_mode: DrawMode,
    per_user_limit: u32,
    vip_per_user_limit: Option<u32>,
    pay_window_secs: u32,
    max_unpaid_per_user: u32,
    prizes: Vec<PrizeBody>,
}

#[derive(Serialize)]
struct PrizeBody {
    id: PrizeId,
    name: String,
    description: String,
    picture: String,
    price_fen: Money,
    initial: u64,
    remaining: u64,
    wheel_index: u16,
    weight: u32,
    consolation: bool,
}

#[derive(Serialize)]
struct OrderBody {
    id: OrderId,
    draw_id: DrawId,
    prize_id: PrizeId,
    prize_name: String,
    amount_fen: Money,
    status: OrderStatus,
    created_at: Timestamp,
    pay_deadline: Timestamp,
    updated_at: Timestamp,
    trade_no: Option<String>,
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

async fn list_activities(app: &App, _request: &Request) -> Result<Response<Body>, Error> {
    let mut bodies = Vec::new();
    for activity in queries::activities(app).await? {
        let remaining = app.stock.remaining(&activity.id).await?.unwrap_or_default();
        bodies.push(activity_body(activity, &remaining));
    }
    Ok(json_response(StatusCode::OK, &json!({ "activities": bodies })))
}

async fn get_activity(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let ActivityStock { activity, remaining } = queries::activity(app, &http::path_param(request, "id")?).await?;
    Ok(json_response(StatusCode::OK, &activity_body(activity, &remaining)))
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

fn activity_body(activity: Activity, remaining: &StockCounts) -> ActivityBody {
    let prizes = activity
        .prizes
        .iter()
        .map(|prize| PrizeBody {
            id: prize.id.clone(),
            name: prize.name.clone(),
            description: prize.description.clone(),
            picture: prize.picture.clone(),
            price_fen: prize.price_fen,
            initial: prize.initial,
            remaining: remaining.get(&prize.id).copied().unwrap_or(0),
            wheel_index: prize.wheel_index,
            weight: prize.weight,
            consolation: prize.consolation,
        })
        .collect();
    ActivityBody {
        id: activity.id.clone(),
        name: activity.name.clone(),
        description: activity.description.clone(),
        status: activity.status,
        starts_at: activity.starts_at,
        ends_at: activity.ends_at,
        draw_mode: activity.draw_mode,
        per_user_limit: activity.per_user_limit.get(),
        vip_per_user_limit: activity.vip_per_user_limit.map(|limit| limit.get()),
        pay_window_secs: activity.pay_window_secs,
        max_unpaid_per_user: activity.max_unpaid_per_user,
        prizes,
    }
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

impl From<Order> for OrderBody {
    fn from(order: Order) -> Self {
        OrderBody {
            id: order.id,
            draw_id: order.draw_id,
            prize_id: order.prize_id,
            prize_name: order.prize_name,
            amount_fen: order.amount_fen,
            status: order.status,
            created_at: order.created_at,
            pay_deadline: order.pay_deadline,
            updated_at: order.updated_at,
            trade_no: order.trade_no,
        }
    }
}

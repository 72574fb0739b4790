//! Figures: an activity's stats, orders page by page, the audit log.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::domain::{ActivityId, OrderStatus};
use luckydraw_core::ports::OrderQuery;
use luckydraw_core::usecases::figures;
use luckydraw_core::{App, Error};
use luckydraw_lambda::bodies::OrderBody;
use luckydraw_lambda::http::{self, json_response};
use serde_json::json;

use crate::activities::id;

/// Orders a page lists unless `limit` says otherwise.
const DEFAULT_PAGE: usize = 50;

/// Per prize and in total, with any drift between the stock store and the ledger.
pub async fn stats(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    Ok(json_response(StatusCode::OK, &figures::stats(app, &id(request)?).await?))
}

/// `GET /admin/orders?activity=&status=&cursor=&limit=`.
pub async fn orders(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let query = OrderQuery {
        activity: http::query_param::<ActivityId>(request, "activity")?,
        status: http::query_param::<OrderStatus>(request, "status")?,
    };
    let cursor: Option<String> = http::query_param(request, "cursor")?;
    let limit = http::query_param(request, "limit")?.unwrap_or(DEFAULT_PAGE);
    let page = figures::orders(app, &query, cursor.as_deref(), limit).await?;
    let orders: Vec<OrderBody> = page.orders.into_iter().map(OrderBody::with_user).collect();
    Ok(json_response(StatusCode::OK, &json!({ "orders": orders, "next_cursor": page.next })))
}

/// The newest audit entries (`?limit=`, 1 to 1,000, default 100).
pub async fn audit(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let limit: usize = http::query_param(request, "limit")?.unwrap_or(100);
    if !(1..=1_000).contains(&limit) {
        return Err(Error::field_error("limit", "1 to 1000 entries"));
    }
    let entries = app.audit.recent(limit).await?;
    Ok(json_response(StatusCode::OK, &json!({ "entries": entries })))
}

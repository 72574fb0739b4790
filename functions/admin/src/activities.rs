//! Campaigns: activities and their prizes, as `GET /activities/{id}` shows them.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::domain::{Activity, ActivityId, PrizeId};
use luckydraw_core::usecases::campaigns::{self, PrizeStock};
use luckydraw_core::{App, Error};
use luckydraw_lambda::bodies::ActivityBody;
use luckydraw_lambda::http::{self, json_response};
use serde::Deserialize;
use serde_json::json;

/// Every activity, drafts included.
pub async fn list(app: &App, _request: &Request) -> Result<Response<Body>, Error> {
    let mut bodies = Vec::new();
    for activity in app.activities.list().await? {
        bodies.push(body(app, &activity).await?);
    }
    Ok(json_response(StatusCode::OK, &json!({ "activities": bodies })))
}

/// 201 and the new activity.
pub async fn create(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let activity = campaigns::create(app, http::json_body(request)?).await?;
    Ok(json_response(StatusCode::CREATED, &body(app, &activity).await?))
}

/// One activity.
pub async fn get(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let activity = campaigns::get(app, &id(request)?).await?;
    Ok(json_response(StatusCode::OK, &body(app, &activity).await?))
}

/// Changes its fields or status.
pub async fn update(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let activity = campaigns::update(app, &id(request)?, http::json_body(request)?).await?;
    Ok(json_response(StatusCode::OK, &body(app, &activity).await?))
}

/// 204 once deleted.
pub async fn delete(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    campaigns::delete(app, &id(request)?).await?;
    Ok(http::empty_response(StatusCode::NO_CONTENT))
}

/// 201 and the activity with the new prize.
pub async fn add_prize(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let activity = campaigns::add_prize(app, &id(request)?, http::json_body(request)?).await?;
    Ok(json_response(StatusCode::CREATED, &body(app, &activity).await?))
}

/// The activity with the prize changed.
pub async fn update_prize(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let patch = http::json_body(request)?;
    let activity = campaigns::update_prize(app, &id(request)?, &prize_id(request)?, patch).await?;
    Ok(json_response(StatusCode::OK, &body(app, &activity).await?))
}

/// The activity without the prize.
pub async fn delete_prize(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let activity = campaigns::delete_prize(app, &id(request)?, &prize_id(request)?).await?;
    Ok(json_response(StatusCode::OK, &body(app, &activity).await?))
}

/// `{"delta": n}`: units added (or removed) while the stock is loaded.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StockDelta {
    delta: i64,
}

/// The prize's units listed and left after the change.
pub async fn adjust_stock(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let StockDelta { delta } = http::json_body(request)?;
    let PrizeStock { prize_id, initial, remaining } =
        campaigns::adjust_stock(app, &id(request)?, &prize_id(request)?, delta).await?;
    Ok(json_response(StatusCode::OK, &json!({ "prize_id": prize_id, "initial": initial, "remaining": remaining })))
}

async fn body(app: &App, activity: &Activity) -> Result<ActivityBody, Error> {
    let remaining = app.stock.remaining(&activity.id).await?;
    Ok(ActivityBody::new(activity, remaining.as_ref()))
}

/// The `{id}` of the path.
pub fn id(request: &Request) -> Result<ActivityId, Error> {
    http::path_param(request, "id")
}

fn prize_id(request: &Request) -> Result<PrizeId, Error> {
    http::path_param(request, "prize_id")
}

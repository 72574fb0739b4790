//! The draw function: `POST /activities/{id}/draw`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw::domain::{ActivityId, DrawId, DrawOutcome, Money, OrderId, PrizeId};
use luckydraw::http::{self, json_response};
use luckydraw::usecases::drawing::{self, DrawResult};
use luckydraw::{App, Error};
use serde::Serialize;

/// The API Gateway routes this function serves.
pub const ROUTES: &[&str] = &["POST /activities/{id}/draw"];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    let result = match http::route_key(&request) {
        Some("POST /activities/{id}/draw") => draw(app, &request).await,
        _ => Err(Error::NotFound("route")),
    };
    http::respond(result)
}

/// Where the wheel stops and what it means.
#[derive(Serialize)]
struct DrawBody {
    draw_id: DrawId,
    won: bool,
    outcome: DrawOutcome,
    prize: PrizeBody,
    wheel_index: u16,
    order_id: Option<OrderId>,
}

#[derive(Serialize)]
struct PrizeBody {
    id: PrizeId,
    name: String,
    picture: String,
    price_fen: Money,
}

async fn draw(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let activity: ActivityId = http::path_param(request, "id")?;
    let result = drawing::draw(app, &session, &activity).await?;
    Ok(json_response(StatusCode::OK, &DrawBody::from(result)))
}

impl From<DrawResult> for DrawBody {
    fn from(result: DrawResult) -> Self {
        let DrawResult { record, prize, order_id } = result;
        DrawBody {
            draw_id: record.id,
            won: record.outcome == DrawOutcome::Won,
            outcome: record.outcome,
            wheel_index: prize.wheel_index,
            prize: PrizeBody { id: prize.id, name: prize.name, picture: prize.picture, price_fen: prize.price_fen },
            order_id,
        }
    }
}

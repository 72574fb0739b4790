//! The draw function: `POST /activities/{id}/draw`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{ActivityId, DrawId, DrawOutcome, OrderId};
use luckydraw_core::usecases::drawing::DrawResult;
use luckydraw_core::usecases::limits;
use luckydraw_core::usecases::queueing::{self, Entered};
use luckydraw_lambda::bodies::{DrawnPrizeBody, QueuedBody};
use luckydraw_lambda::http::{self, json_response};
use luckydraw_lambda::metrics;
use luckydraw_lambda::routes::{self, Route};
use serde::Serialize;

/// The API Gateway routes this function serves.
pub const ROUTES: &[Route] = &[Route::post("/activities/{id}/draw", |app, request| Box::pin(draw(app, request)))];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    routes::dispatch(ROUTES, app, request).await
}

/// Where the wheel stops and what it means.
#[derive(Serialize)]
struct DrawBody {
    draw_id: DrawId,
    won: bool,
    outcome: DrawOutcome,
    prize: DrawnPrizeBody,
    wheel_index: u16,
    order_id: Option<OrderId>,
}

async fn draw(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let session = http::authenticate(app, request).await?;
    let activity: ActivityId = http::path_param(request, "id")?;
    limits::draw(app, &session.user_id, &http::client_address(request)).await?;
    let entered =
        queueing::enter(app, &session, &activity).await.inspect_err(|error| metrics::draw_refused(&activity, error))?;
    let result = match entered {
        Entered::Drawn(result) => result,
        Entered::Queued(taken) => return Ok(json_response(StatusCode::ACCEPTED, &QueuedBody::from(taken))),
    };
    metrics::drawn(&result.record);
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
            prize: DrawnPrizeBody::from(prize),
            order_id,
        }
    }
}

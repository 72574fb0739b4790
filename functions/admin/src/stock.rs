//! Stock control: load, flush, restore from the ledger, settle now.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::usecases::settlement::{self, Reconciled};
use luckydraw_core::usecases::stock_admin::{self, Loaded};
use luckydraw_core::{App, Error};
use luckydraw_lambda::http::json_response;
use serde_json::json;

use crate::activities::id;

/// Loads the initial stock (refused once the ledger holds draws: restore then).
pub async fn preload(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    Ok(loaded(stock_admin::load(app, &id(request)?).await?))
}

/// Rebuilds the stock from the ledger.
pub async fn restore(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    Ok(loaded(stock_admin::restore(app, &id(request)?).await?))
}

/// Removes the activity from the stock store (offline, drained and settled only).
pub async fn flush(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let flushed = stock_admin::flush(app, &id(request)?).await?;
    Ok(json_response(StatusCode::OK, &json!({ "flushed": flushed })))
}

/// Runs the settlement now: what it did, and how many draws of this activity still wait.
pub async fn reconcile(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let Reconciled { settled, waiting } = settlement::reconcile(app, &id(request)?).await?;
    let body = json!({
        "recorded": settled.recorded,
        "released": settled.released,
        "requeued": settled.requeued,
        "waiting": waiting,
    });
    Ok(json_response(StatusCode::OK, &body))
}

fn loaded(loaded: Loaded) -> Response<Body> {
    let Loaded { remaining, held, draws } = loaded;
    json_response(StatusCode::OK, &json!({ "remaining": remaining, "held": held, "draws": draws }))
}

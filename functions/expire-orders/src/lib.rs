//! The expiry sweep, run every minute by an EventBridge schedule: orders still pending
//! payment past their deadline become `CancelRequested { reason: expired }`; the order
//! consumer expires them and returns their units, once each. Reported as `ExpiryRequested`.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use luckydraw_core::App;
use luckydraw_core::usecases::payments;
use luckydraw_lambda::metrics;
use serde::Serialize;

/// Orders asked to expire per run; more wait for the next minute (asking twice is harmless).
pub const BATCH: usize = 1000;

/// What one run did.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Swept {
    /// Overdue orders whose expiry was requested.
    pub expiry_requested: usize,
}

/// One sweep; failing it lets the schedule retry (nothing half-done needs undoing).
pub async fn handle(app: &App, _event: EventBridgeEvent) -> Result<Swept, lambda_runtime::Error> {
    let expiry_requested = payments::expire_overdue(app, BATCH).await?;
    metrics::expiry_requested(expiry_requested);
    Ok(Swept { expiry_requested })
}

//! The settlement, run every minute by an EventBridge schedule: every draw the stock store
//! still lists as unsettled, drawn more than the grace period ago, is decided by the ledger
//! (recorded: done; voided: its unit and quota go back; absent: its message is sent again).

use aws_lambda_events::eventbridge::EventBridgeEvent;
use luckydraw_core::App;
use luckydraw_core::usecases::settlement::{self, Settled};
use luckydraw_lambda::metrics;

/// One settlement run, reported in the logs and as metrics; failing it lets the schedule
/// retry (each step is idempotent).
pub async fn handle(app: &App, _event: EventBridgeEvent) -> Result<Settled, lambda_runtime::Error> {
    let settled = settlement::settle(app).await?;
    metrics::settled(&settled);
    Ok(settled)
}

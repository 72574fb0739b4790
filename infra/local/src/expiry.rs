//! Runs the `expire-orders` handler on a timer, the way the EventBridge schedule runs it on
//! AWS (every minute there; `LUCKYDRAW_EXPIRE_EVERY_SECS` here).

use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use luckydraw_core::App;
use tracing::warn;

/// One sweep through the function's handler; returns how many orders were asked to expire.
pub async fn sweep(app: &App) -> usize {
    match expire_orders::handle(app, scheduled_event()).await {
        Ok(swept) => swept.expiry_requested,
        Err(error) => {
            warn!(%error, "the expiry sweep failed; the next tick retries");
            0
        }
    }
}

/// Sweeps every `every`, forever.
pub async fn run(app: App, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        sweep(&app).await;
    }
}

/// The event the schedule delivers.
fn scheduled_event() -> EventBridgeEvent {
    let mut event = EventBridgeEvent::default();
    event.detail_type = "Scheduled Event".to_owned();
    event.source = "aws.events".to_owned();
    event.detail = serde_json::json!({});
    event
}

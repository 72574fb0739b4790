//! Runs the scheduled functions on timers, the way EventBridge schedules run them on AWS
//! (every minute there): the expiry sweep (`LUCKYDRAW_EXPIRE_EVERY_SECS` here) and the
//! settlement (`LUCKYDRAW_SETTLE_EVERY_SECS`). A failed run is logged; the next tick retries.

use std::future::Future;
use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use luckydraw_core::App;
use luckydraw_core::usecases::settlement::Settled;
use tracing::warn;

/// One expiry sweep through the function's handler; how many orders were asked to expire.
pub async fn sweep(app: &App) -> usize {
    let handled = expire_orders::handle(app, scheduled_event()).await;
    luckydraw_lambda::metrics::flush();
    match handled {
        Ok(swept) => swept.expiry_requested,
        Err(error) => {
            warn!(%error, "the expiry sweep failed; the next tick retries");
            0
        }
    }
}

/// One settlement through the function's handler; what it did, or `None` if it failed.
pub async fn settle(app: &App) -> Option<Settled> {
    let handled = settle_draws::handle(app, scheduled_event()).await;
    luckydraw_lambda::metrics::flush();
    match handled {
        Ok(settled) => Some(settled),
        Err(error) => {
            warn!(%error, "the settlement failed; the next tick retries");
            None
        }
    }
}

/// Runs `job` every `every`, forever.
pub async fn every<F: Future>(every: Duration, app: App, job: impl Fn(App) -> F) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        job(app.clone()).await;
    }
}

/// The event a schedule delivers.
fn scheduled_event() -> EventBridgeEvent {
    let mut event = EventBridgeEvent::default();
    event.detail_type = "Scheduled Event".to_owned();
    event.source = "aws.events".to_owned();
    event.detail = serde_json::json!({});
    event
}

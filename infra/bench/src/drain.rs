//! The wait after the storm: until the order queue has drained, that is until every won
//! draw the bench saw has its order and the stock store agrees with the ledger (draws still
//! on the queue show as drift), or until the timeout (the audit then says what is missing).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::admin::{Admin, Figures, Order};
use crate::error::Error;
use crate::outcome::{Outcome, SeenDraw};

/// How often the admin API is asked again.
const POLL: Duration = Duration::from_millis(250);

/// The state the audit reads.
pub struct Drained {
    /// How long the wait took.
    pub waited: Duration,
    /// Whether the queue drained before the timeout.
    pub complete: bool,
    /// The activity's figures, last read.
    pub figures: Figures,
    /// Its orders, last read.
    pub orders: Vec<Order>,
}

/// Polls `activity`'s orders and figures until drained or `timeout`.
pub async fn wait(admin: &Admin, activity: &str, seen: &[SeenDraw], timeout: Duration) -> Result<Drained, Error> {
    let started = Instant::now();
    let won: HashSet<&str> =
        seen.iter().filter(|draw| draw.outcome == Outcome::Won).map(|draw| draw.draw_id.as_str()).collect();
    loop {
        let orders = admin.orders(activity).await?;
        let figures = admin.figures(activity).await?;
        let ordered: HashSet<&str> = orders.iter().map(|order| order.draw_id.as_str()).collect();
        let complete = figures.drift.is_empty() && won.is_subset(&ordered);
        if complete || started.elapsed() >= timeout {
            return Ok(Drained { waited: started.elapsed(), complete, figures, orders });
        }
        tokio::time::sleep(POLL).await;
    }
}

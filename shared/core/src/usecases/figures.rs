//! Operators' figures: how an activity is going (per prize and in total), any drift between
//! the stock store and the ledger, and its orders page by page.

use std::collections::{HashMap, HashSet};

use crate::app::{HasActivities, HasLedger, HasOrders, HasStock};
use crate::domain::{ActivityId, ActivityStatus, DrawOutcome, DrawRecord, OrderStatus, PrizeId};
use crate::error::Error;
use crate::ports::{OrderPage, OrderQuery};
use crate::usecases::stock_admin::{self, Ledgered};

/// The most orders one page lists.
pub const MAX_PAGE: usize = 200;

/// One prize's figures.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PrizeFigures {
    /// The prize.
    pub prize_id: PrizeId,
    /// Its name.
    pub name: String,
    /// Units it lists.
    pub initial: u64,
    /// Units left in the stock store.
    pub remaining: u64,
    /// Won and not yet paid (held until paid or given back).
    pub reserved: u64,
    /// Won and paid, or won for free.
    pub sold: u64,
    /// Won, then given back (given up, expired).
    pub released: u64,
    /// Draws that won it.
    pub wins: u64,
}

/// An activity's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Units listed.
    pub initial: u64,
    /// Units left.
    pub remaining: u64,
    /// Units won and unpaid.
    pub reserved: u64,
    /// Units sold.
    pub sold: u64,
    /// Units given back.
    pub released: u64,
    /// Draws made.
    pub draws: u64,
    /// Draws that won.
    pub wins: u64,
    /// Users who drew.
    pub players: u64,
}

/// A prize whose units left differ between the stock store and the ledger. Draws whose
/// messages are still on the queue show here until the consumer records them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Drift {
    /// The prize.
    pub prize_id: PrizeId,
    /// Units left per the stock store.
    pub stock_store: u64,
    /// Units left per the ledger.
    pub ledger: u64,
}

/// How an activity is going.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// The activity.
    pub activity_id: ActivityId,
    /// Its status.
    pub status: ActivityStatus,
    /// Whether its stock is in the stock store.
    pub loaded: bool,
    /// Per prize, in wheel order.
    pub prizes: Vec<PrizeFigures>,
    /// Over all prizes.
    pub totals: Totals,
    /// Prizes where the stock store and the ledger disagree.
    pub drift: Vec<Drift>,
}

/// The figures of `id`: draws from the stock store's draw log (from the ledger once it is
/// flushed), each win's fate from its order.
pub async fn stats(
    app: &(impl HasActivities + HasStock + HasLedger + HasOrders),
    id: &ActivityId,
) -> Result<Figures, Error> {
    let activity = app.activities().get(id).await?.ok_or(Error::NotFound("activity"))?;
    let left = app.stock().remaining(id).await?;
    let Ledgered { restoration, .. } = stock_admin::from_ledger(app, &activity).await?;
    let draws: Vec<DrawRecord> = match left {
        Some(_) => app.stock().draws(id).await?,
        None => restoration.draws.clone(),
    };
    let statuses = order_statuses(app, id).await?;
    let mut prizes: Vec<PrizeFigures> = activity
        .prizes
        .iter()
        .map(|prize| PrizeFigures {
            prize_id: prize.id.clone(),
            name: prize.name.clone(),
            initial: prize.initial,
            remaining: left.as_ref().and_then(|left| left.get(&prize.id)).copied().unwrap_or(0),
            reserved: 0,
            sold: 0,
            released: 0,
            wins: 0,
        })
        .collect();
    let mut players = HashSet::new();
    for draw in &draws {
        players.insert(draw.user_id);
        let Some(figures) = prizes.iter_mut().find(|figures| figures.prize_id == draw.prize_id) else { continue };
        if draw.outcome != DrawOutcome::Won {
            continue;
        }
        figures.wins += 1;
        let status = statuses.get(&draw.id).copied();
        let free = activity.prize(&draw.prize_id).is_some_and(|prize| prize.price_fen.is_zero());
        if draw.released || status.is_some_and(OrderStatus::released_stock) {
            figures.released += 1;
        } else if free || matches!(status, Some(OrderStatus::Paid | OrderStatus::Fulfilled | OrderStatus::Refunded)) {
            figures.sold += 1;
        } else {
            figures.reserved += 1;
        }
    }
    let totals = Totals {
        initial: prizes.iter().map(|p| p.initial).sum(),
        remaining: prizes.iter().map(|p| p.remaining).sum(),
        reserved: prizes.iter().map(|p| p.reserved).sum(),
        sold: prizes.iter().map(|p| p.sold).sum(),
        released: prizes.iter().map(|p| p.released).sum(),
        draws: draws.len() as u64,
        wins: prizes.iter().map(|p| p.wins).sum(),
        players: players.len() as u64,
    };
    let drift = match &left {
        None => Vec::new(),
        Some(left) => activity
            .prizes
            .iter()
            .filter_map(|prize| {
                let stock_store = left.get(&prize.id).copied().unwrap_or(0);
                let ledger = restoration.remaining.get(&prize.id).copied().unwrap_or(0);
                (stock_store != ledger).then(|| Drift { prize_id: prize.id.clone(), stock_store, ledger })
            })
            .collect(),
    };
    Ok(Figures { activity_id: id.clone(), status: activity.status, loaded: left.is_some(), prizes, totals, drift })
}

/// Each order's status of an activity, by its draw.
async fn order_statuses(
    app: &impl HasOrders,
    id: &ActivityId,
) -> Result<HashMap<crate::domain::DrawId, OrderStatus>, Error> {
    let query = OrderQuery { activity: Some(id.clone()), status: None };
    let mut statuses = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app.orders().page(&query, cursor.as_deref(), 1_000).await?;
        statuses.extend(page.orders.into_iter().map(|order| (order.draw_id, order.status)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(statuses),
        }
    }
}

/// A page of orders for operators: at most [`MAX_PAGE`], from a previous page's cursor.
pub async fn orders(
    app: &impl HasOrders,
    query: &OrderQuery,
    cursor: Option<&str>,
    limit: usize,
) -> Result<OrderPage, Error> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::field_error("limit", format!("a page lists 1 to {MAX_PAGE} orders")));
    }
    if let Some(cursor) = cursor {
        let valid = (1..=512).contains(&cursor.len())
            && cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(Error::field_error("cursor", "not a cursor a previous page gave"));
        }
    }
    Ok(app.orders().page(query, cursor, limit).await?)
}

//! The JSON shapes of activities and orders, shared by the player API and the admin API so
//! both show an activity the same way (`docs/openapi.json` describes them).

use luckydraw_core::domain::{
    Activity, ActivityId, ActivityStatus, DrawId, DrawMode, Eligibility, Entry, Money, Order, OrderId, OrderStatus,
    Prize, PrizeId, Timestamp, UserId,
};
use luckydraw_core::ports::{StockCounts, Taken};
use serde::Serialize;

/// An activity with its prizes and their units left.
#[derive(Debug, Serialize)]
pub struct ActivityBody {
    id: ActivityId,
    name: String,
    description: String,
    status: ActivityStatus,
    starts_at: Timestamp,
    ends_at: Timestamp,
    draw_mode: DrawMode,
    entry: Entry,
    per_user_limit: u32,
    vip_per_user_limit: Option<u32>,
    pay_window_secs: u32,
    max_unpaid_per_user: u32,
    eligibility: Eligibility,
    /// Redis stock buckets (`docs/scale.md`).
    buckets: u16,
    /// Whether its stock is in the stock store.
    loaded: bool,
    /// Whether the caller may draw (only when the request carried a session).
    #[serde(skip_serializing_if = "Option::is_none")]
    eligible: Option<bool>,
    prizes: Vec<PrizeBody>,
}

#[derive(Debug, Serialize)]
struct PrizeBody {
    id: PrizeId,
    name: String,
    description: String,
    picture: String,
    price_fen: Money,
    initial: u64,
    remaining: u64,
    wheel_index: u16,
    weight: u32,
    consolation: bool,
}

/// The prize a draw landed on, as the draw's answer and `GET /draws/{id}` show it.
#[derive(Debug, Serialize)]
pub struct DrawnPrizeBody {
    id: PrizeId,
    name: String,
    picture: String,
    price_fen: Money,
}

impl From<Prize> for DrawnPrizeBody {
    fn from(prize: Prize) -> Self {
        DrawnPrizeBody { id: prize.id, name: prize.name, picture: prize.picture, price_fen: prize.price_fen }
    }
}

/// A ticket in a queued activity's line: `{"draw_id", "status": "queued", "position"}`,
/// the position being the waiting tickets ahead of it (0: it is drawn next).
#[derive(Debug, Serialize)]
pub struct QueuedBody {
    draw_id: DrawId,
    status: &'static str,
    position: u64,
}

impl QueuedBody {
    /// The ticket of `draw_id` with `ahead` waiting tickets before it.
    pub fn new(draw_id: DrawId, ahead: u64) -> Self {
        Self { draw_id, status: "queued", position: ahead }
    }
}

impl From<Taken> for QueuedBody {
    fn from(taken: Taken) -> Self {
        Self::new(taken.ticket.draw_id, taken.ahead)
    }
}

/// An order as its owner and operators see it.
#[derive(Debug, Serialize)]
pub struct OrderBody {
    id: OrderId,
    draw_id: DrawId,
    prize_id: PrizeId,
    prize_name: String,
    amount_fen: Money,
    status: OrderStatus,
    created_at: Timestamp,
    pay_deadline: Timestamp,
    updated_at: Timestamp,
    trade_no: Option<String>,
    /// Who won it (operators' listings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
}

impl ActivityBody {
    /// `activity` with the units left per prize (`None`: its stock is not loaded).
    pub fn new(activity: &Activity, remaining: Option<&StockCounts>) -> Self {
        let prizes = activity
            .prizes
            .iter()
            .map(|prize| PrizeBody {
                id: prize.id.clone(),
                name: prize.name.clone(),
                description: prize.description.clone(),
                picture: prize.picture.clone(),
                price_fen: prize.price_fen,
                initial: prize.initial,
                remaining: remaining.and_then(|left| left.get(&prize.id)).copied().unwrap_or(0),
                wheel_index: prize.wheel_index,
                weight: prize.weight,
                consolation: prize.consolation,
            })
            .collect();
        ActivityBody {
            id: activity.id.clone(),
            name: activity.name.clone(),
            description: activity.description.clone(),
            status: activity.status,
            starts_at: activity.starts_at,
            ends_at: activity.ends_at,
            draw_mode: activity.draw_mode,
            entry: activity.entry,
            per_user_limit: activity.per_user_limit.get(),
            vip_per_user_limit: activity.vip_per_user_limit.map(|limit| limit.get()),
            pay_window_secs: activity.pay_window_secs,
            max_unpaid_per_user: activity.max_unpaid_per_user,
            eligibility: activity.eligibility.clone(),
            buckets: activity.buckets,
            loaded: remaining.is_some(),
            eligible: None,
            prizes,
        }
    }

    /// The same, telling whether the caller may draw.
    pub fn eligible(self, eligible: Option<bool>) -> Self {
        Self { eligible, ..self }
    }
}

impl OrderBody {
    /// The order as operators list it, with its winner.
    pub fn with_user(order: Order) -> Self {
        let user_id = Some(order.user_id);
        Self { user_id, ..Self::from(order) }
    }
}

impl From<Order> for OrderBody {
    fn from(order: Order) -> Self {
        OrderBody {
            id: order.id,
            draw_id: order.draw_id,
            prize_id: order.prize_id,
            prize_name: order.prize_name,
            amount_fen: order.amount_fen,
            status: order.status,
            created_at: order.created_at,
            pay_deadline: order.pay_deadline,
            updated_at: order.updated_at,
            trade_no: order.trade_no,
            user_id: None,
        }
    }
}

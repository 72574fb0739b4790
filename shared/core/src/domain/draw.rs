//! A draw: one press of the button, what it landed on, and whether its unit went back.

use serde::{Deserialize, Serialize};

use super::{ActivityId, DrawId, PrizeId, Timestamp, UserId};

/// What a draw came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawOutcome {
    /// A real prize; one unit is held for the winner.
    Won,
    /// The consolation ("thank you") slot; its unit is used up, nothing is won.
    Consolation,
    /// A sold-out prize under the *kept* policy: nothing taken, nothing won.
    Missed,
}

/// A draw as the stock store recorded it, atomically with the decrement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    /// Id (it names the activity).
    pub id: DrawId,
    /// Who drew.
    pub user_id: UserId,
    /// Where the wheel stops.
    pub prize_id: PrizeId,
    /// Won, consolation or missed.
    pub outcome: DrawOutcome,
    /// When.
    pub drawn_at: Timestamp,
    /// Whether the won unit has gone back to the pool.
    pub released: bool,
}

impl DrawRecord {
    /// Whether a unit is held for this draw (won and not released).
    pub fn holds_unit(&self) -> bool {
        self.outcome == DrawOutcome::Won && !self.released
    }

    /// Whether the draw took a unit from the stock (won or consolation), released or not.
    pub fn took_unit(&self) -> bool {
        self.outcome != DrawOutcome::Missed
    }
}

/// What the durable draw ledger holds for one draw id: the draw its queued message
/// recorded, or a void written by the draw that answered 503. The first write wins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LedgerEntry {
    /// The draw's message reached the consumer: it counts (and a won draw gets its order).
    Recorded(DrawRecord),
    /// The draw was answered 503 before its message was known to be queued: it never counts.
    Voided {
        /// The draw id.
        id: DrawId,
        /// Who drew.
        user_id: UserId,
        /// When it was voided.
        voided_at: Timestamp,
    },
}

impl LedgerEntry {
    /// The draw id.
    pub fn draw_id(&self) -> &DrawId {
        match self {
            LedgerEntry::Recorded(record) => &record.id,
            LedgerEntry::Voided { id, .. } => id,
        }
    }

    /// The activity drawn in.
    pub fn activity(&self) -> &ActivityId {
        self.draw_id().activity()
    }
}

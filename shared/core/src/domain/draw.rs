//! A draw: one press of the button, what it landed on, and whether its unit went back.

use serde::{Deserialize, Serialize};

use super::{DrawId, PrizeId, Timestamp, UserId};

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
}

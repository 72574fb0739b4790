//! Tickets of the queued entry mode: a place in an activity's line, numbered in arrival
//! order, that the draw worker turns into a draw (or a refusal) strictly in that order.

use serde::{Deserialize, Serialize};

use super::{DrawId, Timestamp, UserId, UserKind};

/// A place in an activity's line. Numbers count from 0 per activity, in arrival order,
/// unique and without gaps; the ticket becomes the draw `draw_id` when its turn comes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Its place in the line (0 first).
    pub number: u64,
    /// The draw it becomes (its id names the activity).
    pub draw_id: DrawId,
    /// Who holds it.
    pub user_id: UserId,
    /// The holder's kind when they pressed, which decides their draw limit.
    pub kind: UserKind,
    /// When it was taken.
    pub taken_at: Timestamp,
}

/// Why a ticket ended without a draw: the refusal an instant draw would have answered,
/// named by the same code (`sold_out`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Every prize was gone when its turn came (or the activity sold out while it waited).
    SoldOut,
    /// The activity closed (ended, or taken offline) before its turn.
    ActivityNotOpen,
    /// Its holder had used all their draws by its turn.
    QuotaExceeded,
    /// Its holder held as many unpaid prizes as allowed at its turn.
    UnpaidLimit,
    /// A backend failed at its turn and the draw was voided: press again.
    Unavailable,
}

impl Refusal {
    /// Every refusal.
    pub const ALL: [Refusal; 5] = [
        Refusal::SoldOut,
        Refusal::ActivityNotOpen,
        Refusal::QuotaExceeded,
        Refusal::UnpaidLimit,
        Refusal::Unavailable,
    ];

    /// The code, the same as the error code an instant draw answers (see `Error::code`).
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::SoldOut => "sold_out",
            Refusal::ActivityNotOpen => "activity_not_open",
            Refusal::QuotaExceeded => "quota_exceeded",
            Refusal::UnpaidLimit => "unpaid_limit",
            Refusal::Unavailable => "unavailable",
        }
    }

    /// The code as stores keep it back into a refusal.
    pub fn parse(code: &str) -> Option<Self> {
        Refusal::ALL.into_iter().find(|refusal| refusal.as_str() == code)
    }
}

/// Where a ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketState {
    /// Waiting for its turn, with `ahead` tickets before it still waiting (0: it is next).
    Waiting {
        /// Waiting tickets ahead of it; it only ever goes down.
        ahead: u64,
    },
    /// Its turn came and it was drawn: the draw log holds its draw.
    Drawn,
    /// It ended without a draw.
    Refused(Refusal),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_codes_read_back() {
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::parse(refusal.as_str()), Some(refusal));
            assert_eq!(serde_json::to_value(refusal).unwrap(), refusal.as_str());
        }
        assert_eq!(Refusal::parse("won"), None);
    }
}

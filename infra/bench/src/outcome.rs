//! What one draw request came to: the API's answer sorted into the outcomes the report
//! counts, and the draws the audit follows (those answered 200).

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// How a draw request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 200, a prize won (a unit held, an order queued).
    Won,
    /// 200, the "thank you" slot.
    Consolation,
    /// 200, a sold-out prize under `weight_keep`: nothing won.
    Missed,
    /// 409 `sold_out`.
    SoldOut,
    /// 409 `quota_exceeded`.
    QuotaExceeded,
    /// 409 `unpaid_limit`.
    UnpaidLimit,
    /// 429.
    RateLimited,
    /// 503.
    Unavailable,
    /// Any other answer.
    Other,
    /// No answer (refused connection, timeout): the draw may or may not have happened.
    TransportError,
}

/// Answers per outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Prizes won.
    pub won: u64,
    /// "Thank you" answers.
    pub consolation: u64,
    /// Sold-out prizes landed on (`weight_keep`).
    pub missed: u64,
    /// 409 `sold_out`.
    pub sold_out: u64,
    /// 409 `quota_exceeded`.
    pub quota_exceeded: u64,
    /// 409 `unpaid_limit`.
    pub unpaid_limit: u64,
    /// 429.
    pub rate_limited: u64,
    /// 503.
    pub unavailable: u64,
    /// Any other answer.
    pub other: u64,
    /// No answer.
    pub transport_errors: u64,
}

impl Tally {
    /// Counts one more `outcome`.
    pub fn add(&mut self, outcome: Outcome) {
        *match outcome {
            Outcome::Won => &mut self.won,
            Outcome::Consolation => &mut self.consolation,
            Outcome::Missed => &mut self.missed,
            Outcome::SoldOut => &mut self.sold_out,
            Outcome::QuotaExceeded => &mut self.quota_exceeded,
            Outcome::UnpaidLimit => &mut self.unpaid_limit,
            Outcome::RateLimited => &mut self.rate_limited,
            Outcome::Unavailable => &mut self.unavailable,
            Outcome::Other => &mut self.other,
            Outcome::TransportError => &mut self.transport_errors,
        } += 1;
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: &Tally) {
        let Tally {
            won,
            consolation,
            missed,
            sold_out,
            quota_exceeded,
            unpaid_limit,
            rate_limited,
            unavailable,
            other: others,
            transport_errors,
        } = *other;
        self.won += won;
        self.consolation += consolation;
        self.missed += missed;
        self.sold_out += sold_out;
        self.quota_exceeded += quota_exceeded;
        self.unpaid_limit += unpaid_limit;
        self.rate_limited += rate_limited;
        self.unavailable += unavailable;
        self.other += others;
        self.transport_errors += transport_errors;
    }

    /// Every request counted.
    pub fn total(&self) -> u64 {
        self.answered() + self.transport_errors
    }

    /// Requests that got an answer.
    pub fn answered(&self) -> u64 {
        self.won
            + self.consolation
            + self.missed
            + self.sold_out
            + self.quota_exceeded
            + self.unpaid_limit
            + self.rate_limited
            + self.unavailable
            + self.other
    }
}

/// A draw the API answered 200, as the audit follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenDraw {
    /// Which of the bench's players drew (an index into its players).
    pub player: usize,
    /// The draw's id.
    pub draw_id: String,
    /// Won, consolation or missed.
    pub outcome: Outcome,
    /// The order the answer announced (won draws).
    pub order_id: Option<String>,
}

/// The parts of a 200 draw answer the bench reads.
#[derive(Deserialize)]
struct DrawBody {
    draw_id: String,
    outcome: String,
    #[serde(default)]
    order_id: Option<String>,
}

/// The code of an error answer.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorCode,
}

#[derive(Deserialize)]
struct ErrorCode {
    code: String,
}

/// Sorts an answer; a 200 also gives the draw it made (`None` when its body is not a draw).
pub fn classify(status: StatusCode, body: &[u8], player: usize) -> (Outcome, Option<SeenDraw>) {
    match status.as_u16() {
        200 => match serde_json::from_slice::<DrawBody>(body) {
            Ok(draw) => {
                let outcome = match draw.outcome.as_str() {
                    "won" => Outcome::Won,
                    "consolation" => Outcome::Consolation,
                    "missed" => Outcome::Missed,
                    _ => return (Outcome::Other, None),
                };
                (outcome, Some(SeenDraw { player, draw_id: draw.draw_id, outcome, order_id: draw.order_id }))
            }
            Err(_) => (Outcome::Other, None),
        },
        409 => match serde_json::from_slice::<ErrorBody>(body).map(|body| body.error.code) {
            Ok(code) if code == "sold_out" => (Outcome::SoldOut, None),
            Ok(code) if code == "quota_exceeded" => (Outcome::QuotaExceeded, None),
            Ok(code) if code == "unpaid_limit" => (Outcome::UnpaidLimit, None),
            _ => (Outcome::Other, None),
        },
        429 => (Outcome::RateLimited, None),
        503 => (Outcome::Unavailable, None),
        _ => (Outcome::Other, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_sorted_by_status_and_code() {
        let won = br#"{"draw_id":"demo.1","won":true,"outcome":"won","order_id":"1"}"#;
        let (outcome, draw) = classify(StatusCode::OK, won, 3);
        assert_eq!(outcome, Outcome::Won);
        assert_eq!(draw.map(|draw| (draw.player, draw.order_id)), Some((3, Some("1".into()))));
        let thanks = br#"{"draw_id":"demo.2","won":false,"outcome":"consolation","order_id":null}"#;
        assert_eq!(classify(StatusCode::OK, thanks, 0).0, Outcome::Consolation);
        let refused = |code: &str| format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
        assert_eq!(classify(StatusCode::CONFLICT, refused("sold_out").as_bytes(), 0).0, Outcome::SoldOut);
        assert_eq!(classify(StatusCode::CONFLICT, refused("quota_exceeded").as_bytes(), 0).0, Outcome::QuotaExceeded);
        assert_eq!(classify(StatusCode::CONFLICT, refused("unpaid_limit").as_bytes(), 0).0, Outcome::UnpaidLimit);
        assert_eq!(classify(StatusCode::CONFLICT, refused("activity_not_open").as_bytes(), 0).0, Outcome::Other);
        assert_eq!(classify(StatusCode::TOO_MANY_REQUESTS, b"", 0).0, Outcome::RateLimited);
        assert_eq!(classify(StatusCode::SERVICE_UNAVAILABLE, b"", 0).0, Outcome::Unavailable);
        assert_eq!(classify(StatusCode::OK, b"not json", 0), (Outcome::Other, None));
    }

    #[test]
    fn a_tally_counts_and_merges_every_outcome() {
        let mut tally = Tally::default();
        [Outcome::Won, Outcome::Won, Outcome::SoldOut, Outcome::TransportError].into_iter().for_each(|o| tally.add(o));
        let mut sum = Tally::default();
        sum.merge(&tally);
        sum.merge(&tally);
        assert_eq!((sum.won, sum.sold_out, sum.transport_errors), (4, 2, 2));
        assert_eq!((sum.answered(), sum.total()), (6, 8));
    }
}

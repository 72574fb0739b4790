//! The invariants of DESIGN §5, checked once a storm with faults is over, the queue drained
//! and the settlement run: no unit sold twice or lost (per prize, initial = remaining +
//! units held by recorded draws), every draw answered 200 recorded once (a won one with
//! its order), every other draw void (its unit back, no order), quotas held.

use std::collections::{HashMap, HashSet};

use luckydraw_core::App;
use luckydraw_core::domain::{Activity, DrawId, DrawOutcome, LedgerEntry, PrizeId, UserId, UserKind};

/// What the players were told.
#[derive(Debug, Default)]
pub struct Answers {
    /// Draws answered 200, by id, with whether they won.
    pub drawn: HashMap<DrawId, bool>,
    /// Draws answered 503.
    pub unavailable: usize,
    /// Draws refused with a 409 (sold out, over quota).
    pub refused: usize,
    /// Requests that never got an answer (the process died under them).
    pub unanswered: usize,
    /// The longest a 503 took to come.
    pub slowest_unavailable: std::time::Duration,
}

impl Answers {
    /// Files one draw's answer: its status and JSON body (`None`: no answer).
    pub fn file(&mut self, answer: Option<(u16, serde_json::Value)>) {
        match answer {
            Some((200, body)) => {
                let id = body["draw_id"].as_str().and_then(|id| DrawId::parse(id).ok()).expect("a draw id");
                self.drawn.insert(id, body["won"] == true);
            }
            Some((503, body)) => {
                assert_eq!(body["error"]["code"], "unavailable", "{body}");
                self.unavailable += 1;
            }
            Some((409, _)) => self.refused += 1,
            Some((status, body)) => panic!("unexpected answer {status}: {body}"),
            None => self.unanswered += 1,
        }
    }
}

/// What the audit counted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Audited {
    /// Recorded draws per prize holding a unit (won and not given back, or consolation).
    pub held: HashMap<PrizeId, u64>,
    /// Voided draws in the ledger.
    pub voided: usize,
    /// Orders of recorded won draws.
    pub orders: usize,
}

/// Checks every invariant of `activity` against what `answers` told the players; panics
/// naming the first broken one.
pub async fn audit(app: &App, activity: &Activity, answers: &Answers) -> Audited {
    let entries = app.ledger.entries(&activity.id).await.expect("ledger readable");
    let mut audited = Audited::default();
    let mut recorded = HashSet::new();
    let mut per_user: HashMap<UserId, u64> = HashMap::new();
    for entry in &entries {
        match entry {
            LedgerEntry::Voided { id, .. } => {
                audited.voided += 1;
                assert!(!answers.drawn.contains_key(id), "draw {id} was answered 200 but voided");
                let order = app.orders.get(&id.order_id()).await.expect("orders readable");
                assert!(order.is_none(), "voided draw {id} has an order");
                if let Some(draw) = app.stock.find_draw(id).await.expect("draw log readable") {
                    assert!(draw.released, "voided draw {id} still holds its unit in the stock store");
                }
            }
            LedgerEntry::Recorded(draw) => {
                recorded.insert(draw.id.clone());
                *per_user.entry(draw.user_id).or_default() += 1;
                let order = app.orders.get(&draw.id.order_id()).await.expect("orders readable");
                let released = match draw.outcome {
                    DrawOutcome::Won => {
                        let order = order.unwrap_or_else(|| panic!("won draw {} has no order", draw.id));
                        assert_eq!(order.draw_id, draw.id);
                        audited.orders += 1;
                        order.status.released_stock()
                    }
                    DrawOutcome::Consolation | DrawOutcome::Missed => {
                        assert!(order.is_none(), "draw {} won nothing but has an order", draw.id);
                        false
                    }
                };
                if draw.outcome != DrawOutcome::Missed && !released {
                    *audited.held.entry(draw.prize_id.clone()).or_default() += 1;
                }
                if let Some(logged) = app.stock.find_draw(&draw.id).await.expect("draw log readable") {
                    assert_eq!(logged.released, released, "draw {} in the stock store disagrees", draw.id);
                }
            }
        }
    }
    for (id, won) in &answers.drawn {
        let entry = entries.iter().find(|entry| entry.draw_id() == id);
        match entry {
            Some(LedgerEntry::Recorded(draw)) => assert_eq!(draw.outcome == DrawOutcome::Won, *won, "draw {id}"),
            _ => panic!("draw {id} was answered 200 but is not recorded"),
        }
    }
    if answers.unanswered == 0 {
        assert_eq!(recorded.len(), answers.drawn.len(), "recorded draws nobody was told about (a 503 that counts)");
    }
    let remaining = app.stock.remaining(&activity.id).await.expect("stock readable").expect("stock loaded");
    for prize in &activity.prizes {
        let left = remaining.get(&prize.id).copied().unwrap_or(0);
        let held = audited.held.get(&prize.id).copied().unwrap_or(0);
        assert_eq!(
            left + held,
            prize.initial,
            "prize {}: {left} left + {held} held != {} initial",
            prize.id,
            prize.initial
        );
    }
    let limit = u64::from(activity.limit_for(UserKind::Normal).get());
    if limit > 0 {
        let over = per_user.iter().find(|(_, draws)| **draws > limit);
        assert!(over.is_none(), "a user drew more than {limit}: {over:?}");
    }
    let unsettled = app.stock.unsettled(&activity.id, app.clock.now(), 1_000_000).await.expect("stock readable");
    assert!(unsettled.is_empty(), "{} draw(s) left unsettled", unsettled.len());
    audited
}

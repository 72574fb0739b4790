//! The audit after a storm: DESIGN §5's invariants checked against what the players were
//! told (the bench's own answers) and what the admin API shows once the queue drained.
//! Every check names what it found wrong; an empty list is a pass.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::admin::{Activity, Figures, Order};
use crate::outcome::{Outcome, SeenDraw};

/// Everything the audit looks at.
pub struct Evidence<'a> {
    /// The activity's rules (limits, which prize is the "thank you" slot).
    pub activity: &'a Activity,
    /// Its figures, after the queue drained.
    pub figures: &'a Figures,
    /// Every order of the activity.
    pub orders: &'a [Order],
    /// The draws the bench was answered 200 for.
    pub seen: &'a [SeenDraw],
    /// The bench's players' user ids (a [`SeenDraw::player`] indexes them).
    pub players: &'a [String],
    /// Requests that got no answer: each may have drawn (and won) unseen.
    pub unanswered: u64,
    /// Whether the bench made the activity (then every order must be one of its draws').
    pub own_activity: bool,
}

/// Which invariant a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Invariant {
    /// §5.1: units held ≤ initial, none below zero.
    NoOversell,
    /// §5.2: initial = remaining + reserved + sold, and the stock store agrees with the ledger.
    Conservation,
    /// §5.3/§5.4: every won draw has exactly one order, and no other draw has one.
    OneOrderPerWin,
    /// §5.5: no player drew (or holds unpaid) more than the activity allows.
    Quotas,
}

/// One thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The invariant broken.
    pub invariant: Invariant,
    /// What, where, and the numbers.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.invariant, self.detail)
    }
}

/// Every violation the evidence shows.
pub fn audit(evidence: &Evidence<'_>) -> Vec<Violation> {
    let mut found = Vec::new();
    stock(evidence, &mut found);
    orders(evidence, &mut found);
    quotas(evidence, &mut found);
    found
}

fn violation(found: &mut Vec<Violation>, invariant: Invariant, detail: String) {
    found.push(Violation { invariant, detail });
}

/// No oversell and conservation, per prize; no drift.
fn stock(evidence: &Evidence<'_>, found: &mut Vec<Violation>) {
    let consolation = evidence.activity.consolation_prizes();
    for prize in &evidence.figures.prizes {
        let held = prize.reserved + prize.sold;
        if prize.remaining < 0 || held > prize.initial {
            let detail = format!(
                "prize {}: initial {}, remaining {}, reserved {} + sold {} = {held}",
                prize.prize_id, prize.initial, prize.remaining, prize.reserved, prize.sold
            );
            violation(found, Invariant::NoOversell, detail);
        }
        // A consolation unit goes without an order: the ledger's drift covers it.
        if !consolation.contains(prize.prize_id.as_str()) && prize.remaining + held != prize.initial {
            let detail = format!(
                "prize {}: initial {} ≠ remaining {} + reserved {} + sold {}",
                prize.prize_id, prize.initial, prize.remaining, prize.reserved, prize.sold
            );
            violation(found, Invariant::Conservation, detail);
        }
    }
    for drift in &evidence.figures.drift {
        let detail = format!(
            "prize {}: {} left in the stock store, {} per the ledger",
            drift.prize_id, drift.stock_store, drift.ledger
        );
        violation(found, Invariant::Conservation, detail);
    }
}

/// Exactly one order per won draw, with the id its answer gave; none for any other draw.
fn orders(evidence: &Evidence<'_>, found: &mut Vec<Violation>) {
    let mut by_draw: HashMap<&str, Vec<&Order>> = HashMap::new();
    for order in evidence.orders {
        by_draw.entry(order.draw_id.as_str()).or_default().push(order);
    }
    let players: HashSet<&str> = evidence.players.iter().map(String::as_str).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for draw in evidence.seen {
        seen.insert(&draw.draw_id);
        let orders = by_draw.get(draw.draw_id.as_str()).map_or(&[][..], Vec::as_slice);
        let detail = match (draw.outcome, orders) {
            (Outcome::Won, []) => format!("draw {} was answered won and has no order", draw.draw_id),
            (Outcome::Won, [order]) if draw.order_id.as_deref() != Some(order.id.as_str()) => format!(
                "draw {} was answered with order {:?} but its order is {}",
                draw.draw_id, draw.order_id, order.id
            ),
            (Outcome::Won, [order]) if evidence.players.get(draw.player) != Some(&order.user_id) => {
                format!("draw {}'s order {} belongs to user {}, not its player", draw.draw_id, order.id, order.user_id)
            }
            (Outcome::Won, [_]) | (_, []) => continue,
            (Outcome::Won, many) => format!("draw {} has {} orders", draw.draw_id, many.len()),
            (outcome, _) => format!("draw {} was answered {outcome:?} and has an order", draw.draw_id),
        };
        violation(found, Invariant::OneOrderPerWin, detail);
    }
    // Orders for draws the bench never saw answered: only a request that got no answer
    // can explain one (it may have won unseen), and only for the bench's own players.
    let unexplained: Vec<&Order> = evidence
        .orders
        .iter()
        .filter(|order| !seen.contains(order.draw_id.as_str()))
        .filter(|order| evidence.own_activity || players.contains(order.user_id.as_str()))
        .collect();
    if unexplained.len() as u64 > evidence.unanswered {
        let examples: Vec<&str> = unexplained.iter().take(5).map(|order| order.draw_id.as_str()).collect();
        let detail = format!(
            "{} order(s) for draws the bench was never answered for (only {} request(s) went unanswered), e.g. {}",
            unexplained.len(),
            evidence.unanswered,
            examples.join(", ")
        );
        violation(found, Invariant::OneOrderPerWin, detail);
    }
}

/// Per player: draws ≤ the limit (from the answers and from the orders), unpaid ≤ the cap.
fn quotas(evidence: &Evidence<'_>, found: &mut Vec<Violation>) {
    let limit = u64::from(evidence.activity.per_user_limit);
    let cap = u64::from(evidence.activity.max_unpaid_per_user);
    let mut answered: HashMap<&str, u64> = HashMap::new();
    for draw in evidence.seen {
        let user = evidence.players.get(draw.player).map_or("?", String::as_str);
        *answered.entry(user).or_default() += 1;
    }
    let mut ordered: HashMap<&str, u64> = HashMap::new();
    let mut unpaid: HashMap<&str, u64> = HashMap::new();
    for order in evidence.orders {
        *ordered.entry(&order.user_id).or_default() += 1;
        if order.status == "pending_payment" && order.amount_fen > 0 {
            *unpaid.entry(&order.user_id).or_default() += 1;
        }
    }
    let over = |counts: &HashMap<&str, u64>, bound: u64| -> Vec<(String, u64)> {
        let mut over: Vec<(String, u64)> = counts
            .iter()
            .filter(|&(_, &count)| bound > 0 && count > bound)
            .map(|(user, &count)| (user.to_string(), count))
            .collect();
        over.sort();
        over
    };
    for (user, count) in over(&answered, limit) {
        let detail = format!("user {user} was answered {count} draws; the limit is {limit}");
        violation(found, Invariant::Quotas, detail);
    }
    for (user, count) in over(&ordered, limit) {
        let detail = format!("user {user} has {count} orders; the limit is {limit} draws");
        violation(found, Invariant::Quotas, detail);
    }
    for (user, count) in over(&unpaid, cap) {
        let detail = format!("user {user} holds {count} unpaid prizes; the cap is {cap}");
        violation(found, Invariant::Quotas, detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::{Drift, Prize, PrizeFigures};

    /// A clean run: 10 cups, 3 won by two players (orders c1..c3), 2 "thank you" of 5.
    struct Case {
        activity: Activity,
        figures: Figures,
        orders: Vec<Order>,
        seen: Vec<SeenDraw>,
        players: Vec<String>,
        unanswered: u64,
        own_activity: bool,
    }

    fn prize(id: &str, initial: i64, remaining: i64, reserved: i64, sold: i64) -> PrizeFigures {
        PrizeFigures { prize_id: id.into(), initial, remaining, reserved, sold }
    }

    fn order(n: u32, user: &str, status: &str) -> Order {
        Order {
            id: format!("c{n}"),
            draw_id: format!("a.d{n}"),
            user_id: user.into(),
            status: status.into(),
            amount_fen: 8000,
        }
    }

    fn seen(n: u32, player: usize, outcome: Outcome) -> SeenDraw {
        let order_id = (outcome == Outcome::Won).then(|| format!("c{n}"));
        SeenDraw { player, draw_id: format!("a.d{n}"), outcome, order_id }
    }

    fn clean() -> Case {
        let prizes =
            vec![Prize { id: "thanks".into(), consolation: true }, Prize { id: "cup".into(), consolation: false }];
        Case {
            activity: Activity { id: "a".into(), per_user_limit: 3, max_unpaid_per_user: 2, prizes },
            figures: Figures { prizes: vec![prize("thanks", 5, 3, 0, 0), prize("cup", 10, 7, 3, 0)], drift: vec![] },
            orders: vec![order(1, "u0", "pending_payment"), order(2, "u0", "paid"), order(3, "u1", "pending_payment")],
            seen: vec![
                seen(1, 0, Outcome::Won),
                seen(2, 0, Outcome::Won),
                seen(3, 1, Outcome::Won),
                seen(4, 1, Outcome::Consolation),
                seen(5, 0, Outcome::Consolation),
            ],
            players: vec!["u0".into(), "u1".into()],
            unanswered: 0,
            own_activity: true,
        }
    }

    fn run(case: &Case) -> Vec<Violation> {
        audit(&Evidence {
            activity: &case.activity,
            figures: &case.figures,
            orders: &case.orders,
            seen: &case.seen,
            players: &case.players,
            unanswered: case.unanswered,
            own_activity: case.own_activity,
        })
    }

    /// The only violations found, as (invariant, a piece of the detail).
    fn assert_found(case: &Case, expected: &[(Invariant, &str)]) {
        let found = run(case);
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for ((invariant, piece), violation) in expected.iter().zip(&found) {
            assert_eq!(violation.invariant, *invariant, "{found:#?}");
            assert!(violation.detail.contains(piece), "`{}` should mention `{piece}`", violation.detail);
        }
    }

    #[test]
    fn a_clean_run_passes() {
        assert_eq!(run(&clean()), vec![]);
    }

    #[test]
    fn oversell_is_reported() {
        let mut case = clean();
        case.figures.prizes[1] = prize("cup", 10, 0, 9, 2);
        assert_found(
            &case,
            &[
                (Invariant::NoOversell, "prize cup: initial 10, remaining 0, reserved 9 + sold 2 = 11"),
                (Invariant::Conservation, "prize cup: initial 10 ≠ remaining 0 + reserved 9 + sold 2"),
            ],
        );
        let mut case = clean();
        case.figures.prizes[0] = prize("thanks", 5, -1, 0, 0);
        assert_found(&case, &[(Invariant::NoOversell, "prize thanks: initial 5, remaining -1")]);
    }

    #[test]
    fn lost_units_and_drift_break_conservation() {
        let mut case = clean();
        case.figures.prizes[1] = prize("cup", 10, 6, 3, 0);
        assert_found(&case, &[(Invariant::Conservation, "initial 10 ≠ remaining 6 + reserved 3 + sold 0")]);
        let mut case = clean();
        case.figures.drift = vec![Drift { prize_id: "thanks".into(), stock_store: 3, ledger: 2 }];
        assert_found(&case, &[(Invariant::Conservation, "prize thanks: 3 left in the stock store, 2 per the ledger")]);
    }

    #[test]
    fn a_won_draw_without_its_order_is_reported() {
        let mut case = clean();
        case.orders.remove(1);
        assert_found(&case, &[(Invariant::OneOrderPerWin, "draw a.d2 was answered won and has no order")]);
    }

    #[test]
    fn a_duplicate_order_is_reported() {
        let mut case = clean();
        case.orders.push(Order { id: "c9".into(), ..order(3, "u1", "pending_payment") });
        assert_found(&case, &[(Invariant::OneOrderPerWin, "draw a.d3 has 2 orders")]);
    }

    #[test]
    fn an_order_other_than_the_answer_s_or_another_player_s_is_reported() {
        let mut case = clean();
        case.orders[0].id = "c7".into();
        assert_found(&case, &[(Invariant::OneOrderPerWin, "answered with order Some(\"c1\") but its order is c7")]);
        let mut case = clean();
        case.orders[2].user_id = "u0".into();
        assert_found(&case, &[(Invariant::OneOrderPerWin, "draw a.d3's order c3 belongs to user u0")]);
    }

    #[test]
    fn an_order_for_a_draw_that_did_not_win_is_reported() {
        let mut case = clean();
        case.orders.push(order(4, "u1", "fulfilled"));
        assert_found(&case, &[(Invariant::OneOrderPerWin, "draw a.d4 was answered Consolation and has an order")]);
    }

    #[test]
    fn an_order_for_a_draw_never_answered_is_reported_unless_a_request_went_unanswered() {
        let mut case = clean();
        case.orders.push(order(8, "u1", "pending_payment"));
        assert_found(&case, &[(Invariant::OneOrderPerWin, "1 order(s) for draws the bench was never answered for")]);
        case.unanswered = 1;
        assert_found(&case, &[]);
        let mut case = clean();
        case.orders.push(order(8, "stranger", "pending_payment"));
        case.own_activity = false;
        assert_found(&case, &[]);
        case.own_activity = true;
        assert_found(&case, &[(Invariant::OneOrderPerWin, "e.g. a.d8")]);
    }

    #[test]
    fn a_quota_exceeded_is_reported_from_the_answers_and_from_the_orders() {
        let mut case = clean();
        case.activity.per_user_limit = 2;
        assert_found(&case, &[(Invariant::Quotas, "user u0 was answered 3 draws; the limit is 2")]);
        let mut case = clean();
        case.activity.per_user_limit = 1;
        assert_found(
            &case,
            &[
                (Invariant::Quotas, "user u0 was answered 3 draws; the limit is 1"),
                (Invariant::Quotas, "user u1 was answered 2 draws; the limit is 1"),
                (Invariant::Quotas, "user u0 has 2 orders; the limit is 1 draws"),
            ],
        );
        let mut case = clean();
        case.activity.per_user_limit = 0;
        assert_found(&case, &[]);
    }

    #[test]
    fn an_unpaid_cap_exceeded_is_reported() {
        let mut case = clean();
        case.orders[1].status = "pending_payment".into();
        case.activity.max_unpaid_per_user = 1;
        assert_found(&case, &[(Invariant::Quotas, "user u0 holds 2 unpaid prizes; the cap is 1")]);
    }
}

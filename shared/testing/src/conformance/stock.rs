//! The [`StockStore`] contract, check by check.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::START;
use std::time::Duration;

use luckydraw_core::domain::{
    ActivityId, DrawId, DrawLimit, DrawMode, DrawOutcome, DrawRecord, PrizeId, Session, UserId, UserKind, Username,
};
use luckydraw_core::lottery::ROLL_BOUND;
use luckydraw_core::lottery::{DrawTicket, WheelSlot};
use luckydraw_core::ports::{Release, Restoration, StockCounts, StockError, StockStore};

/// An activity id.
pub fn activity(id: &str) -> ActivityId {
    ActivityId::parse(id).expect("test activity ids are valid")
}

/// A distinct user per `n`.
pub fn user(n: u64) -> UserId {
    // A UUIDv7 keeps random bytes 1 and 3..10 whole (the version and variant bits take the
    // others' top bits): n's low 56 bits go there, so every user below 2^56 is distinct.
    let mut bytes = [0; 10];
    bytes[3..].copy_from_slice(&n.to_le_bytes()[..7]);
    UserId::generate(START, bytes)
}

/// A normal player's session as [`user`] `n`.
pub fn session(n: u64) -> Session {
    Session {
        user_id: user(n),
        username: Username::parse("player").expect("valid"),
        kind: UserKind::Normal,
        created_at: START,
    }
}

/// Units per prize.
pub fn counts(list: &[(&str, u64)]) -> StockCounts {
    list.iter().map(|(prize, units)| (PrizeId::parse(prize).expect("valid prize id"), *units)).collect()
}

/// Wheel slots `(prize, weight, consolation)` in wheel order; every prize but the
/// consolation is priced.
pub fn wheel(list: &[(&str, u32, bool)]) -> Vec<WheelSlot> {
    let slot = |&(prize, weight, consolation): &(&str, u32, bool)| WheelSlot {
        prize_id: PrizeId::parse(prize).expect("valid prize id"),
        weight,
        consolation,
        priced: !consolation,
    };
    list.iter().map(slot).collect()
}

/// A ticket with a draw id never used before, and no cap on unpaid prizes.
pub fn ticket(
    activity: &ActivityId,
    user: UserId,
    mode: DrawMode,
    limit: u32,
    prizes: &[WheelSlot],
    roll: u64,
) -> DrawTicket {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut bytes = [0xa5; 10];
    bytes[2..].copy_from_slice(&NEXT.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    DrawTicket {
        draw_id: DrawId::generate(activity, START, bytes),
        user_id: user,
        mode,
        limit: DrawLimit::new(limit),
        max_unpaid: 0,
        prizes: prizes.to_vec(),
        roll,
        at: START,
    }
}

fn cup_wheel() -> Vec<WheelSlot> {
    wheel(&[("cup", 1, false)])
}

/// A ticket for `user` on a one-prize wheel, with a draw id never used before.
pub fn cup_wheel_ticket(activity: &ActivityId, user: UserId) -> DrawTicket {
    ticket(activity, user, DrawMode::RemainingStock, 0, &cup_wheel(), 1)
}

async fn remaining(store: &dyn StockStore, activity: &ActivityId) -> StockCounts {
    store.remaining(activity).await.expect("stock readable").expect("stock loaded")
}

async fn draw(store: &dyn StockStore, ticket: &DrawTicket) -> Result<luckydraw_core::domain::DrawRecord, StockError> {
    store.draw(ticket).await
}

/// `remaining` is `None` for a never-loaded activity; `load` sets and then replaces counts.
pub async fn remaining_is_none_until_loaded_and_load_replaces(store: Arc<dyn StockStore>) {
    let (spring, autumn) = (activity("spring"), activity("autumn"));
    assert_eq!(store.remaining(&spring).await.unwrap(), None);
    store.load(&spring, &counts(&[("cup", 3), ("tea", 2)])).await.unwrap();
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 3), ("tea", 2)]));
    store.load(&spring, &counts(&[("cup", 1)])).await.unwrap();
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 1)]), "a load replaces, it does not add");
    assert_eq!(store.remaining(&autumn).await.unwrap(), None, "other activities are untouched");
}

/// One draw takes one unit, and its record is found by id and in the activity's draws.
pub async fn a_draw_takes_a_unit_counts_it_and_records_it(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 2)])).await.unwrap();
    let ticket = ticket(&spring, user(1), DrawMode::RemainingStock, 0, &cup_wheel(), 12345);
    let record = draw(&*store, &ticket).await.unwrap();
    assert_eq!((record.id.clone(), record.user_id, record.prize_id.as_str()), (ticket.draw_id.clone(), user(1), "cup"));
    assert_eq!((record.outcome, record.drawn_at, record.released), (DrawOutcome::Won, START, false));
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 1)]));
    assert_eq!(store.find_draw(&ticket.draw_id).await.unwrap(), Some(record.clone()));
    assert_eq!(store.draws(&spring).await.unwrap(), vec![record]);
    let unknown = ticket.clone().draw_id;
    let other = DrawId::parse(&format!("autumn.{}", unknown.order_id())).unwrap();
    assert_eq!(store.find_draw(&other).await.unwrap(), None);
}

/// A ticket whose draw id is already recorded changes nothing and returns that record,
/// whatever the quota and stock say now.
pub async fn a_recorded_draw_id_changes_nothing_and_returns_the_record(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 5)])).await.unwrap();
    let ticket = ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 7);
    let first = draw(&*store, &ticket).await.unwrap();
    assert_eq!(draw(&*store, &ticket).await.unwrap(), first, "the quota of 1 is used by this very draw");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 4)]));
    store.load(&spring, &counts(&[("cup", 0)])).await.unwrap();
    assert_eq!(draw(&*store, &ticket).await.unwrap(), first, "even when sold out since");
    assert_eq!(store.draws(&spring).await.unwrap().len(), 1);
}

/// The quota is checked before the pick: over-quota beats sold-out, and nothing changes.
pub async fn the_quota_is_checked_before_anything_else(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let cups = cup_wheel();
    store.load(&spring, &counts(&[("cup", 10)])).await.unwrap();
    for _ in 0..2 {
        draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 2, &cups, 1)).await.unwrap();
    }
    let third = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 2, &cups, 1)).await;
    assert!(matches!(third, Err(StockError::QuotaExceeded)), "{third:?}");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 8)]));
    draw(&*store, &ticket(&spring, user(2), DrawMode::RemainingStock, 2, &cups, 1)).await.expect("limits are per user");
    store.load(&spring, &counts(&[("cup", 0)])).await.unwrap();
    let over = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 2, &cups, 1)).await;
    assert!(matches!(over, Err(StockError::QuotaExceeded)), "{over:?}");
    let empty = draw(&*store, &ticket(&spring, user(3), DrawMode::RemainingStock, 2, &cups, 1)).await;
    assert!(matches!(empty, Err(StockError::SoldOut)), "{empty:?}");
    assert_eq!(store.draws(&spring).await.unwrap().len(), 3);
}

/// Nothing left, or nothing loaded: refused, nothing recorded, the draw not counted.
pub async fn sold_out_and_not_loaded_change_nothing(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let cups = wheel(&[("cup", 1, false), ("tea", 1, false)]);
    let never = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cups, 3)).await;
    assert!(matches!(never, Err(StockError::NotLoaded(ref id)) if *id == spring), "{never:?}");
    store.load(&spring, &counts(&[("cup", 0), ("tea", 0)])).await.unwrap();
    for mode in [DrawMode::RemainingStock, DrawMode::WeightRedistribute, DrawMode::WeightKeep] {
        let refused = draw(&*store, &ticket(&spring, user(1), mode, 1, &cups, 3)).await;
        assert!(matches!(refused, Err(StockError::SoldOut)), "{mode:?}: {refused:?}");
    }
    assert!(store.draws(&spring).await.unwrap().is_empty());
    store.load(&spring, &counts(&[("cup", 1), ("tea", 0)])).await.unwrap();
    let record = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cups, 3)).await;
    assert_eq!(record.expect("refused draws did not count").prize_id.as_str(), "cup");
}

/// Under *weight, kept*, landing on a sold-out prize is a no-win that takes nothing but
/// counts as a draw; under *weight, redistributed*, the same roll lands elsewhere.
pub async fn the_kept_policy_lands_on_sold_out_prizes_as_misses(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let slots = wheel(&[("cup", 1, false), ("tea", 1, false)]);
    store.load(&spring, &counts(&[("cup", 0), ("tea", 5)])).await.unwrap();
    let missed = draw(&*store, &ticket(&spring, user(1), DrawMode::WeightKeep, 1, &slots, 0)).await.unwrap();
    assert_eq!((missed.prize_id.as_str(), missed.outcome), ("cup", DrawOutcome::Missed));
    assert!(!missed.holds_unit());
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 0), ("tea", 5)]));
    let again = draw(&*store, &ticket(&spring, user(1), DrawMode::WeightKeep, 1, &slots, 1)).await;
    assert!(matches!(again, Err(StockError::QuotaExceeded)), "a miss counts as a draw: {again:?}");
    let won = draw(&*store, &ticket(&spring, user(2), DrawMode::WeightKeep, 1, &slots, 1)).await.unwrap();
    assert_eq!((won.prize_id.as_str(), won.outcome), ("tea", DrawOutcome::Won));
    let moved = draw(&*store, &ticket(&spring, user(3), DrawMode::WeightRedistribute, 1, &slots, 0)).await.unwrap();
    assert_eq!((moved.prize_id.as_str(), moved.outcome), ("tea", DrawOutcome::Won));
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 0), ("tea", 3)]));
    assert!(!store.release(&missed.id, Release::Unit).await.unwrap(), "a miss holds no unit");
}

/// The consolation slot's units are used up like any other, but it is not a win.
pub async fn the_consolation_slot_uses_its_unit_without_a_win(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("thanks", 1)])).await.unwrap();
    let slots = wheel(&[("thanks", 0, true)]);
    let record = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 0, &slots, 99)).await.unwrap();
    assert_eq!(record.outcome, DrawOutcome::Consolation);
    assert_eq!(remaining(&*store, &spring).await, counts(&[("thanks", 0)]));
    assert!(!store.release(&record.id, Release::Unit).await.unwrap(), "nothing to give back");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("thanks", 0)]));
}

/// A won unit goes back at most once per draw id, even when released concurrently; the
/// draw still counts against the quota; unknown draws release nothing.
pub async fn release_is_idempotent_per_draw_id(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 1)])).await.unwrap();
    let record = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 5)).await.unwrap();
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 0)]));
    let releases: Vec<_> = (0..8)
        .map(|_| {
            let (store, id) = (store.clone(), record.id.clone());
            tokio::spawn(async move { store.release(&id, Release::Unit).await.unwrap() })
        })
        .collect();
    let mut released = 0;
    for release in releases {
        released += usize::from(release.await.unwrap());
    }
    assert_eq!(released, 1, "exactly one of eight concurrent releases gives the unit back");
    assert!(!store.release(&record.id, Release::Unit).await.unwrap());
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 1)]));
    assert!(store.find_draw(&record.id).await.unwrap().unwrap().released);
    let again = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 5)).await;
    assert!(matches!(again, Err(StockError::QuotaExceeded)), "a released unit still counted: {again:?}");
    let unknown = ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 5).draw_id;
    assert!(!store.release(&unknown, Release::UnitAndQuota).await.unwrap());
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 1)]));
}

/// `Release::UnitAndQuota` also gives the user's draw back, as if it never happened.
pub async fn release_with_quota_gives_the_draw_back(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 2)])).await.unwrap();
    let record = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 5)).await.unwrap();
    assert!(store.release(&record.id, Release::UnitAndQuota).await.unwrap());
    assert!(!store.release(&record.id, Release::UnitAndQuota).await.unwrap(), "and only once");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 2)]));
    draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 5))
        .await
        .expect("the draw came back");
    let over = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &cup_wheel(), 5)).await;
    assert!(matches!(over, Err(StockError::QuotaExceeded)), "but only one: {over:?}");
}

/// The same rolls over the same counts pick the same slots as `lottery::pick` in Rust, in
/// every mode, including the edge rolls, until the wheel is empty.
pub async fn picks_match_the_lottery_for_the_same_rolls(store: Arc<dyn StockStore>) {
    let mut rng = StdRng::seed_from_u64(53);
    let slots =
        wheel(&[("thanks", 7, true), ("cup", 3, false), ("tea", 0, false), ("pot", 11, false), ("wine", 1, false)]);
    for (index, mode) in
        [DrawMode::RemainingStock, DrawMode::WeightRedistribute, DrawMode::WeightKeep].into_iter().enumerate()
    {
        let spring = activity(&format!("parity-{index}"));
        let mut model = counts(&[("thanks", 4), ("cup", 3), ("tea", 2), ("pot", 0), ("wine", 5)]);
        store.load(&spring, &model).await.unwrap();
        let edges = [0, 1, ROLL_BOUND - 1, ROLL_BOUND - 2, 14, 15, 16];
        for step in 0..30 {
            let roll = edges.get(step).copied().unwrap_or_else(|| rng.random_range(0..ROLL_BOUND));
            let ticket = ticket(&spring, user(step as u64), mode, 0, &slots, roll);
            let expected = ticket
                .pick(|prize| model.get(prize).copied().unwrap_or(0))
                .map(|(slot, take, outcome)| (slot.prize_id.clone(), take, outcome));
            match (draw(&*store, &ticket).await, expected) {
                (Ok(record), Some((prize, take, outcome))) => {
                    assert_eq!((&record.prize_id, record.outcome), (&prize, outcome), "{mode:?} roll {roll}");
                    if take {
                        *model.get_mut(&prize).expect("a known prize") -= 1;
                    }
                }
                (Err(StockError::SoldOut), None) => {}
                (got, want) => panic!("{mode:?} roll {roll}: store {got:?}, lottery {want:?}"),
            }
        }
        let left: HashMap<_, _> = remaining(&*store, &spring).await;
        assert_eq!(left, model, "{mode:?}");
    }
}

/// Many concurrent draws: exactly the stock is won, and no user exceeds the limit.
pub async fn concurrent_draws_never_oversell_or_exceed_the_quota(store: Arc<dyn StockStore>) {
    let (storm, greedy) = (activity("storm"), activity("greedy"));
    store.load(&storm, &counts(&[("cup", 10)])).await.unwrap();
    store.load(&greedy, &counts(&[("cup", 100)])).await.unwrap();
    let spawn = |activity: &ActivityId, user: UserId, limit: u32| {
        let (store, ticket) = (store.clone(), ticket(activity, user, DrawMode::RemainingStock, limit, &cup_wheel(), 3));
        tokio::spawn(async move { store.draw(&ticket).await })
    };
    let storm_draws: Vec<_> = (0..40).map(|n| spawn(&storm, user(n), 0)).collect();
    let greedy_draws: Vec<_> = (0..15).map(|_| spawn(&greedy, user(99), 3)).collect();
    let (mut won, mut sold_out, mut allowed, mut refused) = (0, 0, 0, 0);
    for task in storm_draws {
        match task.await.unwrap() {
            Ok(record) if record.outcome == DrawOutcome::Won => won += 1,
            Err(StockError::SoldOut) => sold_out += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    for task in greedy_draws {
        match task.await.unwrap() {
            Ok(_) => allowed += 1,
            Err(StockError::QuotaExceeded) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((won, sold_out), (10, 30), "exactly the stock is won");
    assert_eq!((allowed, refused), (3, 12), "exactly the limit is drawn");
    assert_eq!(remaining(&*store, &storm).await, counts(&[("cup", 0)]));
    assert_eq!(remaining(&*store, &greedy).await, counts(&[("cup", 97)]));
    assert_eq!(store.draws(&storm).await.unwrap().len(), 10);
}

/// A voided draw is undone whatever its outcome: a consolation unit goes back with the
/// quota, a miss gives the quota back; a unit-only release leaves both alone.
pub async fn a_voided_draw_of_any_outcome_is_undone_once(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 0), ("thanks", 1)])).await.unwrap();
    let slots = wheel(&[("thanks", 1, true)]);
    let consolation = draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 1, &slots, 3)).await.unwrap();
    assert_eq!(consolation.outcome, DrawOutcome::Consolation);
    assert!(!store.release(&consolation.id, Release::Unit).await.unwrap(), "a unit-only release is for won units");
    assert!(store.release(&consolation.id, Release::UnitAndQuota).await.unwrap());
    assert!(!store.release(&consolation.id, Release::UnitAndQuota).await.unwrap(), "once");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 0), ("thanks", 1)]));
    let kept = wheel(&[("cup", 1, false), ("thanks", 0, true)]);
    let missed = draw(&*store, &ticket(&spring, user(1), DrawMode::WeightKeep, 1, &kept, 0)).await.unwrap();
    assert_eq!(missed.outcome, DrawOutcome::Missed, "the consolation draw was given back to the quota");
    assert!(store.release(&missed.id, Release::UnitAndQuota).await.unwrap());
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 0), ("thanks", 1)]), "a miss took no unit");
    draw(&*store, &ticket(&spring, user(1), DrawMode::WeightKeep, 1, &kept, 0))
        .await
        .expect("the miss was given back too");
}

/// Every draw starts unsettled: listed (drawn before the cut-off, oldest first, at most
/// the limit) until settled; settling twice, or an unknown draw, changes nothing.
pub async fn draws_stay_unsettled_until_settled(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 10)])).await.unwrap();
    let mut records = Vec::new();
    for minute in [3u64, 1, 2] {
        let mut ticket = ticket(&spring, user(minute), DrawMode::RemainingStock, 0, &cup_wheel(), 1);
        ticket.at = START.plus(Duration::from_secs(60 * minute));
        records.push(draw(&*store, &ticket).await.unwrap());
    }
    records.sort_by_key(|record| record.drawn_at);
    let before = |minute: u64| START.plus(Duration::from_secs(60 * minute));
    assert_eq!(store.unsettled(&spring, before(4), 10).await.unwrap(), records, "oldest first");
    assert_eq!(store.unsettled(&spring, before(3), 10).await.unwrap(), records[..2], "drawn before the cut-off");
    assert_eq!(store.unsettled(&spring, before(4), 1).await.unwrap(), records[..1], "at most the limit");
    store.settle(&records[0].id).await.unwrap();
    store.settle(&records[0].id).await.unwrap();
    assert_eq!(store.unsettled(&spring, before(4), 10).await.unwrap(), records[1..]);
    let unknown = ticket(&spring, user(9), DrawMode::RemainingStock, 0, &cup_wheel(), 1).draw_id;
    store.settle(&unknown).await.expect("settling an unknown draw changes nothing");
    assert!(store.unsettled(&activity("autumn"), before(4), 10).await.unwrap().is_empty());
}

/// A restore rebuilds an activity exactly: stock, each user's count against the limit,
/// and the draw log (a restored won draw releases once; a released one never again).
pub async fn restore_rebuilds_stock_quotas_and_the_draw_log(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let record = |n: u64, outcome, released| {
        let ticket = ticket(&spring, user(n), DrawMode::RemainingStock, 0, &cup_wheel(), 1);
        DrawRecord {
            id: ticket.draw_id,
            user_id: user(n),
            prize_id: PrizeId::parse("cup").unwrap(),
            outcome,
            drawn_at: START,
            released,
        }
    };
    let held = record(1, DrawOutcome::Won, false);
    let given_back = record(2, DrawOutcome::Won, true);
    let restoration = Restoration {
        remaining: counts(&[("cup", 3)]),
        draws_per_user: HashMap::from([(user(1), 1), (user(2), 2)]),
        draws: vec![held.clone(), given_back.clone()],
        holding: Vec::new(),
        limits: HashMap::new(),
    };
    store.restore(&spring, &restoration).await.unwrap();
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 3)]));
    assert_eq!(store.find_draw(&held.id).await.unwrap(), Some(held.clone()));
    assert_eq!(store.find_draw(&given_back.id).await.unwrap(), Some(given_back.clone()));
    let mut draws = store.draws(&spring).await.unwrap();
    draws.sort_by_key(|draw| draw.user_id);
    assert_eq!(draws, vec![held.clone(), given_back.clone()]);
    assert!(
        store.unsettled(&spring, START.plus(Duration::from_secs(60)), 10).await.unwrap().is_empty(),
        "restored draws are settled"
    );
    let over = draw(&*store, &ticket(&spring, user(2), DrawMode::RemainingStock, 2, &cup_wheel(), 1)).await;
    assert!(matches!(over, Err(StockError::QuotaExceeded)), "user 2's two draws were restored: {over:?}");
    draw(&*store, &ticket(&spring, user(1), DrawMode::RemainingStock, 2, &cup_wheel(), 1))
        .await
        .expect("user 1 has one left");
    assert!(!store.release(&given_back.id, Release::Unit).await.unwrap(), "released before the loss");
    assert!(store.release(&held.id, Release::Unit).await.unwrap(), "a restored hold goes back once");
    assert!(!store.release(&held.id, Release::Unit).await.unwrap());
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 3)]), "3 − 1 drawn + 1 released");
}

/// A ticket for `user` drawing a priced cup under a cap of `max_unpaid` unpaid prizes.
fn capped(activity: &ActivityId, user: UserId, limit: u32, max_unpaid: u32) -> DrawTicket {
    DrawTicket { max_unpaid, ..ticket(activity, user, DrawMode::RemainingStock, limit, &cup_wheel(), 1) }
}

/// At the cap of unpaid priced prizes a draw is refused and changes nothing: no unit, no
/// draw counted, nothing logged. The quota is checked first, a recorded draw id still
/// returns its record, the cap is per user, and 0 means no cap.
pub async fn the_unpaid_cap_refuses_and_changes_nothing(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 10)])).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..3 {
        let record = draw(&*store, &capped(&spring, user(1), 4, 3)).await.unwrap();
        assert_eq!(record.outcome, DrawOutcome::Won);
        held.push(record);
    }
    let refused_ticket = capped(&spring, user(1), 4, 3);
    let refused = draw(&*store, &refused_ticket).await;
    assert!(matches!(refused, Err(StockError::UnpaidLimit)), "{refused:?}");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 7)]), "no unit taken");
    assert_eq!(store.draws(&spring).await.unwrap().len(), 3, "nothing logged");
    assert_eq!(store.find_draw(&refused_ticket.draw_id).await.unwrap(), None);
    let again = DrawTicket { draw_id: held[0].id.clone(), ..capped(&spring, user(1), 4, 3) };
    assert_eq!(draw(&*store, &again).await.unwrap(), held[0], "a recorded draw id returns its record");
    draw(&*store, &capped(&spring, user(2), 4, 3)).await.expect("the cap is per user");
    draw(&*store, &capped(&spring, user(1), 4, 0)).await.expect("0 is no cap");
    let over = draw(&*store, &capped(&spring, user(1), 4, 3)).await;
    assert!(matches!(over, Err(StockError::QuotaExceeded)), "the quota is checked first: {over:?}");
    assert!(store.paid(&held[0].id).await.unwrap());
    let over = draw(&*store, &capped(&spring, user(1), 4, 3)).await;
    assert!(matches!(over, Err(StockError::QuotaExceeded)), "the refused draw did not count: {over:?}");
    for _ in 0..3 {
        draw(&*store, &capped(&spring, user(3), 5, 3)).await.unwrap();
    }
    assert!(matches!(draw(&*store, &capped(&spring, user(3), 5, 3)).await, Err(StockError::UnpaidLimit)));
    store.paid(&held[1].id).await.unwrap();
    draw(&*store, &capped(&spring, user(3), 5, 3)).await.expect_err("another user's payment frees nothing");
}

/// Only a priced win holds: consolation, missed and free-prize draws never count against
/// the cap, and `paid` on them ends nothing.
pub async fn only_priced_wins_hold(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("thanks", 5), ("pen", 5), ("gone", 0), ("cup", 5)])).await.unwrap();
    let capped_on = |slots: &[WheelSlot], mode, roll| DrawTicket {
        max_unpaid: 1,
        ..ticket(&spring, user(1), mode, 0, slots, roll)
    };
    let thanks = wheel(&[("thanks", 1, true)]);
    let pen = vec![WheelSlot { priced: false, ..wheel(&[("pen", 1, false)]).remove(0) }];
    let kept = wheel(&[("gone", 1, false), ("cup", 1, false)]);
    let mut free = Vec::new();
    for _ in 0..2 {
        let consolation = draw(&*store, &capped_on(&thanks, DrawMode::RemainingStock, 1)).await.unwrap();
        assert_eq!(consolation.outcome, DrawOutcome::Consolation);
        let won_free = draw(&*store, &capped_on(&pen, DrawMode::RemainingStock, 1)).await.unwrap();
        assert_eq!((won_free.outcome, won_free.prize_id.as_str()), (DrawOutcome::Won, "pen"));
        let missed = draw(&*store, &capped_on(&kept, DrawMode::WeightKeep, 0)).await.unwrap();
        assert_eq!(missed.outcome, DrawOutcome::Missed);
        free.extend([consolation, won_free, missed]);
    }
    for record in &free {
        assert!(!store.paid(&record.id).await.unwrap(), "{:?} holds nothing", record.outcome);
    }
    let cup = draw(&*store, &capped_on(&kept, DrawMode::WeightKeep, 1)).await.unwrap();
    assert_eq!((cup.outcome, cup.prize_id.as_str()), (DrawOutcome::Won, "cup"));
    let refused = draw(&*store, &capped_on(&thanks, DrawMode::RemainingStock, 1)).await;
    assert!(matches!(refused, Err(StockError::UnpaidLimit)), "one priced win holds: {refused:?}");
    assert!(store.release(&free[1].id, Release::Unit).await.unwrap(), "a free unit goes back");
    let refused = draw(&*store, &capped_on(&thanks, DrawMode::RemainingStock, 1)).await;
    assert!(matches!(refused, Err(StockError::UnpaidLimit)), "releasing a free prize ends no hold: {refused:?}");
}

/// `paid` and `release` each end a hold at most once per draw, even concurrently; a
/// release after `paid` (or `paid` after a release) ends nothing more.
pub async fn paid_and_release_each_end_a_hold_once(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.load(&spring, &counts(&[("cup", 20)])).await.unwrap();
    let take = || capped(&spring, user(1), 0, 2);
    let refused = |result: Result<DrawRecord, StockError>| matches!(result, Err(StockError::UnpaidLimit));
    let a = draw(&*store, &take()).await.unwrap();
    let b = draw(&*store, &take()).await.unwrap();
    assert!(refused(draw(&*store, &take()).await), "two held");
    assert!(store.paid(&a.id).await.unwrap(), "paying ends a's hold");
    assert!(!store.paid(&a.id).await.unwrap(), "once");
    let c = draw(&*store, &take()).await.expect("a slot was freed");
    assert!(refused(draw(&*store, &take()).await), "b and c held");
    assert!(store.release(&a.id, Release::Unit).await.unwrap(), "a paid unit can still go back");
    assert!(refused(draw(&*store, &take()).await), "releasing a paid draw ends no second hold");
    assert!(store.release(&b.id, Release::Unit).await.unwrap());
    assert!(!store.paid(&b.id).await.unwrap(), "the release ended b's hold");
    assert!(!store.release(&b.id, Release::Unit).await.unwrap());
    let d = draw(&*store, &take()).await.expect("the release freed a slot");
    assert!(refused(draw(&*store, &take()).await), "c and d held");
    let payments: Vec<_> = (0..8)
        .map(|_| {
            let (store, id) = (store.clone(), c.id.clone());
            tokio::spawn(async move { store.paid(&id).await.unwrap() })
        })
        .collect();
    let mut ended = 0;
    for payment in payments {
        ended += usize::from(payment.await.unwrap());
    }
    assert_eq!(ended, 1, "exactly one of eight concurrent payments ends the hold");
    let e = draw(&*store, &take()).await.expect("c's hold ended once");
    assert!(refused(draw(&*store, &take()).await), "d and e held");
    assert!(store.release(&d.id, Release::UnitAndQuota).await.unwrap(), "a void ends the hold too");
    assert!(!store.paid(&d.id).await.unwrap());
    let f = draw(&*store, &take()).await.expect("d's hold ended");
    assert!(refused(draw(&*store, &take()).await), "e and f held");
    let unknown = take().draw_id;
    assert!(!store.paid(&unknown).await.unwrap(), "an unknown draw holds nothing");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 20 - 6 + 3)]), "a, b and d went back");
    assert!(!f.released && !e.released);
}

/// A restore rebuilds the holds: the restored holding draws count against the cap, end
/// once when paid or released; the others (paid, released) hold nothing.
pub async fn restore_rebuilds_the_unpaid_holds(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let record = |n: u64, released| {
        let ticket = ticket(&spring, user(n), DrawMode::RemainingStock, 0, &cup_wheel(), 1);
        DrawRecord {
            id: ticket.draw_id,
            user_id: user(n),
            prize_id: PrizeId::parse("cup").unwrap(),
            outcome: DrawOutcome::Won,
            drawn_at: START,
            released,
        }
    };
    let (first, second, paid, given_back) = (record(1, false), record(1, false), record(1, false), record(1, true));
    let other = record(2, false);
    let restoration = Restoration {
        remaining: counts(&[("cup", 10)]),
        draws_per_user: HashMap::from([(user(1), 4), (user(2), 1)]),
        draws: vec![first.clone(), second.clone(), paid.clone(), given_back.clone(), other.clone()],
        holding: vec![first.id.clone(), second.id.clone(), other.id.clone()],
        limits: HashMap::new(),
    };
    store.restore(&spring, &restoration).await.unwrap();
    let take = |n| capped(&spring, user(n), 0, 2);
    let refused = |result: Result<DrawRecord, StockError>| matches!(result, Err(StockError::UnpaidLimit));
    assert!(refused(draw(&*store, &take(1)).await), "user 1's two holds were restored");
    draw(&*store, &take(2)).await.expect("user 2 holds one");
    assert!(refused(draw(&*store, &take(2)).await), "and now two");
    assert!(!store.paid(&paid.id).await.unwrap(), "a paid draw holds nothing");
    assert!(!store.paid(&given_back.id).await.unwrap(), "a released draw holds nothing");
    assert!(store.paid(&first.id).await.unwrap(), "a restored hold ends once");
    assert!(!store.paid(&first.id).await.unwrap());
    draw(&*store, &take(1)).await.expect("one slot free");
    assert!(refused(draw(&*store, &take(1)).await));
    assert!(store.release(&second.id, Release::Unit).await.unwrap());
    draw(&*store, &take(1)).await.expect("the release of a restored hold frees a slot");
    assert!(refused(draw(&*store, &take(1)).await));
}

/// 500 concurrent draws by one user, with a large quota and plenty of priced stock, stop
/// at the cap: exactly 3 win, the rest are refused with `UnpaidLimit`.
pub async fn concurrent_draws_of_one_user_stop_at_the_unpaid_cap(store: Arc<dyn StockStore>) {
    let greedy = activity("greedy");
    store.load(&greedy, &counts(&[("cup", 1000)])).await.unwrap();
    let draws: Vec<_> = (0..500)
        .map(|_| {
            let (store, ticket) = (store.clone(), capped(&greedy, user(7), 10_000, 3));
            tokio::spawn(async move { store.draw(&ticket).await })
        })
        .collect();
    let (mut won, mut refused) = (0, 0);
    for task in draws {
        match task.await.unwrap() {
            Ok(record) if record.outcome == DrawOutcome::Won => won += 1,
            Err(StockError::UnpaidLimit) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((won, refused), (3, 497), "exactly the cap is held");
    assert_eq!(remaining(&*store, &greedy).await, counts(&[("cup", 997)]));
    assert_eq!(store.draws(&greedy).await.unwrap().len(), 3);
}

/// A ticket for `user` drawing a cup under the ticket's `limit`.
fn limited(activity: &ActivityId, user: UserId, limit: u32) -> DrawTicket {
    ticket(activity, user, DrawMode::RemainingStock, limit, &cup_wheel(), 1)
}

/// Whether a draw was refused for the user's limit.
fn over_quota(result: &Result<DrawRecord, StockError>) -> bool {
    matches!(result, Err(StockError::QuotaExceeded))
}

/// A user's own limit replaces the ticket's inside the atomic step: of 500 concurrent
/// draws by a user whose limit is 7 (the ticket says 3), exactly 7 succeed; another user's
/// concurrent draws still stop at the ticket's 3.
pub async fn concurrent_draws_stop_at_the_users_own_limit(store: Arc<dyn StockStore>) {
    let vip = activity("vip");
    store.load(&vip, &counts(&[("cup", 1000)])).await.unwrap();
    store.set_limit(&vip, &user(7), Some(DrawLimit::new(7))).await.unwrap();
    let spawn = |n: u64| {
        let (store, ticket) = (store.clone(), limited(&vip, user(n), 3));
        tokio::spawn(async move { store.draw(&ticket).await })
    };
    let tasks: Vec<_> = (0..500).map(|i| spawn(if i % 25 == 0 { 8 } else { 7 })).collect();
    let mut outcomes: HashMap<(UserId, bool), usize> = HashMap::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        assert!(result.is_ok() || over_quota(&result), "unexpected {result:?}");
        *outcomes.entry((user(if i % 25 == 0 { 8 } else { 7 }), result.is_ok())).or_default() += 1;
    }
    assert_eq!((outcomes[&(user(7), true)], outcomes[&(user(7), false)]), (7, 473), "exactly the user's own limit");
    assert_eq!((outcomes[&(user(8), true)], outcomes[&(user(8), false)]), (3, 17), "others keep the ticket's");
    assert_eq!(remaining(&*store, &vip).await, counts(&[("cup", 990)]));
    assert_eq!(store.draws(&vip).await.unwrap().len(), 10);
}

/// Removing a user's own limit brings the ticket's back; a limit of 0 is unlimited; a limit
/// lowered below the user's draws refuses further draws; limits are per user and activity.
pub async fn a_users_own_limit_is_set_replaced_and_removed(store: Arc<dyn StockStore>) {
    let (spring, autumn) = (activity("spring"), activity("autumn"));
    store.load(&spring, &counts(&[("cup", 50)])).await.unwrap();
    store.load(&autumn, &counts(&[("cup", 50)])).await.unwrap();
    store.set_limit(&spring, &user(1), None).await.expect("removing a limit never set changes nothing");
    store.set_limit(&spring, &user(1), Some(DrawLimit::new(1))).await.unwrap();
    draw(&*store, &limited(&spring, user(1), 2)).await.unwrap();
    assert!(over_quota(&draw(&*store, &limited(&spring, user(1), 2)).await), "the user's 1, not the ticket's 2");
    draw(&*store, &limited(&spring, user(2), 2)).await.expect("only user 1's limit changed");
    draw(&*store, &limited(&autumn, user(1), 2)).await.expect("only in spring");
    draw(&*store, &limited(&autumn, user(1), 2)).await.expect("only in spring");
    store.set_limit(&spring, &user(1), None).await.unwrap();
    draw(&*store, &limited(&spring, user(1), 2)).await.expect("the ticket's limit applies again");
    assert!(over_quota(&draw(&*store, &limited(&spring, user(1), 2)).await), "and only it");
    store.set_limit(&spring, &user(1), Some(DrawLimit::UNLIMITED)).await.unwrap();
    for _ in 0..3 {
        draw(&*store, &limited(&spring, user(1), 2)).await.expect("0 is unlimited");
    }
    store.set_limit(&spring, &user(1), Some(DrawLimit::new(3))).await.unwrap();
    assert!(over_quota(&draw(&*store, &limited(&spring, user(1), 0)).await), "5 drawn, limit lowered to 3");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 50 - 6)]));
}

/// A limit set before the stock is loaded does not load it, and holds once it is loaded.
pub async fn a_users_own_limit_set_before_the_load_holds_after_it(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    store.set_limit(&spring, &user(1), Some(DrawLimit::new(2))).await.unwrap();
    assert_eq!(store.remaining(&spring).await.unwrap(), None, "still not loaded");
    let refused = draw(&*store, &limited(&spring, user(1), 1)).await;
    assert!(matches!(refused, Err(StockError::NotLoaded(_))), "{refused:?}");
    store.load(&spring, &counts(&[("cup", 10)])).await.unwrap();
    for _ in 0..2 {
        draw(&*store, &limited(&spring, user(1), 1)).await.expect("the user's own 2");
    }
    assert!(over_quota(&draw(&*store, &limited(&spring, user(1), 1)).await));
}

/// A restore puts users' own limits back with their counts, and they are enforced.
pub async fn restore_puts_the_users_own_limits_back(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let restoration = Restoration {
        remaining: counts(&[("cup", 10)]),
        draws_per_user: HashMap::from([(user(1), 1), (user(2), 3)]),
        limits: HashMap::from([
            (user(1), DrawLimit::new(2)),
            (user(2), DrawLimit::UNLIMITED),
            (user(3), DrawLimit::new(1)),
        ]),
        ..Restoration::default()
    };
    store.restore(&spring, &restoration).await.unwrap();
    draw(&*store, &limited(&spring, user(1), 1)).await.expect("user 1 has one more of their own 2");
    assert!(over_quota(&draw(&*store, &limited(&spring, user(1), 1)).await));
    draw(&*store, &limited(&spring, user(2), 1)).await.expect("user 2 is unlimited");
    draw(&*store, &limited(&spring, user(3), 5)).await.expect("user 3 never drew");
    assert!(over_quota(&draw(&*store, &limited(&spring, user(3), 5)).await), "user 3's own 1");
}

/// `adjust` adds and removes exactly, never below zero: a removal of more than is left is
/// refused and changes nothing; an unknown prize or an unloaded activity is refused.
pub async fn adjust_adds_and_removes_units_exactly(store: Arc<dyn StockStore>) {
    let spring = activity("spring");
    let (cup, tea) = (PrizeId::parse("cup").unwrap(), PrizeId::parse("tea").unwrap());
    let refused = store.adjust(&spring, &cup, 5).await;
    assert!(matches!(refused, Err(StockError::NotLoaded(ref id)) if *id == spring), "{refused:?}");
    assert_eq!(store.remaining(&spring).await.unwrap(), None, "an adjustment loads nothing");
    store.load(&spring, &counts(&[("cup", 10), ("tea", 0)])).await.unwrap();
    assert_eq!(store.adjust(&spring, &cup, 5).await.unwrap(), 15);
    assert_eq!(store.adjust(&spring, &cup, -3).await.unwrap(), 12);
    assert_eq!(store.adjust(&spring, &cup, 0).await.unwrap(), 12);
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 12), ("tea", 0)]));
    let refused = store.adjust(&spring, &cup, -13).await;
    assert!(matches!(refused, Err(StockError::Insufficient { remaining: 12 })), "{refused:?}");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 12), ("tea", 0)]), "nothing changed");
    let unknown = PrizeId::parse("wine").unwrap();
    let refused = store.adjust(&spring, &unknown, 1).await;
    assert!(matches!(refused, Err(StockError::UnknownPrize(ref prize)) if *prize == unknown), "{refused:?}");
    assert_eq!(store.adjust(&spring, &cup, -12).await.unwrap(), 0);
    assert_eq!(store.adjust(&spring, &tea, 2).await.unwrap(), 2);
    let teas = wheel(&[("tea", 1, false)]);
    for n in 0..2 {
        draw(&*store, &ticket(&spring, user(n), DrawMode::RemainingStock, 0, &teas, 1))
            .await
            .expect("added units are drawn");
    }
    let sold_out = draw(&*store, &ticket(&spring, user(9), DrawMode::RemainingStock, 0, &teas, 1)).await;
    assert!(matches!(sold_out, Err(StockError::SoldOut)), "{sold_out:?}");
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 0), ("tea", 0)]));
}

/// Concurrent draws, removals and additions never take a prize below zero and conserve
/// units: units won + units left = initial + the deltas that were applied.
pub async fn concurrent_draws_and_adjustments_conserve_units(store: Arc<dyn StockStore>) {
    let storm = activity("storm");
    let cup = PrizeId::parse("cup").unwrap();
    store.load(&storm, &counts(&[("cup", 60)])).await.unwrap();
    let draws: Vec<_> = (0..40)
        .map(|n| {
            let (store, ticket) = (store.clone(), limited(&storm, user(n), 0));
            tokio::spawn(async move { store.draw(&ticket).await })
        })
        .collect();
    let adjustments: Vec<_> = [-3i64, 2, -3, -3, 2, -3, -3, 2, -3, -3, 2, -3, -3, 2, -3]
        .into_iter()
        .map(|delta| {
            let (store, activity, prize) = (store.clone(), storm.clone(), cup.clone());
            tokio::spawn(async move { (delta, store.adjust(&activity, &prize, delta).await) })
        })
        .collect();
    let mut won = 0u64;
    for task in draws {
        match task.await.unwrap() {
            Ok(record) if record.outcome == DrawOutcome::Won => won += 1,
            Err(StockError::SoldOut) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut applied = 0i64;
    for task in adjustments {
        match task.await.unwrap() {
            (delta, Ok(_)) => applied += delta,
            (delta, Err(StockError::Insufficient { .. })) if delta < 0 => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let left = remaining(&*store, &storm).await[&cup];
    assert_eq!(won as i64 + left as i64, 60 + applied, "won {won}, left {left}, applied {applied}");
    assert_eq!(store.draws(&storm).await.unwrap().len() as u64, won);
}

/// A flush forgets everything of one activity (stock, counts, holds, limits, draw log): it
/// is not loaded, draws are refused, its draws are gone; other activities keep theirs. A
/// restore rebuilds it, limits included.
pub async fn flush_forgets_an_activity_and_restore_rebuilds_it(store: Arc<dyn StockStore>) {
    let (spring, autumn, winter) = (activity("spring"), activity("autumn"), activity("winter"));
    for activity in [&spring, &autumn] {
        store.load(activity, &counts(&[("cup", 5)])).await.unwrap();
        store.set_limit(activity, &user(3), Some(DrawLimit::new(1))).await.unwrap();
    }
    let spring_draws = [
        draw(&*store, &capped(&spring, user(1), 1, 1)).await.unwrap(),
        draw(&*store, &capped(&spring, user(2), 1, 1)).await.unwrap(),
    ];
    let autumn_draw = draw(&*store, &capped(&autumn, user(1), 1, 1)).await.unwrap();
    assert!(store.flush(&spring).await.unwrap());
    assert_eq!(store.remaining(&spring).await.unwrap(), None, "not loaded");
    let refused = draw(&*store, &capped(&spring, user(4), 1, 1)).await;
    assert!(matches!(refused, Err(StockError::NotLoaded(ref id)) if *id == spring), "{refused:?}");
    assert!(store.draws(&spring).await.unwrap().is_empty());
    assert_eq!(store.find_draw(&spring_draws[0].id).await.unwrap(), None);
    assert!(store.unsettled(&spring, START.plus(Duration::from_secs(60)), 10).await.unwrap().is_empty());
    assert!(!store.flush(&spring).await.unwrap(), "nothing left to flush");
    assert_eq!(remaining(&*store, &autumn).await, counts(&[("cup", 4)]), "autumn untouched");
    assert_eq!(store.draws(&autumn).await.unwrap(), vec![autumn_draw]);
    assert!(over_quota(&draw(&*store, &capped(&autumn, user(1), 1, 1)).await), "autumn's count kept");
    draw(&*store, &capped(&autumn, user(3), 5, 0)).await.unwrap();
    assert!(over_quota(&draw(&*store, &capped(&autumn, user(3), 5, 0)).await), "autumn's limit kept");

    store.load(&spring, &counts(&[("cup", 5)])).await.unwrap();
    draw(&*store, &capped(&spring, user(1), 1, 1)).await.expect("the count and the hold were flushed");
    draw(&*store, &capped(&spring, user(3), 2, 0)).await.unwrap();
    draw(&*store, &capped(&spring, user(3), 2, 0)).await.expect("the limit was flushed");
    assert!(store.flush(&spring).await.unwrap());

    let restoration = Restoration {
        remaining: counts(&[("cup", 3)]),
        draws_per_user: HashMap::from([(user(1), 1), (user(2), 1)]),
        draws: spring_draws.to_vec(),
        holding: vec![spring_draws[0].id.clone()],
        limits: HashMap::from([(user(2), DrawLimit::new(2))]),
    };
    store.restore(&spring, &restoration).await.unwrap();
    assert_eq!(remaining(&*store, &spring).await, counts(&[("cup", 3)]));
    assert_eq!(store.find_draw(&spring_draws[1].id).await.unwrap(), Some(spring_draws[1].clone()));
    assert!(over_quota(&draw(&*store, &capped(&spring, user(1), 1, 0)).await), "user 1's draw restored");
    draw(&*store, &capped(&spring, user(2), 1, 0)).await.expect("user 2's own limit of 2 restored");
    assert!(over_quota(&draw(&*store, &capped(&spring, user(2), 1, 0)).await));

    store.set_limit(&winter, &user(1), Some(DrawLimit::new(1))).await.unwrap();
    assert!(store.flush(&winter).await.unwrap(), "an activity with only a limit has something to flush");
    assert!(!store.flush(&winter).await.unwrap());
}

/// An activity spread over buckets (`StockStore::spread`: Redis splits it over hash slots,
/// stores without shards ignore it) keeps every rule: a user's own limit set before the
/// load holds, the draws sell exactly every unit before the first sold-out answer (units
/// move to the buckets that run dry), release, paid, settlement, adjustments and a
/// flush-and-restore all find the draws wherever they are.
pub async fn a_spread_activity_keeps_every_rule(store: Arc<dyn StockStore>) {
    let spread = activity("spread");
    let two = wheel(&[("cup", 1, false), ("tea", 1, false)]);
    let any = |n: u64, limit: u32| ticket(&spread, user(n), DrawMode::RemainingStock, limit, &two, n * 7_919);
    store.spread(&spread, 8).await.unwrap();
    store.set_limit(&spread, &user(1), Some(DrawLimit::new(2))).await.unwrap();
    store.load(&spread, &counts(&[("cup", 13), ("tea", 3)])).await.unwrap();
    assert_eq!(remaining(&*store, &spread).await, counts(&[("cup", 13), ("tea", 3)]));

    let mut drawn = vec![draw(&*store, &any(1, 0)).await.unwrap(), draw(&*store, &any(1, 0)).await.unwrap()];
    assert!(over_quota(&draw(&*store, &any(1, 0)).await), "user 1's own limit of 2, set before the load");
    for n in 10..24 {
        drawn.push(draw(&*store, &any(n, 1)).await.unwrap_or_else(|refusal| panic!("unit {n}: {refusal:?}")));
    }
    for n in 24..30 {
        let refused = draw(&*store, &any(n, 1)).await;
        assert!(matches!(refused, Err(StockError::SoldOut)), "all 16 units are gone: {refused:?}");
    }
    assert_eq!(remaining(&*store, &spread).await, counts(&[("cup", 0), ("tea", 0)]));
    let cups = drawn.iter().filter(|record| record.prize_id.as_str() == "cup").count();
    assert_eq!(cups, 13, "every cup and every tea sold once");

    assert!(store.release(&drawn[5].id, Release::Unit).await.unwrap());
    assert!(!store.release(&drawn[5].id, Release::Unit).await.unwrap(), "once");
    assert_eq!(remaining(&*store, &spread).await.values().sum::<u64>(), 1);
    assert!(store.paid(&drawn[6].id).await.unwrap());
    assert!(!store.paid(&drawn[6].id).await.unwrap(), "once");
    assert_eq!(store.find_draw(&drawn[9].id).await.unwrap(), Some(drawn[9].clone()));
    assert_eq!(store.draws(&spread).await.unwrap().len(), 16, "every bucket's draw log");
    let later = START.plus(Duration::from_secs(60));
    assert_eq!(store.unsettled(&spread, later, 100).await.unwrap().len(), 16);
    assert_eq!(store.unsettled(&spread, later, 5).await.unwrap().len(), 5, "at most the limit");
    store.settle(&drawn[0].id).await.unwrap();
    assert_eq!(store.unsettled(&spread, later, 100).await.unwrap().len(), 15);

    let released_prize = drawn[5].prize_id.clone();
    let cup = PrizeId::parse("cup").unwrap();
    let cups_left = u64::from(released_prize == cup);
    assert_eq!(store.adjust(&spread, &cup, 9).await.unwrap(), 9 + cups_left);
    let over = store.adjust(&spread, &cup, -20).await;
    assert!(matches!(over, Err(StockError::Insufficient { remaining }) if remaining == 9 + cups_left), "{over:?}");
    assert_eq!(store.adjust(&spread, &cup, -5).await.unwrap(), 4 + cups_left);
    let unknown = store.adjust(&spread, &PrizeId::parse("pen").unwrap(), 1).await;
    assert!(matches!(unknown, Err(StockError::UnknownPrize(_))), "{unknown:?}");
    let left = remaining(&*store, &spread).await;
    assert_eq!(left[&cup], 4 + cups_left);
    let taken = granted(&*store, (40..50).map(|n| any(n, 1))).await;
    assert_eq!(taken.len() as u64, left.values().sum::<u64>(), "the adjusted units sell exactly: {taken:?}");

    assert!(store.flush(&spread).await.unwrap());
    assert_eq!(store.remaining(&spread).await.unwrap(), None);
    store.spread(&spread, 8).await.unwrap();
    let restoration = Restoration {
        remaining: counts(&[("cup", 7), ("tea", 2)]),
        draws_per_user: HashMap::from([(user(1), 2), (user(10), 1)]),
        draws: vec![drawn[0].clone(), drawn[1].clone(), drawn[2].clone()],
        holding: vec![drawn[2].id.clone()],
        limits: HashMap::from([(user(1), DrawLimit::new(2))]),
    };
    store.restore(&spread, &restoration).await.unwrap();
    assert_eq!(remaining(&*store, &spread).await, counts(&[("cup", 7), ("tea", 2)]));
    assert!(over_quota(&draw(&*store, &any(1, 0)).await), "user 1's draws and own limit restored");
    assert!(over_quota(&draw(&*store, &any(10, 1)).await), "user 10's draw restored");
    assert_eq!(store.find_draw(&drawn[1].id).await.unwrap(), Some(drawn[1].clone()));
    assert!(store.paid(&drawn[2].id).await.unwrap(), "the restored hold ends once");
    let after = granted(&*store, (60..75).map(|n| any(n, 1))).await;
    assert_eq!(after.len(), 9, "the 9 restored units sell exactly");
    store.flush(&spread).await.unwrap();
}

/// The draws of `tickets`, one after another, that were not refused.
async fn granted(store: &dyn StockStore, tickets: impl IntoIterator<Item = DrawTicket>) -> Vec<DrawRecord> {
    let mut records = Vec::new();
    for ticket in tickets {
        if let Ok(record) = store.draw(&ticket).await {
            records.push(record);
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::user;

    #[test]
    fn users_are_distinct() {
        let users: HashSet<_> = (0..20_000).chain([1 << 40, (1 << 56) - 1]).map(user).collect();
        assert_eq!(users.len(), 20_002);
    }
}

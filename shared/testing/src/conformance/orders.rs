//! The [`Orders`] contract, check by check.

use std::sync::Arc;
use std::time::Duration;

use crate::START;
use crate::conformance::stock::{activity, user};
use luckydraw_core::domain::{DrawId, Money, Order, OrderStatus, PrizeId, Timestamp, UserId};
use luckydraw_core::ports::{OrderQuery, Orders};

/// A pending order of `user` won at `START + won_secs`, due `pay_secs` later; `n` ends
/// its id, so consecutive orders land in different partitions of a spread index.
fn order(n: u64, user: UserId, won_secs: u64, pay_secs: u64) -> Order {
    let mut bytes = [7; 10];
    bytes[2..].copy_from_slice(&n.to_be_bytes());
    let draw_id = DrawId::generate(&activity("spring"), START.plus(Duration::from_secs(won_secs)), bytes);
    let won_at = START.plus(Duration::from_secs(won_secs));
    Order {
        id: draw_id.order_id(),
        draw_id,
        user_id: user,
        prize_id: PrizeId::parse("cup").expect("valid"),
        prize_name: "Cup".into(),
        amount_fen: Money::from_fen(8000 + n),
        status: OrderStatus::PendingPayment,
        created_at: won_at,
        pay_deadline: won_at.plus(Duration::from_secs(pay_secs)),
        updated_at: won_at,
        trade_no: None,
    }
}

/// Insert-if-absent: a second insert of the same id changes nothing.
pub async fn an_order_is_inserted_once(orders: Arc<dyn Orders>) {
    let first = order(1, user(1), 0, 900);
    assert!(orders.insert(&first).await.unwrap());
    let imposter = Order { amount_fen: Money::from_fen(1), ..first.clone() };
    assert!(!orders.insert(&imposter).await.unwrap());
    assert_eq!(orders.get(&first.id).await.unwrap(), Some(first));
    assert_eq!(orders.get(&order(2, user(1), 0, 900).id).await.unwrap(), None);
}

/// `update` replaces the order only while its stored status is the expected one.
pub async fn updates_apply_only_on_the_expected_status(orders: Arc<dyn Orders>) {
    let pending = order(1, user(1), 0, 900);
    orders.insert(&pending).await.unwrap();
    let paid = Order {
        trade_no: Some("T1".into()),
        ..pending.moved_to(OrderStatus::Paid, START.plus(Duration::from_secs(60)))
    };
    assert!(orders.update(&paid, OrderStatus::PendingPayment).await.unwrap());
    let cancelled = pending.moved_to(OrderStatus::Cancelled, START.plus(Duration::from_secs(61)));
    assert!(!orders.update(&cancelled, OrderStatus::PendingPayment).await.unwrap(), "no longer pending");
    assert_eq!(orders.get(&pending.id).await.unwrap(), Some(paid));
    let ghost = order(2, user(1), 0, 900);
    assert!(!orders.update(&ghost, OrderStatus::PendingPayment).await.unwrap(), "unknown orders are not created");
    assert_eq!(orders.get(&ghost.id).await.unwrap(), None);
}

/// A user's orders, newest first, and only theirs.
pub async fn a_users_orders_come_newest_first(orders: Arc<dyn Orders>) {
    let mine = [order(1, user(1), 10, 900), order(2, user(1), 30, 900), order(3, user(1), 20, 900)];
    for order in &mine {
        orders.insert(order).await.unwrap();
    }
    orders.insert(&order(4, user(2), 40, 900)).await.unwrap();
    let listed: Vec<u64> = orders.of_user(&user(1)).await.unwrap().iter().map(|o| o.amount_fen.fen() - 8000).collect();
    assert_eq!(listed, [2, 3, 1]);
    assert!(orders.of_user(&user(3)).await.unwrap().is_empty());
}

/// Orders still pending with a deadline at or before `now`, earliest deadline first, at most `limit`.
pub async fn overdue_lists_pending_orders_by_deadline(orders: Arc<dyn Orders>) {
    let due_late = order(1, user(1), 0, 300);
    let due_early = order(2, user(2), 0, 100);
    let due_now = order(3, user(3), 0, 400);
    let not_due = order(4, user(4), 0, 401);
    let paid = order(5, user(5), 0, 50);
    for order in [&due_late, &due_early, &due_now, &not_due, &paid] {
        orders.insert(order).await.unwrap();
    }
    orders.update(&paid.moved_to(OrderStatus::Paid, START), OrderStatus::PendingPayment).await.unwrap();
    let now: Timestamp = START.plus(Duration::from_secs(400));
    let ids = |list: Vec<Order>| list.into_iter().map(|order| order.id).collect::<Vec<_>>();
    assert_eq!(ids(orders.overdue(now, 10).await.unwrap()), [due_early.id, due_late.id, due_now.id]);
    assert_eq!(ids(orders.overdue(now, 2).await.unwrap()), [due_early.id, due_late.id]);
    assert!(orders.overdue(START.plus(Duration::from_secs(99)), 10).await.unwrap().is_empty());
}

/// Many pending orders, whatever their ids: any `limit` gets exactly the earliest deadlines, in order.
pub async fn overdue_takes_the_earliest_deadlines_of_all(orders: Arc<dyn Orders>) {
    // Deadlines 10 s apart in a shuffled order (7 and 40 are coprime), all due by 400 s.
    let all: Vec<Order> = (1..=40).map(|n| order(n, user(n), 0, (n * 7 % 40 + 1) * 10)).collect();
    for order in &all {
        orders.insert(order).await.unwrap();
    }
    let mut by_deadline = all.clone();
    by_deadline.sort_by_key(|order| order.pay_deadline);
    let now = START.plus(Duration::from_secs(400));
    for limit in [1, 2, 3, 25, 40, 100] {
        let overdue = orders.overdue(now, limit).await.unwrap();
        let expected: Vec<_> = by_deadline.iter().take(limit).map(|order| order.id).collect();
        assert_eq!(overdue.iter().map(|order| order.id).collect::<Vec<_>>(), expected, "limit {limit}");
    }
}

/// Pages follow their cursors through every matching order exactly once, filtered by
/// activity and status; a cursor the store did not issue gives an empty last page.
pub async fn pages_list_every_matching_order_once(orders: Arc<dyn Orders>) {
    let mut all = Vec::new();
    for n in 0..11 {
        let mut placed = order(n, user(n % 3), n, 900);
        if n % 4 == 0 {
            placed.status = OrderStatus::Paid;
        }
        if n >= 8 {
            // Another activity's orders.
            let draw_id = DrawId::generate(&activity("autumn"), placed.created_at, [n as u8; 10]);
            placed = Order { id: draw_id.order_id(), draw_id, ..placed };
        }
        assert!(orders.insert(&placed).await.unwrap());
        all.push(placed);
    }
    let collect = |query: OrderQuery| {
        let orders = orders.clone();
        async move {
            let (mut seen, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
            loop {
                let page = orders.page(&query, cursor.as_deref(), 3).await.unwrap();
                assert!(page.orders.len() <= 3);
                seen.extend(page.orders.into_iter().map(|order| order.id));
                pages += 1;
                assert!(pages < 20, "the cursors end");
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => return seen,
                }
            }
        }
    };
    let expect = |keep: &dyn Fn(&Order) -> bool| {
        let mut ids: Vec<_> = all.iter().filter(|order| keep(order)).map(|order| order.id).collect();
        ids.sort();
        ids
    };
    let sorted = |mut ids: Vec<luckydraw_core::domain::OrderId>| {
        ids.sort();
        ids
    };
    assert_eq!(sorted(collect(OrderQuery::default()).await), expect(&|_| true));
    let spring = OrderQuery { activity: Some(activity("spring")), status: None };
    assert_eq!(sorted(collect(spring).await), expect(&|order| order.draw_id.activity().as_str() == "spring"));
    let paid = OrderQuery { activity: Some(activity("spring")), status: Some(OrderStatus::Paid) };
    let paid_spring =
        |order: &Order| order.draw_id.activity().as_str() == "spring" && order.status == OrderStatus::Paid;
    assert_eq!(sorted(collect(paid).await), expect(&paid_spring));
    let bogus = orders.page(&OrderQuery::default(), Some("bm90LWEtY3Vyc29y"), 3).await.unwrap();
    assert!(bogus.orders.is_empty() && bogus.next.is_none());
}

//! The [`PayLinks`] contract, check by check.

use std::sync::Arc;
use std::time::Duration;

use crate::START;
use luckydraw_core::domain::{OrderId, PayLink, Timestamp};
use luckydraw_core::ports::PayLinks;

/// A distinct order per `n`.
fn order(n: u8) -> OrderId {
    OrderId::generate(START, [n; 10])
}

/// A link named `name` that can be paid until `START + secs`.
fn link(name: &str, secs: u64) -> PayLink {
    PayLink { url: format!("https://qr.example/{name}?a=1&b=%20 x+支付"), expires_at: at(secs) }
}

fn at(secs: u64) -> Timestamp {
    START.plus(Duration::from_secs(secs))
}

/// A cached link is found, exactly as put, until (not at) its expiry, and only for its order.
pub async fn a_link_is_cached_until_it_expires(links: Arc<dyn PayLinks>) {
    let first = link("first", 900);
    assert_eq!(links.get(&order(1), START).await.unwrap(), None);
    assert_eq!(links.put_if_absent(&order(1), &first, START).await.unwrap(), first);
    assert_eq!(links.get(&order(1), START).await.unwrap(), Some(first.clone()));
    assert_eq!(links.get(&order(1), at(899)).await.unwrap(), Some(first));
    assert_eq!(links.get(&order(1), at(900)).await.unwrap(), None, "expired at its deadline");
    assert_eq!(links.get(&order(2), START).await.unwrap(), None, "another order has no link");
}

/// While a live link is cached, a second one is not: the first stays and is returned;
/// once it has expired, a new link takes its place.
pub async fn the_first_live_link_stays_until_it_expires(links: Arc<dyn PayLinks>) {
    let (first, second, third) = (link("first", 600), link("second", 900), link("third", 1200));
    links.put_if_absent(&order(1), &first, START).await.unwrap();
    assert_eq!(links.put_if_absent(&order(1), &second, at(10)).await.unwrap(), first);
    assert_eq!(links.get(&order(1), at(10)).await.unwrap(), Some(first.clone()));
    assert_eq!(links.put_if_absent(&order(2), &second, at(10)).await.unwrap(), second, "per order");
    assert_eq!(links.put_if_absent(&order(1), &third, at(600)).await.unwrap(), third, "the first expired");
    assert_eq!(links.get(&order(1), at(601)).await.unwrap(), Some(third));
}

/// Many callers caching different links for one order at once all get the same one back.
pub async fn concurrent_puts_agree_on_one_link(links: Arc<dyn PayLinks>) {
    let tasks: Vec<_> = (0..16)
        .map(|n| {
            let links = links.clone();
            tokio::spawn(async move { links.put_if_absent(&order(1), &link(&format!("racer-{n}"), 900), START).await })
        })
        .collect();
    let mut kept = Vec::new();
    for task in tasks {
        kept.push(task.await.expect("the task ran").expect("the link was cached"));
    }
    let winner = kept[0].clone();
    assert!(kept.iter().all(|link| *link == winner), "{kept:?}");
    assert_eq!(links.get(&order(1), START).await.unwrap(), Some(winner));
}

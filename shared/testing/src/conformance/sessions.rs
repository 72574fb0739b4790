//! The [`Sessions`] and [`RateLimits`] contracts, check by check.

use std::sync::Arc;
use std::time::Duration;

use crate::START;
use crate::conformance::stock::user;
use luckydraw_core::domain::{Session, SessionToken, UserKind, Username};
use luckydraw_core::ports::{RateLimits, Sessions};

/// Stores that keep both sessions and rate-limit counters (every cache adapter does).
pub trait SessionCache {
    /// The sessions.
    fn sessions(&self) -> Arc<dyn Sessions>;
    /// The counters.
    fn rate_limits(&self) -> Arc<dyn RateLimits>;
}

fn session() -> Session {
    Session { user_id: user(1), username: Username::parse("alice").unwrap(), kind: UserKind::Normal, created_at: START }
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A session is found until its expiry, and every touch moves the expiry on.
pub async fn a_session_slides_until_it_expires(cache: Arc<dyn SessionCache>) {
    let sessions = cache.sessions();
    let key = SessionToken::from_random([1; 32]).key();
    sessions.put(&key, &session(), START.plus(secs(100))).await.unwrap();
    let touched = sessions.touch(&key, START.plus(secs(99)), START.plus(secs(199))).await.unwrap();
    assert_eq!(touched, Some(session()));
    let slid = sessions.touch(&key, START.plus(secs(150)), START.plus(secs(250))).await.unwrap();
    assert_eq!(slid, Some(session()), "alive past its first expiry because it was used");
    assert_eq!(
        sessions.touch(&key, START.plus(secs(250)), START.plus(secs(350))).await.unwrap(),
        None,
        "expired at 250"
    );
    assert_eq!(sessions.touch(&key, START.plus(secs(251)), START.plus(secs(351))).await.unwrap(), None);
    let other = SessionToken::from_random([2; 32]).key();
    assert_eq!(sessions.touch(&other, START, START.plus(secs(1))).await.unwrap(), None);
}

/// `delete` ends a session; deleting what is not there is fine.
pub async fn a_deleted_session_is_gone(cache: Arc<dyn SessionCache>) {
    let sessions = cache.sessions();
    let key = SessionToken::from_random([3; 32]).key();
    sessions.put(&key, &session(), START.plus(secs(100))).await.unwrap();
    sessions.delete(&key).await.unwrap();
    sessions.delete(&key).await.unwrap();
    assert_eq!(sessions.touch(&key, START, START.plus(secs(100))).await.unwrap(), None);
}

/// Counters count per key within the window containing `now`, and start again in the next.
pub async fn counters_count_per_key_and_window(cache: Arc<dyn SessionCache>) {
    let limits = cache.rate_limits();
    let window = secs(60);
    // START is a whole minute, so START..START+60s is one window.
    assert_eq!(limits.count("login:alice", window, START).await.unwrap(), 0);
    assert_eq!(limits.hit("login:alice", window, START).await.unwrap(), 1);
    assert_eq!(limits.hit("login:alice", window, START.plus(secs(59))).await.unwrap(), 2);
    assert_eq!(limits.hit("login:bob", window, START.plus(secs(30))).await.unwrap(), 1);
    assert_eq!(limits.count("login:alice", window, START.plus(secs(30))).await.unwrap(), 2);
    assert_eq!(limits.count("login:alice", window, START.plus(secs(60))).await.unwrap(), 0, "a new window");
    assert_eq!(limits.hit("login:alice", window, START.plus(secs(61))).await.unwrap(), 1);
}

/// `clear` forgets the window's count (and clearing nothing is fine).
pub async fn a_cleared_counter_starts_again(cache: Arc<dyn SessionCache>) {
    let limits = cache.rate_limits();
    let window = secs(900);
    for _ in 0..3 {
        limits.hit("login:carol", window, START).await.unwrap();
    }
    limits.hit("login:dave", window, START).await.unwrap();
    limits.clear("login:carol", window, START.plus(secs(10))).await.unwrap();
    limits.clear("login:nobody", window, START).await.unwrap();
    assert_eq!(limits.count("login:carol", window, START.plus(secs(20))).await.unwrap(), 0);
    assert_eq!(limits.hit("login:carol", window, START.plus(secs(30))).await.unwrap(), 1);
    assert_eq!(limits.count("login:dave", window, START).await.unwrap(), 1, "other keys keep their counts");
}

/// Concurrent hits on one key are each counted once: the counts returned are exactly
/// 1..=n, so a limit of k admits exactly k of them, however they race.
pub async fn concurrent_hits_are_each_counted_once(cache: Arc<dyn SessionCache>) {
    let limits = cache.rate_limits();
    let window = secs(10);
    let hits: Vec<_> = (0..200)
        .map(|_| {
            let limits = limits.clone();
            tokio::spawn(async move { limits.hit("draw-user:burst", window, START).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for hit in hits {
        counts.push(hit.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=200).collect::<Vec<u64>>());
    assert_eq!(limits.count("draw-user:burst", window, START).await.unwrap(), 200);
}

/// Any sessions store with any counters store.
pub struct SessionPair(pub Arc<dyn Sessions>, pub Arc<dyn RateLimits>);

impl SessionCache for SessionPair {
    fn sessions(&self) -> Arc<dyn Sessions> {
        self.0.clone()
    }

    fn rate_limits(&self) -> Arc<dyn RateLimits> {
        self.1.clone()
    }
}

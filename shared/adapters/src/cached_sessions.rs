//! A short-lived per-process cache of verified sessions in front of a shared session store,
//! so that a player's burst of requests costs one store round trip per interval instead of
//! one per request (`LUCKYDRAW_SESSION_CACHE_MS`, see `docs/security.md`).
//!
//! What it trades: a session ended elsewhere (a logout served by another process) is still
//! honoured here for at most the interval; a logout in this process evicts at once. What it
//! keeps: a session past its expiry is never served (each entry carries the expiry its last
//! verification wrote), and the sliding idle expiry still slides, once per interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use luckydraw_core::domain::{Session, SessionKey, Timestamp};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::Sessions;

/// Entries a cache holds before it drops the stale ones (and, if none are, all of them):
/// about 15 MB at most, for the players active within one interval.
pub const CAPACITY: usize = 50_000;

/// [`Sessions`] with a per-process cache of `touch`: a session verified at `t` is served
/// from memory until `t + ttl` or its expiry, whichever comes first.
pub struct CachedSessions {
    inner: Arc<dyn Sessions>,
    ttl: Duration,
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    entries: HashMap<SessionKey, Verified>,
    /// Counts deletions, so a verification that raced a logout is not cached.
    deletions: u64,
}

/// A session as the store last confirmed it.
struct Verified {
    session: Session,
    verified_at: Timestamp,
    expires_at: Timestamp,
}

impl CachedSessions {
    /// Caches `inner`'s sessions for `ttl` (the revocation delay across processes).
    pub fn new(inner: Arc<dyn Sessions>, ttl: Duration) -> Self {
        Self { inner, ttl, state: Mutex::default() }
    }

    fn state(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached session for `key` if it was verified less than `ttl` before `now` and has
    /// not expired at `now`.
    fn fresh(&self, key: &SessionKey, now: Timestamp) -> Option<Session> {
        let state = self.state();
        let entry = state.entries.get(key)?;
        let fresh = entry.verified_at <= now && now.since(entry.verified_at) < self.ttl && now < entry.expires_at;
        fresh.then(|| entry.session.clone())
    }

    /// Remembers `entry` unless a deletion happened since `deletions` was read.
    fn remember(&self, key: &SessionKey, entry: Verified, deletions: u64) {
        let mut state = self.state();
        if state.deletions != deletions {
            return;
        }
        if state.entries.len() >= CAPACITY && !state.entries.contains_key(key) {
            let (now, ttl) = (entry.verified_at, self.ttl);
            state.entries.retain(|_, kept| kept.verified_at <= now && now.since(kept.verified_at) < ttl);
            if state.entries.len() >= CAPACITY {
                state.entries.clear();
            }
        }
        state.entries.insert(key.clone(), entry);
    }

    fn forget(&self, key: &SessionKey) {
        let mut state = self.state();
        state.entries.remove(key);
        state.deletions += 1;
    }
}

#[async_trait]
impl Sessions for CachedSessions {
    /// Stores through; the session is cached once a request has verified it (so a session
    /// opened here and ended elsewhere before its first use is never served from memory).
    async fn put(&self, key: &SessionKey, session: &Session, expires_at: Timestamp) -> Result<(), StoreError> {
        self.inner.put(key, session, expires_at).await
    }

    async fn touch(
        &self,
        key: &SessionKey,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        if let Some(session) = self.fresh(key, now) {
            return Ok(Some(session));
        }
        let deletions = self.state().deletions;
        let touched = self.inner.touch(key, now, expires_at).await?;
        match &touched {
            Some(session) => {
                self.remember(key, Verified { session: session.clone(), verified_at: now, expires_at }, deletions)
            }
            None => {
                self.state().entries.remove(key);
            }
        }
        Ok(touched)
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.forget(key);
        let deleted = self.inner.delete(key).await;
        // A verification that started before the store forgot the session may have landed.
        self.forget(key);
        deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemorySessions;
    use luckydraw_core::domain::{SessionToken, UserId, UserKind, Username};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const TTL: Duration = Duration::from_millis(1_500);
    const IDLE: Duration = Duration::from_secs(60);
    const T0: Timestamp = Timestamp::from_millis(1_000_000);

    /// The store behind the cache, counting the touches that reach it.
    #[derive(Default)]
    struct Counted {
        inner: MemorySessions,
        touches: AtomicUsize,
    }

    #[async_trait]
    impl Sessions for Counted {
        async fn put(&self, key: &SessionKey, session: &Session, expires_at: Timestamp) -> Result<(), StoreError> {
            self.inner.put(key, session, expires_at).await
        }
        async fn touch(&self, key: &SessionKey, now: Timestamp, to: Timestamp) -> Result<Option<Session>, StoreError> {
            self.touches.fetch_add(1, Ordering::SeqCst);
            self.inner.touch(key, now, to).await
        }
        async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
            self.inner.delete(key).await
        }
    }

    /// A cache with `ttl` over a counted store, holding one session stored at `T0` until `expires_at`.
    struct Fixture {
        store: Arc<Counted>,
        cached: CachedSessions,
        key: SessionKey,
        session: Session,
    }

    impl Fixture {
        async fn new(ttl: Duration, expires_at: Timestamp) -> Self {
            let store = Arc::new(Counted::default());
            let cached = CachedSessions::new(store.clone(), ttl);
            let session = Session {
                user_id: UserId::generate(T0, [3; 10]),
                username: Username::parse("ada").unwrap(),
                kind: UserKind::Normal,
                created_at: T0,
            };
            let key = SessionToken::from_random([7; 32]).key();
            cached.put(&key, &session, expires_at).await.unwrap();
            Self { store, cached, key, session }
        }

        /// A request at `now`, sliding the expiry to `now + IDLE`.
        async fn touch(&self, now: Timestamp) -> Option<Session> {
            self.cached.touch(&self.key, now, now.plus(IDLE)).await.unwrap()
        }

        /// Touches that reached the store.
        fn touches(&self) -> usize {
            self.store.touches.load(Ordering::SeqCst)
        }
    }

    fn at(millis: u64) -> Timestamp {
        T0.plus(Duration::from_millis(millis))
    }

    #[tokio::test]
    async fn a_logout_elsewhere_shows_exactly_one_interval_after_the_last_verification() {
        let f = Fixture::new(TTL, T0.plus(IDLE)).await;
        assert_eq!(f.touch(at(0)).await, Some(f.session.clone()));
        assert_eq!(f.touches(), 1, "the first request asks the store");
        f.store.delete(&f.key).await.unwrap(); // another process logs the player out
        assert_eq!(f.touch(at(1_499)).await, Some(f.session.clone()), "within the interval: still served");
        assert_eq!(f.touches(), 1, "from memory");
        assert_eq!(f.touch(at(1_500)).await, None, "one interval after the verification: asked again, gone");
        assert_eq!(f.touch(at(1_501)).await, None, "and no longer cached");
        assert_eq!(f.touches(), 3);
    }

    #[tokio::test]
    async fn a_session_is_cached_only_once_a_request_verified_it() {
        let f = Fixture::new(TTL, T0.plus(IDLE)).await;
        f.store.delete(&f.key).await.unwrap();
        assert_eq!(f.touch(at(0)).await, None, "stored here, ended elsewhere before its first use");
    }

    #[tokio::test]
    async fn a_logout_in_this_process_evicts_at_once() {
        let f = Fixture::new(TTL, T0.plus(IDLE)).await;
        assert!(f.touch(at(10)).await.is_some());
        f.cached.delete(&f.key).await.unwrap();
        assert_eq!(f.touch(at(11)).await, None);
        assert_eq!(f.touches(), 2, "the store was asked, not the cache");
    }

    #[tokio::test]
    async fn the_store_is_touched_once_per_interval_and_the_expiry_still_slides() {
        let f = Fixture::new(TTL, T0.plus(IDLE)).await;
        for millis in (0..6_000).step_by(100) {
            assert!(f.touch(at(millis)).await.is_some());
        }
        assert_eq!(f.touches(), 4, "at 0, 1.5 s, 3.0 s and 4.5 s; every other request from memory");
        let last_slide = at(4_500).plus(IDLE);
        assert!(f.touch(last_slide.minus(Duration::from_millis(1))).await.is_some(), "alive past T0 + IDLE");
        assert_eq!(f.touches(), 5);
    }

    #[tokio::test]
    async fn an_expired_session_is_never_served_from_the_cache() {
        let expires_at = at(200);
        let f = Fixture::new(Duration::from_secs(3_600), expires_at).await;
        let keep_expiry = |now| f.cached.touch(&f.key, now, expires_at);
        assert!(keep_expiry(at(100)).await.unwrap().is_some());
        assert!(keep_expiry(at(199)).await.unwrap().is_some(), "fresh, from memory");
        assert_eq!(f.touches(), 1);
        assert_eq!(f.touch(expires_at).await, None, "at its expiry the store is asked, and it has lapsed");
        assert_eq!(f.touches(), 2);
    }

    #[tokio::test]
    async fn a_clock_that_went_back_is_not_trusted() {
        let f = Fixture::new(TTL, T0.plus(IDLE)).await;
        assert!(f.touch(T0).await.is_some());
        assert!(f.touch(T0.minus(Duration::from_millis(1))).await.is_some());
        assert_eq!(f.touches(), 2, "before its verification: the store was asked");
    }

    #[tokio::test]
    async fn past_capacity_stale_entries_make_room() {
        let f = Fixture::new(TTL, T0.plus(IDLE)).await;
        assert!(f.touch(T0).await.is_some());
        let later = Session { created_at: at(2_000), ..f.session.clone() };
        let keys: Vec<SessionKey> = (0..CAPACITY as u64)
            .map(|n| {
                let mut bytes = [1; 32];
                bytes[..8].copy_from_slice(&n.to_le_bytes());
                SessionToken::from_random(bytes).key()
            })
            .collect();
        for key in &keys {
            f.store.put(key, &later, at(2_000).plus(IDLE)).await.unwrap();
        }
        for key in &keys[..CAPACITY - 1] {
            assert!(f.cached.touch(key, at(2_000), at(2_000).plus(IDLE)).await.unwrap().is_some());
        }
        assert!(f.cached.state().entries.contains_key(&f.key), "full, nothing dropped yet");
        assert!(f.cached.touch(&keys[CAPACITY - 1], at(2_000), at(2_000).plus(IDLE)).await.unwrap().is_some());
        let state = f.cached.state();
        assert!(!state.entries.contains_key(&f.key), "the stale entry went");
        assert_eq!(state.entries.len(), CAPACITY);
    }
}

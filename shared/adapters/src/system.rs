//! Time and randomness: the real ones, and exact stand-ins for tests and benchmarks.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::rngs::{StdRng, SysRng};
use rand::{Rng, SeedableRng};

use luckydraw_core::domain::Timestamp;
use luckydraw_core::ports::{Clock, Random};

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn at(at: Timestamp) -> Self {
        Self(AtomicI64::new(at.as_millis()))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(millis, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, at: Timestamp) {
        self.0.store(at.as_millis(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(Ordering::SeqCst))
    }
}

/// ChaCha12, a CSPRNG: seeded from the OS in production (fit for tokens and salts), or
/// from a fixed seed for exact, repeatable tests and benchmarks.
#[derive(Debug)]
pub struct ChaChaRandom(Mutex<StdRng>);

impl ChaChaRandom {
    /// Seeds from the OS; fails only if the OS has no randomness to give.
    pub fn from_os() -> Result<Self, rand::rngs::SysError> {
        Ok(Self(Mutex::new(StdRng::try_from_rng(&mut SysRng)?)))
    }

    /// The same bytes every run for the same seed.
    pub fn seeded(seed: u64) -> Self {
        Self(Mutex::new(StdRng::seed_from_u64(seed)))
    }
}

impl Random for ChaChaRandom {
    fn fill(&self, bytes: &mut [u8]) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).fill_bytes(bytes);
    }
}

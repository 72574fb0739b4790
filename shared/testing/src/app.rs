//! The in-memory test app: a manual clock at [`START`], seeded randomness, cheap password
//! hashing, and helpers to add activities and players and to drain the queue.

use std::sync::Arc;

use luckydraw_adapters::memory::{self, MemoryBackends};
use luckydraw_adapters::system::{ChaChaRandom, ManualClock};
use luckydraw_core::App;
use luckydraw_core::domain::{
    Activity, ActivitySpec, PasswordHash, Session, SessionToken, Timestamp, User, UserId, UserKind, UserStatus,
    Username,
};
use luckydraw_core::messages::OrderMessage;
use luckydraw_core::settings::{Argon2Settings, Settings};
use luckydraw_core::usecases::order_events;

use crate::faults::{InFlightLimit, MOTO_IN_FLIGHT};
use crate::services;

/// 2026-11-21T08:00:00Z, when every test app's clock starts.
pub const START: Timestamp = Timestamp::from_millis(1_795_248_000_000);

/// An in-memory app with handles on its backends and its clock.
pub struct TestApp {
    /// The app, as handlers receive it.
    pub app: App,
    /// The memory backends behind it.
    pub memory: MemoryBackends,
    /// Its clock.
    pub clock: Arc<ManualClock>,
}

/// A test player: the account, its bearer token and its session.
pub struct Player {
    /// The account.
    pub user: User,
    /// The session's bearer token.
    pub token: SessionToken,
    /// The session.
    pub session: Session,
}

/// Settings for tests: argon2id at its cheapest, cookies without `Secure`, and the
/// per-request rate limits off (storms come from one address and a few players), as
/// `LUCKYDRAW_RATE_LIMITS=off` sets them; [`limited_test_settings`] keeps them on.
pub fn test_settings() -> Settings {
    let mut settings = limited_test_settings();
    settings.limits.enabled = false;
    settings
}

/// [`test_settings`] with every rate limit at its default.
pub fn limited_test_settings() -> Settings {
    Settings {
        argon2: Argon2Settings { memory_kib: 64, iterations: 1, parallelism: 1 },
        secure_cookies: false,
        ..Settings::default()
    }
}

/// A fresh app at [`START`] with randomness seeded by `seed`.
pub fn test_app(seed: u64) -> TestApp {
    let clock = Arc::new(ManualClock::at(START));
    let (app, memory) = memory::in_memory(test_settings(), clock.clone(), Arc::new(ChaChaRandom::seeded(seed)));
    TestApp { app, memory, clock }
}

/// Which stock store a test app draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestStock {
    /// In memory.
    Memory,
    /// The test Redis, under a key prefix of this test's own.
    Redis,
    /// A fresh table on the test moto server, each prize split over this many shards.
    DynamoDb {
        /// K.
        shards: u16,
    },
}

/// A fresh app like [`test_app`] whose stock store is `stock` (with its lines of tickets where
/// that store has them; the other ports stay in memory).
pub async fn test_app_with_stock(seed: u64, stock: TestStock) -> TestApp {
    let mut t = test_app(seed);
    match stock {
        TestStock::Memory => {}
        TestStock::Redis => {
            let (connection, keys) = services::redis().await;
            t.app.tickets = Arc::new(luckydraw_adapters::redis::RedisTickets::new(connection.clone(), keys.clone()));
            t.app.stock = Arc::new(luckydraw_adapters::redis::RedisStock::new(connection, keys));
        }
        TestStock::DynamoDb { shards } => {
            let plan = luckydraw_adapters::dynamodb::ShardPlan::uniform(shards);
            let stock = luckydraw_adapters::dynamodb::DynamoStock::new(services::dynamo_table().await, plan);
            t.app.stock = Arc::new(InFlightLimit::new(stock, MOTO_IN_FLIGHT));
        }
    }
    t
}

impl TestApp {
    /// Stores an activity and loads its full stock.
    pub async fn add_activity(&self, spec: ActivitySpec) -> Activity {
        let activity = Activity::new(spec).expect("test activity is valid");
        self.app.activities.put(&activity).await.expect("the test store works");
        let counts = activity.prizes.iter().map(|prize| (prize.id.clone(), prize.initial)).collect();
        self.app.stock.load(&activity.id, &counts).await.expect("the test store works");
        activity
    }

    /// A player of `kind` with an open session (no password: it cannot log in).
    pub async fn player(&self, name: &str, kind: UserKind) -> Player {
        let token = SessionToken::from_random(self.app.random.bytes());
        self.player_with_token(name, kind, token).await
    }

    /// A player whose session is `token` (for events that carry a fixed token).
    pub async fn player_with_token(&self, name: &str, kind: UserKind, token: SessionToken) -> Player {
        let now = self.app.clock.now();
        let user = User {
            id: UserId::generate(now, self.app.random.bytes()),
            username: Username::parse(name).expect("test usernames are valid"),
            password_hash: PasswordHash::from_phc("!".into()),
            kind,
            status: UserStatus::Active,
            created_at: now,
            tags: Default::default(),
        };
        assert!(self.app.users.insert(&user).await.expect("the test store works"), "{name} exists");
        let session = Session { user_id: user.id, username: user.username.clone(), kind, created_at: now };
        let expires_at = now.plus(self.app.settings.session_idle);
        self.app.sessions.put(&token.key(), &session, expires_at).await.expect("the test store works");
        Player { user, token, session }
    }

    /// Applies every queued message (and what they queue in turn); returns how many.
    pub async fn drain_queue(&self) -> usize {
        let mut applied = 0;
        loop {
            let batch = self.memory.queue.receive(10);
            if batch.is_empty() {
                return applied;
            }
            self.memory.queue.acknowledge(batch.len());
            for envelope in batch {
                let message = OrderMessage::from_json(&envelope.body).expect("queued messages parse");
                order_events::apply(&self.app, message).await.expect("queued messages apply");
                applied += 1;
            }
        }
    }
}

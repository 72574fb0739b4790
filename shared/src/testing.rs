//! Test helpers: an in-memory app on a manual clock with seeded randomness and cheap
//! password hashing, activities, players with sessions, and API Gateway-shaped requests;
//! the conformance suite of every port (`conformance`) and the real servers adapter tests
//! run against (`services`).

pub mod conformance;
pub mod services;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};

use crate::App;
use crate::adapters::system::{ChaChaRandom, ManualClock};
use crate::app::MemoryBackends;
use crate::config::{Argon2Settings, Settings};
use crate::domain::{
    Activity, ActivityId, ActivitySpec, ActivityStatus, DrawLimit, DrawMode, Money, OrderId, OrderStatus, PasswordHash,
    Prize, PrizeId, Session, SessionToken, Timestamp, User, UserId, UserKind, UserStatus, Username,
};
use crate::error::StoreError;
use crate::messages::OrderMessage;
use crate::payment::{Merchant, Params, PrivateKey, TradeReport, sign_notification};
use crate::ports::Queue;
use crate::usecases::order_events;

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

/// Settings for tests: argon2id at its cheapest, cookies without `Secure`.
pub fn test_settings() -> Settings {
    Settings {
        argon2: Argon2Settings { memory_kib: 64, iterations: 1, parallelism: 1 },
        secure_cookies: false,
        ..Settings::default()
    }
}

/// A fresh app at [`START`] with randomness seeded by `seed`.
pub fn test_app(seed: u64) -> TestApp {
    let clock = Arc::new(ManualClock::at(START));
    let (app, memory) = App::in_memory(test_settings(), clock.clone(), Arc::new(ChaChaRandom::seeded(seed)));
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

/// A fresh app like [`test_app`] whose stock store is `stock` (the other ports stay in memory).
pub async fn test_app_with_stock(seed: u64, stock: TestStock) -> TestApp {
    let mut t = test_app(seed);
    match stock {
        TestStock::Memory => {}
        TestStock::Redis => {
            let (connection, keys) = services::redis().await;
            t.app.stock = Arc::new(crate::adapters::redis::RedisStock::new(connection, keys));
        }
        TestStock::DynamoDb { shards } => {
            let plan = crate::config::backends::ShardPlan::uniform(shards);
            let stock = crate::adapters::dynamodb::DynamoStock::new(services::dynamo_table().await, plan);
            t.app.stock = Arc::new(services::InFlightLimit::new(stock, services::MOTO_IN_FLIGHT));
        }
    }
    t
}

/// One prize: `(id, stock, weight, price in fen)`; a price of zero with id `thanks` is the consolation.
pub fn prizes(list: &[(&str, u64, u32, u64)]) -> Vec<Prize> {
    list.iter()
        .enumerate()
        .map(|(index, &(id, initial, weight, price))| Prize {
            id: PrizeId::parse(id).expect("test prize ids are valid"),
            name: id.to_owned(),
            description: String::new(),
            picture: format!("/prizes/{id}.svg"),
            price_fen: Money::from_fen(price),
            initial,
            weight,
            wheel_index: u16::try_from(index).expect("few prizes"),
            consolation: id == "thanks",
        })
        .collect()
}

/// An online activity open for a day from [`START`], 15-minute pay window, no draw limit.
pub fn activity_spec(id: &str, mode: DrawMode, prizes: Vec<Prize>) -> ActivitySpec {
    ActivitySpec {
        id: ActivityId::parse(id).expect("test activity ids are valid"),
        name: id.to_owned(),
        description: String::new(),
        starts_at: START,
        ends_at: START.plus(std::time::Duration::from_secs(86_400)),
        status: ActivityStatus::Online,
        draw_mode: mode,
        per_user_limit: DrawLimit::UNLIMITED,
        vip_per_user_limit: None,
        pay_window_secs: 900,
        prizes,
    }
}

/// The app id of test merchants (as in `events/pay-callback/notify.json`).
pub const TEST_APP_ID: &str = "2021000000000000";

/// The seller id of test merchants (as in `events/pay-callback/notify.json`).
pub const TEST_SELLER_ID: &str = "2088102177649450";

/// "Alipay's" private key in tests, generated once per test process.
pub fn alipay_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate().expect("the system has randomness"))
}

/// A merchant with the test ids, trusting `alipay_public_key` (PEM or base64).
pub fn test_merchant(alipay_public_key: &str) -> Merchant {
    Merchant {
        app_id: TEST_APP_ID.to_owned(),
        seller_id: Some(TEST_SELLER_ID.to_owned()),
        alipay_key: crate::payment::PublicKey::parse(alipay_public_key).expect("a valid test public key"),
    }
}

/// What Alipay posts about `order` (before signing), from the test merchant's ids.
pub fn notification_params(order: &OrderId, trade_no: &str, total_amount: &str, trade_status: &str) -> Params {
    let out_trade_no = order.to_string();
    let report = TradeReport {
        app_id: TEST_APP_ID,
        seller_id: TEST_SELLER_ID,
        out_trade_no: &out_trade_no,
        trade_no,
        total_amount,
        trade_status,
        subject: "luckydraw: Cup",
        at: START,
    };
    report.params()
}

/// `params` signed with [`alipay_key`] and form-encoded: a body Alipay could have sent.
pub fn signed_notification(params: Params) -> String {
    sign_notification(params, alipay_key()).encode()
}

impl TestApp {
    /// This app verifying notifications as the test merchant that trusts [`alipay_key`].
    pub fn with_alipay(mut self) -> Self {
        let public_key = alipay_key().public_key().expect("a generated key has a public key").to_pem();
        self.app.alipay = Some(Arc::new(test_merchant(&public_key)));
        self
    }

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
            for envelope in batch {
                let message = OrderMessage::from_json(&envelope.body).expect("queued messages parse");
                order_events::apply(&self.app, message).await.expect("queued messages apply");
                applied += 1;
            }
        }
    }
}

/// A queue that can be taken down: while down, `send` fails as an unreachable queue would
/// and nothing reaches `inner`. Wraps any backend, so flows can test an outage on all.
pub struct SwitchableQueue {
    inner: Arc<dyn Queue>,
    down: AtomicBool,
}

impl SwitchableQueue {
    /// `inner`, up.
    pub fn new(inner: Arc<dyn Queue>) -> Self {
        Self { inner, down: AtomicBool::new(false) }
    }

    /// Takes the queue down (`true`) or brings it back.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl Queue for SwitchableQueue {
    async fn send(&self, message: &OrderMessage) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::new("the order queue is down (test switch)"));
        }
        self.inner.send(message).await
    }
}

/// Where every non-consolation unit of an activity is: invariant 2 says
/// `initial == remaining + reserved + sold` once the queue is quiet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Units loaded.
    pub initial: u64,
    /// Units left to draw.
    pub remaining: u64,
    /// Units won and held: not released, not yet paid (order queued or pending payment).
    pub reserved: u64,
    /// Units won for good: paid or fulfilled.
    pub sold: u64,
}

/// The ledger of `activity`'s real prizes, from the draw log, the stock and the orders.
pub async fn ledger(app: &App, activity: &Activity) -> Ledger {
    let remaining = app.stock.remaining(&activity.id).await.expect("stock readable").unwrap_or_default();
    let mut ledger = Ledger::default();
    for prize in activity.prizes.iter().filter(|prize| !prize.consolation) {
        ledger.initial += prize.initial;
        ledger.remaining += remaining.get(&prize.id).copied().unwrap_or(0);
    }
    for draw in app.stock.draws(&activity.id).await.expect("draw log readable") {
        if !draw.holds_unit() {
            continue;
        }
        let order = app.orders.get(&draw.id.order_id()).await.expect("orders readable");
        match order.map(|order| order.status) {
            Some(OrderStatus::Paid | OrderStatus::Fulfilled) => ledger.sold += 1,
            _ => ledger.reserved += 1,
        }
    }
    ledger
}

/// An API Gateway HTTP API (v2) request on `route_key` (e.g. `POST /login`) for `path`,
/// with path parameters, an optional JSON body and an optional bearer token.
pub fn request(
    route_key: &str,
    path: &str,
    params: &[(&str, &str)],
    body: Option<&str>,
    token: Option<&SessionToken>,
) -> Request {
    let (method, _) = route_key.split_once(' ').expect("route keys are `METHOD /path`");
    let mut builder = lambda_http::http::Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {}", token.expose()));
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let body = body.map_or(Body::Empty, |text| Body::Text(text.to_owned()));
    let params: HashMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(route_key.to_owned());
    builder
        .body(body)
        .expect("test requests are valid")
        .with_path_parameters(params)
        .with_request_context(RequestContext::ApiGatewayV2(context))
}

/// The text of `events/<name>.json`, the file `sam local invoke -e` uses.
pub fn event_text(name: &str) -> String {
    event_file(&format!("{name}.json"))
}

/// The text of `events/<file>` (fixtures that are not events, such as the fixture's public key).
pub fn event_file(file: &str) -> String {
    let path = format!("{}/../events/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

/// The API Gateway request in `events/<name>.json`.
pub fn fixture(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(name))
        .unwrap_or_else(|error| panic!("events/{name}.json is not an API Gateway event: {error}"))
}

/// The bearer token the HTTP events in `events/` carry.
pub fn fixture_token() -> SessionToken {
    SessionToken::parse(FIXTURE_TOKEN).expect("the fixture token is well formed")
}

/// See [`fixture_token`].
pub const FIXTURE_TOKEN: &str = "ZXZlbnRzLWZpeHR1cmUtc2Vzc2lvbi10b2tlbi0wMDE";

/// The status and JSON body of a handler's response.
pub fn json_of(response: lambda_http::Response<Body>) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Empty => serde_json::Value::Null,
        body => serde_json::from_slice(body.as_ref())
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body.as_ref()).into_owned())),
    };
    (status, body)
}

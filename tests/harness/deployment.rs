//! A deployment on the test's own machine, shaped like the stack `template.yaml` creates:
//! records, stock and sessions in a DynamoDB table and orders on an SQS queue (moto, under
//! names of this test's own), the sandbox Alipay, and the environment each function gets.
//! Built bootstraps run against it through the runtime API of [`super::runtime_api`].

use std::sync::Arc;
use std::time::Duration;

use luckydraw_adapters::system::{ChaChaRandom, SystemClock};
use luckydraw_core::domain::{DrawId, Money, OrderId, PrizeId, Timestamp, UserId};
use luckydraw_core::lottery::{DrawTicket, WheelSlot};
use luckydraw_core::messages::{OrderMessage, OrderRequested};
use luckydraw_core::usecases::order_events;
use luckydraw_lambda::config::backends::{
    Backends, QueueBackend, RecordBackend, RedisTarget, SessionBackend, StockBackend,
};
use luckydraw_local::backends::connect;
use luckydraw_local::seed::{EVENT_PLAYER, seed_event_player};
use luckydraw_local::{Running, start};
use luckydraw_testing::{TEST_APP_ID, TEST_SELLER_ID, event_file, services, test_settings};

/// The order (and draw, `demo.` + it) the events in `events/` are about: Tea, ¥90.00.
pub const EVENT_ORDER: &str = "01a20048628e7a0b8eea09489eda7b1b";

/// The stack's data on moto, the runner beside it (the sandbox Alipay, the demo seed and
/// an in-process consumer for draining), and the event player's session.
pub struct Deployment {
    /// The local runner on the same table and queue (system clock, like the functions).
    pub running: Running,
    backends: Backends,
}

/// The path of a function's debug bootstrap, built by this package (`bootstrap-<name>`).
#[macro_export]
macro_rules! bootstrap {
    ($name:literal) => {
        std::path::Path::new(env!(concat!("CARGO_BIN_EXE_bootstrap-", $name)))
    };
}

impl Deployment {
    /// Creates the table and queue, seeds the demo and the event player, starts the sandbox.
    pub async fn start() -> Deployment {
        let backends = Backends {
            store: RecordBackend::DynamoDb,
            stock: StockBackend::DynamoDb,
            queue: QueueBackend::Sqs,
            sessions: SessionBackend::DynamoDb,
            table_name: Some(services::unique("luckydraw")),
            order_queue_url: Some(format!("{}/123456789012/{}", services::moto_url(), services::unique("orders"))),
            ..Backends::default()
        };
        Self::start_on(backends, 1).await
    }

    /// Like [`Deployment::start`] on `backends` (records and the queue on moto; stock and
    /// sessions where they say), the demo seeded at `scale`.
    pub async fn start_on(backends: Backends, scale: u64) -> Deployment {
        let aws = services::aws_config().await;
        let random = Arc::new(ChaChaRandom::from_os().expect("the system has randomness"));
        let connected = connect(test_settings(), &backends, Some(&aws), Arc::new(SystemClock), random)
            .await
            .expect("the runner connects to moto, creating the table and queue");
        let options = super::options(scale, connected.sqs);
        let running = start(options, connected.app, connected.memory).await.expect("the runner starts");
        seed_event_player(&running.app).await.expect("the event player is seeded");
        Deployment { running, backends }
    }

    /// The environment `function` gets, as the template sets it (with moto's endpoint and
    /// test credentials where AWS would give the function its own).
    pub fn env(&self, function: &str) -> Vec<(String, String)> {
        let backends = &self.backends;
        let on_redis = |redis: bool| if redis { "redis" } else { "dynamodb" };
        let mut env: Vec<(String, String)> = [
            ("LUCKYDRAW_STORE", "dynamodb"),
            ("LUCKYDRAW_STOCK", on_redis(backends.stock == StockBackend::Redis)),
            ("LUCKYDRAW_QUEUE", "sqs"),
            ("LUCKYDRAW_SESSIONS", on_redis(backends.sessions == SessionBackend::Redis)),
            ("LUCKYDRAW_STOCK_SHARDS", "4"),
            ("LUCKYDRAW_PAGE_ORIGIN", "*"),
            ("TABLE_NAME", backends.table_name.as_deref().expect("a table")),
            ("ORDER_QUEUE_URL", backends.order_queue_url.as_deref().expect("a queue")),
            ("AWS_ENDPOINT_URL", services::moto_url()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
        if let Some(url) = backends.redis.as_ref().and_then(RedisTarget::expose_url) {
            env.push(("REDIS_URL".to_owned(), url.to_owned()));
            env.push(("LUCKYDRAW_REDIS_PREFIX".to_owned(), backends.redis_prefix.clone()));
        }
        match function {
            // They call the gateway (pay links, refunds): the sandbox's, without PUBLIC_BASE_URL,
            // as the template deploys by default (notify_url from the request's domain).
            "api" | "order-consumer" => env.extend(
                self.running
                    .sandbox_env
                    .iter()
                    .filter(|(key, _)| *key != "PUBLIC_BASE_URL")
                    .map(|(key, value)| ((*key).to_owned(), value.clone())),
            ),
            // It verifies what "Alipay" signed: the key behind `events/pay-callback/notify.json`.
            "pay-callback" => env.extend([
                ("ALIPAY_APP_ID".to_owned(), TEST_APP_ID.to_owned()),
                ("ALIPAY_SELLER_ID".to_owned(), TEST_SELLER_ID.to_owned()),
                ("ALIPAY_PUBLIC_KEY".to_owned(), event_file("pay-callback/alipay-public-key.pem")),
            ]),
            _ => {}
        }
        env
    }

    /// Records the events' draw (a Tea for the event player) and creates its order,
    /// payable until `pay_window` from now (zero: overdue at once).
    pub async fn add_event_order(&self, pay_window: Duration) {
        let app = &self.running.app;
        let now = app.clock.now();
        let order_id: OrderId = EVENT_ORDER.parse().expect("the event order id");
        let draw_id = DrawId::parse(&format!("demo.{EVENT_ORDER}")).expect("the event draw id");
        let user_id = UserId::parse(EVENT_PLAYER.id).expect("the event player id");
        let tea = PrizeId::parse("tea").expect("a prize id");
        let activity = app.activities.get(draw_id.activity()).await.unwrap().expect("the demo activity");
        let ticket = DrawTicket {
            draw_id: draw_id.clone(),
            user_id,
            mode: activity.draw_mode,
            limit: activity.limit_for(luckydraw_core::domain::UserKind::Normal),
            max_unpaid: activity.max_unpaid_per_user,
            prizes: vec![WheelSlot { prize_id: tea.clone(), weight: 1, consolation: false, priced: true }],
            roll: 0,
            at: now,
        };
        app.stock.draw(&ticket).await.expect("the stock store records the event draw");
        let requested = OrderRequested {
            draw_id,
            user_id,
            prize_id: tea,
            prize_name: "Tea".into(),
            amount_fen: Money::from_fen(9000),
            won_at: now,
            pay_deadline: now.plus(pay_window),
        };
        order_events::apply(app, OrderMessage::OrderRequested(requested)).await.expect("the order is created");
        assert_eq!(order_id, self.event_order().await.expect("the event order exists").0);
    }

    /// Records the events' draw (a Tea for the event player) `age` ago in the stock store
    /// only, as a draw whose request died before its message was sent.
    pub async fn add_unsent_event_draw(&self, age: Duration) {
        let app = &self.running.app;
        let draw_id = DrawId::parse(&format!("demo.{EVENT_ORDER}")).expect("the event draw id");
        let activity = app.activities.get(draw_id.activity()).await.unwrap().expect("the demo activity");
        let ticket = DrawTicket {
            draw_id,
            user_id: UserId::parse(EVENT_PLAYER.id).expect("the event player id"),
            mode: activity.draw_mode,
            limit: activity.limit_for(luckydraw_core::domain::UserKind::Normal),
            max_unpaid: activity.max_unpaid_per_user,
            prizes: vec![WheelSlot {
                prize_id: PrizeId::parse("tea").unwrap(),
                weight: 1,
                consolation: false,
                priced: true,
            }],
            roll: 0,
            at: app.clock.now().minus(age),
        };
        app.stock.draw(&ticket).await.expect("the stock store records the event draw");
    }

    /// The event order's id and status, if it exists.
    pub async fn event_order(&self) -> Option<(OrderId, String)> {
        let order = self.running.app.orders.get(&EVENT_ORDER.parse().unwrap()).await.expect("the table answers");
        order.map(|order| (order.id, order.status.as_str().to_owned()))
    }

    /// Units of `prize` left in the demo.
    pub async fn remaining(&self, prize: &str) -> u64 {
        let counts = self.running.app.stock.remaining(&"demo".parse().unwrap()).await.unwrap().expect("demo stock");
        counts.get(&PrizeId::parse(prize).unwrap()).copied().unwrap_or(0)
    }

    /// Delivers what is on the queue to the runner's consumer (the event source mapping's job).
    pub async fn drain(&self) -> usize {
        self.running.drain_queue().await
    }

    /// Now, as the functions see it.
    pub fn now(&self) -> Timestamp {
        self.running.app.clock.now()
    }
}

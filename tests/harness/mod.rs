//! Test harness: the real local runner on a free port, on fresh in-memory backends or on
//! a table, queue and key prefix of its own on the real ones (the test Redis and moto),
//! and one helper per endpoint, so tests read like a player's session.

pub mod capacity;
pub mod deployment;
pub mod lambda_events;
pub mod private_redis;
pub mod request_log;
pub mod runtime_api;

use std::sync::Arc;

use luckydraw_adapters::memory::{self, MemoryBackends};
use luckydraw_adapters::system::{ChaChaRandom, ManualClock};
use luckydraw_core::App;
use luckydraw_lambda::config::backends::{
    Backends, QueueBackend, RecordBackend, RedisTarget, SessionBackend, StockBackend,
};
use luckydraw_local::backends::connect;
use luckydraw_local::sqs_poller::SqsSource;
use luckydraw_local::{Options, Running, default_web_dir, start};
use luckydraw_testing::{START, SwitchableQueue, services, test_settings};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running system and an HTTP client for it.
pub struct TestServer {
    /// The runner (its app, memory backends and address).
    pub running: Running,
    /// The clock every function sees.
    pub clock: Arc<ManualClock>,
    /// The order queue every function sends to, whichever backend is behind it.
    queue: Arc<SwitchableQueue>,
    client: reqwest::Client,
}

/// Options for a test runner: a free port, the demo at `scale`, no background consumer.
pub(crate) fn options(scale: u64, sqs: Option<SqsSource>) -> Options {
    Options {
        addr: "127.0.0.1:0".parse().expect("a socket address"),
        web_dir: default_web_dir(),
        demo_scale: scale,
        admin_password: Some("admin-password".into()),
        background_consumer: false,
        sandbox: true,
        expire_every: None,
        settle_every: None,
        sqs,
        draw_sqs: None,
    }
}

/// The real backends the README documents (`LUCKYDRAW_STORE=dynamodb LUCKYDRAW_STOCK=redis
/// LUCKYDRAW_QUEUE=sqs LUCKYDRAW_SESSIONS=redis`) on the test Redis and moto, under a
/// table, queue and key prefix of their own (created by the runner's `connect`).
pub fn real_backends() -> Backends {
    Backends {
        store: RecordBackend::DynamoDb,
        stock: StockBackend::Redis,
        queue: QueueBackend::Sqs,
        sessions: SessionBackend::Redis,
        redis: Some(RedisTarget::Url(services::redis_url().to_owned().into())),
        redis_prefix: services::redis_prefix(),
        table_name: Some(services::unique("luckydraw")),
        order_queue_url: Some(format!("{}/123456789012/{}", services::moto_url(), services::unique("orders"))),
        draw_queue_url: Some(format!("{}/123456789012/{}.fifo", services::moto_url(), services::unique("draws"))),
        ..Backends::default()
    }
}

/// A status and a JSON body (`null` when empty).
pub type Reply = (StatusCode, Value);

impl TestServer {
    /// Starts the runner on 127.0.0.1 with a free port, the demo seeded at `scale`, and
    /// no background consumer: tests call [`TestServer::drain`] to deliver the queue.
    pub async fn spawn(scale: u64) -> Self {
        let clock = Arc::new(ManualClock::at(START));
        let (app, memory) = memory::in_memory(test_settings(), clock.clone(), Arc::new(ChaChaRandom::seeded(scale)));
        Self::launch(options(scale, None), app, memory, clock).await
    }

    /// Like [`TestServer::spawn`], on [`real_backends`]: the runner creates the table and
    /// the queue as it would on a fresh endpoint.
    pub async fn spawn_on_real_backends(scale: u64) -> Self {
        let clock = Arc::new(ManualClock::at(START));
        let backends = real_backends();
        let aws = services::aws_config().await;
        let random = Arc::new(ChaChaRandom::seeded(scale));
        let connected = connect(test_settings(), &backends, Some(&aws), clock.clone(), random)
            .await
            .expect("the runner connects to Redis and moto, creating the table and queue");
        let options = Options { draw_sqs: connected.draw_sqs, ..options(scale, connected.sqs) };
        Self::launch(options, connected.app, connected.memory, clock).await
    }

    /// Like [`TestServer::spawn`], on `backends` (memory for the ports they leave there).
    pub async fn spawn_on(backends: &Backends, scale: u64) -> Self {
        let clock = Arc::new(ManualClock::at(START));
        let random = Arc::new(ChaChaRandom::seeded(scale));
        let connected =
            connect(test_settings(), backends, None, clock.clone(), random).await.expect("the runner connects");
        Self::launch(options(scale, connected.sqs), connected.app, connected.memory, clock).await
    }

    /// Starts the runner on `app`, its order queue behind a switch the test holds.
    async fn launch(options: Options, mut app: App, memory: MemoryBackends, clock: Arc<ManualClock>) -> Self {
        let queue = Arc::new(SwitchableQueue::new(app.queue.clone()));
        app.queue = queue.clone();
        let running = start(options, app, memory).await.expect("the runner starts");
        Self { running, clock, queue, client: reqwest::Client::new() }
    }

    /// Takes the order queue down (`true`: every send fails, as when SQS is unreachable) or brings it back.
    pub fn set_queue_down(&self, down: bool) {
        self.queue.set_down(down);
    }

    /// Delivers every queued message to the order consumer.
    pub async fn drain(&self) -> usize {
        self.running.drain_queue().await
    }

    /// Wakes the draw worker with every message on the draw queue (in-process or SQS FIFO).
    pub async fn serve_tickets(&self) -> usize {
        self.running.serve_tickets().await
    }

    /// Any request; `token` goes in `Authorization: Bearer`.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let url = format!("{}{path}", self.running.url());
        let mut request = self.client.request(method.parse().unwrap(), url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the runner answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Draws in `activity` until a prize with a price is won (within 50 draws); the draw's body.
    pub async fn win_priced_prize(&self, token: &str, activity: &str) -> Value {
        for _ in 0..50 {
            let (status, draw) = self.draw(token, activity).await;
            assert_eq!(status, StatusCode::OK, "{draw}");
            if draw["won"] == true && draw["prize"]["price_fen"].as_u64() > Some(0) {
                return draw;
            }
        }
        panic!("no priced prize within 50 draws");
    }

    /// `POST /register`; returns the token.
    pub async fn register(&self, username: &str, password: &str) -> String {
        let (status, body) =
            self.call("POST", "/register", None, Some(json!({"username": username, "password": password}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// `POST /login`.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.call("POST", "/login", None, Some(json!({"username": username, "password": password}))).await
    }

    /// `POST /activities/{id}/draw`.
    pub async fn draw(&self, token: &str, activity: &str) -> Reply {
        self.call("POST", &format!("/activities/{activity}/draw"), Some(token), None).await
    }

    /// `GET /activities/{id}`.
    pub async fn activity(&self, activity: &str) -> Value {
        let (status, body) = self.call("GET", &format!("/activities/{activity}"), None, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Units left of `prize` in `activity`.
    pub async fn remaining(&self, activity: &str, prize: &str) -> u64 {
        let body = self.activity(activity).await;
        let prizes = body["prizes"].as_array().unwrap();
        prizes.iter().find(|p| p["id"] == prize).unwrap()["remaining"].as_u64().unwrap()
    }

    /// `GET /orders/{id}`.
    pub async fn order(&self, token: &str, order_id: &str) -> Reply {
        self.call("GET", &format!("/orders/{order_id}"), Some(token), None).await
    }

    /// `POST /orders/{id}/giveup`.
    pub async fn give_up(&self, token: &str, order_id: &str) -> Reply {
        self.call("POST", &format!("/orders/{order_id}/giveup"), Some(token), None).await
    }

    /// `POST /orders/{id}/pay`.
    pub async fn pay(&self, token: &str, order_id: &str) -> Reply {
        self.call("POST", &format!("/orders/{order_id}/pay"), Some(token), None).await
    }

    /// A page as a browser gets it: status and text. `url` is absolute or a path.
    pub async fn page(&self, method: &str, url: &str, form: Option<&str>) -> (StatusCode, String) {
        let url = if url.starts_with("http") { url.to_owned() } else { format!("{}{url}", self.running.url()) };
        let mut request = self.client.request(method.parse().unwrap(), url);
        if let Some(form) = form {
            request = request.header("content-type", "application/x-www-form-urlencoded").body(form.to_owned());
        }
        let response = request.send().await.expect("the runner answers");
        (response.status(), response.text().await.unwrap_or_default())
    }
}

/// One test per flow in module `$backends`, each on a fresh server that `$spawn` starts
/// (at demo scale 1); a flow is an `async fn(&TestServer)` in the calling file.
#[macro_export]
macro_rules! flows_on {
    ($backends:ident, $spawn:path, [$($flow:ident),* $(,)?]) => {
        mod $backends {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $flow() {
                    super::$flow(&$spawn(1).await).await;
                }
            )*
        }
    };
}

/// Every flow in the list on every kind of server named, without writing a flow twice:
///
/// ```ignore
/// every_flow_on!(
///     [a_player_pays],
///     in_memory => harness::TestServer::spawn,
///     on_real_backends => harness::TestServer::spawn_on_real_backends,
/// );
/// ```
#[macro_export]
macro_rules! every_flow_on {
    ($flows:tt, $($backends:ident => $spawn:path),+ $(,)?) => {
        $($crate::flows_on!($backends, $spawn, $flows);)+
    };
}

//! Faults during storms (DESIGN §5, `docs/reliability.md`): Redis paused mid-storm, Redis
//! restarted empty then restored from the ledger, SQS unreachable or cutting answers
//! mid-storm, the process killed mid-storm, every message delivered twice and out of
//! order. Each ends, once the queue is drained and the settlement has run, in the audit of
//! every invariant against what the players were told. Real `redis-server` and moto; the
//! handlers are the ones Lambda runs. `LUCKYDRAW_CHAOS_SCALE=N` multiplies the storms
//! (CI runs 1; the longer chaos run is documented in `docs/reliability.md`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use luckydraw_adapters::redis::{RedisConnection, RedisKeys, RedisMode, RedisStock};
use luckydraw_adapters::sqs::SqsQueue;
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{Activity, CancelReason, DrawLimit, DrawMode, OrderStatus, SessionToken, UserKind};
use luckydraw_core::messages::{CancelRequested, OrderMessage};
use luckydraw_core::usecases::{settlement, stock_admin};
use luckydraw_lambda::config::backends::Timeouts;
use luckydraw_local::sqs_poller::SqsSource;
use luckydraw_testing::audit::{Answers, audit};
use luckydraw_testing::chaos::{FaultyRedis, FlakyProxy, ProxyMode};
use luckydraw_testing::{SwitchableQueue, TestApp, activity_spec, json_of, prizes, request, services, test_app};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use tokio::task::JoinHandle;

/// Players per storm at scale 1; each draws [`DRAWS_EACH`] times, all at once.
const PLAYERS: usize = 100;
/// Draws per player, the activity's limit.
const DRAWS_EACH: usize = 3;
/// A 503 must come within about a second of a dependency failing; this bounds it with slack
/// for a loaded CI machine.
const PROMPT_503: Duration = Duration::from_millis(3500);
/// A storm's draws start in 50 waves over this long.
const STORM_SPREAD: Duration = Duration::from_millis(1000);

fn scale() -> usize {
    std::env::var("LUCKYDRAW_CHAOS_SCALE").ok().and_then(|scale| scale.parse().ok()).unwrap_or(1).max(1)
}

/// 300 draws per scale on 180 units of three kinds (priced, free, consolation): it sells out.
async fn chaos_activity(t: &TestApp) -> Activity {
    let units = 60 * scale() as u64;
    let prizes = prizes(&[("cup", units, 1, 8000), ("tea", units, 1, 0), ("thanks", units, 1, 0)]);
    let mut spec = activity_spec("chaos", DrawMode::RemainingStock, prizes);
    spec.per_user_limit = DrawLimit::new(DRAWS_EACH as u32);
    t.add_activity(spec).await
}

/// An app with its stock in Redis at `url`, every call bounded by the production timeout.
async fn on_redis(seed: u64, url: &str) -> TestApp {
    let mut t = test_app(seed);
    let timeout = Timeouts::default().redis;
    let connection = RedisConnection::connect_within(url, RedisMode::Single, timeout).await.expect("Redis answers");
    t.app.stock = Arc::new(RedisStock::new(connection, RedisKeys::new(services::redis_prefix())));
    t
}

/// Players with sessions, `PLAYERS × scale` of them.
async fn players(t: &TestApp, prefix: &str) -> Vec<SessionToken> {
    let mut tokens = Vec::new();
    for index in 0..PLAYERS * scale() {
        tokens.push(t.player(&format!("{prefix}{index}"), UserKind::Normal).await.token);
    }
    tokens
}

/// One draw through the draw function's handler: its answer and how long it took.
type Drawn = JoinHandle<((u16, serde_json::Value), Duration)>;

/// Every player draws `DRAWS_EACH` times, all at once in waves over [`STORM_SPREAD`], so
/// that a fault injected mid-storm lands between draws that succeed.
fn storm(app: &App, tokens: &[SessionToken]) -> Vec<Drawn> {
    let app = Arc::new(app.clone());
    let draw = |(index, token): (usize, SessionToken)| {
        let app = app.clone();
        tokio::spawn(async move {
            tokio::time::sleep(STORM_SPREAD / 50 * (index % 50) as u32).await;
            let started = Instant::now();
            let request =
                request("POST /activities/{id}/draw", "/activities/chaos/draw", &[("id", "chaos")], None, Some(&token));
            (json_of(draw::handle(&app, request).await), started.elapsed())
        })
    };
    tokens.iter().flat_map(|token| std::iter::repeat_n(token.clone(), DRAWS_EACH)).enumerate().map(draw).collect()
}

/// Files every answer; asserts each 503 came promptly.
async fn answers_of(storm: Vec<Drawn>, answers: &mut Answers) {
    for drawn in storm {
        match drawn.await {
            Ok((answer, took)) => {
                if answer.0 == 503 {
                    assert!(took < PROMPT_503, "a 503 took {took:?}");
                    answers.slowest_unavailable = answers.slowest_unavailable.max(took);
                }
                answers.file(Some(answer));
            }
            Err(aborted) if aborted.is_cancelled() => answers.file(None),
            Err(panicked) => panic!("a draw panicked: {panicked}"),
        }
    }
}

/// Prints what a storm came to (the figures `docs/reliability.md` quotes).
fn report(fault: &str, answers: &Answers, audited: &luckydraw_testing::audit::Audited) {
    let won = answers.drawn.values().filter(|won| **won).count();
    let held: u64 = audited.held.values().sum();
    println!(
        "{fault}: {} drawn ({won} won), {} answered 503 (slowest {:?}), {} refused, {} unanswered; {} voided, {} orders, {held} units held; audit passed",
        answers.drawn.len(),
        answers.unavailable,
        answers.slowest_unavailable,
        answers.refused,
        answers.unanswered,
        audited.voided,
        audited.orders
    );
}

/// After the grace period: settle, deliver what the settlement sent again, and repeat
/// until a run finds every unsettled draw in the ledger. A failed run (a slow dependency)
/// is retried, as the next scheduled run would.
async fn settle(t: &TestApp, drain: impl AsyncFn()) {
    drain().await;
    t.clock.advance(t.app.settings.settle_grace + Duration::from_secs(1));
    for round in 0..10 {
        match settlement::settle(&t.app).await {
            Ok(settled) if settled.requeued == 0 => return,
            Ok(_) => {}
            Err(error) => println!("settlement run {round} failed ({error:?}); the next run retries"),
        }
        drain().await;
    }
    panic!("the settlement did not finish in 10 runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_paused_mid_storm_answers_503_promptly_and_settles_every_draw() {
    let redis = FaultyRedis::start();
    let t = on_redis(11, &redis.url()).await;
    let activity = chaos_activity(&t).await;
    let tokens = players(&t, "paused").await;
    let drawing = storm(&t.app, &tokens);
    tokio::time::sleep(Duration::from_millis(250)).await;
    redis.pause();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.resume();
    let mut answers = Answers::default();
    answers_of(drawing, &mut answers).await;
    assert!(answers.unavailable > 0, "the pause was felt: {answers:?}");
    settle(&t, async || {
        t.drain_queue().await;
    })
    .await;
    let audited = audit(&t.app, &activity, &answers).await;
    assert_eq!(audited.voided, answers.unavailable, "every 503 voided its draw");
    report("redis paused 1.5 s", &answers, &audited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarted_empty_refuses_to_reload_and_restores_exactly_from_the_ledger() {
    let mut redis = FaultyRedis::start();
    let t = on_redis(12, &redis.url()).await;
    let activity = chaos_activity(&t).await;
    let tokens = players(&t, "lost").await;
    let (first, second) = tokens.split_at(tokens.len() / 2);
    let mut answers = Answers::default();
    answers_of(storm(&t.app, first), &mut answers).await;
    t.drain_queue().await;
    // Five winners give up just before the loss; their messages are still queued: the
    // restore must wait for them and count those units as back.
    let mut won = Vec::new();
    for id in answers.drawn.iter().filter(|(_, won)| **won).map(|(id, _)| id.order_id()) {
        let order = t.app.orders.get(&id).await.unwrap().expect("every won draw has its order");
        if order.status == OrderStatus::PendingPayment && won.len() < 5 {
            won.push(id);
        }
    }
    assert_eq!(won.len(), 5, "enough priced prizes were won");
    for order_id in &won {
        let cancel =
            CancelRequested { order_id: *order_id, reason: CancelReason::GivenUp, requested_at: t.app.clock.now() };
        t.app.queue.send(&OrderMessage::CancelRequested(cancel)).await.unwrap();
    }

    redis.restart_empty();
    wait_until_answering(&t.app, &activity).await;
    // The runner restarts: its seed refuses to load the initial stock over recorded draws.
    let refused = stock_admin::load(&t.app, &activity.id).await.expect_err("a blind load is refused");
    assert!(matches!(&refused, Error::InvalidState(why) if why.contains("ledger")), "{refused}");
    let (status, body) = draw_once(&t.app, &second[0]).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("unavailable")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("paused"), "{body}");
    let refused = stock_admin::restore(&t.app, &activity.id).await.expect_err("messages are still queued");
    assert!(matches!(&refused, Error::InvalidState(why) if why.contains("queue")), "{refused}");
    t.drain_queue().await;
    let restored = stock_admin::restore(&t.app, &activity.id).await.expect("the restore runs");
    assert_eq!(restored.draws, answers.drawn.len());
    for order_id in &won {
        let order = t.app.orders.get(order_id).await.unwrap().unwrap();
        assert_eq!(order.status, OrderStatus::Cancelled);
        assert!(t.app.stock.find_draw(&order.draw_id).await.unwrap().unwrap().released, "restored as given back");
    }

    answers_of(storm(&t.app, second), &mut answers).await;
    settle(&t, async || {
        t.drain_queue().await;
    })
    .await;
    let audited = audit(&t.app, &activity, &answers).await;
    assert!(answers.refused > 0, "the storm sold out");
    report("redis restarted empty, restored", &answers, &audited);
}

async fn draw_once(app: &App, token: &SessionToken) -> (u16, serde_json::Value) {
    let request =
        request("POST /activities/{id}/draw", "/activities/chaos/draw", &[("id", "chaos")], None, Some(token));
    json_of(draw::handle(app, request).await)
}

/// Waits until the stock store answers again (its connection reconnects by itself).
async fn wait_until_answering(app: &App, activity: &Activity) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.stock.remaining(&activity.id).await.is_err() {
        assert!(Instant::now() < deadline, "the stock store never answered again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqs_unreachable_or_cutting_answers_mid_storm_never_sells_twice() {
    let (moto, url) = services::sqs_queue().await;
    let proxy = FlakyProxy::start(services::moto_url().trim_start_matches("http://").parse().unwrap()).await;
    let through_proxy = luckydraw_lambda::wiring::aws_config(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(proxy.url())
            .credentials_provider(aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "chaos")),
        &Timeouts::default(),
    )
    .load()
    .await;
    let (redis, keys) = services::redis().await;
    let mut t = test_app(13);
    t.app.stock = Arc::new(RedisStock::new(redis, keys));
    t.app.queue = Arc::new(SqsQueue::new(aws_sdk_sqs::Client::new(&through_proxy), &url));
    let activity = chaos_activity(&t).await;
    let tokens = players(&t, "sqs").await;
    let drawing = storm(&t.app, &tokens);
    for mode in [ProxyMode::Refuse, ProxyMode::CutAnswers, ProxyMode::Hold, ProxyMode::Pass] {
        tokio::time::sleep(Duration::from_millis(200)).await;
        proxy.set(mode);
    }
    let mut answers = Answers::default();
    answers_of(drawing, &mut answers).await;
    assert!(answers.unavailable > 0, "the outage was felt: {answers:?}");
    let source = SqsSource { client: moto, url };
    settle(&t, async || {
        source.drain(&t.app).await;
    })
    .await;
    let audited = audit(&t.app, &activity, &answers).await;
    report("sqs refused, cut, held", &answers, &audited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_process_killed_mid_storm_leaves_nothing_unsettled() {
    let (redis, keys) = services::redis().await;
    let mut t = test_app(14);
    t.app.stock = Arc::new(RedisStock::new(redis, keys));
    let activity = chaos_activity(&t).await;
    let tokens = players(&t, "killed").await;
    let drawing = storm(&t.app, &tokens);
    tokio::time::sleep(Duration::from_millis(400)).await;
    drawing.iter().for_each(JoinHandle::abort);
    let mut answers = Answers::default();
    answers_of(drawing, &mut answers).await;
    assert!(answers.unanswered > 0, "the kill cut some draws: {answers:?}");
    settle(&t, async || {
        t.drain_queue().await;
    })
    .await;
    let audited = audit(&t.app, &activity, &answers).await;
    report("process killed mid-storm", &answers, &audited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_message_twice_and_out_of_order_changes_nothing() {
    let (redis, keys) = services::redis().await;
    let mut t = test_app(15);
    t.app.stock = Arc::new(RedisStock::new(redis, keys));
    let queue = Arc::new(SwitchableQueue::new(t.app.queue.clone()));
    t.app.queue = queue.clone();
    let activity = chaos_activity(&t).await;
    let tokens = players(&t, "twice").await;
    let (first, second) = tokens.split_at(tokens.len() / 2);
    let mut answers = Answers::default();
    answers_of(storm(&t.app, first), &mut answers).await;
    queue.set_down(true);
    answers_of(storm(&t.app, &second[..second.len() / 2]), &mut answers).await;
    queue.set_down(false);
    answers_of(storm(&t.app, &second[second.len() / 2..]), &mut answers).await;
    assert!(answers.unavailable > 0);

    let sent = t.memory.queue.receive(usize::MAX);
    t.memory.queue.acknowledge(sent.len());
    let mut bodies: Vec<String> =
        sent.into_iter().flat_map(|envelope| [envelope.body.clone(), envelope.body]).collect();
    bodies.shuffle(&mut StdRng::seed_from_u64(15));
    bodies.into_iter().for_each(|body| t.memory.queue.push_raw(body));
    settle(&t, async || {
        t.drain_queue().await;
    })
    .await;
    let audited = audit(&t.app, &activity, &answers).await;
    assert_eq!(audited.voided, answers.unavailable);
    report("every message twice, shuffled", &answers, &audited);
}

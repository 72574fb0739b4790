//! The draw path's cost in Redis round trips, counted with `MONITOR` on a private
//! `redis-server` (the shared one serves others too): through the runner, on Redis stock and
//! sessions, a draw is one round trip, the draw script, because the session was verified
//! in this process within the session cache's interval (`LUCKYDRAW_SESSION_CACHE_MS`).

#[allow(dead_code)] // each test file uses part of the shared harness
mod harness;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use harness::TestServer;
use luckydraw_adapters::redis::{RedisConnection, RedisKeys, RedisMode, RedisSessions};
use luckydraw_core::domain::SessionToken;
use luckydraw_core::ports::Sessions;
use luckydraw_lambda::config::backends::{Backends, RedisTarget, SessionBackend, StockBackend};
use luckydraw_testing::chaos::FaultyRedis;
use luckydraw_testing::services;
use reqwest::StatusCode;

/// The commands clients send to a Redis server, as `MONITOR` shows them (commands that
/// scripts run inside the server are left out: they cost no round trip).
struct Monitor {
    child: Child,
    lines: Receiver<String>,
    url: String,
}

impl Monitor {
    /// Starts watching the server at `url`; returns once the server streams its commands.
    fn start(url: &str) -> Self {
        let mut child = Command::new("redis-cli")
            .args(["-u", url, "monitor"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("redis-cli runs (apt-get install redis-tools)");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        let ok = lines.recv_timeout(Duration::from_secs(10)).expect("MONITOR answers");
        assert_eq!(ok, "OK");
        Self { child, lines, url: url.to_owned() }
    }

    /// Every client command seen until now (those in flight are in, up to a marker sent last).
    fn stop(mut self) -> Vec<String> {
        let marker = services::unique("end-of-count");
        let sent = Command::new("redis-cli").args(["-u", &self.url, "echo", &marker]).output().expect("redis-cli runs");
        assert!(sent.status.success());
        let mut commands = Vec::new();
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(10)).expect("the marker arrives");
            if line.contains(&marker) {
                break;
            }
            if !line.contains(" lua] ") {
                commands.push(line);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        commands
    }
}

/// The runner on a private Redis for stock and sessions; memory for the rest.
async fn runner_on(redis: &FaultyRedis) -> (TestServer, Backends) {
    let backends = Backends {
        stock: StockBackend::Redis,
        sessions: SessionBackend::Redis,
        redis: Some(RedisTarget::Url(redis.url().into())),
        redis_prefix: services::redis_prefix(),
        ..Backends::default()
    };
    (TestServer::spawn_on(&backends, 1).await, backends)
}

/// A draw answered as a draw: a prize, or the unpaid cap the script applied (the demo's
/// players may hold 3 unpaid prizes).
fn drawn((status, body): &(StatusCode, serde_json::Value)) -> bool {
    *status == StatusCode::OK || (*status == StatusCode::CONFLICT && body["error"]["code"] == "unpaid_limit")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draw_through_the_runner_costs_one_redis_round_trip() {
    let redis = FaultyRedis::start();
    let (server, _) = runner_on(&redis).await;
    let mut tokens = Vec::new();
    for n in 0..20 {
        tokens.push(server.register(&format!("counted{n}"), "a-long-password").await);
    }
    // Each player's first draw verifies the session in the store (and the first EVALSHA of a
    // fresh server answers NOSCRIPT and loads the script); the count starts after.
    for token in &tokens {
        assert!(drawn(&server.draw(token, "demo").await));
    }

    let monitor = Monitor::start(&redis.url());
    let draws = 200;
    for n in 0..draws {
        let answer = server.draw(&tokens[n % tokens.len()], "demo").await;
        assert!(drawn(&answer), "{answer:?}");
    }
    let commands = monitor.stop();

    let others: Vec<&String> =
        commands.iter().filter(|command| !command.to_ascii_lowercase().contains("] \"evalsha\"")).collect();
    assert!(others.is_empty(), "every round trip is a script; not these: {others:#?}");
    assert!(
        commands.len() <= draws,
        "{} round trips for {draws} draws ({:.2} per draw); the first few: {:#?}",
        commands.len(),
        commands.len() as f64 / draws as f64,
        &commands[..commands.len().min(6)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_elsewhere_stops_the_draws_one_cache_interval_later() {
    let redis = FaultyRedis::start();
    let (server, backends) = runner_on(&redis).await;
    let token = server.register("revoked", "a-long-password").await;
    assert!(drawn(&server.draw(&token, "demo").await));

    // Another process (another Lambda instance) ends the session in the shared store.
    let connection = RedisConnection::connect(&redis.url(), RedisMode::Single).await.unwrap();
    let elsewhere = RedisSessions::new(connection, RedisKeys::new(&backends.redis_prefix));
    elsewhere.delete(&SessionToken::parse(&token).unwrap().key()).await.unwrap();

    let interval = backends.session_cache;
    server.clock.advance(interval - Duration::from_millis(1));
    assert!(drawn(&server.draw(&token, "demo").await), "within the interval the verified session holds");
    server.clock.advance(Duration::from_millis(1));
    let (status, body) = server.draw(&token, "demo").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // A logout through this runner takes effect at once.
    let other = server.register("logged-out", "a-long-password").await;
    assert!(drawn(&server.draw(&other, "demo").await));
    assert_eq!(server.call("POST", "/logout", Some(&other), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(server.draw(&other, "demo").await.0, StatusCode::UNAUTHORIZED);
}

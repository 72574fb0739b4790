//! The local runner on the real backends: DynamoDB records, Redis stock and sessions (the
//! test Redis), and the SQS order queue (moto), fed to the order consumer by the runner's
//! poller. The player's flows run there too: `flows.rs` and `payments.rs` run each on both.

#[allow(dead_code)] // each test file uses part of the shared harness
mod harness;

use std::sync::Arc;
use std::time::Duration;

use harness::{TestServer, real_backends};
use luckydraw_adapters::system::{ChaChaRandom, ManualClock};
use luckydraw_core::App;
use luckydraw_core::domain::{OrderId, PayLink};
use luckydraw_lambda::config::backends::{Backends, SessionBackend};
use luckydraw_local::backends::connect;
use luckydraw_testing::{START, services, test_settings};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeded_demo_lives_in_the_real_stores() {
    let server = TestServer::spawn_on_real_backends(2).await;
    let demo = server.activity("demo").await;
    let total: u64 = demo["prizes"].as_array().unwrap().iter().map(|p| p["remaining"].as_u64().unwrap()).sum();
    assert_eq!(total, 2 * 6500);
    let (status, body) = server.login("player", "luckydraw").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = server.login("player", "wrong-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A function instance on `backends`, as each Lambda instance builds its own `App`.
async fn instance(backends: &Backends) -> App {
    let aws = services::aws_config().await;
    let (clock, random) = (Arc::new(ManualClock::at(START)), Arc::new(ChaChaRandom::seeded(7)));
    connect(test_settings(), backends, Some(&aws), clock, random).await.expect("the backends answer").app
}

/// Pay links live where the sessions do, so a second click served by another instance
/// finds the trade the first click opened instead of opening one of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instance_finds_the_pay_link_the_first_click_cached() {
    for sessions in [SessionBackend::Redis, SessionBackend::DynamoDb] {
        let backends = Backends { sessions, ..real_backends() };
        let (first, second) = (instance(&backends).await, instance(&backends).await);
        let order = OrderId::generate(START, [9; 10]);
        let link = PayLink { url: "https://qr.example/first".into(), expires_at: START.plus(Duration::from_secs(900)) };
        let other = PayLink { url: "https://qr.example/second".into(), ..link.clone() };

        assert_eq!(first.pay_links.put_if_absent(&order, &link, START).await.unwrap(), link);
        assert_eq!(second.pay_links.get(&order, START).await.unwrap(), Some(link.clone()), "{sessions:?}");
        assert_eq!(second.pay_links.put_if_absent(&order, &other, START).await.unwrap(), link, "{sessions:?}");
    }
}

//! How fast payments are checked: RSA2 signing (each gateway call), verifying a notification
//! (one per Alipay notify), and the whole notify use case on the in-memory backends.
//! `cargo bench -p luckydraw --bench payments`; figures are kept in `docs/benchmarks-payments.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use luckydraw_adapters::alipay::PrivateKey;
use luckydraw_core::domain::{DrawMode, UserKind};
use luckydraw_core::usecases::{drawing, payments};
use luckydraw_testing::{activity_spec, alipay_key, notification_params, prizes, signed_notification, test_app};

/// Runs `op` for about `budget`; prints and returns the mean time per call.
fn measure(name: &str, budget: Duration, mut op: impl FnMut()) -> Duration {
    op();
    let started = Instant::now();
    let mut calls = 0u32;
    while started.elapsed() < budget {
        op();
        calls += 1;
    }
    let per_call = started.elapsed() / calls.max(1);
    println!(
        "{name:<48} {:>9.1} µs/op {:>9.0} op/s ({calls} calls)",
        per_call.as_secs_f64() * 1e6,
        1.0 / per_call.as_secs_f64()
    );
    per_call
}

fn main() {
    let budget = Duration::from_secs(2);
    let key = PrivateKey::generate().expect("randomness");
    let content =
        "app_id=2021000000000000&biz_content={\"out_trade_no\":\"01a20048628e7a0b8eea09489eda7b1b\"}&charset=utf-8";
    measure("RSA2 sign (2048-bit, one gateway request)", budget, || {
        black_box(key.sign(black_box(content)));
    });

    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let (t, order_id) = runtime.block_on(async {
        let t = test_app(1).with_alipay();
        t.add_activity(activity_spec("bench", DrawMode::RemainingStock, prizes(&[("cup", 10, 0, 990)]))).await;
        let player = t.player("bench", UserKind::Normal).await;
        let won = drawing::draw(&t.app, &player.session, &"bench".parse().unwrap()).await.expect("a draw");
        t.drain_queue().await;
        (t, won.order_id.expect("a priced prize"))
    });
    let body = signed_notification(notification_params(&order_id, "T1", "9.90", "TRADE_SUCCESS"));
    let merchant = t.app.notices.clone().expect("configured");
    measure("notify verify (parse, sign string, RSA2 verify)", budget, || {
        black_box(merchant.verify(black_box(body.as_bytes())).expect("valid"));
    });
    measure("notify use case (verify, order read, enqueue)", budget, || {
        runtime.block_on(payments::receive_notification(&t.app, body.as_bytes())).expect("accepted");
        t.memory.queue.receive(10);
    });
    black_box(alipay_key());
}

//! Cold starts of every function's release bootstrap, through the runtime API of the
//! invocation tests: init (process start to its first `GET /runtime/invocation/next`,
//! Lambda's "Init Duration"), the first invocation, and a second (warm) one, on the
//! template-shaped deployment (DynamoDB and SQS on moto, loopback).
//!
//! `cargo bench -p luckydraw-tests --bench cold_start` (`BENCH_COLD_STARTS`, default 20,
//! cold starts per function). Figures and the machine they came from: `docs/lambda.md`.

#[allow(dead_code)] // each test file uses part of the shared harness
#[path = "../harness/mod.rs"]
mod harness;

use std::path::Path;
use std::time::Duration;

use harness::deployment::Deployment;
use harness::runtime_api::{Bootstrap, event};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let starts: usize = std::env::var("BENCH_COLD_STARTS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let deployment = Deployment::start().await;
    deployment.add_event_order(Duration::from_secs(3600)).await;
    let functions: [(&str, &Path, &str); 6] = [
        ("login", bootstrap!("login"), "events/login/login.json"),
        ("draw", bootstrap!("draw"), "events/draw/draw.json"),
        ("api", bootstrap!("api"), "events/api/get-activity.json"),
        ("pay-callback", bootstrap!("pay-callback"), "events/pay-callback/notify.json"),
        ("order-consumer", bootstrap!("order-consumer"), "events/order-consumer/order-requested.json"),
        ("expire-orders", bootstrap!("expire-orders"), "events/expire-orders/schedule.json"),
    ];
    println!("{starts} cold starts per function; medians, p90 in brackets (ms)\n");
    println!("| function | event | binary MiB | init | first invocation | warm invocation |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, binary, event_path) in functions {
        let event = event(event_path);
        let (mut init, mut first, mut warm) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..starts {
            let mut function = Bootstrap::start(name, binary, &deployment.env(name)).await;
            init.push(function.ready().await);
            first.push(function.invoke_timed(&event).await.1);
            warm.push(function.invoke_timed(&event).await.1);
            function.stop().await;
        }
        let size = std::fs::metadata(binary).map(|meta| meta.len() as f64 / 1_048_576.0).unwrap_or(0.0);
        println!(
            "| {name} | `{event_path}` | {size:.1} | {} | {} | {} |",
            summary(&mut init),
            summary(&mut first),
            summary(&mut warm)
        );
    }
}

/// `median (p90)` in milliseconds.
fn summary(samples: &mut [Duration]) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!("{:.1} ({:.1})", at(0.5), at(0.9))
}

//! `cargo run --release -p luckydraw-local`: the whole system on 127.0.0.1:3000.

use std::sync::Arc;

use luckydraw::App;
use luckydraw::adapters::system::{ChaChaRandom, SystemClock};
use luckydraw::config::{Settings, parse_or};
use luckydraw::payment::AlipayConfig;
use luckydraw_local::seed::DEMO_PLAYER;
use luckydraw_local::{Options, start};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    luckydraw::telemetry::init();
    let options = Options::from_env()?;
    let mut settings = Settings::from_env()?;
    // Plain http://127.0.0.1 cannot carry a Secure cookie; opt back in with the variable.
    settings.secure_cookies = parse_or(|name| std::env::var(name).ok(), "LUCKYDRAW_SECURE_COOKIES", false)?;
    let (app, memory) = App::in_memory(settings, Arc::new(SystemClock), Arc::new(ChaChaRandom::from_os()?));
    // ALIPAY_* set: pay through that gateway (e.g. Alipay's own sandbox); otherwise the built-in one.
    let app = match AlipayConfig::from_env()? {
        Some(alipay) => app.with_alipay(alipay)?,
        None => app,
    };
    let running = start(options, app, memory).await?;
    println!("luckydraw is running at {}", running.url());
    if running.sandbox.is_some() {
        println!("  payments:    sandbox Alipay at {}/sandbox/alipay/ (keys generated for this run)", running.url());
    }
    println!("  demo player: {} / {}", DEMO_PLAYER.0, DEMO_PLAYER.1);
    match &running.admin_password {
        Some(password) => println!("  admin:       admin / {password}"),
        None => println!("  admin:       admin (password unchanged)"),
    }
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}

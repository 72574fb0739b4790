//! `cargo run --release -p luckydraw-local`: the whole system on 127.0.0.1:3000, on the
//! backends the environment selects (memory by default). `-- seed` seeds the demo, the
//! admin and the demo player without serving (a deployed table); `-- event-player` also
//! opens the session the events in `events/` carry. Operators' tools (preload, restore,
//! reconcile, ...) are `luckydraw-admin`'s, over the admin API (see `docs/operators.md`).

use std::sync::Arc;

use luckydraw_adapters::alipay::AlipayConfig;
use luckydraw_adapters::system::{ChaChaRandom, SystemClock};
use luckydraw_lambda::config::{Settings, parse_or};
use luckydraw_local::backends::{Connected, connect_from_env};
use luckydraw_local::seed::{self, DEMO_PLAYER, EVENT_PLAYER};
use luckydraw_local::{Options, start};

/// mimalloc instead of glibc's malloc: under a storm the runner spent a quarter of its CPU
/// in glibc's allocator. Built without transparent huge pages (`no_thp`): with them, page
/// faults in its fresh arenas stalled requests for 150–270 ms (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: luckydraw-local [serve | seed | event-player]\n\
    (load, restore and settle moved to luckydraw-admin: preload, restore, reconcile)";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    luckydraw_lambda::telemetry::init();
    luckydraw_lambda::metrics::init()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut settings = Settings::from_env()?;
    // Plain http://127.0.0.1 cannot carry a Secure cookie; opt back in with the variable.
    settings.secure_cookies = parse_or(|name| std::env::var(name).ok(), "LUCKYDRAW_SECURE_COOKIES", false)?;
    let connect = || async {
        connect_from_env(settings.clone(), Arc::new(SystemClock), Arc::new(ChaChaRandom::from_os()?))
            .await
            .map_err(Box::<dyn std::error::Error>::from)
    };
    match args[..] {
        [] | ["serve"] => serve(connect().await?).await,
        ["seed"] => {
            let options = Options::from_env()?;
            let seeded = seed::seed(&connect().await?.app, options.demo_scale, options.admin_password).await?;
            println!("seeded the demo activity and the player {} / {}", DEMO_PLAYER.0, DEMO_PLAYER.1);
            match seeded.admin_password {
                Some(password) => println!("admin: admin / {password}"),
                None => println!("admin: admin (exists; password unchanged)"),
            }
            Ok(())
        }
        ["event-player"] => {
            let app = connect().await?.app;
            let options = Options::from_env()?;
            seed::seed(&app, options.demo_scale, options.admin_password).await?;
            seed::seed_event_player(&app).await?;
            println!("player {} ({}) has session {}", EVENT_PLAYER.username, EVENT_PLAYER.id, EVENT_PLAYER.token);
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

async fn serve(connected: Connected) -> Result<(), Box<dyn std::error::Error>> {
    let options = Options { sqs: connected.sqs, draw_sqs: connected.draw_sqs, ..Options::from_env()? };
    // ALIPAY_* set: pay through that gateway (e.g. Alipay's own sandbox); otherwise the built-in one.
    let app = match AlipayConfig::from_env()? {
        Some(alipay) => luckydraw_lambda::wiring::with_alipay(connected.app, alipay)?,
        None => connected.app,
    };
    let running = start(options, app, connected.memory).await?;
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
    running.stop().await;
    Ok(())
}

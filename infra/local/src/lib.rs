//! luckydraw on one machine: every HTTP function's handler mounted at its API path on one
//! server, the order consumer fed from the order queue (in-process, or SQS through a
//! poller), the draw worker fed from the draw queue, the expiry sweep and the settlement on timers, a sandbox Alipay, the page at
//! `/`, and a seeded demo. The handlers are the ones Lambda runs;
//! only the plumbing around them is local.

pub mod backends;
pub mod consumer;
pub mod functions;
pub mod response;
pub mod sandbox;
pub mod schedules;
pub mod seed;
pub mod server;
pub mod sqs_poller;
pub mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use luckydraw_adapters::memory::MemoryBackends;
use luckydraw_core::App;
use luckydraw_lambda::config::{ConfigError, parse_or};
use sandbox::Sandbox;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::consumer::Worker;
use crate::sqs_poller::SqsSource;

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen (`127.0.0.1:3000`; port 0 picks a free one).
    pub addr: SocketAddr,
    /// The page's folder.
    pub web_dir: PathBuf,
    /// Multiplies every demo stock.
    pub demo_scale: u64,
    /// The admin's password; generated when `None`.
    pub admin_password: Option<String>,
    /// Whether a background task consumes the queue (tests may drain it themselves).
    pub background_consumer: bool,
    /// Whether payments go to the built-in sandbox Alipay (otherwise the app's own settings).
    pub sandbox: bool,
    /// How often the expiry sweep runs; `None` runs it only when asked (tests).
    pub expire_every: Option<Duration>,
    /// How often the settlement runs; `None` runs it only when asked (tests).
    pub settle_every: Option<Duration>,
    /// The order queue on SQS, when selected; otherwise the in-process queue is consumed.
    pub sqs: Option<SqsSource>,
    /// The draw queue on SQS: its poller wakes the draw worker (the in-process draw queue otherwise).
    pub draw_sqs: Option<SqsSource>,
}

/// A failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Seeding failed.
    #[error("seeding the demo failed: {0}")]
    Seed(#[from] luckydraw_core::Error),
    /// The sandbox's keys could not be made.
    #[error("the sandbox Alipay could not start: {0}")]
    Sandbox(#[from] luckydraw_adapters::alipay::KeyError),
    /// A backend could not be reached or set up.
    #[error(transparent)]
    Backends(#[from] luckydraw_lambda::wiring::StartError),
}

/// A running system; stops when dropped.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The app every handler shares.
    pub app: App,
    /// The in-memory backends behind it.
    pub memory: MemoryBackends,
    /// The admin password, if the seed set it.
    pub admin_password: Option<String>,
    /// The sandbox Alipay, when payments go there.
    pub sandbox: Option<Arc<Sandbox>>,
    /// The `ALIPAY_*` variables that make a function pay through that sandbox.
    pub sandbox_env: Vec<(&'static str, String)>,
    sqs: Option<SqsSource>,
    draw_sqs: Option<SqsSource>,
    server: JoinHandle<()>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Options {
    /// `PORT`, `LUCKYDRAW_WEB_DIR`, `LUCKYDRAW_DEMO_SCALE`, `LUCKYDRAW_ADMIN_PASSWORD`,
    /// `LUCKYDRAW_EXPIRE_EVERY_SECS`, `LUCKYDRAW_SETTLE_EVERY_SECS`; the sandbox unless
    /// `ALIPAY_APP_ID` is set.
    pub fn from_env() -> Result<Self, ConfigError> {
        let lookup = |name: &str| std::env::var(name).ok();
        let port: u16 = parse_or(lookup, "PORT", 3000)?;
        let demo_scale: u64 = parse_or(lookup, "LUCKYDRAW_DEMO_SCALE", 1)?;
        if demo_scale == 0 {
            return Err(ConfigError::new("LUCKYDRAW_DEMO_SCALE", "0", "the scale must be at least 1"));
        }
        Ok(Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            web_dir: lookup("LUCKYDRAW_WEB_DIR").map_or_else(default_web_dir, PathBuf::from),
            demo_scale,
            admin_password: lookup("LUCKYDRAW_ADMIN_PASSWORD").filter(|password| !password.is_empty()),
            background_consumer: true,
            sandbox: lookup("ALIPAY_APP_ID").is_none_or(|id| id.trim().is_empty()),
            expire_every: Some(Duration::from_secs(parse_or(lookup, "LUCKYDRAW_EXPIRE_EVERY_SECS", 60)?.max(1))),
            settle_every: Some(Duration::from_secs(parse_or(lookup, "LUCKYDRAW_SETTLE_EVERY_SECS", 60)?.max(1))),
            sqs: None,
            draw_sqs: None,
        })
    }
}

/// The repository's `web/` folder.
pub fn default_web_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"))
}

/// Binds, wires the sandbox Alipay in (if asked), seeds the demo, and starts the server,
/// the consumer and the expiry timer.
pub async fn start(options: Options, app: App, memory: MemoryBackends) -> Result<Running, StartError> {
    let listener =
        TcpListener::bind(options.addr).await.map_err(|source| StartError::Bind { addr: options.addr, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: options.addr, source })?;
    let (app, sandbox, sandbox_env) = match options.sandbox {
        true => {
            let (sandbox, alipay) = Sandbox::start(&format!("http://{addr}"), app.clock.clone())?;
            let env = alipay.to_env()?;
            (luckydraw_lambda::wiring::with_alipay(app, alipay)?, Some(sandbox), env)
        }
        false => (app, None, Vec::new()),
    };
    let seeded = seed::seed(&app, options.demo_scale, options.admin_password.clone()).await?;
    let router =
        server::router(server::Site { app: app.clone(), web_dir: options.web_dir.clone(), sandbox: sandbox.clone() });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, router, async move {
        let _ = stopped.await;
    }));
    let mut tasks = Vec::new();
    match (&options.sqs, options.background_consumer) {
        (_, false) => {}
        (Some(sqs), true) => tasks.push(tokio::spawn(sqs.clone().run(app.clone()))),
        (None, true) => tasks.push(tokio::spawn(consumer::run(app.clone(), memory.queue.clone()))),
    }
    match (&options.draw_sqs, options.background_consumer) {
        (_, false) => {}
        (Some(sqs), true) => tasks.push(tokio::spawn(sqs.clone().run_to(Worker::DrawWorker, app.clone()))),
        (None, true) => {
            let draw_queue = memory.draw_queue.clone();
            tasks.push(tokio::spawn(consumer::run_to(Worker::DrawWorker, app.clone(), draw_queue)));
        }
    }
    if let Some(every) = options.expire_every {
        tasks.push(tokio::spawn(schedules::every(
            every,
            app.clone(),
            |app| async move { schedules::sweep(&app).await },
        )));
    }
    if let Some(every) = options.settle_every {
        tasks.push(tokio::spawn(schedules::every(
            every,
            app.clone(),
            |app| async move { schedules::settle(&app).await },
        )));
    }
    let admin_password = seeded.admin_password;
    let stop = Some(stop);
    let (sqs, draw_sqs) = (options.sqs, options.draw_sqs);
    Ok(Running { addr, app, memory, admin_password, sandbox, sandbox_env, sqs, draw_sqs, server, stop, tasks })
}

impl Running {
    /// The base URL, e.g. `http://127.0.0.1:3000`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Runs the consumer until the queue is empty (for tests without the background task).
    pub async fn drain_queue(&self) -> usize {
        match &self.sqs {
            Some(sqs) => sqs.drain(&self.app).await,
            None => consumer::drain(&self.app, &self.memory.queue).await,
        }
    }

    /// Runs the draw worker until the in-process draw queue is empty (for tests without the
    /// background task); how many deliveries it made.
    pub async fn serve_tickets(&self) -> usize {
        match &self.draw_sqs {
            Some(sqs) => sqs.drain_to(Worker::DrawWorker, &self.app).await,
            None => consumer::drain_to(Worker::DrawWorker, &self.app, &self.memory.draw_queue).await,
        }
    }

    /// Runs the expiry sweep once (for tests without the timer); how many orders it asked to expire.
    pub async fn expire_orders(&self) -> usize {
        schedules::sweep(&self.app).await
    }

    /// Runs the settlement once (for tests without the timer).
    pub async fn settle(&self) -> Option<luckydraw_core::usecases::settlement::Settled> {
        schedules::settle(&self.app).await
    }
}

impl Running {
    /// Stops taking connections, lets the requests in flight finish, then stops the
    /// background tasks.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

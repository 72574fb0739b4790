//! `luckydraw-bench`: a load tool with an audit. Starts (or targets) a deployment, signs up
//! players, fires draws from many connections, reports throughput, latency and outcomes,
//! then waits for the queue to drain and audits DESIGN §5 over the admin API, exiting 1 on
//! any violation. See `--help` and `infra/bench/README.md`.

mod admin;
mod api;
mod audit;
mod cli;
mod drain;
mod error;
mod outcome;
mod players;
mod report;
mod runner;
mod storm;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use admin::{Activity, Admin};
use api::Api;
use cli::{Cli, Until};
use error::Error;
use report::{AuditReport, Latency, Report, Target, Throughput};
use runner::Runner;

/// How long one admin or sign-up request may take.
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(report) => {
            match cli.json {
                true => println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default()),
                false => print!("{}", report.text()),
            }
            if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Starts the runner if asked, loads and audits, then stops it (whatever happened).
async fn run(cli: &Cli) -> Result<Report, Error> {
    let run_id = format!("{:08x}", rand::random::<u32>());
    let started = match cli.target.start {
        true => {
            say(cli, "starting the local runner");
            let binary = runner::locate(cli.backends.runner.as_deref())?;
            let password = cli.admin.admin_password.as_deref();
            Some(runner::start(&binary, &cli.backends, &run_id, password).await?)
        }
        false => None,
    };
    let outcome = load_and_audit(cli, started.as_ref(), &run_id).await;
    let removed = match started {
        Some(runner) => runner.stop(cli.backends.keep_keys).await,
        None => Ok(None),
    };
    let mut report = outcome?;
    report.target.redis_keys_removed = removed?;
    Ok(report)
}

/// The run proper, against the started runner or `--url`.
async fn load_and_audit(cli: &Cli, started: Option<&Runner>, run_id: &str) -> Result<Report, Error> {
    let url = match (started, &cli.target.url) {
        (Some(runner), _) => runner.url.clone(),
        (None, Some(url)) => url.clone(),
        (None, None) => return Err(Error::Usage("give --url or --start".into())),
    };
    let setup = Api::new(&url, 16, SETUP_TIMEOUT)?;
    let admin = admin(cli, started, &setup).await?;
    let (activity, own_activity) = activity(cli, admin.as_ref(), run_id).await?;

    say(cli, &format!("signing up {} players", cli.load.players));
    let signing_up = Instant::now();
    let password = format!("bench-{:016x}", rand::random::<u64>());
    let players = Arc::new(players::sign_up(&setup, run_id, cli.load.players, &password).await?);
    let sign_up_secs = signing_up.elapsed().as_secs_f64();

    let connections = cli.load.connections as usize;
    let draws_api = Api::new(&url, connections, cli.load.timeout)?;
    let until = cli.load.until();
    let progress = progress_bar(cli, until);
    let storm = storm::run(&draws_api, players.clone(), &activity.id, cli.load.connections, until, &progress).await;

    let player_ids: Vec<String> = players.iter().map(|player| player.user_id.clone()).collect();
    let audit = match admin.as_ref().filter(|_| !cli.no_audit) {
        Some(admin) => Some(audit_after(cli, admin, &activity, own_activity, &storm, &player_ids).await?),
        None => None,
    };

    Ok(Report {
        target: Target {
            url,
            started: started.is_some(),
            runner_settings: started
                .map(|runner| runner.settings.iter().map(|(name, value)| (name.to_string(), value.clone())).collect())
                .unwrap_or_default(),
            redis_keys_removed: None,
        },
        activity: activity.id.clone(),
        players: cli.load.players,
        connections: cli.load.connections,
        sign_up_secs,
        draws: Throughput::of(&storm.tally, storm.elapsed),
        latency_ms: Latency::of(&storm.latency),
        outcomes: storm.tally,
        audit,
    })
}

/// The activity drawn on, and whether the bench made it: `--new-activity` creates one,
/// otherwise `--activity` as the admin API shows it (just its id when there is no admin).
async fn activity(cli: &Cli, admin: Option<&Admin>, run_id: &str) -> Result<(Activity, bool), Error> {
    let choice = &cli.activity;
    match (admin, choice.new_activity) {
        (Some(admin), true) => {
            let id = format!("bench-{run_id}");
            say(cli, &format!("creating the activity {id} ({} units)", choice.units));
            Ok((admin.create_activity(&id, choice.units, choice.per_user_limit).await?, true))
        }
        (Some(admin), false) => Ok((admin.activity(&choice.activity).await?, false)),
        (None, _) => Ok((Activity { id: choice.activity.clone(), ..Activity::default() }, false)),
    }
}

/// Waits for the queue to drain, then audits what the storm left.
async fn audit_after(
    cli: &Cli,
    admin: &Admin,
    activity: &Activity,
    own_activity: bool,
    storm: &storm::Storm,
    players: &[String],
) -> Result<AuditReport, Error> {
    say(cli, "waiting for the queue to drain, then auditing");
    let drained = drain::wait(admin, &activity.id, &storm.seen, cli.drain_timeout).await?;
    let violations = audit::audit(&audit::Evidence {
        activity,
        figures: &drained.figures,
        orders: &drained.orders,
        seen: &storm.seen,
        players,
        unanswered: storm.tally.transport_errors,
        own_activity,
    });
    Ok(AuditReport {
        passed: violations.is_empty(),
        drained: drained.complete,
        drain_secs: drained.waited.as_secs_f64(),
        orders: drained.orders.len(),
        won_draws_seen: storm.seen.iter().filter(|draw| draw.outcome == outcome::Outcome::Won).count(),
        violations,
    })
}

/// The admin the audit (and `--new-activity`) acts as: the started runner's seeded admin,
/// else `--admin-token`, else a login with `--admin-password`; `None` when nothing needs one.
async fn admin(cli: &Cli, started: Option<&Runner>, api: &Api) -> Result<Option<Admin>, Error> {
    let credentials = &cli.admin;
    if let Some(runner) = started {
        return Admin::login(api.clone(), "admin", &runner.admin_password).await.map(Some);
    }
    match (&credentials.admin_token, &credentials.admin_password) {
        (Some(token), _) => Ok(Some(Admin::new(api.clone(), token.clone()))),
        (None, Some(password)) => Admin::login(api.clone(), &credentials.admin_user, password).await.map(Some),
        (None, None) if cli.no_audit && !cli.activity.new_activity => Ok(None),
        (None, None) => Err(Error::Usage(
            "the audit and --new-activity need an admin: give --admin-token (LUCKYDRAW_TOKEN) or \
             --admin-password (LUCKYDRAW_ADMIN_PASSWORD), or --no-audit"
                .into(),
        )),
    }
}

/// A bar on stderr while the storm runs: draws sent of --draws, or time gone of --duration;
/// hidden with `--json` or when stderr is not a terminal.
fn progress_bar(cli: &Cli, until: Until) -> ProgressBar {
    if cli.json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (length, template) = match until {
        Until::Draws(draws) => (draws, "{wide_bar} {pos}/{len} draws, {msg} [{elapsed}]"),
        Until::Elapsed(duration) => (duration.as_millis() as u64, "{wide_bar} {msg} [{elapsed}]"),
    };
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}

/// A line about what happens next, on stderr unless `--json`.
fn say(cli: &Cli, what: &str) {
    if !cli.json {
        eprintln!("{what} ...");
    }
}

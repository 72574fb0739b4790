//! `luckydraw-admin`: the operator's command line over the admin HTTP API (`admin-api.md`).
//! Each command is *parse the arguments → call the API → print the answer* (a table, or
//! the raw JSON with `--json`). See `--help` and `docs/operators.md`.

mod api;
mod apply;
mod cli;
mod client;
mod error;
mod render;

use std::error::Error as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use cli::{Cli, Command, Global, OrdersArgs, QuotaCommand};
use client::{Client, OrderQuery};
use error::Error;

/// How often `restore` asks again while the order queue drains.
const RESTORE_RETRY: Duration = Duration::from_secs(2);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::from(error.exit_code())
        }
    }
}

/// Prints an answer: its raw JSON with `--json`, else the text `render` makes of it.
struct Out {
    json: bool,
}

impl Out {
    fn print(&self, raw: &Value, render: impl FnOnce() -> String) {
        match self.json {
            true => println!("{}", serde_json::to_string_pretty(raw).unwrap_or_default()),
            false => println!("{}", render()),
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let out = Out { json: cli.global.json };
    if let Command::Apply { file, dry_run } = &cli.command {
        // A bad campaign file is reported before logging in.
        let input = apply::read(file)?;
        return apply(&connect(&cli.global).await?, &out, input, *dry_run).await;
    }
    let client = connect(&cli.global).await?;
    match cli.command {
        Command::Login => {
            out.print(&json!({ "token": client.token().expose_secret() }), || client.token().expose_secret().to_owned())
        }
        Command::Apply { .. } => {} // carried out above, once the file was read
        Command::List => {
            let reply = client.activities().await?;
            out.print(&reply.raw, || render::activities(&reply.body.activities));
        }
        Command::Show { id } => {
            let reply = client.activity(&id).await?;
            out.print(&reply.raw, || render::activity(&reply.body));
        }
        Command::Online { id } => set_status(&client, &out, &id, "online").await?,
        Command::Offline { id } => set_status(&client, &out, &id, "offline").await?,
        Command::Delete { id } => {
            client.delete_activity(&id).await?;
            out.print(&json!({ "deleted": id }), || format!("{id}: deleted"));
        }
        Command::Stats { id } => {
            let reply = client.stats(&id).await?;
            out.print(&reply.raw, || render::stats(&reply.body));
        }
        Command::Orders(args) => orders(&client, &out, &args).await?,
        Command::Quota(command) => quota(&client, &out, command).await?,
        Command::Tags { username, tags, clear } => {
            let user = client.user(&username).await?;
            let reply = match (tags.is_empty(), clear) {
                (true, false) => user,
                _ => client.set_tags(&user.body.id, &tags).await?,
            };
            out.print(&reply.raw, || render::user(&reply.body));
        }
        Command::Stock { activity, prize, delta } => {
            let reply = client.change_stock(&activity, &prize, delta).await?;
            out.print(&reply.raw, || render::stock(&activity, &reply.body));
        }
        Command::Preload { id } => {
            let reply = client.load(&id, "preload").await?;
            out.print(&reply.raw, || render::loaded(&id, "preloaded", &reply.body));
        }
        Command::Flush { id } => {
            let reply = client.flush(&id).await?;
            let verb = if reply.body.flushed { "stock removed from the stock store" } else { "no stock was loaded" };
            out.print(&reply.raw, || format!("{id}: {verb}"));
        }
        Command::Restore { id, wait } => restore(&client, &out, &id, Duration::from_secs(wait)).await?,
        Command::Reconcile { id } => {
            let reply = client.reconcile(&id).await?;
            out.print(&reply.raw, || render::reconciled(&id, &reply.body));
        }
        Command::Audit { limit } => {
            let reply = client.audit(limit).await?;
            out.print(&reply.raw, || render::audit(&reply.body.entries));
        }
    }
    Ok(())
}

/// A client with the token given, or logged in with the password.
async fn connect(global: &Global) -> Result<Client, Error> {
    if let Some(token) = global.token.as_deref().filter(|token| !token.is_empty()) {
        return Client::with_token(&global.url, SecretString::from(token.to_owned()), global.timeout());
    }
    let password = global.password.as_deref().filter(|password| !password.is_empty()).ok_or(Error::NoCredentials)?;
    Client::login(&global.url, &global.user, &SecretString::from(password.to_owned()), global.timeout()).await
}

/// `apply`: plan, report (and with `--dry-run` stop there), carry out.
async fn apply(client: &Client, out: &Out, input: api::ActivityInput, dry_run: bool) -> Result<(), Error> {
    let id = input.id.clone().unwrap_or_default();
    let current = client.find_activity(&id).await?;
    let plan = apply::plan(&input, current.as_ref())?;
    if dry_run {
        let lines = plan.lines();
        out.print(&json!({ "dry_run": true, "changes": lines }), || format!("would:\n  {}", lines.join("\n  ")));
        return Ok(());
    }
    let mut changes = Vec::new();
    let result = apply::execute(client, &plan, &mut |line| {
        if !out.json {
            println!("{line}");
        }
        changes.push(line);
    })
    .await;
    let activity = result?;
    if out.json {
        out.print(&json!({ "changes": changes, "activity": activity }), String::new);
    }
    Ok(())
}

/// `online` / `offline`.
async fn set_status(client: &Client, out: &Out, id: &str, status: &str) -> Result<(), Error> {
    let reply = client.patch_activity(id, &json!({ "status": status })).await?;
    let loaded = if reply.body.loaded { "loaded" } else { "not loaded" };
    out.print(&reply.raw, || format!("{id}: {} (stock {loaded})", reply.body.status));
    Ok(())
}

/// `orders`: one page, or with `--all` every page.
async fn orders(client: &Client, out: &Out, args: &OrdersArgs) -> Result<(), Error> {
    let mut cursor = args.cursor.clone();
    let mut orders = Vec::new();
    let mut raw = Vec::new();
    loop {
        let query = OrderQuery {
            activity: args.activity.as_deref(),
            status: args.status.as_deref(),
            limit: args.limit,
            cursor: cursor.as_deref(),
        };
        let page = client.orders(&query).await?;
        raw.extend(page.raw.get("orders").and_then(Value::as_array).cloned().unwrap_or_default());
        orders.extend(page.body.orders);
        cursor = page.body.next_cursor;
        if !args.all || cursor.is_none() {
            break;
        }
    }
    let raw = json!({ "orders": raw, "next_cursor": cursor });
    out.print(&raw, || match &cursor {
        Some(next) => format!("{}\nmore: --cursor {next} (or --all)", render::orders(&orders)),
        None => render::orders(&orders),
    });
    Ok(())
}

/// `quota set|rm|list`.
async fn quota(client: &Client, out: &Out, command: QuotaCommand) -> Result<(), Error> {
    match command {
        QuotaCommand::Set { activity, username, limit } => {
            let user = client.user(&username).await?.body;
            let raw = client.set_quota(&activity, &user.id, limit).await?;
            let shown = if limit == 0 { "unlimited".to_owned() } else { limit.to_string() };
            out.print(&raw, || format!("{activity}: {username} may draw {shown} time(s)"));
        }
        QuotaCommand::Rm { activity, username } => {
            let user = client.user(&username).await?.body;
            client.remove_quota(&activity, &user.id).await?;
            let raw = json!({ "activity": activity, "user_id": user.id, "removed": true });
            out.print(&raw, || format!("{activity}: {username} has the activity's limits again"));
        }
        QuotaCommand::List { activity } => {
            let reply = client.quotas(&activity).await?;
            out.print(&reply.raw, || render::quotas(&reply.body.quotas));
        }
    }
    Ok(())
}

/// `restore`: asks again while the API answers 409 because the order queue is not drained,
/// with a spinner, until it succeeds or `wait` has passed. A loaded stock is refused at once.
async fn restore(client: &Client, out: &Out, id: &str, wait: Duration) -> Result<(), Error> {
    if client.activity(id).await?.body.loaded {
        return Err(Error::Refused(format!(
            "{id}: its stock is loaded; restore only rebuilds lost stock (`luckydraw-admin flush {id}` first if it is wrong)"
        )));
    }
    let started = tokio::time::Instant::now();
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner.set_message(format!("restoring {id} from the ledger"));
    let result = loop {
        match client.load(id, "restore").await {
            Err(error) if error.is_conflict() && started.elapsed() + RESTORE_RETRY < wait => {
                spinner.set_message(format!("waiting for the order queue to drain ({error})"));
                tokio::time::sleep(RESTORE_RETRY).await;
            }
            Err(error) if error.is_conflict() => {
                break Err(Error::GaveUp { waited_secs: started.elapsed().as_secs(), last: Box::new(error) });
            }
            other => break other,
        }
    };
    spinner.finish_and_clear();
    let reply = result?;
    out.print(&reply.raw, || render::loaded(id, "restored from the ledger", &reply.body));
    Ok(())
}

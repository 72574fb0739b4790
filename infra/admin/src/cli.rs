//! The command line: global options and one subcommand per operator task, each with the
//! manual text `--help` prints.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// `luckydraw-admin`: run lucky-draw campaigns over the admin HTTP API.
#[derive(Debug, Parser)]
#[command(
    name = "luckydraw-admin",
    version,
    about = "Run lucky-draw campaigns over the admin HTTP API",
    long_about = "Run lucky-draw campaigns over the admin HTTP API of a luckydraw deployment (or the \
local runner, `cargo run -p luckydraw-local`).\n\n\
Every command logs in as an admin first (POST /login with --user/--password), unless it is \
given a session token with --token (or LUCKYDRAW_TOKEN; `luckydraw-admin login` prints one). \
Answers are printed as tables; --json prints the API's JSON instead.\n\n\
Exit status: 0 on success, 1 when the API refused the request (its code, message and field \
are printed), 2 for a usage error, 3 when the API could not be reached or answered something \
unexpected, 4 for an unreadable or invalid campaign file.",
    after_help = "Examples:\n  \
export LUCKYDRAW_URL=https://draw.example.com LUCKYDRAW_ADMIN_PASSWORD=...\n  \
export LUCKYDRAW_TOKEN=$(luckydraw-admin login)\n  \
luckydraw-admin apply docs/examples/campaign.toml\n  \
luckydraw-admin online tea-festival\n  \
luckydraw-admin stats tea-festival\n\n\
See docs/operators.md for a campaign from start to end."
)]
pub struct Cli {
    /// Connection and output options shared by every command.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Base URL of the deployment's API.
    #[arg(long, env = "LUCKYDRAW_URL", default_value = "http://127.0.0.1:3000", global = true)]
    pub url: String,
    /// A session token from `luckydraw-admin login` (skips logging in).
    #[arg(long, env = "LUCKYDRAW_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    /// The admin to log in as.
    #[arg(long, env = "LUCKYDRAW_ADMIN_USER", default_value = "admin", global = true)]
    pub user: String,
    /// The admin's password (prefer the variable: arguments show in the process list).
    #[arg(long, env = "LUCKYDRAW_ADMIN_PASSWORD", hide_env_values = true, global = true)]
    pub password: Option<String>,
    /// Print the API's JSON answers instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds each HTTP request may take.
    #[arg(long, env = "LUCKYDRAW_TIMEOUT", default_value_t = 30, value_name = "SECS", global = true)]
    pub timeout: u64,
}

impl Global {
    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }
}

/// The operator's tasks.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in and print the session token.
    #[command(
        long_about = "Log in with --user/--password and print the session token, for LUCKYDRAW_TOKEN: \
later commands then skip the login (and its rate limit).",
        after_help = "Example:\n  export LUCKYDRAW_TOKEN=$(LUCKYDRAW_ADMIN_PASSWORD=... luckydraw-admin login)"
    )]
    Login,
    /// Create or update an activity from a campaign file.
    #[command(
        long_about = "Create or update an activity from a TOML or JSON campaign file (the API's \
ActivityInput: name, starts_at, ends_at, draw_mode, per_user_limit, pay_window_secs, prizes, ...).\n\n\
The file must give the activity's `id`. If no activity has it, the activity is created (POST). \
Otherwise the fields the file gives are compared with the activity and only those that differ \
are changed (PATCH); prizes are matched by `id` (or by name when the file gives no id): those \
that differ are changed, new ones added and those missing from the file deleted. A prize's \
`initial` changes by a stock delta once the stock is loaded (online too). While the activity is \
online only a prize's name, description and picture (and units) may change, and prizes are only \
added or deleted while its stock is not loaded (`flush`); such changes are refused before any \
call is made. A `status` in the file is applied last (first when it takes the activity offline). \
Fields the file leaves out are left as they are.\n\n\
The format follows the extension (.toml or .json). Times are RFC 3339 strings; in TOML an \
unquoted date-time works too. Money is in fen (1990 = ¥19.90).",
        after_help = "Examples:\n  \
luckydraw-admin apply docs/examples/campaign.toml\n  \
luckydraw-admin apply --dry-run campaign.json     # print the changes without making them"
    )]
    Apply {
        /// The campaign file (.toml or .json).
        file: PathBuf,
        /// Print what would change and stop.
        #[arg(long)]
        dry_run: bool,
    },
    /// List every activity, drafts included.
    #[command(after_help = "Example:\n  luckydraw-admin list")]
    List,
    /// Show an activity and its prizes.
    #[command(after_help = "Example:\n  luckydraw-admin show tea-festival")]
    Show {
        /// The activity's id.
        id: String,
    },
    /// Take an activity online (loads its stock the first time).
    #[command(
        long_about = "Take an activity online: players may draw between its start and end. The first \
time, its stock is loaded into the stock store. Refused (409) when the ledger already holds draws \
but the stock is not loaded: use `restore`.",
        after_help = "Example:\n  luckydraw-admin online tea-festival"
    )]
    Online {
        /// The activity's id.
        id: String,
    },
    /// Take an activity offline (draws stop; orders carry on).
    #[command(after_help = "Example:\n  luckydraw-admin offline tea-festival")]
    Offline {
        /// The activity's id.
        id: String,
    },
    /// Delete an activity (not while online, never once it has draws).
    #[command(after_help = "Example:\n  luckydraw-admin delete tea-festival")]
    Delete {
        /// The activity's id.
        id: String,
    },
    /// An activity's figures: stock, reserved, sold, released, wins, drift.
    #[command(
        long_about = "An activity's figures per prize and in total: initial and remaining stock, \
units reserved (won, unpaid), sold (paid or free), released (won then given back), wins, draws \
and players. `drift` lists the prizes whose remaining stock in the stock store differs from what \
the ledger says it should be (initial − units held); none is the healthy answer.",
        after_help = "Examples:\n  luckydraw-admin stats tea-festival\n  watch -n 5 luckydraw-admin stats tea-festival"
    )]
    Stats {
        /// The activity's id.
        id: String,
    },
    /// List orders, newest first.
    #[command(
        long_about = "List orders, optionally of one activity and in one status (pending_payment, \
fulfilled, paid, cancelled, expired, refunded). One page by default; --all follows the cursors \
to the end.",
        after_help = "Examples:\n  \
luckydraw-admin orders --activity tea-festival --status pending_payment\n  \
luckydraw-admin orders --all --json > orders.json"
    )]
    Orders(OrdersArgs),
    /// Per-user draw limits of an activity (VIP quotas).
    #[command(subcommand)]
    Quota(QuotaCommand),
    /// Set a user's tags (eligibility rules match on them), or show them.
    #[command(
        long_about = "Replace a user's tags with the ones given (1–32 characters of a-z, 0-9, _ and -; \
at most 16). Activities' eligibility rules (tags_any, tags_none) match on them. With no tags, \
print the user's current tags; --clear removes them all.",
        after_help = "Examples:\n  \
luckydraw-admin tags alice beta vip-2026\n  \
luckydraw-admin tags alice            # show alice's tags\n  \
luckydraw-admin tags alice --clear"
    )]
    Tags {
        /// The user's login name.
        username: String,
        /// The tags to set.
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        clear: bool,
    },
    /// Add (or with a negative delta, remove) units of a prize.
    #[command(
        long_about = "Add units of a prize to its stock, or remove them with a negative delta. The \
stock never goes below what is left (409).",
        after_help = "Examples:\n  luckydraw-admin stock tea-festival bear 50\n  luckydraw-admin stock tea-festival bear -10"
    )]
    Stock {
        /// The activity's id.
        activity: String,
        /// The prize's id.
        prize: String,
        /// Units to add (negative: to remove).
        #[arg(allow_negative_numbers = true)]
        delta: i64,
    },
    /// Load an activity's initial stock into the stock store.
    #[command(
        long_about = "Load an activity's initial stock into the stock store now (taking it online does \
this the first time). Refused when the stock is already loaded or the ledger holds draws: loading \
then would sell the recorded draws' units again; use `restore`.",
        after_help = "Example:\n  luckydraw-admin preload tea-festival"
    )]
    Preload {
        /// The activity's id.
        id: String,
    },
    /// Remove an activity's stock from the stock store (not while online).
    #[command(after_help = "Example:\n  luckydraw-admin flush tea-festival")]
    Flush {
        /// The activity's id.
        id: String,
    },
    /// Rebuild lost stock from the draw ledger.
    #[command(
        long_about = "Rebuild an activity's stock in the stock store from the draw ledger, exactly \
(after the stock store lost its data, e.g. Redis restarted empty). The API refuses (409) while \
the order queue is not drained: this command asks again every 2 seconds until it succeeds or \
--wait seconds have passed. Refused at once when the stock is loaded.",
        after_help = "Example:\n  luckydraw-admin restore tea-festival --wait 600"
    )]
    Restore {
        /// The activity's id.
        id: String,
        /// Seconds to keep asking while the order queue drains.
        #[arg(long, default_value_t = 300, value_name = "SECS")]
        wait: u64,
    },
    /// Run a settlement now (records draws, releases voided ones, re-sends lost messages).
    #[command(
        long_about = "Run a settlement now: draws the consumer never recorded are recorded, voided \
draws' units released, lost order messages sent again. It covers every activity (the schedule \
runs it every minute); the id only names the activity you are checking.",
        after_help = "Example:\n  luckydraw-admin reconcile tea-festival"
    )]
    Reconcile {
        /// The activity's id.
        id: String,
    },
    /// The admin audit log, newest first.
    #[command(after_help = "Example:\n  luckydraw-admin audit --limit 20")]
    Audit {
        /// How many entries.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

/// `orders` options.
#[derive(Debug, Args)]
pub struct OrdersArgs {
    /// Only this activity's orders.
    #[arg(long)]
    pub activity: Option<String>,
    /// Only orders in this status.
    #[arg(long)]
    pub status: Option<String>,
    /// Follow the cursors to the last page.
    #[arg(long)]
    pub all: bool,
    /// Orders per page.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Start from this cursor (printed after a page).
    #[arg(long)]
    pub cursor: Option<String>,
}

/// `quota` subcommands.
#[derive(Debug, Subcommand)]
pub enum QuotaCommand {
    /// Give a user their own draw limit in an activity (0 = unlimited).
    #[command(
        long_about = "Give a user their own draw limit in an activity, in place of per_user_limit / \
vip_per_user_limit (0 = unlimited).",
        after_help = "Example:\n  luckydraw-admin quota set tea-festival alice 20"
    )]
    Set {
        /// The activity's id.
        activity: String,
        /// The user's login name.
        username: String,
        /// Draws allowed (0 = unlimited).
        limit: u32,
    },
    /// Remove a user's own limit (the activity's limits apply again).
    #[command(after_help = "Example:\n  luckydraw-admin quota rm tea-festival alice")]
    Rm {
        /// The activity's id.
        activity: String,
        /// The user's login name.
        username: String,
    },
    /// List the users with their own limit in an activity.
    #[command(after_help = "Example:\n  luckydraw-admin quota list tea-festival")]
    List {
        /// The activity's id.
        activity: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_arguments_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_negative_stock_delta_is_a_number_not_an_option() {
        let cli = Cli::try_parse_from(["luckydraw-admin", "stock", "spring", "bear", "-10"]).expect("parses");
        assert!(matches!(cli.command, Command::Stock { delta: -10, .. }));
    }
}

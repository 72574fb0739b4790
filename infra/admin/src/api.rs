//! What the admin API takes and answers (`admin-api.md`): the inputs a campaign file holds,
//! and the bodies the commands read. Answers are read leniently (fields added later are
//! ignored); inputs strictly (a misspelt field in a file is an error, not a silent default).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant, written as RFC 3339 (`2026-11-24T10:00:00Z`); equal when the instants are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Parses RFC 3339.
    pub fn parse(text: &str) -> Result<Self, String> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(Self)
            .map_err(|_| format!("`{text}` is not an RFC 3339 time such as 2026-11-24T10:00:00Z"))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.format(&Rfc3339).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An activity's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being prepared; players cannot see it.
    Draft,
    /// Players may draw (between its start and end).
    Online,
    /// Closed to draws.
    Offline,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Draft => "draft",
            Status::Online => "online",
            Status::Offline => "offline",
        })
    }
}

/// How prizes are picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawMode {
    /// Odds follow the units left.
    RemainingStock,
    /// Odds by weight; sold-out prizes drop out.
    WeightRedistribute,
    /// Odds by weight; landing on a sold-out prize is a no-win.
    WeightKeep,
}

/// How a press of the draw button is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// The draw happens at once.
    #[default]
    Instant,
    /// The press takes a ticket; a worker draws tickets in arrival order.
    Queued,
}

/// Who may draw; every field optional, `{}` = everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// User kinds allowed (`normal`, `vip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// At least one of these tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_any: Option<Vec<String>>,
    /// None of these tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_none: Option<Vec<String>>,
    /// Registered before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_before: Option<Timestamp>,
    /// Registered after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_after: Option<Timestamp>,
}

/// An activity as a campaign file (and `POST /admin/activities`) gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// The id (generated from the name by the API when absent; `apply` needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    pub name: String,
    /// Longer text for the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Draft (default), online or offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// First instant a draw is accepted.
    pub starts_at: Timestamp,
    /// First instant a draw is no longer accepted.
    pub ends_at: Timestamp,
    /// How prizes are picked.
    pub draw_mode: DrawMode,
    /// Draws per user (0 = unlimited).
    pub per_user_limit: u32,
    /// Draws per VIP user (the normal limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip_per_user_limit: Option<u32>,
    /// Seconds a winner has to pay.
    pub pay_window_secs: u32,
    /// Priced prizes a user may hold unpaid at once (0 = no cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unpaid_per_user: Option<u32>,
    /// Who may draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<Eligibility>,
    /// Instant (default) or queued draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<Entry>,
    /// Redis stock buckets (hash slots) for a hot activity, 1 to 64 (`docs/scale.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets: Option<u16>,
    /// The prizes, in wheel order unless they give `wheel_index`.
    pub prizes: Vec<PrizeInput>,
}

/// A prize as a campaign file (and `POST .../prizes`) gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrizeInput {
    /// The id (generated from the name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Picture URL (`/prizes/bear.svg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Price in fen.
    pub price_fen: u64,
    /// Units in stock at the start.
    pub initial: u64,
    /// Relative odds in the weight modes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// A "thank you" prize (no price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolation: Option<bool>,
    /// Position on the wheel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheel_index: Option<u32>,
}

/// An activity as the API shows it.
#[derive(Clone, Debug, Deserialize)]
pub struct ActivityBody {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default)]
    pub description: String,
    /// Lifecycle state.
    pub status: Status,
    /// Start.
    pub starts_at: Timestamp,
    /// End.
    pub ends_at: Timestamp,
    /// How prizes are picked.
    pub draw_mode: DrawMode,
    /// Draws per user.
    #[serde(default)]
    pub per_user_limit: u32,
    /// Draws per VIP user.
    #[serde(default)]
    pub vip_per_user_limit: Option<u32>,
    /// Seconds to pay.
    #[serde(default)]
    pub pay_window_secs: u32,
    /// Unpaid cap.
    #[serde(default)]
    pub max_unpaid_per_user: Option<u32>,
    /// Who may draw (as the API wrote it).
    #[serde(default)]
    pub eligibility: Option<Value>,
    /// Instant or queued draws.
    #[serde(default)]
    pub entry: Entry,
    /// Redis stock buckets.
    #[serde(default = "one_bucket")]
    pub buckets: u16,
    /// Whether its stock is in the stock store.
    #[serde(default)]
    pub loaded: bool,
    /// Prizes in wheel order.
    #[serde(default)]
    pub prizes: Vec<PrizeBody>,
}

/// A prize as the API shows it.
#[derive(Clone, Debug, Deserialize)]
pub struct PrizeBody {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default)]
    pub description: String,
    /// Picture URL.
    #[serde(default)]
    pub picture: Option<String>,
    /// Price in fen.
    pub price_fen: u64,
    /// Units at the start.
    pub initial: u64,
    /// Units left (absent when not loaded).
    #[serde(default)]
    pub remaining: Option<u64>,
    /// Position on the wheel.
    #[serde(default)]
    pub wheel_index: u32,
    /// Relative odds.
    #[serde(default)]
    pub weight: u32,
    /// A "thank you" prize.
    #[serde(default)]
    pub consolation: bool,
}

/// `GET /admin/activities`.
#[derive(Debug, Deserialize)]
pub struct ActivityList {
    /// Every activity.
    pub activities: Vec<ActivityBody>,
}

/// `GET /admin/activities/{id}/stats`.
#[derive(Debug, Deserialize)]
pub struct Stats {
    /// The activity.
    pub activity_id: String,
    /// Its state.
    pub status: Status,
    /// Whether its stock is loaded.
    pub loaded: bool,
    /// Per prize.
    pub prizes: Vec<PrizeStats>,
    /// Sums.
    pub totals: Totals,
    /// Where the stock store and the ledger disagree.
    #[serde(default)]
    pub drift: Vec<Drift>,
}

/// One prize's figures.
#[derive(Debug, Deserialize)]
pub struct PrizeStats {
    /// Prize id.
    pub prize_id: String,
    /// Its name.
    pub name: String,
    /// Units at the start.
    pub initial: u64,
    /// Units left.
    pub remaining: u64,
    /// Won, unpaid.
    pub reserved: u64,
    /// Paid or free.
    pub sold: u64,
    /// Won then given back.
    pub released: u64,
    /// Times won.
    pub wins: u64,
}

/// An activity's sums.
#[derive(Debug, Deserialize)]
pub struct Totals {
    /// Units at the start.
    pub initial: u64,
    /// Units left.
    pub remaining: u64,
    /// Won, unpaid.
    pub reserved: u64,
    /// Paid or free.
    pub sold: u64,
    /// Won then given back.
    pub released: u64,
    /// Draws.
    pub draws: u64,
    /// Wins.
    pub wins: u64,
    /// Distinct players.
    pub players: u64,
}

/// A prize whose stock store disagrees with the ledger.
#[derive(Debug, Deserialize)]
pub struct Drift {
    /// Prize id.
    pub prize_id: String,
    /// Remaining per the stock store.
    pub stock_store: i64,
    /// Remaining per the ledger.
    pub ledger: i64,
}

/// `GET /admin/orders`.
#[derive(Debug, Deserialize)]
pub struct OrderPage {
    /// This page.
    pub orders: Vec<Order>,
    /// The next page's cursor; `None` on the last.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// An order.
#[derive(Debug, Deserialize)]
pub struct Order {
    /// Id.
    pub id: String,
    /// The player.
    pub user_id: String,
    /// The prize.
    #[serde(default)]
    pub prize_name: String,
    /// Amount in fen.
    pub amount_fen: u64,
    /// Status.
    pub status: String,
    /// When won.
    pub created_at: String,
}

/// `GET /admin/activities/{id}/quotas`.
#[derive(Debug, Deserialize)]
pub struct QuotaList {
    /// The users with a limit of their own.
    pub quotas: Vec<Quota>,
}

/// A user's own draw limit.
#[derive(Debug, Deserialize)]
pub struct Quota {
    /// User id.
    pub user_id: String,
    /// Login name.
    #[serde(default)]
    pub username: String,
    /// Draws allowed (0 = unlimited).
    pub limit: u32,
}

/// A user as the admin API shows them.
#[derive(Debug, Deserialize)]
pub struct UserBody {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// `normal`, `vip` or `admin`.
    pub kind: String,
    /// Account state.
    #[serde(default)]
    pub status: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `POST .../prizes/{prize}/stock`.
#[derive(Debug, Deserialize)]
pub struct StockLevel {
    /// Prize id.
    pub prize_id: String,
    /// Units at the start, after the change.
    pub initial: u64,
    /// Units left, after the change.
    pub remaining: u64,
}

/// `POST .../preload` and `.../restore`.
#[derive(Debug, Deserialize)]
pub struct Loaded {
    /// Units left per prize.
    pub remaining: BTreeMap<String, u64>,
    /// Units held by recorded draws per prize.
    #[serde(default)]
    pub held: BTreeMap<String, u64>,
    /// Recorded draws.
    #[serde(default)]
    pub draws: u64,
}

/// `POST .../flush`.
#[derive(Debug, Deserialize)]
pub struct Flushed {
    /// Whether there was stock to remove.
    pub flushed: bool,
}

/// `POST .../reconcile`.
#[derive(Debug, Deserialize)]
pub struct Reconciled {
    /// Draws recorded.
    pub recorded: u64,
    /// Voided draws whose units were released.
    pub released: u64,
    /// Order messages sent again.
    pub requeued: u64,
    /// This activity's draws still inside the settlement's grace period (when the API says).
    #[serde(default)]
    pub waiting: Option<u64>,
}

/// `GET /admin/audit`.
#[derive(Debug, Deserialize)]
pub struct Audit {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
}

/// One admin action.
#[derive(Debug, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: String,
    /// Who.
    pub admin: String,
    /// `METHOD path`.
    pub action: String,
    /// The answer's status.
    pub status: u16,
}

/// What an activity answered without `buckets` (an older API) spreads over.
fn one_bucket() -> u16 {
    1
}

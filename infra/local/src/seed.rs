//! The demo seed: the `demo` activity (6,500 units times `LUCKYDRAW_DEMO_SCALE`), the
//! queued `queue-demo` (a tenth of that), an admin, and a demo player. Seeding never overwrites stock or users that already exist.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{
    Activity, ActivityId, ActivitySpec, Entry, Password, PasswordHash, Session, SessionToken, User, UserId, UserKind,
    UserStatus, Username,
};
use luckydraw_core::usecases::accounts::{self, Credentials};
use luckydraw_core::usecases::stock_admin;
use tracing::{info, warn};

/// The demo activity, as operators would write it.
pub const DEMO_ACTIVITY: &str = include_str!("../../seed/demo-activity.json");

/// The queued demo activity's id.
pub const QUEUE_DEMO: &str = "queue-demo";

/// The demo player's login (documented in the README).
pub const DEMO_PLAYER: (&str, &str) = ("player", "luckydraw");

/// The player the HTTP events in `events/` act as: their draw and order belong to this
/// user id, and they carry this session token (`Authorization: Bearer` or the cookie).
pub const EVENT_PLAYER: EventPlayer = EventPlayer {
    id: "01a20048624b7d00b71efd11677e9aa5",
    username: "events",
    token: "ZXZlbnRzLWZpeHR1cmUtc2Vzc2lvbi10b2tlbi0wMDE",
};

/// The admin the admin function's events in `events/admin/` act as.
pub const EVENT_ADMIN: EventPlayer = EventPlayer {
    id: "01a20048624b7d00b71efd11677e9ab6",
    username: "events-admin",
    token: "ZXZlbnRzLWZpeHR1cmUtc2Vzc2lvbi10b2tlbi1hZG0",
};

/// A user with a fixed id and session token (see [`EVENT_PLAYER`], [`EVENT_ADMIN`]).
#[derive(Clone, Copy, Debug)]
pub struct EventPlayer {
    /// The user id.
    pub id: &'static str,
    /// The login name (the account has no password: it cannot log in, only use the token).
    pub username: &'static str,
    /// The session token.
    pub token: &'static str,
}

/// What the seed created.
#[derive(Debug)]
pub struct Seeded {
    /// The admin's password, if this seed set it.
    pub admin_password: Option<String>,
}

/// Seeds the demo into `app`.
pub async fn seed(app: &App, scale: u64, admin_password: Option<String>) -> Result<Seeded, Error> {
    seed_demo_activity(app, scale).await?;
    seed_queue_demo(app, scale).await?;
    let admin_password = admin_password.unwrap_or_else(|| URL_SAFE_NO_PAD.encode(app.random.bytes::<16>()));
    let created = add_user(app, "admin", &admin_password, UserKind::Admin).await?;
    add_user(app, DEMO_PLAYER.0, DEMO_PLAYER.1, UserKind::Normal).await?;
    Ok(Seeded { admin_password: created.then_some(admin_password) })
}

/// Stores the demo activity and loads its initial stock unless its stock is loaded or the
/// ledger holds draws of it (then it stays unloaded, draws answer 503, and the log says to
/// restore it: loading would sell the recorded draws' units again).
pub async fn seed_demo_activity(app: &App, scale: u64) -> Result<Activity, Error> {
    let mut spec: ActivitySpec = serde_json::from_str(DEMO_ACTIVITY).map_err(Error::invalid)?;
    for prize in &mut spec.prizes {
        prize.initial = prize.initial.saturating_mul(scale);
    }
    seed_activity(app, spec).await
}

/// The queued demo, [`QUEUE_DEMO`]: the demo's prizes with a tenth of their stock, drawn
/// first come, first drawn (`"entry": "queued"`); seeded like the demo.
pub async fn seed_queue_demo(app: &App, scale: u64) -> Result<Activity, Error> {
    let mut spec: ActivitySpec = serde_json::from_str(DEMO_ACTIVITY).map_err(Error::invalid)?;
    spec.id = ActivityId::parse(QUEUE_DEMO).map_err(Error::invalid)?;
    spec.name = "First Come, First Drawn".into();
    spec.description = "A queued draw: take a ticket, watch your place in the line count down, then the wheel spins \
                        for you in arrival order."
        .into();
    spec.entry = Entry::Queued;
    for prize in &mut spec.prizes {
        prize.initial = (prize.initial / 10).saturating_mul(scale);
    }
    seed_activity(app, spec).await
}

/// Stores `spec`'s activity and loads its stock, as [`seed_demo_activity`] describes.
async fn seed_activity(app: &App, spec: ActivitySpec) -> Result<Activity, Error> {
    let activity = Activity::new(spec).map_err(Error::invalid)?;
    app.activities.put(&activity).await?;
    if app.stock.remaining(&activity.id).await?.is_none() {
        match stock_admin::load(app, &activity.id).await {
            Ok(loaded) => {
                info!(activity = %activity.id, units = loaded.remaining.values().sum::<u64>(), "demo stock loaded")
            }
            Err(Error::InvalidState(why)) => {
                warn!(activity = %activity.id, "demo stock not loaded: {why}; run `luckydraw-admin restore {}`", activity.id)
            }
            Err(error) => return Err(error),
        }
    }
    Ok(activity)
}

/// Adds a user unless the name is taken; `Ok(true)` if added.
async fn add_user(app: &App, name: &str, password: &str, kind: UserKind) -> Result<bool, Error> {
    let username = Username::parse(name).map_err(Error::invalid)?;
    if app.users.by_username(&username).await?.is_some() {
        return Ok(false);
    }
    let password = Password::parse(password.to_owned()).map_err(Error::invalid)?;
    let user = accounts::new_user(app, Credentials { username, password }, kind).await?;
    Ok(app.users.insert(&user).await?)
}

/// Creates the [`EVENT_PLAYER`] and the [`EVENT_ADMIN`] (unless their names are taken) and
/// (re)opens their sessions, so the events in `events/` are answered as them by functions on
/// these backends.
pub async fn seed_event_player(app: &App) -> Result<(), Error> {
    seed_event_user(app, EVENT_PLAYER, UserKind::Normal).await?;
    seed_event_user(app, EVENT_ADMIN, UserKind::Admin).await
}

async fn seed_event_user(app: &App, event_user: EventPlayer, kind: UserKind) -> Result<(), Error> {
    let now = app.clock.now();
    let user = User {
        id: UserId::parse(event_user.id).map_err(Error::invalid)?,
        username: Username::parse(event_user.username).map_err(Error::invalid)?,
        // Not a PHC string: no password ever verifies against it.
        password_hash: PasswordHash::from_phc("!".into()),
        kind,
        status: UserStatus::Active,
        created_at: now,
        tags: Default::default(),
    };
    app.users.insert(&user).await?;
    let token = SessionToken::parse(event_user.token).ok_or_else(|| Error::invalid("the event token is malformed"))?;
    let session = Session { user_id: user.id, username: user.username, kind: user.kind, created_at: now };
    app.sessions.put(&token.key(), &session, now.plus(app.settings.session_idle)).await?;
    Ok(())
}

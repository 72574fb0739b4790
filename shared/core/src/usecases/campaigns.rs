//! Operators' campaigns: create, change, take online or offline and delete activities and
//! their prizes. The rules that keep the stock exact:
//! - a draft has never taken a draw, so going online the first time loads its initial stock;
//!   an activity never goes back to draft;
//! - while online, no prize is added or deleted, the draw mode stays, and stock changes only
//!   by [`adjust_stock`] (never below what is left);
//! - the prize table's stock (`initial`, prizes added or deleted) changes only while the
//!   activity's stock is not loaded, and a prize with draws is never deleted;
//! - an activity with draws can be taken offline but not deleted.

use std::sync::Arc;

use serde::{Deserialize, Deserializer};
use tracing::{info, instrument};

use crate::app::{HasActivities, HasLedger, HasQueue, HasRandom, HasStock};
use crate::domain::{
    Activity, ActivityId, ActivitySpec, ActivityStatus, DEFAULT_MAX_UNPAID, DrawLimit, DrawMode, Eligibility, Entry,
    Money, Prize, PrizeId, Timestamp,
};
use crate::error::Error;
use crate::usecases::stock_admin;

/// A new activity as an operator writes it: ids and wheel positions may be left out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityDraft {
    /// Id; made from the name when absent.
    #[serde(default)]
    pub id: Option<ActivityId>,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default)]
    pub description: String,
    /// Draft (default), online or offline.
    #[serde(default)]
    pub status: Option<ActivityStatus>,
    /// First instant a draw is accepted.
    pub starts_at: Timestamp,
    /// First instant a draw is no longer accepted.
    pub ends_at: Timestamp,
    /// How prizes are picked.
    pub draw_mode: DrawMode,
    /// Instant (default) or queued draws.
    #[serde(default)]
    pub entry: Entry,
    /// Draws per user (0 = unlimited).
    #[serde(default)]
    pub per_user_limit: DrawLimit,
    /// Draws per VIP.
    #[serde(default)]
    pub vip_per_user_limit: Option<DrawLimit>,
    /// Seconds a winner has to pay.
    pub pay_window_secs: u32,
    /// Unpaid priced prizes one user may hold (default 3; 0 = no cap).
    #[serde(default)]
    pub max_unpaid_per_user: Option<u32>,
    /// Who may draw.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Redis stock buckets (default 1; `docs/scale.md`).
    #[serde(default)]
    pub buckets: Option<u16>,
    /// The prizes.
    pub prizes: Vec<PrizeDraft>,
}

/// A prize as an operator writes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrizeDraft {
    /// Id; made from the name when absent.
    #[serde(default)]
    pub id: Option<PrizeId>,
    /// Display name.
    pub name: String,
    /// Longer text.
    #[serde(default)]
    pub description: String,
    /// Picture path or URL.
    #[serde(default)]
    pub picture: String,
    /// Price in fen (0 = free).
    pub price_fen: Money,
    /// Units.
    pub initial: u64,
    /// Relative odds in the weight modes.
    #[serde(default)]
    pub weight: u32,
    /// The "thank you" slot.
    #[serde(default)]
    pub consolation: bool,
    /// Wheel position; the next free one when absent.
    #[serde(default)]
    pub wheel_index: Option<u16>,
}

/// Changes to an activity's own fields; absent fields stay.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Online or offline (never back to draft).
    pub status: Option<ActivityStatus>,
    /// New start.
    pub starts_at: Option<Timestamp>,
    /// New end.
    pub ends_at: Option<Timestamp>,
    /// New mode (not while online).
    pub draw_mode: Option<DrawMode>,
    /// New entry mode (not while online).
    pub entry: Option<Entry>,
    /// New per-user limit.
    pub per_user_limit: Option<DrawLimit>,
    /// New VIP limit; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    pub vip_per_user_limit: Option<Option<DrawLimit>>,
    /// New pay window.
    pub pay_window_secs: Option<u32>,
    /// New unpaid cap.
    pub max_unpaid_per_user: Option<u32>,
    /// New eligibility rules.
    pub eligibility: Option<Eligibility>,
    /// New Redis stock bucket count (only while the stock is not loaded).
    pub buckets: Option<u16>,
}

/// Changes to a prize; absent fields stay.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrizePatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New picture.
    pub picture: Option<String>,
    /// New price (not while online).
    pub price_fen: Option<Money>,
    /// New units (only while the stock is not loaded).
    pub initial: Option<u64>,
    /// New weight (not while online).
    pub weight: Option<u32>,
    /// Consolation or not (not while online).
    pub consolation: Option<bool>,
    /// New wheel position (not while online).
    pub wheel_index: Option<u16>,
}

/// A field that may be sent as `null`: `Some(None)` then, `None` when absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A prize's stock after a change: what the activity lists and what is left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrizeStock {
    /// The prize.
    pub prize_id: PrizeId,
    /// Units it now lists.
    pub initial: u64,
    /// Units left in the stock store.
    pub remaining: u64,
}

/// Creates an activity (as a draft unless the draft says otherwise; online loads its stock).
#[instrument(skip_all)]
pub async fn create(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue + HasRandom),
    draft: ActivityDraft,
) -> Result<Activity, Error> {
    let id = match draft.id.clone() {
        Some(id) => id,
        None => ActivityId::parse(&slug(&draft.name, || hex::encode(app.random().bytes::<4>())))
            .map_err(|error| Error::field_error("id", error))?,
    };
    let wanted = draft.status.unwrap_or(ActivityStatus::Draft);
    let spec = ActivitySpec {
        id: id.clone(),
        name: draft.name,
        description: draft.description,
        starts_at: draft.starts_at,
        ends_at: draft.ends_at,
        status: ActivityStatus::Draft,
        draw_mode: draft.draw_mode,
        entry: draft.entry,
        per_user_limit: draft.per_user_limit,
        vip_per_user_limit: draft.vip_per_user_limit,
        pay_window_secs: draft.pay_window_secs,
        max_unpaid_per_user: draft.max_unpaid_per_user.unwrap_or(DEFAULT_MAX_UNPAID),
        eligibility: draft.eligibility,
        buckets: draft.buckets.unwrap_or(1),
        prizes: prizes_from(draft.prizes)?,
    };
    let activity = Activity::new(spec)?;
    if !app.activities().create(&activity).await? {
        return Err(Error::InvalidState(format!("activity `{id}` exists already")));
    }
    info!(activity = %id, "activity created");
    match wanted {
        ActivityStatus::Draft => Ok(activity),
        status => set_status(app, activity, status).await,
    }
}

/// Changes an activity's own fields (and its status, which may load its stock).
#[instrument(skip_all, fields(activity = %id))]
pub async fn update(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue),
    id: &ActivityId,
    patch: ActivityPatch,
) -> Result<Activity, Error> {
    let activity = get(app, id).await?;
    let online = activity.status == ActivityStatus::Online;
    if online && patch.draw_mode.is_some_and(|mode| mode != activity.draw_mode) {
        return Err(Error::InvalidState("the draw mode cannot change while the activity is online".into()));
    }
    if online && patch.entry.is_some_and(|entry| entry != activity.entry) {
        return Err(Error::InvalidState("the entry mode cannot change while the activity is online".into()));
    }
    let mut spec = ActivitySpec::from(activity.clone());
    let ActivityPatch {
        name,
        description,
        status,
        starts_at,
        ends_at,
        draw_mode,
        entry,
        per_user_limit,
        vip_per_user_limit,
        pay_window_secs,
        max_unpaid_per_user,
        eligibility,
        buckets,
    } = patch;
    if buckets.is_some_and(|buckets| buckets != activity.buckets) {
        unloaded(app, id, "change the stock buckets").await?;
    }
    replace(&mut spec.name, name);
    replace(&mut spec.description, description);
    replace(&mut spec.starts_at, starts_at);
    replace(&mut spec.ends_at, ends_at);
    replace(&mut spec.draw_mode, draw_mode);
    replace(&mut spec.entry, entry);
    replace(&mut spec.per_user_limit, per_user_limit);
    replace(&mut spec.vip_per_user_limit, vip_per_user_limit);
    replace(&mut spec.pay_window_secs, pay_window_secs);
    replace(&mut spec.max_unpaid_per_user, max_unpaid_per_user);
    replace(&mut spec.eligibility, eligibility);
    replace(&mut spec.buckets, buckets);
    let changed = Activity::new(spec)?;
    if changed != activity {
        app.activities().put(&changed).await?;
    }
    match status {
        Some(status) if status != changed.status => set_status(app, changed, status).await,
        _ => Ok(changed),
    }
}

/// Takes an activity online (loading a draft's initial stock) or offline.
async fn set_status(
    app: &(impl HasActivities + HasStock + HasLedger + HasQueue),
    activity: Activity,
    status: ActivityStatus,
) -> Result<Activity, Error> {
    let id = activity.id.clone();
    let loaded = app.stock().remaining(&id).await?.is_some();
    match (activity.status, status) {
        (_, ActivityStatus::Draft) => {
            return Err(Error::field_error("status", "an activity that left draft never goes back to it"));
        }
        (ActivityStatus::Draft, ActivityStatus::Online) if !loaded => {
            stock_admin::load_draft(app, &activity).await?;
        }
        (_, ActivityStatus::Online) if !loaded => {
            return Err(Error::InvalidState(format!(
                "the stock of activity `{id}` is not loaded: preload or restore it first"
            )));
        }
        _ => {}
    }
    let mut spec = ActivitySpec::from(activity);
    spec.status = status;
    let activity = Activity::new(spec)?;
    app.activities().put(&activity).await?;
    info!(activity = %id, ?status, "status changed");
    Ok(activity)
}

/// Deletes an activity that is not online and never took a draw (its stock goes too).
#[instrument(skip_all, fields(activity = %id))]
pub async fn delete(app: &(impl HasActivities + HasStock + HasLedger), id: &ActivityId) -> Result<(), Error> {
    let activity = get(app, id).await?;
    if activity.status == ActivityStatus::Online {
        return Err(Error::InvalidState("take the activity offline before deleting it".into()));
    }
    if app.ledger().any(id).await? || !app.stock().draws(id).await?.is_empty() {
        return Err(Error::InvalidState("the activity has draws: it can be taken offline, not deleted".into()));
    }
    app.stock().flush(id).await?;
    app.activities().delete(id).await?;
    info!("activity deleted");
    Ok(())
}

/// Adds a prize (not while online, nor while the stock is loaded).
#[instrument(skip_all, fields(activity = %id))]
pub async fn add_prize(
    app: &(impl HasActivities + HasStock),
    id: &ActivityId,
    draft: PrizeDraft,
) -> Result<Activity, Error> {
    let activity = editable_stock(app, id, "add a prize").await?;
    let mut spec = ActivitySpec::from(activity);
    let index = spec.prizes.len();
    let prize = prize_from(draft, index, &spec.prizes)?;
    if spec.prizes.iter().any(|existing| existing.id == prize.id) {
        return Err(Error::field_error("id", format!("prize id `{}` is used already", prize.id)));
    }
    spec.prizes.push(prize);
    save(app, spec).await
}

/// Changes a prize; while online only its name, description and picture.
#[instrument(skip_all, fields(activity = %id, prize = %prize_id))]
pub async fn update_prize(
    app: &(impl HasActivities + HasStock),
    id: &ActivityId,
    prize_id: &PrizeId,
    patch: PrizePatch,
) -> Result<Activity, Error> {
    let activity = get(app, id).await?;
    let touches_stock = patch.initial.is_some();
    let touches_odds = patch.price_fen.is_some()
        || patch.weight.is_some()
        || patch.consolation.is_some()
        || patch.wheel_index.is_some();
    if activity.status == ActivityStatus::Online && (touches_stock || touches_odds) {
        return Err(Error::InvalidState(
            "while online only a prize's name, description and picture change; stock changes by delta".into(),
        ));
    }
    if touches_stock {
        unloaded(app, id, "change a prize's units").await?;
    }
    let mut spec = ActivitySpec::from(activity);
    let prize = spec.prizes.iter_mut().find(|prize| &prize.id == prize_id).ok_or(Error::NotFound("prize"))?;
    let PrizePatch { name, description, picture, price_fen, initial, weight, consolation, wheel_index } = patch;
    replace(&mut prize.name, name);
    replace(&mut prize.description, description);
    replace(&mut prize.picture, picture);
    replace(&mut prize.price_fen, price_fen);
    replace(&mut prize.initial, initial);
    replace(&mut prize.weight, weight);
    replace(&mut prize.consolation, consolation);
    replace(&mut prize.wheel_index, wheel_index);
    save(app, spec).await
}

/// Deletes a prize (not while online or loaded, never one with draws); later wheel
/// positions move up by one.
#[instrument(skip_all, fields(activity = %id, prize = %prize_id))]
pub async fn delete_prize(
    app: &(impl HasActivities + HasStock + HasLedger),
    id: &ActivityId,
    prize_id: &PrizeId,
) -> Result<Activity, Error> {
    let activity = editable_stock(app, id, "delete a prize").await?;
    if app.ledger().any(id).await? {
        return Err(Error::InvalidState("the activity has draws: its prizes stay".into()));
    }
    let mut spec = ActivitySpec::from(activity);
    let removed = spec.prizes.iter().position(|prize| &prize.id == prize_id).ok_or(Error::NotFound("prize"))?;
    let gone = spec.prizes.remove(removed);
    for prize in &mut spec.prizes {
        if prize.wheel_index > gone.wheel_index {
            prize.wheel_index -= 1;
        }
    }
    save(app, spec).await
}

/// Adds (or with a negative `delta` removes) units of a prize whose stock is loaded: the
/// stock store changes atomically, never below what is left, then the prize's `initial`
/// follows so a restore stays exact.
#[instrument(skip_all, fields(activity = %id, prize = %prize_id, delta))]
pub async fn adjust_stock(
    app: &(impl HasActivities + HasStock),
    id: &ActivityId,
    prize_id: &PrizeId,
    delta: i64,
) -> Result<PrizeStock, Error> {
    let activity = get(app, id).await?;
    let listed = activity.prize(prize_id).ok_or(Error::NotFound("prize"))?.initial;
    let remaining = app.stock().adjust(id, prize_id, delta).await.map_err(|error| match error {
        crate::ports::StockError::NotLoaded(_) => {
            Error::InvalidState(format!("the stock of activity `{id}` is not loaded; change `initial` instead"))
        }
        other => other.into(),
    })?;
    // Units left never exceed those listed, so the listing cannot go below zero.
    let initial = listed.saturating_add_signed(delta);
    let mut spec = ActivitySpec::from(activity);
    if let Some(prize) = spec.prizes.iter_mut().find(|prize| &prize.id == prize_id) {
        prize.initial = initial;
    }
    let saved = match Activity::new(spec) {
        Ok(activity) => app.activities().put(&activity).await.map_err(Error::from),
        Err(invalid) => Err(invalid.into()),
    };
    if let Err(error) = saved {
        // Undo in the stock store, so the activity's `initial` and the stock agree again.
        let _ = app.stock().adjust(id, prize_id, -delta).await;
        return Err(error);
    }
    info!(remaining, initial, "stock adjusted");
    Ok(PrizeStock { prize_id: prize_id.clone(), initial, remaining })
}

/// The activity, or 404.
pub async fn get(app: &impl HasActivities, id: &ActivityId) -> Result<Activity, Error> {
    app.activities().get(id).await?.map(Arc::unwrap_or_clone).ok_or(Error::NotFound("activity"))
}

/// The activity, if its prize table may change: not online and its stock not loaded.
async fn editable_stock(app: &(impl HasActivities + HasStock), id: &ActivityId, what: &str) -> Result<Activity, Error> {
    let activity = get(app, id).await?;
    if activity.status == ActivityStatus::Online {
        return Err(Error::InvalidState(format!("cannot {what} while the activity is online")));
    }
    unloaded(app, id, what).await?;
    Ok(activity)
}

async fn unloaded(app: &impl HasStock, id: &ActivityId, what: &str) -> Result<(), Error> {
    if app.stock().remaining(id).await?.is_some() {
        return Err(Error::InvalidState(format!(
            "cannot {what} while the activity's stock is loaded: flush it first (or add units by delta)"
        )));
    }
    Ok(())
}

async fn save(app: &impl HasActivities, spec: ActivitySpec) -> Result<Activity, Error> {
    let activity = Activity::new(spec)?;
    app.activities().put(&activity).await?;
    Ok(activity)
}

fn replace<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

fn prizes_from(drafts: Vec<PrizeDraft>) -> Result<Vec<Prize>, Error> {
    let mut prizes: Vec<Prize> = Vec::with_capacity(drafts.len());
    for (index, draft) in drafts.into_iter().enumerate() {
        let prize = prize_from(draft, index, &prizes)?;
        prizes.push(prize);
    }
    Ok(prizes)
}

/// A prize from its draft at list position `index`: the id made from its name (unique among
/// `before`), the wheel position `index` unless given.
fn prize_from(draft: PrizeDraft, index: usize, before: &[Prize]) -> Result<Prize, Error> {
    let field = |name: &str| format!("prizes[{index}].{name}");
    let id = match draft.id {
        Some(id) => id,
        None => {
            let base = slug(&draft.name, || format!("prize-{}", index + 1));
            let taken = |candidate: &str| before.iter().any(|prize| prize.id.as_str() == candidate);
            let unique = (1..).map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") });
            let id = unique.take(100).find(|candidate| !taken(candidate)).unwrap_or(base);
            PrizeId::parse(&id).map_err(|error| Error::field_error(field("id"), error))?
        }
    };
    let wheel_index = match draft.wheel_index {
        Some(position) => position,
        None => u16::try_from(index).map_err(|_| Error::field_error(field("wheel_index"), "too many prizes"))?,
    };
    Ok(Prize {
        id,
        name: draft.name,
        description: draft.description,
        picture: draft.picture,
        price_fen: draft.price_fen,
        initial: draft.initial,
        weight: draft.weight,
        wheel_index,
        consolation: draft.consolation,
    })
}

/// An id made from a name: lowercase ASCII letters and digits, dashes between words, at
/// most 48 characters; `otherwise()` when the name has none (e.g. written in Chinese).
fn slug(name: &str, otherwise: impl FnOnce() -> String) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { otherwise() } else { slug.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_from_names() {
        assert_eq!(slug("Spring Festival 2026!", || "x".into()), "spring-festival-2026");
        assert_eq!(slug("  --Teddy  Bear-- ", || "x".into()), "teddy-bear");
        assert_eq!(slug("春节抽奖", || "activity-1a2b".into()), "activity-1a2b");
        assert_eq!(slug(&"ab ".repeat(40), || "x".into()).len(), 47);
    }

    #[test]
    fn prizes_get_unique_ids_and_positions_in_list_order() {
        let draft = |name: &str| PrizeDraft {
            id: None,
            name: name.into(),
            description: String::new(),
            picture: String::new(),
            price_fen: Money::ZERO,
            initial: 1,
            weight: 1,
            consolation: false,
            wheel_index: None,
        };
        let prizes = prizes_from(vec![draft("Bear"), draft("bear"), draft("谢谢")]).unwrap();
        let ids: Vec<&str> = prizes.iter().map(|prize| prize.id.as_str()).collect();
        assert_eq!(ids, ["bear", "bear-2", "prize-3"]);
        assert_eq!(prizes.iter().map(|prize| prize.wheel_index).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn patches_tell_null_from_absent() {
        let patch: ActivityPatch = serde_json::from_str(r#"{"vip_per_user_limit": null}"#).unwrap();
        assert_eq!(patch.vip_per_user_limit, Some(None));
        let patch: ActivityPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(patch.vip_per_user_limit, None);
        assert!(serde_json::from_str::<ActivityPatch>(r#"{"prizes": []}"#).is_err(), "unknown fields are refused");
    }
}

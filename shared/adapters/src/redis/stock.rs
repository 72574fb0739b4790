//! Stock, quotas and the draw log in Redis. A draw is one `EVALSHA` of `draw.lua`; a
//! release one of `release.lua`, guarded by the draw log so it happens once per draw; the
//! end of an unpaid hold one of `paid.lua` (or the release), guarded by the holding set. A
//! draw stays in the activity's `unsettled` sorted set until settlement removes it; a
//! restore is one `MULTI`/`EXEC` per hash slot. Users' own draw limits live in the
//! activity's `limits` hash, read by `draw.lua`; a stock adjustment is one `adjust.lua`; a
//! flush one `DEL` per slot. An activity spread over B > 1 buckets (`docs/scale.md`) runs
//! each step in the bucket it concerns: a draw in its player's home bucket, moving units
//! there from other buckets when it is empty (`moves.rs`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use async_trait::async_trait;
use futures::future::try_join_all;
use redis::{AsyncCommands, Script};

use super::buckets::{BucketKeys, home, share};
use super::per_bucket::{AdjustReply, stable_index};
use super::records::{LOADED_MARKER, counts_of, log_field, mode_name, parse_record};
use super::{RedisConnection, RedisKeys, evalsha, failed};
use luckydraw_core::domain::{ActivityId, DrawId, DrawLimit, DrawRecord, PrizeId, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::ports::{Release, Restoration, StockCounts, StockError, StockStore};

/// [`StockStore`] in Redis.
pub struct RedisStock {
    pub(super) connection: RedisConnection,
    pub(super) keys: RedisKeys,
    pub(super) draw: Script,
    pub(super) release: Script,
    pub(super) paid: Script,
    pub(super) load: Script,
    pub(super) adjust: Script,
    pub(super) donate: Script,
    pub(super) receive: Script,
    /// Bucket counts the draw script confirmed, per activity: a draw routes by it without a
    /// round trip, and the script answers `buckets` when it is stale.
    pub(super) routes: RwLock<HashMap<ActivityId, u16>>,
    /// When a sweep last found every bucket of an activity empty (`moves.rs`).
    pub(super) swept_empty: RwLock<HashMap<ActivityId, Instant>>,
    /// The draw script's keys per bucket ([`RedisStock::draw_keys`]).
    draw_keys: RwLock<HashMap<(ActivityId, u16), DrawKeys>>,
}

/// The seven keys `draw.lua` takes in one bucket, shared.
type DrawKeys = Arc<[String; 7]>;

/// What the draw script answered, before bucket routing handled it.
pub(super) enum DrawReply {
    /// Drawn (or drawn before, for a retried draw id).
    Drawn(DrawRecord),
    /// Refused by the stock.
    Refused(StockError),
    /// The stock is spread over this many buckets, not the count the draw routed by.
    Spread(u16),
}

impl RedisStock {
    /// Stock on `connection`, under `keys`. Scripts are sent by hash (`EVALSHA`) and loaded
    /// on the first `NOSCRIPT`, once per server.
    pub fn new(connection: RedisConnection, keys: RedisKeys) -> Self {
        Self {
            connection,
            keys,
            draw: Script::new(include_str!("../../../../infra/redis/draw.lua")),
            release: Script::new(include_str!("../../../../infra/redis/release.lua")),
            paid: Script::new(include_str!("../../../../infra/redis/paid.lua")),
            load: Script::new(include_str!("../../../../infra/redis/load.lua")),
            adjust: Script::new(include_str!("../../../../infra/redis/adjust.lua")),
            donate: Script::new(include_str!("../../../../infra/redis/donate.lua")),
            receive: Script::new(include_str!("../../../../infra/redis/receive.lua")),
            routes: RwLock::new(HashMap::new()),
            swept_empty: RwLock::new(HashMap::new()),
            draw_keys: RwLock::new(HashMap::new()),
        }
    }

    /// The activity's bucket count as stored by [`StockStore::spread`] (1 when absent).
    pub(super) async fn bucket_count(&self, activity: &ActivityId) -> Result<u16, StoreError> {
        let count: Option<u16> = self
            .connection
            .clone()
            .get(self.keys.bucket_count(activity))
            .await
            .map_err(failed("read the bucket count"))?;
        Ok(count.unwrap_or(1))
    }

    /// Every bucket's keys of `activity`, in bucket order.
    pub(super) fn buckets(&self, activity: &ActivityId, count: u16) -> Vec<BucketKeys> {
        (0..count).map(|index| self.keys.bucket(activity, index)).collect()
    }

    /// Units came in (a load, a restore, an addition, a release): the next draw finding its
    /// home bucket empty sweeps the others again.
    pub(super) fn units_came_in(&self, activity: &ActivityId) {
        self.swept_empty.write().expect("sweep lock").remove(activity);
    }

    /// The seven keys `draw.lua` takes in bucket `index` of `activity`, formatted once per
    /// process.
    fn draw_keys(&self, activity: &ActivityId, index: u16) -> DrawKeys {
        let bucket = (activity.clone(), index);
        if let Some(keys) = self.draw_keys.read().expect("keys lock").get(&bucket) {
            return Arc::clone(keys);
        }
        let keys = Arc::new(self.keys.bucket(activity, index).draw);
        self.draw_keys.write().expect("keys lock").insert(bucket, Arc::clone(&keys));
        keys
    }

    fn route(&self, activity: &ActivityId) -> u16 {
        self.routes.read().expect("routes lock").get(activity).copied().unwrap_or(1)
    }

    fn set_route(&self, activity: &ActivityId, count: Option<u16>) {
        let mut routes = self.routes.write().expect("routes lock");
        match count {
            Some(count) => routes.insert(activity.clone(), count),
            None => routes.remove(activity),
        };
    }

    /// One `draw.lua` in bucket `index` of `count`, as one `EVALSHA` written straight into
    /// the command buffer (no per-argument allocations: this is the storm's hot path).
    pub(super) async fn draw_in(&self, ticket: &DrawTicket, count: u16, index: u16) -> Result<DrawReply, StoreError> {
        let activity = ticket.draw_id.activity();
        let keys = self.draw_keys(activity, index);
        let mut command = redis::cmd("EVALSHA");
        command
            .arg(self.draw.get_hash())
            .arg(keys.len())
            .arg(&keys[..])
            .arg(log_field(&ticket.draw_id))
            .arg(ticket.user_id.to_string())
            .arg(mode_name(ticket.mode))
            .arg(ticket.limit.get())
            .arg(ticket.roll)
            .arg(ticket.at.as_millis())
            .arg(ticket.max_unpaid)
            .arg(ticket.prizes.len());
        for slot in &ticket.prizes {
            command
                .arg(slot.prize_id.as_str())
                .arg(slot.weight)
                .arg(u8::from(slot.consolation))
                .arg(u8::from(slot.priced));
        }
        command.arg(count);
        let reply: Vec<String> =
            evalsha(&mut self.connection.clone(), &self.draw, &command).await.map_err(failed("draw script"))?;
        let unexpected = || StoreError::new(format!("redis: unexpected draw script reply {reply:?}"));
        Ok(match reply.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["drawn", record] => DrawReply::Drawn(parse_record(&ticket.draw_id, record)?),
            ["not_loaded"] => DrawReply::Refused(StockError::NotLoaded(activity.clone())),
            ["quota_exceeded"] => DrawReply::Refused(StockError::QuotaExceeded),
            ["unpaid_limit"] => DrawReply::Refused(StockError::UnpaidLimit),
            ["sold_out"] => DrawReply::Refused(StockError::SoldOut),
            ["buckets", count] => DrawReply::Spread(count.parse().map_err(|_| unexpected())?),
            _ => return Err(unexpected()),
        })
    }
}

#[async_trait]
impl StockStore for RedisStock {
    async fn spread(&self, activity: &ActivityId, buckets: u16) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let stock = self.keys.bucket(activity, 0);
        let loaded: Option<u16> =
            connection.hget(stock.stock(), LOADED_MARKER).await.map_err(failed("read the bucket count"))?;
        if loaded.is_some_and(|loaded| loaded != buckets) {
            return Err(StoreError::new(format!(
                "redis: activity {activity} is loaded in {} bucket(s): flush it before spreading it over {buckets}",
                loaded.unwrap_or(1)
            )));
        }
        let count_key = self.keys.bucket_count(activity);
        let _: () =
            if buckets > 1 { connection.set(count_key, buckets).await } else { connection.del(count_key).await }
                .map_err(failed("write the bucket count"))?;
        self.set_route(activity, None);
        self.units_came_in(activity);
        Ok(())
    }

    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError> {
        let count = self.bucket_count(activity).await?;
        for (index, keys) in (0..count).zip(self.buckets(activity, count)).rev() {
            let mine: StockCounts = (counts.iter())
                .map(|(prize, units)| (prize.clone(), share(*units, count, index, stable_index(prize))))
                .collect();
            self.load_bucket(&keys, count, &mine).await?;
        }
        self.units_came_in(activity);
        Ok(())
    }

    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError> {
        // One round trip for one bucket: the count and bucket 0's stock share a slot.
        let base = self.keys.bucket(activity, 0);
        let (count, stock): (Option<u16>, Vec<(String, u64)>) = redis::pipe()
            .get(self.keys.bucket_count(activity))
            .hgetall(base.stock())
            .query_async(&mut self.connection.clone())
            .await
            .map_err(failed("read stock"))?;
        match count {
            Some(count) if count > 1 => self.remaining_in(&self.buckets(activity, count)).await,
            _ if stock.is_empty() => Ok(None),
            _ => Ok(Some(counts_of(stock)?)),
        }
    }

    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError> {
        let activity = ticket.draw_id.activity();
        let mut count = self.route(activity);
        // At most: a stale count, then bucket 0 telling the right one, then the draw.
        for _ in 0..3 {
            let index = home(&ticket.user_id, count);
            match self.draw_in(ticket, count, index).await? {
                DrawReply::Drawn(record) => return Ok(record),
                DrawReply::Spread(loaded) => {
                    self.set_route(activity, Some(loaded));
                    count = loaded;
                }
                // A bucket of an older, larger count is gone: ask bucket 0.
                DrawReply::Refused(StockError::NotLoaded(_)) if count > 1 => {
                    self.set_route(activity, None);
                    count = 1;
                }
                DrawReply::Refused(StockError::SoldOut) if count > 1 => {
                    return self.draw_moving_units(ticket, count, index).await;
                }
                DrawReply::Refused(refusal) => return Err(refusal),
            }
        }
        Err(StoreError::new(format!("redis: the bucket count of activity {activity} keeps changing")).into())
    }

    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError> {
        let with_quota = Some(u8::from(how == Release::UnitAndQuota));
        let released = self.in_every_bucket(draw, &self.release, with_quota, "release script").await?;
        if released {
            self.units_came_in(draw.activity());
        }
        Ok(released)
    }

    async fn paid(&self, draw: &DrawId) -> Result<bool, StoreError> {
        self.in_every_bucket(draw, &self.paid, None, "paid script").await
    }

    async fn unsettled(
        &self,
        activity: &ActivityId,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let count = self.bucket_count(activity).await?;
        let buckets = self.buckets(activity, count);
        if count > 1 {
            // Settlement runs every minute: it also delivers transfers a crashed mover left.
            self.deliver_pending(&buckets).await?;
        }
        let reads = buckets.iter().map(|keys| self.unsettled_in(activity, keys, before, limit));
        let mut draws: Vec<DrawRecord> = try_join_all(reads).await?.into_iter().flatten().collect();
        draws.sort_by_key(|draw| draw.drawn_at);
        draws.truncate(limit);
        Ok(draws)
    }

    async fn settle(&self, draw: &DrawId) -> Result<(), StoreError> {
        let count = self.bucket_count(draw.activity()).await?;
        let removals = self.buckets(draw.activity(), count).into_iter().map(|keys| async move {
            let unsettled = &keys.draw[3];
            self.connection.clone().zrem::<_, _, i64>(unsettled, log_field(draw)).await.map_err(failed("settle a draw"))
        });
        try_join_all(removals).await?;
        Ok(())
    }

    async fn restore(&self, activity: &ActivityId, restoration: &Restoration) -> Result<(), StoreError> {
        let count = self.bucket_count(activity).await?;
        let prize_order: HashMap<&PrizeId, usize> =
            restoration.remaining.keys().map(|prize| (prize, stable_index(prize))).collect();
        // Bucket 0 last: its stock marks the activity as loaded.
        for (index, keys) in (0..count).zip(self.buckets(activity, count)).rev() {
            self.restore_bucket(&keys, (count, index), restoration, &prize_order).await?;
        }
        self.units_came_in(activity);
        Ok(())
    }

    async fn set_limit(
        &self,
        activity: &ActivityId,
        user: &UserId,
        limit: Option<DrawLimit>,
    ) -> Result<(), StoreError> {
        let count = self.bucket_count(activity).await?;
        let [.., limits] = self.keys.bucket(activity, home(user, count)).draw;
        let mut connection = self.connection.clone();
        let _: i64 = match limit {
            Some(limit) => connection.hset(limits, user.to_string(), limit.get()).await,
            None => connection.hdel(limits, user.to_string()).await,
        }
        .map_err(failed("set a user's draw limit"))?;
        Ok(())
    }

    async fn adjust(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<u64, StockError> {
        let count = self.bucket_count(activity).await?;
        let buckets = self.buckets(activity, count);
        self.units_came_in(activity);
        if count > 1 {
            // Refusals first, as with one bucket: not loaded, unknown prize.
            if let AdjustReply::Refused(refusal) = self.adjust_bucket(&buckets[0], prize, 0).await? {
                return Err(refusal);
            }
            return self.adjust_spread(&buckets, prize, delta).await;
        }
        match self.adjust_bucket(&buckets[0], prize, delta).await? {
            AdjustReply::Adjusted(units) => Ok(units),
            AdjustReply::Refused(StockError::NotLoaded(_)) => Err(StockError::NotLoaded(activity.clone())),
            AdjustReply::Refused(refusal) => Err(refusal),
        }
    }

    async fn flush(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        let count = self.bucket_count(activity).await?;
        let mut deleted = 0u64;
        for keys in self.buckets(activity, count).iter().rev() {
            let gone: u64 = self.connection.clone().del(keys.all()).await.map_err(failed("flush an activity"))?;
            deleted += gone;
        }
        let _: u64 =
            self.connection.clone().del(self.keys.bucket_count(activity)).await.map_err(failed("flush an activity"))?;
        self.set_route(activity, None);
        self.units_came_in(activity);
        Ok(deleted > 0)
    }

    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError> {
        let count = self.bucket_count(draw.activity()).await?;
        let reads = self.buckets(draw.activity(), count).into_iter().map(|keys| async move {
            let log = &keys.draw[2];
            self.connection
                .clone()
                .hget::<_, _, Option<String>>(log, log_field(draw))
                .await
                .map_err(failed("read the draw log"))
        });
        let found = try_join_all(reads).await?.into_iter().flatten().next();
        found.map(|record| parse_record(draw, &record)).transpose()
    }

    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError> {
        let count = self.bucket_count(activity).await?;
        let buckets = self.buckets(activity, count);
        let reads = buckets.iter().map(|keys| self.draws_in(activity, keys));
        Ok(try_join_all(reads).await?.into_iter().flatten().collect())
    }
}

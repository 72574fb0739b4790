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
use std::sync::RwLock;
use std::time::Instant;

use async_trait::async_trait;
use futures::future::try_join_all;
use redis::{AsyncCommands, Script};

use super::buckets::{BucketKeys, home, share};
use super::{RedisConnection, RedisKeys, failed};
use luckydraw_core::domain::{
    ActivityId, DrawId, DrawLimit, DrawMode, DrawOutcome, DrawRecord, PrizeId, Timestamp, UserId,
};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::ports::{Release, Restoration, StockCounts, StockError, StockStore};
/// Marks a loaded stock hash (see `load.lua`); never a prize id, which has no dot.
const LOADED_MARKER: &str = ".loaded";

/// How many draw log entries one `HSCAN` step (or one `HSET` of a restore) carries.
const SCAN_BATCH: usize = 500;

/// [`StockStore`] in Redis.
pub struct RedisStock {
    pub(super) connection: RedisConnection,
    pub(super) keys: RedisKeys,
    draw: Script,
    release: Script,
    paid: Script,
    load: Script,
    adjust: Script,
    pub(super) donate: Script,
    pub(super) receive: Script,
    /// Bucket counts the draw script confirmed, per activity: a draw routes by it without a
    /// round trip, and the script answers `buckets` when it is stale.
    routes: RwLock<HashMap<ActivityId, u16>>,
    /// When a sweep last found every bucket of an activity empty (`moves.rs`).
    pub(super) swept_empty: RwLock<HashMap<ActivityId, Instant>>,
}

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
    fn units_came_in(&self, activity: &ActivityId) {
        self.swept_empty.write().expect("sweep lock").remove(activity);
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

    /// One `draw.lua` in bucket `index` of `count`.
    pub(super) async fn draw_in(&self, ticket: &DrawTicket, count: u16, index: u16) -> Result<DrawReply, StoreError> {
        let activity = ticket.draw_id.activity();
        let mut invocation = self.draw.prepare_invoke();
        for key in self.keys.bucket(activity, index).draw {
            invocation.key(key);
        }
        invocation
            .arg(log_field(&ticket.draw_id))
            .arg(ticket.user_id.to_string())
            .arg(mode_name(ticket.mode))
            .arg(ticket.limit.get())
            .arg(ticket.roll)
            .arg(ticket.at.as_millis())
            .arg(ticket.max_unpaid)
            .arg(ticket.prizes.len());
        for slot in &ticket.prizes {
            invocation
                .arg(slot.prize_id.as_str())
                .arg(slot.weight)
                .arg(u8::from(slot.consolation))
                .arg(u8::from(slot.priced));
        }
        invocation.arg(count);
        let reply: Vec<String> =
            invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("draw script"))?;
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

    /// Loads bucket `keys` with `counts` (already its share), marked with the bucket count.
    async fn load_bucket(&self, keys: &BucketKeys, count: u16, counts: &StockCounts) -> Result<(), StoreError> {
        let mut invocation = self.load.key(keys.stock());
        invocation.key(&keys.outbox).key(&keys.inbox).arg(count);
        for (prize, units) in counts {
            invocation.arg(prize.as_str()).arg(*units);
        }
        let _: i64 = invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("load stock"))?;
        Ok(())
    }

    /// One `adjust.lua` on a bucket's stock: the units now left, or the refusal.
    async fn adjust_bucket(&self, keys: &BucketKeys, prize: &PrizeId, delta: i64) -> Result<AdjustReply, StoreError> {
        let reply: Vec<String> = (self.adjust.key(keys.stock()).arg(prize.as_str()).arg(delta))
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("adjust script"))?;
        let unexpected = || StoreError::new(format!("redis: unexpected adjust script reply {reply:?}"));
        let units = |text: &str| text.parse::<u64>().map_err(|_| unexpected());
        Ok(match reply.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["adjusted", left] => AdjustReply::Adjusted(units(left)?),
            ["insufficient", left] => AdjustReply::Refused(StockError::Insufficient { remaining: units(left)? }),
            ["not_loaded"] => AdjustReply::Refused(StockError::NotLoaded(keys_activity(keys))),
            ["unknown_prize"] => AdjustReply::Refused(StockError::UnknownPrize(prize.clone())),
            _ => return Err(unexpected()),
        })
    }

    /// Adds (or removes) `delta` units of `prize` over buckets: additions split like a
    /// load; a removal takes from the buckets in order and, if it cannot take them all
    /// (draws took units meanwhile), puts back what it took and is refused.
    async fn adjust_spread(&self, buckets: &[BucketKeys], prize: &PrizeId, delta: i64) -> Result<u64, StockError> {
        let count = u16::try_from(buckets.len()).expect("at most 64 buckets");
        let first = stable_index(prize);
        let mut left = 0;
        if delta >= 0 {
            for (index, keys) in (0..count).zip(buckets) {
                let part = i64::try_from(share(delta.unsigned_abs(), count, index, first)).expect("below delta");
                match self.adjust_bucket(keys, prize, part).await? {
                    AdjustReply::Adjusted(units) => left += units,
                    AdjustReply::Refused(refusal) => return Err(refusal),
                }
            }
            return Ok(left);
        }
        let mut need = delta.unsigned_abs();
        let mut taken = Vec::new();
        for keys in buckets {
            let here: Option<u64> = self
                .connection
                .clone()
                .hget(keys.stock(), prize.as_str())
                .await
                .map_err(failed("read a bucket's stock"))?;
            let take = here.unwrap_or(0).min(need);
            let reply = self.adjust_bucket(keys, prize, -i64::try_from(take).expect("below delta")).await?;
            match reply {
                AdjustReply::Adjusted(units) => {
                    need -= take;
                    left += units;
                    taken.push((keys, take));
                }
                AdjustReply::Refused(StockError::Insufficient { remaining }) => left += remaining,
                AdjustReply::Refused(refusal) => return Err(refusal),
            }
        }
        if need == 0 {
            return Ok(left);
        }
        for (keys, take) in taken {
            self.adjust_bucket(keys, prize, i64::try_from(take).expect("below delta")).await?;
        }
        let remaining = self.remaining_in(buckets).await?.and_then(|counts| counts.get(prize).copied());
        Err(StockError::Insufficient { remaining: remaining.unwrap_or(0) })
    }

    /// Units left per prize over `buckets`, counting units moving between buckets.
    async fn remaining_in(&self, buckets: &[BucketKeys]) -> Result<Option<StockCounts>, StoreError> {
        let reads = buckets.iter().map(|keys| async move {
            let mut connection = self.connection.clone();
            let stock: Vec<(String, u64)> = connection.hgetall(keys.stock()).await.map_err(failed("read stock"))?;
            let moving: Vec<(String, String)> =
                connection.hgetall(&keys.outbox).await.map_err(failed("read a bucket's outbox"))?;
            Ok::<_, StoreError>((stock, moving))
        });
        let read = try_join_all(reads).await?;
        if read.first().is_none_or(|(stock, _)| stock.is_empty()) {
            return Ok(None);
        }
        let mut counts = StockCounts::new();
        for (stock, moving) in read {
            for (prize, units) in counts_of(stock)? {
                *counts.entry(prize).or_default() += units;
            }
            for (_, transfer) in moving {
                for (prize, units) in parse_transfer(&transfer)?.1 {
                    *counts.entry(prize).or_default() += units;
                }
            }
        }
        Ok(Some(counts))
    }

    /// One script in every bucket at once (release, paid: each is a no-op where the draw
    /// is not); whether any bucket answered 1.
    async fn in_every_bucket(
        &self,
        draw: &DrawId,
        script: &Script,
        extra: Option<u8>,
        context: &'static str,
    ) -> Result<bool, StoreError> {
        let count = self.bucket_count(draw.activity()).await?;
        let runs = self.buckets(draw.activity(), count).into_iter().map(|keys| async move {
            let mut invocation = script.prepare_invoke();
            for key in &keys.draw {
                invocation.key(key);
            }
            invocation.arg(log_field(draw));
            if let Some(extra) = extra {
                invocation.arg(extra);
            }
            invocation.invoke_async::<i64>(&mut self.connection.clone()).await.map_err(failed(context))
        });
        Ok(try_join_all(runs).await?.contains(&1))
    }

    /// A bucket's unsettled draws before `before`, oldest first, at most `limit`.
    async fn unsettled_in(
        &self,
        activity: &ActivityId,
        keys: &BucketKeys,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let [_, _, log, unsettled, ..] = &keys.draw;
        let mut connection = self.connection.clone();
        let fields: Vec<String> = redis::cmd("ZRANGE")
            .arg(unsettled)
            .arg("-inf")
            .arg(format!("({}", before.as_millis()))
            .arg("BYSCORE")
            .arg("LIMIT")
            .arg(0)
            .arg(limit)
            .query_async(&mut connection)
            .await
            .map_err(failed("read the unsettled draws"))?;
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(log)
            .arg(&fields)
            .query_async(&mut connection)
            .await
            .map_err(failed("read the draw log"))?;
        let mut draws = Vec::with_capacity(fields.len());
        for (field, record) in fields.iter().zip(records) {
            let id = parse_field(activity, field)?;
            match record {
                Some(record) => draws.push(parse_record(&id, &record)?),
                None => return Err(StoreError::new(format!("redis: unsettled draw {id} is not in the draw log"))),
            }
        }
        Ok(draws)
    }

    /// Every draw log entry of one bucket (`HSCAN`).
    async fn draws_in(&self, activity: &ActivityId, keys: &BucketKeys) -> Result<Vec<DrawRecord>, StoreError> {
        let log = &keys.draw[2];
        let mut connection = self.connection.clone();
        let (mut cursor, mut records) = (0u64, Vec::new());
        loop {
            let (next, page): (u64, Vec<(String, String)>) = redis::cmd("HSCAN")
                .arg(log)
                .arg(cursor)
                .arg("COUNT")
                .arg(SCAN_BATCH)
                .query_async(&mut connection)
                .await
                .map_err(failed("scan the draw log"))?;
            for (field, record) in page {
                let id = parse_field(activity, &field)?;
                records.push(parse_record(&id, &record)?);
            }
            if next == 0 {
                return Ok(records);
            }
            cursor = next;
        }
    }

    /// Restores bucket `index` of `count` in one `MULTI`/`EXEC`: the draws, counts, holds
    /// and limits of the players whose home it is, and its share of the stock.
    async fn restore_bucket(
        &self,
        keys: &BucketKeys,
        (count, index): (u16, u16),
        restoration: &Restoration,
        prize_order: &HashMap<&PrizeId, usize>,
    ) -> Result<(), StoreError> {
        let homed = |user: &UserId| home(user, count) == index;
        let [stock, users, log, _, holds, holding, limits] = &keys.draw;
        let mut pipe = redis::pipe();
        pipe.atomic().del(keys.all()).ignore();
        let draws: Vec<&DrawRecord> = restoration.draws.iter().filter(|draw| homed(&draw.user_id)).collect();
        for chunk in draws.chunks(SCAN_BATCH) {
            let entries: Vec<(String, String)> =
                chunk.iter().map(|draw| (log_field(&draw.id), format_record(draw))).collect();
            pipe.hset_multiple(log, &entries).ignore();
        }
        let counts: Vec<(String, u64)> = (restoration.draws_per_user.iter())
            .filter(|(user, _)| homed(user))
            .map(|(user, count)| (user.to_string(), *count))
            .collect();
        for chunk in counts.chunks(SCAN_BATCH) {
            pipe.hset_multiple(users, chunk).ignore();
        }
        let (held, holds_per_user) = restoration.holds();
        let held: Vec<String> =
            held.iter().filter(|draw| homed(&draw.user_id)).map(|draw| log_field(&draw.id)).collect();
        for chunk in held.chunks(SCAN_BATCH) {
            pipe.sadd(holding, chunk).ignore();
        }
        let holds_per_user: Vec<(String, u64)> = (holds_per_user.into_iter())
            .filter(|(user, _)| homed(user))
            .map(|(user, count)| (user.to_string(), count))
            .collect();
        for chunk in holds_per_user.chunks(SCAN_BATCH) {
            pipe.hset_multiple(holds, chunk).ignore();
        }
        let user_limits: Vec<(String, u32)> = (restoration.limits.iter())
            .filter(|(user, _)| homed(user))
            .map(|(user, limit)| (user.to_string(), limit.get()))
            .collect();
        for chunk in user_limits.chunks(SCAN_BATCH) {
            pipe.hset_multiple(limits, chunk).ignore();
        }
        let mut stock_fields: Vec<(String, u64)> = vec![(LOADED_MARKER.to_owned(), u64::from(count))];
        stock_fields.extend(restoration.remaining.iter().map(|(prize, units)| {
            let first = prize_order.get(prize).copied().unwrap_or(0);
            (prize.to_string(), share(*units, count, index, first))
        }));
        pipe.hset_multiple(stock, &stock_fields).ignore();
        let () = pipe.query_async(&mut self.connection.clone()).await.map_err(failed("restore stock"))?;
        Ok(())
    }
}

/// What `adjust.lua` answered in one bucket.
enum AdjustReply {
    Adjusted(u64),
    Refused(StockError),
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

/// A stock hash's fields as units per prize (the `.loaded` marker left out).
fn counts_of(stock: Vec<(String, u64)>) -> Result<StockCounts, StoreError> {
    let counts = stock.into_iter().filter(|(field, _)| field != LOADED_MARKER);
    counts.map(|(prize, units)| Ok((parse_prize(&prize)?, units))).collect()
}

/// The activity a bucket's keys belong to, for a refusal's message.
fn keys_activity(keys: &BucketKeys) -> ActivityId {
    let tag = keys.stock().split_once("{act:").and_then(|(_, rest)| rest.split(['}', '#']).next());
    tag.and_then(|id| ActivityId::parse(id).ok()).unwrap_or_else(|| ActivityId::parse("unknown").expect("a slug"))
}

/// Where a prize's remainder units start when split over buckets: a stable number from its
/// id (load, restore and adjust agree without the activity's wheel).
fn stable_index(prize: &PrizeId) -> usize {
    prize.as_str().bytes().fold(0usize, |sum, byte| sum.wrapping_mul(31).wrapping_add(usize::from(byte)))
}

/// A transfer in an outbox: `<receiver bucket> <prize> <units> ...`.
pub(super) fn parse_transfer(text: &str) -> Result<(u16, Vec<(PrizeId, u64)>), StoreError> {
    let corrupt = || StoreError::new(format!("redis: unreadable unit transfer {text:?}"));
    let mut words = text.split(' ');
    let receiver = words.next().and_then(|word| word.parse().ok()).ok_or_else(corrupt)?;
    let words: Vec<&str> = words.collect();
    let units = words
        .chunks(2)
        .map(|pair| match pair {
            [prize, units] => Ok((parse_prize(prize)?, units.parse().map_err(|_| corrupt())?)),
            _ => Err(corrupt()),
        })
        .collect::<Result<_, _>>()?;
    Ok((receiver, units))
}

/// A draw's field in its activity's log: the 32 hex digits after the activity.
fn log_field(draw: &DrawId) -> String {
    draw.order_id().to_string()
}

/// The draw id of a field in `activity`'s log.
fn parse_field(activity: &ActivityId, field: &str) -> Result<DrawId, StoreError> {
    DrawId::parse(&format!("{activity}.{field}"))
        .map_err(|error| StoreError::caused_by("redis: a draw log key is not a draw id", error))
}

/// A draw log entry, as `draw.lua` writes it.
fn format_record(draw: &DrawRecord) -> String {
    let outcome = match draw.outcome {
        DrawOutcome::Won => "won",
        DrawOutcome::Consolation => "consolation",
        DrawOutcome::Missed => "missed",
    };
    let released = u8::from(draw.released);
    format!("{outcome} {released} {} {} {}", draw.prize_id, draw.user_id, draw.drawn_at.as_millis())
}

/// The mode as `draw.lua` names it.
fn mode_name(mode: DrawMode) -> &'static str {
    match mode {
        DrawMode::RemainingStock => "remaining_stock",
        DrawMode::WeightRedistribute => "weight_redistribute",
        DrawMode::WeightKeep => "weight_keep",
    }
}

fn parse_prize(text: &str) -> Result<PrizeId, StoreError> {
    PrizeId::parse(text).map_err(|error| StoreError::caused_by("redis: a stock field is not a prize id", error))
}

/// Reads a draw log entry: `<outcome> <released 0|1> <prize> <user> <at ms>`.
fn parse_record(id: &DrawId, record: &str) -> Result<DrawRecord, StoreError> {
    let corrupt = || StoreError::new(format!("redis: unreadable draw log entry for {id}: {record:?}"));
    let [outcome, released, prize, user, at] =
        record.split(' ').collect::<Vec<_>>().try_into().map_err(|_| corrupt())?;
    let outcome = match outcome {
        "won" => DrawOutcome::Won,
        "consolation" => DrawOutcome::Consolation,
        "missed" => DrawOutcome::Missed,
        _ => return Err(corrupt()),
    };
    Ok(DrawRecord {
        id: id.clone(),
        user_id: UserId::parse(user).map_err(|_| corrupt())?,
        prize_id: PrizeId::parse(prize).map_err(|_| corrupt())?,
        outcome,
        drawn_at: Timestamp::from_millis(at.parse().map_err(|_| corrupt())?),
        released: released == "1",
    })
}

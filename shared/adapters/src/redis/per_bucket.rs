//! Stock operations on one bucket, or on all of an activity's buckets at once, that the
//! [`StockStore`](luckydraw_core::ports::StockStore) methods in `stock.rs` are made of.

use std::collections::HashMap;

use futures::future::try_join_all;
use redis::{AsyncCommands, Script};

use super::buckets::{BucketKeys, home, share};
use super::failed;
use super::records::{
    LOADED_MARKER, SCAN_BATCH, counts_of, format_record, log_field, parse_field, parse_record, parse_transfer,
};
use super::stock::RedisStock;
use luckydraw_core::domain::{ActivityId, DrawId, DrawRecord, PrizeId, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Restoration, StockCounts, StockError};

impl RedisStock {
    /// Loads bucket `keys` with `counts` (already its share), marked with the bucket count.
    pub(super) async fn load_bucket(
        &self,
        keys: &BucketKeys,
        count: u16,
        counts: &StockCounts,
    ) -> Result<(), StoreError> {
        let mut invocation = self.load.key(keys.stock());
        invocation.key(&keys.outbox).key(&keys.inbox).arg(count);
        for (prize, units) in counts {
            invocation.arg(prize.as_str()).arg(*units);
        }
        let _: i64 = invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("load stock"))?;
        Ok(())
    }

    /// One `adjust.lua` on a bucket's stock: the units now left, or the refusal.
    pub(super) async fn adjust_bucket(
        &self,
        keys: &BucketKeys,
        prize: &PrizeId,
        delta: i64,
    ) -> Result<AdjustReply, StoreError> {
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
    pub(super) async fn adjust_spread(
        &self,
        buckets: &[BucketKeys],
        prize: &PrizeId,
        delta: i64,
    ) -> Result<u64, StockError> {
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
    pub(super) async fn remaining_in(&self, buckets: &[BucketKeys]) -> Result<Option<StockCounts>, StoreError> {
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
    pub(super) async fn in_every_bucket(
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
    pub(super) async fn unsettled_in(
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
    pub(super) async fn draws_in(
        &self,
        activity: &ActivityId,
        keys: &BucketKeys,
    ) -> Result<Vec<DrawRecord>, StoreError> {
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
    pub(super) async fn restore_bucket(
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
pub(super) enum AdjustReply {
    Adjusted(u64),
    Refused(StockError),
}

/// The activity a bucket's keys belong to, for a refusal's message.
fn keys_activity(keys: &BucketKeys) -> ActivityId {
    let tag = keys.stock().split_once("{act:").and_then(|(_, rest)| rest.split(['}', '#']).next());
    tag.and_then(|id| ActivityId::parse(id).ok()).unwrap_or_else(|| ActivityId::parse("unknown").expect("a slug"))
}

/// Where a prize's remainder units start when split over buckets: a stable number from its
/// id (load, restore and adjust agree without the activity's wheel).
pub(super) fn stable_index(prize: &PrizeId) -> usize {
    prize.as_str().bytes().fold(0usize, |sum, byte| sum.wrapping_mul(31).wrapping_add(usize::from(byte)))
}

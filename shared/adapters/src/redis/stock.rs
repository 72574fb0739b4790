//! Stock, quotas and the draw log in Redis. A draw is one `EVALSHA` of `draw.lua`; a
//! release one of `release.lua`, guarded by the draw log so it happens once per draw; the
//! end of an unpaid hold one of `paid.lua` (or the release), guarded by the holding set. A
//! draw stays in the activity's `unsettled` sorted set until settlement removes it; a
//! restore is one `MULTI`/`EXEC` over the activity's hash slot. Users' own draw limits live
//! in the activity's `limits` hash, read by `draw.lua`; a stock adjustment is one
//! `adjust.lua`; a flush one `DEL` of the activity's keys (one slot, a fixed set of keys).

use async_trait::async_trait;
use redis::{AsyncCommands, Script};

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
    connection: RedisConnection,
    keys: RedisKeys,
    draw: Script,
    release: Script,
    paid: Script,
    load: Script,
    adjust: Script,
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
        }
    }
}

#[async_trait]
impl StockStore for RedisStock {
    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError> {
        let [stock, ..] = self.keys.activity(activity);
        let mut invocation = self.load.key(stock);
        for (prize, units) in counts {
            invocation.arg(prize.as_str()).arg(*units);
        }
        let _: i64 = invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("load stock"))?;
        Ok(())
    }

    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError> {
        let [stock, ..] = self.keys.activity(activity);
        let fields: Vec<(String, u64)> = self.connection.clone().hgetall(stock).await.map_err(failed("read stock"))?;
        if fields.is_empty() {
            return Ok(None);
        }
        let counts = fields.into_iter().filter(|(field, _)| field != LOADED_MARKER);
        let counts = counts.map(|(prize, units)| Ok((parse_prize(&prize)?, units)));
        Ok(Some(counts.collect::<Result<_, StoreError>>()?))
    }

    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError> {
        let activity = ticket.draw_id.activity();
        let mut invocation = self.draw.prepare_invoke();
        for key in self.keys.activity(activity) {
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
        let reply: Vec<String> =
            invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("draw script"))?;
        match reply.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["drawn", record] => Ok(parse_record(&ticket.draw_id, record)?),
            ["not_loaded"] => Err(StockError::NotLoaded(activity.clone())),
            ["quota_exceeded"] => Err(StockError::QuotaExceeded),
            ["unpaid_limit"] => Err(StockError::UnpaidLimit),
            ["sold_out"] => Err(StockError::SoldOut),
            _ => Err(StoreError::new(format!("redis: unexpected draw script reply {reply:?}")).into()),
        }
    }

    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError> {
        let mut invocation = self.release.prepare_invoke();
        for key in self.keys.activity(draw.activity()) {
            invocation.key(key);
        }
        invocation.arg(log_field(draw)).arg(u8::from(how == Release::UnitAndQuota));
        let released: i64 =
            invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("release script"))?;
        Ok(released == 1)
    }

    async fn paid(&self, draw: &DrawId) -> Result<bool, StoreError> {
        let mut invocation = self.paid.prepare_invoke();
        for key in self.keys.activity(draw.activity()) {
            invocation.key(key);
        }
        invocation.arg(log_field(draw));
        let ended: i64 = invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("paid script"))?;
        Ok(ended == 1)
    }

    async fn unsettled(
        &self,
        activity: &ActivityId,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let [_, _, log, unsettled, ..] = self.keys.activity(activity);
        let mut connection = self.connection.clone();
        let fields: Vec<String> = redis::cmd("ZRANGE")
            .arg(&unsettled)
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
            .arg(&log)
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

    async fn settle(&self, draw: &DrawId) -> Result<(), StoreError> {
        let [_, _, _, unsettled, ..] = self.keys.activity(draw.activity());
        let _: i64 = self.connection.clone().zrem(unsettled, log_field(draw)).await.map_err(failed("settle a draw"))?;
        Ok(())
    }

    async fn restore(&self, activity: &ActivityId, restoration: &Restoration) -> Result<(), StoreError> {
        let keys = self.keys.activity(activity);
        let [stock, users, log, _, holds, holding, limits] = &keys;
        let mut pipe = redis::pipe();
        pipe.atomic().del(&keys).ignore();
        for chunk in restoration.draws.chunks(SCAN_BATCH) {
            let entries: Vec<(String, String)> =
                chunk.iter().map(|draw| (log_field(&draw.id), format_record(draw))).collect();
            pipe.hset_multiple(log, &entries).ignore();
        }
        let counts: Vec<(String, u64)> =
            restoration.draws_per_user.iter().map(|(user, count)| (user.to_string(), *count)).collect();
        for chunk in counts.chunks(SCAN_BATCH) {
            pipe.hset_multiple(users, chunk).ignore();
        }
        let (held, holds_per_user) = restoration.holds();
        for chunk in held.chunks(SCAN_BATCH) {
            pipe.sadd(holding, chunk.iter().map(|draw| log_field(&draw.id)).collect::<Vec<_>>()).ignore();
        }
        let holds_per_user: Vec<(String, u64)> =
            holds_per_user.into_iter().map(|(user, count)| (user.to_string(), count)).collect();
        for chunk in holds_per_user.chunks(SCAN_BATCH) {
            pipe.hset_multiple(holds, chunk).ignore();
        }
        let user_limits: Vec<(String, u32)> =
            restoration.limits.iter().map(|(user, limit)| (user.to_string(), limit.get())).collect();
        for chunk in user_limits.chunks(SCAN_BATCH) {
            pipe.hset_multiple(limits, chunk).ignore();
        }
        let mut stock_fields: Vec<(String, u64)> = vec![(LOADED_MARKER.to_owned(), 1)];
        stock_fields.extend(restoration.remaining.iter().map(|(prize, units)| (prize.to_string(), *units)));
        pipe.hset_multiple(stock, &stock_fields).ignore();
        let () = pipe.query_async(&mut self.connection.clone()).await.map_err(failed("restore stock"))?;
        Ok(())
    }

    async fn set_limit(
        &self,
        activity: &ActivityId,
        user: &UserId,
        limit: Option<DrawLimit>,
    ) -> Result<(), StoreError> {
        let [.., limits] = self.keys.activity(activity);
        let mut connection = self.connection.clone();
        let _: i64 = match limit {
            Some(limit) => connection.hset(limits, user.to_string(), limit.get()).await,
            None => connection.hdel(limits, user.to_string()).await,
        }
        .map_err(failed("set a user's draw limit"))?;
        Ok(())
    }

    async fn adjust(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<u64, StockError> {
        let [stock, ..] = self.keys.activity(activity);
        let reply: Vec<String> = (self.adjust.key(stock).arg(prize.as_str()).arg(delta))
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("adjust script"))?;
        let unexpected = || StoreError::new(format!("redis: unexpected adjust script reply {reply:?}"));
        let units = |text: &str| text.parse::<u64>().map_err(|_| unexpected());
        match reply.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["adjusted", left] => Ok(units(left)?),
            ["insufficient", left] => Err(StockError::Insufficient { remaining: units(left)? }),
            ["not_loaded"] => Err(StockError::NotLoaded(activity.clone())),
            ["unknown_prize"] => Err(StockError::UnknownPrize(prize.clone())),
            _ => Err(unexpected().into()),
        }
    }

    async fn flush(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        let deleted: u64 =
            self.connection.clone().del(&self.keys.activity(activity)).await.map_err(failed("flush an activity"))?;
        Ok(deleted > 0)
    }

    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError> {
        let [_, _, log, ..] = self.keys.activity(draw.activity());
        let record: Option<String> =
            self.connection.clone().hget(log, log_field(draw)).await.map_err(failed("read the draw log"))?;
        record.map(|record| parse_record(draw, &record)).transpose()
    }

    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError> {
        let [_, _, log, ..] = self.keys.activity(activity);
        let mut connection = self.connection.clone();
        let (mut cursor, mut records) = (0u64, Vec::new());
        loop {
            let (next, page): (u64, Vec<(String, String)>) = redis::cmd("HSCAN")
                .arg(&log)
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

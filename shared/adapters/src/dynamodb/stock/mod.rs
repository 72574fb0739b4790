//! Stock, quotas and the draw log in DynamoDB, with no Redis at all. Each prize's units
//! are split over K shard items so that a hot prize is not capped by one item's write
//! rate. A draw reads the shards and the user's count (strongly consistent), picks with
//! `lottery::pick`, then commits ONE `TransactWriteItems`: the shard `remaining >= 1`,
//! the user's count `< limit` and unpaid holds `< max unpaid`, the draw record
//! `attribute_not_exists` (with `holding` for a priced win, removed once by `paid` or a release). A shard found
//! empty sends it to the prize's other shards, then to a fresh read, a bounded number of
//! times; the cancellation reasons tell sold out, over quota and duplicate apart.
//!
//! A user's own draw limit (an operator's override) is the `limit` attribute of their
//! quota item, set by an `UpdateItem` that creates the item if need be; the draw's
//! condition on that item honours it in place of the ticket's limit, and holds on a
//! missing item or missing attributes. A stock adjustment is one transaction (see
//! [`DynamoStock::adjust_once`]); a flush deletes the layout item first (the activity is then
//! not loaded), then its shards, its draws (found through gsi1) and its users' quota items
//! (those of the draws' users, and those listed in gsi1 by `set_limit` or a restore).
//!
//! | item | pk | sk | attributes |
//! | --- | --- | --- | --- |
//! | stock layout | `STOCK#<activity>` | `META` | `shards`: prize → K |
//! | stock shard | `STOCK#<activity>#<prize>#<k>` | `SHARD` | `remaining` |
//! | user's draws | `QUOTA#<activity>#<user>` | `QUOTA` | `count`, `unpaid` (priced prizes held unpaid), `limit` (the user's own limit, 0 = none); gsi1 `QUOTAS#<activity>#<0..15>` / `<user>` once set by `set_limit` or a restore |
//! | draw | `DRAW#<draw id>` | `DRAW` | the record, `shard`, `holding` while it holds an unpaid prize; gsi1 `DRAWS#<activity>#<0..15>` / `<draw id>`; gsi2 `UNSETTLED#<activity>#<0..15>` / `<drawn ms>#<draw id>` until settled |

mod keys;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update, WriteRequest};

use self::keys::{
    draw_key, draw_keys, draw_partitions, meta_key, parse_shard_key, quota_index_keys, quota_key, quota_partitions,
    shard_key, split, unsettled_keys, unsettled_partitions,
};
use super::ShardPlan;
use super::batch::{delete_request, put_request};
use super::item::{from_item, to_item, with};
use super::schema::{GSI1, GSI2};
use super::{Item, Table, cancellation_codes, failed, key, n, number, s, sortable, spread, string};
use luckydraw_core::domain::{ActivityId, DrawId, DrawLimit, DrawOutcome, DrawRecord, PrizeId, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::ports::{Release, Restoration, StockCounts, StockError, StockStore, adjusted_units};

/// Reads and transactions one draw may make before giving up (503).
const MAX_ATTEMPTS: u32 = 8;
/// Reads and transactions one stock adjustment may make before giving up: an operator's
/// call, which may wait out a storm of draws on the same shards.
const MAX_ADJUST_ATTEMPTS: u32 = 32;
/// [`StockStore`] in DynamoDB.
#[derive(Debug)]
pub struct DynamoStock {
    table: Table,
    shards: ShardPlan,
    /// The layout last seen per activity, so a draw reads it in the same batch as the shards.
    layouts: Mutex<HashMap<ActivityId, Layout>>,
}

/// How many shard items hold each prize of an activity.
type Layout = HashMap<PrizeId, u64>;

/// What a draw saw: units per shard of each prize, the user's draws so far (and own limit,
/// if set), and the draw's record if its id is recorded already.
struct Snapshot {
    shards: HashMap<PrizeId, Vec<u64>>,
    drawn: u64,
    unpaid: u64,
    limit: Option<DrawLimit>,
    recorded: Option<DrawRecord>,
}

/// Why one transaction did not commit.
enum Refused {
    /// The draw id is recorded already.
    Duplicate,
    /// The user's count reached the limit, or their holds the unpaid cap.
    Quota,
    /// The shard had no unit left.
    EmptyShard,
    /// Another transaction touched the same items; try again.
    Conflict,
}

impl DynamoStock {
    /// Stock in `table`, each prize split as `shards` says when loaded.
    pub fn new(table: Table, shards: ShardPlan) -> Self {
        Self { table, shards, layouts: Mutex::default() }
    }

    /// The shard layout (prize → K) of a loaded activity.
    async fn layout(&self, activity: &ActivityId) -> Result<Option<Layout>, StoreError> {
        let meta = self.table.get(meta_key(activity), "META").await?;
        meta.as_ref().map(|meta| parse_layout(activity, meta)).transpose()
    }

    /// Units per shard of every prize, and for a draw its user's count and its record if
    /// any, in ONE strongly consistent batch read. The layout item is read in the same
    /// batch, under the layout last seen; if it changed since, the batch is read again.
    async fn snapshot(
        &self,
        activity: &ActivityId,
        ticket: Option<&DrawTicket>,
    ) -> Result<Option<Snapshot>, StoreError> {
        let known = self.layouts().get(activity).cloned();
        let Some(mut layout) = (match known {
            Some(layout) => Some(layout),
            None => self.layout(activity).await?,
        }) else {
            return Ok(None);
        };
        loop {
            let mut keys: Vec<Item> = layout
                .iter()
                .flat_map(|(prize, shards)| (0..*shards).map(move |k| key(shard_key(activity, prize, k), "SHARD")))
                .collect();
            keys.push(key(meta_key(activity), "META"));
            if let Some(ticket) = ticket {
                keys.push(key(quota_key(activity, &ticket.user_id), "QUOTA"));
                keys.push(key(draw_key(&ticket.draw_id), "DRAW"));
            }
            let items = self.table.batch_get(keys).await?;
            let meta = items.iter().find(|item| item.get("sk") == Some(&s("META")));
            let Some(current) = meta.map(|meta| parse_layout(activity, meta)).transpose()? else {
                self.layouts().remove(activity);
                return Ok(None);
            };
            if current != layout {
                self.layouts().insert(activity.clone(), current.clone());
                layout = current;
                continue;
            }
            self.layouts().insert(activity.clone(), current);
            return read_snapshot(activity, &layout, &items).map(Some);
        }
    }

    fn layouts(&self) -> std::sync::MutexGuard<'_, HashMap<ActivityId, Layout>> {
        self.layouts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// One transaction: the draw record, the user's count (and hold, if `holds`), and the
    /// unit from `shard` if any.
    async fn commit(
        &self,
        ticket: &DrawTicket,
        record: &DrawRecord,
        shard: Option<u64>,
        holds: bool,
    ) -> Result<Option<Refused>, StoreError> {
        let activity = ticket.draw_id.activity();
        let built = |error| StoreError::caused_by("dynamodb: invalid transaction", error);
        let mut item = with(with(to_item(record)?, draw_keys(&ticket.draw_id)), unsettled_keys(record));
        if let Some(k) = shard {
            item.insert("shard".to_owned(), n(k));
        }
        if holds {
            item.insert("holding".to_owned(), AttributeValue::Bool(true));
        }
        let put = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(built)?;
        let mut quota = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(key(quota_key(activity, &ticket.user_id), "QUOTA")))
            .update_expression(if holds { "ADD #count :one, #unpaid :one" } else { "ADD #count :one" })
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(1));
        // The user's own limit when set (0: none), else the ticket's; a missing item or
        // attribute fails no comparison it is not tested for.
        let ticket_limit = if ticket.limit.get() > 0 {
            quota = quota.expression_attribute_values(":limit", n(ticket.limit.get()));
            "attribute_not_exists(#limit) AND (attribute_not_exists(#count) OR #count < :limit)"
        } else {
            "attribute_not_exists(#limit)"
        };
        let own_limit =
            "attribute_exists(#limit) AND (#limit = :unlimited OR attribute_not_exists(#count) OR #count < #limit)";
        let mut conditions = vec![format!("(({ticket_limit}) OR ({own_limit}))")];
        quota = quota
            .expression_attribute_names("#limit", "limit")
            .expression_attribute_values(":unlimited", n(DrawLimit::UNLIMITED.get()));
        if ticket.max_unpaid > 0 {
            conditions.push("(attribute_not_exists(#unpaid) OR #unpaid < :max_unpaid)".to_owned());
            quota = quota.expression_attribute_values(":max_unpaid", n(ticket.max_unpaid));
        }
        if holds || ticket.max_unpaid > 0 {
            quota = quota.expression_attribute_names("#unpaid", "unpaid");
        }
        quota = quota.condition_expression(conditions.join(" AND "));
        let mut request = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(quota.build().map_err(built)?).build());
        if let Some(k) = shard {
            let take = Update::builder()
                .table_name(&self.table.name)
                .set_key(Some(key(shard_key(activity, &record.prize_id, k), "SHARD")))
                .update_expression("SET #remaining = #remaining - :one")
                .condition_expression("#remaining >= :one")
                .expression_attribute_names("#remaining", "remaining")
                .expression_attribute_values(":one", n(1))
                .build()
                .map_err(built)?;
            request = request.transact_items(TransactWriteItem::builder().update(take).build());
        }
        match request.send().await {
            Ok(_) => Ok(None),
            Err(error) => {
                let Some(codes) = cancellation_codes(&error) else { return Err(failed("commit a draw")(error)) };
                let code = |index: usize| codes.get(index).cloned().flatten();
                let failed_condition = |index| code(index).as_deref() == Some("ConditionalCheckFailed");
                if failed_condition(0) {
                    Ok(Some(Refused::Duplicate))
                } else if failed_condition(1) {
                    Ok(Some(Refused::Quota))
                } else if failed_condition(2) {
                    Ok(Some(Refused::EmptyShard))
                } else if codes.iter().flatten().all(|code| code == "TransactionConflict") {
                    Ok(Some(Refused::Conflict))
                } else {
                    Err(failed("commit a draw")(error))
                }
            }
        }
    }

    /// One release of `draw` as read in `item`: `Some(released)`, or `None` if its hold
    /// ended in between (read it again).
    async fn release_read(&self, draw: &DrawId, how: Release, item: &Item) -> Result<Option<bool>, StoreError> {
        let record: DrawRecord = from_item(item)?;
        let releasable = match how {
            Release::Unit => record.holds_unit(),
            Release::UnitAndQuota => !record.released,
        };
        if !releasable {
            return Ok(Some(false));
        }
        let holding = item.contains_key("holding");
        let activity = draw.activity();
        // A reload may have changed the prize's K since: put the unit in a shard that exists.
        let shards = self.layout(activity).await?.and_then(|layout| layout.get(&record.prize_id).copied()).unwrap_or(1);
        let built = |error| StoreError::caused_by("dynamodb: invalid transaction", error);
        let mut mark = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(key(draw_key(draw), "DRAW")))
            .expression_attribute_names("#released", "released")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":false", AttributeValue::Bool(false));
        let mut condition = match how {
            Release::Unit => {
                mark = mark
                    .expression_attribute_names("#outcome", "outcome")
                    .expression_attribute_values(":won", s("won"));
                "#outcome = :won AND #released = :false".to_owned()
            }
            Release::UnitAndQuota => "#released = :false".to_owned(),
        };
        if holding {
            mark = mark.update_expression("SET #released = :true REMOVE #holding");
            mark = mark.expression_attribute_names("#holding", "holding");
            condition.push_str(" AND attribute_exists(#holding)");
        } else {
            mark = mark.update_expression("SET #released = :true");
        }
        let mark = mark.condition_expression(condition).build().map_err(built)?;
        let mut request =
            self.table.client.transact_write_items().transact_items(TransactWriteItem::builder().update(mark).build());
        if record.outcome != DrawOutcome::Missed {
            let shard = number(item, "shard")? % shards.max(1);
            let give_back = Update::builder()
                .table_name(&self.table.name)
                .set_key(Some(key(shard_key(activity, &record.prize_id, shard), "SHARD")))
                .update_expression("ADD #remaining :one")
                .expression_attribute_names("#remaining", "remaining")
                .expression_attribute_values(":one", n(1))
                .build()
                .map_err(built)?;
            request = request.transact_items(TransactWriteItem::builder().update(give_back).build());
        }
        let with_quota = how == Release::UnitAndQuota;
        if with_quota || holding {
            // One update of the user's item: a transaction touches an item once.
            let mut uncount = Update::builder()
                .table_name(&self.table.name)
                .set_key(Some(key(quota_key(activity, &record.user_id), "QUOTA")))
                .expression_attribute_values(":minus_one", n(-1));
            let mut adds = Vec::new();
            if with_quota {
                adds.push("#count :minus_one");
                uncount = uncount
                    .condition_expression("#count >= :one")
                    .expression_attribute_names("#count", "count")
                    .expression_attribute_values(":one", n(1));
            }
            if holding {
                adds.push("#unpaid :minus_one");
                uncount = uncount.expression_attribute_names("#unpaid", "unpaid");
            }
            let uncount = uncount.update_expression(format!("ADD {}", adds.join(", "))).build().map_err(built)?;
            request = request.transact_items(TransactWriteItem::builder().update(uncount).build());
        }
        match request.send().await {
            Ok(_) => Ok(Some(true)),
            Err(error) => match cancellation_codes(&error) {
                Some(codes) if codes.first().cloned().flatten().as_deref() == Some("ConditionalCheckFailed") => {
                    Ok(if holding { None } else { Some(false) })
                }
                _ => Err(failed("release a unit")(error)),
            },
        }
    }

    /// One attempt at [`StockStore::adjust`], over a fresh read of the prize's shards. An
    /// addition spreads over the prize's K shards as a load does (`split`); a removal takes
    /// exactly |delta| units, from the fullest shards first. Either is ONE transaction: a
    /// condition check that the layout item still gives the prize K shards (no reload or
    /// flush in between) and, for a removal, `remaining >= taken` on each shard it takes
    /// from, so that it takes all of |delta| or nothing and no shard goes below zero.
    /// `Ok(true)` once committed; `Ok(false)` if a draw or a reload got in between.
    async fn adjust_once(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<bool, StockError> {
        let snapshot = self.snapshot(activity, None).await?.ok_or_else(|| StockError::NotLoaded(activity.clone()))?;
        let units = snapshot.shards.get(prize).ok_or_else(|| StockError::UnknownPrize(prize.clone()))?;
        adjusted_units(units.iter().sum(), delta)?;
        let shards = units.len() as u64;
        let changes: Vec<(u64, i64)> = if delta >= 0 {
            let parts = split(delta.unsigned_abs(), shards).enumerate();
            parts.filter(|&(_, part)| part > 0).map(|(k, part)| (k as u64, part as i64)).collect()
        } else {
            let takes = keys::take_from_fullest(units, delta.unsigned_abs()).into_iter();
            takes.map(|(k, taken)| (k, -(taken as i64))).collect()
        };
        if changes.is_empty() {
            return Ok(true);
        }
        let built = |error| StoreError::caused_by("dynamodb: invalid transaction", error);
        let same_layout = ConditionCheck::builder()
            .table_name(&self.table.name)
            .set_key(Some(key(meta_key(activity), "META")))
            .condition_expression("#shards.#prize = :shards")
            .expression_attribute_names("#shards", "shards")
            .expression_attribute_names("#prize", prize.as_str())
            .expression_attribute_values(":shards", n(shards))
            .build()
            .map_err(built)?;
        let mut request = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(same_layout).build());
        for (k, change) in changes {
            let mut update = Update::builder()
                .table_name(&self.table.name)
                .set_key(Some(key(shard_key(activity, prize, k), "SHARD")))
                .update_expression("ADD #remaining :change")
                .expression_attribute_names("#remaining", "remaining")
                .expression_attribute_values(":change", n(change));
            if change < 0 {
                update = update
                    .condition_expression("#remaining >= :taken")
                    .expression_attribute_values(":taken", n(change.unsigned_abs()));
            }
            request =
                request.transact_items(TransactWriteItem::builder().update(update.build().map_err(built)?).build());
        }
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error) => match cancellation_codes(&error) {
                Some(codes)
                    if (codes.iter().flatten())
                        .all(|code| code == "ConditionalCheckFailed" || code == "TransactionConflict") =>
                {
                    Ok(false)
                }
                _ => Err(failed("adjust stock")(error).into()),
            },
        }
    }

    /// The record of a draw id already in the table (after a duplicate refusal).
    async fn recorded(&self, draw: &DrawId) -> Result<DrawRecord, StockError> {
        self.find_draw(draw).await?.ok_or_else(|| StoreError::new(format!("dynamodb: draw {draw} vanished")).into())
    }
}

fn parse_layout(activity: &ActivityId, meta: &Item) -> Result<Layout, StoreError> {
    let Some(AttributeValue::M(shards)) = meta.get("shards") else {
        return Err(StoreError::new(format!("dynamodb: stock layout of {activity} has no shards")));
    };
    let parse = |(prize, count): (&String, &AttributeValue)| {
        let prize = PrizeId::parse(prize).map_err(|e| StoreError::caused_by("dynamodb: bad prize in layout", e))?;
        let count = match count {
            AttributeValue::N(text) => text.parse().ok(),
            _ => None,
        };
        Ok((prize, count.ok_or_else(|| StoreError::new("dynamodb: bad shard count in layout"))?))
    };
    shards.iter().map(parse).collect()
}

/// The snapshot in `items`, read under `layout`.
fn read_snapshot(activity: &ActivityId, layout: &Layout, items: &[Item]) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot {
        shards: layout.iter().map(|(prize, shards)| (prize.clone(), vec![0; *shards as usize])).collect(),
        drawn: 0,
        unpaid: 0,
        limit: None,
        recorded: None,
    };
    for item in items {
        let pk = string(item, "pk")?;
        if pk.starts_with("QUOTA#") {
            snapshot.drawn = number(item, "count")?;
            snapshot.unpaid = number(item, "unpaid")?;
            if item.contains_key("limit") {
                snapshot.limit = Some(DrawLimit::new(u32::try_from(number(item, "limit")?).unwrap_or(u32::MAX)));
            }
        } else if pk.starts_with("DRAW#") {
            snapshot.recorded = Some(from_item(item)?);
        } else if let Some((prize, k)) = parse_shard_key(activity, pk)
            && let Some(slot) = snapshot.shards.get_mut(&prize).and_then(|units| units.get_mut(k))
        {
            *slot = number(item, "remaining")?;
        }
    }
    Ok(snapshot)
}

/// A pause before retrying a conflicting transaction, growing with each attempt; `seed`
/// spreads the pauses of concurrent callers.
async fn back_off(attempt: u32, seed: u64) {
    let jitter = seed % 5;
    tokio::time::sleep(Duration::from_millis((2 + jitter) << attempt.min(6))).await;
}

#[async_trait]
impl StockStore for DynamoStock {
    async fn load(&self, activity: &ActivityId, counts: &StockCounts) -> Result<(), StoreError> {
        self.layouts().remove(activity);
        let old = self.layout(activity).await?.unwrap_or_default();
        let layout: HashMap<&PrizeId, u64> =
            counts.keys().map(|prize| (prize, u64::from(self.shards.shards(activity, prize)))).collect();
        let mut writes = Vec::new();
        for (prize, units) in counts {
            for (k, part) in split(*units, layout[prize]).enumerate() {
                let item = with(key(shard_key(activity, prize, k as u64), "SHARD"), [("remaining", n(part))]);
                writes.push(WriteRequest::builder().put_request(put_request(item)?).build());
            }
        }
        let shards = layout.iter().map(|(prize, k)| (prize.to_string(), n(k))).collect();
        let meta = with(key(meta_key(activity), "META"), [("shards", AttributeValue::M(shards))]);
        writes.push(WriteRequest::builder().put_request(put_request(meta)?).build());
        self.table.batch_write(writes).await?;
        let mut obsolete = Vec::new();
        for (prize, old_shards) in &old {
            let kept = layout.get(prize).copied().unwrap_or(0);
            for k in kept..*old_shards {
                obsolete.push(delete_request(key(shard_key(activity, prize, k), "SHARD"))?);
            }
        }
        self.table.batch_write(obsolete).await
    }

    async fn remaining(&self, activity: &ActivityId) -> Result<Option<StockCounts>, StoreError> {
        let snapshot = self.snapshot(activity, None).await?;
        Ok(snapshot
            .map(|snapshot| snapshot.shards.into_iter().map(|(prize, units)| (prize, units.iter().sum())).collect()))
    }

    async fn draw(&self, ticket: &DrawTicket) -> Result<DrawRecord, StockError> {
        let activity = ticket.draw_id.activity();
        for attempt in 0..MAX_ATTEMPTS {
            let snapshot =
                self.snapshot(activity, Some(ticket)).await?.ok_or_else(|| StockError::NotLoaded(activity.clone()))?;
            if let Some(record) = snapshot.recorded {
                return Ok(record);
            }
            let limit = snapshot.limit.unwrap_or(ticket.limit);
            if !limit.allows_another(u32::try_from(snapshot.drawn).unwrap_or(u32::MAX)) {
                return Err(StockError::QuotaExceeded);
            }
            if ticket.at_unpaid_cap(snapshot.unpaid) {
                return Err(StockError::UnpaidLimit);
            }
            let units = |prize: &PrizeId| snapshot.shards.get(prize).map_or(0, |units| units.iter().sum());
            let (slot, take, outcome) = ticket.pick(units).ok_or(StockError::SoldOut)?;
            let holds = DrawTicket::holds(slot, outcome);
            let record = ticket.record(&slot.prize_id, outcome);
            let shards: Vec<Option<u64>> = if take {
                let units = &snapshot.shards[&slot.prize_id];
                let start = spread(ticket.draw_id.order_id()) as usize;
                let order = (0..units.len()).map(|i| (start + i) % units.len());
                order.filter(|&k| units[k] > 0).map(|k| Some(k as u64)).collect()
            } else {
                vec![None]
            };
            for shard in shards {
                match self.commit(ticket, &record, shard, holds).await? {
                    None => return Ok(record),
                    Some(Refused::Duplicate) => return self.recorded(&ticket.draw_id).await,
                    Some(Refused::Quota) if ticket.max_unpaid == 0 => return Err(StockError::QuotaExceeded),
                    // The count or the holds: a fresh read tells which (or finds room again).
                    Some(Refused::Quota) => break,
                    Some(Refused::EmptyShard) => continue,
                    Some(Refused::Conflict) => {
                        back_off(attempt, spread(ticket.draw_id.order_id())).await;
                        break;
                    }
                }
            }
        }
        Err(StoreError::new(format!("dynamodb: draw {} still contended after {MAX_ATTEMPTS} attempts", ticket.draw_id))
            .into())
    }

    async fn release(&self, draw: &DrawId, how: Release) -> Result<bool, StoreError> {
        // A hold ended by `paid` between the read and the write cancels it: read again, and
        // release without it (a hold is never added after the draw, so this ends).
        for _ in 0..MAX_ATTEMPTS {
            let Some(item) = self.table.get(draw_key(draw), "DRAW").await? else { return Ok(false) };
            match self.release_read(draw, how, &item).await? {
                Some(released) => return Ok(released),
                None => continue,
            }
        }
        Err(StoreError::new(format!("dynamodb: release of {draw} still contended after {MAX_ATTEMPTS} attempts")))
    }

    async fn paid(&self, draw: &DrawId) -> Result<bool, StoreError> {
        let Some(item) = self.table.get(draw_key(draw), "DRAW").await? else { return Ok(false) };
        if !item.contains_key("holding") {
            return Ok(false);
        }
        let record: DrawRecord = from_item(&item)?;
        let built = |error| StoreError::caused_by("dynamodb: invalid transaction", error);
        let end = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(key(draw_key(draw), "DRAW")))
            .update_expression("REMOVE #holding")
            .condition_expression("attribute_exists(#holding)")
            .expression_attribute_names("#holding", "holding")
            .build()
            .map_err(built)?;
        let uncount = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(key(quota_key(draw.activity(), &record.user_id), "QUOTA")))
            .update_expression("ADD #unpaid :minus_one")
            .expression_attribute_names("#unpaid", "unpaid")
            .expression_attribute_values(":minus_one", n(-1))
            .build()
            .map_err(built)?;
        let request = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(end).build())
            .transact_items(TransactWriteItem::builder().update(uncount).build());
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error) => match cancellation_codes(&error) {
                Some(codes) if codes.first().cloned().flatten().as_deref() == Some("ConditionalCheckFailed") => {
                    Ok(false)
                }
                _ => Err(failed("end a hold")(error)),
            },
        }
    }

    async fn unsettled(
        &self,
        activity: &ActivityId,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let before = Some(sortable(before.as_millis()));
        let items = self.table.query_partitions(GSI2, unsettled_partitions(activity), before, Some(limit)).await?;
        let mut draws = items.iter().map(from_item).collect::<Result<Vec<DrawRecord>, _>>()?;
        draws.sort_by(|a, b| (a.drawn_at, &a.id).cmp(&(b.drawn_at, &b.id)));
        draws.truncate(limit);
        Ok(draws)
    }

    async fn settle(&self, draw: &DrawId) -> Result<(), StoreError> {
        self.table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(draw_key(draw), "DRAW")))
            .update_expression("REMOVE gsi2pk, gsi2sk")
            .condition_expression("attribute_exists(pk)")
            .send()
            .await
            .map(|_| ())
            .or_else(
                |error| if super::is_condition_failure(&error) { Ok(()) } else { Err(failed("settle a draw")(error)) },
            )
    }

    async fn restore(&self, activity: &ActivityId, restoration: &Restoration) -> Result<(), StoreError> {
        self.layouts().remove(activity);
        let mut writes = Vec::new();
        let (held, unpaid) = restoration.holds();
        let holding: HashSet<&DrawId> = held.iter().map(|draw| &draw.id).collect();
        for draw in &restoration.draws {
            let mut item = with(to_item(draw)?, draw_keys(&draw.id));
            // Restored stock is loaded whole into each prize's shards: a unit goes back to shard 0.
            item.insert("shard".to_owned(), n(0));
            if holding.contains(&draw.id) {
                item.insert("holding".to_owned(), AttributeValue::Bool(true));
            }
            writes.push(WriteRequest::builder().put_request(put_request(item)?).build());
        }
        let users: HashSet<&UserId> =
            restoration.draws_per_user.keys().chain(unpaid.keys()).chain(restoration.limits.keys()).collect();
        for user in users {
            let count = restoration.draws_per_user.get(user).copied().unwrap_or(0);
            let held = unpaid.get(user).copied().unwrap_or(0);
            let item = with(key(quota_key(activity, user), "QUOTA"), [("count", n(count)), ("unpaid", n(held))]);
            let mut item = with(item, quota_index_keys(activity, user));
            if let Some(limit) = restoration.limits.get(user) {
                item.insert("limit".to_owned(), n(limit.get()));
            }
            writes.push(WriteRequest::builder().put_request(put_request(item)?).build());
        }
        self.table.batch_write(writes).await?;
        self.load(activity, &restoration.remaining).await
    }

    async fn set_limit(
        &self,
        activity: &ActivityId,
        user: &UserId,
        limit: Option<DrawLimit>,
    ) -> Result<(), StoreError> {
        let update = (self.table.client.update_item())
            .table_name(&self.table.name)
            .set_key(Some(key(quota_key(activity, user), "QUOTA")))
            .expression_attribute_names("#limit", "limit");
        let result = match limit {
            Some(limit) => {
                let [(_, index_pk), (_, index_sk)] = quota_index_keys(activity, user);
                update
                    .update_expression("SET #limit = :limit, gsi1pk = :index_pk, gsi1sk = :index_sk")
                    .expression_attribute_values(":limit", n(limit.get()))
                    .expression_attribute_values(":index_pk", index_pk)
                    .expression_attribute_values(":index_sk", index_sk)
                    .send()
                    .await
            }
            // Only on an item that exists: an unconditional update would create an empty one.
            None => update.update_expression("REMOVE #limit").condition_expression("attribute_exists(pk)").send().await,
        };
        match result {
            Ok(_) => Ok(()),
            Err(error) if super::is_condition_failure(&error) => Ok(()),
            Err(error) => Err(failed("set a user's draw limit")(error)),
        }
    }

    async fn adjust(&self, activity: &ActivityId, prize: &PrizeId, delta: i64) -> Result<u64, StockError> {
        for attempt in 0..MAX_ADJUST_ATTEMPTS {
            if self.adjust_once(activity, prize, delta).await? {
                let left = self.remaining(activity).await?.and_then(|counts| counts.get(prize).copied());
                return left.ok_or_else(|| StockError::NotLoaded(activity.clone()));
            }
            back_off(attempt, delta.unsigned_abs().wrapping_add(u64::from(attempt))).await;
        }
        let contended =
            format!("dynamodb: adjustment of {activity}/{prize} still contended after {MAX_ADJUST_ATTEMPTS} attempts");
        Err(StoreError::new(contended).into())
    }

    async fn flush(&self, activity: &ActivityId) -> Result<bool, StoreError> {
        self.layouts().remove(activity);
        let layout = self.layout(activity).await?;
        if layout.is_some() {
            // First: from here on the activity is not loaded, and draws are refused.
            self.table.batch_write(vec![delete_request(key(meta_key(activity), "META"))?]).await?;
        }
        let draws = self.table.query_partitions(GSI1, draw_partitions(activity), None, None).await?;
        let indexed_quotas = self.table.query_partitions(GSI1, quota_partitions(activity), None, None).await?;
        let mut quotas: HashSet<String> =
            indexed_quotas.iter().map(|item| string(item, "pk").map(str::to_owned)).collect::<Result<_, _>>()?;
        let mut deletes = Vec::new();
        for (prize, shards) in layout.iter().flatten() {
            for k in 0..*shards {
                deletes.push(delete_request(key(shard_key(activity, prize, k), "SHARD"))?);
            }
        }
        for item in &draws {
            let draw: DrawRecord = from_item(item)?;
            quotas.insert(quota_key(activity, &draw.user_id));
            deletes.push(delete_request(key(draw_key(&draw.id), "DRAW"))?);
        }
        for pk in quotas {
            deletes.push(delete_request(key(pk, "QUOTA"))?);
        }
        let found = layout.is_some() || !deletes.is_empty();
        self.table.batch_write(deletes).await?;
        self.layouts().remove(activity);
        Ok(found)
    }

    async fn find_draw(&self, draw: &DrawId) -> Result<Option<DrawRecord>, StoreError> {
        let item = self.table.get(draw_key(draw), "DRAW").await?;
        item.as_ref().map(from_item).transpose()
    }

    async fn draws(&self, activity: &ActivityId) -> Result<Vec<DrawRecord>, StoreError> {
        let items = self.table.query_partitions(GSI1, draw_partitions(activity), None, None).await?;
        items.iter().map(from_item).collect()
    }
}

//! Units moving between an activity's stock buckets (`docs/scale.md`). A draw whose home
//! bucket is empty asks the other buckets in turn for units: `donate.lua` takes half of a
//! donor's units of each prize into its outbox under a fresh transfer id, `receive.lua`
//! applies that id to the home bucket once (its inbox remembers it), and the mover deletes
//! the outbox entry. A crash between the steps leaves the units in the outbox, still
//! counted as remaining; settlement's sweep ([`RedisStock::deliver_pending`]) delivers them.
//! A draw is refused as sold out only after a sweep of every other bucket found no units
//! and no transfer under way ([`SWEEPS`] times at most while transfers are under way), or
//! within [`SWEPT_EMPTY_FOR`] of such a sweep in this process: past the sell-out, a draw
//! whose home bucket is empty then costs one script, not one per bucket.

use std::time::{Duration, Instant};

use luckydraw_core::domain::{ActivityId, DrawRecord};
use luckydraw_core::error::StoreError;
use luckydraw_core::lottery::DrawTicket;
use luckydraw_core::ports::StockError;
use redis::AsyncCommands;

use super::buckets::BucketKeys;
use super::failed;
use super::records::parse_transfer;
use super::stock::{DrawReply, RedisStock};

/// How many times a draw sweeps the other buckets for units before it answers sold out
/// while transfers are under way (a sweep that sees none answers at once).
const SWEEPS: usize = 3;

/// How long a sweep that found every bucket empty lets this process answer sold out from
/// an empty home bucket without sweeping again (units released meanwhile into another
/// bucket wait at most this long; units in the home bucket are drawn at once).
pub const SWEPT_EMPTY_FOR: Duration = Duration::from_millis(250);

/// What one donor gave.
struct Donation {
    /// Units moved to the receiver now.
    moved: u64,
    /// Transfers still in the donor's outbox (under way, or left by a crashed mover).
    pending: u64,
}

impl RedisStock {
    /// The draw, after its home bucket `home` (of `count`) answered sold out: units move in
    /// from the other buckets until the draw runs or every bucket is empty.
    pub(super) async fn draw_moving_units(
        &self,
        ticket: &DrawTicket,
        count: u16,
        home: u16,
    ) -> Result<DrawRecord, StockError> {
        let activity = ticket.draw_id.activity();
        if self.swept_empty_lately(activity) {
            return Err(StockError::SoldOut);
        }
        let buckets = self.buckets(activity, count);
        let mut sweeps = 0;
        'sweep: while sweeps < SWEEPS {
            sweeps += 1;
            let mut under_way = false;
            for step in 1..count {
                let donor = (home + step) % count;
                let donation = self.move_units(&buckets, donor, home).await?;
                under_way |= donation.pending > 0;
                if donation.moved == 0 {
                    continue;
                }
                match self.draw_in(ticket, count, home).await? {
                    DrawReply::Drawn(record) => return Ok(record),
                    DrawReply::Refused(StockError::SoldOut) => continue 'sweep,
                    DrawReply::Refused(refusal) => return Err(refusal),
                    DrawReply::Spread(_) => {
                        return Err(StoreError::new(format!("redis: activity {activity} was spread anew")).into());
                    }
                }
            }
            if !under_way {
                self.swept_empty.write().expect("sweep lock").insert(activity.clone(), Instant::now());
                break;
            }
        }
        Err(StockError::SoldOut)
    }

    fn swept_empty_lately(&self, activity: &ActivityId) -> bool {
        let swept = self.swept_empty.read().expect("sweep lock").get(activity).copied();
        swept.is_some_and(|at| at.elapsed() < SWEPT_EMPTY_FOR)
    }

    /// Moves half of bucket `from`'s units to bucket `to` (both of `buckets`), idempotently.
    async fn move_units(&self, buckets: &[BucketKeys], from: u16, to: u16) -> Result<Donation, StoreError> {
        let (donor, receiver) = (&buckets[usize::from(from)], &buckets[usize::from(to)]);
        let transfer = format!("{:016x}", rand::random::<u64>());
        let (moved, pending, record): (u64, u64, String) = (self.donate.key(donor.stock()).key(&donor.outbox))
            .arg(&transfer)
            .arg(to)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("donate script"))?;
        if moved > 0 {
            self.deliver(donor, receiver, &transfer, &record).await?;
        }
        Ok(Donation { moved, pending: pending.saturating_sub(u64::from(moved > 0)) })
    }

    /// Applies one transfer to its receiver (once, whoever calls) and clears it from the
    /// donor's outbox; a receiver that is not loaded keeps it pending.
    async fn deliver(
        &self,
        donor: &BucketKeys,
        receiver: &BucketKeys,
        transfer: &str,
        record: &str,
    ) -> Result<(), StoreError> {
        let units = record.split_once(' ').map_or("", |(_, units)| units);
        let applied: i64 = (self.receive.key(receiver.stock()).key(&receiver.inbox))
            .arg(transfer)
            .arg(units)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failed("receive script"))?;
        if applied >= 0 {
            let _: i64 =
                self.connection.clone().hdel(&donor.outbox, transfer).await.map_err(failed("clear a transfer"))?;
        }
        Ok(())
    }

    /// Delivers every transfer still in an outbox of `buckets` (a mover crashed or timed
    /// out between its steps): settlement's sweep, so no unit stays in between for long.
    pub(super) async fn deliver_pending(&self, buckets: &[BucketKeys]) -> Result<(), StoreError> {
        for donor in buckets {
            let pending: Vec<(String, String)> =
                self.connection.clone().hgetall(&donor.outbox).await.map_err(failed("read a bucket's outbox"))?;
            for (transfer, record) in pending {
                let (to, _) = parse_transfer(&record)?;
                let receiver = buckets.get(usize::from(to)).ok_or_else(|| {
                    StoreError::new(format!("redis: transfer {transfer} names bucket {to} of {}", buckets.len()))
                })?;
                self.deliver(donor, receiver, &transfer, &record).await?;
            }
        }
        Ok(())
    }
}

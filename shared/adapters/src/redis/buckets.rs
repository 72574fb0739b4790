//! Routing one activity's stock over B buckets, each under its own hash tag so a cluster
//! spreads them over its shards (`docs/scale.md`). Bucket 0 is tagged `{act:ID}`, exactly
//! the keys of an activity in one bucket; bucket b > 0 is tagged `{act:ID#b}` (activity ids
//! are slugs: never a `#`). A player's home bucket holds their draw count, holds, own limit
//! and draw log, so the draw script checks their quota in the same step as the unit it takes.

use luckydraw_core::domain::{ActivityId, UserId};

use super::RedisKeys;

/// The keys of one stock bucket: the seven of an activity in one bucket, then the bucket's
/// unit transfers (`donate.lua`, `receive.lua`).
pub(super) struct BucketKeys {
    /// The seven keys `draw.lua` takes, in its order: stock, users, log, unsettled, holds,
    /// holding, limits.
    pub draw: [String; 7],
    /// Transfers this bucket gave and not yet known delivered: id → receiver and units.
    pub outbox: String,
    /// Transfers this bucket applied (ids), so each arrives once.
    pub inbox: String,
}

impl BucketKeys {
    /// The stock hash.
    pub fn stock(&self) -> &str {
        &self.draw[0]
    }

    /// Every key of the bucket (one hash slot), for a flush or a restore.
    pub fn all(&self) -> Vec<&str> {
        self.draw.iter().chain([&self.outbox, &self.inbox]).map(String::as_str).collect()
    }
}

impl RedisKeys {
    /// Bucket `index`'s keys of `activity`; bucket 0's seven are those of an activity in one bucket.
    pub(super) fn bucket(&self, activity: &ActivityId, index: u16) -> BucketKeys {
        let tag = if index == 0 { format!("act:{activity}") } else { format!("act:{activity}#{index}") };
        let key = |part: &str| format!("{}:{{{tag}}}:{part}", self.prefix);
        BucketKeys {
            draw: ["stock", "users", "log", "unsettled", "holds", "holding", "limits"].map(key),
            outbox: key("outbox"),
            inbox: key("inbox"),
        }
    }

    /// The activity's bucket count (a string, in bucket 0's slot), written by
    /// `StockStore::spread` when above 1; absent means one bucket.
    pub(super) fn bucket_count(&self, activity: &ActivityId) -> String {
        format!("{}:{{act:{activity}}}:buckets", self.prefix)
    }
}

/// The bucket holding `user`'s counters and draws: 64-bit FNV-1a of the user id's text,
/// modulo the bucket count (stable across processes and releases).
pub(super) fn home(user: &UserId, count: u16) -> u16 {
    let hash = user
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3));
    u16::try_from(hash % u64::from(count.max(1))).expect("below a u16 count")
}

/// Bucket `index`'s share of `units` split over `count` buckets: ⌊units / count⌋ each, and
/// the remainder's extra units to the `units mod count` buckets from `first` on (callers
/// pass a number made from the prize id, so remainders of small prizes land in different
/// buckets, and load, restore and adjust agree).
pub(super) fn share(units: u64, count: u16, index: u16, first: usize) -> u64 {
    let count = u64::from(count.max(1));
    let offset = (u64::from(index) + count - (first as u64 % count)) % count;
    units / count + u64::from(offset < units % count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use luckydraw_core::domain::Timestamp;

    #[test]
    fn bucket_zero_is_the_one_bucket_layout_and_the_others_have_their_own_tags() {
        let keys = RedisKeys::new("ld");
        let demo = ActivityId::parse("demo").unwrap();
        assert_eq!(keys.bucket(&demo, 0).stock(), "ld:{act:demo}:stock", "one bucket's layout");
        let third = keys.bucket(&demo, 3);
        assert_eq!(third.stock(), "ld:{act:demo#3}:stock");
        assert!(third.all().iter().all(|key| key.contains("{act:demo#3}")), "{:?}", third.all());
        assert_eq!(keys.bucket_count(&demo), "ld:{act:demo}:buckets");
    }

    #[test]
    fn shares_add_up_and_spread_remainders_by_prize() {
        for (units, count, first) in [(0, 1, 0), (7, 1, 3), (10, 8, 0), (3, 8, 5), (1_000_003, 64, 17)] {
            let shares: Vec<u64> = (0..count).map(|index| share(units, count, index, first)).collect();
            assert_eq!(shares.iter().sum::<u64>(), units, "{units} over {count}");
            assert!(shares.iter().max().unwrap() - shares.iter().min().unwrap() <= 1, "{shares:?}");
        }
        // Three units over eight buckets, for the prize at wheel position 5: buckets 5, 6, 7.
        let small: Vec<u64> = (0..8).map(|index| share(3, 8, index, 5)).collect();
        assert_eq!(small, [0, 0, 0, 0, 0, 1, 1, 1]);
    }

    #[test]
    fn homes_are_stable_and_spread_users_evenly() {
        let users: Vec<UserId> = (0..8_000u32)
            .map(|n| UserId::generate(Timestamp::from_millis(1_000 + i64::from(n)), [n as u8; 10]))
            .collect();
        let mut per_bucket = [0u32; 8];
        for user in &users {
            assert_eq!(home(user, 8), home(user, 8));
            assert_eq!(home(user, 1), 0);
            per_bucket[usize::from(home(user, 8))] += 1;
        }
        assert!(per_bucket.iter().all(|&n| (800..1_200).contains(&n)), "{per_bucket:?}");
    }
}

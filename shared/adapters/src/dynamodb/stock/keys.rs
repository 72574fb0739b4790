//! The stock items' keys (see the table in the module above) and how units spread over shards.

use aws_sdk_dynamodb::types::AttributeValue;
use luckydraw_core::domain::{ActivityId, DrawId, DrawRecord, PrizeId, UserId};

use super::super::{INDEX_PARTITIONS, s, sortable, spread};

pub(super) fn meta_key(activity: &ActivityId) -> String {
    format!("STOCK#{activity}")
}

pub(super) fn shard_key(activity: &ActivityId, prize: &PrizeId, k: u64) -> String {
    format!("STOCK#{activity}#{prize}#{k}")
}

pub(super) fn parse_shard_key(activity: &ActivityId, pk: &str) -> Option<(PrizeId, usize)> {
    let rest = pk.strip_prefix(&format!("STOCK#{activity}#"))?;
    let (prize, k) = rest.rsplit_once('#')?;
    Some((PrizeId::parse(prize).ok()?, k.parse().ok()?))
}

pub(super) fn quota_key(activity: &ActivityId, user: &UserId) -> String {
    format!("QUOTA#{activity}#{user}")
}

/// The gsi1 keys that list a user's quota item among its activity's (so a flush finds the
/// items of users who never drew: an override set by an operator, a restored count).
pub(super) fn quota_index_keys(activity: &ActivityId, user: &UserId) -> [(&'static str, AttributeValue); 2] {
    [("gsi1pk", s(format!("QUOTAS#{activity}#{}", spread(user) % INDEX_PARTITIONS))), ("gsi1sk", s(user.to_string()))]
}

/// Every gsi1 partition of an activity's indexed quota items.
pub(super) fn quota_partitions(activity: &ActivityId) -> impl Iterator<Item = String> + use<> {
    let activity = activity.clone();
    (0..INDEX_PARTITIONS).map(move |partition| format!("QUOTAS#{activity}#{partition}"))
}

pub(super) fn draw_key(draw: &DrawId) -> String {
    format!("DRAW#{draw}")
}

pub(super) fn draw_keys(draw: &DrawId) -> [(&'static str, AttributeValue); 4] {
    [
        ("pk", s(draw_key(draw))),
        ("sk", s("DRAW")),
        ("gsi1pk", s(format!("DRAWS#{}#{}", draw.activity(), spread(draw.order_id()) % INDEX_PARTITIONS))),
        ("gsi1sk", s(draw.to_string())),
    ]
}

/// Every gsi1 partition of an activity's draws.
pub(super) fn draw_partitions(activity: &ActivityId) -> impl Iterator<Item = String> + use<> {
    let activity = activity.clone();
    (0..INDEX_PARTITIONS).map(move |partition| format!("DRAWS#{activity}#{partition}"))
}

/// The gsi2 keys that list a draw among its activity's unsettled draws, by time.
pub(super) fn unsettled_keys(draw: &DrawRecord) -> [(&'static str, AttributeValue); 2] {
    let partition = spread(&draw.id.order_id()) % INDEX_PARTITIONS;
    [
        ("gsi2pk", s(format!("UNSETTLED#{}#{partition}", draw.id.activity()))),
        ("gsi2sk", s(format!("{}#{}", sortable(draw.drawn_at.as_millis()), draw.id))),
    ]
}

/// Every gsi2 partition of an activity's unsettled draws.
pub(super) fn unsettled_partitions(activity: &ActivityId) -> impl Iterator<Item = String> + use<> {
    let activity = activity.clone();
    (0..INDEX_PARTITIONS).map(move |partition| format!("UNSETTLED#{activity}#{partition}"))
}

/// `units` split over `shards` as evenly as possible.
pub(super) fn split(units: u64, shards: u64) -> impl Iterator<Item = u64> {
    (0..shards).map(move |k| units / shards + u64::from(k < units % shards))
}

/// How many units to take from which of `shards` (units per shard) to take `units` in all,
/// fullest shards first; fewer in all if the shards hold fewer.
pub(super) fn take_from_fullest(shards: &[u64], units: u64) -> Vec<(u64, u64)> {
    let mut fullest_first: Vec<usize> = (0..shards.len()).collect();
    fullest_first.sort_by_key(|&k| std::cmp::Reverse(shards[k]));
    let mut wanted = units;
    let mut takes = Vec::new();
    for k in fullest_first {
        let taken = wanted.min(shards[k]);
        if taken == 0 {
            break;
        }
        takes.push((k as u64, taken));
        wanted -= taken;
    }
    takes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_take_from_the_fullest_shards_first() {
        assert_eq!(take_from_fullest(&[1, 5, 3], 7), [(1, 5), (2, 2)]);
        assert_eq!(take_from_fullest(&[2, 2], 4), [(0, 2), (1, 2)]);
        assert_eq!(take_from_fullest(&[0, 1], 0), []);
        assert_eq!(take_from_fullest(&[1, 1], 5), [(0, 1), (1, 1)], "no more than there is");
    }

    #[test]
    fn units_split_evenly_over_shards() {
        assert_eq!(split(10, 4).collect::<Vec<_>>(), [3, 3, 2, 2]);
        assert_eq!(split(2, 4).collect::<Vec<_>>(), [1, 1, 0, 0]);
        assert_eq!(split(0, 1).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn shard_keys_parse_back() {
        let activity = ActivityId::parse("demo").unwrap();
        let prize = PrizeId::parse("cup-2").unwrap();
        let pk = shard_key(&activity, &prize, 3);
        assert_eq!(parse_shard_key(&activity, &pk), Some((prize, 3)));
        assert_eq!(parse_shard_key(&ActivityId::parse("dem").unwrap(), &pk), None);
    }
}

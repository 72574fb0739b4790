//! How many stock shard items each prize is split over in DynamoDB
//! (`LUCKYDRAW_STOCK_SHARDS`, `LUCKYDRAW_STOCK_SHARDS_BY_PRIZE`).

use std::collections::HashMap;

use luckydraw_core::domain::{ActivityId, PrizeId};
use luckydraw_core::settings::ConfigError;

/// How many stock shard items each prize is split over in DynamoDB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardPlan {
    default: u16,
    overrides: HashMap<(ActivityId, PrizeId), u16>,
}

impl ShardPlan {
    /// Shards per prize unless overridden.
    pub const DEFAULT_SHARDS: u16 = 4;
    /// More shards than this buys nothing: a transaction holds at most 100 items.
    pub const MAX_SHARDS: u16 = 64;

    /// `shards` for every prize.
    pub fn uniform(shards: u16) -> Self {
        Self { default: shards.clamp(1, Self::MAX_SHARDS), overrides: HashMap::new() }
    }

    /// The default plus overrides written `activity/prize=K,activity/prize=K`.
    pub fn parse(default: u16, overrides: Option<&str>) -> Result<Self, ConfigError> {
        let invalid = |value: &str, reason: &str| ConfigError::new("LUCKYDRAW_STOCK_SHARDS_BY_PRIZE", value, reason);
        if !(1..=Self::MAX_SHARDS).contains(&default) {
            return Err(ConfigError::new("LUCKYDRAW_STOCK_SHARDS", &default.to_string(), "must be 1 to 64"));
        }
        let mut plan = Self::uniform(default);
        for entry in overrides.unwrap_or_default().split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let parsed = entry.split_once('=').and_then(|(target, shards)| {
                let (activity, prize) = target.trim().split_once('/')?;
                let shards: u16 = shards.trim().parse().ok()?;
                Some((ActivityId::parse(activity).ok()?, PrizeId::parse(prize).ok()?, shards))
            });
            let (activity, prize, shards) = parsed.ok_or_else(|| invalid(entry, "expected activity/prize=K"))?;
            if !(1..=Self::MAX_SHARDS).contains(&shards) {
                return Err(invalid(entry, "K must be 1 to 64"));
            }
            plan.overrides.insert((activity, prize), shards);
        }
        Ok(plan)
    }

    /// How many shard items hold `prize` of `activity`.
    pub fn shards(&self, activity: &ActivityId, prize: &PrizeId) -> u16 {
        self.overrides.get(&(activity.clone(), prize.clone())).copied().unwrap_or(self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_overrides_name_activity_and_prize() {
        let plan = ShardPlan::parse(4, Some("demo/laptop=16, demo/cup=1")).unwrap();
        let demo = ActivityId::parse("demo").unwrap();
        assert_eq!(plan.shards(&demo, &PrizeId::parse("laptop").unwrap()), 16);
        assert_eq!(plan.shards(&demo, &PrizeId::parse("cup").unwrap()), 1);
        assert_eq!(plan.shards(&demo, &PrizeId::parse("tea").unwrap()), 4);
        assert!(ShardPlan::parse(4, Some("laptop=3")).is_err());
        assert!(ShardPlan::parse(4, Some("demo/laptop=0")).is_err());
        assert!(ShardPlan::parse(0, None).is_err());
    }
}

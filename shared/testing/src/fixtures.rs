//! Test activities and prizes.

use luckydraw_core::domain::{
    ActivityId, ActivitySpec, ActivityStatus, DEFAULT_MAX_UNPAID, DrawLimit, DrawMode, Entry, Money, Prize, PrizeId,
};

use crate::START;

/// One prize: `(id, stock, weight, price in fen)`; a price of zero with id `thanks` is the consolation.
pub fn prizes(list: &[(&str, u64, u32, u64)]) -> Vec<Prize> {
    list.iter()
        .enumerate()
        .map(|(index, &(id, initial, weight, price))| Prize {
            id: PrizeId::parse(id).expect("test prize ids are valid"),
            name: id.to_owned(),
            description: String::new(),
            picture: format!("/prizes/{id}.svg"),
            price_fen: Money::from_fen(price),
            initial,
            weight,
            wheel_index: u16::try_from(index).expect("few prizes"),
            consolation: id == "thanks",
        })
        .collect()
}

/// An online activity open for a day from [`START`], 15-minute pay window, no draw limit,
/// the default cap of unpaid prizes.
pub fn activity_spec(id: &str, mode: DrawMode, prizes: Vec<Prize>) -> ActivitySpec {
    ActivitySpec {
        id: ActivityId::parse(id).expect("test activity ids are valid"),
        name: id.to_owned(),
        description: String::new(),
        starts_at: START,
        ends_at: START.plus(std::time::Duration::from_secs(86_400)),
        status: ActivityStatus::Online,
        draw_mode: mode,
        entry: Entry::Instant,
        per_user_limit: DrawLimit::UNLIMITED,
        vip_per_user_limit: None,
        pay_window_secs: 900,
        max_unpaid_per_user: DEFAULT_MAX_UNPAID,
        eligibility: Default::default(),
        prizes,
    }
}

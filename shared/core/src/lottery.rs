//! The draw algorithm: where the wheel stops for one random number, in exact integers.
//!
//! This is the one home of the pick: the memory and DynamoDB stock stores call
//! [`DrawTicket::pick`]. Redis runs the same steps inside its draw script
//! (`infra/redis/draw.lua`, its mirror), and the parity tests hold the two to the same
//! slot for the same roll over the same counts.

use crate::domain::{DrawId, DrawLimit, DrawMode, DrawOutcome, DrawRecord, PrizeId, Timestamp, UserId};
use crate::ports::Random;

/// Rolls are uniform in `0..ROLL_BOUND`: 53 bits, so Lua's doubles hold them exactly.
pub const ROLL_BOUND: u64 = 1 << 53;

pub use crate::domain::MAX_TOTAL_STOCK;

/// One wheel slot as the algorithm sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Units left.
    pub remaining: u64,
    /// Configured weight (used by the weight modes only).
    pub weight: u32,
}

/// Where the wheel stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Slot `i` has a unit: take it.
    Take(usize),
    /// Slot `i` is sold out and the mode keeps its odds: nothing is taken.
    Miss(usize),
}

/// Picks a slot for `roll` (reduced modulo the total odds), or `None` when every slot is
/// empty. Odds are the slot's remaining units (`RemainingStock`) or its weight (the weight
/// modes, where `WeightRedistribute` skips empty slots and `WeightKeep` does not).
pub fn pick(mode: DrawMode, slots: &[Slot], roll: u64) -> Option<Pick> {
    if slots.iter().all(|slot| slot.remaining == 0) {
        return None;
    }
    let odds = |slot: &Slot| match mode {
        DrawMode::RemainingStock => slot.remaining,
        DrawMode::WeightRedistribute if slot.remaining == 0 => 0,
        DrawMode::WeightRedistribute | DrawMode::WeightKeep => u64::from(slot.weight),
    };
    let total: u64 = slots.iter().map(odds).sum();
    if total == 0 {
        return None;
    }
    let mut point = roll % total;
    for (index, slot) in slots.iter().enumerate() {
        let width = odds(slot);
        if point < width {
            return Some(if slot.remaining > 0 { Pick::Take(index) } else { Pick::Miss(index) });
        }
        point -= width;
    }
    unreachable!("point < total = sum of widths")
}

/// A roll for a draw, uniform in `0..ROLL_BOUND` (the low 53 bits of 64 random bits).
pub fn roll(random: &dyn Random) -> u64 {
    u64::from_le_bytes(random.bytes()) % ROLL_BOUND
}

/// Everything the stock store needs for one draw, decided before the atomic step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawTicket {
    /// Id for the draw record (it names the activity).
    pub draw_id: DrawId,
    /// Who draws.
    pub user_id: UserId,
    /// How to pick.
    pub mode: DrawMode,
    /// This user's limit in this activity.
    pub limit: DrawLimit,
    /// Unpaid priced prizes the user may hold at once (0 = no cap): at the cap, refused.
    pub max_unpaid: u32,
    /// The wheel, in wheel order.
    pub prizes: Vec<WheelSlot>,
    /// Uniform in `0..ROLL_BOUND`.
    pub roll: u64,
    /// When.
    pub at: Timestamp,
}

impl DrawTicket {
    /// Runs the draw algorithm over `remaining` units per prize: the slot the wheel stops
    /// on, whether to take a unit from it, and the outcome; `None` when all is sold out.
    pub fn pick(&self, remaining: impl Fn(&PrizeId) -> u64) -> Option<(&WheelSlot, bool, DrawOutcome)> {
        let slots: Vec<Slot> =
            self.prizes.iter().map(|p| Slot { remaining: remaining(&p.prize_id), weight: p.weight }).collect();
        let (index, take) = match pick(self.mode, &slots, self.roll)? {
            Pick::Take(index) => (index, true),
            Pick::Miss(index) => (index, false),
        };
        let slot = &self.prizes[index];
        let outcome = match (take, slot.consolation) {
            (false, _) => DrawOutcome::Missed,
            (true, true) => DrawOutcome::Consolation,
            (true, false) => DrawOutcome::Won,
        };
        Some((slot, take, outcome))
    }

    /// Whether a draw landing on `slot` with `outcome` holds an unpaid prize.
    pub fn holds(slot: &WheelSlot, outcome: DrawOutcome) -> bool {
        slot.priced && outcome == DrawOutcome::Won
    }

    /// Whether the user, holding `holds` unpaid prizes, is at the cap.
    pub fn at_unpaid_cap(&self, holds: u64) -> bool {
        self.max_unpaid > 0 && holds >= u64::from(self.max_unpaid)
    }

    /// The record of this draw landing on `prize_id` with `outcome`.
    pub fn record(&self, prize_id: &PrizeId, outcome: DrawOutcome) -> DrawRecord {
        DrawRecord {
            id: self.draw_id.clone(),
            user_id: self.user_id,
            prize_id: prize_id.clone(),
            outcome,
            drawn_at: self.at,
            released: false,
        }
    }
}

/// One prize on the wheel as a draw sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelSlot {
    /// The prize.
    pub prize_id: PrizeId,
    /// Its weight (weight modes).
    pub weight: u32,
    /// Whether landing on it is a no-win.
    pub consolation: bool,
    /// Whether it has a price: winning it holds a unit unpaid until paid or given back.
    pub priced: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    fn slots(stock: &[(u64, u32)]) -> Vec<Slot> {
        stock.iter().map(|&(remaining, weight)| Slot { remaining, weight }).collect()
    }

    /// How many rolls in `0..span` land on each slot.
    fn tally(mode: DrawMode, slots: &[Slot], span: u64) -> (Vec<u64>, Vec<u64>) {
        let (mut taken, mut missed) = (vec![0; slots.len()], vec![0; slots.len()]);
        for roll in 0..span {
            match pick(mode, slots, roll).unwrap() {
                Pick::Take(i) => taken[i] += 1,
                Pick::Miss(i) => missed[i] += 1,
            }
        }
        (taken, missed)
    }

    #[test]
    fn remaining_stock_odds_are_exactly_proportional_to_counts() {
        let wheel = slots(&[(5, 0), (2, 0), (4, 0)]);
        assert_eq!(tally(DrawMode::RemainingStock, &wheel, 11).0, [5, 2, 4]);
        assert_eq!(tally(DrawMode::RemainingStock, &wheel, 11 * 1000).0, [5000, 2000, 4000]);
    }

    #[test]
    fn weights_give_exact_odds_without_percent_granularity() {
        let wheel = slots(&[(9, 1), (9, 9_999), (9, 0)]);
        assert_eq!(tally(DrawMode::WeightRedistribute, &wheel, 10_000).0, [1, 9_999, 0]);
    }

    #[test]
    fn redistribute_renormalises_over_what_is_left() {
        let wheel = slots(&[(0, 50), (3, 30), (1, 20)]);
        let (taken, missed) = tally(DrawMode::WeightRedistribute, &wheel, 50);
        assert_eq!(taken, [0, 30, 20]);
        assert_eq!(missed, [0, 0, 0]);
    }

    #[test]
    fn keep_lands_on_sold_out_slots_as_misses() {
        let wheel = slots(&[(0, 50), (3, 30), (1, 20)]);
        let (taken, missed) = tally(DrawMode::WeightKeep, &wheel, 100);
        assert_eq!(taken, [0, 30, 20]);
        assert_eq!(missed, [50, 0, 0]);
    }

    #[test]
    fn nothing_left_means_no_pick() {
        let empty = slots(&[(0, 5), (0, 5)]);
        for mode in [DrawMode::RemainingStock, DrawMode::WeightRedistribute, DrawMode::WeightKeep] {
            assert_eq!(pick(mode, &empty, 7), None);
        }
        assert_eq!(pick(DrawMode::WeightRedistribute, &slots(&[(4, 0)]), 0), None);
    }

    #[test]
    fn drawing_until_empty_hands_out_every_unit_exactly_once() {
        let mut wheel = slots(&[(5, 0), (2, 0), (4, 0), (1, 0)]);
        let initial: Vec<u64> = wheel.iter().map(|s| s.remaining).collect();
        let mut handed = vec![0; wheel.len()];
        let mut rng = StdRng::seed_from_u64(7);
        while let Some(Pick::Take(i)) = pick(DrawMode::RemainingStock, &wheel, rng.random_range(0..ROLL_BOUND)) {
            wheel[i].remaining -= 1;
            handed[i] += 1;
        }
        assert_eq!(handed, initial);
        assert!(wheel.iter().all(|s| s.remaining == 0));
    }

    /// Pearson's chi-square statistic of observed counts against expected probabilities.
    fn chi_square(observed: &[u64], odds: &[u64]) -> f64 {
        let draws: u64 = observed.iter().sum();
        let total: u64 = odds.iter().sum();
        observed
            .iter()
            .zip(odds)
            .map(|(&seen, &odd)| {
                let expected = draws as f64 * odd as f64 / total as f64;
                (seen as f64 - expected).powi(2) / expected
            })
            .sum()
    }

    fn frequencies(mode: DrawMode, wheel: &[Slot], seed: u64) -> Vec<u64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut seen = vec![0; wheel.len()];
        for _ in 0..100_000 {
            match pick(mode, wheel, rng.random_range(0..ROLL_BOUND)) {
                Some(Pick::Take(i) | Pick::Miss(i)) => seen[i] += 1,
                None => unreachable!(),
            }
        }
        seen
    }

    // Critical value of chi-square at p = 0.001: 9 degrees of freedom → 27.877.
    const CRITICAL_DF9: f64 = 27.877;

    #[test]
    fn remaining_stock_frequencies_match_the_counts_over_100k_draws() {
        let counts = [1000, 1000, 1000, 200, 300, 400, 1000, 1000, 100, 500];
        let wheel: Vec<Slot> = counts.iter().map(|&remaining| Slot { remaining, weight: 0 }).collect();
        let seen = frequencies(DrawMode::RemainingStock, &wheel, 2026);
        let statistic = chi_square(&seen, &counts);
        assert!(statistic < CRITICAL_DF9, "chi-square {statistic:.2} for {seen:?}");
    }

    #[test]
    fn weight_frequencies_match_the_weights_over_100k_draws() {
        let weights = [5000u32, 1500, 1200, 3, 7, 10, 900, 800, 80, 500];
        let wheel: Vec<Slot> = weights.iter().map(|&weight| Slot { remaining: 1, weight }).collect();
        let seen = frequencies(DrawMode::WeightKeep, &wheel, 2027);
        let odds: Vec<u64> = weights.iter().map(|&w| u64::from(w)).collect();
        let statistic = chi_square(&seen, &odds);
        assert!(statistic < CRITICAL_DF9, "chi-square {statistic:.2} for {seen:?}");
    }

    #[test]
    fn a_biased_wheel_fails_the_same_chi_square_check() {
        // Guards the check itself: frequencies from other odds must be rejected.
        let wheel: Vec<Slot> = [1100u32, 900, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]
            .iter()
            .map(|&weight| Slot { remaining: 1, weight })
            .collect();
        let seen = frequencies(DrawMode::WeightKeep, &wheel, 2028);
        assert!(chi_square(&seen, &[1000; 10]) > CRITICAL_DF9);
    }
}

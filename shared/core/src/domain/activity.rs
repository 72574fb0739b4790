//! Activities (a lucky draw or a flash sale) and the prizes on their wheel.

use std::collections::HashSet;
use std::ops::Deref;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ActivityId, Eligibility, Money, PrizeId, Timestamp, User, UserKind};

/// The most units an activity may hold, so every sum stays exact in Lua as well.
pub const MAX_TOTAL_STOCK: u64 = 1 << 48;

/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;

/// The longest picture path or URL, in bytes.
pub const MAX_PICTURE: usize = 512;

/// The cap on a user's unpaid priced prizes when an activity does not set one.
pub const DEFAULT_MAX_UNPAID: u32 = 3;

fn default_max_unpaid() -> u32 {
    DEFAULT_MAX_UNPAID
}

/// Whether players can see and draw in an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Being prepared; invisible to players.
    Draft,
    /// Open for drawing between its start and end.
    Online,
    /// Closed by an operator.
    Offline,
}

/// How a draw picks a prize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawMode {
    /// Odds proportional to the units left of each prize, recomputed every draw.
    RemainingStock,
    /// Odds by configured weight; sold-out prizes drop out and the odds renormalise.
    WeightRedistribute,
    /// Odds by configured weight; landing on a sold-out prize is a no-win.
    WeightKeep,
}

/// How a press of the draw button is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// The draw happens at once and answers with the prize.
    #[default]
    Instant,
    /// The press takes a ticket in arrival order (202 with a position); a worker draws
    /// tickets strictly in order and the page polls for the result.
    Queued,
}

/// How many draws one user may make in an activity; 0 means unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DrawLimit(u32);

/// A prize on the wheel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prize {
    /// Id, unique within the activity.
    pub id: PrizeId,
    /// Display name.
    pub name: String,
    /// Longer text for the page.
    #[serde(default)]
    pub description: String,
    /// URL or path of its picture.
    #[serde(default)]
    pub picture: String,
    /// What the winner pays, in fen; zero for a free prize.
    pub price_fen: Money,
    /// Units loaded when the activity starts.
    pub initial: u64,
    /// Relative odds in the weight modes.
    #[serde(default)]
    pub weight: u32,
    /// Position on the wheel, 0-based.
    pub wheel_index: u16,
    /// The "thank you" slot: landing on it is a no-win.
    #[serde(default)]
    pub consolation: bool,
}

/// What an operator configures; becomes an [`Activity`] once it passes [`Activity::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySpec {
    /// Id.
    pub id: ActivityId,
    /// Display name.
    pub name: String,
    /// Longer text for the page.
    #[serde(default)]
    pub description: String,
    /// First instant a draw is accepted.
    pub starts_at: Timestamp,
    /// First instant a draw is no longer accepted.
    pub ends_at: Timestamp,
    /// Draft, online or offline.
    pub status: ActivityStatus,
    /// How prizes are picked.
    pub draw_mode: DrawMode,
    /// Instant (default) or queued draws.
    #[serde(default)]
    pub entry: Entry,
    /// Draws allowed per user (0 = unlimited).
    #[serde(default)]
    pub per_user_limit: DrawLimit,
    /// Draws allowed per VIP user; the normal limit when absent.
    #[serde(default)]
    pub vip_per_user_limit: Option<DrawLimit>,
    /// How long a winner has to pay, in seconds.
    pub pay_window_secs: u32,
    /// Priced prizes one user may hold unpaid at once (won, neither paid nor given back);
    /// 0 = no cap. Absent in stored data: [`DEFAULT_MAX_UNPAID`].
    #[serde(default = "default_max_unpaid")]
    pub max_unpaid_per_user: u32,
    /// Who may draw (everyone when empty).
    #[serde(default)]
    pub eligibility: Eligibility,
    /// The prizes, in any order; stored in wheel order.
    pub prizes: Vec<Prize>,
}

/// A valid activity: times in order, prizes with unique ids filling wheel positions 0..n.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ActivitySpec", into = "ActivitySpec")]
pub struct Activity(ActivitySpec);

/// Why an [`ActivitySpec`] is not a valid activity; [`ActivityError::field`] names the field.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    /// Empty or overlong name (of the activity, or of the prize at this index).
    #[error("a name has 1 to 64 characters")]
    Name(Option<usize>),
    /// An overlong description.
    #[error("a description has at most 2000 characters")]
    Description(Option<usize>),
    /// A picture that is neither a site path nor an http(s) URL, or is too long.
    #[error("a picture is a path starting with `/` or an http(s) URL of at most 512 bytes")]
    Picture(usize),
    /// `ends_at` not after `starts_at`.
    #[error("the activity must end after it starts")]
    Window,
    /// No prizes, or too many for a wheel.
    #[error("an activity has 1 to 64 prizes")]
    PrizeCount,
    /// Two prizes share an id.
    #[error("prize id `{1}` is used twice")]
    DuplicatePrize(usize, PrizeId),
    /// Wheel positions are not exactly 0..n.
    #[error("wheel positions must be 0 to {1} with none repeated")]
    WheelPositions(usize, usize),
    /// A consolation prize with a price.
    #[error("a consolation prize cannot have a price")]
    PricedConsolation(usize),
    /// A second consolation prize.
    #[error("an activity has at most one consolation prize")]
    Consolations(usize),
    /// A zero weight where odds go by weight.
    #[error("in the weight modes every prize needs a weight above zero")]
    Weight(usize),
    /// A zero pay window.
    #[error("the pay window must be at least one second")]
    PayWindow,
    /// More units than the stores can count exactly.
    #[error("an activity holds at most 2^48 units")]
    StockTooLarge,
}

impl ActivityError {
    /// The field at fault, as a client addresses it: `ends_at`, `prizes[2].weight`, ...
    pub fn field(&self) -> String {
        let prize = |index: &usize, field: &str| format!("prizes[{index}].{field}");
        match self {
            ActivityError::Name(None) => "name".into(),
            ActivityError::Name(Some(index)) => prize(index, "name"),
            ActivityError::Description(None) => "description".into(),
            ActivityError::Description(Some(index)) => prize(index, "description"),
            ActivityError::Picture(index) => prize(index, "picture"),
            ActivityError::Window => "ends_at".into(),
            ActivityError::PrizeCount | ActivityError::StockTooLarge => "prizes".into(),
            ActivityError::DuplicatePrize(index, _) => prize(index, "id"),
            ActivityError::WheelPositions(index, _) => prize(index, "wheel_index"),
            ActivityError::PricedConsolation(index) => prize(index, "price_fen"),
            ActivityError::Consolations(index) => prize(index, "consolation"),
            ActivityError::Weight(index) => prize(index, "weight"),
            ActivityError::PayWindow => "pay_window_secs".into(),
        }
    }
}

impl DrawLimit {
    /// No limit.
    pub const UNLIMITED: DrawLimit = DrawLimit(0);

    /// At most `draws` draws; 0 means unlimited.
    pub const fn new(draws: u32) -> Self {
        Self(draws)
    }

    /// The configured number (0 = unlimited).
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Whether a user who has drawn `count` times may draw again.
    pub const fn allows_another(self, count: u32) -> bool {
        self.0 == 0 || count < self.0
    }
}

impl Activity {
    /// Checks a spec and orders its prizes by wheel position.
    pub fn new(mut spec: ActivitySpec) -> Result<Self, ActivityError> {
        check_text(&spec.name, &spec.description, None)?;
        if spec.ends_at <= spec.starts_at {
            return Err(ActivityError::Window);
        }
        if spec.pay_window_secs == 0 {
            return Err(ActivityError::PayWindow);
        }
        check_prizes(&spec.prizes, spec.draw_mode)?;
        spec.prizes.sort_by_key(|prize| prize.wheel_index);
        Ok(Self(spec))
    }

    /// Whether draws are accepted at `now`.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.0.status == ActivityStatus::Online && self.0.starts_at <= now && now < self.0.ends_at
    }

    /// The draw limit that applies to a user of `kind`.
    pub fn limit_for(&self, kind: UserKind) -> DrawLimit {
        match (kind, self.0.vip_per_user_limit) {
            (UserKind::Vip, Some(limit)) => limit,
            _ => self.0.per_user_limit,
        }
    }

    /// Whether `user` may draw here.
    pub fn admits(&self, user: &User) -> bool {
        self.0.eligibility.admits(user)
    }

    /// The prize with this id.
    pub fn prize(&self, id: &PrizeId) -> Option<&Prize> {
        self.0.prizes.iter().find(|prize| &prize.id == id)
    }

    /// How long a winner has to pay.
    pub fn pay_window(&self) -> Duration {
        Duration::from_secs(self.0.pay_window_secs.into())
    }
}

/// Read-only access to the validated spec.
impl Deref for Activity {
    type Target = ActivitySpec;
    fn deref(&self) -> &ActivitySpec {
        &self.0
    }
}

impl TryFrom<ActivitySpec> for Activity {
    type Error = ActivityError;
    fn try_from(spec: ActivitySpec) -> Result<Self, ActivityError> {
        Self::new(spec)
    }
}

impl From<Activity> for ActivitySpec {
    fn from(activity: Activity) -> ActivitySpec {
        activity.0
    }
}

fn check_text(name: &str, description: &str, prize: Option<usize>) -> Result<(), ActivityError> {
    if !(1..=64).contains(&name.trim().chars().count()) {
        return Err(ActivityError::Name(prize));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ActivityError::Description(prize));
    }
    Ok(())
}

/// A site path (`/prizes/bear.svg`) or an http(s) URL, without spaces or quotes; or none.
fn check_picture(picture: &str, index: usize) -> Result<(), ActivityError> {
    let scheme_ok = picture.is_empty()
        || (picture.starts_with('/') && !picture.starts_with("//"))
        || picture.starts_with("https://")
        || picture.starts_with("http://");
    let clean = picture.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\'));
    if scheme_ok && clean && picture.len() <= MAX_PICTURE { Ok(()) } else { Err(ActivityError::Picture(index)) }
}

fn check_prizes(prizes: &[Prize], mode: DrawMode) -> Result<(), ActivityError> {
    if !(1..=64).contains(&prizes.len()) {
        return Err(ActivityError::PrizeCount);
    }
    let mut ids = HashSet::new();
    let mut positions = HashSet::new();
    let mut consolation = false;
    for (index, prize) in prizes.iter().enumerate() {
        check_text(&prize.name, &prize.description, Some(index))?;
        check_picture(&prize.picture, index)?;
        if !ids.insert(&prize.id) {
            return Err(ActivityError::DuplicatePrize(index, prize.id.clone()));
        }
        if usize::from(prize.wheel_index) >= prizes.len() || !positions.insert(prize.wheel_index) {
            return Err(ActivityError::WheelPositions(index, prizes.len() - 1));
        }
        if prize.consolation && !prize.price_fen.is_zero() {
            return Err(ActivityError::PricedConsolation(index));
        }
        if prize.consolation && std::mem::replace(&mut consolation, true) {
            return Err(ActivityError::Consolations(index));
        }
        if mode != DrawMode::RemainingStock && prize.weight == 0 {
            return Err(ActivityError::Weight(index));
        }
    }
    let total = prizes.iter().try_fold(0u64, |sum, prize| sum.checked_add(prize.initial));
    match total {
        Some(total) if total <= MAX_TOTAL_STOCK => Ok(()),
        _ => Err(ActivityError::StockTooLarge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prize(id: &str, wheel_index: u16) -> Prize {
        Prize {
            id: PrizeId::parse(id).unwrap(),
            name: id.to_uppercase(),
            description: String::new(),
            picture: String::new(),
            price_fen: Money::from_yuan(1),
            initial: 10,
            weight: 1,
            wheel_index,
            consolation: false,
        }
    }

    fn spec(prizes: Vec<Prize>) -> ActivitySpec {
        ActivitySpec {
            id: ActivityId::parse("spring").unwrap(),
            name: "Spring".into(),
            description: String::new(),
            starts_at: Timestamp::from_millis(1_000),
            ends_at: Timestamp::from_millis(2_000),
            status: ActivityStatus::Online,
            draw_mode: DrawMode::RemainingStock,
            entry: Entry::Instant,
            per_user_limit: DrawLimit::new(3),
            vip_per_user_limit: Some(DrawLimit::new(10)),
            pay_window_secs: 900,
            max_unpaid_per_user: 2,
            eligibility: Eligibility::default(),
            prizes,
        }
    }

    #[test]
    fn prizes_are_kept_in_wheel_order() {
        let activity = Activity::new(spec(vec![prize("b", 1), prize("a", 0)])).unwrap();
        let ids: Vec<_> = activity.prizes.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn open_from_start_until_just_before_end_while_online() {
        let activity = Activity::new(spec(vec![prize("a", 0)])).unwrap();
        assert!(!activity.is_open(Timestamp::from_millis(999)));
        assert!(activity.is_open(Timestamp::from_millis(1_000)));
        assert!(activity.is_open(Timestamp::from_millis(1_999)));
        assert!(!activity.is_open(Timestamp::from_millis(2_000)));
        let mut offline = spec(vec![prize("a", 0)]);
        offline.status = ActivityStatus::Offline;
        assert!(!Activity::new(offline).unwrap().is_open(Timestamp::from_millis(1_500)));
    }

    #[test]
    fn vips_get_their_own_limit() {
        let activity = Activity::new(spec(vec![prize("a", 0)])).unwrap();
        assert_eq!(activity.limit_for(UserKind::Normal), DrawLimit::new(3));
        assert_eq!(activity.limit_for(UserKind::Vip), DrawLimit::new(10));
        assert!(DrawLimit::UNLIMITED.allows_another(u32::MAX - 1));
        assert!(!DrawLimit::new(3).allows_another(3));
    }

    #[test]
    fn rejects_inconsistent_specs() {
        let duplicate = spec(vec![prize("a", 0), prize("a", 1)]);
        assert_eq!(Activity::new(duplicate).unwrap_err().field(), "prizes[1].id");
        let gap = spec(vec![prize("a", 0), prize("b", 2)]);
        assert_eq!(Activity::new(gap), Err(ActivityError::WheelPositions(1, 1)));
        let mut priced = prize("thanks", 0);
        priced.consolation = true;
        assert_eq!(Activity::new(spec(vec![priced])).unwrap_err().field(), "prizes[0].price_fen");
        let mut backwards = spec(vec![prize("a", 0)]);
        backwards.ends_at = backwards.starts_at;
        assert_eq!(Activity::new(backwards), Err(ActivityError::Window));
        assert_eq!(Activity::new(spec(vec![])), Err(ActivityError::PrizeCount));
    }

    #[test]
    fn each_rule_names_its_field() {
        let consolation =
            |id: &str, index: u16| Prize { consolation: true, price_fen: Money::ZERO, ..prize(id, index) };
        let two = spec(vec![consolation("a", 0), consolation("b", 1)]);
        assert_eq!(Activity::new(two).unwrap_err().field(), "prizes[1].consolation");
        let mut weighted = spec(vec![prize("a", 0), Prize { weight: 0, ..prize("b", 1) }]);
        weighted.draw_mode = DrawMode::WeightKeep;
        assert_eq!(Activity::new(weighted.clone()).unwrap_err().field(), "prizes[1].weight");
        weighted.draw_mode = DrawMode::RemainingStock;
        assert!(Activity::new(weighted).is_ok(), "weights do not matter by remaining stock");
        for bad in [
            "javascript:alert(1)",
            "//evil.example/x.png",
            "/a b.png",
            "/x\"onload=\"1",
            &format!("/{}", "a".repeat(512)),
        ] {
            let pictured = spec(vec![Prize { picture: bad.into(), ..prize("a", 0) }]);
            assert_eq!(Activity::new(pictured).unwrap_err().field(), "prizes[0].picture", "{bad}");
        }
        for good in ["", "/prizes/bear.svg", "https://cdn.example.com/p.png"] {
            assert!(Activity::new(spec(vec![Prize { picture: good.into(), ..prize("a", 0) }])).is_ok(), "{good}");
        }
        let mut long = spec(vec![prize("a", 0)]);
        long.description = "x".repeat(MAX_DESCRIPTION + 1);
        assert_eq!(Activity::new(long).unwrap_err().field(), "description");
        let mut unnamed = spec(vec![Prize { name: " ".into(), ..prize("a", 0) }]);
        assert_eq!(Activity::new(unnamed.clone()).unwrap_err().field(), "prizes[0].name");
        unnamed.pay_window_secs = 0;
        unnamed.prizes = vec![prize("a", 0)];
        assert_eq!(Activity::new(unnamed).unwrap_err().field(), "pay_window_secs");
    }

    #[test]
    fn the_unpaid_cap_defaults_to_three_when_absent() {
        let mut json = serde_json::to_value(spec(vec![prize("a", 0)])).unwrap();
        assert_eq!(json["max_unpaid_per_user"], 2);
        json.as_object_mut().unwrap().remove("max_unpaid_per_user");
        let activity: Activity = serde_json::from_value(json).unwrap();
        assert_eq!(activity.max_unpaid_per_user, DEFAULT_MAX_UNPAID);
    }

    #[test]
    fn deserialising_validates() {
        let json = serde_json::to_string(&spec(vec![prize("a", 0), prize("a", 1)])).unwrap();
        assert!(serde_json::from_str::<Activity>(&json).is_err());
    }
}

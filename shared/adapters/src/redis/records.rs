//! How stock, draws and transfers are written in Redis: the draw log entry, the draw log's
//! field, the stock hash's marker, the outbox's transfer record (`docs/redis.md`).

use luckydraw_core::domain::{ActivityId, DrawId, DrawMode, DrawOutcome, DrawRecord, PrizeId, Timestamp, UserId};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::StockCounts;

/// Marks a loaded stock hash and holds its activity's bucket count (see `load.lua`);
/// never a prize id, which has no dot.
pub(super) const LOADED_MARKER: &str = ".loaded";

/// How many draw log entries one `HSCAN` step (or one `HSET` of a restore) carries.
pub(super) const SCAN_BATCH: usize = 500;

/// A stock hash's fields as units per prize (the `.loaded` marker left out).
pub(super) fn counts_of(stock: Vec<(String, u64)>) -> Result<StockCounts, StoreError> {
    let counts = stock.into_iter().filter(|(field, _)| field != LOADED_MARKER);
    counts.map(|(prize, units)| Ok((parse_prize(&prize)?, units))).collect()
}

/// A transfer in an outbox: `<receiver bucket> <prize> <units> ...`.
pub(super) fn parse_transfer(text: &str) -> Result<(u16, Vec<(PrizeId, u64)>), StoreError> {
    let corrupt = || StoreError::new(format!("redis: unreadable unit transfer {text:?}"));
    let mut words = text.split(' ');
    let receiver = words.next().and_then(|word| word.parse().ok()).ok_or_else(corrupt)?;
    let words: Vec<&str> = words.collect();
    let units = words
        .chunks(2)
        .map(|pair| match pair {
            [prize, units] => Ok((parse_prize(prize)?, units.parse().map_err(|_| corrupt())?)),
            _ => Err(corrupt()),
        })
        .collect::<Result<_, _>>()?;
    Ok((receiver, units))
}

/// A draw's field in its activity's log: the 32 hex digits after the activity.
pub(super) fn log_field(draw: &DrawId) -> String {
    draw.order_id().to_string()
}

/// The draw id of a field in `activity`'s log.
pub(super) fn parse_field(activity: &ActivityId, field: &str) -> Result<DrawId, StoreError> {
    DrawId::parse(&format!("{activity}.{field}"))
        .map_err(|error| StoreError::caused_by("redis: a draw log key is not a draw id", error))
}

/// A draw log entry, as `draw.lua` writes it.
pub(super) fn format_record(draw: &DrawRecord) -> String {
    let outcome = match draw.outcome {
        DrawOutcome::Won => "won",
        DrawOutcome::Consolation => "consolation",
        DrawOutcome::Missed => "missed",
    };
    let released = u8::from(draw.released);
    format!("{outcome} {released} {} {} {}", draw.prize_id, draw.user_id, draw.drawn_at.as_millis())
}

/// The mode as `draw.lua` names it.
pub(super) fn mode_name(mode: DrawMode) -> &'static str {
    match mode {
        DrawMode::RemainingStock => "remaining_stock",
        DrawMode::WeightRedistribute => "weight_redistribute",
        DrawMode::WeightKeep => "weight_keep",
    }
}

pub(super) fn parse_prize(text: &str) -> Result<PrizeId, StoreError> {
    PrizeId::parse(text).map_err(|error| StoreError::caused_by("redis: a stock field is not a prize id", error))
}

/// Reads a draw log entry: `<outcome> <released 0|1> <prize> <user> <at ms>`.
pub(super) fn parse_record(id: &DrawId, record: &str) -> Result<DrawRecord, StoreError> {
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

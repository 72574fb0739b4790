//! The answers as text: whitespace-aligned tables (easy to read and to `grep`/`awk`),
//! money in yuan, stock counts as `prize=units` lists.

use std::collections::BTreeMap;

use comfy_table::{CellAlignment, Table, presets};

use crate::api::{ActivityBody, AuditEntry, DrawMode, Loaded, Order, Quota, Reconciled, Stats, StockLevel, UserBody};

/// `¥19.90` for 1990 fen.
pub fn money(fen: u64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// A table with these headers, numeric columns (by index) aligned right.
fn table(headers: &[&str], numeric: &[usize]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING).set_header(headers.to_vec());
    for index in numeric {
        if let Some(column) = table.column_mut(*index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// `list`: one row per activity.
pub fn activities(activities: &[ActivityBody]) -> String {
    if activities.is_empty() {
        return "no activities".into();
    }
    let mut out = table(&["ID", "NAME", "STATUS", "STARTS", "ENDS", "PRIZES", "UNITS", "LOADED"], &[5, 6]);
    for activity in activities {
        let units: u64 = activity.prizes.iter().map(|prize| prize.initial).sum();
        out.add_row(vec![
            activity.id.clone(),
            activity.name.clone(),
            activity.status.to_string(),
            activity.starts_at.to_string(),
            activity.ends_at.to_string(),
            activity.prizes.len().to_string(),
            units.to_string(),
            yes_no(activity.loaded).into(),
        ]);
    }
    out.trim_fmt()
}

/// `show`: the activity's fields, then its prizes.
pub fn activity(activity: &ActivityBody) -> String {
    let limit = |limit: u32| if limit == 0 { "unlimited".to_owned() } else { limit.to_string() };
    let mut lines = vec![
        format!("{} — {}", activity.id, activity.name),
        format!("status:       {} (stock {})", activity.status, if activity.loaded { "loaded" } else { "not loaded" }),
        format!("window:       {} → {}", activity.starts_at, activity.ends_at),
        format!(
            "draw mode:    {}",
            serde_json::to_value(activity.draw_mode).unwrap_or_default().as_str().unwrap_or("?")
        ),
        format!(
            "draws/user:   {} (VIP: {})",
            limit(activity.per_user_limit),
            activity.vip_per_user_limit.map_or_else(|| "same".to_owned(), limit)
        ),
        format!(
            "pay within:   {} s; unpaid at once: {}",
            activity.pay_window_secs,
            activity.max_unpaid_per_user.map_or_else(|| "default".to_owned(), limit)
        ),
        format!("eligibility:  {}", eligibility(activity)),
    ];
    if !activity.description.is_empty() {
        lines.push(format!("description:  {}", activity.description));
    }
    let mut prizes =
        table(&["#", "ID", "NAME", "PRICE", "INITIAL", "REMAINING", "WEIGHT", "PICTURE"], &[0, 3, 4, 5, 6]);
    // Weights only count in the weight modes; units left only once loaded.
    let by_stock = activity.draw_mode == DrawMode::RemainingStock;
    for prize in &activity.prizes {
        let name = if prize.consolation { format!("{} (consolation)", prize.name) } else { prize.name.clone() };
        prizes.add_row(vec![
            prize.wheel_index.to_string(),
            prize.id.clone(),
            name,
            money(prize.price_fen),
            prize.initial.to_string(),
            prize.remaining.filter(|_| activity.loaded).map_or_else(|| "-".to_owned(), |units| units.to_string()),
            if by_stock { "-".to_owned() } else { prize.weight.to_string() },
            prize.picture.clone().unwrap_or_default(),
        ]);
    }
    format!("{}\n\n{}", lines.join("\n"), prizes.trim_fmt())
}

/// The eligibility rules in a line (`everyone` when there are none).
fn eligibility(activity: &ActivityBody) -> String {
    let rules: Vec<String> = activity
        .eligibility
        .as_ref()
        .and_then(|value| value.as_object())
        .into_iter()
        .flatten()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if rules.is_empty() { "everyone".into() } else { rules.join(" ") }
}

/// `stats`: a row per prize, the totals, then any drift.
pub fn stats(stats: &Stats) -> String {
    let mut out =
        table(&["PRIZE", "NAME", "INITIAL", "REMAINING", "RESERVED", "SOLD", "RELEASED", "WINS"], &[2, 3, 4, 5, 6, 7]);
    for prize in &stats.prizes {
        out.add_row(vec![
            prize.prize_id.clone(),
            prize.name.clone(),
            prize.initial.to_string(),
            prize.remaining.to_string(),
            prize.reserved.to_string(),
            prize.sold.to_string(),
            prize.released.to_string(),
            prize.wins.to_string(),
        ]);
    }
    let totals = &stats.totals;
    out.add_row(vec![
        "TOTAL".into(),
        String::new(),
        totals.initial.to_string(),
        totals.remaining.to_string(),
        totals.reserved.to_string(),
        totals.sold.to_string(),
        totals.released.to_string(),
        totals.wins.to_string(),
    ]);
    let head = format!(
        "{} ({}, stock {}): {} draw(s) by {} player(s)",
        stats.activity_id,
        stats.status,
        if stats.loaded { "loaded" } else { "not loaded" },
        totals.draws,
        totals.players
    );
    let drift = match stats.drift.as_slice() {
        [] => "drift: none".to_owned(),
        drift => {
            let entries: Vec<String> = drift
                .iter()
                .map(|d| format!("{} (stock store {}, ledger {})", d.prize_id, d.stock_store, d.ledger))
                .collect();
            format!("DRIFT: {}", entries.join("; "))
        }
    };
    format!("{head}\n\n{}\n\n{drift}", out.trim_fmt())
}

/// `orders`: a row per order.
pub fn orders(orders: &[Order]) -> String {
    if orders.is_empty() {
        return "no orders".into();
    }
    let mut out = table(&["ID", "USER", "PRIZE", "AMOUNT", "STATUS", "CREATED"], &[3]);
    for order in orders {
        out.add_row(vec![
            order.id.clone(),
            order.user_id.clone(),
            order.prize_name.clone(),
            money(order.amount_fen),
            order.status.clone(),
            order.created_at.clone(),
        ]);
    }
    out.trim_fmt()
}

/// `quota list`: a row per user with a limit of their own.
pub fn quotas(quotas: &[Quota]) -> String {
    if quotas.is_empty() {
        return "no quotas: every user has the activity's limits".into();
    }
    let mut out = table(&["USERNAME", "USER ID", "LIMIT"], &[2]);
    for quota in quotas {
        let limit = if quota.limit == 0 { "unlimited".to_owned() } else { quota.limit.to_string() };
        out.add_row(vec![quota.username.clone(), quota.user_id.clone(), limit]);
    }
    out.trim_fmt()
}

/// `tags`: who the user is and their tags.
pub fn user(user: &UserBody) -> String {
    let tags = if user.tags.is_empty() { "(none)".to_owned() } else { user.tags.join(" ") };
    format!("{} ({}, {} {}): tags {tags}", user.username, user.id, user.kind, user.status)
}

/// `stock`: the prize's levels after the change.
pub fn stock(activity: &str, level: &StockLevel) -> String {
    format!("{activity}/{}: initial {}, remaining {}", level.prize_id, level.initial, level.remaining)
}

/// `preload` / `restore`: what is in the stock store now.
pub fn loaded(activity: &str, verb: &str, loaded: &Loaded) -> String {
    let mut text = format!("{activity}: {verb}; remaining {}", counts(&loaded.remaining));
    if loaded.draws > 0 || !loaded.held.is_empty() {
        text.push_str(&format!("\n{} recorded draw(s); held by them: {}", loaded.draws, counts(&loaded.held)));
    }
    text
}

/// `reconcile`: what the settlement did.
pub fn reconciled(activity: &str, done: &Reconciled) -> String {
    let mut text = format!(
        "settlement run: {} draw(s) recorded, {} voided draw(s) released, {} order message(s) sent again",
        done.recorded, done.released, done.requeued
    );
    if let Some(waiting) = done.waiting {
        text.push_str(&format!(
            "\n{activity}: {waiting} draw(s) still within the grace period (settled on a later run)"
        ));
    }
    text
}

/// `audit`: a row per admin action.
pub fn audit(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "no admin actions recorded".into();
    }
    let mut out = table(&["AT", "ADMIN", "ACTION", "STATUS"], &[3]);
    for entry in entries {
        out.add_row(vec![entry.at.clone(), entry.admin.clone(), entry.action.clone(), entry.status.to_string()]);
    }
    out.trim_fmt()
}

/// `bear=97, cup=50` (sorted); `none` when empty.
fn counts(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts.iter().map(|(prize, units)| format!("{prize}={units}")).collect::<Vec<_>>().join(", ")
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_yuan_with_two_decimals() {
        assert_eq!(money(1990), "¥19.90");
        assert_eq!(money(5), "¥0.05");
        assert_eq!(money(0), "¥0.00");
    }
}

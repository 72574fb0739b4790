//! The admin API as the audit reads it: an activity, its figures, every one of its orders
//! (page by page through the cursors), and a fresh activity for a run of its own.
//! Answers are read leniently (fields added later are ignored); counts are signed so that
//! a negative figure is seen, not refused by the parser.

use std::collections::HashSet;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::api::Api;
use crate::error::Error;

/// Orders asked per page (the API's largest).
const ORDER_PAGE: u32 = 200;

/// An activity's rules the audit checks.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Activity {
    /// Its id.
    pub id: String,
    /// Draws per player (0 = unlimited).
    #[serde(default)]
    pub per_user_limit: u32,
    /// Priced prizes a player may hold unpaid (0 = no cap).
    #[serde(default)]
    pub max_unpaid_per_user: u32,
    /// Its prizes.
    #[serde(default)]
    pub prizes: Vec<Prize>,
}

/// A prize of an activity.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Prize {
    /// Its id.
    pub id: String,
    /// The "thank you" slot (its units go without an order).
    #[serde(default)]
    pub consolation: bool,
}

impl Activity {
    /// The ids of its consolation prizes.
    pub fn consolation_prizes(&self) -> HashSet<&str> {
        self.prizes.iter().filter(|prize| prize.consolation).map(|prize| prize.id.as_str()).collect()
    }
}

/// `GET /admin/activities/{id}/stats`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Figures {
    /// Per prize.
    pub prizes: Vec<PrizeFigures>,
    /// Prizes whose units left differ between the stock store and the ledger.
    #[serde(default)]
    pub drift: Vec<Drift>,
}

/// One prize's figures.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PrizeFigures {
    /// The prize.
    pub prize_id: String,
    /// Units listed.
    pub initial: i64,
    /// Units left in the stock store.
    pub remaining: i64,
    /// Won, unpaid.
    pub reserved: i64,
    /// Won and paid, or free.
    pub sold: i64,
}

/// A prize where the stock store and the ledger disagree.
#[derive(Clone, Debug, Deserialize)]
pub struct Drift {
    /// The prize.
    pub prize_id: String,
    /// Units left per the stock store.
    pub stock_store: i64,
    /// Units left per the ledger.
    pub ledger: i64,
}

/// An order as `GET /admin/orders` lists it.
#[derive(Clone, Debug, Deserialize)]
pub struct Order {
    /// Its id.
    pub id: String,
    /// The draw that won it.
    pub draw_id: String,
    /// The winner.
    pub user_id: String,
    /// `pending_payment`, `fulfilled`, `paid`, ...
    pub status: String,
    /// What is owed.
    pub amount_fen: u64,
}

#[derive(Deserialize)]
struct OrderPage {
    orders: Vec<Order>,
    #[serde(default)]
    next_cursor: Option<String>,
}

/// A logged-in admin on one deployment.
pub struct Admin {
    api: Api,
    token: String,
}

impl Admin {
    /// An admin acting with `token`.
    pub fn new(api: Api, token: String) -> Self {
        Self { api, token }
    }

    /// Logs in as `user`.
    pub async fn login(api: Api, user: &str, password: &str) -> Result<Self, Error> {
        let session = api.login(user, password).await?;
        Ok(Self::new(api, session.token))
    }

    /// `GET /admin/activities/{id}`.
    pub async fn activity(&self, id: &str) -> Result<Activity, Error> {
        self.get(&format!("/admin/activities/{id}")).await
    }

    /// `GET /admin/activities/{id}/stats`.
    pub async fn figures(&self, id: &str) -> Result<Figures, Error> {
        self.get(&format!("/admin/activities/{id}/stats")).await
    }

    /// Every order of the activity `id`, following `next_cursor` to the last page.
    pub async fn orders(&self, id: &str) -> Result<Vec<Order>, Error> {
        let mut orders = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_deref().map(|cursor| format!("&cursor={cursor}")).unwrap_or_default();
            let page: OrderPage = self.get(&format!("/admin/orders?activity={id}&limit={ORDER_PAGE}{after}")).await?;
            orders.extend(page.orders);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(orders),
            }
        }
    }

    /// Creates the online activity `id` with `units` units (see [`fresh_activity`]).
    pub async fn create_activity(&self, id: &str, units: u64, per_user_limit: u32) -> Result<Activity, Error> {
        let spec = fresh_activity(id, units, per_user_limit, OffsetDateTime::now_utc());
        self.api.call(Method::POST, "/admin/activities", Some(&self.token), Some(&spec)).await
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.api.call(Method::GET, path, Some(&self.token), None).await
    }
}

/// A small online activity for one run: open from a minute ago for a day, odds by remaining
/// stock, `units` split 40 % "thank you", 20 % a free sticker, 25 % a cup, the rest a drone
/// (priced prizes with no unpaid cap and an hour to pay, so nothing expires during a run).
pub fn fresh_activity(id: &str, units: u64, per_user_limit: u32, now: OffsetDateTime) -> Value {
    let at = |offset: time::Duration| (now + offset).format(&Rfc3339).unwrap_or_default();
    let (sticker, cup) = (units / 5, units / 4);
    let drone = units / 10 + 1;
    let thanks = units - sticker - cup - drone;
    json!({
        "id": id,
        "name": format!("Bench {id}"),
        "description": "Made by luckydraw-bench for one load run.",
        "status": "online",
        "starts_at": at(-time::Duration::MINUTE),
        "ends_at": at(time::Duration::DAY),
        "draw_mode": "remaining_stock",
        "per_user_limit": per_user_limit,
        "pay_window_secs": 3600,
        "max_unpaid_per_user": 0,
        "prizes": [
            { "id": "thanks", "name": "Thank you", "price_fen": 0, "initial": thanks, "consolation": true },
            { "id": "sticker", "name": "Sticker", "price_fen": 0, "initial": sticker },
            { "id": "cup", "name": "Cup", "price_fen": 8000, "initial": cup },
            { "id": "drone", "name": "Drone", "price_fen": 40000, "initial": drone },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_activity_lists_exactly_its_units_and_is_open_now() {
        let now = time::macros::datetime!(2026-11-24 10:00 UTC);
        for units in [4, 10, 999, 1_000, 123_457] {
            let spec = fresh_activity("bench-x", units, 0, now);
            let listed: u64 =
                spec["prizes"].as_array().expect("prizes").iter().filter_map(|p| p["initial"].as_u64()).sum();
            assert_eq!(listed, units);
        }
        let spec = fresh_activity("bench-x", 1_000, 7, now);
        assert_eq!(spec["starts_at"], "2026-11-24T09:59:00Z");
        assert_eq!(spec["ends_at"], "2026-11-25T10:00:00Z");
        assert_eq!(spec["per_user_limit"], 7);
    }
}

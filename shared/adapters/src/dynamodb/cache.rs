//! Sessions, rate-limit counters and pay links in the table, for deployments without
//! Redis. All carry the `ttl` attribute, so DynamoDB deletes them once they are over; the
//! expiry a session or a pay link stores is checked against the caller's clock.
//!
//! | item | pk | sk | attributes |
//! | --- | --- | --- | --- |
//! | session | `SESSION#<sha256 of token>` | `SESSION` | the session, `expires_at` (ms), `ttl` (s) |
//! | counter | `RATE#<key>#<window start ms>` | `RATE` | `count`, `ttl` (s) |
//! | pay link | `PAYLINK#<order id>` | `PAYLINK` | `url`, `expires_at` (ms), `ttl` (s) |

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

use super::item::{from_item, to_item, with};
use super::schema::TTL_ATTRIBUTE;
use super::{Item, Table, failed, is_condition_failure, key, n, number, s, string};
use luckydraw_core::domain::fixed_window;
use luckydraw_core::domain::{OrderId, PayLink, Session, SessionKey, Timestamp};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{PayLinks, RateLimits, Sessions};

/// [`Sessions`] in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoSessions {
    table: Table,
}

/// [`RateLimits`] in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoRateLimits {
    table: Table,
}

/// [`PayLinks`] in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoPayLinks {
    table: Table,
}

impl DynamoSessions {
    /// Sessions in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

impl DynamoRateLimits {
    /// Counters in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

impl DynamoPayLinks {
    /// Pay links in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

fn session_key(key: &SessionKey) -> String {
    format!("SESSION#{}", key.as_str())
}

/// Epoch seconds at which DynamoDB may delete an item that is over at `at`.
fn ttl(at: Timestamp) -> i64 {
    at.as_secs() + 1
}

#[async_trait]
impl Sessions for DynamoSessions {
    async fn put(&self, key_: &SessionKey, session: &Session, expires_at: Timestamp) -> Result<(), StoreError> {
        let item = with(
            to_item(session)?,
            [
                ("pk", s(session_key(key_))),
                ("sk", s("SESSION")),
                ("expires_at", n(expires_at.as_millis())),
                (TTL_ATTRIBUTE, n(ttl(expires_at))),
            ],
        );
        let request = self.table.client.put_item().table_name(&self.table.name).set_item(Some(item));
        request.send().await.map_err(failed("store a session"))?;
        Ok(())
    }

    async fn touch(
        &self,
        key_: &SessionKey,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let result = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(session_key(key_), "SESSION")))
            .update_expression("SET expires_at = :expires, #ttl = :ttl")
            .condition_expression("expires_at > :now")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":expires", n(expires_at.as_millis()))
            .expression_attribute_values(":ttl", n(ttl(expires_at)))
            .expression_attribute_values(":now", n(now.as_millis()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => output.attributes.as_ref().map(from_item).transpose(),
            Err(error) if is_condition_failure(&error) => Ok(None),
            Err(error) => Err(failed("touch a session")(error)),
        }
    }

    async fn delete(&self, key_: &SessionKey) -> Result<(), StoreError> {
        let request = self
            .table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(key(session_key(key_), "SESSION")));
        request.send().await.map_err(failed("end a session"))?;
        Ok(())
    }
}

fn counter_key(key: &str, start: Timestamp) -> String {
    format!("RATE#{key}#{}", start.as_millis())
}

#[async_trait]
impl RateLimits for DynamoRateLimits {
    async fn hit(&self, key_: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError> {
        let (start, end) = fixed_window(window, now);
        let output = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(key(counter_key(key_, start), "RATE")))
            .update_expression("ADD #count :one SET #ttl = :ttl")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", n(ttl(end)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(failed("count a rate-limited event"))?;
        number(&output.attributes.unwrap_or_default(), "count")
    }

    async fn count(&self, key_: &str, window: Duration, now: Timestamp) -> Result<u64, StoreError> {
        let (start, _) = fixed_window(window, now);
        let item = self.table.get(counter_key(key_, start), "RATE").await?;
        item.map_or(Ok(0), |item| number(&item, "count"))
    }

    async fn clear(&self, key_: &str, window: Duration, now: Timestamp) -> Result<(), StoreError> {
        let (start, _) = fixed_window(window, now);
        let request = self
            .table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(key(counter_key(key_, start), "RATE")));
        request.send().await.map_err(failed("clear a counter"))?;
        Ok(())
    }
}

fn pay_link_key(order: &OrderId) -> String {
    format!("PAYLINK#{order}")
}

/// How many times `put_if_absent` tries when the link it lost to is gone by the time it reads it.
const PAY_LINK_ATTEMPTS: usize = 3;

#[async_trait]
impl PayLinks for DynamoPayLinks {
    async fn get(&self, order: &OrderId, now: Timestamp) -> Result<Option<PayLink>, StoreError> {
        let item = self.table.get(pay_link_key(order), "PAYLINK").await?;
        let link = item.as_ref().map(parse_pay_link).transpose()?;
        Ok(link.filter(|link| now < link.expires_at))
    }

    async fn put_if_absent(&self, order: &OrderId, link: &PayLink, now: Timestamp) -> Result<PayLink, StoreError> {
        let item = with(
            key(pay_link_key(order), "PAYLINK"),
            [
                ("url", s(link.url.as_str())),
                ("expires_at", n(link.expires_at.as_millis())),
                (TTL_ATTRIBUTE, n(ttl(link.expires_at))),
            ],
        );
        let vacant = "attribute_not_exists(pk) OR expires_at <= :now";
        for _ in 0..PAY_LINK_ATTEMPTS {
            let values = vec![(":now", n(now.as_millis()))];
            if self.table.put_if(item.clone(), vacant, &[], values, "cache a pay link").await? {
                return Ok(link.clone());
            }
            // A live link is cached: it stays, unless it vanished since (then try again).
            if let Some(cached) = self.get(order, now).await? {
                return Ok(cached);
            }
        }
        Err(StoreError::new(format!("dynamodb: the pay link of order {order} keeps changing")))
    }
}

/// Reads a pay link item.
fn parse_pay_link(item: &Item) -> Result<PayLink, StoreError> {
    let expires_at = i64::try_from(number(item, "expires_at")?)
        .map_err(|_| StoreError::new("dynamodb: a pay link expires out of range"))?;
    Ok(PayLink { url: string(item, "url")?.to_owned(), expires_at: Timestamp::from_millis(expires_at) })
}

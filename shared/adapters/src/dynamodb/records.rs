//! Users, activities (with their prizes) and orders in the table.
//!
//! | item | pk | sk | index keys |
//! | --- | --- | --- | --- |
//! | user | `USER#<id>` | `USER` | |
//! | username claim | `USERNAME#<name>` | `USERNAME` | |
//! | activity | `ACTIVITY#<id>` | `ACTIVITY` | gsi1 `ACTIVITIES` / `<id>` |
//! | order | `ORDER#<id>` | `ORDER` | gsi1 `USER#<user>#ORDERS` / `<created ms>#<id>`; gsi2 `PENDING#<0..15>` / `<deadline ms>#<id>` while pending |

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::item::{from_item, to_item, with};
use super::schema::{GSI1, GSI2};
use super::{INDEX_PARTITIONS, Item, Table, cancellation_codes, failed, s, sortable, spread};
use luckydraw_core::domain::{Activity, ActivityId, Order, OrderId, OrderStatus, Timestamp, User, UserId, Username};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Activities, Orders, Users};

/// [`Users`], [`Activities`] and [`Orders`] in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoRecords {
    table: Table,
}

impl DynamoRecords {
    /// Records in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

fn user_key(id: &UserId) -> String {
    format!("USER#{id}")
}

fn username_key(name: &Username) -> String {
    format!("USERNAME#{name}")
}

fn activity_key(id: &ActivityId) -> String {
    format!("ACTIVITY#{id}")
}

fn order_key(id: &OrderId) -> String {
    format!("ORDER#{id}")
}

/// One of the partitions of index 2 that pending orders are spread over.
fn pending_partition(partition: u64) -> String {
    format!("PENDING#{partition}")
}

/// An order as an item, with its index keys: a user's orders, and pending by deadline.
fn order_item(order: &Order) -> Result<Item, StoreError> {
    let mut item = with(
        to_item(order)?,
        [
            ("pk", s(order_key(&order.id))),
            ("sk", s("ORDER")),
            ("gsi1pk", s(format!("USER#{}#ORDERS", order.user_id))),
            ("gsi1sk", s(format!("{}#{}", sortable(order.created_at.as_millis()), order.id))),
        ],
    );
    if order.status == OrderStatus::PendingPayment {
        item = with(
            item,
            [
                ("gsi2pk", s(pending_partition(spread(&order.id) % INDEX_PARTITIONS))),
                ("gsi2sk", s(format!("{}#{}", sortable(order.pay_deadline.as_millis()), order.id))),
            ],
        );
    }
    Ok(item)
}

#[async_trait]
impl Users for DynamoRecords {
    async fn insert(&self, user: &User) -> Result<bool, StoreError> {
        let put = |pk: String, sk: &str| -> Result<TransactWriteItem, StoreError> {
            let item = with(to_item(user)?, [("pk", s(pk)), ("sk", s(sk))]);
            let put = Put::builder()
                .table_name(&self.table.name)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(|error| StoreError::caused_by("dynamodb: invalid put", error))?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let result = self
            .table
            .client
            .transact_write_items()
            .transact_items(put(user_key(&user.id), "USER")?)
            .transact_items(put(username_key(&user.username), "USERNAME")?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if cancellation_codes(&error).is_some_and(|codes| conditions_only(&codes)) => Ok(false),
            Err(error) => Err(failed("insert a user")(error)),
        }
    }

    async fn by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let item = self.table.get(username_key(username), "USERNAME").await?;
        item.as_ref().map(from_item).transpose()
    }

    async fn by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let item = self.table.get(user_key(id), "USER").await?;
        item.as_ref().map(from_item).transpose()
    }
}

/// Whether a cancelled transaction failed on conditions alone (not on conflicts or limits).
fn conditions_only(codes: &[Option<String>]) -> bool {
    codes.iter().flatten().all(|code| code == "ConditionalCheckFailed") && codes.iter().any(Option::is_some)
}

#[async_trait]
impl Activities for DynamoRecords {
    async fn put(&self, activity: &Activity) -> Result<(), StoreError> {
        let item = with(
            to_item(activity)?,
            [
                ("pk", s(activity_key(&activity.id))),
                ("sk", s("ACTIVITY")),
                ("gsi1pk", s("ACTIVITIES")),
                ("gsi1sk", s(activity.id.as_str())),
            ],
        );
        let request = self.table.client.put_item().table_name(&self.table.name).set_item(Some(item));
        request.send().await.map_err(failed("put an activity"))?;
        Ok(())
    }

    async fn get(&self, id: &ActivityId) -> Result<Option<Activity>, StoreError> {
        let item = self.table.get(activity_key(id), "ACTIVITY").await?;
        item.as_ref().map(from_item).transpose()
    }

    async fn list(&self) -> Result<Vec<Activity>, StoreError> {
        let items = self.table.query_index(GSI1, "ACTIVITIES".into(), None, false, None).await?;
        items.iter().map(from_item).collect()
    }
}

#[async_trait]
impl Orders for DynamoRecords {
    async fn insert(&self, order: &Order) -> Result<bool, StoreError> {
        self.table.put_if(order_item(order)?, "attribute_not_exists(pk)", &[], vec![], "insert an order").await
    }

    async fn get(&self, id: &OrderId) -> Result<Option<Order>, StoreError> {
        let item = self.table.get(order_key(id), "ORDER").await?;
        item.as_ref().map(from_item).transpose()
    }

    async fn of_user(&self, user: &UserId) -> Result<Vec<Order>, StoreError> {
        let items = self.table.query_index(GSI1, format!("USER#{user}#ORDERS"), None, true, None).await?;
        items.iter().map(from_item).collect()
    }

    async fn update(&self, order: &Order, expected: OrderStatus) -> Result<bool, StoreError> {
        let (names, values) = ([("#status", "status")], vec![(":expected", s(expected.as_str()))]);
        self.table.put_if(order_item(order)?, "#status = :expected", &names, values, "update an order").await
    }

    async fn overdue(&self, now: Timestamp, limit: usize) -> Result<Vec<Order>, StoreError> {
        // `<deadline>#<id>` < `<now>$` exactly when deadline <= now ('#' sorts before '$').
        let before = format!("{}$", sortable(now.as_millis()));
        let partitions = (0..INDEX_PARTITIONS).map(pending_partition);
        // Each partition's earliest `limit`, merged: the earliest `limit` of all.
        let items = self.table.query_partitions(GSI2, partitions, Some(before), Some(limit)).await?;
        let mut orders: Vec<Order> = items.iter().map(from_item).collect::<Result<_, _>>()?;
        // The index is eventually consistent: keep only what is still pending and due.
        orders.retain(|order| order.is_overdue(now));
        orders.sort_by_key(|order| (order.pay_deadline, order.id));
        orders.truncate(limit);
        Ok(orders)
    }
}

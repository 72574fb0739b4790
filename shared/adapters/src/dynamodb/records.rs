//! Users, activities (with their prizes) and orders in the table.
//!
//! | item | pk | sk | index keys |
//! | --- | --- | --- | --- |
//! | user | `USER#<id>` | `USER` | |
//! | username claim | `USERNAME#<name>` | `USERNAME` | |
//! | activity | `ACTIVITY#<id>` | `ACTIVITY` | gsi1 `ACTIVITIES` / `<id>` |
//! | order | `ORDER#<id>` | `ORDER` | gsi1 `USER#<user>#ORDERS` / `<created ms>#<id>`; gsi2 `PENDING#<0..15>` / `<deadline ms>#<id>` while pending |
//! | a user's own draw limit | `ACTIVITY#<id>` | `LIMIT#<user>` | |
//! | audit entry | `AUDIT` | `<at ms>#<admin>#<action>#<status>` | |

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{DeleteRequest, Put, TransactWriteItem, Update, WriteRequest};

use super::item::{from_item, to_item, with};
use super::scan::Filter;
use super::schema::{GSI1, GSI2};
use super::{INDEX_PARTITIONS, Item, Table, cancellation_codes, failed, key, n, number, s, sortable, spread, string};
use luckydraw_core::domain::{
    Activity, ActivityId, DrawLimit, Order, OrderId, OrderStatus, Tag, Timestamp, User, UserId, Username,
};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Activities, AuditEntry, AuditLog, OrderPage, OrderQuery, Orders, Users};

/// [`Users`], [`Activities`], [`Orders`] and the [`AuditLog`] in DynamoDB.
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

    /// Both copies of the user (by id, by username) change in one transaction.
    async fn set_tags(&self, id: &UserId, tags: &BTreeSet<Tag>) -> Result<Option<User>, StoreError> {
        let Some(mut user) = self.by_id(id).await? else { return Ok(None) };
        let value = to_item(&serde_json::json!({ "tags": tags }))?
            .remove("tags")
            .ok_or_else(|| StoreError::new("dynamodb: tags did not serialise"))?;
        let update = |pk: String, sk: &str| -> Result<TransactWriteItem, StoreError> {
            let update = Update::builder()
                .table_name(&self.table.name)
                .set_key(Some(key(pk, sk)))
                .update_expression("SET tags = :tags")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":tags", value.clone())
                .build()
                .map_err(|error| StoreError::caused_by("dynamodb: invalid update", error))?;
            Ok(TransactWriteItem::builder().update(update).build())
        };
        let result = self
            .table
            .client
            .transact_write_items()
            .transact_items(update(user_key(id), "USER")?)
            .transact_items(update(username_key(&user.username), "USERNAME")?)
            .send()
            .await;
        match result {
            Ok(_) => {
                user.tags = tags.clone();
                Ok(Some(user))
            }
            Err(error) if cancellation_codes(&error).is_some_and(|codes| conditions_only(&codes)) => Ok(None),
            Err(error) => Err(failed("set a user's tags")(error)),
        }
    }
}

/// Whether a cancelled transaction failed on conditions alone (not on conflicts or limits).
fn conditions_only(codes: &[Option<String>]) -> bool {
    codes.iter().flatten().all(|code| code == "ConditionalCheckFailed") && codes.iter().any(Option::is_some)
}

#[async_trait]
impl Activities for DynamoRecords {
    async fn put(&self, activity: &Activity) -> Result<(), StoreError> {
        let item = activity_item(activity)?;
        let request = self.table.client.put_item().table_name(&self.table.name).set_item(Some(item));
        request.send().await.map_err(failed("put an activity"))?;
        Ok(())
    }

    async fn get(&self, id: &ActivityId) -> Result<Option<Arc<Activity>>, StoreError> {
        let item = self.table.get(activity_key(id), "ACTIVITY").await?;
        Ok(item.as_ref().map(from_item).transpose()?.map(Arc::new))
    }

    async fn list(&self) -> Result<Vec<Activity>, StoreError> {
        let items = self.table.query_index(GSI1, "ACTIVITIES".into(), None, false, None).await?;
        items.iter().map(from_item).collect()
    }

    async fn create(&self, activity: &Activity) -> Result<bool, StoreError> {
        self.table.put_if(activity_item(activity)?, "attribute_not_exists(pk)", &[], vec![], "insert an activity").await
    }

    async fn delete(&self, id: &ActivityId) -> Result<bool, StoreError> {
        let limits = self.table.query_prefix(activity_key(id), "LIMIT#").await?;
        let deletes = limits
            .iter()
            .map(|item| {
                let key = key(activity_key(id), string(item, "sk")?);
                let delete = DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map_err(|error| StoreError::caused_by("dynamodb: invalid delete", error))?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.table.batch_write(deletes).await?;
        let deleted = self
            .table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(key(activity_key(id), "ACTIVITY")))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(failed("delete an activity"))?;
        Ok(deleted.attributes.is_some_and(|old| !old.is_empty()))
    }

    async fn set_limit(&self, id: &ActivityId, user: &UserId, limit: Option<DrawLimit>) -> Result<(), StoreError> {
        let key = key(activity_key(id), &format!("LIMIT#{user}"));
        let client = &self.table.client;
        match limit {
            Some(limit) => {
                let item = with(key, [("user_id", s(user.to_string())), ("limit", n(limit.get()))]);
                let put = client.put_item().table_name(&self.table.name).set_item(Some(item));
                put.send().await.map_err(failed("set a draw limit"))?;
            }
            None => {
                let delete = client.delete_item().table_name(&self.table.name).set_key(Some(key));
                delete.send().await.map_err(failed("remove a draw limit"))?;
            }
        }
        Ok(())
    }

    async fn limits(&self, id: &ActivityId) -> Result<HashMap<UserId, DrawLimit>, StoreError> {
        let items = self.table.query_prefix(activity_key(id), "LIMIT#").await?;
        items
            .iter()
            .map(|item| {
                let user = UserId::parse(string(item, "user_id")?)
                    .map_err(|error| StoreError::caused_by("dynamodb: a limit names no user", error))?;
                let limit = u32::try_from(number(item, "limit")?)
                    .map_err(|error| StoreError::caused_by("dynamodb: a limit out of range", error))?;
                Ok((user, DrawLimit::new(limit)))
            })
            .collect()
    }
}

/// An activity as an item, listed on index 1.
fn activity_item(activity: &Activity) -> Result<Item, StoreError> {
    Ok(with(
        to_item(activity)?,
        [
            ("pk", s(activity_key(&activity.id))),
            ("sk", s("ACTIVITY")),
            ("gsi1pk", s("ACTIVITIES")),
            ("gsi1sk", s(activity.id.as_str())),
        ],
    ))
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

    /// A filtered scan, in the table's order (operators' listings are rare; no index is kept).
    async fn page(&self, query: &OrderQuery, cursor: Option<&str>, limit: usize) -> Result<OrderPage, StoreError> {
        let mut filter = Filter {
            expression: "sk = :sk".into(),
            names: HashMap::new(),
            values: HashMap::from([(":sk".to_owned(), s("ORDER"))]),
        };
        if let Some(activity) = &query.activity {
            // A draw id starts with its activity's: `<activity>.<key>`.
            filter.expression.push_str(" AND begins_with(draw_id, :prefix)");
            filter.values.insert(":prefix".into(), s(format!("{activity}.")));
        }
        if let Some(status) = query.status {
            filter.expression.push_str(" AND #status = :status");
            filter.names.insert("#status".into(), "status".into());
            filter.values.insert(":status".into(), s(status.as_str()));
        }
        let (items, next) = self.table.scan_page(filter, cursor, limit.max(1)).await?;
        let orders = items.iter().map(from_item).collect::<Result<_, _>>()?;
        Ok(OrderPage { orders, next })
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

#[async_trait]
impl AuditLog for DynamoRecords {
    /// One partition: operators make a few calls a minute, far below its 1,000 writes/s.
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let at = sortable(entry.at.as_millis());
        let sk = format!("{at}#{}#{}#{}", entry.admin, entry.action, entry.status);
        let item = with(to_item(entry)?, [("pk", s("AUDIT")), ("sk", s(sk))]);
        let request = self.table.client.put_item().table_name(&self.table.name).set_item(Some(item));
        request.send().await.map_err(failed("append to the audit log"))?;
        Ok(())
    }

    async fn recent(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let page = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s("AUDIT"))
            .scan_index_forward(false)
            .limit(i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000))
            .send()
            .await
            .map_err(failed("read the audit log"))?;
        page.items.unwrap_or_default().iter().map(from_item).collect()
    }
}

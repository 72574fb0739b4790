//! The lines of queued activities in DynamoDB, in the partition `LINE#<activity>`: a head
//! item (`next`, `served`, `closed_by`), one item per ticket (`T#<number>`, with its end once
//! it ended), and lookups by draw (`D#<draw id>`) and user (`U#<user id>`). Taking a ticket
//! is one transaction: the head's `next` moves on only if it is still the number read (the
//! counter), with the ticket and its lookups; concurrent takes retry (optimistic), so
//! numbers stay unique and gapless. See `docs/data-model.md`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use super::item::{from_item, to_item, with};
use super::{Item, Table, cancellation_codes, failed, key, n, number, s};
use luckydraw_core::domain::{ActivityId, DrawId, Refusal, Ticket, TicketState, Timestamp, UserId, UserKind};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Taken, Tickets};

/// How often a take or a closure retries after losing a race for the head.
const ATTEMPTS: u32 = 200;

/// [`Tickets`] in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoTickets {
    table: Table,
}

/// A ticket item's record.
#[derive(Serialize, Deserialize)]
struct Stored {
    number: u64,
    draw_id: DrawId,
    user_id: UserId,
    kind: UserKind,
    taken_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<String>,
}

/// The head item: the next number, the served counter, the latest closure's reason.
struct Head {
    next: u64,
    served: u64,
    closed_by: Option<String>,
}

fn line(activity: &ActivityId) -> String {
    format!("LINE#{activity}")
}

fn ticket_sk(number: u64) -> String {
    format!("T#{number:020}")
}

impl DynamoTickets {
    /// Lines in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }

    async fn head_of(&self, activity: &ActivityId) -> Result<Head, StoreError> {
        let item = self.table.get(line(activity), "HEAD").await?.unwrap_or_default();
        let closed_by = match item.get("closed_by") {
            Some(aws_sdk_dynamodb::types::AttributeValue::S(code)) => Some(code.clone()),
            _ => None,
        };
        Ok(Head { next: number(&item, "next")?, served: number(&item, "served")?, closed_by })
    }

    async fn stored(&self, activity: &ActivityId, number: u64) -> Result<Option<Stored>, StoreError> {
        let item = self.table.get(line(activity), &ticket_sk(number)).await?;
        item.as_ref().map(from_item).transpose()
    }

    /// The number a lookup item (`D#…`, `U#…`) holds.
    async fn lookup(&self, activity: &ActivityId, sk: &str) -> Result<Option<u64>, StoreError> {
        let item = self.table.get(line(activity), sk).await?;
        item.map(|item| number(&item, "number")).transpose()
    }

    /// One write of a transaction: `item` under (`LINE#activity`, `sk`).
    fn put(&self, activity: &ActivityId, sk: &str, item: Item) -> Result<TransactWriteItem, StoreError> {
        let item = with(item, [("pk", s(line(activity))), ("sk", s(sk))]);
        let put = Put::builder().table_name(self.table.name()).set_item(Some(item)).build().map_err(invalid)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Tries once to take number `head.next`; `Ok(None)` if another take won the race.
    async fn try_take(&self, head: &Head, ticket: &Ticket) -> Result<Option<()>, StoreError> {
        let activity = ticket.draw_id.activity();
        let number = head.next;
        let advance = Update::builder()
            .table_name(self.table.name())
            .set_key(Some(key(line(activity), "HEAD")))
            .update_expression("SET #next = :after, served = if_not_exists(served, :zero)")
            .condition_expression("attribute_not_exists(pk) OR #next = :number")
            .expression_attribute_names("#next", "next")
            .expression_attribute_values(":after", n(number + 1))
            .expression_attribute_values(":number", n(number))
            .expression_attribute_values(":zero", n(0))
            .build()
            .map_err(invalid)?;
        let stored = Stored {
            number,
            draw_id: ticket.draw_id.clone(),
            user_id: ticket.user_id,
            kind: ticket.kind,
            taken_at: ticket.taken_at,
            end: None,
        };
        let pointer = || Item::from([("number".to_owned(), n(number))]);
        let result = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(advance).build())
            .transact_items(self.put(activity, &ticket_sk(number), to_item(&stored)?)?)
            .transact_items(self.put(activity, &format!("D#{}", ticket.draw_id), pointer())?)
            .transact_items(self.put(activity, &format!("U#{}", ticket.user_id), pointer())?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Some(())),
            Err(error) if cancellation_codes(&error).is_some() => Ok(None),
            Err(error) => Err(failed("take a ticket")(error)),
        }
    }
}

fn invalid(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::caused_by("dynamodb: invalid request", error)
}

fn ticket_of(stored: Stored) -> Ticket {
    let Stored { number, draw_id, user_id, kind, taken_at, .. } = stored;
    Ticket { number, draw_id, user_id, kind, taken_at }
}

/// A short pause after losing a race, longer with each attempt.
async fn back_off(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(20)))).await;
}

#[async_trait]
impl Tickets for DynamoTickets {
    async fn take(&self, draw: &DrawId, user: &UserId, kind: UserKind, at: Timestamp) -> Result<Taken, StoreError> {
        let activity = draw.activity();
        for attempt in 0..ATTEMPTS {
            let head = self.head_of(activity).await?;
            if let Some(held) = self.lookup(activity, &format!("U#{user}")).await?.filter(|held| *held >= head.served)
                && let Some(stored) = self.stored(activity, held).await?
            {
                return Ok(Taken { ticket: ticket_of(stored), new: false, ahead: held - head.served });
            }
            let ticket = Ticket { number: head.next, draw_id: draw.clone(), user_id: *user, kind, taken_at: at };
            if self.try_take(&head, &ticket).await?.is_some() {
                return Ok(Taken { ahead: ticket.number - head.served, ticket, new: true });
            }
            back_off(attempt).await;
        }
        Err(StoreError::new(format!("dynamodb: no ticket in {activity} after {ATTEMPTS} attempts")))
    }

    async fn find(&self, draw: &DrawId) -> Result<Option<(Ticket, TicketState)>, StoreError> {
        let activity = draw.activity();
        let Some(number) = self.lookup(activity, &format!("D#{draw}")).await? else { return Ok(None) };
        let head = self.head_of(activity).await?;
        let Some(stored) = self.stored(activity, number).await? else { return Ok(None) };
        let refusal = |code: &str| {
            Refusal::parse(code).ok_or_else(|| StoreError::new(format!("dynamodb: unknown ticket end {code:?}")))
        };
        let state = match stored.end.as_deref() {
            _ if number >= head.served => TicketState::Waiting { ahead: number - head.served },
            Some("drawn") => TicketState::Drawn,
            Some(code) => TicketState::Refused(refusal(code)?),
            None => TicketState::Refused(refusal(head.closed_by.as_deref().unwrap_or("activity_not_open"))?),
        };
        Ok(Some((ticket_of(stored), state)))
    }

    async fn head(&self, activity: &ActivityId) -> Result<Option<Ticket>, StoreError> {
        let head = self.head_of(activity).await?;
        if head.served >= head.next {
            return Ok(None);
        }
        Ok(self.stored(activity, head.served).await?.map(ticket_of))
    }

    async fn finish(&self, activity: &ActivityId, number: u64, refusal: Option<Refusal>) -> Result<bool, StoreError> {
        let advance = Update::builder()
            .table_name(self.table.name())
            .set_key(Some(key(line(activity), "HEAD")))
            .update_expression("SET served = :after")
            .condition_expression("served = :number AND #next > :number")
            .expression_attribute_names("#next", "next")
            .expression_attribute_values(":after", n(number + 1))
            .expression_attribute_values(":number", n(number))
            .build()
            .map_err(invalid)?;
        let end = Update::builder()
            .table_name(self.table.name())
            .set_key(Some(key(line(activity), &ticket_sk(number))))
            .update_expression("SET #end = :end")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#end", "end")
            .expression_attribute_values(":end", s(refusal.map_or("drawn", Refusal::as_str)))
            .build()
            .map_err(invalid)?;
        let result = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(advance).build())
            .transact_items(TransactWriteItem::builder().update(end).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if cancellation_codes(&error).is_some() => Ok(false),
            Err(error) => Err(failed("end a ticket")(error)),
        }
    }

    async fn close(&self, activity: &ActivityId, refusal: Refusal) -> Result<u64, StoreError> {
        for attempt in 0..ATTEMPTS {
            let head = self.head_of(activity).await?;
            if head.next <= head.served {
                return Ok(0);
            }
            let result = self
                .table
                .client
                .update_item()
                .table_name(self.table.name())
                .set_key(Some(key(line(activity), "HEAD")))
                .update_expression("SET served = :next, closed_by = :code")
                .condition_expression("#next = :next AND served = :served")
                .expression_attribute_names("#next", "next")
                .expression_attribute_values(":next", n(head.next))
                .expression_attribute_values(":served", n(head.served))
                .expression_attribute_values(":code", s(refusal.as_str()))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(head.next - head.served),
                Err(error) if super::is_condition_failure(&error) => back_off(attempt).await,
                Err(error) => return Err(failed("close a line")(error)),
            }
        }
        Err(StoreError::new(format!("dynamodb: {activity}'s line not closed after {ATTEMPTS} attempts")))
    }

    async fn waiting(&self, activity: &ActivityId) -> Result<u64, StoreError> {
        let head = self.head_of(activity).await?;
        Ok(head.next.saturating_sub(head.served))
    }
}

//! The lines of queued activities in Redis: per activity a head hash (`next`, `served`,
//! `closed_by`) and hashes of tickets by number, users' latest numbers, numbers by draw id
//! and how tickets ended, all in the activity's hash slot (`{act:ID}`). Taking a ticket is
//! one `ticket_take.lua`; ending the head one `ticket_finish.lua`; a closure one
//! `ticket_close.lua`; reads one `ticket_find.lua` (see `docs/redis.md`).

use async_trait::async_trait;
use redis::Script;
use serde::{Deserialize, Serialize};

use super::{RedisConnection, RedisKeys, failed};
use luckydraw_core::domain::{ActivityId, DrawId, Refusal, Ticket, TicketState, Timestamp, UserId, UserKind};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Taken, Tickets};

/// How a drawn ticket's end is kept (a refused one keeps its refusal's code).
const DRAWN: &str = "drawn";

/// [`Tickets`] in Redis.
pub struct RedisTickets {
    connection: RedisConnection,
    keys: RedisKeys,
    take: Script,
    finish: Script,
    close: Script,
    find: Script,
}

/// A ticket as stored, without its number (the field it is stored under).
#[derive(Serialize, Deserialize)]
struct Stored {
    draw_id: DrawId,
    user_id: UserId,
    kind: UserKind,
    taken_at: Timestamp,
}

impl RedisTickets {
    /// Lines on `connection`, under `keys`.
    pub fn new(connection: RedisConnection, keys: RedisKeys) -> Self {
        Self {
            connection,
            keys,
            take: Script::new(include_str!("../../../../infra/redis/ticket_take.lua")),
            finish: Script::new(include_str!("../../../../infra/redis/ticket_finish.lua")),
            close: Script::new(include_str!("../../../../infra/redis/ticket_close.lua")),
            find: Script::new(include_str!("../../../../infra/redis/ticket_find.lua")),
        }
    }

    /// The ticket of `draw` (or the head, for `None`) with the served counter, its end and
    /// the latest closure's reason.
    async fn read(&self, activity: &ActivityId, draw: Option<&DrawId>) -> Result<Option<Read>, StoreError> {
        let [head, tickets, _, draws, ends] = self.keys.line(activity);
        let mut invocation = self.find.key(head);
        invocation.key(tickets).key(draws).key(ends).arg(draw.map(DrawId::to_string).unwrap_or_default());
        let reply: Vec<String> =
            invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("ticket find script"))?;
        let [number, served, stored, end, closed_by] = match <[String; 5]>::try_from(reply) {
            Ok(fields) => fields,
            Err(empty) if empty.is_empty() => return Ok(None),
            Err(other) => return Err(StoreError::new(format!("redis: unexpected ticket reply {other:?}"))),
        };
        let number = parse_number(&number)?;
        let served = parse_number(&served)?;
        Ok(Some(Read { ticket: ticket(number, &stored)?, served, end, closed_by }))
    }
}

/// What `ticket_find.lua` answered.
struct Read {
    ticket: Ticket,
    served: u64,
    end: String,
    closed_by: String,
}

impl Read {
    fn state(&self) -> Result<TicketState, StoreError> {
        let number = self.ticket.number;
        let refusal = |code: &str| {
            Refusal::parse(code).ok_or_else(|| StoreError::new(format!("redis: unknown ticket end {code:?}")))
        };
        Ok(match self.end.as_str() {
            _ if number >= self.served => TicketState::Waiting { ahead: number - self.served },
            DRAWN => TicketState::Drawn,
            "" => TicketState::Refused(refusal(&self.closed_by)?),
            code => TicketState::Refused(refusal(code)?),
        })
    }
}

fn parse_number(text: &str) -> Result<u64, StoreError> {
    text.parse().map_err(|_| StoreError::new(format!("redis: unreadable ticket number {text:?}")))
}

fn ticket(number: u64, stored: &str) -> Result<Ticket, StoreError> {
    let Stored { draw_id, user_id, kind, taken_at } = serde_json::from_str(stored)
        .map_err(|error| StoreError::caused_by(format!("redis: unreadable ticket {number}"), error))?;
    Ok(Ticket { number, draw_id, user_id, kind, taken_at })
}

#[async_trait]
impl Tickets for RedisTickets {
    async fn take(&self, draw: &DrawId, user: &UserId, kind: UserKind, at: Timestamp) -> Result<Taken, StoreError> {
        let [head, tickets, users, draws, _] = self.keys.line(draw.activity());
        let stored = Stored { draw_id: draw.clone(), user_id: *user, kind, taken_at: at };
        let stored = serde_json::to_string(&stored).map_err(|error| StoreError::caused_by("ticket to JSON", error))?;
        let mut invocation = self.take.key(head);
        invocation.key(tickets).key(users).key(draws).arg(user.to_string()).arg(draw.to_string()).arg(stored);
        let (new, number, served, stored): (u8, u64, u64, String) =
            invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("ticket take script"))?;
        Ok(Taken { ticket: ticket(number, &stored)?, new: new == 1, ahead: number.saturating_sub(served) })
    }

    async fn find(&self, draw: &DrawId) -> Result<Option<(Ticket, TicketState)>, StoreError> {
        match self.read(draw.activity(), Some(draw)).await? {
            Some(read) => Ok(Some((read.ticket.clone(), read.state()?))),
            None => Ok(None),
        }
    }

    async fn head(&self, activity: &ActivityId) -> Result<Option<Ticket>, StoreError> {
        Ok(self.read(activity, None).await?.map(|read| read.ticket))
    }

    async fn finish(&self, activity: &ActivityId, number: u64, refusal: Option<Refusal>) -> Result<bool, StoreError> {
        let [head, tickets, _, _, ends] = self.keys.line(activity);
        let end = refusal.map_or(DRAWN, Refusal::as_str);
        let mut invocation = self.finish.key(head);
        invocation.key(tickets).key(ends).arg(number).arg(end);
        let ended: i64 =
            invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("ticket finish script"))?;
        Ok(ended == 1)
    }

    async fn close(&self, activity: &ActivityId, refusal: Refusal) -> Result<u64, StoreError> {
        let [head, ..] = self.keys.line(activity);
        let mut invocation = self.close.key(head);
        invocation.arg(refusal.as_str());
        invocation.invoke_async(&mut self.connection.clone()).await.map_err(failed("ticket close script"))
    }

    async fn waiting(&self, activity: &ActivityId) -> Result<u64, StoreError> {
        let [head, ..] = self.keys.line(activity);
        let (next, served): (Option<u64>, Option<u64>) = redis::cmd("HMGET")
            .arg(head)
            .arg("next")
            .arg("served")
            .query_async(&mut self.connection.clone())
            .await
            .map_err(failed("read the line"))?;
        Ok(next.unwrap_or(0).saturating_sub(served.unwrap_or(0)))
    }
}

//! The lines of queued activities in memory: per activity, the next number, the served
//! counter, every ticket by number and how it ended, and each user's latest ticket.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use luckydraw_core::domain::{ActivityId, DrawId, Refusal, Ticket, TicketState, Timestamp, UserId, UserKind};
use luckydraw_core::error::StoreError;
use luckydraw_core::ports::{Taken, Tickets};

/// [`Tickets`] in memory.
#[derive(Debug, Default)]
pub struct MemoryTickets {
    lines: Mutex<HashMap<ActivityId, Line>>,
}

/// One activity's line.
#[derive(Debug, Default)]
struct Line {
    served: u64,
    tickets: Vec<Ticket>,
    ended: HashMap<u64, Option<Refusal>>,
    closed_by: Option<Refusal>,
    by_user: HashMap<UserId, u64>,
    by_draw: HashMap<DrawId, u64>,
}

impl Line {
    fn state(&self, number: u64) -> TicketState {
        match self.ended.get(&number) {
            _ if number >= self.served => TicketState::Waiting { ahead: number - self.served },
            Some(None) => TicketState::Drawn,
            Some(Some(refusal)) => TicketState::Refused(*refusal),
            // Below the served counter without an end of its own: a closure ended it.
            None => TicketState::Refused(self.closed_by.unwrap_or(Refusal::ActivityNotOpen)),
        }
    }

    fn ticket(&self, number: u64) -> Option<&Ticket> {
        usize::try_from(number).ok().and_then(|index| self.tickets.get(index))
    }
}

impl MemoryTickets {
    /// No lines yet.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Tickets for MemoryTickets {
    async fn take(&self, draw: &DrawId, user: &UserId, kind: UserKind, at: Timestamp) -> Result<Taken, StoreError> {
        let mut lines = lock(&self.lines);
        let line = lines.entry(draw.activity().clone()).or_default();
        if let Some(&held) = line.by_user.get(user).filter(|&&held| held >= line.served) {
            let ticket = line.ticket(held).cloned().ok_or_else(|| StoreError::new("a user's ticket is missing"))?;
            return Ok(Taken { ticket, new: false, ahead: held - line.served });
        }
        let number = line.tickets.len() as u64;
        let ticket = Ticket { number, draw_id: draw.clone(), user_id: *user, kind, taken_at: at };
        line.tickets.push(ticket.clone());
        line.by_user.insert(*user, number);
        line.by_draw.insert(draw.clone(), number);
        Ok(Taken { ticket, new: true, ahead: number - line.served })
    }

    async fn find(&self, draw: &DrawId) -> Result<Option<(Ticket, TicketState)>, StoreError> {
        let lines = lock(&self.lines);
        let Some(line) = lines.get(draw.activity()) else { return Ok(None) };
        let found = line.by_draw.get(draw).and_then(|&number| line.ticket(number));
        Ok(found.map(|ticket| (ticket.clone(), line.state(ticket.number))))
    }

    async fn head(&self, activity: &ActivityId) -> Result<Option<Ticket>, StoreError> {
        let lines = lock(&self.lines);
        Ok(lines.get(activity).and_then(|line| line.ticket(line.served)).cloned())
    }

    async fn finish(&self, activity: &ActivityId, number: u64, refusal: Option<Refusal>) -> Result<bool, StoreError> {
        let mut lines = lock(&self.lines);
        let Some(line) = lines.get_mut(activity) else { return Ok(false) };
        if line.served != number || line.ticket(number).is_none() {
            return Ok(false);
        }
        line.ended.insert(number, refusal);
        line.served += 1;
        Ok(true)
    }

    async fn close(&self, activity: &ActivityId, refusal: Refusal) -> Result<u64, StoreError> {
        let mut lines = lock(&self.lines);
        let Some(line) = lines.get_mut(activity) else { return Ok(0) };
        let next = line.tickets.len() as u64;
        let waiting = next - line.served;
        if waiting > 0 {
            line.served = next;
            line.closed_by = Some(refusal);
        }
        Ok(waiting)
    }

    async fn waiting(&self, activity: &ActivityId) -> Result<u64, StoreError> {
        let lines = lock(&self.lines);
        Ok(lines.get(activity).map_or(0, |line| line.tickets.len() as u64 - line.served))
    }
}

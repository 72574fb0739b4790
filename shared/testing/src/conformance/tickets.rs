//! The [`Tickets`] contract: numbers in arrival order, unique and without gaps, at most one
//! waiting ticket per user, a served counter that only moves forward one ticket at a time
//! (or past every waiting ticket at a closure), and each ticket's state as it reads back.

use std::collections::HashSet;
use std::sync::Arc;

use crate::START;
use luckydraw_core::domain::{ActivityId, DrawId, Refusal, TicketState, UserId, UserKind};
use luckydraw_core::ports::Tickets;

fn line() -> ActivityId {
    ActivityId::parse("line").expect("a valid id")
}

fn user(seed: u8) -> UserId {
    UserId::generate(START, [seed; 10])
}

fn draw(seed: u16) -> DrawId {
    let [high, low] = seed.to_be_bytes();
    DrawId::generate(&line(), START, [high, low, 7, 7, 7, 7, 7, 7, 7, 7])
}

async fn state(tickets: &dyn Tickets, draw: &DrawId) -> TicketState {
    tickets.find(draw).await.expect("find").expect("the ticket exists").1
}

/// Numbers count from 0 in arrival order; a second press of a waiting user answers their
/// ticket (not new, the first draw id) and takes no number.
pub async fn numbers_go_in_arrival_order_and_a_waiting_user_keeps_their_ticket(tickets: Arc<dyn Tickets>) {
    let first = tickets.take(&draw(1), &user(1), UserKind::Normal, START).await.unwrap();
    let second = tickets.take(&draw(2), &user(2), UserKind::Vip, START).await.unwrap();
    let again = tickets.take(&draw(3), &user(2), UserKind::Vip, START).await.unwrap();

    assert_eq!((first.ticket.number, first.new, first.ahead), (0, true, 0));
    assert_eq!((second.ticket.number, second.new, second.ahead), (1, true, 1));
    assert_eq!((again.ticket.number, again.new, again.ahead), (1, false, 1));
    assert_eq!(again.ticket.draw_id, draw(2));
    assert_eq!(second.ticket.kind, UserKind::Vip);
    assert_eq!(tickets.waiting(&line()).await.unwrap(), 2);
    assert!(tickets.find(&draw(3)).await.unwrap().is_none(), "the second press's draw id is not used");
    assert_eq!(tickets.find(&draw(2)).await.unwrap().unwrap().0, second.ticket);
}

/// Only the head ends, once; the served counter moves one ticket at a time; a user whose
/// ticket ended takes a new one at the end of the line.
pub async fn tickets_end_only_at_the_head_once_each(tickets: Arc<dyn Tickets>) {
    for seed in 0..3u8 {
        tickets.take(&draw(seed.into()), &user(seed), UserKind::Normal, START).await.unwrap();
    }
    assert_eq!(tickets.head(&line()).await.unwrap().map(|ticket| ticket.number), Some(0));

    assert!(!tickets.finish(&line(), 1, None).await.unwrap(), "ticket 1 is not the head");
    assert!(tickets.finish(&line(), 0, None).await.unwrap());
    assert!(!tickets.finish(&line(), 0, Some(Refusal::QuotaExceeded)).await.unwrap(), "ended already");
    assert!(tickets.finish(&line(), 1, Some(Refusal::QuotaExceeded)).await.unwrap());

    assert_eq!(state(&*tickets, &draw(0)).await, TicketState::Drawn);
    assert_eq!(state(&*tickets, &draw(1)).await, TicketState::Refused(Refusal::QuotaExceeded));
    assert_eq!(state(&*tickets, &draw(2)).await, TicketState::Waiting { ahead: 0 });
    assert_eq!(tickets.head(&line()).await.unwrap().map(|ticket| ticket.number), Some(2));
    let retaken = tickets.take(&draw(10), &user(0), UserKind::Normal, START).await.unwrap();
    assert_eq!((retaken.ticket.number, retaken.new, retaken.ahead), (3, true, 1));
    assert_eq!(tickets.waiting(&line()).await.unwrap(), 2);
}

/// A closure ends every waiting ticket at once with its reason; tickets taken after it wait.
pub async fn a_closure_ends_every_waiting_ticket_and_the_line_goes_on(tickets: Arc<dyn Tickets>) {
    for seed in 0..4u8 {
        tickets.take(&draw(seed.into()), &user(seed), UserKind::Normal, START).await.unwrap();
    }
    tickets.finish(&line(), 0, None).await.unwrap();

    assert_eq!(tickets.close(&line(), Refusal::SoldOut).await.unwrap(), 3);
    let after = tickets.take(&draw(9), &user(1), UserKind::Normal, START).await.unwrap();

    assert_eq!(state(&*tickets, &draw(0)).await, TicketState::Drawn);
    for seed in 1..4 {
        assert_eq!(state(&*tickets, &draw(seed)).await, TicketState::Refused(Refusal::SoldOut));
    }
    assert_eq!((after.ticket.number, after.new, after.ahead), (4, true, 0), "a closed ticket is not waiting");
    assert_eq!(tickets.head(&line()).await.unwrap().map(|ticket| ticket.draw_id), Some(draw(9)));
    assert_eq!(tickets.close(&ActivityId::parse("empty").unwrap(), Refusal::SoldOut).await.unwrap(), 0);
}

/// Concurrent presses of many users (each pressing twice) take unique numbers without
/// gaps, one per user.
pub async fn concurrent_takes_are_unique_without_gaps(tickets: Arc<dyn Tickets>) {
    let presses = (0..40u8).flat_map(|seed| [seed, seed]).enumerate().map(|(index, seed)| {
        let tickets = tickets.clone();
        tokio::spawn(async move {
            let taken = tickets.take(&draw(index as u16), &user(seed), UserKind::Normal, START).await.unwrap();
            (seed, taken.ticket.number, taken.ticket.draw_id)
        })
    });
    let mut results = Vec::new();
    for press in presses.collect::<Vec<_>>() {
        results.push(press.await.unwrap());
    }

    let numbers: HashSet<u64> = results.iter().map(|(_, number, _)| *number).collect();
    assert_eq!(numbers, (0..40).collect(), "one number per user, no gaps");
    let mut per_user = std::collections::HashMap::new();
    for (seed, number, draw_id) in &results {
        let first = per_user.entry(*seed).or_insert((*number, draw_id.clone()));
        assert_eq!(first, &(*number, draw_id.clone()), "both presses of a user answer one ticket");
    }
    assert_eq!(tickets.waiting(&line()).await.unwrap(), 40);
}

/// A ticket's position counts the waiting tickets ahead and only goes down.
pub async fn positions_count_the_waiting_tickets_ahead(tickets: Arc<dyn Tickets>) {
    for seed in 0..5u8 {
        tickets.take(&draw(seed.into()), &user(seed), UserKind::Normal, START).await.unwrap();
    }
    let mut seen = Vec::new();
    for number in 0..4 {
        seen.push(state(&*tickets, &draw(4)).await);
        tickets.finish(&line(), number, None).await.unwrap();
    }
    seen.push(state(&*tickets, &draw(4)).await);

    let ahead: Vec<u64> = (0..5).rev().collect();
    assert_eq!(seen, ahead.into_iter().map(|ahead| TicketState::Waiting { ahead }).collect::<Vec<_>>());
    assert!(tickets.find(&DrawId::generate(&line(), START, [1; 10])).await.unwrap().is_none());
}

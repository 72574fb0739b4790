//! The order queue in memory, with what SQS adds that matters here: receive counts,
//! redelivery of failed messages and a dead-letter list.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use tokio::sync::Notify;

use super::lock;
use luckydraw_core::error::StoreError;
use luckydraw_core::messages::{OrderMessage, TicketWaiting};
use luckydraw_core::ports::{DrawQueue, Queue};

/// A message as a consumer receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Unique per message.
    pub message_id: String,
    /// The JSON body.
    pub body: String,
    /// How many times it has been received, this time included.
    pub receive_count: u32,
}

/// [`Queue`] in memory. A consumer `receive`s messages and hands failed ones back with
/// `redeliver`; after `max_receives` receives they go to the dead letters.
#[derive(Debug, Default)]
pub struct MemoryQueue {
    state: Mutex<QueueState>,
    arrived: Notify,
}

#[derive(Debug, Default)]
struct QueueState {
    ready: VecDeque<Envelope>,
    in_flight: usize,
    dead: Vec<Envelope>,
    unavailable: bool,
    sent: u64,
}

impl MemoryQueue {
    /// An empty, available queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts a raw body on the queue, bypassing `send` (for poison-message tests).
    pub fn push_raw(&self, body: impl Into<String>) {
        let mut state = lock(&self.state);
        state.sent += 1;
        let message_id = format!("msg-{}", state.sent);
        state.ready.push_back(Envelope { message_id, body: body.into(), receive_count: 0 });
        drop(state);
        self.arrived.notify_one();
    }

    /// Takes up to `max` messages off the queue, counting the receive.
    pub fn receive(&self, max: usize) -> Vec<Envelope> {
        let mut state = lock(&self.state);
        let count = max.min(state.ready.len());
        let mut batch: Vec<Envelope> = state.ready.drain(..count).collect();
        batch.iter_mut().for_each(|envelope| envelope.receive_count += 1);
        state.in_flight += batch.len();
        batch
    }

    /// Deletes `count` received messages that were handled (they leave the backlog).
    pub fn acknowledge(&self, count: usize) {
        let mut state = lock(&self.state);
        state.in_flight = state.in_flight.saturating_sub(count);
    }

    /// Hands back a message that failed: to the end of the queue, or to the dead letters
    /// once it has been received `max_receives` times.
    pub fn redeliver(&self, envelope: Envelope, max_receives: u32) {
        let mut state = lock(&self.state);
        state.in_flight = state.in_flight.saturating_sub(1);
        if envelope.receive_count >= max_receives {
            state.dead.push(envelope);
        } else {
            state.ready.push_back(envelope);
            drop(state);
            self.arrived.notify_one();
        }
    }

    /// Waits until a message may have arrived.
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }

    /// Messages waiting to be received.
    pub fn len(&self) -> usize {
        lock(&self.state).ready.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Messages that failed too often.
    pub fn dead_letters(&self) -> Vec<Envelope> {
        lock(&self.state).dead.clone()
    }

    /// Makes `send` fail (or work again), to test what happens when the queue is down.
    pub fn set_unavailable(&self, unavailable: bool) {
        lock(&self.state).unavailable = unavailable;
    }
}

#[async_trait]
impl Queue for MemoryQueue {
    async fn send(&self, message: &OrderMessage) -> Result<(), StoreError> {
        if lock(&self.state).unavailable {
            return Err(StoreError::new(format!("order queue unavailable: {} not sent", message.kind())));
        }
        self.push_raw(message.to_json());
        Ok(())
    }

    async fn backlog(&self) -> Result<u64, StoreError> {
        let state = lock(&self.state);
        Ok((state.ready.len() + state.in_flight) as u64)
    }
}

/// The in-process draw queue: one ordered queue for every activity (so each activity's
/// messages keep their order), consumed by the runner's draw worker.
#[async_trait]
impl DrawQueue for MemoryQueue {
    async fn send(&self, message: &TicketWaiting) -> Result<(), StoreError> {
        if lock(&self.state).unavailable {
            return Err(StoreError::new(format!("draw queue unavailable: ticket {} not sent", message.draw_id)));
        }
        self.push_raw(message.to_json());
        Ok(())
    }
}

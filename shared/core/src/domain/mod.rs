//! Domain types. Each parses once from raw input and is valid from then on; none knows
//! about AWS, HTTP or any store.

mod activity;
mod client;
mod draw;
mod eligibility;
mod ids;
mod money;
mod order;
mod payment;
mod session;
mod ticket;
mod time;
mod user;

pub use activity::{
    Activity, ActivityError, ActivitySpec, ActivityStatus, DEFAULT_MAX_UNPAID, DrawLimit, DrawMode, Entry,
    MAX_TOTAL_STOCK, Prize,
};
pub use client::ClientAddress;
pub use draw::{DrawOutcome, DrawRecord, LedgerEntry};
pub use eligibility::{Eligibility, MAX_TAGS, Tag, TagError};
pub use ids::{ActivityId, DrawId, IdError, OrderId, PrizeId, UserId};
pub use money::{Money, MoneyError};
pub use order::{CancelReason, Order, OrderStatus};
pub use payment::{Notification, PayLink, Refund, TradeRequest, Unverified};
pub use session::{Session, SessionKey, SessionToken};
pub use ticket::{Refusal, Ticket, TicketState};
pub use time::{Timestamp, TimestampError, fixed_window};
pub use user::{CredentialError, Password, PasswordHash, User, UserKind, UserStatus, Username};

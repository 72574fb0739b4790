//! Errors: `StoreError` from adapters, and `Error`, the vocabulary every use case answers
//! in. `http` maps each `Error` to a status and a code in one place.

use std::error::Error as StdError;

use crate::domain::{ActivityError, ActivityId, Refusal};
use crate::ports::StockError;

/// An adapter could not reach or use its backend (Redis, DynamoDB, SQS, ...).
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct StoreError {
    context: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl StoreError {
    /// An error described by `context` alone.
    pub fn new(context: impl Into<String>) -> Self {
        Self { context: context.into(), source: None }
    }

    /// An error described by `context`, caused by `source`.
    pub fn caused_by(context: impl Into<String>, source: impl StdError + Send + Sync + 'static) -> Self {
        Self { context: context.into(), source: Some(Box::new(source)) }
    }
}

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; the message says how.
    #[error("{0}")]
    InvalidRequest(String),
    /// A field of the request is not acceptable; `field` names it as the client sent it
    /// (`ends_at`, `prizes[2].weight`).
    #[error("{field}: {message}")]
    InvalidField {
        /// Where, e.g. `prizes[2].weight`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// No valid session.
    #[error("log in first")]
    Unauthenticated,
    /// Unknown user or wrong password (deliberately not saying which).
    #[error("wrong username or password")]
    InvalidCredentials,
    /// Registration with a name already in use.
    #[error("that username is taken")]
    UsernameTaken,
    /// Logged in, but not allowed.
    #[error("you are not allowed to do that")]
    Forbidden,
    /// The activity's eligibility rules exclude the user.
    #[error("this activity is not open to you")]
    NotEligible,
    /// No such thing (or not yours to see).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Every unit of every prize is gone.
    #[error("every prize has been drawn")]
    SoldOut,
    /// The user has used all their draws in this activity.
    #[error("you have used all your draws in this activity")]
    QuotaExceeded,
    /// The user holds as many unpaid prizes as the activity allows.
    #[error("pay for or give up your unpaid prizes before drawing again")]
    UnpaidLimit,
    /// The activity is not online, not started yet, or over.
    #[error("the activity is not open for drawing")]
    ActivityNotOpen,
    /// The thing exists but is in the wrong state for this request.
    #[error("{0}")]
    InvalidState(String),
    /// Too many attempts in a short time.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until the window resets.
        retry_after_secs: u64,
    },
    /// The body is not of the media type the route reads.
    #[error("this route takes {expected} bodies")]
    UnsupportedMediaType {
        /// The media type it takes.
        expected: &'static str,
    },
    /// The body is larger than the route reads.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A cookie-authenticated request that changes state came from another site's page.
    #[error("requests from another origin must send the token as `Authorization: Bearer`")]
    ForeignOrigin,
    /// The activity's stock is not in the stock store (lost, and not yet restored from the
    /// ledger): its draws are paused. Answered like [`Error::Unavailable`].
    #[error("the draw is paused while the stock of activity `{0}` is restored; please try again shortly")]
    Paused(ActivityId),
    /// A backend failed; nothing was changed that the caller must undo.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[from] StoreError),
}

impl Error {
    /// The stable machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidRequest(_) | Error::InvalidField { .. } => "invalid_request",
            Error::Unauthenticated => "unauthenticated",
            Error::InvalidCredentials => "invalid_credentials",
            Error::UsernameTaken => "username_taken",
            Error::Forbidden => "forbidden",
            Error::NotEligible => "not_eligible",
            Error::NotFound(_) => "not_found",
            Error::SoldOut => "sold_out",
            Error::QuotaExceeded => "quota_exceeded",
            Error::UnpaidLimit => "unpaid_limit",
            Error::ActivityNotOpen => "activity_not_open",
            Error::InvalidState(_) => "invalid_state",
            Error::RateLimited { .. } => "rate_limited",
            Error::UnsupportedMediaType { .. } => "unsupported_media_type",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::ForeignOrigin => "foreign_origin",
            Error::Paused(_) | Error::Unavailable(_) => "unavailable",
        }
    }

    /// The field a request error names, if it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A request error about `field`.
    pub fn field_error(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Error::InvalidField { field: field.into(), message: message.to_string() }
    }

    /// A request error carrying the message of any parse error.
    pub fn invalid(error: impl std::fmt::Display) -> Self {
        Error::InvalidRequest(error.to_string())
    }
}

impl From<ActivityError> for Error {
    fn from(error: ActivityError) -> Self {
        Error::field_error(error.field(), &error)
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::SoldOut => Error::SoldOut,
            Refusal::ActivityNotOpen => Error::ActivityNotOpen,
            Refusal::QuotaExceeded => Error::QuotaExceeded,
            Refusal::UnpaidLimit => Error::UnpaidLimit,
            Refusal::Unavailable => Error::Unavailable(StoreError::new("the queued draw failed; press again")),
        }
    }
}

impl From<StockError> for Error {
    fn from(error: StockError) -> Self {
        match error {
            StockError::SoldOut => Error::SoldOut,
            StockError::QuotaExceeded => Error::QuotaExceeded,
            StockError::UnpaidLimit => Error::UnpaidLimit,
            StockError::NotLoaded(activity) => Error::Paused(activity),
            StockError::UnknownPrize(_) => Error::NotFound("prize"),
            error @ StockError::Insufficient { .. } => Error::InvalidState(error.to_string()),
            StockError::Store(error) => Error::Unavailable(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_ticket_answers_the_code_of_the_instant_refusal() {
        for refusal in Refusal::ALL {
            assert_eq!(Error::from(refusal).code(), refusal.as_str());
        }
    }
}

//! Everything that can go wrong, and the exit status each failure ends the process with.

use std::path::PathBuf;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error body (or an error status).
    #[error("{status} {code}: {message}{}", field.as_ref().map(|field| format!(" (field: {field})")).unwrap_or_default())]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error code (`invalid_request`, `not_found`, `invalid_state`, ...).
        code: String,
        /// The API's explanation.
        message: String,
        /// The offending field, when there is one (`prizes[1].weight`).
        field: Option<String>,
    },
    /// The request did not get an answer (connection refused, timeout, TLS).
    #[error("no answer from {url}")]
    Transport {
        /// What was asked.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the contract describes.
    #[error("unexpected answer from {url}: {detail}")]
    Unexpected {
        /// What was asked.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The campaign file could not be read.
    #[error("cannot read {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The campaign file is not a valid activity.
    #[error("{path}: {reason}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// Neither a token nor a password was given.
    #[error("no credentials: set LUCKYDRAW_TOKEN (or --token), or LUCKYDRAW_ADMIN_PASSWORD (or --password)")]
    NoCredentials,
    /// A change the API would refuse, caught before any call was made.
    #[error("{0}")]
    Refused(String),
    /// `restore` kept being refused until its deadline.
    #[error("still refused after {waited_secs} s")]
    GaveUp {
        /// How long it kept asking.
        waited_secs: u64,
        /// The last refusal.
        #[source]
        last: Box<Error>,
    },
}

impl Error {
    /// The process's exit status for this failure (documented in `--help`).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Api { .. } | Error::Refused(_) | Error::GaveUp { .. } => 1,
            Error::NoCredentials => 2,
            Error::Transport { .. } | Error::Unexpected { .. } => 3,
            Error::ReadFile { .. } | Error::BadFile { .. } => 4,
        }
    }

    /// Whether this is the API's 409 `invalid_state`.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Api { status: 409, .. })
    }

    /// Whether this is the API's 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api { status: 404, .. })
    }
}

//! What can stop a run before its report, and the exit status each ends the process with.

/// A failed run (an audit's violations are not errors: they are in the report).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runner could not be started or did not say where it listens.
    #[error("the local runner did not start: {0}")]
    Runner(String),
    /// A request got no answer (connection refused, timeout).
    #[error("no answer from {url}: {source}")]
    Transport {
        /// What was asked.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The target answered with an error.
    #[error("{url} answered {status}: {body}")]
    Refused {
        /// What was asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The answer's body (its start).
        body: String,
    },
    /// The answer was not what the API describes.
    #[error("unexpected answer from {url}: {detail}")]
    Unexpected {
        /// What was asked.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
    /// Something the run needs was not given.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Whether asking again may succeed: no answer, 503 or 429.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Transport { .. } | Error::Refused { status: 503 | 429, .. })
    }

    /// Whether the target refused with this status.
    pub fn is_status(&self, wanted: u16) -> bool {
        matches!(self, Error::Refused { status, .. } if *status == wanted)
    }

    /// The process's exit status for this failure (1 is kept for audit violations).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 3,
        }
    }
}

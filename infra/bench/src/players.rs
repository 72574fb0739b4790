//! The players: registered then logged in (as a real player would), in parallel, under
//! names of this run's own (`b-<run>-<n>`).

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::api::{Api, Session};
use crate::error::Error;

/// Registrations and logins in flight at once (each hashes a password on the server).
const IN_FLIGHT: usize = 16;

/// Registers and logs in `count` players named after `run`, all with `password`; in the
/// order of their names.
pub async fn sign_up(api: &Api, run: &str, count: u32, password: &str) -> Result<Vec<Session>, Error> {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut joins = JoinSet::new();
    for n in 0..count {
        let (api, gate, password) = (api.clone(), gate.clone(), password.to_owned());
        let username = format!("b-{run}-{n}");
        joins.spawn(async move {
            let _permit = gate.acquire_owned().await;
            match api.register(&username, &password).await {
                // Taken: a retried registration whose first answer was lost.
                Err(error) if !error.is_status(409) => return Err(error),
                _ => {}
            }
            api.login(&username, &password).await.map(|session| (n, session))
        });
    }
    let mut players = Vec::with_capacity(count as usize);
    while let Some(joined) = joins.join_next().await {
        let joined = joined.map_err(|error| Error::Unexpected { url: api.base().into(), detail: error.to_string() })?;
        players.push(joined?);
    }
    players.sort_by_key(|(n, _)| *n);
    Ok(players.into_iter().map(|(_, session)| session).collect())
}

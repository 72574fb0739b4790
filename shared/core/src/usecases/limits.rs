//! Rate limits on requests: every request counts against its limits before any work is
//! done, in fixed windows on the rate-limit store (atomic on every backend), and the
//! first limit it is over answers 429 with the seconds until its window ends.

use tracing::warn;

use crate::app::{HasClock, HasRateLimits, HasSettings};
use crate::domain::{ClientAddress, UserId, Username, fixed_window};
use crate::error::Error;
use crate::settings::Limit;

/// One limit a request counts against: the counter's key and its limit.
pub struct Counted {
    /// The counter, e.g. `draw-user:<id>`.
    pub key: String,
    /// How many per window.
    pub limit: Limit,
}

/// Counts a draw against its player's and its address's limits.
pub async fn draw(
    app: &(impl HasRateLimits + HasClock + HasSettings),
    user: &UserId,
    address: &ClientAddress,
) -> Result<(), Error> {
    let limits = app.settings().limits;
    if !limits.enabled {
        return Ok(());
    }
    let counted = [
        Counted { key: format!("draw-user:{user}"), limit: limits.draw_per_user },
        Counted { key: format!("draw-addr:{address}"), limit: limits.draw_per_address },
    ];
    admit(app, &counted).await
}

/// Counts a registration against its address's limit.
pub async fn register(
    app: &(impl HasRateLimits + HasClock + HasSettings),
    address: &ClientAddress,
) -> Result<(), Error> {
    let limits = app.settings().limits;
    if !limits.enabled {
        return Ok(());
    }
    admit(app, &[Counted { key: format!("register-addr:{address}"), limit: limits.register_per_address }]).await
}

/// Counts a login attempt against its address's limit (when enabled) and, always, against
/// the failure limits of its username from this address and from anywhere. The attempt is
/// counted before the password is checked, so a burst cannot outrun the count; a success
/// clears both with [`login_succeeded`].
pub async fn login(
    app: &(impl HasRateLimits + HasClock + HasSettings),
    username: &Username,
    address: &ClientAddress,
) -> Result<(), Error> {
    let limits = app.settings().limits;
    if limits.enabled {
        admit(app, &[Counted { key: format!("login-addr:{address}"), limit: limits.login_per_address }]).await?;
    }
    admit(app, &login_failures(app, username, address)).await
}

/// Forgets a username's counted attempts once its password was right.
pub async fn login_succeeded(
    app: &(impl HasRateLimits + HasClock + HasSettings),
    username: &Username,
    address: &ClientAddress,
) -> Result<(), Error> {
    let now = app.clock().now();
    for counted in login_failures(app, username, address) {
        app.rate_limits().clear(&counted.key, counted.limit.window, now).await?;
    }
    Ok(())
}

fn login_failures(app: &impl HasSettings, username: &Username, address: &ClientAddress) -> [Counted; 2] {
    let limits = app.settings().limits;
    [
        Counted { key: format!("login:{username}@{address}"), limit: limits.login_failures },
        Counted { key: format!("login:{username}"), limit: limits.login_failures_per_user },
    ]
}

/// Counts one event against each of `counted`, all at once; 429 if any is over its limit.
pub async fn admit(app: &(impl HasRateLimits + HasClock), counted: &[Counted]) -> Result<(), Error> {
    let now = app.clock().now();
    let hits = counted.iter().map(|counted| app.rate_limits().hit(&counted.key, counted.limit.window, now));
    let counts = futures::future::try_join_all(hits).await?;
    let over = counted.iter().zip(counts).filter(|(counted, count)| *count > counted.limit.count);
    let retry_after_secs = over
        .map(|(counted, _)| {
            let (_, reset_at) = fixed_window(counted.limit.window, now);
            warn!(key = %counted.key, "rate limited");
            reset_at.since(now).as_secs().max(1)
        })
        .max();
    match retry_after_secs {
        Some(retry_after_secs) => Err(Error::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

//! Register, log in, log out, and turn a presented token into a session.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tracing::{info, instrument, warn};

use crate::app::{HasClock, HasRandom, HasRateLimits, HasSessions, HasSettings, HasUsers};
use crate::domain::{
    ClientAddress, Password, PasswordHash, Session, SessionToken, Timestamp, User, UserId, UserKind, UserStatus,
    Username,
};
use crate::error::{Error, StoreError};
use crate::settings::Argon2Settings;
use crate::usecases::limits;

/// A username and password from a login or register form.
#[derive(Debug)]
pub struct Credentials {
    /// Who.
    pub username: Username,
    /// Their password.
    pub password: Password,
}

/// A fresh session for a user.
#[derive(Debug)]
pub struct LoggedIn {
    /// The bearer token (also set as the session cookie).
    pub token: SessionToken,
    /// The user.
    pub user: User,
    /// When the session ends if unused.
    pub expires_at: Timestamp,
}

/// Creates a normal player account and logs it in, within the address's registration limit.
#[instrument(skip_all, fields(username = %credentials.username, %address))]
pub async fn register(
    app: &(impl HasUsers + HasSessions + HasRateLimits + HasClock + HasRandom + HasSettings),
    credentials: Credentials,
    address: &ClientAddress,
) -> Result<LoggedIn, Error> {
    limits::register(app, address).await?;
    let user = new_user(app, credentials, UserKind::Normal).await?;
    if !app.users().insert(&user).await? {
        return Err(Error::UsernameTaken);
    }
    info!(user_id = %user.id, "registered");
    start_session(app, user).await
}

/// Builds (but does not store) a user with a freshly salted password hash.
pub async fn new_user(
    app: &(impl HasClock + HasRandom + HasSettings),
    credentials: Credentials,
    kind: UserKind,
) -> Result<User, Error> {
    let now = app.clock().now();
    let salt: [u8; 16] = app.random().bytes();
    let password_hash = hash_password(app.settings().argon2, credentials.password, salt).await?;
    Ok(User {
        id: UserId::generate(now, app.random().bytes()),
        username: credentials.username,
        password_hash,
        kind,
        status: UserStatus::Active,
        created_at: now,
        tags: Default::default(),
    })
}

/// Checks a password and opens a session. Each attempt is counted against the username's
/// failure limits (from this address, and from anywhere) before the password is checked,
/// and refused with 429 past them; a success clears the count. Unknown names cost the same.
#[instrument(skip_all, fields(username = %credentials.username, %address))]
pub async fn login(
    app: &(impl HasUsers + HasSessions + HasRateLimits + HasClock + HasRandom + HasSettings),
    credentials: Credentials,
    address: &ClientAddress,
) -> Result<LoggedIn, Error> {
    limits::login(app, &credentials.username, address).await?;
    let user = app.users().by_username(&credentials.username).await?;
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    let verified = verify_password(app.settings().argon2, credentials.password, hash).await;
    match user {
        Some(user) if verified && user.status == UserStatus::Active => {
            limits::login_succeeded(app, &user.username, address).await?;
            start_session(app, user).await
        }
        Some(_) if verified => Err(Error::Forbidden),
        _ => {
            warn!("login failed");
            Err(Error::InvalidCredentials)
        }
    }
}

/// Ends the session of `token`, if any.
pub async fn logout(app: &impl HasSessions, token: &SessionToken) -> Result<(), Error> {
    app.sessions().delete(&token.key()).await?;
    Ok(())
}

/// The live session for a presented token, its idle timeout restarted.
pub async fn authenticate(
    app: &(impl HasSessions + HasClock + HasSettings),
    token: Option<SessionToken>,
) -> Result<Session, Error> {
    let token = token.ok_or(Error::Unauthenticated)?;
    let now = app.clock().now();
    let expires_at = now.plus(app.settings().session_idle);
    app.sessions().touch(&token.key(), now, expires_at).await?.ok_or(Error::Unauthenticated)
}

/// Opens a session for `user`.
pub async fn start_session(
    app: &(impl HasSessions + HasClock + HasRandom + HasSettings),
    user: User,
) -> Result<LoggedIn, Error> {
    let now = app.clock().now();
    let token = SessionToken::from_random(app.random().bytes());
    let session = Session { user_id: user.id, username: user.username.clone(), kind: user.kind, created_at: now };
    let expires_at = now.plus(app.settings().session_idle);
    app.sessions().put(&token.key(), &session, expires_at).await?;
    Ok(LoggedIn { token, user, expires_at })
}

fn argon2(settings: Argon2Settings) -> Result<Argon2<'static>, StoreError> {
    let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
        .map_err(|error| StoreError::caused_by("invalid argon2 parameters", error))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes off the async workers: argon2 is deliberately slow.
async fn hash_password(settings: Argon2Settings, password: Password, salt: [u8; 16]) -> Result<PasswordHash, Error> {
    let hashed = tokio::task::spawn_blocking(move || {
        let hash = argon2(settings)?
            .hash_password_with_salt(password.expose(), &salt)
            .map_err(|error| StoreError::caused_by("password hashing failed", error))?;
        Ok::<_, StoreError>(PasswordHash::from_phc(hash.to_string()))
    })
    .await
    .map_err(|error| StoreError::caused_by("password hashing task failed", error))?;
    Ok(hashed?)
}

/// Verifies against `hash`, or against a throwaway hash when there is no user, so that
/// unknown usernames take as long as wrong passwords.
async fn verify_password(settings: Argon2Settings, password: Password, hash: Option<PasswordHash>) -> bool {
    let task = tokio::task::spawn_blocking(move || {
        let Ok(argon2) = argon2(settings) else { return false };
        match hash {
            Some(hash) => argon2.verify_password(password.expose(), hash.as_str()).is_ok(),
            None => {
                let _ = argon2.hash_password_with_salt(password.expose(), &[0; 16]);
                false
            }
        }
    });
    task.await.unwrap_or(false)
}

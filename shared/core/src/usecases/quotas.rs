//! Who may draw how much: a user's own draw limit in an activity (overriding its default and
//! VIP limits, enforced by the stock store inside the atomic draw step), and the tags an
//! operator puts on users for activities' eligibility rules.

use std::collections::BTreeSet;

use tracing::{info, instrument};

use crate::app::{HasActivities, HasStock, HasUsers};
use crate::domain::{ActivityId, DrawLimit, MAX_TAGS, Tag, User, UserId, Username};
use crate::error::Error;

/// A user's own limit in an activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quota {
    /// The user.
    pub user_id: UserId,
    /// Their login name, when the account still exists.
    pub username: Option<Username>,
    /// Their limit (0 = unlimited).
    pub limit: DrawLimit,
}

/// Sets `user`'s own draw limit in `activity`: first the durable copy (what a restore or a
/// load puts back), then the stock store's, which draws check atomically.
#[instrument(skip_all, fields(activity = %activity, user = %user))]
pub async fn set(
    app: &(impl HasActivities + HasStock + HasUsers),
    activity: &ActivityId,
    user: &UserId,
    limit: Option<DrawLimit>,
) -> Result<(), Error> {
    app.activities().get(activity).await?.ok_or(Error::NotFound("activity"))?;
    if limit.is_some() {
        app.users().by_id(user).await?.ok_or(Error::NotFound("user"))?;
    }
    app.activities().set_limit(activity, user, limit).await?;
    app.stock().set_limit(activity, user, limit).await?;
    info!(limit = ?limit.map(DrawLimit::get), "draw limit set");
    Ok(())
}

/// Every user's own limit in `activity`, by username.
pub async fn list(app: &(impl HasActivities + HasUsers), activity: &ActivityId) -> Result<Vec<Quota>, Error> {
    app.activities().get(activity).await?.ok_or(Error::NotFound("activity"))?;
    let mut quotas = Vec::new();
    for (user_id, limit) in app.activities().limits(activity).await? {
        let username = app.users().by_id(&user_id).await?.map(|user| user.username);
        quotas.push(Quota { user_id, username, limit });
    }
    quotas.sort_by_key(|quota| (quota.username.as_ref().map(|name| name.as_str().to_owned()), quota.user_id));
    Ok(quotas)
}

/// Replaces a user's tags (at most [`MAX_TAGS`]).
#[instrument(skip_all, fields(user = %user))]
pub async fn set_tags(app: &impl HasUsers, user: &UserId, tags: BTreeSet<Tag>) -> Result<User, Error> {
    if tags.len() > MAX_TAGS {
        return Err(Error::field_error("tags", format!("a user has at most {MAX_TAGS} tags")));
    }
    let user = app.users().set_tags(user, &tags).await?.ok_or(Error::NotFound("user"))?;
    info!(tags = tags.len(), "tags set");
    Ok(user)
}

/// The user with this login name.
pub async fn user_named(app: &impl HasUsers, username: &Username) -> Result<User, Error> {
    app.users().by_username(username).await?.ok_or(Error::NotFound("user"))
}

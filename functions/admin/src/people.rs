//! Users' own draw limits in an activity, finding users, and their tags.

use std::collections::BTreeSet;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::domain::{DrawLimit, Tag, User, UserId, Username};
use luckydraw_core::usecases::quotas::{self, Quota};
use luckydraw_core::{App, Error};
use luckydraw_lambda::http::{self, json_response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::activities::id;

/// Every user's own limit in the activity.
pub async fn quotas(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let quotas: Vec<Value> = quotas::list(app, &id(request)?)
        .await?
        .into_iter()
        .map(|Quota { user_id, username, limit }| json!({ "user_id": user_id, "username": username, "limit": limit }))
        .collect();
    Ok(json_response(StatusCode::OK, &json!({ "quotas": quotas })))
}

/// `{"limit": n}` (0 = unlimited).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitBody {
    limit: DrawLimit,
}

/// Sets a user's own limit.
pub async fn set_quota(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let LimitBody { limit } = http::json_body(request)?;
    let user: UserId = http::path_param(request, "user_id")?;
    quotas::set(app, &id(request)?, &user, Some(limit)).await?;
    Ok(json_response(StatusCode::OK, &json!({ "user_id": user, "limit": limit })))
}

/// 204 once the user's own limit is gone (the activity's applies again).
pub async fn remove_quota(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    quotas::set(app, &id(request)?, &http::path_param(request, "user_id")?, None).await?;
    Ok(http::empty_response(StatusCode::NO_CONTENT))
}

/// `GET /admin/users?username=alice`.
pub async fn find_user(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let username: Username = http::query_param(request, "username")?
        .ok_or_else(|| Error::field_error("username", "say which user: ?username=..."))?;
    Ok(json_response(StatusCode::OK, &user_body(&quotas::user_named(app, &username).await?)))
}

/// `{"tags": [...]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsBody {
    tags: BTreeSet<Tag>,
}

/// Replaces the user's tags.
pub async fn set_tags(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let TagsBody { tags } = http::json_body(request)?;
    let user = quotas::set_tags(app, &http::path_param(request, "user_id")?, tags).await?;
    Ok(json_response(StatusCode::OK, &user_body(&user)))
}

fn user_body(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "kind": user.kind,
        "status": user.status,
        "tags": user.tags,
        "created_at": user.created_at,
    })
}

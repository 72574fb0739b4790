//! The admin API client: one method per route, each answering the parsed body together
//! with the raw JSON (`--json` prints that). Every request carries the session token and
//! has a timeout; error bodies become [`Error::Api`].

use std::time::Duration;

use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api::{
    ActivityBody, ActivityInput, ActivityList, Audit, Flushed, Loaded, OrderPage, PrizeInput, QuotaList, Reconciled,
    Stats, StockLevel, UserBody,
};
use crate::error::Error;

/// A parsed answer and the JSON it came from.
#[derive(Debug)]
pub struct Reply<T> {
    /// The answer, parsed.
    pub body: T,
    /// The answer as sent (`null` for 204).
    pub raw: Value,
}

/// A logged-in connection to the admin API.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: SecretString,
}

/// Which orders to list.
#[derive(Debug, Default)]
pub struct OrderQuery<'a> {
    /// Only this activity's.
    pub activity: Option<&'a str>,
    /// Only this status.
    pub status: Option<&'a str>,
    /// Page size.
    pub limit: u32,
    /// Where to start.
    pub cursor: Option<&'a str>,
}

impl Client {
    /// A client using an existing session token.
    pub fn with_token(base: &str, token: SecretString, timeout: Duration) -> Result<Self, Error> {
        let base = Url::parse(base).map_err(|error| Error::Refused(format!("--url {base}: {error}")))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("luckydraw-admin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| Error::Transport { url: base.to_string(), source })?;
        Ok(Self { http, base, token })
    }

    /// Logs in (`POST /login`) and answers a client holding the new session's token.
    pub async fn login(base: &str, user: &str, password: &SecretString, timeout: Duration) -> Result<Self, Error> {
        let mut client = Self::with_token(base, SecretString::from(String::new()), timeout)?;
        let body = json!({"username": user, "password": password.expose_secret()});
        let raw = client.send(Method::POST, &["login"], &[], Some(&body)).await?;
        let token = raw.get("token").and_then(Value::as_str).ok_or_else(|| Error::Unexpected {
            url: client.url(&["login"], &[]).to_string(),
            detail: "the login answer has no token".into(),
        })?;
        client.token = SecretString::from(token.to_owned());
        Ok(client)
    }

    /// The session token.
    pub fn token(&self) -> &SecretString {
        &self.token
    }

    /// `GET /admin/activities`.
    pub async fn activities(&self) -> Result<Reply<ActivityList>, Error> {
        self.call(Method::GET, &["admin", "activities"], &[], None).await
    }

    /// `GET /admin/activities/{id}`.
    pub async fn activity(&self, id: &str) -> Result<Reply<ActivityBody>, Error> {
        self.call(Method::GET, &["admin", "activities", id], &[], None).await
    }

    /// `GET /admin/activities/{id}`, `None` on 404.
    pub async fn find_activity(&self, id: &str) -> Result<Option<ActivityBody>, Error> {
        match self.activity(id).await {
            Ok(reply) => Ok(Some(reply.body)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `POST /admin/activities`.
    pub async fn create_activity(&self, input: &ActivityInput) -> Result<Reply<ActivityBody>, Error> {
        self.call(Method::POST, &["admin", "activities"], &[], Some(&to_json(input))).await
    }

    /// `PATCH /admin/activities/{id}` with the fields in `patch`.
    pub async fn patch_activity(&self, id: &str, patch: &Value) -> Result<Reply<ActivityBody>, Error> {
        self.call(Method::PATCH, &["admin", "activities", id], &[], Some(patch)).await
    }

    /// `DELETE /admin/activities/{id}`.
    pub async fn delete_activity(&self, id: &str) -> Result<(), Error> {
        self.send(Method::DELETE, &["admin", "activities", id], &[], None).await.map(drop)
    }

    /// `POST /admin/activities/{id}/prizes`.
    pub async fn add_prize(&self, id: &str, prize: &PrizeInput) -> Result<Reply<ActivityBody>, Error> {
        self.call(Method::POST, &["admin", "activities", id, "prizes"], &[], Some(&to_json(prize))).await
    }

    /// `PATCH /admin/activities/{id}/prizes/{prize}`.
    pub async fn patch_prize(&self, id: &str, prize: &str, patch: &Value) -> Result<Reply<ActivityBody>, Error> {
        self.call(Method::PATCH, &["admin", "activities", id, "prizes", prize], &[], Some(patch)).await
    }

    /// `DELETE /admin/activities/{id}/prizes/{prize}`.
    pub async fn delete_prize(&self, id: &str, prize: &str) -> Result<(), Error> {
        self.send(Method::DELETE, &["admin", "activities", id, "prizes", prize], &[], None).await.map(drop)
    }

    /// `POST /admin/activities/{id}/prizes/{prize}/stock`.
    pub async fn change_stock(&self, id: &str, prize: &str, delta: i64) -> Result<Reply<StockLevel>, Error> {
        let path = ["admin", "activities", id, "prizes", prize, "stock"];
        self.call(Method::POST, &path, &[], Some(&json!({ "delta": delta }))).await
    }

    /// `POST /admin/activities/{id}/{action}` for `preload` and `restore`.
    pub async fn load(&self, id: &str, action: &str) -> Result<Reply<Loaded>, Error> {
        self.call(Method::POST, &["admin", "activities", id, action], &[], Some(&json!({}))).await
    }

    /// `POST /admin/activities/{id}/flush`.
    pub async fn flush(&self, id: &str) -> Result<Reply<Flushed>, Error> {
        self.call(Method::POST, &["admin", "activities", id, "flush"], &[], Some(&json!({}))).await
    }

    /// `POST /admin/activities/{id}/reconcile`.
    pub async fn reconcile(&self, id: &str) -> Result<Reply<Reconciled>, Error> {
        self.call(Method::POST, &["admin", "activities", id, "reconcile"], &[], Some(&json!({}))).await
    }

    /// `GET /admin/activities/{id}/stats`.
    pub async fn stats(&self, id: &str) -> Result<Reply<Stats>, Error> {
        self.call(Method::GET, &["admin", "activities", id, "stats"], &[], None).await
    }

    /// `GET /admin/orders` (one page).
    pub async fn orders(&self, query: &OrderQuery<'_>) -> Result<Reply<OrderPage>, Error> {
        let limit = query.limit.to_string();
        let mut pairs = vec![("limit", limit.as_str())];
        pairs.extend(query.activity.map(|activity| ("activity", activity)));
        pairs.extend(query.status.map(|status| ("status", status)));
        pairs.extend(query.cursor.map(|cursor| ("cursor", cursor)));
        self.call(Method::GET, &["admin", "orders"], &pairs, None).await
    }

    /// `GET /admin/activities/{id}/quotas`.
    pub async fn quotas(&self, id: &str) -> Result<Reply<QuotaList>, Error> {
        self.call(Method::GET, &["admin", "activities", id, "quotas"], &[], None).await
    }

    /// `PUT /admin/activities/{id}/quotas/{user_id}`.
    pub async fn set_quota(&self, id: &str, user_id: &str, limit: u32) -> Result<Value, Error> {
        let path = ["admin", "activities", id, "quotas", user_id];
        self.send(Method::PUT, &path, &[], Some(&json!({ "limit": limit }))).await
    }

    /// `DELETE /admin/activities/{id}/quotas/{user_id}`.
    pub async fn remove_quota(&self, id: &str, user_id: &str) -> Result<(), Error> {
        self.send(Method::DELETE, &["admin", "activities", id, "quotas", user_id], &[], None).await.map(drop)
    }

    /// `GET /admin/users?username=`.
    pub async fn user(&self, username: &str) -> Result<Reply<UserBody>, Error> {
        self.call(Method::GET, &["admin", "users"], &[("username", username)], None).await
    }

    /// `PUT /admin/users/{user_id}/tags`.
    pub async fn set_tags(&self, user_id: &str, tags: &[String]) -> Result<Reply<UserBody>, Error> {
        self.call(Method::PUT, &["admin", "users", user_id, "tags"], &[], Some(&json!({ "tags": tags }))).await
    }

    /// `GET /admin/audit`.
    pub async fn audit(&self, limit: u32) -> Result<Reply<Audit>, Error> {
        self.call(Method::GET, &["admin", "audit"], &[("limit", &limit.to_string())], None).await
    }

    /// Sends a request and parses the answer as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply<T>, Error> {
        let raw = self.send(method, path, query, body).await?;
        let body = T::deserialize(&raw)
            .map_err(|error| Error::Unexpected { url: self.url(path, query).to_string(), detail: error.to_string() })?;
        Ok(Reply { body, raw })
    }

    /// Sends a request; the answer's JSON (`null` when empty), or the API's error.
    async fn send(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, Error> {
        let url = self.url(path, query);
        let mut request = self.http.request(method, url.clone());
        if !self.token.expose_secret().is_empty() {
            request = request.bearer_auth(self.token.expose_secret());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let transport = |source| Error::Transport { url: url.to_string(), source };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(api_error(status.as_u16(), &text));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|error| Error::Unexpected { url: url.to_string(), detail: error.to_string() })
    }

    /// The base URL with `path` appended segment by segment (each percent-encoded) and `query`.
    fn url(&self, path: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }
}

/// The error an answer with a failure status describes: its `{"error": {...}}` body, or
/// the status alone when the body is something else (a proxy's page).
fn api_error(status: u16, text: &str) -> Error {
    let error = serde_json::from_str::<Value>(text).ok().and_then(|body| body.get("error").cloned());
    let field =
        |name: &str| error.as_ref().and_then(|error| error.get(name)).and_then(Value::as_str).map(str::to_owned);
    let fallback = text.chars().take(200).collect::<String>();
    Error::Api {
        status,
        code: field("code").unwrap_or_else(|| format!("http_{status}")),
        message: field("message").unwrap_or(if fallback.trim().is_empty() { "no details".into() } else { fallback }),
        field: field("field"),
    }
}

/// Inputs are plain data: serialising them cannot fail.
fn to_json(input: &impl serde::Serialize) -> Value {
    serde_json::to_value(input).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_gives_its_code_message_and_field() {
        let text =
            r#"{"error":{"code":"invalid_request","message":"weight must be positive","field":"prizes[1].weight"}}"#;
        let error = api_error(400, text);
        assert_eq!(error.to_string(), "400 invalid_request: weight must be positive (field: prizes[1].weight)");
        assert_eq!(error.exit_code(), 1);
    }

    #[test]
    fn a_body_that_is_not_an_error_body_still_gives_the_status() {
        let error = api_error(502, "<html>Bad Gateway</html>");
        assert_eq!(error.to_string(), "502 http_502: <html>Bad Gateway</html>");
    }

    #[test]
    fn path_segments_are_encoded_and_a_base_path_is_kept() {
        let client =
            Client::with_token("https://example.com/prod/", SecretString::from("t".to_owned()), Duration::from_secs(1))
                .expect("a client");
        let url = client.url(&["admin", "activities", "a/b"], &[("username", "al ice")]);
        assert_eq!(url.as_str(), "https://example.com/prod/admin/activities/a%2Fb?username=al+ice");
    }
}

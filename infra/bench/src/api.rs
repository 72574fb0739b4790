//! The HTTP API as the bench uses it: one keep-alive client with a timeout on every request,
//! the player routes (register, login, draw) and the few admin routes the audit reads.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::Error;

/// Tries of a set-up or audit request that met a transient failure.
const ATTEMPTS: u32 = 4;

/// The pause before the second try (then twice, three times as long).
const RETRY_PAUSE: Duration = Duration::from_millis(250);

/// A client of one deployment.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

/// A logged-in user: its id and session token.
#[derive(Clone, Debug)]
pub struct Session {
    /// The user id.
    pub user_id: String,
    /// The bearer token.
    pub token: String,
}

/// A raw answer: status and body.
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body's bytes.
    pub body: bytes::Bytes,
}

impl Api {
    /// A client of `base` (e.g. `http://127.0.0.1:3000`) keeping up to `connections` idle
    /// connections; every request may take `timeout`.
    pub fn new(base: &str, connections: usize, timeout: Duration) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(connections)
            .tcp_nodelay(true)
            .user_agent(concat!("luckydraw-bench/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| Error::Transport { url: base.to_owned(), source })?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned() })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /register`.
    pub async fn register(&self, username: &str, password: &str) -> Result<Session, Error> {
        let body = json!({ "username": username, "password": password });
        session(self.call(Method::POST, "/register", None, Some(&body)).await?, "/register")
    }

    /// `POST /login`.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, Error> {
        let body = json!({ "username": username, "password": password });
        session(self.call(Method::POST, "/login", None, Some(&body)).await?, "/login")
    }

    /// `POST /activities/{id}/draw`, answered raw (the storm classifies it).
    pub async fn draw(&self, activity: &str, token: &str) -> Result<Answer, reqwest::Error> {
        let url = format!("{}/activities/{activity}/draw", self.base);
        let response = self.http.post(url).bearer_auth(token).send().await?;
        let status = response.status();
        Ok(Answer { status, body: response.bytes().await? })
    }

    /// A JSON request with the session `token`, answered parsed as `T`; an error status is
    /// [`Error::Refused`]. Set-up and audit requests, not draws: one that gets no answer, a
    /// 503 or a 429 is sent again, up to [`ATTEMPTS`] times with a growing pause.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<T, Error> {
        let mut attempt = 1;
        loop {
            match self.call_once(method.clone(), path_and_query, token, body).await {
                Err(error) if error.is_transient() && attempt < ATTEMPTS => {
                    tokio::time::sleep(RETRY_PAUSE * attempt).await;
                    attempt += 1;
                }
                answer => return answer,
            }
        }
    }

    async fn call_once<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<T, Error> {
        let url = format!("{}{path_and_query}", self.base);
        let mut request = self.http.request(method, &url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let transport = |source| Error::Transport { url: url.clone(), source };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        if !status.is_success() {
            let body = text.chars().take(300).collect();
            return Err(Error::Refused { url, status: status.as_u16(), body });
        }
        serde_json::from_str(&text).map_err(|error| Error::Unexpected { url, detail: error.to_string() })
    }
}

/// The session a register or login answer opened.
fn session(body: Value, path: &str) -> Result<Session, Error> {
    let field = |pointer: &str| body.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    match (field("/user/id"), field("/token")) {
        (Some(user_id), Some(token)) => Ok(Session { user_id, token }),
        _ => Err(Error::Unexpected { url: path.to_owned(), detail: "no user id or token in the answer".into() }),
    }
}

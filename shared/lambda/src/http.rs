//! HTTP glue shared by every API function: reading requests, writing JSON responses,
//! and the one place where an [`Error`] becomes a status code.

use lambda_http::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, RETRY_AFTER, SET_COOKIE};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::error;

use luckydraw_core::App;
use luckydraw_core::domain::{ClientAddress, Session, SessionToken, Timestamp};
use luckydraw_core::error::Error;
use luckydraw_core::usecases::accounts;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "session";

/// The HTTP status for each error: the single mapping.
pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::InvalidRequest(_) | Error::InvalidField { .. } => StatusCode::BAD_REQUEST,
        Error::Unauthenticated | Error::InvalidCredentials => StatusCode::UNAUTHORIZED,
        Error::Forbidden | Error::ForeignOrigin | Error::NotEligible => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::UsernameTaken
        | Error::SoldOut
        | Error::QuotaExceeded
        | Error::UnpaidLimit
        | Error::ActivityNotOpen
        | Error::InvalidState(_) => StatusCode::CONFLICT,
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Paused(_) | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// `{"error":{"code","message"}}` (and `field` where one is at fault) with the error's status. Server-side causes are logged
/// with their chain and never shown to the client.
pub fn error_response(error: &Error) -> Response<Body> {
    if let Error::Unavailable(cause) = error {
        error!(error = %cause, cause = ?std::error::Error::source(cause), "request failed");
    }
    let body =
        ErrorBody { error: ErrorDetail { code: error.code(), message: error.to_string(), field: error.field() } };
    let mut response = json_response(status_of(error), &body);
    if let Error::RateLimited { retry_after_secs } = error {
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    response
}

/// `{"error": ...}`, written straight from the error (no JSON tree in between).
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// The response for a use case's result: the success as built, or the error mapped.
pub fn respond(result: Result<Response<Body>, Error>) -> Response<Body> {
    result.unwrap_or_else(|error| error_response(&error))
}

/// A JSON response.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A response with no body (204 and the like).
pub fn empty_response(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
}

/// A plain-text response.
pub fn text_response(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Body::Text(text.to_owned()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// The API Gateway route this request came in on, such as `POST /orders/{id}/giveup`.
pub fn route_key(request: &Request) -> Option<&str> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.route_key.as_deref(),
        _ => None,
    }
}

/// `https://` and the domain API Gateway received this request on (its own
/// `execute-api` domain or a custom one), when it came through API Gateway.
pub fn public_base_url(request: &Request) -> Option<String> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => {
            context.domain_name.as_deref().map(|domain| format!("https://{domain}"))
        }
        _ => None,
    }
}

/// The request body parsed as JSON into `T`.
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, Error> {
    let bytes = request.body().as_ref();
    if bytes.is_empty() {
        return Err(Error::InvalidRequest("the request needs a JSON body".into()));
    }
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let parsed: T = serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let field = error.path().to_string();
        let cause = error.into_inner();
        // A value of the wrong shape names its field; broken JSON has no field to name.
        let unplaced = matches!(field.as_str(), "." | "" | "?");
        if cause.is_data() && !unplaced {
            Error::field_error(field, cause)
        } else {
            Error::InvalidRequest(format!("invalid JSON body: {cause}"))
        }
    })?;
    reader.end().map_err(|error| Error::InvalidRequest(format!("invalid JSON body: {error}")))?;
    Ok(parsed)
}

/// The query parameter `name` parsed as `T`, if present.
pub fn query_param<T>(request: &Request, name: &str) -> Result<Option<T>, Error>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let parameters = request.query_string_parameters();
    let parsed = parameters.first(name).filter(|text| !text.is_empty()).map(str::parse::<T>).transpose();
    parsed.map_err(|error| Error::field_error(name, error))
}

/// The path parameter `name` (API Gateway's `{name}`) parsed as `T`.
pub fn path_param<T>(request: &Request, name: &str) -> Result<T, Error>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let parameters = request.path_parameters();
    let text =
        parameters.first(name).ok_or_else(|| Error::InvalidRequest(format!("missing path parameter `{name}`")))?;
    text.parse().map_err(Error::invalid)
}

/// The session token from `Authorization: Bearer ...` or, failing that, the session cookie.
pub fn session_token(request: &Request) -> Option<SessionToken> {
    bearer_token(request).or_else(|| cookie_token(request))
}

/// The token of `Authorization: Bearer ...`.
pub fn bearer_token(request: &Request) -> Option<SessionToken> {
    let header = request.headers().get(AUTHORIZATION).and_then(|value| value.to_str().ok());
    header.and_then(|value| value.strip_prefix("Bearer ")).and_then(|token| SessionToken::parse(token.trim()))
}

/// The token of the session cookie.
pub fn cookie_token(request: &Request) -> Option<SessionToken> {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, value)| SessionToken::parse(value))
}

/// Where the request came from: API Gateway's source IP, or [`ClientAddress::UNKNOWN`].
pub fn client_address(request: &Request) -> ClientAddress {
    let source = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.as_deref(),
        _ => None,
    };
    source.and_then(ClientAddress::parse).unwrap_or(ClientAddress::UNKNOWN)
}

/// The caller's live session, or 401.
pub async fn authenticate(app: &App, request: &Request) -> Result<Session, Error> {
    accounts::authenticate(app, session_token(request)).await
}

/// The caller's session if the request carries a live one; `None` for anonymous callers
/// and for a token that expired (the route answers them as anonymous).
pub async fn optional_session(app: &App, request: &Request) -> Result<Option<Session>, Error> {
    match authenticate(app, request).await {
        Ok(session) => Ok(Some(session)),
        Err(Error::Unauthenticated) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Adds the session cookie for `token`, valid until `expires_at`.
pub fn set_session_cookie(
    response: &mut Response<Body>,
    token: &SessionToken,
    expires_at: Timestamp,
    secure: bool,
    now: Timestamp,
) {
    let max_age = expires_at.since(now).as_secs();
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{SESSION_COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}", token.expose());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// Adds a cookie that clears the session cookie.
pub fn clear_session_cookie(response: &mut Response<Body>, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

//! The login function: `POST /register`, `POST /login`, `POST /logout`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use luckydraw_core::App;
use luckydraw_core::Error;
use luckydraw_core::domain::{Password, User, UserId, UserKind, Username};
use luckydraw_core::usecases::accounts::{self, Credentials, LoggedIn};
use luckydraw_lambda::http::{self, clear_session_cookie, json_response, set_session_cookie};
use luckydraw_lambda::routes::{self, Route};
use serde::{Deserialize, Serialize};

/// The API Gateway routes this function serves.
pub const ROUTES: &[Route] = &[
    Route::post_json("/register", |app, request| Box::pin(register(app, request))),
    Route::post_json("/login", |app, request| Box::pin(login(app, request))),
    Route::post("/logout", |app, request| Box::pin(logout(app, request))),
];

/// Answers one request on one of [`ROUTES`].
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    routes::dispatch(ROUTES, app, request).await
}

/// `{"username","password"}` as sent by the page.
#[derive(Deserialize)]
struct CredentialsBody {
    username: String,
    password: String,
}

impl TryFrom<CredentialsBody> for Credentials {
    type Error = Error;
    fn try_from(body: CredentialsBody) -> Result<Self, Error> {
        let username = Username::parse(&body.username).map_err(Error::invalid)?;
        let password = Password::parse(body.password).map_err(Error::invalid)?;
        Ok(Credentials { username, password })
    }
}

/// `{"token","user":{"id","username","kind"}}`.
#[derive(Serialize)]
struct LoggedInBody<'a> {
    token: &'a str,
    user: UserBody<'a>,
}

#[derive(Serialize)]
struct UserBody<'a> {
    id: UserId,
    username: &'a Username,
    kind: UserKind,
}

async fn register(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let credentials = http::json_body::<CredentialsBody>(request)?.try_into()?;
    let logged_in = accounts::register(app, credentials, &http::client_address(request)).await?;
    Ok(session_response(app, StatusCode::CREATED, &logged_in))
}

async fn login(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    let credentials = http::json_body::<CredentialsBody>(request)?.try_into()?;
    let logged_in = accounts::login(app, credentials, &http::client_address(request)).await?;
    Ok(session_response(app, StatusCode::OK, &logged_in))
}

/// Ends the session if there is one; always clears the cookie (204).
async fn logout(app: &App, request: &Request) -> Result<Response<Body>, Error> {
    if let Some(token) = http::session_token(request) {
        accounts::logout(app, &token).await?;
    }
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    clear_session_cookie(&mut response, app.settings.secure_cookies);
    Ok(response)
}

fn session_response(app: &App, status: StatusCode, logged_in: &LoggedIn) -> Response<Body> {
    let body = LoggedInBody { token: logged_in.token.expose(), user: user_body(&logged_in.user) };
    let mut response = json_response(status, &body);
    let now = app.clock.now();
    set_session_cookie(&mut response, &logged_in.token, logged_in.expires_at, app.settings.secure_cookies, now);
    response
}

fn user_body(user: &User) -> UserBody<'_> {
    UserBody { id: user.id, username: &user.username, kind: user.kind }
}

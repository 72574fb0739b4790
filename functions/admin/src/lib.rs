//! The operators' admin API: campaigns (activities and prizes), their stock, users' quotas
//! and tags, figures and orders. Admins only; every call goes into the audit log.

mod activities;
mod auth;
mod figures;
mod people;
mod stock;

use lambda_http::{Body, Request, Response};
use luckydraw_core::App;
use luckydraw_lambda::routes::{self, Route};

/// The API Gateway routes this function serves.
pub const ROUTES: &[Route] = &[
    Route::get("/admin/activities", |app, request| Box::pin(activities::list(app, request))),
    Route::post_json("/admin/activities", |app, request| Box::pin(activities::create(app, request))),
    Route::get("/admin/activities/{id}", |app, request| Box::pin(activities::get(app, request))),
    Route::patch_json("/admin/activities/{id}", |app, request| Box::pin(activities::update(app, request))),
    Route::delete("/admin/activities/{id}", |app, request| Box::pin(activities::delete(app, request))),
    Route::post_json("/admin/activities/{id}/prizes", |app, request| Box::pin(activities::add_prize(app, request))),
    Route::patch_json("/admin/activities/{id}/prizes/{prize_id}", |app, request| {
        Box::pin(activities::update_prize(app, request))
    }),
    Route::delete("/admin/activities/{id}/prizes/{prize_id}", |app, request| {
        Box::pin(activities::delete_prize(app, request))
    }),
    Route::post_json("/admin/activities/{id}/prizes/{prize_id}/stock", |app, request| {
        Box::pin(activities::adjust_stock(app, request))
    }),
    Route::post("/admin/activities/{id}/preload", |app, request| Box::pin(stock::preload(app, request))),
    Route::post("/admin/activities/{id}/flush", |app, request| Box::pin(stock::flush(app, request))),
    Route::post("/admin/activities/{id}/restore", |app, request| Box::pin(stock::restore(app, request))),
    Route::post("/admin/activities/{id}/reconcile", |app, request| Box::pin(stock::reconcile(app, request))),
    Route::get("/admin/activities/{id}/stats", |app, request| Box::pin(figures::stats(app, request))),
    Route::get("/admin/activities/{id}/quotas", |app, request| Box::pin(people::quotas(app, request))),
    Route::put_json("/admin/activities/{id}/quotas/{user_id}", |app, request| {
        Box::pin(people::set_quota(app, request))
    }),
    Route::delete("/admin/activities/{id}/quotas/{user_id}", |app, request| {
        Box::pin(people::remove_quota(app, request))
    }),
    Route::get("/admin/users", |app, request| Box::pin(people::find_user(app, request))),
    Route::put_json("/admin/users/{user_id}/tags", |app, request| Box::pin(people::set_tags(app, request))),
    Route::get("/admin/orders", |app, request| Box::pin(figures::orders(app, request))),
    Route::get("/admin/audit", |app, request| Box::pin(figures::audit(app, request))),
];

/// Answers one request on one of [`ROUTES`]: admins only (401 without a session, 403 for
/// players), and each call an admin makes is appended to the audit log.
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    let admin = match auth::admin(app, &request).await {
        Ok(admin) => admin,
        Err(refused) => return routes::refuse(&refused),
    };
    let action = format!("{} {}", request.method(), request.uri().path());
    let response = routes::dispatch(ROUTES, app, request).await;
    auth::audit(app, &admin, action, response.status()).await;
    response
}

//! Who may call the admin API, and the record of what they did.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use luckydraw_core::domain::{Session, UserKind};
use luckydraw_core::ports::AuditEntry;
use luckydraw_core::{App, Error};
use luckydraw_lambda::http;
use tracing::{error, info};

/// The caller's session if they are an admin: 401 without a session, 403 for anyone else.
pub async fn admin(app: &App, request: &Request) -> Result<Session, Error> {
    let session = http::authenticate(app, request).await?;
    match session.kind {
        UserKind::Admin => Ok(session),
        UserKind::Normal | UserKind::Vip => Err(Error::Forbidden),
    }
}

/// Appends the call to the audit log (and the function's log). The call is done by now: a
/// failed append is logged at error level, not answered.
pub async fn audit(app: &App, admin: &Session, action: String, status: StatusCode) {
    let entry = AuditEntry { at: app.clock.now(), admin: admin.username.clone(), action, status: status.as_u16() };
    info!(admin = %entry.admin, action = %entry.action, status = entry.status, "admin call");
    if let Err(failure) = app.audit.append(&entry).await {
        error!(error = %failure, action = %entry.action, "audit entry not written");
    }
}

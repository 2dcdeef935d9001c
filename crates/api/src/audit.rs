//! Writing the audit log: who did what to which thing, from where.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use hotline_store::NewAuditEntry;

use crate::auth::AuthUser;
use crate::state::AppState;

/// The client address of a request, when the server knows it.
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())))
    }
}

/// Appends an audit entry. A failure to write it is logged loudly, but does
/// not undo the action that was already done.
pub async fn record(state: &AppState, actor: Option<&AuthUser>, ip: &ClientIp, action: &str, target: Option<&str>, detail: String) {
    let entry = NewAuditEntry {
        at: hotline_acd::now_ms(),
        actor: actor.map(|u| u.username.clone()),
        action: action.to_owned(),
        target: target.map(str::to_owned),
        ip: ip.0.clone(),
        detail,
    };
    if let Err(e) = state.db().append_audit(&entry).await {
        tracing::error!(error = %e, action, "audit entry could not be written");
    }
}

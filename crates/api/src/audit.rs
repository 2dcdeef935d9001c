//! Writing the audit log: who did what to which thing, from where.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use hotline_store::NewAuditEntry;

use crate::auth::AuthUser;
use crate::state::AppState;

/// The client address of a request, when the server knows it: the peer's
/// address, or — when the peer is one of `[server] trusted_proxies` — the
/// last address in `X-Forwarded-For` that is not a trusted proxy. A header
/// from anyone else is ignored, so a client cannot pick its own address
/// (and escape its limits) by sending one.
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
        Ok(ClientIp(peer.map(|p| client_address(p, &forwarded, &state.0.settings.trusted_proxies).to_string())))
    }
}

/// The client behind `peer`: see [`ClientIp`].
pub fn client_address(peer: std::net::IpAddr, forwarded_for: &str, trusted: &[String]) -> std::net::IpAddr {
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|net| hotline_config::cidr_contains(net, ip).unwrap_or(false));
    if !is_trusted(peer) {
        return peer;
    }
    let mut hops = forwarded_for.split(',').map(str::trim).filter(|h| !h.is_empty()).rev();
    let mut client = peer;
    for hop in hops.by_ref() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            // Garbage in the chain: stop at the last address we could trust.
            Err(_) => break,
        }
    }
    client
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

/// Audits a change to an admin-edited object: the fields it changed, each
/// before and after, as JSON (`{"changed": [{"field", "before", "after"}]}`).
pub async fn record_change(state: &AppState, actor: &AuthUser, ip: &ClientIp, action: &str, target: &str, before: &serde_json::Value, after: &serde_json::Value) {
    let changed = crate::revision::changes(before, after);
    let detail = serde_json::json!({ "changed": changed }).to_string();
    record(state, Some(actor), ip, action, Some(target), detail).await;
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let trusted = vec!["10.0.0.0/8".to_owned()];
        // From the proxy: the last address it did not add itself.
        assert_eq!(client_address(ip("10.0.0.2"), "203.0.113.7", &trusted), ip("203.0.113.7"));
        assert_eq!(client_address(ip("10.0.0.2"), "198.51.100.1, 203.0.113.7, 10.0.0.9", &trusted), ip("203.0.113.7"), "a spoofed first hop is not believed");
        // From anyone else: the header is ignored.
        assert_eq!(client_address(ip("203.0.113.9"), "1.2.3.4", &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(ip("10.0.0.2"), "", &trusted), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), "junk", &trusted), ip("10.0.0.2"));
    }
}

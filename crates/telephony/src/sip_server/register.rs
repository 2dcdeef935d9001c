//! REGISTER (digest-authenticated, several phones per extension, expiry),
//! and — when `auto_ready` is on — agents available when their first phone
//! registers and not ready ("unregistered") when the last one goes.

use std::net::SocketAddr;

use hotline_acd::StatusRequest;
use hotline_sip::auth::Algorithm;
use hotline_sip::{Request, Transport as SipTransport, TxKey};

use super::{random, Server};

/// Reason code of an agent whose last phone unregistered.
pub const UNREGISTERED: &str = "unregistered";

impl Server {
    pub(super) async fn register(&mut self, key: TxKey, request: Request, from: SocketAddr, transport: SipTransport) {
        let ext = request.headers.to().and_then(|t| t.user()).unwrap_or_default();
        let credential = match self.store.sip_credential(&ext).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read SIP credentials");
                return self.respond(key, request.response(500));
            }
        };
        let realm = self.opts.realm.clone();
        let ha1 = |user: &str, alg: Algorithm| {
            let c = credential.as_ref().filter(|c| c.extension == user && c.realm == realm)?;
            Some(match alg {
                Algorithm::Md5 => c.ha1_md5.clone(),
                Algorithm::Sha256 => c.ha1_sha256.clone(),
            })
        };
        let now = self.now();
        let done = self.registrar.handle(now, &request, from, transport, &random(), ha1);
        match done.response {
            Some(r) => {
                if r.status == 403 {
                    tracing::warn!(extension = %ext, %from, "SIP registration refused");
                }
                self.respond(key, r);
            }
            None => tracing::warn!(extension = %ext, %from, "SIP registration dropped (source blocked)"),
        }
        if let Some(change) = done.change {
            tracing::info!(extension = %change.aor, registered = change.registered, "SIP registration changed");
            self.registration_changed(&change.aor, change.registered).await;
        }
    }

    pub(super) async fn registration_changed(&mut self, ext: &str, registered: bool) {
        if !self.opts.auto_ready {
            return;
        }
        let Ok(Some(agent)) = self.store.agent_by_extension(ext).await else { return };
        let status = if registered { StatusRequest::Available } else { StatusRequest::NotReady { reason: UNREGISTERED.into() } };
        if let Err(e) = self.acd.set_status(&agent.id, status).await {
            tracing::warn!(extension = %ext, error = %e, "could not change the agent's status");
        }
    }
}

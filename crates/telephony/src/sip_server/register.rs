//! REGISTER (digest-authenticated against the in-memory credentials,
//! several phones per extension, expiry), and — when `auto_ready` is on —
//! agents available when their first phone registers and not ready
//! ("unregistered") when the last one goes. The agent's status changes on
//! the routing worker, never on the signalling path.

use std::net::SocketAddr;

use hotline_sip::{Request, Transport as SipTransport, TxKey};

use super::routing::Job;
use super::{random, Server};

/// Reason code of an agent whose last phone unregistered.
pub const UNREGISTERED: &str = "unregistered";

impl Server {
    pub(super) fn register(&mut self, key: TxKey, request: Request, from: SocketAddr, transport: SipTransport) {
        let ext = request.headers.to().and_then(|t| t.user()).unwrap_or_default();
        let now = self.now();
        let credentials = &self.credentials;
        let done = self.registrar.handle(now, &request, from, transport, &random(), |user, alg| credentials.ha1(user, alg));
        match done.response {
            Some(r) => {
                if r.status == 403 {
                    tracing::warn!(extension = %ext, %from, reason = %r.reason, "SIP registration refused");
                }
                self.respond(key, r);
            }
            None => tracing::warn!(extension = %ext, %from, "SIP registration dropped (source blocked)"),
        }
        if let Some(change) = done.change {
            tracing::info!(extension = %change.aor, registered = change.registered, "SIP registration changed");
            self.registration_changed(&change.aor, change.registered);
        }
    }

    pub(super) fn registration_changed(&mut self, ext: &str, registered: bool) {
        if !self.opts.auto_ready {
            return;
        }
        let Some(agent) = self.extensions.iter().find(|(_, e)| *e == ext).map(|(a, _)| a.clone()) else { return };
        self.routing.send(Job::Registration { agent, registered });
    }
}

//! Who may place a call that is not to an IVR number: only an agent whose
//! phone proves its extension's password (digest, `407 Proxy-Authenticate`,
//! the same credentials as REGISTER). IVR numbers need no authentication,
//! as calls from a trunk do not.

use std::net::SocketAddr;

use hotline_sip::auth::{AuthError, Credentials, Secret};
use hotline_sip::{Request, Response};

use super::{random, Server};

/// What an INVITE's credentials amount to.
pub(super) enum CallerAuth {
    /// The caller is the agent with this extension.
    Agent(String),
    /// Not (yet) authenticated: send this response.
    Refuse(Response),
}

impl Server {
    /// Checks the `Proxy-Authorization` of an INVITE to a number the IVR
    /// does not serve.
    pub(super) async fn authenticate_caller(&self, request: &Request, from: SocketAddr) -> CallerAuth {
        let now = self.now();
        let tag = hotline_sip::ids::tag(&random());
        let challenge = |stale: bool| {
            let mut r = request.response(407).with_to_tag(&tag);
            for c in self.auth.challenges(now, &random(), stale) {
                r.headers.push("Proxy-Authenticate", c);
            }
            CallerAuth::Refuse(r)
        };
        if self.registrar.is_blocked(from, now) {
            return CallerAuth::Refuse(request.response(403).with_to_tag(&tag).with_reason("Too Many Failed Attempts"));
        }
        let Some(header) = request.headers.get("Proxy-Authorization") else { return challenge(false) };
        let credentials = match Credentials::parse(header) {
            Ok(c) => c,
            Err(AuthError::Malformed(why)) => {
                return CallerAuth::Refuse(request.response(400).with_to_tag(&tag).with_reason(format!("Malformed Proxy-Authorization: {why}")));
            }
            Err(_) => return challenge(false),
        };
        let stored = match self.store.sip_credential(&credentials.username).await {
            Ok(c) => c.filter(|c| c.realm == self.opts.realm),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read SIP credentials");
                return CallerAuth::Refuse(request.response(500).with_to_tag(&tag));
            }
        };
        let Some(stored) = stored else {
            tracing::warn!(%from, user = %credentials.username, "call refused: unknown extension");
            return CallerAuth::Refuse(request.response(403).with_to_tag(&tag));
        };
        let ha1 = match credentials.algorithm {
            hotline_sip::auth::Algorithm::Md5 => stored.ha1_md5.clone(),
            hotline_sip::auth::Algorithm::Sha256 => stored.ha1_sha256.clone(),
        };
        match self.auth.verify(now, &credentials, request.method.as_str(), Secret::Ha1(&ha1)) {
            Ok(()) => CallerAuth::Agent(credentials.username),
            Err(AuthError::Stale) => challenge(true),
            Err(AuthError::WrongPassword) => {
                tracing::warn!(%from, user = %credentials.username, "call refused: wrong password");
                CallerAuth::Refuse(request.response(403).with_to_tag(&tag))
            }
            Err(_) => challenge(false),
        }
    }
}
